import { createContext, useContext, useEffect, type ReactNode, type RefObject } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { FocusTarget, PosState } from './store';

const StoreContext = createContext<StoreApi<PosState> | null>(null);

export function PosProvider({ store, children }: { store: StoreApi<PosState>; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function usePosStore(): StoreApi<PosState> {
  const store = useContext(StoreContext);
  if (!store) throw new Error('PosProvider missing');
  return store;
}

/** Subscribes to one slice; pick primitives or stable references. */
export function usePos<T>(selector: (s: PosState) => T): T {
  return useStore(usePosStore(), selector);
}

/**
 * Moves the keyboard focus to `ref` when the store asks for `target`.
 *
 * WHY it selects only its own request's number: a component re-renders when
 * the cursor is sent to it, not whenever it moves anywhere (issue 18: a slow
 * counter PC).
 */
export function useFocusRequest(target: FocusTarget, ref: RefObject<HTMLElement | null>): void {
  const seq = usePos((s) => (s.focus.target === target ? s.focus.seq : 0));
  useEffect(() => {
    if (seq === 0) return;
    const el = ref.current;
    if (!el) return;
    el.focus();
    if (el instanceof HTMLInputElement) el.select();
  }, [seq, ref]);
}
