/**
 * Confirming a redemption: the local commit (sale + outbox row + log entry in
 * one transaction) comes before anything is sent, so a confirmed redemption
 * cannot be lost; online the worker sends it at once and confirm waits a
 * little for the answer, offline the offline policy decides first.
 */
import type { MethodInput } from '../../../shared/contract.js';
import { PosError } from '../../../shared/errors.js';
import { money } from '../../../shared/money.js';
import { buildQuote } from '../../../shared/quote.js';
import type { RedeemRequest } from '../../adapters/types.js';
import { memberOf, type CheckoutContext } from './context.js';
import { redeemRow } from './compensation.js';
import { checkValidationCode } from './flows/validation-code.js';
import { rewardQuote } from './flows/rewards.js';
import { requireTerms } from './member-session.js';
import { logOfflineDecision, offlineDecision } from './offline.js';
import type { OfflineDecision } from './types.js';

const DEFAULT_POST_WAIT_MS = 8000;

export async function confirmRedemption(ctx: CheckoutContext, input: MethodInput<'confirmRedemption'>): Promise<void> {
  const sale = ctx.store.sales.get(input.saleId);
  const session = ctx.members.get(sale.id);
  const offline = session?.lastKnown === true || !ctx.connectivity.online;
  let validationCode: string | undefined;
  if (ctx.adapter.info.capabilities.validationCode && session) {
    if (offline)
      throw new PosError(
        'BACKEND_UNAVAILABLE',
        'This program checks a code sent to the member, which needs the program online: points cannot be used offline.',
      );
    validationCode = await checkValidationCode(ctx, sale, session, input.pointsMilli, input.validationCode);
  }
  if (offline && session) {
    // Decide before anything is committed: past a limit nothing is queued without a manager.
    const decision = offlineDecision(ctx, sale, session, input.pointsMilli, input.approval, 0);
    commitRedemption(ctx, sale.id, input.pointsMilli, decision);
    ctx.worker.kick(); // sent at once if the backend is in fact back; otherwise when the probe sees it
    return;
  }
  const rowId = commitRedemption(ctx, input.saleId, input.pointsMilli, undefined, validationCode);
  await waitForAnswer(ctx, input.saleId, rowId, ctx.config.postWaitMs ?? DEFAULT_POST_WAIT_MS);
}

/**
 * Sends the row now and waits up to `waitMs` for the sale's answer: when
 * another till raced it and a new attempt follows after its pause (race.ts),
 * the wait goes on with that attempt for whatever time is left.
 */
async function waitForAnswer(ctx: CheckoutContext, saleId: string, rowId: number, waitMs: number): Promise<void> {
  const until = ctx.clock() + waitMs;
  let state = await ctx.worker.sendNow(rowId, waitMs);
  for (;;) {
    const latest = redeemRow(ctx, saleId);
    const left = until - ctx.clock();
    if (state === 'pending' || !latest || latest.id === rowId || latest.state !== 'pending' || left <= 0) return;
    rowId = latest.id;
    state = await ctx.worker.waitFor(rowId, left);
  }
}

/**
 * The local commit of a confirmed redemption: the sale moves on, its outbox
 * row and its log entry are written, all in one transaction. From here on
 * the redemption cannot be lost: the outbox will post it. With an offline
 * decision the sale is queued and payment may proceed; otherwise it is
 * 'posting' until the backend answers. Returns the outbox row id.
 */
export function commitRedemption(ctx: CheckoutContext, saleId: string, pointsMilli: number, offline?: OfflineDecision, validationCode?: string): number {
  const { store, config } = ctx;
  const sale = store.sales.get(saleId);
  if (sale.state !== 'quoted') throw new PosError('SALE_WRONG_STATE', 'Show the member the points and the discount first.');
  if (sale.points_milli !== pointsMilli) {
    throw new PosError('SALE_WRONG_STATE', 'The points changed since the member saw them: show the new figures and confirm again.');
  }
  const session = ctx.requireMember(sale);
  // Re-check against the rules: the member confirms what the rules allow, nothing else.
  const quote = sale.reward_id
    ? rewardQuote(sale, session)
    : buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, pointsMilli, requireTerms(session));
  const at = ctx.iso();
  const attempt = store.outbox.forSale(sale.id).filter((r) => r.kind === 'redeem').length + 1;
  const request: RedeemRequest = {
    reference: `${sale.id}.r${attempt}`,
    saleId: sale.id,
    member: { identifier: session.account.identifier, backendMemberId: session.account.backendMemberId },
    pointsMilli: quote.pointsMilli,
    terminalId: config.terminalId,
    storeId: config.storeId,
    requestedAt: at,
    // Earlier queued redemptions of this member reach the backend first (per-member order),
    // so the balance this one meets there is the one it was quoted against.
    balanceBeforeMilli: session.account.balanceMilli,
    ...(validationCode ? { validationCode } : {}),
    ...(sale.reward_id ? { rewardId: sale.reward_id } : {}),
  };
  const memberLog = memberOf(sale);
  return store.transaction(() => {
    store.sales.transition(sale.id, 'quoted', offline ? 'queued' : 'posting', {
      discount_cents: quote.discount.cents,
      offline_accepted: offline ? 1 : 0,
      error_json: null,
      updated_at: at,
    });
    const id = store.outbox.insert({
      sale_id: sale.id,
      kind: 'redeem',
      reference: request.reference,
      member_key: sale.member_hash ?? sale.id,
      payload: request,
      next_attempt_at: ctx.clock(),
      created_at: at,
    });
    ctx.log({
      kind: 'redeem.confirmed',
      saleId: sale.id,
      pointsMilli: quote.pointsMilli,
      amountCents: quote.discount.cents,
      outcome: 'ok',
      ...memberLog,
      detail: { reference: request.reference },
    });
    if (offline) logOfflineDecision(ctx, sale.id, quote.pointsMilli, offline, memberLog);
    return id;
  });
}

/** "Try now": sends the sale's waiting row at once (still in its member's order). */
export async function retryRedemption(ctx: CheckoutContext, input: MethodInput<'retryRedemption'>): Promise<void> {
  const sale = ctx.store.sales.get(input.saleId);
  const pending = ctx.store.outbox.forSale(sale.id).find((r) => r.state === 'pending');
  if (!pending) throw new PosError('SALE_WRONG_STATE', 'Nothing is waiting to be sent for this sale.');
  ctx.log({ kind: 'outbox.retry-now', saleId: sale.id, outcome: 'ok', ...memberOf(sale) });
  await waitForAnswer(ctx, sale.id, pending.id, ctx.config.postWaitMs ?? DEFAULT_POST_WAIT_MS);
}
