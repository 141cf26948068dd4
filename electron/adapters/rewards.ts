/**
 * Reward-catalogue backends (UiTPAS): what the LoyaltyAdapter interface
 * (./types.ts, unchanged) needs on top to let a cashier pick a reward
 * instead of an amount of points.
 *
 * An adapter whose `info.capabilities.redemption` is 'reward' implements
 * `RewardCatalogAdapter`: the two methods are optional on the type so that
 * the interface stays one, and `isRewardCatalog()` tells the service whether
 * they are there.
 *
 * The reward flow for the service (see the UiTPAS adapter for one
 * implementation):
 *   1. lookupMember(identifier) -> MemberAccount (a RewardMemberAccount: passType, social tariff);
 *   2. listRewards(member, {start, limit}) -> a page of offers, each with its
 *      points price, the discount it gives at this counter (terminal setting;
 *      null when none is configured) and whether this member can redeem it
 *      now, with the reason and the backend's (Dutch) message when not;
 *   3. checkReward(member, rewardId) when the cashier picks one: the reward
 *      as it is now and the backend's verdict; the service shows balance,
 *      points taken (reward.pointsMilli, 0 for welcome rewards), balance
 *      after and the discount, and lets the member confirm;
 *   4. redeem({...RedeemRequest, rewardId, pointsMilli: reward.pointsMilli})
 *      before payment; reverse() cancels it on a void (whole reward only).
 */
import type { LoyaltyAdapter, MemberAccount } from './types.js';

export { endUserText } from '../../shared/rewards.js';
export type { Redeemability, Reward, RewardOffer, RewardRefusalReason } from '../../shared/rewards.js';
import type { Redeemability, Reward, RewardOffer } from '../../shared/rewards.js';

export interface RewardPage {
  offers: RewardOffer[];
  /** All rewards matching, over every page. */
  totalItems: number;
  start: number;
  limit: number;
}

export interface RewardCheck {
  reward: Reward;
  availability: Redeemability;
}

export interface RewardPageRequest {
  start?: number;
  limit?: number;
}

/** A member of a reward backend: what the counter must show beyond the base account. */
export interface RewardMemberAccount extends MemberAccount {
  passholder?: {
    passholderId: string;
    passType: 'INDIVIDUAL' | 'GROUP';
    /** Entitled to social tariff only when status is ACTIVE (endDate may lie in a grace period). */
    socialTariff: { status: 'ACTIVE' | 'EXPIRED' | 'NONE'; endDate?: string };
  };
}

export interface RewardCatalogAdapter extends LoyaltyAdapter {
  /** The organizer's rewards that apply at this counter, one page, each checked for this member. */
  listRewards?(member: MemberAccount, page?: RewardPageRequest): Promise<RewardPage>;
  /** The reward as it is now and whether this member can redeem it now. */
  checkReward?(member: MemberAccount, rewardId: string): Promise<RewardCheck>;
}

export function isRewardCatalog(a: LoyaltyAdapter): a is RewardCatalogAdapter & Required<Pick<RewardCatalogAdapter, 'listRewards' | 'checkReward'>> {
  const r = a as RewardCatalogAdapter;
  return a.info.capabilities.redemption === 'reward' && typeof r.listRewards === 'function' && typeof r.checkReward === 'function';
}
