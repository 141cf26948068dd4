/**
 * Reward programs (UiTPAS): the member picks a reward from the catalogue;
 * the backend confirms it is redeemable now, the quote is its fixed price.
 */
import type { MethodInput, MethodResult } from '../../../../shared/contract.js';
import type { Quote } from '../../../../shared/domain.js';
import { PosError, TRANSIENT_CODES, toErrorInfo, type ErrorInfo } from '../../../../shared/errors.js';
import { formatPoints, money } from '../../../../shared/money.js';
import type { Redeemability, Reward } from '../../../../shared/rewards.js';
import { isRewardCatalog } from '../../../adapters/rewards.js';
import type { SaleRow } from '../../../store/sales.js';
import { memberOf, type CheckoutContext } from '../context.js';
import type { MemberSession } from '../types.js';
import { offlineAvailability, offlineOffers } from './rewards-offline.js';

export async function listRewards(ctx: CheckoutContext, input: MethodInput<'listRewards'>): Promise<MethodResult<'listRewards'>> {
  const sale = ctx.store.sales.get(input.saleId);
  const session = ctx.requireMember(sale);
  if (!isRewardCatalog(ctx.adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
  const memberHash = sale.member_hash ?? sale.id;
  // The page is remembered as asked for (0 = the adapter's default size), which is how it is asked for again.
  const start = input.start ?? 0;
  const limitKey = input.limit ?? 0;
  let failure: ErrorInfo | null = null;
  if (!session.lastKnown && ctx.connectivity.online) {
    try {
      const page = await ctx.adapter.listRewards(session.account, { start: input.start, limit: input.limit });
      ctx.connectivity.reportAnswer();
      ctx.store.rewards.remember(memberHash, start, limitKey, page, ctx.iso());
      return page;
    } catch (e) {
      failure = toErrorInfo(e);
      ctx.connectivity.reportFailure(failure.code);
      if (!TRANSIENT_CODES.has(failure.code)) throw e;
    }
  }
  // Offline: the member's last known catalogue, judged again against what the terminal can tell.
  const cached = ctx.store.rewards.recall(memberHash, start, limitKey);
  if (!cached) {
    throw new PosError(
      failure?.code ?? 'BACKEND_UNAVAILABLE',
      "The loyalty program cannot be reached and this terminal has not seen this member's rewards before, so no reward can be chosen until it is back.",
    );
  }
  const offers = offlineOffers(cached.page.offers, session.account.balanceMilli ?? 0, ctx.clock());
  return { ...cached.page, offers, lastKnownAt: cached.fetchedAt };
}

/**
 * Picks a catalogue reward: the backend confirms the member can redeem it
 * now (or says why not, in the member's language), then the quote shows
 * its points price and the discount it gives at this counter. Offline, the
 * reward as last seen in the member's catalogue, judged by what the terminal
 * can tell; the offline policy (with a manager) decides at confirmation.
 */
export async function chooseReward(ctx: CheckoutContext, input: MethodInput<'chooseReward'>): Promise<void> {
  const { store, adapter } = ctx;
  const sale = store.sales.get(input.saleId);
  if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
  const session = ctx.requireMember(sale);
  if (!isRewardCatalog(adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
  const member = memberOf(sale);
  let check: { reward: Reward; availability: Redeemability; lastKnownAt?: string } | null = null;
  if (!session.lastKnown && ctx.connectivity.online) {
    try {
      check = await adapter.checkReward(session.account, input.rewardId);
      ctx.connectivity.reportAnswer();
    } catch (e) {
      const info = toErrorInfo(e);
      ctx.connectivity.reportFailure(info.code);
      ctx.log({ kind: 'quote', saleId: sale.id, outcome: info.code, ...member, detail: { rewardId: input.rewardId } });
      if (!TRANSIENT_CODES.has(info.code)) throw e;
    }
  }
  if (!check) {
    const seen = store.rewards.findReward(sale.member_hash ?? sale.id, input.rewardId);
    if (!seen) throw new PosError('BACKEND_UNAVAILABLE', "The loyalty program cannot be reached and this reward is not in the member's last known catalogue.");
    check = { reward: seen.offer, availability: offlineAvailability(seen.offer, session.account.balanceMilli ?? 0, ctx.clock()), lastKnownAt: seen.fetchedAt };
  }
  const { reward, availability } = check;
  const offline = check.lastKnownAt ? { offline: true, catalogueAt: check.lastKnownAt } : {};
  if (!availability.redeemable) {
    ctx.log({
      kind: 'quote',
      saleId: sale.id,
      pointsMilli: reward.pointsMilli,
      outcome: 'REWARD_NOT_REDEEMABLE',
      ...member,
      detail: { rewardId: reward.id, reason: availability.reason, ...offline },
    });
    throw new PosError('REWARD_NOT_REDEEMABLE', `"${reward.title}" cannot be redeemed now (${availability.reason.toLowerCase().replace(/_/g, ' ')}).`, {
      endUserMessage: availability.message,
      details: { reason: availability.reason, rewardId: reward.id },
    });
  }
  const balance = session.account.balanceMilli ?? 0;
  if (reward.pointsMilli > balance) {
    throw new PosError('POINTS_ABOVE_BALANCE', `"${reward.title}" costs ${formatPoints(reward.pointsMilli)} points; the member has ${formatPoints(balance)}.`);
  }
  // The discount is this counter's setting for the reward, never more than the basket.
  const discount = Math.min(reward.discount?.cents ?? 0, sale.basket_cents);
  session.reward = reward;
  store.transaction(() => {
    store.sales.transition(sale.id, sale.state, 'quoted', {
      points_milli: reward.pointsMilli,
      discount_cents: discount,
      reward_id: reward.id,
      error_json: null,
      updated_at: ctx.iso(),
    });
    ctx.log({
      kind: 'quote',
      saleId: sale.id,
      pointsMilli: reward.pointsMilli,
      amountCents: discount,
      outcome: 'ok',
      ...member,
      detail: { rewardId: reward.id, reward: reward.title, ...offline },
    });
  });
}

/** A reward's quote: its fixed points price and the discount chosen at chooseReward. */
export function rewardQuote(sale: SaleRow, session: MemberSession): Quote {
  const points = sale.points_milli ?? 0;
  const balance = session.account.balanceMilli ?? 0;
  if (points > balance) throw new PosError('POINTS_ABOVE_BALANCE', `The member has ${formatPoints(balance)} points.`);
  const discount = sale.discount_cents ?? 0;
  return {
    pointsMilli: points,
    discount: money(discount, sale.currency),
    balanceBeforeMilli: balance,
    balanceAfterMilli: balance - points,
    toPay: money(sale.basket_cents - discount, sale.currency),
  };
}
