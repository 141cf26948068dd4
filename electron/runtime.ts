/**
 * The composition root: opens the store, picks the loyalty backend (the
 * embedded sandbox in training mode), and wires the terminal service. The
 * Electron shell, the web host CLI, the crash harness and the benchmarks all
 * start the terminal through here, so they run the same code.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { PUBLIC_METHODS, type Envelope, type TerminalEvent } from '../shared/contract.js';
import type { PointsRate } from '../shared/money.js';
import { PosError } from '../shared/errors.js';
import { DEFAULT_PROGRAM, isProgramId } from '../shared/programs/index.js';
import { cardLinkedFromConnection, isCardLinkedAdapter } from './adapters/card-linked.js';
import { closeIdleHttpSockets } from './adapters/http.js';
import { createAdapter } from './adapters/registry.js';
import { Diagnostics } from './service/diagnostics.js';
import { ManagerDesk } from './service/manager-desk.js';
import { OffersService } from './service/offers/offers-service.js';
import type { ReceiverConfig } from './service/offers/receiver.js';
import { People } from './service/people.js';
import { FileKeySecretBox, SECRET_KEY_FILE, type SecretBox } from './service/secret-box.js';
import { TerminalService } from './service/checkout/terminal-service.js';
import { FILE_MODE, secureDataDir, type ModeRepair } from './store/file-modes.js';
import { Store } from './store/store.js';
import { createDispatcher } from './transport/dispatch.js';
import { ShippingService } from './chain/shipping-service.js';
import type { ShippingConfig } from './chain/shipper.js';
import { DEFAULT_LOG_LEVEL, installedLogDir, isLogLevel, LOG_LEVEL_SETTING, logger, setLogLevel, type LogLevel } from './log/logger.js';

const log = logger('runtime');

export interface RuntimeOptions {
  dataDir: string;
  /**
   * Root URL of a loyalty backend emulator (a sandbox started with
   * `npm run sandbox`). Absent: training mode with an embedded sandbox.
   */
  backendUrl?: string;
  /** Which loyalty program to emulate (whitelabel, uitpas, capillary, gafapay, cardlinked); default: the one in settings, else White Label. */
  backend?: string;
  /** Faster timings for tests (probe interval, post wait). */
  tuning?: {
    probeIntervalMs?: number;
    postWaitMs?: number;
    outboxConcurrency?: number;
    requestTimeoutMs?: number;
    /** Cheaper PIN hashing for tests only; never set in the app. */
    scrypt?: { N: number; r: number; p: number };
  };
  /**
   * Seals the backend's credentials. The Electron shell passes
   * safeStorageBox(electron.safeStorage); absent: a key file in the data
   * directory, which is NOT OS-protected (see service/secret-box.ts).
   */
  secretBox?: SecretBox;
  /**
   * Card-linked offers: where the notice receiver listens when a manager
   * switches it on (off by default; see electron/service/offers/README.md).
   */
  offers?: { receiver?: Partial<ReceiverConfig> & { secrets?: readonly string[] } };
  /** A fixed log level (PWP_LOG_LEVEL); absent: the settings' log_level, else info. */
  logLevel?: LogLevel;
  /**
   * Ships the log and each day's end of day to the chain's PostgreSQL (off by
   * default; electron/chain/). From the provisioning file or `--ship-log`;
   * wins over an address a manager set in Settings.
   */
  shipping?: ShippingConfig | null;
  /** Tuning for a shipping address set in Settings (tests). */
  shippingTuning?: ShippingConfig['tuning'];
}

export interface Runtime {
  service: TerminalService;
  people: People;
  /** Opens a CSV export or a support bundle by its one-time ticket: the web host's and Electron's download links. */
  openExport(ticket: string): { filename: string; contentType: string; write(out: Writable): Promise<unknown> } | null;
  /** The manager's desk; `desk.openExport(ticket)` streams a CSV export (web host download, Electron save dialog). */
  desk: ManagerDesk;
  /** Card-linked offers: enrolment and the notice receiver. */
  offers: OffersService;
  /** Renderer error reports and the support bundle. */
  diagnostics: Diagnostics;
  /** Shipping the log to the chain's PostgreSQL (state for the desk). */
  shipping: ShippingService;
  store: Store;
  /** Validates and runs one contract call; never throws. */
  call(method: unknown, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: TerminalEvent) => void): () => void;
  /** Redemptions and refunds still queued to send. */
  waitingCount(): number;
  /** URL of the embedded sandbox in training mode. */
  sandboxUrl?: string;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'terminal.db';

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
  const dbFile = join(opts.dataDir, DATABASE_FILE);
  // SQLite gives its -wal and -shm files the database file's mode: create that file 0600.
  if (!existsSync(dbFile)) closeSync(openSync(dbFile, 'wx', FILE_MODE));
  const store = Store.open(dbFile);
  try {
    // The WAL and SHM exist now: one more pass (silent unless something was wrong).
    repairs.push(...secureDataDir(opts.dataDir));
    if (repairs.length > 0) logModeRepairs(store, repairs);
    // Training: the emulators are loaded here and only here (live mode never imports them).
    const training = await import('../sandbox/training.js');
    const sandbox = opts.backendUrl ? null : await training.startSandbox({ port: 0 });
    const backendUrl = opts.backendUrl ?? sandbox!.url;
    const terminalId = store.getOrCreateSetting('terminal_id', () => `T-${randomBytes(3).toString('hex').toUpperCase()}`);
    const storedLevel = store.getSetting(LOG_LEVEL_SETTING);
    setLogLevel(opts.logLevel ?? (isLogLevel(storedLevel) ? storedLevel : DEFAULT_LOG_LEVEL));
    if (opts.backend) store.setSetting('backend', opts.backend);
    const storedRate = store.getSetting('redemption_rate');
    const program = store.getSetting('backend') ?? DEFAULT_PROGRAM;
    if (!isProgramId(program)) throw new PosError('NOT_SUPPORTED', `Unknown loyalty program "${program}".`);
    const adapter = createAdapter(program, training.TRAINING_CONNECTIONS[program](backendUrl), {
      timeoutMs: opts.tuning?.requestTimeoutMs,
      ...(storedRate ? { rate: JSON.parse(storedRate) as PointsRate } : {}),
    });
    const people = new People(store, Date.now, { terminalId, ...(opts.tuning?.scrypt ? { scrypt: opts.tuning.scrypt } : {}) });
    const service = new TerminalService(store, adapter, {
      terminalId,
      storeId: store.getSetting('store_id') ?? 'STORE-1',
      storeName: store.getSetting('store_name') ?? 'Training store',
      currency: store.getSetting('currency') ?? 'EUR',
      // Every backend URL this build can talk to is an emulator; live
      // credentials arrive with the settings screen.
      training: true,
      probeIntervalMs: opts.tuning?.probeIntervalMs,
      postWaitMs: opts.tuning?.postWaitMs,
      outboxConcurrency: opts.tuning?.outboxConcurrency,
    }, {
      approvals: { verifyManager: (a) => people.verifyManager(a) },
      actor: () => people.actorId(),
    });
    const secretBox = opts.secretBox ?? new FileKeySecretBox(join(opts.dataDir, SECRET_KEY_FILE));
    const desk = new ManagerDesk(store, {
      people,
      secretBox,
      kick: () => service.worker.kick(),
      terminalId,
      training: true, // as the terminal service: every backend URL of this build is an emulator
    });
    // Card-linked offers: the store's adapter when its backend is card-linked; otherwise the
    // emulator's card-linked platform (every backend URL of this build is an emulator), so
    // training shows enrolment and notices whatever backend the counter uses.
    const cardLinked = isCardLinkedAdapter(adapter)
      ? adapter
      : cardLinkedFromConnection(training.TRAINING_CONNECTIONS.cardlinked(backendUrl), { timeoutMs: opts.tuning?.requestTimeoutMs });
    const offers = new OffersService(store, cardLinked.cardLinked, {
      terminalId,
      currency: store.getSetting('currency') ?? 'EUR',
      receiver: opts.offers?.receiver,
      // Training: the receiver registers its own URL with the emulator and takes the secrets it issues.
      registerWebhooks: true,
      authorizeManager: (action, approval) => people.authorizeManager(action, approval),
      actor: () => people.actorId(),
    });
    const shipping = new ShippingService(store, {
      people,
      secretBox,
      shop: {
        terminalId,
        storeId: store.getSetting('store_id') ?? 'STORE-1',
        storeName: store.getSetting('store_name') ?? 'Training store',
        currency: store.getSetting('currency') ?? 'EUR',
      },
      startup: opts.shipping ?? null,
      tuning: opts.shippingTuning,
    });
    const diagnostics = new Diagnostics({ store, desk, people, terminalId, logDir: installedLogDir });
    service.start();
    await offers.start();
    shipping.start();
    log.info('terminal started', { terminalId, backend: store.getSetting('backend') ?? 'whitelabel', training: !opts.backendUrl });
    const dispatch = createDispatcher(
      { ...service.handlers(), ...desk.handlers(), ...offers.handlers(), ...shipping.handlers(), ...diagnostics.handlers() },
      // Everything but the sign-in screen needs a signed-in person, whichever transport asks.
      { gate: (method) => void (PUBLIC_METHODS.has(method) || people.requireSignedIn()) },
    );
    return {
      service,
      people,
      openExport: (ticket) => desk.openExport(ticket) ?? diagnostics.openBundle(ticket),
      desk,
      offers,
      diagnostics,
      shipping,
      store,
      call: dispatch,
      subscribe: (l) => service.subscribe(l),
      waitingCount: () => store.outbox.counts().waiting,
      sandboxUrl: sandbox?.url,
      async close() {
        await shipping.stop();
        await offers.stop();
        await service.stop();
        store.close();
        await sandbox?.close();
        // The adapters' shared keep-alive pool (idle sockets only; they never hold the process open).
        closeIdleHttpSockets();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}
