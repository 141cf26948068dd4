/**
 * What the first render waits for (issue 18: a slow counter PC). Rendered
 * before the terminal's first answers, the page drew a shell (status bar, an
 * empty screen), then drew again for the status, then again for the session
 * and the program's counter step: three renders and a paint in between, each
 * 100-200 ms at 4x CPU, before the counter took a scan. The answers come back
 * from the local service within a few milliseconds of being asked, so the
 * first render waits for them and draws the counter once.
 *
 * Never for long: a service that does not answer (stopped, restarting) must
 * not keep the screen blank; after `capMs` the page renders what it has and
 * shows the rest as it arrives, as before.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { PosState } from './slices/types';

/** How long the first render waits for each of the first answers at most: a blank page for no longer. */
export const FIRST_ANSWERS_CAP_MS = 1000;

/** Resolves when `done(state)` holds, or after `capMs`, whichever is first. Never rejects. */
export function whenState<S>(store: StoreApi<S>, done: (s: S) => boolean, capMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (done(store.getState())) return resolve();
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(finish, capMs);
    const unsubscribe = store.subscribe((s) => {
      if (done(s)) finish();
    });
  });
}

/**
 * The store's start has its answers (the terminal's status, and the sale this tab had in progress,
 * so that a reload in the middle of a sale shows that sale at once, not an empty counter that the
 * cashier could start typing into), and who is signed in is known; each may be a failure.
 */
export function firstAnswersIn(s: PosState): boolean {
  return s.started && s.session.phase !== 'unknown';
}

/** A promise, or nothing, capped: resolves when it settles or after `capMs`. */
export function capped(p: Promise<unknown> | null, capMs: number): Promise<void> {
  if (!p) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, capMs);
    void p.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
