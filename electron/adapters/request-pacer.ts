/**
 * Keeps a program's published rate limit (White Label: 100 requests/s per API
 * key, burst 400) so the terminal itself never causes a 429.
 *
 * The pacer models the backend's token bucket at slightly under the published
 * rate (SHARE), and serves two lanes:
 *  - the counter (scans, quotes, a confirm, the probe) never waits: a cashier
 *    and a member are standing there. It takes a token all the same;
 *  - the background (the outbox draining a queue, run inside `inBackground`)
 *    waits its turn, first come first served, and leaves a reserve of tokens
 *    in the bucket for the counter, so a drain of 10,000 redemptions never
 *    empties the backend's bucket under a cashier's scan.
 *
 * Which lane a request is in comes from the async context (AsyncLocalStorage),
 * so adapters need no extra parameter on every call.
 *
 * A 429 the backend sends anyway (another till on the same key, a limit lower
 * than published) empties the model and holds the background lane for the
 * Retry-After: the pacer follows the backend, never the other way round.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RateLimit {
  /** Tokens the backend adds per second. */
  perSecond: number;
  /** Its bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

/** The model's refill rate as a share of the published one: a margin for clock drift between terminal and backend. */
const SHARE = 0.97;
/** The share of the bucket the background leaves for the counter: at least a few cashiers' worth (a WL confirm is three requests), at most half. */
const COUNTER_RESERVE_SHARE = 0.05;
const COUNTER_RESERVE_MIN = 10;

const lane = new AsyncLocalStorage<'background'>();

/** Runs `fn` (and every request it makes) in the background lane: it waits for the rate limit. */
export function inBackground<T>(fn: () => Promise<T>): Promise<T> {
  return lane.run('background', fn);
}

/** Runs `fn` in the counter's lane, also when called from background work (a drain that picks up a cashier's row). */
export function atTheCounter<T>(fn: () => Promise<T>): Promise<T> {
  return lane.exit(fn);
}

export class RequestPacer {
  private tokens: number;
  private at: number;
  private readonly rate: number;
  private readonly reserve: number;
  private readonly waiting: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  /** After a 429: the background lane waits until then. */
  private heldUntil = 0;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!(limit.perSecond > 0 && limit.burst >= 1)) throw new Error('a rate limit needs perSecond > 0 and burst >= 1');
    this.rate = (limit.perSecond * SHARE) / 1000; // tokens per ms
    this.reserve = Math.max(0, Math.min(Math.floor(limit.burst / 2) - 1, Math.max(COUNTER_RESERVE_MIN, Math.round(limit.burst * COUNTER_RESERVE_SHARE))));
    // A fresh start assumes a full bucket, as the backend's is after a quiet spell; a 429 corrects it.
    this.tokens = limit.burst;
    this.at = now();
  }

  /** Resolves when this request may go: at once for the counter, in turn for the background. */
  admit(): Promise<void> {
    if (lane.getStore() !== 'background') {
      this.refill();
      this.tokens -= 1; // may go below zero: the background then waits longer
      return Promise.resolve();
    }
    return new Promise<void>((go) => {
      this.waiting.push(go);
      this.pump();
    });
  }

  /** The backend answered 429 anyway: assume its bucket is empty and hold the background for `retryAfterMs`. */
  refused(retryAfterMs: number | undefined): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.heldUntil = Math.max(this.heldUntil, this.now() + (retryAfterMs ?? 1000));
    this.pump();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + Math.max(0, t - this.at) * this.rate);
    this.at = t;
  }

  private pump(): void {
    this.refill();
    const t = this.now();
    while (this.waiting.length > 0 && t >= this.heldUntil && this.tokens >= this.reserve + 1) {
      this.tokens -= 1;
      this.waiting.shift()!();
    }
    if (this.waiting.length === 0 || this.timer) return;
    const untilToken = Math.ceil((this.reserve + 1 - this.tokens) / this.rate);
    const wait = Math.max(1, this.heldUntil - t, untilToken);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, wait);
  }
}
