/**
 * The outbox worker: sends what the outbox holds, exactly once in effect.
 *
 * - One drain at a time; within it, up to `concurrency` members in parallel,
 *   each member's rows strictly in order (only the head of a member's queue
 *   is ever eligible, see Outbox.due).
 * - Before a request leaves, the row is durably marked `needs_check`: if the
 *   answer is lost (or the process dies), the next attempt first asks the
 *   adapter whether the change took effect, and only sends again if it did not.
 * - Transient failures back off exponentially with jitter, capped, honouring
 *   Retry-After. Refusals retrying cannot fix leave the queue at once
 *   (refused, or attention when a person must decide) and never block the
 *   rows behind them.
 * - Nothing leaves 'pending' until the backend's answer is stored, together
 *   with its consequence for the sale and its log entry, in one transaction.
 */
import { PosError, TRANSIENT_CODES, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { LoyaltyAdapter, RedeemReceipt, RedeemRequest, ReverseReceipt, ReverseRequest } from '../adapters/types.js';
import type { OutboxRow } from '../store/outbox.js';
import type { Store } from '../store/store.js';

export type AttemptOutcome =
  | { type: 'done'; receipt: RedeemReceipt | ReverseReceipt; reconciled: boolean }
  /** Not sent: the sale was voided meanwhile and the request had certainly not taken effect. */
  | { type: 'withdrawn' }
  | { type: 'refused'; error: ErrorInfo }
  | { type: 'attention'; error: ErrorInfo }
  | { type: 'retry'; error: ErrorInfo; needsCheck: boolean; nextAttemptAt: number };

/**
 * What the rest of the terminal does when a row settles. Each hook runs
 * inside the transaction that stores the outbox row's new state.
 */
export interface OutboxHooks {
  onSettled(row: OutboxRow, outcome: AttemptOutcome): void;
  /** Asked right before a request leaves (after any reconciliation): false withdraws it. */
  shouldSend?(row: OutboxRow): boolean;
  /** A refusal retrying cannot fix: closed as 'refused', or kept for a person ('attention'). */
  refusalState?(row: OutboxRow): 'refused' | 'attention';
  /** After the transaction committed: push events to the screens. */
  afterSettled?(row: OutboxRow, outcome: AttemptOutcome): void;
}

export interface OutboxWorkerOptions {
  store: Store;
  adapter: LoyaltyAdapter;
  hooks: OutboxHooks;
  /** Reachability feedback. */
  onAnswer?: () => void;
  onUnreachable?: (error: ErrorInfo) => void;
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  random?: () => number;
}

export type RowState = OutboxRow['state'];

export class OutboxWorker {
  private readonly store: Store;
  private readonly adapter: LoyaltyAdapter;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly inFlightMembers = new Set<string>();
  private readonly inFlightRows = new Set<number>();
  private readonly waiters = new Map<number, Array<(state: RowState) => void>>();
  private draining: Promise<void> | null = null;
  /** While the backend is unreachable only rows asked for explicitly are tried (the probe watches for its return). */
  private paused = false;
  private readonly forced = new Set<number>();
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: OutboxWorkerOptions) {
    this.store = opts.store;
    this.adapter = opts.adapter;
    this.concurrency = opts.concurrency ?? 8;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /** Starts draining whatever is due (at start-up: whatever a previous run left). */
  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Asks for a drain soon; cheap to call often. */
  kick(): void {
    if (this.stopped) return;
    void this.drain();
  }

  /** Pauses sending while the backend is known to be unreachable; resuming drains at once. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.kick();
  }

  isInFlight(rowId: number): boolean {
    return this.inFlightRows.has(rowId);
  }

  /**
   * Sends one row now (through the normal drain, so it still respects the
   * member's order and the single-drain rule) and waits up to `waitMs` for it
   * to settle. Resolves with the row's state then: 'pending' if it will be
   * retried later.
   */
  sendNow(rowId: number, waitMs: number): Promise<RowState> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (state: RowState) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        resolve(state);
      };
      const timeout = setTimeout(() => finish(this.store.outbox.get(rowId)?.state ?? 'pending'), waitMs);
      const list = this.waiters.get(rowId) ?? [];
      list.push(finish);
      this.waiters.set(rowId, list);
      this.forced.add(rowId);
      this.store.outbox.makeDueNow(this.now(), this.store.outbox.get(rowId)?.sale_id);
      this.kick();
    });
  }

  /** Stops sending new requests and waits for those in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.draining;
  }

  /** Resolves once nothing is in flight (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await this.runPool();
        } while (this.again && !this.stopped);
      } finally {
        this.draining = null;
        this.scheduleNext();
      }
    })();
    return this.draining;
  }

  /** Keeps up to `concurrency` members' head rows in flight until nothing is due. */
  private async runPool(): Promise<void> {
    const running = new Set<Promise<void>>();
    for (;;) {
      if (!this.stopped) {
        const capacity = this.concurrency - running.size;
        if (capacity > 0) {
          const rows = this.store.outbox
            .due(this.now(), capacity + this.inFlightMembers.size)
            .filter((r) => !this.inFlightMembers.has(r.member_key) && (!this.paused || this.forced.has(r.id)))
            .slice(0, capacity);
          for (const row of rows) {
            this.inFlightMembers.add(row.member_key);
            this.inFlightRows.add(row.id);
            this.forced.delete(row.id);
            const p: Promise<void> = this.attempt(row).finally(() => {
              running.delete(p);
              this.inFlightMembers.delete(row.member_key);
              this.inFlightRows.delete(row.id);
              this.notify(row.id);
            });
            running.add(p);
          }
        }
      }
      if (running.size === 0) return;
      await Promise.race(running);
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.store.outbox.nextDueAt();
    if (next === null) return;
    const delay = Math.min(Math.max(0, next - this.now()), 30_000);
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private notify(rowId: number): void {
    const list = this.waiters.get(rowId);
    if (!list) return;
    this.waiters.delete(rowId);
    const state = this.store.outbox.get(rowId)?.state ?? 'pending';
    for (const w of list) w(state);
  }

  private async attempt(row: OutboxRow): Promise<void> {
    const startedAt = new Date(this.now()).toISOString();
    if (!this.store.outbox.markAttemptStarted(row.id, startedAt)) return; // voided meanwhile
    const fresh = { ...row, attempts: row.attempts + 1 };
    const outcome = await this.perform(row);
    try {
      this.settle(row, fresh, outcome, startedAt);
    } catch (e) {
      // Storing the outcome failed (disk full, a bug in a hook): the row stays
      // pending with needs_check set, so the next attempt reconciles first.
      // Back off so a persistent failure cannot spin.
      console.error('[outbox] could not store the outcome of', row.reference, e);
      try {
        this.store.outbox.reschedule(row.id, this.now() + this.backoff(row.attempts + 1), `could not store the answer: ${(e as Error)?.message ?? e}`, true, startedAt);
      } catch {
        /* the next start reconciles it */
      }
      return;
    }
    this.opts.hooks.afterSettled?.(fresh, outcome);
  }

  private settle(row: OutboxRow, fresh: OutboxRow, outcome: AttemptOutcome, startedAt: string): void {
    this.store.transaction(() => {
      switch (outcome.type) {
        case 'done':
          this.store.outbox.finish(row.id, 'done', startedAt, outcome.receipt);
          break;
        case 'refused':
          this.store.outbox.finish(row.id, 'refused', startedAt, undefined, outcome.error.message);
          break;
        case 'attention':
          this.store.outbox.finish(row.id, 'attention', startedAt, undefined, outcome.error.message);
          break;
        case 'retry':
          this.store.outbox.reschedule(row.id, outcome.nextAttemptAt, outcome.error.message, outcome.needsCheck, startedAt);
          break;
        case 'withdrawn':
          this.store.outbox.cancel(row.id, startedAt, 'withdrawn: the sale was voided before it was sent');
          break;
      }
      this.opts.hooks.onSettled(fresh, outcome);
    });
  }

  /** One attempt: reconcile first if an earlier attempt may have landed, then send. */
  private async perform(row: OutboxRow): Promise<AttemptOutcome> {
    const payload = JSON.parse(row.payload) as RedeemRequest | ReverseRequest;
    let phase: 'find' | 'send' = 'find';
    try {
      if (row.needs_check) {
        const found = await this.find(row.kind, payload);
        this.opts.onAnswer?.();
        if (found) return { type: 'done', receipt: found, reconciled: true };
      }
      phase = 'send';
      if (this.opts.hooks.shouldSend && !this.opts.hooks.shouldSend(row)) return { type: 'withdrawn' };
      const receipt = await this.send(row.kind, payload);
      this.opts.onAnswer?.();
      return { type: 'done', receipt, reconciled: false };
    } catch (e) {
      return this.classify(row, e, phase);
    }
  }

  private find(kind: OutboxRow['kind'], payload: RedeemRequest | ReverseRequest): Promise<RedeemReceipt | ReverseReceipt | null> {
    if (kind === 'redeem') return this.adapter.findRedemption(payload as RedeemRequest);
    if (!this.adapter.findReversal) throw new PosError('OUTCOME_UNKNOWN', 'This loyalty program cannot tell whether the refund was applied.');
    return this.adapter.findReversal(payload as ReverseRequest);
  }

  private send(kind: OutboxRow['kind'], payload: RedeemRequest | ReverseRequest): Promise<RedeemReceipt | ReverseReceipt> {
    if (kind === 'redeem') return this.adapter.redeem(payload as RedeemRequest);
    if (!this.adapter.reverse) throw new PosError('REVERSAL_NOT_SUPPORTED');
    return this.adapter.reverse(payload as ReverseRequest);
  }

  private classify(row: OutboxRow, e: unknown, phase: 'find' | 'send'): AttemptOutcome {
    const error = toErrorInfo(e);
    if (!(e instanceof PosError)) {
      // A bug, not an answer: we cannot know what reached the backend.
      return { type: 'attention', error: { code: 'OUTCOME_UNKNOWN', message: `Internal error while sending: ${(e as Error)?.message ?? e}` } };
    }
    if (TRANSIENT_CODES.has(e.code) || e.code === 'BACKEND_BAD_RESPONSE' || e.code === 'BACKEND_AUTH') {
      if (e.code !== 'BACKEND_BAD_RESPONSE') this.opts.onUnreachable?.(error);
      else this.opts.onAnswer?.();
      // A failed reconciliation leaves the earlier doubt in place; a failed send
      // adds doubt unless the request certainly never took effect.
      const needsCheck = phase === 'find' ? true : e.details?.notApplied !== true;
      const retryAfterMs = typeof e.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : 0;
      return { type: 'retry', error, needsCheck, nextAttemptAt: this.now() + Math.max(retryAfterMs, this.backoff(row.attempts + 1)) };
    }
    this.opts.onAnswer?.();
    if (e.code === 'OUTCOME_UNKNOWN') return { type: 'attention', error };
    if (row.kind === 'reverse' && e.code === 'ALREADY_REVERSED') {
      // An earlier attempt whose answer was lost did it: that is success, not a refusal.
      const p = JSON.parse(row.payload) as ReverseRequest;
      return { type: 'done', receipt: { backendReference: p.reference, pointsMilli: p.pointsMilli, balanceAfterMilli: null }, reconciled: true };
    }
    if (this.opts.hooks.refusalState?.(row) === 'attention') return { type: 'attention', error };
    return { type: 'refused', error };
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(exp / 2 + this.random() * (exp / 2));
  }
}
