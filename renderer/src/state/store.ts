/**
 * The counter's store: one zustand store composed of slices (slices/):
 * ui (status, screen, dialogs, focus), drafts (what is being typed, the
 * quote preview), rewards (a catalogue reward's choice), sale (the sale as
 * the service answered it, and every step), plus the session (session.ts).
 * A push and a call's answer are merged by the pure rules in sale-merge.ts.
 * Request/response data that is not the sale (the desk's tabs, the reward
 * catalogue, the log) is fetched with TanStack Query by the screens that show it.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { makeHoldable } from './screen-hold';
import { createSessionSlice } from './session';
import { createCore } from './slices/core';
import { createDrafts } from './slices/drafts';
import { createRewards } from './slices/rewards';
import { createSale } from './slices/sale';
import type { PosState, StoreDeps } from './slices/types';
import { createUi } from './slices/ui';

export type * from './slices/types';
export { tooPrecise } from './slices/drafts';
export { confirmedQuote, isClosed, saleActions } from './selectors';

export function createPosStore(deps: StoreDeps): StoreApi<PosState> {
  return createStore<PosState>()((set, get, api) => {
    const core = createCore(deps, set, get, makeHoldable(api));
    const { slice: drafts, drafts: draftsFlow } = createDrafts(core);
    const { slice: sale } = createSale(core, draftsFlow);
    return {
      ...createSessionSlice(deps.api, set, get),
      ...createUi(core, draftsFlow),
      ...drafts,
      ...createRewards(core),
      ...sale,
    };
  });
}
