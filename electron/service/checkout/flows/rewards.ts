/**
 * Reward programs (UiTPAS): the member picks a reward from the catalogue;
 * the backend confirms it is redeemable now, the quote is its fixed price.
 */
import type { MethodInput, MethodResult } from '../../../../shared/contract.js';
import type { Quote } from '../../../../shared/domain.js';
import { PosError, toErrorInfo } from '../../../../shared/errors.js';
import { formatPoints, money } from '../../../../shared/money.js';
import { isRewardCatalog } from '../../../adapters/rewards.js';
import type { SaleRow } from '../../../store/sales.js';
import { memberOf, type CheckoutContext } from '../context.js';
import type { MemberSession } from '../types.js';

export async function listRewards(ctx: CheckoutContext, input: MethodInput<'listRewards'>): Promise<MethodResult<'listRewards'>> {
  const sale = ctx.store.sales.get(input.saleId);
  const session = ctx.requireMember(sale);
  if (!isRewardCatalog(ctx.adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
  try {
    const page = await ctx.adapter.listRewards(session.account, { start: input.start, limit: input.limit });
    ctx.connectivity.reportAnswer();
    return page;
  } catch (e) {
    ctx.connectivity.reportFailure(toErrorInfo(e).code);
    throw e;
  }
}

/**
 * Picks a catalogue reward: the backend confirms the member can redeem it
 * now (or says why not, in the member's language), then the quote shows
 * its points price and the discount it gives at this counter.
 */
export async function chooseReward(ctx: CheckoutContext, input: MethodInput<'chooseReward'>): Promise<void> {
  const { store, adapter } = ctx;
  const sale = store.sales.get(input.saleId);
  if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
  const session = ctx.requireMember(sale);
  if (!isRewardCatalog(adapter)) throw new PosError('NOT_SUPPORTED', 'This program has no reward catalogue: choose an amount of points.');
  const member = memberOf(sale);
  let check;
  try {
    check = await adapter.checkReward(session.account, input.rewardId);
    ctx.connectivity.reportAnswer();
  } catch (e) {
    const info = toErrorInfo(e);
    ctx.connectivity.reportFailure(info.code);
    ctx.log({ kind: 'quote', saleId: sale.id, outcome: info.code, ...member, detail: { rewardId: input.rewardId } });
    throw e;
  }
  const { reward, availability } = check;
  if (!availability.redeemable) {
    ctx.log({
      kind: 'quote',
      saleId: sale.id,
      pointsMilli: reward.pointsMilli,
      outcome: 'REWARD_NOT_REDEEMABLE',
      ...member,
      detail: { rewardId: reward.id, reason: availability.reason },
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
      detail: { rewardId: reward.id, reward: reward.title },
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
