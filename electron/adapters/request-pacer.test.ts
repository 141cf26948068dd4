/**
 * The request pacer against the sandbox's own token bucket (sandbox/rate-limit.ts,
 * White Label's 100/s, burst 400), on a fake clock: a background drain that
 * always has work keeps at least 0.9 of the published rate and never meets a
 * 429, while the counter's requests, which never wait, are never refused either.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../sandbox/rate-limit.js';
import { inBackground, RequestPacer } from './request-pacer.js';

const LIMIT = { perSecond: 100, burst: 400 };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RequestPacer', () => {
  it('a drain of 8 parallel lanes for 60 s: >= 0.9 of the published rate, no 429; the counter never waits and is never refused', async () => {
    const server = new RateLimiter(LIMIT);
    const pacer = new RequestPacer(LIMIT, () => Date.now());
    const refused = { background: 0, counter: 0 };
    let background = 0;
    let stop = false;
    const send = (lane: 'background' | 'counter') => {
      if (!server.take('key', Date.now()).ok) refused[lane]++;
    };
    // Eight drain workers, each sending as fast as the pacer lets it (a request takes 5 ms).
    const workers = Array.from({ length: 8 }, () =>
      inBackground(async () => {
        while (!stop) {
          await pacer.admit();
          send('background');
          background++;
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    // A cashier scanning twice a second, in bursts of three requests; each must go at once.
    let counterWaited = 0;
    const counter = setInterval(() => {
      for (let i = 0; i < 3; i++) {
        let went = false;
        void pacer.admit().then(() => (went = true));
        void Promise.resolve().then(() => {
          if (!went) counterWaited++;
        });
        send('counter');
      }
    }, 500);
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(10_000); // the burst is spent by now
    const sustainedFrom = background;
    await vi.advanceTimersByTimeAsync(50_000);
    const sustainedRate = (background - sustainedFrom) / 50;
    stop = true;
    clearInterval(counter);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(workers);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(60_000);
    expect(refused).toEqual({ background: 0, counter: 0 });
    expect(counterWaited).toBe(0);
    // 6 requests/s of the counter's come out of the same 100: the drain keeps the rest, within the margin.
    expect(sustainedRate).toBeGreaterThanOrEqual(0.9 * (LIMIT.perSecond - 6));
    expect(sustainedRate + 6).toBeGreaterThanOrEqual(0.9 * LIMIT.perSecond);
    expect(sustainedRate + 6).toBeLessThanOrEqual(LIMIT.perSecond);
  });

  it('after a 429 (another till on the same key), the background waits the Retry-After with an empty bucket', async () => {
    const pacer = new RequestPacer(LIMIT, () => Date.now());
    pacer.refused(2000);
    let went = false;
    void inBackground(() => pacer.admit()).then(() => (went = true));
    await vi.advanceTimersByTimeAsync(1999);
    expect(went).toBe(false);
    // Past the Retry-After, it still waits for the counter's reserve to refill (20 tokens at 97/s).
    await vi.advanceTimersByTimeAsync(1 + Math.ceil((21 / 97) * 1000));
    expect(went).toBe(true);
  });
});
