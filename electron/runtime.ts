/**
 * The composition root: opens the mode's store, builds the loyalty adapter
 * (training: the embedded emulators; live: the store's program from its
 * stored connection), and wires the terminal service. The Electron shell,
 * the web host CLI, the crash harness and the benchmarks all start the
 * terminal through here, so they run the same code.
 *
 * Training and live each have their own database file (electron/mode.ts).
 * Switching mode builds the other mode's whole session (store, service,
 * desk, offers) and then retires the old one; the people and the terminal's
 * own settings are carried over, the sales, log, queue and end of day are
 * not. The emulators are imported only in training (a dynamic import):
 * live mode never loads sandbox code nor opens an emulator port.
 */
import type { RateLimit } from './adapters/request-pacer.js';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { ConnectionTestResult } from '../shared/connection-test.js';
import { PUBLIC_METHODS, type Envelope, type TerminalEvent } from '../shared/contract.js';
import type { TerminalStatus } from '../shared/domain.js';
import { PosError } from '../shared/errors.js';
import type { PointsRate } from '../shared/money.js';
import { DEFAULT_PROGRAM, isProgramId, type ProgramId } from '../shared/programs/index.js';
import { cardLinkedFromConnection, isCardLinkedAdapter } from './adapters/card-linked.js';
import { isUitpasAdapter } from './adapters/uitpas.js';
import type { UitpasRewardDesk } from './adapters/uitpas-reward-desk.js';
import { RewardDeskService } from './service/reward-desk.js';
import { testConnection } from './adapters/connection-test.js';
import { closeIdleHttpSockets, type RequestTimer } from './adapters/http.js';
import type { NetworkOptions } from './adapters/connection.js';
import { createAdapter, DEFAULT_REQUEST_TIMEOUT_MS, IN_DOUBT_MARGIN_MS, type AdapterOptions } from './adapters/registry.js';
import type { LoyaltyAdapter } from './adapters/types.js';
import { databaseFile, readMode, writeMode, type TerminalMode } from './mode.js';
import { applyTerminalConfig, type TerminalConfig } from './provisioning.js';
import { goLiveHandlers } from './service/go-live.js';
import { loadLiveConnection } from './service/live-connection.js';
import { ManagerDesk } from './service/manager-desk.js';
import { OFFLINE_POLICY_SETTING } from './service/offline-policy.js';
import { OffersService, type CardLinkedPlatform } from './service/offers/offers-service.js';
import type { ReceiverConfig } from './service/offers/receiver.js';
import { People } from './service/people.js';
import { FileKeySecretBox, SECRET_KEY_FILE, type SecretBox } from './service/secret-box.js';
import { TerminalService } from './service/checkout/terminal-service.js';
import { ShippingService } from './chain/shipping-service.js';
import type { ShippingConfig } from './chain/shipper.js';
import { acquireDataDirLock, type DataDirLock } from './store/data-dir-lock.js';
import { FILE_MODE, secureDataDir, type ModeRepair } from './store/file-modes.js';
import { checkAndFollowHead } from './store/log-head-check.js';
import { LogRetention } from './service/log-retention.js';
import { compactAtStart } from './store/db-compact.js';
import { headSealFile, LogHeadSeal } from './store/log-head-seal.js';
import { Store } from './store/store.js';
import { createDispatcher, type Dispatch } from './transport/dispatch.js';
import { Diagnostics } from './service/diagnostics.js';
import { ReceiptService } from './receipts/receipt-service.js';
import type { PrintTimeouts } from './receipts/printer.js';
import {
  CRASH_DIR,
  readUpdateState,
  writeCloseReport,
  writeMaintenanceSettings,
  type CloseReport,
  type MaintenanceSettings,
  type PreviousCrash,
} from './maintenance-files.js';
import { CRASH_REPORT_URL_KEY, UPDATE_URL_KEY, UPDATES_POSTPONED_KEY } from './service/settings-store.js';
import { DEFAULT_LOG_LEVEL, installedLogDir, isLogLevel, LOG_LEVEL_SETTING, logger, setLogLevel, type LogLevel } from './log/logger.js';

const log = logger('runtime');

export type { TerminalMode } from './mode.js';

export interface RuntimeOptions {
  dataDir: string;
  /**
   * Training only: root URL of a loyalty emulator started separately
   * (`npm run sandbox`). Absent: an embedded one.
   */
  backendUrl?: string;
  /** Training only: which program to emulate; default: the one in settings, else the first program. */
  backend?: string;
  /** How the adapters reach the network: the Electron shell gives Chromium's net.fetch; absent: node:http(s) with HTTPS_PROXY. */
  network?: NetworkOptions;
  /** Faster timings for tests (probe interval, post wait). */
  tuning?: {
    probeIntervalMs?: number;
    postWaitMs?: number;
    outboxConcurrency?: number;
    requestTimeoutMs?: number;
    /** The program's margin past the request timeout during which a lost write may still apply (registry.ts IN_DOUBT_MARGIN_MS). */
    inDoubtMarginMs?: number;
    /** Shorter printer time limits (tests of a printer that does not answer). */
    printTimeouts?: PrintTimeouts;
    /** Slips' dates in this zone (tests); the machine's zone otherwise. */
    receiptTimeZone?: string;
    /** Cheaper PIN hashing for tests only; never set in the app. */
    scrypt?: { N: number; r: number; p: number };
    /** The first pause before a raced redemption goes again (checkout/race.ts), and its random source. */
    raceResendWindowMs?: number;
    random?: () => number;
    /**
     * The terminal's clock, tests only (a till whose clock runs minutes off):
     * sales, deadlines, the log and the adapters' lookup windows all read it.
     */
    clock?: () => number;
    /** Starts each request's own timeout, tests only (test/held-timeouts.ts: a timeout fires when the test says so). */
    requestTimer?: RequestTimer;
    /** The request rate the adapter keeps (benchmarks against an emulator with another limit); null: none. */
    rateLimit?: RateLimit | null;
  };
  /**
   * Seals the backend's credentials. The Electron shell passes
   * safeStorageBox(electron.safeStorage); absent: a key file in the data
   * directory, which is NOT OS-protected (see service/secret-box.ts).
   */
  secretBox?: SecretBox;
  /**
   * Card-linked offers: where the alert receiver listens when a manager
   * switches it on (off by default), and how often the catch-up runs (see
   * electron/service/offers/README.md).
   */
  offers?: { receiver?: Partial<ReceiverConfig>; catchUpIntervalMs?: number };
  /** A provisioning file, already read and validated (electron/provisioning.ts): applied before the mode is read. */
  config?: { file: string; config: TerminalConfig };
  /**
   * Ships the log and each day's end of day to the chain's PostgreSQL (off by
   * default; electron/chain/). From the provisioning file or `--ship-log`;
   * wins over an address a manager set in Settings.
   */
  shipping?: ShippingConfig | null;
  /** Tuning for a shipping address set in Settings (tests). */
  shippingTuning?: ShippingConfig['tuning'];
  /** A fixed log level (PWP_LOG_LEVEL); absent: the settings' log_level, else info. */
  logLevel?: LogLevel;
  /** What the previous run left behind (the Electron shell's crash reports): written into the terminal's log at start. */
  previousCrash?: PreviousCrash;
}

export interface Runtime {
  readonly mode: TerminalMode;
  readonly service: TerminalService;
  readonly people: People;
  /** Opens a CSV export or a support bundle by its one-time ticket: the web host's and Electron's download links. */
  openExport(ticket: string): { filename: string; contentType: string; write(out: Writable): Promise<unknown> } | null;
  /** The manager's desk; `desk.openExport(ticket)` streams a CSV export (web host download, Electron save dialog). */
  readonly desk: ManagerDesk;
  /** Card-linked offers: enrolment and the notice receiver. */
  readonly offers: OffersService;
  /** Shipping the log to the chain's PostgreSQL (state for the desk). */
  readonly shipping: ShippingService;
  /** Renderer error reports and the support bundle. */
  readonly diagnostics: Diagnostics;
  /** The member's slips: print, reprint, PDF. */
  readonly receipts: ReceiptService;
  /** Log retention on the manager's setting (archives old entries; off unless set). */
  readonly retention: LogRetention;
  readonly store: Store;
  /** The secret box credentials are sealed with (the go-live screen and the config file use it). */
  readonly secretBox: SecretBox;
  /** Validates and runs one contract call; never throws. */
  call(method: unknown, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: TerminalEvent) => void): () => void;
  /** Redemptions and refunds still queued to send. */
  waitingCount(): number;
  /** URL of the embedded sandbox in training mode. */
  readonly sandboxUrl?: string;
  /** Live: the connection test run at start (or by the last probe while offline). */
  readonly connectionTest: ConnectionTestResult | null;
  /**
   * Switches between training and live. Refused (QUEUE_NOT_EMPTY) while the
   * queue holds rows; live needs a stored connection. `by` is who asked (logged in both modes' logs).
   */
  switchMode(to: TerminalMode, by: string, reload?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The training database's file name (an existing install's data stays training data). */
export const DATABASE_FILE = 'terminal.db';

/** Settings that belong to the terminal rather than to a mode: carried across a switch. */
const TERMINAL_SETTINGS = [
  'terminal_id',
  'terminal_name',
  'store_id',
  'store_name',
  'language',
  'currency',
  'scanner',
  OFFLINE_POLICY_SETTING,
  'redemption_rate',
  LOG_LEVEL_SETTING,
  UPDATE_URL_KEY,
  CRASH_REPORT_URL_KEY,
  UPDATES_POSTPONED_KEY,
];

interface Session {
  mode: TerminalMode;
  store: Store;
  people: People;
  service: TerminalService;
  desk: ManagerDesk;
  offers: OffersService;
  shipping: ShippingService;
  diagnostics: Diagnostics;
  receipts: ReceiptService;
  retention: LogRetention;
  dispatch: Dispatch;
  sandbox: { url: string; close(): Promise<void> } | null;
  program: ProgramId;
  connection: { test: ConnectionTestResult | null };
  unsubscribe: () => void;
}

/** The one-time rewrite of a file log retention emptied (store/db-compact.ts): said in the terminal log; a failure costs only the disk space. */
function compactOnce(store: Store): void {
  try {
    const c = compactAtStart(store.db);
    if (c)
      log.info('database compacted after log retention', {
        mbBefore: Math.round(c.bytesBefore / 2 ** 20),
        mbAfter: Math.round(c.bytesAfter / 2 ** 20),
        ms: Math.round(c.ms),
      });
  } catch (e) {
    log.warn(`the database could not be compacted (it keeps its free space for new entries): ${(e as Error).message}`);
  }
}

/** Files or the folder were readable by others: repaired now, said in the terminal log (stderr before it is installed) and the sales log. */
function logModeRepairs(store: Store, repairs: ModeRepair[]): void {
  const files = repairs.map((r) => ({ file: basename(r.path), from: r.from, to: r.to }));
  log.warn(`data directory permissions were too open and were repaired: ${files.map((f) => `${f.file} ${f.from} -> ${f.to}`).join(', ')}`);
  store.transaction(() =>
    store.journal.append({
      at: new Date().toISOString(),
      terminalId: store.getSetting('terminal_id') ?? 'terminal',
      actor: 'terminal',
      kind: 'security.file-modes-repaired',
      outcome: 'ok',
      detail: { files },
    }),
  );
}

export async function startRuntime(opts: RuntimeOptions): Promise<Runtime> {
  // Private before anything is opened: the directory 0700, its files 0600 (file-modes.ts).
  const repairs = secureDataDir(opts.dataDir);
  // One process per data directory, for this process's life (store/data-dir-lock.ts).
  const lock = acquireDataDirLock(opts.dataDir);
  if (lock.tookOverFrom)
    log.warn(`took over the data directory from pid ${lock.tookOverFrom.pid} (started ${lock.tookOverFrom.startedAt}), which is no longer running`);
  try {
    return await startLocked(opts, repairs, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function startLocked(opts: RuntimeOptions, repairs: ModeRepair[], lock: DataDirLock): Promise<Runtime> {
  const box = opts.secretBox ?? new FileKeySecretBox(join(opts.dataDir, SECRET_KEY_FILE));
  const listeners = new Set<(e: TerminalEvent) => void>();
  const emit = (e: TerminalEvent) => {
    for (const l of listeners) l(e);
  };
  const clock = opts.tuning?.clock ?? Date.now;
  const adapterOpts: AdapterOptions = {
    ...(opts.tuning?.requestTimeoutMs ? { timeoutMs: opts.tuning.requestTimeoutMs } : {}),
    ...(opts.tuning?.clock ? { now: clock } : {}),
    ...(opts.tuning?.requestTimer ? { requestTimer: opts.tuning.requestTimer } : {}),
    ...(opts.tuning?.rateLimit !== undefined ? { rateLimit: opts.tuning.rateLimit } : {}),
    ...(opts.network ? { network: opts.network } : {}),
  };

  let session: Session;
  let switching: Promise<void> | null = null;

  const decorate = (s: Session, status: TerminalStatus): TerminalStatus => {
    const test = s.connection.test;
    return {
      ...status,
      mode: s.mode,
      environment: s.mode === 'live' ? (test?.environment ?? null) : null,
      connectionProblem: s.mode === 'live' && test && !test.ok && test.failed ? { step: test.failed.step, message: test.failed.message, at: test.at } : null,
    };
  };

  async function openSession(mode: TerminalMode, carry: { store: Store; personId: string | null } | null): Promise<Session> {
    const dbFile = databaseFile(opts.dataDir, mode);
    // SQLite gives its -wal and -shm files the database file's mode: create that file 0600.
    if (!existsSync(dbFile)) closeSync(openSync(dbFile, 'wx', FILE_MODE));
    const store = Store.open(dbFile);
    let sandbox: Session['sandbox'] = null;
    try {
      // Before anything is appended: an append would reuse a deleted seq and hide the deletion (store/log-head-check.ts).
      checkAndFollowHead(store, new LogHeadSeal(headSealFile(dbFile), box));
      // Before serving: an older file that log retention emptied for the most part is rewritten once (store/db-compact.ts).
      compactOnce(store);
      // The WAL and SHM exist now: one more pass (silent unless something was wrong).
      repairs.push(...secureDataDir(opts.dataDir));
      if (repairs.length > 0) logModeRepairs(store, repairs.splice(0));
      if (carry) carryOver(carry.store, store);
      const terminalId = store.getOrCreateSetting('terminal_id', () => `T-${randomBytes(3).toString('hex').toUpperCase()}`);
      const storedLevel = store.getSetting(LOG_LEVEL_SETTING);
      setLogLevel(opts.logLevel ?? (isLogLevel(storedLevel) ? storedLevel : DEFAULT_LOG_LEVEL));
      const storedRate = store.getSetting('redemption_rate');
      const withRate: AdapterOptions = { ...adapterOpts, ...(storedRate ? { rate: JSON.parse(storedRate) as PointsRate } : {}) };
      const connection: Session['connection'] = { test: null };
      let adapter: LoyaltyAdapter;
      let cardLinked: CardLinkedPlatform | null;
      let rewardDesk: UitpasRewardDesk | null;
      let program: ProgramId;
      if (mode === 'training') {
        // The emulators are loaded here and only here.
        const training = await import('../sandbox/training.js');
        if (opts.backend) store.setSetting('backend', opts.backend);
        const chosen = store.getSetting('backend') ?? DEFAULT_PROGRAM;
        if (!isProgramId(chosen)) throw new PosError('NOT_SUPPORTED', `Unknown loyalty program "${chosen}".`);
        program = chosen;
        sandbox = opts.backendUrl ? null : await training.startSandbox({ port: 0 });
        const url = opts.backendUrl ?? sandbox!.url;
        adapter = createAdapter(program, training.TRAINING_CONNECTIONS[program](url), withRate);
        // Training shows card-linked enrolment and notices whatever program the counter uses.
        const pentadata = isCardLinkedAdapter(adapter) ? adapter : cardLinkedFromConnection(training.TRAINING_CONNECTIONS.cardlinked(url), adapterOpts);
        cardLinked = { client: pentadata.cardLinked, alerts: pentadata.alerts };
        rewardDesk = isUitpasAdapter(adapter) ? adapter.rewardDesk : null;
      } else {
        const live = loadLiveConnection(store, box);
        if (!live)
          throw new PosError('NOT_SUPPORTED', 'Live mode has no connection stored: a manager must go live from the desk, or start with --config FILE.');
        program = live.program;
        store.setSetting('backend', program);
        const retest = async () => {
          connection.test = await testConnection(program, live.values, adapterOpts);
          logConnectionTest(store, terminalId, connection.test);
          return connection.test;
        };
        await retest();
        const real = createAdapter(program, live.values, withRate);
        adapter = gateAdapter(real, connection, retest);
        cardLinked = isCardLinkedAdapter(real) ? { client: real.cardLinked, alerts: real.alerts } : null;
        rewardDesk = isUitpasAdapter(real) ? real.rewardDesk : null;
      }
      const people = new People(store, clock, { terminalId, ...(opts.tuning?.scrypt ? { scrypt: opts.tuning.scrypt } : {}) });
      if (carry) people.resume(carry.personId);
      const service = new TerminalService(
        store,
        adapter,
        {
          terminalId,
          storeId: store.getSetting('store_id') ?? 'STORE-1',
          storeName: store.getSetting('store_name') ?? (mode === 'training' ? 'Training store' : 'Store'),
          currency: store.getSetting('currency') ?? 'EUR',
          training: mode === 'training',
          probeIntervalMs: opts.tuning?.probeIntervalMs,
          postWaitMs: opts.tuning?.postWaitMs,
          outboxConcurrency: opts.tuning?.outboxConcurrency,
          // Nothing sent is decided or resent before sent-at + request timeout + the program's margin.
          inDoubtWindowMs: (opts.tuning?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS) + (opts.tuning?.inDoubtMarginMs ?? IN_DOUBT_MARGIN_MS[program]),
          raceResendWindowMs: opts.tuning?.raceResendWindowMs,
        },
        {
          random: opts.tuning?.random,
          clock,
          approvals: { verifyManager: (a) => people.verifyManager(a) },
          actor: () => people.actorId(),
          viewer: () => people.current(),
        },
      );
      const desk = new ManagerDesk(store, {
        people,
        secretBox: box,
        kick: () => service.worker.kick(),
        terminalId,
        training: mode === 'training',
        logLevel: { fixed: opts.logLevel ?? null, apply: (level, by) => setLogLevel(level, { by }) },
        maintenance: { changed: (m) => handMaintenanceToShell(opts.dataDir, m), updateState: () => readUpdateState(opts.dataDir) },
      });
      handMaintenanceToShell(opts.dataDir, desk.settings.maintenance());
      if (!carry && opts.previousCrash) logPreviousCrash(store, terminalId, opts.previousCrash);
      const offers = new OffersService(store, cardLinked, {
        terminalId,
        currency: store.getSetting('currency') ?? 'EUR',
        receiver: opts.offers?.receiver,
        catchUpIntervalMs: opts.offers?.catchUpIntervalMs,
        authorizeManager: (action, approval) => people.authorizeManager(action, approval),
        actor: () => people.actorId(),
      });
      const rewards = new RewardDeskService(store, rewardDesk, {
        terminalId,
        authorizeManager: (action, approval) => people.authorizeManager(action, approval),
        clock,
      });
      const shop = {
        terminalId,
        storeId: store.getSetting('store_id') ?? 'STORE-1',
        storeName: store.getSetting('store_name') ?? (mode === 'training' ? 'Training store' : 'Store'),
        currency: store.getSetting('currency') ?? 'EUR',
      };
      const shipping = new ShippingService(store, {
        people,
        secretBox: box,
        shop,
        startup: opts.shipping ?? (opts.config?.config.shipping ? { postgresUrl: opts.config.config.shipping.postgresUrl } : null),
        tuning: opts.shippingTuning,
      });
      const diagnostics = new Diagnostics({ store, desk, people, terminalId, logDir: installedLogDir, crashDir: join(opts.dataDir, CRASH_DIR) });
      const receipts = new ReceiptService(store, {
        sale: (saleId) => service.getSale({ saleId }),
        status: () => service.getStatus(),
        actor: () => people.actorId(),
        terminalId,
        ...(opts.tuning?.printTimeouts ? { printTimeouts: opts.tuning.printTimeouts } : {}),
        ...(opts.tuning?.receiptTimeZone ? { timeZone: opts.tuning.receiptTimeZone } : {}),
      });
      // Entries older than the manager's retention move to archive files (off unless set).
      const retention = new LogRetention(store, { dataDir: opts.dataDir, terminalId });
      const s: Session = {
        mode,
        store,
        people,
        service,
        desk,
        offers,
        shipping,
        diagnostics,
        receipts,
        retention,
        dispatch: null as unknown as Dispatch,
        sandbox,
        program,
        connection,
        unsubscribe: () => undefined,
      };
      const goLive = goLiveHandlers({
        dataDir: opts.dataDir,
        box,
        adapterOpts,
        terminalId,
        store,
        people,
        current: () => ({ mode: rt.mode, store: rt.store, lastTest: rt.connectionTest }),
        switchMode,
      });
      const dispatch = createDispatcher(
        {
          ...service.handlers(),
          ...desk.handlers(),
          ...offers.handlers(),
          ...rewards.handlers(),
          ...shipping.handlers(),
          ...diagnostics.handlers(),
          ...receipts.handlers(),
          ...goLive,
          getStatus: async () => decorate(s, await service.getStatus()),
        },
        // Everything but the sign-in screen needs a signed-in person, whichever transport asks.
        { gate: (method) => void (PUBLIC_METHODS.has(method) || people.requireSignedIn()) },
      );
      // Whatever a call changed in the status reaches every screen as a push (no screen polls it).
      s.dispatch = async (method, input) => {
        const out = await dispatch(method, input);
        try {
          if (method !== 'getStatus') service.pushStatusIfChanged();
        } catch (e) {
          // The call is done whatever happens to the push: the next one (or a reconnect) brings the status.
          log.warn('could not push the status after a call', e);
        }
        return out;
      };
      s.unsubscribe = service.subscribe((e) => emit(e.type === 'status' ? { type: 'status', status: decorate(s, e.status) } : e));
      service.start();
      await offers.start();
      shipping.start();
      retention.start();
      log.info('terminal started', { terminalId, mode, program });
      return s;
    } catch (e) {
      store.close();
      await sandbox?.close();
      throw e;
    }
  }

  async function closeSession(s: Session): Promise<void> {
    s.unsubscribe();
    await s.retention.stop();
    await s.shipping.stop();
    await s.offers.stop();
    await s.service.stop();
    s.store.close();
    await s.sandbox?.close();
  }

  async function switchMode(to: TerminalMode, by: string, reload = false): Promise<void> {
    if (switching) await switching;
    const from = session;
    if (to === from.mode && !reload) return;
    const q = from.store.outbox.counts();
    if (q.waiting > 0 || q.attention > 0) {
      throw new PosError('QUEUE_NOT_EMPTY', undefined, { details: { waiting: q.waiting, attention: q.attention } });
    }
    const run = (async () => {
      const terminalId = from.store.getSetting('terminal_id') ?? '';
      const at = () => new Date().toISOString();
      from.store.transaction(() =>
        from.store.journal.append({ at: at(), terminalId, actor: by, kind: 'mode.switch', outcome: 'ok', detail: { from: from.mode, to } }),
      );
      // The other mode's session is complete before the old one stops: a failure leaves the terminal as it was.
      const next = await openSession(to, { store: from.store, personId: from.people.current()?.id ?? null });
      writeMode(opts.dataDir, to);
      next.store.transaction(() =>
        next.store.journal.append({
          at: at(),
          terminalId,
          actor: by,
          kind: 'mode.switch',
          outcome: 'ok',
          detail: { from: from.mode, to, program: next.program },
        }),
      );
      session = next;
      // The new mode is in place: a failure while retiring the old session (a call still
      // finishing on it) must not turn the switch into an error.
      await closeSession(from).catch((e: unknown) => log.error('closing the previous mode failed', e));
      emit({ type: 'status', status: decorate(next, await next.service.getStatus()) });
    })();
    switching = run.finally(() => {
      switching = null;
    });
    return switching;
  }

  const rt: Runtime = {
    get mode() {
      return session.mode;
    },
    get service() {
      return session.service;
    },
    get people() {
      return session.people;
    },
    get desk() {
      return session.desk;
    },
    get offers() {
      return session.offers;
    },
    get store() {
      return session.store;
    },
    get shipping() {
      return session.shipping;
    },
    get diagnostics() {
      return session.diagnostics;
    },
    get receipts() {
      return session.receipts;
    },
    get retention() {
      return session.retention;
    },
    get sandboxUrl() {
      return session.sandbox?.url;
    },
    get connectionTest() {
      return session.connection.test;
    },
    secretBox: box,
    openExport: (ticket) => session.desk.openExport(ticket) ?? session.diagnostics.openBundle(ticket) ?? session.receipts.openPdf(ticket),
    call: (method, input) => session.dispatch(method, input),
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    waitingCount: () => session.store.outbox.counts().waiting,
    switchMode,
    async close() {
      if (switching) await switching.catch(() => undefined);
      try {
        const report = session.store.db.open ? closeReport(session.store, clock()) : null;
        await closeSession(session);
        // Written only once the database is closed: the shell installs a downloaded update on it (shell/updates.ts).
        if (report) writeCloseReport(opts.dataDir, report);
      } finally {
        lock.release();
      }
      // The adapters' shared keep-alive pool (idle sockets only; they never hold the process open).
      closeIdleHttpSockets();
    },
  };

  if (opts.config) {
    try {
      applyTerminalConfig(opts.dataDir, opts.config.config, box, opts.config.file);
    } catch (e) {
      // Refused (nothing written): the data directory is free again for a start without the file.
      lock.release();
      throw e;
    }
  }
  session = await openSession(readMode(opts.dataDir), null);
  return rt;
}

/** The Electron shell reads these before the runtime starts and after it closed (maintenance-files.ts). */
function handMaintenanceToShell(dataDir: string, m: MaintenanceSettings): void {
  try {
    writeMaintenanceSettings(dataDir, m);
  } catch (e) {
    log.warn('could not hand the update and crash report settings to the shell', e);
  }
}

function logPreviousCrash(store: Store, terminalId: string, crash: PreviousCrash): void {
  // A terminal service restarted by the shell's supervisor gets the same options: the finding is logged once.
  const logged = store.db.prepare(`SELECT 1 FROM log WHERE kind = 'terminal.crashed' AND json_extract(detail, '$.foundAt') = ?`).get(crash.foundAt);
  if (logged) return;
  store.transaction(() =>
    store.journal.append({
      at: new Date().toISOString(),
      terminalId,
      actor: 'terminal',
      kind: 'terminal.crashed',
      outcome: 'not-clean',
      detail: { ...crash },
    }),
  );
}

/** A sale is open until paid, cancelled or voided; one untouched for a day was abandoned and holds nothing back. */
const OPEN_SALE_WINDOW_MS = 24 * 60 * 60 * 1000;
function closeReport(store: Store, now: number): CloseReport {
  const { n } = store.db
    .prepare(`SELECT COUNT(*) AS n FROM sales WHERE state NOT IN ('paid', 'cancelled', 'voided') AND updated_at >= ?`)
    .get(new Date(now - OPEN_SALE_WINDOW_MS).toISOString()) as { n: number };
  return { at: new Date(now).toISOString(), openSales: n, queued: store.outbox.counts().waiting };
}

/** Copies the people and the terminal's own settings into the other mode's database (replacing what it had). */
function carryOver(from: Store, to: Store): void {
  const people = from.db.prepare('SELECT * FROM people').all() as Record<string, unknown>[];
  to.transaction(() => {
    to.db.prepare('DELETE FROM people').run();
    for (const row of people) {
      const cols = Object.keys(row);
      to.db.prepare(`INSERT INTO people (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => row[c]));
    }
    for (const key of TERMINAL_SETTINGS) {
      const v = from.getSetting(key);
      if (v !== undefined) to.setSetting(key, v);
    }
  });
}

function logConnectionTest(store: Store, terminalId: string, t: ConnectionTestResult): void {
  store.transaction(() =>
    store.journal.append({
      at: t.at,
      terminalId,
      actor: 'system',
      kind: 'connection.test',
      outcome: t.ok ? 'ok' : 'failed',
      detail: { program: t.program, environment: t.environment, ...(t.failed ? { step: t.failed.step, reason: t.failed.message } : {}) },
    }),
  );
}

/**
 * Live: the adapter behind the start-up connection test. While the last test
 * failed, every call is refused as "never sent" with the test's reason (the
 * terminal is offline, and never falls back to training); the service's
 * probe re-runs the test, and the first passing one opens the gate.
 */
function gateAdapter(real: LoyaltyAdapter, connection: { test: ConnectionTestResult | null }, retest: () => Promise<ConnectionTestResult>): LoyaltyAdapter {
  const refused = () => {
    const f = connection.test?.failed;
    return new PosError('BACKEND_UNAVAILABLE', `The connection test failed: ${f?.message ?? 'not tested'}`, {
      details: { notApplied: true, step: f?.step ?? null },
    });
  };
  return new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'probe') {
        return async () => {
          if (!connection.test?.ok) {
            const t = await retest();
            if (!t.ok) throw refused();
          }
          return (value as () => Promise<void>).call(target);
        };
      }
      return (...args: unknown[]) => {
        if (!connection.test?.ok) return Promise.reject(refused());
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
