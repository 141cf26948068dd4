/**
 * Holding the screen still while an answer that changes it is on its way.
 *
 * WHY (issue 18, a slow counter PC): a scan's look-up changed the screen
 * three times within a few tens of milliseconds: the "looking up" state at
 * Enter, the status push the call causes (it arrives just before the
 * answer), then the answer with the balance. Each was a render, a layout and
 * a paint (the first one 50-80 ms at 4x CPU throttling), and the answer,
 * back after ~16 ms, waited behind them before the balance could show.
 *
 * While the screen is held, the store's state changes as always (every
 * action's guards read it at once); only its listeners (the screen) are told
 * later, once, with everything that changed meanwhile: when the hold is
 * released (the answer is in), or after `ms` (a slow answer shows its
 * "looking up" state as before, just that much later), or at the cashier's
 * next key, click or input (they see what they act on, and a controlled
 * field is never rendered behind what they type).
 */
import type { StoreApi } from 'zustand/vanilla';

/** Where the cashier's own input is heard (the document; none in a test without a DOM). */
type InputSource = Pick<Document, 'addEventListener' | 'removeEventListener'>;

/** What ends a hold before its time: the cashier doing something. */
const INPUT_EVENTS = ['keydown', 'pointerdown', 'beforeinput'] as const;

export interface ScreenHold {
  /** Holds the store's listeners back until the returned release is called, or `ms` have passed. */
  hold(ms: number): () => void;
}

/**
 * Makes `api`'s listeners holdable: replaces `api.subscribe` (call it before
 * anything subscribes) with one whose listeners are told through the hold.
 */
export function makeHoldable<T>(api: StoreApi<T>, input: InputSource | null = typeof document === 'undefined' ? null : document): ScreenHold {
  const listeners = new Set<(state: T, previous: T) => void>();
  let holds = 0;
  // The state before the first change nobody was told of: what the listeners saw last.
  let missed: { previous: T } | null = null;
  const tell = (state: T, previous: T) => {
    for (const l of listeners) l(state, previous);
  };
  api.subscribe((state, previous) => {
    if (holds === 0) tell(state, previous);
    else missed ??= { previous };
  });
  api.subscribe = (listener) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  return {
    hold(ms) {
      holds++;
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        clearTimeout(timer);
        for (const type of INPUT_EVENTS) input?.removeEventListener(type, release, true);
        holds--;
        // Told at every release, also when another hold goes on (a read taken after this one's answer):
        // this answer shows as it did without holds.
        if (!missed) return;
        const { previous } = missed;
        missed = null;
        tell(api.getState(), previous);
      };
      const timer = setTimeout(release, ms);
      for (const type of INPUT_EVENTS) input?.addEventListener(type, release, true);
      return release;
    },
  };
}
