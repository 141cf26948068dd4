import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { capped, whenState } from './first-answers';

describe('the first render waits for the first answers, briefly', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  const settled = (p: Promise<void>) => {
    const seen = { done: false };
    void p.then(() => (seen.done = true));
    return seen;
  };

  it('whenState resolves at the change that makes it true, at once if it already is, and after its cap if it never is', async () => {
    const store = createStore<{ n: number }>()(() => ({ n: 0 }));
    const atTwo = settled(whenState(store, (s) => s.n >= 2, 1000));
    store.setState({ n: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(atTwo.done).toBe(false);
    store.setState({ n: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(atTwo.done).toBe(true);

    expect(settled(whenState(store, (s) => s.n === 2, 1000)).done).toBe(false); // a promise: a microtask later
    await vi.advanceTimersByTimeAsync(0);

    const never = settled(whenState(store, (s) => s.n < 0, 1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(never.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(never.done).toBe(true);
    // No timer is left behind, after a match or after the cap.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('capped resolves when the promise settles either way, or after its cap; a missing promise at once', async () => {
    const fails = settled(capped(Promise.reject(new Error('chunk failed')), 1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(fails.done).toBe(true);
    const hangs = settled(capped(new Promise(() => {}), 1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(hangs.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(hangs.done).toBe(true);
    const none = settled(capped(null, 1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(none.done).toBe(true);
  });
});
