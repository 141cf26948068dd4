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

/** Moves the keyboard focus to `ref` when the store asks for `target`. */
export function useFocusRequest(target: FocusTarget, ref: RefObject<HTMLElement | null>): void {
  const focus = usePos((s) => s.focus);
  useEffect(() => {
    if (focus.target !== target || focus.seq === 0) return;
    const el = ref.current;
    if (!el) return;
    el.focus();
    if (el instanceof HTMLInputElement) el.select();
  }, [focus, target, ref]);
}
