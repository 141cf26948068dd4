/**
 * The sale's own commands: start, change the basket, take payment, cancel,
 * void (a manager) and refund (a manager). Points given back go through
 * compensation.ts.
 */
import type { MethodInput } from '../../../shared/contract.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import { PosError } from '../../../shared/errors.js';
import { formatPoints } from '../../../shared/money.js';
import { randomBytes } from 'node:crypto';
import { byDetail, memberOf, type CheckoutContext } from './context.js';
import { enqueueCompensation, redeemRow, refundPoints, withdrawOrMark } from './compensation.js';
import { EDITABLE_STATES } from './member-session.js';

/** Time-ordered, unguessable sale ids: sort by creation, safe in URLs and references. */
export function newSaleId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}

export function startSale(ctx: CheckoutContext, input: MethodInput<'startSale'>): string {
  const id = newSaleId(ctx.clock());
  const at = ctx.iso();
  ctx.store.transaction(() => {
    ctx.store.sales.insert({
      id,
      created_at: at,
      terminal_id: ctx.config.terminalId,
      cashier: ctx.actor(),
      state: 'open',
      currency: ctx.config.currency,
      basket_cents: input.basketCents,
    });
    ctx.log({ kind: 'sale.started', saleId: id, amountCents: input.basketCents, outcome: 'ok' });
  });
  return id;
}

export function setBasket(ctx: CheckoutContext, input: MethodInput<'setBasket'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (!EDITABLE_STATES.includes(sale.state)) {
    throw new PosError('SALE_WRONG_STATE', 'The basket cannot change once the points are confirmed.');
  }
  // A changed basket invalidates any quote: back to choosing points.
  const to = sale.state === 'open' ? 'open' : 'identified';
  store.transaction(() => {
    store.sales.transition(sale.id, sale.state, to, {
      basket_cents: input.basketCents,
      points_milli: null,
      discount_cents: null,
      error_json: null,
      updated_at: ctx.iso(),
    });
    ctx.log({ kind: 'sale.basket', saleId: sale.id, amountCents: input.basketCents, outcome: 'ok' });
  });
}

export function markPaid(ctx: CheckoutContext, input: MethodInput<'markPaid'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (sale.state !== 'posted' && !(sale.state === 'queued' && sale.offline_accepted === 1)) {
    throw new PosError('SALE_WRONG_STATE', 'Payment can be taken once the loyalty program (or the offline policy) has accepted the points.');
  }
  const at = ctx.iso();
  store.transaction(() => {
    store.sales.transition(sale.id, sale.state, 'paid', { paid_at: at, updated_at: at });
    ctx.log({
      kind: 'sale.paid',
      saleId: sale.id,
      amountCents: sale.basket_cents - (sale.discount_cents ?? 0),
      pointsMilli: sale.points_milli,
      outcome: 'ok',
      ...memberOf(sale),
    });
  });
  ctx.members.delete(sale.id);
}

/**
 * Closes a sale before any points were taken. A redemption still waiting in
 * the queue is withdrawn in the same transaction; one being sent right now
 * is marked, and settles as a void when its answer arrives.
 */
export function cancelSale(ctx: CheckoutContext, input: MethodInput<'cancelSale'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (sale.state === 'cancelled' || sale.state === 'voided') throw new PosError('ALREADY_VOIDED');
  if (EDITABLE_STATES.includes(sale.state)) {
    store.transaction(() => {
      store.sales.transition(sale.id, sale.state, 'cancelled', { updated_at: ctx.iso() });
      ctx.log({ kind: 'sale.cancelled', saleId: sale.id, outcome: 'ok', ...memberOf(sale) });
    });
  } else if (sale.state === 'posting' || sale.state === 'queued') {
    withdrawOrMark(ctx, sale, null);
  } else {
    throw new PosError('MANAGER_REQUIRED', 'The points were taken: a manager must void this sale.');
  }
  ctx.members.delete(sale.id);
}

/** Voids a sale after its points were (or may have been) taken. Needs a manager. */
export function voidSale(ctx: CheckoutContext, input: MethodInput<'voidSale'>): void {
  const { store, adapter } = ctx;
  const sale = store.sales.get(input.saleId);
  if (sale.state === 'cancelled' || sale.state === 'voided' || sale.void_requested === 1) throw new PosError('ALREADY_VOIDED');
  if (EDITABLE_STATES.includes(sale.state)) return cancelSale(ctx, { saleId: sale.id });
  const manager = ctx.approve(input.approval, 'sale.void', sale.id);
  const by = { manager, reason: input.approval.reason };
  const redeem = redeemRow(ctx, sale.id);
  // Not answered yet, or nobody can tell (a manager's decision will settle it): the void waits for that answer.
  const unanswered = redeem?.state === 'pending' || (redeem?.state === 'attention' && redeem.needs_check === 1);
  if (sale.state === 'posting' || sale.state === 'queued' || (sale.state === 'paid' && unanswered)) {
    withdrawOrMark(ctx, sale, by);
  } else if (redeem?.state === 'refused' || redeem?.state === 'cancelled' || !redeem) {
    // Paid, but the backend never took the points: nothing to give back.
    store.transaction(() => {
      store.sales.transition(sale.id, sale.state, 'voided', { voided_at: ctx.iso(), updated_at: ctx.iso() });
      ctx.log({
        kind: 'sale.voided',
        saleId: sale.id,
        outcome: 'ok',
        ...memberOf(sale),
        detail: { ...byDetail(by), compensation: 'none: no points were taken' },
      });
    });
  } else if (redeem.state === 'attention') {
    // The redemption already waits for a manager: refused after an offline sale (nothing was
    // taken), or its outcome is unknown (the points may have been taken). The void closes the
    // sale; in the unknown case a person must check at the backend and give back what was taken.
    const unknown = (sale.error_json ? (JSON.parse(sale.error_json) as ErrorInfo).code : 'OUTCOME_UNKNOWN') === 'OUTCOME_UNKNOWN';
    const at = ctx.iso();
    store.transaction(() => {
      store.sales.transition(sale.id, sale.state, 'voided', { voided_at: at, updated_at: at });
      ctx.log({
        kind: 'sale.voided',
        saleId: sale.id,
        outcome: 'ok',
        ...memberOf(sale),
        detail: { ...byDetail(by), compensation: unknown ? 'manual check' : 'none: no points were taken' },
      });
      if (unknown) {
        const why = `Manual action needed at ${adapter.info.name}: check whether redemption ${redeem.reference} took ${formatPoints(sale.points_milli ?? 0)} points, and if it did, give them back (the sale was voided).`;
        store.outbox.insertForAttention({
          sale_id: sale.id,
          kind: 'reverse',
          reference: `${sale.id}.v-check`,
          member_key: redeem.member_key,
          payload: { reference: `${sale.id}.v-check`, saleId: sale.id, pointsMilli: sale.points_milli ?? 0 },
          created_at: at,
          why,
        });
        ctx.log({
          kind: 'refund.manual-action',
          saleId: sale.id,
          pointsMilli: sale.points_milli,
          outcome: 'OUTCOME_UNKNOWN',
          ...memberOf(sale),
          detail: { message: why },
        });
      }
    });
  } else {
    const remaining = (sale.points_milli ?? 0) - sale.refunded_points_milli;
    store.transaction(() => {
      store.sales.transition(sale.id, sale.state, 'voided', {
        voided_at: ctx.iso(),
        updated_at: ctx.iso(),
        refunded_cents: sale.basket_cents,
        refunded_points_milli: sale.points_milli ?? 0,
      });
      ctx.log({ kind: 'sale.voided', saleId: sale.id, pointsMilli: remaining, outcome: 'ok', ...memberOf(sale), detail: byDetail(by) });
      // A welcome reward takes no points but still counts against its limits: cancel it too.
      if (remaining > 0 || sale.reward_id) enqueueCompensation(ctx, sale, remaining, 'void');
    });
    ctx.worker.kick();
  }
  ctx.members.delete(sale.id);
}

/** Gives back points for part (or all) of a paid sale. Needs a manager. */
export function refundSale(ctx: CheckoutContext, input: MethodInput<'refundSale'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (sale.state === 'voided' || sale.state === 'cancelled') throw new PosError('ALREADY_VOIDED');
  if (sale.state !== 'paid') throw new PosError('SALE_WRONG_STATE', 'Only a paid sale can be refunded.');
  const remainingCents = sale.basket_cents - sale.refunded_cents;
  if (input.amountCents > remainingCents) {
    throw new PosError('AMOUNT_INVALID', `At most ${(remainingCents / 100).toFixed(2)} remains to refund on this sale.`, {
      details: { limitCents: remainingCents },
    });
  }
  const redeem = redeemRow(ctx, sale.id);
  if (redeem?.state === 'pending')
    throw new PosError('SALE_WRONG_STATE', 'The points are still waiting to be sent: void the sale instead, or refund once they are posted.');
  const manager = ctx.approve(input.approval, 'sale.refund', sale.id);
  const full = input.amountCents === remainingCents;
  const points = refundPoints({
    takenMilli: redeem?.state === 'done' ? (sale.points_milli ?? 0) : 0,
    refundedMilli: sale.refunded_points_milli,
    refundedCents: sale.refunded_cents,
    amountCents: input.amountCents,
    basketCents: sale.basket_cents,
    pointsDecimals: ctx.adapter.info.capabilities.pointsDecimals,
    full,
  });
  const at = ctx.iso();
  store.transaction(() => {
    const patch = { refunded_cents: sale.refunded_cents + input.amountCents, refunded_points_milli: sale.refunded_points_milli + points, updated_at: at };
    if (full) store.sales.transition(sale.id, 'paid', 'voided', { ...patch, voided_at: at });
    else store.sales.patch(sale.id, 'paid', patch);
    ctx.log({
      kind: 'sale.refunded',
      saleId: sale.id,
      amountCents: input.amountCents,
      pointsMilli: points,
      outcome: 'ok',
      ...memberOf(sale),
      detail: { ...byDetail({ manager, reason: input.approval.reason }), full },
    });
    if (points > 0) enqueueCompensation(ctx, sale, points, full && sale.refunded_points_milli === 0 ? 'void' : 'partial');
  });
  ctx.worker.kick();
}
