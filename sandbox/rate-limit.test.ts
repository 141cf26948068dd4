import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter (token bucket)', () => {
  it('lets a burst through, then refuses with the wait for the next token', () => {
    const rl = new RateLimiter({ perSecond: 100, burst: 400 });
    for (let i = 0; i < 400; i++) expect(rl.take('k', 1000).ok).toBe(true);
    const refused = rl.take('k', 1000);
    expect(refused).toEqual({ ok: false, retryAfterMs: 10 });
  });

  it('refills at the rate, never above the burst', () => {
    const rl = new RateLimiter({ perSecond: 100, burst: 400 });
    for (let i = 0; i < 400; i++) rl.take('k', 0);
    expect(rl.take('k', 5).ok).toBe(false); // half a token
    expect(rl.take('k', 10).ok).toBe(true); // one token after 10 ms
    expect(rl.take('k', 10).ok).toBe(false);
    // A long quiet spell refills to the burst only.
    let ok = 0;
    for (let i = 0; i < 500; i++) if (rl.take('k', 60_000).ok) ok++;
    expect(ok).toBe(400);
  });

  it('keeps one bucket per key', () => {
    const rl = new RateLimiter({ perSecond: 1, burst: 1 });
    expect(rl.take('a', 0).ok).toBe(true);
    expect(rl.take('a', 0).ok).toBe(false);
    expect(rl.take('b', 0).ok).toBe(true);
  });

  it('reset empties every bucket', () => {
    const rl = new RateLimiter({ perSecond: 1, burst: 1 });
    rl.take('a', 0);
    rl.reset();
    expect(rl.take('a', 0).ok).toBe(true);
  });
});
