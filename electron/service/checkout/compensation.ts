/**
 * Giving points back: how many points a refund returns, the compensating
 * action queued for points that were taken (a reversal through the outbox,
 * or a "manual action needed" row where the backend cannot reverse), and the
 * withdrawal of a redemption a void caught before its answer.
 */
import { PosError } from '../../../shared/errors.js';
import { formatPoints } from '../../../shared/money.js';
import type { RedeemReceipt, RedeemRequest, ReverseRequest } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { SaleRow } from '../../store/sales.js';
import { byDetail, memberOf, type CheckoutContext } from './context.js';
import type { ApprovedBy } from './types.js';

/** The sale's latest redemption row (a sale re-confirmed after a refusal has several). */
export function redeemRow(ctx: CheckoutContext, saleId: string): OutboxRow | undefined {
  const rows = ctx.store.outbox.forSale(saleId).filter((r) => r.kind === 'redeem');
  return rows[rows.length - 1];
}

/**
 * The points a refund of `amountCents` gives back. Computed cumulatively, so
 * that many small refunds never return more than one refund of their sum:
 * the points due after this refund are the part of `takenMilli` in
 * proportion to all cents refunded so far, rounded up to the backend's
 * precision (the member's favour) and never more than was taken; this refund
 * returns what is due minus what earlier refunds already returned. (Rounding
 * each refund up on its own let ten 1-cent refunds of a 10.00 sale paid with
 * 10 points return all 10.) A full refund returns the rest.
 */
export function refundPoints(o: {
  takenMilli: number;
  /** Points (milli) earlier refunds of this sale already returned. */
  refundedMilli: number;
  /** Cents earlier refunds of this sale already refunded. */
  refundedCents: number;
  amountCents: number;
  basketCents: number;
  pointsDecimals: number;
  full: boolean;
}): number {
  const remaining = Math.max(0, o.takenMilli - o.refundedMilli);
  if (o.full) return remaining;
  const dueMilli = Math.min(o.takenMilli, pointsDueMilli(o.takenMilli, o.refundedCents + o.amountCents, o.basketCents, o.pointsDecimals));
  return Math.min(remaining, Math.max(0, dueMilli - o.refundedMilli));
}

/**
 * ceil(taken × refunded / basket) at the backend's precision, in BigInt:
 * points (milli) × cents can pass 2^53 on a large sale, where a float would
 * round silently.
 */
function pointsDueMilli(takenMilli: number, refundedCents: number, basketCents: number, pointsDecimals: number): number {
  if (basketCents <= 0) return takenMilli;
  const step = BigInt(10 ** (3 - pointsDecimals));
  const denominator = BigInt(basketCents) * step;
  const numerator = BigInt(takenMilli) * BigInt(refundedCents);
  const steps = (numerator + denominator - 1n) / denominator; // non-negative operands: this is ceil
  return Number(steps * step);
}

/** A void before the backend answered: withdraw the unsent row, or mark the one in flight. */
export function withdrawOrMark(ctx: CheckoutContext, sale: SaleRow, by: ApprovedBy | null): void {
  const { store } = ctx;
  const row = redeemRow(ctx, sale.id);
  const at = ctx.iso();
  const member = memberOf(sale);
  store.transaction(() => {
    const inFlight = row ? ctx.worker.isInFlight(row.id) : false;
    if (row && row.state === 'pending' && !inFlight && row.needs_check === 0 && store.outbox.cancel(row.id, at, 'withdrawn by a void before it was sent')) {
      const to = sale.state === 'paid' ? 'voided' : 'cancelled';
      store.sales.transition(sale.id, sale.state, to, { updated_at: at, ...(to === 'voided' ? { voided_at: at } : {}) });
      ctx.log({
        kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled',
        saleId: sale.id,
        pointsMilli: sale.points_milli,
        outcome: 'ok',
        ...member,
        detail: { ...byDetail(by), withdrawn: row.reference },
      });
    } else {
      // In flight: the answer decides. Taken -> the refund follows; not taken -> nothing is sent.
      store.sales.patch(sale.id, sale.state, { void_requested: 1, updated_at: at });
      ctx.log({ kind: 'sale.void-requested', saleId: sale.id, pointsMilli: sale.points_milli, outcome: 'ok', ...member, detail: byDetail(by) });
    }
  });
}

/**
 * Queues the compensating action for points that were taken, by the
 * adapter's declared capability: a reversal through the outbox (same member
 * queue, so never before the redemption it compensates), or, where the
 * backend cannot reverse (or not partly), a "manual action needed" row that
 * stays on the manager's list. Call inside a transaction.
 */
export function enqueueCompensation(ctx: CheckoutContext, sale: SaleRow, pointsMilli: number, kind: 'void' | 'partial'): void {
  const { store, adapter, config } = ctx;
  const redeem = redeemRow(ctx, sale.id);
  if (!redeem || redeem.state !== 'done' || !redeem.result) throw new PosError('INTERNAL', 'No posted redemption to compensate.');
  const original = JSON.parse(redeem.payload) as RedeemRequest;
  const receipt = JSON.parse(redeem.result) as RedeemReceipt;
  const n = store.outbox.forSale(sale.id).filter((r) => r.kind === 'reverse').length + 1;
  const at = ctx.iso();
  const request: ReverseRequest = {
    reference: `${sale.id}.v${n}`,
    saleId: sale.id,
    member: original.member,
    pointsMilli,
    original: { ...original, receipt },
    terminalId: config.terminalId,
    storeId: config.storeId,
    requestedAt: at,
  };
  const reversal = adapter.info.capabilities.reversal;
  const row = { sale_id: sale.id, kind: 'reverse' as const, reference: request.reference, member_key: redeem.member_key, payload: request, created_at: at };
  const member = memberOf(sale);
  if (reversal === 'none' || (reversal === 'full' && (kind === 'partial' || pointsMilli !== original.pointsMilli))) {
    const txn = receipt.detail && (receipt.detail as Record<string, unknown>).txnNumber;
    const why = `Manual action needed at ${adapter.info.name}: give back ${formatPoints(pointsMilli)} points to the member${txn ? ` (transaction ${String(txn)})` : ''}; ${reversal === 'none' ? 'this program cannot reverse through its API' : 'this program reverses only whole redemptions'}.`;
    store.outbox.insertForAttention({ ...row, why });
    ctx.log({
      kind: 'refund.manual-action',
      saleId: sale.id,
      pointsMilli,
      outcome: 'REVERSAL_NOT_SUPPORTED',
      ...member,
      detail: { reference: request.reference, message: why },
    });
    return;
  }
  store.outbox.insert({ ...row, next_attempt_at: ctx.clock() });
  ctx.log({ kind: 'refund.queued', saleId: sale.id, pointsMilli, outcome: 'ok', ...member, detail: { reference: request.reference, of: original.reference } });
}
