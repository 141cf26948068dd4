/**
 * Focus on first showing, in place of the `autoFocus` prop. React focuses an
 * `autoFocus` element itself whenever it mounts; a Preact build of the renderer
 * (README, "The renderer's runtime") only writes the HTML `autofocus`
 * attribute, and the browser honours that for the first such element of a
 * page, never for a screen shown later (the PIN field after a sign-out, a
 * dialog's first field). One way that works on both: ESLint refuses
 * `autoFocus` in the renderer.
 */
import { useLayoutEffect, type RefObject } from 'react';

/** A callback ref: `ref={focusOnMount}`. One function for the page, so it runs once per element shown, not on every render. */
export function focusOnMount(el: HTMLElement | null): void {
  el?.focus();
}

/** For an element whose ref is already taken: focuses `ref`'s element when the component first shows (if `enabled`). */
export function useFocusOnMount(ref: RefObject<HTMLElement | null>, enabled = true): void {
  // A layout effect, as React's own autoFocus (at the commit): no key typed just after the element shows goes elsewhere.
  useLayoutEffect(() => {
    if (enabled) ref.current?.focus();
    // Once, when shown (what autoFocus did): a later change of `enabled` does not take the focus.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
