/**
 * The outbox worker: sends what the outbox holds, exactly once in effect.
 *
 * - One drain at a time; within it, up to `concurrency` members in parallel,
 *   each member's rows strictly in order (only the head of a member's queue
 *   is ever eligible, see Outbox.due).
 * - Before a request leaves, the row is durably marked `needs_check` with its
 *   deadline (sent-at + the longest the backend might still apply it): if the
 *   answer is lost (or the process dies), nothing is decided or resent before
 *   the deadline; then the adapter looks: applied (done), not applied (sent
 *   again), or cannot tell (held for a manager with the evidence: never resent
 *   automatically). Any failed, partial or unreadable lookup is "cannot tell".
 * - Transient failures back off exponentially with jitter, capped, honouring
 *   Retry-After. Refusals retrying cannot fix leave the queue at once
 *   (refused, or attention when a person must decide) and never block the
 *   rows behind them.
 * - Nothing leaves 'pending' until the backend's answer is stored, together
 *   with its consequence for the sale and its log entry, in one transaction.
 * - Group commit: the rows picked together are marked in one transaction, and
 *   the answers that arrive in the same turn of the event loop are stored in
 *   one transaction (each row in its own savepoint, so one row's failure
 *   never loses another's answer). With synchronous=FULL every commit is an
 *   fsync that blocks the event loop; sharing it is what lets a drain keep up
 *   with the network.
 */
import { PosError, TRANSIENT_CODES, toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { LookupContext, LoyaltyAdapter, RedeemReceipt, RedeemRequest, ReverseReceipt, ReverseRequest } from '../adapters/types.js';
import { atTheCounter, inBackground } from '../adapters/request-pacer.js';
import { parseEvidence, type LookupEvidence, type OutboxRow } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { failpoint } from './failpoints.js';
import { logger } from '../log/logger.js';

const log = logger('outbox');

export type AttemptOutcome = (
  | { type: 'done'; receipt: RedeemReceipt | ReverseReceipt; reconciled: boolean; resolvedBy?: { id: string; name: string } }
  /** Not sent: the sale was voided meanwhile and the request had certainly not taken effect. */
  | { type: 'withdrawn' }
  | { type: 'refused'; error: ErrorInfo }
  /** Held for a person. inDoubt: nobody can tell whether it was applied (the manager decides "applied" or "send again"). */
  | { type: 'attention'; error: ErrorInfo; inDoubt?: boolean }
  /** A lookup proved the earlier send did not take effect: the row goes out again at once. */
  | { type: 'not-applied' }
  | { type: 'retry'; error: ErrorInfo; needsCheck: boolean; nextAttemptAt: number }
) & {
  /** What this attempt adds to the row's evidence. */
  lookup?: LookupEvidence;
  sendFailure?: string;
};

/**
 * What the rest of the terminal does when a row settles. Each hook runs
 * inside the transaction that stores the outbox row's new state.
 */
export interface OutboxHooks {
  onSettled(row: OutboxRow, outcome: AttemptOutcome): void;
  /** Asked right before a request leaves (after any reconciliation): false withdraws it. */
  shouldSend?(row: OutboxRow): boolean;
  /** A refusal retrying cannot fix: closed as 'refused', or kept for a person ('attention'). */
  refusalState?(row: OutboxRow, error: ErrorInfo): 'refused' | 'attention';
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
  /**
   * Whether sends get through, apart from reads: a program can answer look-ups
   * while refusing every post (a 503 on POST), and the counter must say so.
   */
  onSendOutcome?: (gotThrough: boolean) => void;
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  random?: () => number;
  /**
   * How long after a send the backend might still apply it (request timeout +
   * the program's margin): the deadline stored with an attempt in doubt.
   */
  inDoubtWindowMs?: number;
}

export type RowState = OutboxRow['state'];

/** When everything due is blocked behind a member's head row that is not due yet, look again this soon. */
const BLOCKED_RECHECK_MS = 1000;
/** Without a window from the adapter: a 10 s request timeout plus a 20 s margin. */
export const DEFAULT_IN_DOUBT_WINDOW_MS = 30_000;

interface SettleItem {
  row: OutboxRow;
  fresh: OutboxRow;
  outcome: AttemptOutcome;
  startedAt: string;
  done: () => void;
}

export class OutboxWorker {
  private readonly store: Store;
  private readonly adapter: LoyaltyAdapter;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly inDoubtWindowMs: number;
  private readonly inFlightMembers = new Set<string>();
  private readonly inFlightRows = new Set<number>();
  /** Attempts under way (sent, or answered and waiting for the next flush). */
  private readonly running = new Set<Promise<void>>();
  private readonly waiters = new Map<number, Array<(state: RowState) => void>>();
  private draining: Promise<void> | null = null;
  /** While the backend is unreachable only rows asked for explicitly are tried (the probe watches for its return). */
  private paused = false;
  private readonly forced = new Set<number>();
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** Answers waiting to be stored together (group commit). */
  private settling: SettleItem[] = [];
  private flushScheduled = false;

  constructor(private readonly opts: OutboxWorkerOptions) {
    this.store = opts.store;
    this.adapter = opts.adapter;
    this.concurrency = opts.concurrency ?? 8;
    this.baseDelayMs = opts.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.maxDelayMs ?? 60_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.inDoubtWindowMs = opts.inDoubtWindowMs ?? DEFAULT_IN_DOUBT_WINDOW_MS;
  }

  /** Starts draining whatever is due (at start-up: whatever a previous run left). */
  start(): void {
    this.stopped = false;
    // Rows a previous run left in doubt keep the deadline stored when they were sent (a restart
    // takes well under a second; the backend may apply what it holds for much longer). Rows from
    // before deadlines were stored get one from their last attempt's start.
    try {
      this.store.outbox.holdInDoubt(this.inDoubtWindowMs);
    } catch (e) {
      log.error('could not hold the rows left in doubt', e);
    }
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
    const settled = this.waitFor(rowId, waitMs);
    this.forced.add(rowId);
    this.store.outbox.makeDueNow(this.now(), this.store.outbox.get(rowId)?.sale_id);
    this.kick();
    return settled;
  }

  /**
   * Waits up to `waitMs` for a row to settle, without making it due any
   * sooner. Resolves with the row's state then ('pending' if not settled).
   */
  waitFor(rowId: number, waitMs: number): Promise<RowState> {
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
    this.fill();
    while (this.running.size > 0) {
      await Promise.race(this.running);
      this.fill(); // tops up whatever the last flush could not
    }
  }

  /**
   * The due head rows that may go now, up to the free capacity (none once
   * stopped). Rows a cashier is waiting for (sendNow) come first and over the
   * capacity: behind a backlog of thousands after an outage, the sale at the
   * counter must not wait for the drain (its member's earlier rows still go
   * first: a member's rows never overtake each other).
   */
  private pick(exclude?: ReadonlySet<number>): OutboxRow[] {
    if (this.stopped) return [];
    const now = this.now();
    const free = (r: OutboxRow) => !this.inFlightMembers.has(r.member_key) && !this.inFlightRows.has(r.id) && !exclude?.has(r.id);
    const urgent: OutboxRow[] = [];
    for (const id of this.forced) {
      const r = this.store.outbox.get(id);
      if (
        r &&
        r.state === 'pending' &&
        r.next_attempt_at <= now &&
        free(r) &&
        !urgent.some((u) => u.member_key === r.member_key) &&
        this.store.outbox.isHeadOfMember(r)
      )
        urgent.push(r);
    }
    const capacity = this.concurrency - this.inFlightRows.size;
    if (capacity <= 0) return urgent;
    const taken = new Set(urgent.map((r) => r.member_key));
    const rest = this.store.outbox
      .due(now, capacity + this.inFlightMembers.size + (exclude?.size ?? 0) + urgent.length)
      .filter((r) => free(r) && !taken.has(r.member_key) && (!this.paused || this.forced.has(r.id)))
      .slice(0, capacity);
    return [...urgent, ...rest];
  }

  /** Picks, durably marks (one transaction) and sends what may go now. */
  private fill(): void {
    const rows = this.pick();
    if (rows.length === 0) return;
    const startedAt = new Date(this.now()).toISOString();
    failpoint('before-post');
    const started = this.markStarted(rows, startedAt);
    failpoint('after-mark');
    for (const row of rows) {
      if (started.has(row.id)) this.launch(row, startedAt);
      else this.notify(row.id); // a void withdrew it meanwhile
    }
  }

  /** Sends one marked row; it counts as in flight until its answer is stored. */
  private launch(row: OutboxRow, startedAt: string): void {
    this.inFlightMembers.add(row.member_key);
    this.inFlightRows.add(row.id);
    // A row a cashier waits for goes in the counter's lane; the rest of a drain is paced (adapters/request-pacer.ts).
    const urgent = this.forced.delete(row.id);
    const p: Promise<void> = this.attempt(row, startedAt, urgent).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  private release(row: OutboxRow): void {
    this.inFlightMembers.delete(row.member_key);
    this.inFlightRows.delete(row.id);
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Paused, nothing but forced rows may go, and those kick a drain themselves (so does resuming).
    if (this.paused) return;
    const next = this.store.outbox.nextDueAt();
    if (next === null) return;
    // A row due now that the pool left is blocked behind its member's head row, which is not due
    // yet (or could not be marked): look again shortly instead of spinning on a zero timer.
    const delay = next <= this.now() ? BLOCKED_RECHECK_MS : Math.min(next - this.now(), 30_000);
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

  /**
   * Durably marks the picked rows as "may have been sent", in one transaction,
   * before any of their requests leaves. Returns the ids still pending (a void
   * may have withdrawn one meanwhile). If the mark cannot be written, nothing
   * is sent: the rows stay due and the timer looks again.
   */
  private markStarted(rows: OutboxRow[], startedAt: string): Set<number> {
    try {
      const deadline = Date.parse(startedAt) + this.inDoubtWindowMs;
      return new Set(this.store.transaction(() => rows.filter((r) => this.store.outbox.markAttemptStarted(r.id, startedAt, deadline)).map((r) => r.id)));
    } catch (e) {
      log.error('could not mark attempts as started', e);
      return new Set();
    }
  }

  /** One attempt; resolves once its answer is stored (by the next flush). */
  private async attempt(row: OutboxRow, startedAt: string, urgent: boolean): Promise<void> {
    const fresh = { ...row, attempts: row.attempts + 1 };
    const outcome = await (urgent ? atTheCounter(() => this.perform(row)) : inBackground(() => this.perform(row))).catch((e: unknown): AttemptOutcome => ({
      type: 'attention',
      inDoubt: true,
      error: { code: 'OUTCOME_UNKNOWN', message: `Internal error while sending: ${(e as Error)?.message ?? e}` },
    }));
    failpoint('after-send');
    await new Promise<void>((done) => {
      this.settling.push({ row, fresh, outcome, startedAt, done });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushSettled());
      }
    });
  }

  /**
   * Stores every answer that arrived since the last flush in one transaction
   * (one savepoint per row, so one row's failure never loses another's answer),
   * and in the same commit marks the rows that go next: one fsync per turn of
   * the event loop instead of two per row.
   */
  private flushSettled(): void {
    this.flushScheduled = false;
    const batch = this.settling;
    this.settling = [];
    const failed = new Map<SettleItem, unknown>();
    for (const item of batch) this.release(item.row); // answered: no longer in flight, whatever happens below
    const startedAt = new Date(this.now()).toISOString();
    let next: OutboxRow[] = [];
    try {
      next = this.store.transaction(() => {
        for (const item of batch) {
          try {
            this.settle(item.row, item.fresh, item.outcome, item.startedAt);
          } catch (e) {
            failed.set(item, e); // its savepoint rolled back; the others' stand
          }
        }
        // The rows that go next are marked in this same commit; they leave only once it is durable.
        const rows = this.pick(new Set([...failed.keys()].map((i) => i.row.id)));
        return rows.filter((r) => this.store.outbox.markAttemptStarted(r.id, startedAt, Date.parse(startedAt) + this.inDoubtWindowMs));
      });
    } catch (e) {
      for (const item of batch) failed.set(item, e); // the commit itself failed: none of it is stored
      next = [];
    }
    failpoint('after-settle');
    for (const item of batch) {
      if (failed.has(item)) this.couldNotStore(item, failed.get(item));
      else {
        try {
          this.opts.hooks.afterSettled?.(item.fresh, item.outcome);
        } catch (e) {
          log.error(`afterSettled failed for ${item.row.reference}`, e);
        }
      }
      this.notify(item.row.id);
      item.done();
    }
    for (const row of next) this.launch(row, startedAt);
  }

  /**
   * Storing the outcome failed (disk full, a bug in a hook): the row stays
   * pending with needs_check set, so the next attempt reconciles first. Back
   * off so a persistent failure cannot spin.
   */
  private couldNotStore(item: SettleItem, e: unknown): void {
    const { row, startedAt } = item;
    log.error(`could not store the outcome of ${row.reference}`, e);
    try {
      this.store.outbox.reschedule(
        row.id,
        this.now() + this.backoff(row.attempts + 1),
        `could not store the answer: ${(e as Error)?.message ?? e}`,
        true,
        startedAt,
      );
    } catch {
      /* the next start reconciles it */
    }
  }

  private settle(row: OutboxRow, fresh: OutboxRow, outcome: AttemptOutcome, startedAt: string): void {
    this.store.transaction(() => {
      if (outcome.lookup || outcome.sendFailure) this.store.outbox.recordEvidence(row.id, { lookup: outcome.lookup, sendFailure: outcome.sendFailure });
      switch (outcome.type) {
        case 'done':
          this.store.outbox.finish(row.id, 'done', startedAt, outcome.receipt);
          break;
        case 'refused':
          this.store.outbox.finish(row.id, 'refused', startedAt, undefined, outcome.error.message);
          break;
        case 'attention':
          this.store.outbox.finish(row.id, 'attention', startedAt, undefined, outcome.error.message, outcome.inDoubt === true);
          break;
        case 'not-applied':
          this.store.outbox.reschedule(row.id, this.now(), 'not applied: sending it again', false, startedAt);
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

  /**
   * One attempt, one request that may apply: a row in doubt is only looked up
   * (after its deadline); a row known not to have been applied is sent.
   */
  private async perform(row: OutboxRow): Promise<AttemptOutcome> {
    const payload = JSON.parse(row.payload) as RedeemRequest | ReverseRequest;
    if (row.needs_check) return this.lookUp(row, payload);
    const sentAt = this.now();
    try {
      if (this.opts.hooks.shouldSend && !this.opts.hooks.shouldSend(row)) return { type: 'withdrawn' };
      const receipt = await this.send(row.kind, payload);
      this.opts.onAnswer?.();
      this.opts.onSendOutcome?.(true);
      return { type: 'done', receipt, reconciled: false };
    } catch (e) {
      return this.classify(row, e, this.now() - sentAt);
    }
  }

  /**
   * After the deadline, did the earlier send take effect? The adapter answers
   * with a receipt (applied), null (not applied: only from a documented
   * lookup), or OUTCOME_UNKNOWN (cannot tell). Whatever else goes wrong with
   * the lookup (403, 404, 5xx, a timeout, an unreadable answer) is "cannot
   * tell" too: only a lookup that never reached the backend is tried again.
   */
  private async lookUp(row: OutboxRow, payload: RedeemRequest | ReverseRequest): Promise<AttemptOutcome> {
    const now = this.now();
    const at = new Date(now).toISOString();
    if (row.in_doubt_until !== null && now < row.in_doubt_until) {
      // Never before the deadline: the backend may still be applying the send.
      return {
        type: 'retry',
        error: { code: 'OUTCOME_UNKNOWN', message: `In doubt until ${new Date(row.in_doubt_until).toISOString()}: nothing is decided before then.` },
        needsCheck: true,
        nextAttemptAt: row.in_doubt_until,
      };
    }
    try {
      const found = await this.find(row, payload);
      this.opts.onAnswer?.();
      if (found)
        return {
          type: 'done',
          receipt: found,
          reconciled: true,
          lookup: { at, outcome: 'applied', message: 'The loyalty program lists it: it was applied.', ...balanceOf(found) },
        };
      const lookup: LookupEvidence = { at, outcome: 'not-applied', message: "The loyalty program's records show it was not applied." };
      if (this.opts.hooks.shouldSend && !this.opts.hooks.shouldSend(row)) return { type: 'withdrawn', lookup };
      return { type: 'not-applied', lookup };
    } catch (e) {
      const error = toErrorInfo(e);
      const details = e instanceof PosError ? e.details : undefined;
      const status = typeof details?.status === 'number' ? details.status : undefined;
      const balance = typeof details?.balanceMilli === 'number' ? { balanceMilli: details.balanceMilli } : {};
      if (e instanceof PosError && details?.notApplied === true && TRANSIENT_CODES.has(e.code)) {
        // The lookup itself never reached the backend (refused connection, 429): ask again later.
        this.opts.onUnreachable?.(error);
        return {
          type: 'retry',
          error,
          needsCheck: true,
          nextAttemptAt: now + Math.max(typeof details.retryAfterMs === 'number' ? details.retryAfterMs : 0, this.backoff(row.attempts + 1)),
          lookup: { at, outcome: 'not-reached', message: error.message, ...(status ? { status } : {}) },
        };
      }
      if (e instanceof PosError && TRANSIENT_CODES.has(e.code)) this.opts.onUnreachable?.(error);
      else this.opts.onAnswer?.();
      const message =
        e instanceof PosError && e.code === 'OUTCOME_UNKNOWN'
          ? error.message
          : `The lookup failed, so nobody can tell whether it was applied: ${error.message}`;
      return {
        type: 'attention',
        inDoubt: true,
        error: { code: 'OUTCOME_UNKNOWN', message },
        lookup: { at, outcome: 'cannot-tell', message: error.message, ...(status ? { status } : {}), ...balance },
      };
    }
  }

  private find(row: OutboxRow, payload: RedeemRequest | ReverseRequest): Promise<RedeemReceipt | ReverseReceipt | null> {
    const kind = row.kind;
    if (kind === 'redeem') {
      // What this terminal knows narrows the lookup: not before the first send, never another row's redemption.
      const context: LookupContext = {
        firstSentAt: parseEvidence(row.evidence).sends[0]?.at ?? null,
        claimed: this.store.outbox.claimedBackendReferences(row.member_key, row.id),
      };
      return this.adapter.findRedemption(payload as RedeemRequest, context);
    }
    if (!this.adapter.findReversal) throw new PosError('OUTCOME_UNKNOWN', 'This loyalty program cannot tell whether the refund was applied.');
    return this.adapter.findReversal(payload as ReverseRequest);
  }

  private send(kind: OutboxRow['kind'], payload: RedeemRequest | ReverseRequest): Promise<RedeemReceipt | ReverseReceipt> {
    if (kind === 'redeem') return this.adapter.redeem(payload as RedeemRequest);
    if (!this.adapter.reverse) throw new PosError('REVERSAL_NOT_SUPPORTED');
    return this.adapter.reverse(payload as ReverseRequest);
  }

  private classify(row: OutboxRow, e: unknown, sendMs: number): AttemptOutcome {
    const error = toErrorInfo(e);
    if (!(e instanceof PosError)) {
      // A bug, not an answer: we cannot know what reached the backend.
      return {
        type: 'attention',
        inDoubt: true,
        error: { code: 'OUTCOME_UNKNOWN', message: `Internal error while sending: ${(e as Error)?.message ?? e}` },
        sendFailure: error.message,
      };
    }
    if (TRANSIENT_CODES.has(e.code) || e.code === 'BACKEND_BAD_RESPONSE' || e.code === 'BACKEND_AUTH') {
      this.opts.onSendOutcome?.(false);
      if (e.code !== 'BACKEND_BAD_RESPONSE') this.opts.onUnreachable?.(error);
      else this.opts.onAnswer?.();
      // A failed send is in doubt unless it certainly never took effect; in doubt, the
      // store keeps it until its deadline whatever the backoff says.
      const needsCheck = e.details?.notApplied !== true;
      const retryAfterMs = typeof e.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : 0;
      return {
        type: 'retry',
        error,
        needsCheck,
        nextAttemptAt: this.now() + Math.max(retryAfterMs, this.backoff(row.attempts + 1)),
        ...(needsCheck ? { sendFailure: `${error.message} (after ${sendMs} ms)` } : {}),
      };
    }
    this.opts.onAnswer?.();
    // A refusal is an answer to the post itself: sending works.
    this.opts.onSendOutcome?.(true);
    if (e.code === 'OUTCOME_UNKNOWN') return { type: 'attention', error };
    if (row.kind === 'reverse' && e.code === 'ALREADY_REVERSED') {
      // An earlier attempt whose answer was lost did it: that is success, not a refusal.
      const p = JSON.parse(row.payload) as ReverseRequest;
      return { type: 'done', receipt: { backendReference: p.reference, pointsMilli: p.pointsMilli, balanceAfterMilli: null }, reconciled: true };
    }
    if (this.opts.hooks.refusalState?.(row, error) === 'attention') return { type: 'attention', error };
    return { type: 'refused', error };
  }

  /** Exponential backoff with "equal jitter": half fixed, half random, capped. */
  backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 20));
    return Math.round(exp / 2 + this.random() * (exp / 2));
  }
}

/** The balance a receipt reports, as evidence. */
function balanceOf(r: RedeemReceipt | ReverseReceipt): { balanceMilli?: number } {
  return typeof r.balanceAfterMilli === 'number' ? { balanceMilli: r.balanceAfterMilli } : {};
}
