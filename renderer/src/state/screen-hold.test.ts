import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { makeHoldable } from './screen-hold';

function holdableCounter() {
  const input = new EventTarget();
  const store = createStore<{ n: number }>()(() => ({ n: 0 }));
  const screen = makeHoldable(store, input);
  const told: [number, number][] = [];
  store.subscribe((s, prev) => void told.push([s.n, prev.n]));
  return { store, screen, input, told, bump: () => store.setState((s) => ({ n: s.n + 1 })) };
}

describe('screen hold', () => {
  it('tells listeners once at the release, with the state they last saw as the previous one; unheld changes as always', () => {
    const c = holdableCounter();
    c.bump();
    expect(c.told).toEqual([[1, 0]]);
    const release = c.screen.hold(60_000);
    c.bump();
    c.bump();
    expect(c.told).toHaveLength(1);
    release();
    release(); // once only
    expect(c.told).toEqual([
      [1, 0],
      [3, 1],
    ]);
    c.bump();
    expect(c.told.at(-1)).toEqual([4, 3]);
  });

  it("ends at the cashier's next key, click or input, and after its time", async () => {
    for (const type of ['keydown', 'pointerdown', 'beforeinput']) {
      const c = holdableCounter();
      c.screen.hold(60_000);
      c.bump();
      c.input.dispatchEvent(new Event(type));
      expect(c.told, type).toEqual([[1, 0]]);
    }
    const c = holdableCounter();
    c.screen.hold(1);
    c.bump();
    await new Promise<void>((done) => c.store.subscribe(() => done()));
    expect(c.told).toEqual([[1, 0]]);
  });

  it('a release tells what changed even while a later hold goes on, which then holds on its own', () => {
    const c = holdableCounter();
    const first = c.screen.hold(60_000);
    c.bump();
    const second = c.screen.hold(60_000);
    c.bump();
    first();
    expect(c.told).toEqual([[2, 0]]);
    c.bump();
    expect(c.told).toHaveLength(1);
    second();
    expect(c.told).toEqual([
      [2, 0],
      [3, 2],
    ]);
  });
});
