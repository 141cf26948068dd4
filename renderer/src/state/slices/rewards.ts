/**
 * The rewards slice (reward programs such as UiTPAS): choosing a catalogue
 * reward. The catalogue itself is request/response data, fetched page by
 * page by the reward step (components/RewardList.tsx, TanStack Query); this
 * slice only says when it must be read again (`rewardsEpoch`).
 */
import { canTransition } from '../../../../shared/sale-state';
import { asErrorInfo } from '../../api/client';
import type { Core } from './core';
import type { RewardsSlice } from './types';

/** Refusals that mean the catalogue on screen was out of date a moment ago. */
const STALE_CATALOGUE = new Set(['REWARD_NOT_REDEEMABLE', 'REWARD_NOT_FOUND', 'POINTS_ABOVE_BALANCE']);

export function createRewards(core: Core): RewardsSlice {
  const { set, get, deps } = core;
  return {
    rewardsEpoch: 0,

    async chooseReward(rewardId) {
      const sale = get().sale;
      if (get().busy || !sale || !canTransition(sale.state, 'quoted')) return;
      set({ busy: 'reward', error: null });
      try {
        const next = await core.saleCall(() => deps.api.chooseReward({ saleId: sale.id, rewardId }));
        if (next.state === 'quoted') core.focus('confirm');
      } catch (e) {
        core.fail(e, 'points');
        // The catalogue said yes a moment ago: show where every reward stands now.
        if (STALE_CATALOGUE.has(asErrorInfo(e).code)) set({ rewardsEpoch: get().rewardsEpoch + 1 });
        void core.resync();
      } finally {
        set({ busy: null });
      }
    },
  };
}
