/**
 * The main thread's handle on shipping: starts the worker thread that ships
 * (ship-worker.ts), keeps the latest shipping state for the manager's desk,
 * and stops it. Off unless a postgres URL is configured. Nothing here runs
 * on the counter's path: the counter's commits do not know shipping exists.
 *
 * The worker is the bundled dist/electron/chain-ship-worker.cjs in the
 * Electron build; from the sources (web host, tests) it is the TypeScript
 * file loaded through tsx.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerFile } from '../worker-file.js';
import type { Store } from '../store/store.js';
import { migrateLocal } from './local-store.js';
import { checkPostgresUrl, ChainError, describeTarget } from './pg-errors.js';
import { SHIP_DEFAULTS, type ShipLoopOptions } from './ship-options.js';
import type { ShipWorkerData } from './ship-worker.js';
import { disabledState, type ShippingState } from './types.js';

export interface ShippingConfig {
  /** postgres://user:password@host:5432/database[?sslmode=verify-full&sslrootcert=/path/ca.pem] */
  postgresUrl: string;
  /** Tuning (tests, benchmarks); the defaults suit a store. */
  tuning?: Partial<Omit<ShipLoopOptions, 'postgresUrl' | 'terminalId' | 'storeId' | 'storeName' | 'currency'>>;
}

export interface ShopIdentity {
  terminalId: string;
  storeId: string;
  storeName: string;
  currency: string;
}

/** Test hold from the environment: PWP_CHAIN_HOLD=after-commit:3 (tests only). */
function holdFromEnv(): ShipLoopOptions['hold'] {
  const raw = process.env.PWP_CHAIN_HOLD;
  const m = raw ? /^(after-insert|after-commit):(\d+)$/.exec(raw) : null;
  return m ? { point: m[1] as 'after-insert' | 'after-commit', batch: Number(m[2]) } : null;
}

function startWorker(data: ShipWorkerData): Worker {
  return startWorkerFile('chain-ship-worker.cjs', new URL('./ship-worker.ts', import.meta.url), data);
}

export class LogShipper {
  private current: ShippingState;
  private readonly listeners = new Set<(s: ShippingState) => void>();
  private worker: Worker | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(initial: ShippingState) {
    this.current = initial;
  }

  /** Shipping switched off: the desk says so. */
  static disabled(): LogShipper {
    return new LogShipper(disabledState());
  }

  /**
   * Starts shipping the store's log. A malformed URL does not throw: the
   * state carries the message (the counter starts regardless).
   */
  static start(store: Store, config: ShippingConfig, shop: ShopIdentity): LogShipper {
    try {
      checkPostgresUrl(config.postgresUrl);
    } catch (e) {
      const err = e as ChainError;
      return new LogShipper({
        ...disabledState(),
        enabled: true,
        target: describeTarget(config.postgresUrl),
        lastError: { kind: err.kind, message: err.message, at: new Date().toISOString() },
      });
    }
    const file = store.db.name;
    if (!file || file === ':memory:') throw new Error('shipping needs the terminal database in a file');
    migrateLocal(store.db);
    const shipper = new LogShipper({ ...disabledState(), enabled: true, target: describeTarget(config.postgresUrl) });
    const options: ShipLoopOptions = {
      ...SHIP_DEFAULTS,
      ...config.tuning,
      postgresUrl: config.postgresUrl,
      ...shop,
      hold: config.tuning?.hold ?? holdFromEnv(),
    };
    const worker = startWorker({ file, options });
    shipper.worker = worker;
    shipper.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: { type: string; state?: ShippingState }) => {
      if (m.type === 'state' && m.state) shipper.set(m.state);
    });
    worker.on('error', (e) => {
      shipper.set({
        ...shipper.current,
        connected: false,
        lastError: { kind: 'other', message: `The shipper stopped: ${e.message}`, at: new Date().toISOString() },
      });
    });
    // The worker must never keep the app alive on its own.
    worker.unref();
    return shipper;
  }

  private set(s: ShippingState): void {
    this.current = s;
    for (const l of this.listeners) l(s);
  }

  state(): ShippingState {
    return this.current;
  }

  onState(listener: (s: ShippingState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first state that satisfies `pred` (tests, the CLI). */
  waitFor(pred: (s: ShippingState) => boolean, timeoutMs = 30_000): Promise<ShippingState> {
    if (pred(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`shipping state not reached in ${timeoutMs} ms; last: ${JSON.stringify(this.current)}`));
      }, timeoutMs);
      const off = this.onState((s) => {
        if (!pred(s)) return;
        clearTimeout(t);
        off();
        resolve(s);
      });
    });
  }

  kick(): void {
    this.worker?.postMessage({ type: 'kick' });
  }

  async stop(): Promise<void> {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    // Held while it winds down, so a closing host waits for the worker to close its connections.
    w.ref();
    w.postMessage({ type: 'stop' });
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref());
    if ((await Promise.race([this.exited.then(() => 'exited' as const), timeout])) === 'timeout') await w.terminate();
  }
}
