/**
 * The terminal service's side of the protocol (protocol.ts): starts the
 * runtime the host asks for, answers each call with the runtime's envelope,
 * pushes the runtime's events, streams exports, and closes on request.
 * Both entries use it: Electron's utilityProcess (shell/terminal-service-entry.ts,
 * over a MessagePort) and a Node child process (node-entry.ts, over the fork
 * IPC channel). They differ only in the link and the network.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { toErrorInfo } from '../../shared/errors.js';
import type { NetworkOptions } from '../adapters/connection.js';
import { forwardLog, logger } from '../log/logger.js';
import type { Runtime, RuntimeOptions } from '../runtime.js';
import { useSqliteBinding } from '../store/sqlite.js';
import { fileKeyBoxBecause, FileKeySecretBox, OsKeySecretBox, SECRET_KEY_FILE, type SecretBox } from '../service/secret-box.js';
import { messageType, type FromService, type MessageLink, type SecretSetup, type ServiceStartOptions, type ToService } from './protocol.js';

const log = logger('service');

export interface ServeDeps {
  startRuntime(opts: RuntimeOptions): Promise<Runtime>;
  /** Electron: Chromium's network stack (net.fetch in the utility process); absent: Node's. */
  network?: NetworkOptions;
  /** Ends this process (after 'closed' was sent, or when the host asks to stop a failed start). */
  exit(code: number): void;
}

export function serveTerminal(link: MessageLink, deps: ServeDeps): void {
  const send = (m: FromService) => link.send(m);
  let runtime: Runtime | null = null;
  let closing = false;
  const exports = new Map<number, { more(): void }>();

  link.onMessage((raw) => {
    const type = messageType(raw);
    const m = raw as ToService;
    if (type === 'start') void start((m as Extract<ToService, { t: 'start' }>).options);
    else if (type === 'call') void call(m as Extract<ToService, { t: 'call' }>);
    else if (type === 'export') openExport(m as Extract<ToService, { t: 'export' }>);
    else if (type === 'export-more') exports.get((m as Extract<ToService, { t: 'export-more' }>).id)?.more();
    else if (type === 'close') void close();
  });

  async function start(options: ServiceStartOptions): Promise<void> {
    if (runtime) return;
    if (options.logDir) forwardLog({ dir: options.logDir, ...(options.logLevel ? { level: options.logLevel } : {}), send: (line) => send({ t: 'log', line }) });
    try {
      const { logDir: _logDir, secret, sqliteBinding, ...rest } = options;
      if (sqliteBinding) useSqliteBinding(sqliteBinding);
      runtime = await deps.startRuntime({
        ...rest,
        secretBox: secretBoxFor(secret, options.dataDir),
        ...(deps.network ? { network: deps.network } : {}),
      });
      runtime.subscribe((event) => send({ t: 'event', event }));
      const shipping = runtime.shipping.current().state();
      send({
        t: 'ready',
        info: {
          pid: process.pid,
          mode: runtime.mode,
          sandboxUrl: runtime.sandboxUrl ?? null,
          connectionTest: runtime.connectionTest,
          shipping: { enabled: shipping.enabled, target: shipping.target ?? null },
          waiting: runtime.waitingCount(),
        },
      });
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      log.error('the terminal service could not start', err);
      send({ t: 'failed', error: { name: err.name, message: err.message } });
    }
  }

  async function call(m: { id: number; method: unknown; input: unknown }): Promise<void> {
    if (!runtime || closing) {
      send({ t: 'answer', id: m.id, envelope: { ok: false, error: { code: 'INTERNAL', message: 'The terminal service is not running.' } } });
      return;
    }
    let envelope;
    try {
      envelope = await runtime.call(m.method, m.input);
    } catch (e) {
      envelope = { ok: false as const, error: toErrorInfo(e) };
    }
    send({ t: 'answer', id: m.id, envelope });
  }

  function openExport(m: { id: number; ticket: string }): void {
    const download = runtime?.openExport(m.ticket) ?? null;
    if (!download) {
      send({ t: 'export-head', id: m.id, head: null });
      return;
    }
    // Each chunk waits for the host's 'export-more': the host writes it to the save dialog's file first.
    let waiting: (() => void) | null = null;
    let started = false;
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        waiting = done;
        send({ t: 'export-chunk', id: m.id, data: new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) });
      },
    });
    exports.set(m.id, {
      more() {
        if (!started) {
          started = true;
          download
            .write(out)
            .then(
              () => new Promise<void>((ok) => out.end(ok)),
              (e: unknown) => Promise.reject(e),
            )
            .then(
              () => send({ t: 'export-end', id: m.id }),
              (e: unknown) => send({ t: 'export-end', id: m.id, error: e instanceof Error ? e.message : String(e) }),
            )
            .finally(() => exports.delete(m.id));
          return;
        }
        const done = waiting;
        waiting = null;
        done?.();
      },
    });
    send({ t: 'export-head', id: m.id, head: { filename: download.filename, contentType: download.contentType } });
  }

  async function close(): Promise<void> {
    if (closing) return;
    closing = true;
    try {
      await runtime?.close();
    } catch (e) {
      log.error('closing the terminal service failed', e);
    }
    send({ t: 'closed' });
    deps.exit(0);
  }
}

function secretBoxFor(setup: SecretSetup | undefined, dataDir: string): SecretBox {
  const keyFile = join(dataDir, SECRET_KEY_FILE);
  if (setup?.kind === 'os-key') return new OsKeySecretBox(Buffer.from(setup.key), setup.description);
  if (setup?.kind === 'file-key' && setup.reason) return fileKeyBoxBecause(setup.reason, keyFile);
  return new FileKeySecretBox(keyFile);
}
