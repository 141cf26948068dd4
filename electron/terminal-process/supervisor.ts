/**
 * The host's side: runs the terminal service in a process of its own (Electron's
 * utilityProcess, or a Node child process), forwards contract calls to it and
 * its events to whoever subscribed, and restarts it when it dies.
 *
 * A crash is survivable because everything that matters is already durable in
 * the service (SQLite with synchronous=FULL; a redemption's outbox row is
 * written with its sale, and the outbox never resends what may have applied
 * before its deadline and a lookup). What the host guarantees:
 *
 *  - every call gets exactly one answer: the service's, or, for a call in
 *    flight when the service died, TERMINAL_RESTARTED ("it is not known whether
 *    it was done"); an answer can never come from a later life (the ids are
 *    unique across lives and a dead life's messages are ignored);
 *  - calls made while the service restarts wait and are sent to the new one
 *    (they never left, so sending them is safe);
 *  - subscribers stay subscribed across restarts and hear
 *    `{ type: 'service', state: 'restarting' }` then `'running'` (the window
 *    tells the cashier, then reloads the state it shows);
 *  - the new service opens the same data directory; restarts back off when
 *    the service keeps dying (a counter PC nobody watches must not spin).
 */
import type { Writable } from 'node:stream';
import type { Envelope, TerminalEvent } from '../../shared/contract.js';
import { DEFAULT_MESSAGES } from '../../shared/errors.js';
import { logger } from '../log/logger.js';
import { messageType, type FromService, type MessageLink, type ServiceInfo, type ServiceStartOptions } from './protocol.js';

const log = logger('service-host');

export interface ServiceExit {
  code: number | null;
  signal: string | null;
}

/** One started service process, whatever kind. */
export interface ServiceChild {
  readonly link: MessageLink;
  readonly pid: number | undefined;
  /** Called once, when the process has ended. */
  onExit(listener: (exit: ServiceExit) => void): void;
  /** Ends it at once (SIGKILL where there are signals). */
  kill(): void;
}

export type SpawnService = () => ServiceChild;

/** A download the host serves (the same shape as shell/protocol.ts's ExportDownload and the web host's). */
export interface ServiceDownload {
  filename: string;
  contentType: string;
  write(out: Writable): Promise<unknown>;
}

export interface SupervisorOptions {
  spawn: SpawnService;
  options: ServiceStartOptions;
  /** A log line the service wrote (the host's log file takes it: log/logger.ts writeLogLine). */
  onLog?: (line: string) => void;
  /** How long to wait before restart number `n` of a run of crashes (1 = the first). Default: at once, then 0.5 s doubling to 30 s. */
  restartDelayMs?: (n: number) => number;
  /** A service that ran this long before dying starts a new run of crashes (default a minute). */
  stableAfterMs?: number;
  /** How long close() waits for the service before killing it. */
  closeTimeoutMs?: number;
}

export type ServiceState = 'running' | 'restarting' | 'closed';

export interface TerminalServiceClient {
  call(method: unknown, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: TerminalEvent) => void): () => void;
  /** Redemptions and refunds waiting, as the service last said (at start, then in every pushed status). */
  waitingCount(): number;
  openExport(ticket: string): Promise<ServiceDownload | null>;
  close(): Promise<void>;
  /** What the running service said at its start. */
  readonly info: ServiceInfo;
  readonly state: ServiceState;
  /** Restarts after a crash so far. */
  readonly restarts: number;
  /** The service process's id now (undefined while it restarts). */
  pid(): number | undefined;
}

/** The service could not start: its own error's name and message (e.g. DataDirLockedError). */
export class ServiceStartError extends Error {
  constructor(
    readonly causeName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

/** The answer to a call in flight when the service died: sent at most once, never followed by another. */
export const RESTARTED_ENVELOPE: Envelope<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'TERMINAL_RESTARTED', message: DEFAULT_MESSAGES.TERMINAL_RESTARTED }),
}) as Envelope<never>;

const CLOSED_ENVELOPE: Envelope<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'INTERNAL', message: 'The terminal is closing.' }),
}) as Envelope<never>;

const defaultDelay = (n: number) => (n <= 1 ? 0 : Math.min(30_000, 500 * 2 ** (n - 2)));

interface Life {
  child: ServiceChild;
  up: boolean;
  upSince: number;
  exited: Promise<ServiceExit>;
}

interface Download {
  head: ((d: ServiceDownload | null) => void) | null;
  out: Writable | null;
  finish: { ok(): void; fail(e: Error): void } | null;
}

export async function startTerminalService(o: SupervisorOptions): Promise<TerminalServiceClient> {
  const restartDelay = o.restartDelayMs ?? defaultDelay;
  const stableAfterMs = o.stableAfterMs ?? 60_000;
  const closeTimeoutMs = o.closeTimeoutMs ?? 10_000;
  const listeners = new Set<(e: TerminalEvent) => void>();
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  const queued: { send(): void; resolve(e: Envelope<unknown>): void }[] = [];
  const downloads = new Map<number, Download>();
  let nextId = 1;
  let life: Life | null = null;
  let state: ServiceState | 'closing' = 'restarting';
  let info: ServiceInfo;
  let waiting = 0;
  let crashRun = 0;
  let restarts = 0;

  const emit = (e: TerminalEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        log.error('an event listener failed', err);
      }
    }
  };

  function launch(): Promise<ServiceInfo> {
    return new Promise((resolve, reject) => {
      const child = o.spawn();
      const current: Life = { child, up: false, upSince: 0, exited: new Promise((r) => child.onExit(r)) };
      life = current;
      child.link.onMessage((raw) => {
        // A dead (or given-up) life's last words are never taken for the current one's.
        if (life !== current) return;
        const m = raw as FromService;
        switch (messageType(raw)) {
          case 'ready': {
            const r = m as Extract<FromService, { t: 'ready' }>;
            current.up = true;
            current.upSince = Date.now();
            resolve(r.info);
            return;
          }
          case 'failed': {
            const f = m as Extract<FromService, { t: 'failed' }>;
            life = null;
            child.link.send({ t: 'close' });
            const killer = setTimeout(() => child.kill(), closeTimeoutMs);
            killer.unref?.();
            void current.exited.then(() => clearTimeout(killer));
            reject(new ServiceStartError(f.error.name, f.error.message));
            return;
          }
          case 'answer': {
            const a = m as Extract<FromService, { t: 'answer' }>;
            const answer = pending.get(a.id);
            if (!answer) return;
            pending.delete(a.id);
            answer(a.envelope);
            return;
          }
          case 'event': {
            const e = (m as Extract<FromService, { t: 'event' }>).event;
            if (e.type === 'status') waiting = e.status.queue.waiting;
            emit(e);
            return;
          }
          case 'log':
            o.onLog?.((m as Extract<FromService, { t: 'log' }>).line);
            return;
          case 'export-head':
          case 'export-chunk':
          case 'export-end':
            onDownload(m);
            return;
          default:
            return;
        }
      });
      void current.exited.then((exit) => {
        if (life !== current) return;
        life = null;
        if (!current.up) reject(new ServiceStartError('ServiceExited', `The terminal service stopped while starting (${describeExit(exit)}).`));
        else lost(current, exit);
      });
      child.link.send({ t: 'start', options: o.options });
    });
  }

  function lost(dead: Life, exit: ServiceExit): void {
    if (state === 'closing' || state === 'closed') return failInFlight(CLOSED_ENVELOPE, 'the terminal closed during the download');
    failInFlight(RESTARTED_ENVELOPE, 'the terminal service stopped during the download');
    log.error(`the terminal service stopped unexpectedly (${describeExit(exit)}); restarting it on the same data directory`, {
      calls: pending.size,
      servicePid: dead.child.pid,
    });
    crashRun = Date.now() - dead.upSince >= stableAfterMs ? 1 : crashRun + 1;
    state = 'restarting';
    emit({ type: 'service', state: 'restarting' });
    void restart();
  }

  async function restart(): Promise<void> {
    for (let attempt = crashRun; ; attempt++) {
      const ms = restartDelay(attempt);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      if (state !== 'restarting') return;
      try {
        info = await launch();
      } catch (e) {
        log.error('the terminal service could not restart', e);
        continue;
      }
      if (state !== 'restarting') return; // closed meanwhile: close() stops this life
      restarts++;
      waiting = info.waiting;
      state = 'running';
      log.warn('the terminal service is running again', { servicePid: info.pid, restarts });
      emit({ type: 'service', state: 'running' });
      for (const q of queued.splice(0)) q.send();
      return;
    }
  }

  /** Everything that was waiting for the dead service gets its one answer now. */
  function failInFlight(envelope: Envelope<never>, downloadError: string): void {
    const answers = [...pending.values()];
    pending.clear();
    for (const answer of answers) answer(envelope);
    for (const [id, d] of downloads) {
      downloads.delete(id);
      d.head?.(null);
      d.finish?.fail(new Error(downloadError));
      d.out?.destroy(new Error(downloadError));
    }
  }

  function onDownload(m: FromService): void {
    const id = (m as { id: number }).id;
    const d = downloads.get(id);
    if (!d) return;
    const more = () => life?.child.link.send({ t: 'export-more', id });
    if (m.t === 'export-head') {
      const head = m.head;
      const give = d.head;
      d.head = null;
      if (!head) {
        downloads.delete(id);
        give?.(null);
        return;
      }
      give?.({
        ...head,
        write: (out) =>
          new Promise<void>((ok, fail) => {
            d.out = out;
            d.finish = { ok, fail };
            more();
          }),
      });
    } else if (m.t === 'export-chunk') {
      const out = d.out;
      if (!out) return;
      if (out.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength))) more();
      else out.once('drain', more);
    } else if (m.t === 'export-end') {
      downloads.delete(id);
      if (m.error) d.finish?.fail(new Error(m.error));
      else d.finish?.ok();
    }
  }

  const sendCall = (method: unknown, input: unknown, resolve: (e: Envelope<unknown>) => void) => () => {
    const current = life;
    if (!current?.up) return resolve(RESTARTED_ENVELOPE);
    const id = nextId++;
    pending.set(id, resolve);
    current.child.link.send({ t: 'call', id, method, input });
  };

  info = await launch();
  waiting = info.waiting;
  state = 'running';

  return {
    call(method, input) {
      return new Promise((resolve) => {
        const send = sendCall(method, input, resolve);
        if (state === 'running') send();
        else if (state === 'restarting') queued.push({ send, resolve });
        else resolve(CLOSED_ENVELOPE);
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitingCount: () => waiting,
    openExport(ticket) {
      const current = life;
      if (state !== 'running' || !current?.up) return Promise.resolve(null);
      const id = nextId++;
      return new Promise((resolve) => {
        downloads.set(id, { head: resolve, out: null, finish: null });
        current.child.link.send({ t: 'export', id, ticket });
      });
    },
    async close() {
      if (state === 'closing' || state === 'closed') return;
      state = 'closing';
      for (const q of queued.splice(0)) q.resolve(CLOSED_ENVELOPE);
      const current = life;
      if (current) {
        current.child.link.send({ t: 'close' });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const outcome = await Promise.race([
          current.exited.then(() => 'exited' as const),
          new Promise<'timeout'>((r) => {
            timer = setTimeout(() => r('timeout'), closeTimeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          log.error(`the terminal service did not close within ${closeTimeoutMs} ms; stopping it`);
          current.child.kill();
          await current.exited;
        }
      }
      life = null;
      failInFlight(CLOSED_ENVELOPE, 'the terminal closed during the download');
      state = 'closed';
    },
    get info() {
      return info;
    },
    get state() {
      return state === 'closing' ? 'closed' : state;
    },
    get restarts() {
      return restarts;
    },
    pid: () => (life?.up ? life.child.pid : undefined),
  };
}

function describeExit(exit: ServiceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}
