/**
 * A FaultWait for the sandbox (startSandbox({ faultWait })) that the test
 * releases by hand: an injected latency or a held socket lasts exactly until
 * the test says so. `next()` resolves when the sandbox starts waiting, which
 * is the event "the request has reached the backend and is being held" —
 * no sleeps, no measured gaps.
 */
import type { FaultWait } from '../sandbox/router.js';

export interface HeldWait {
  ms: number;
  why: 'latency' | 'hold';
  /** Ends the wait: the latency is over, or the held socket is destroyed. */
  release(): void;
}

export interface HeldWaits {
  faultWait: FaultWait;
  /** The next wait the sandbox starts (or the oldest one not yet taken). */
  next(): Promise<HeldWait>;
  /** Releases every wait started so far and any started later (for teardown or "let it all through"). */
  releaseAll(): void;
}

export function heldWaits(): HeldWaits {
  const started: HeldWait[] = [];
  const taken: ((w: HeldWait) => void)[] = [];
  const all: HeldWait[] = [];
  let open = false;
  return {
    faultWait: (ms, why) =>
      new Promise<void>((resolve) => {
        const w: HeldWait = { ms, why, release: () => resolve() };
        all.push(w);
        if (open) return w.release();
        const taker = taken.shift();
        if (taker) taker(w);
        else started.push(w);
      }),
    next: () => {
      const w = started.shift();
      return w ? Promise.resolve(w) : new Promise<HeldWait>((resolve) => taken.push(resolve));
    },
    releaseAll: () => {
      open = true;
      for (const w of all) w.release();
    },
  };
}
