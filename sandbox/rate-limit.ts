/**
 * A token bucket per key (White Label: 100 requests/s per API key, burst 400).
 * Pure logic with the clock passed in, so it is tested without waiting.
 */

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Requests let through and refused (429) since the last reset: what a benchmark reads to prove "no 429". */
  readonly counts = { taken: 0, refused: 0 };

  constructor(private readonly opts: RateLimitOptions) {
    if (!(opts.perSecond > 0 && opts.burst >= 1)) throw new Error('rate limit needs perSecond > 0 and burst >= 1');
  }

  /** Takes one token for `key` at time `nowMs`; when empty, says how long until one is back. */
  take(key: string, nowMs: number): TakeResult {
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: nowMs };
    const elapsed = Math.max(0, nowMs - b.at);
    // Token counts are fractional internally; they are request counts, not money.
    b.tokens = Math.min(this.opts.burst, b.tokens + (elapsed * this.opts.perSecond) / 1000);
    b.at = nowMs;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.counts.taken++;
      return { ok: true };
    }
    this.counts.refused++;
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / this.opts.perSecond) };
  }

  get options(): Readonly<RateLimitOptions> {
    return this.opts;
  }

  reset(): void {
    this.buckets.clear();
    this.counts.taken = 0;
    this.counts.refused = 0;
  }
}
