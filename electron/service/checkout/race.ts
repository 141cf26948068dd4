/**
 * Two tills, one member, the same moment (issue 20, item 6).
 *
 * White Label has no conditional write: two tills can both read a balance
 * that covers their redemption, both post, and together overdraw it. Its
 * adapter then reads again and, finding the wallet below zero, gives its own
 * redemption back at once (`<reference>.undo`) and refuses it as "raced"
 * (details.raced). When both tills do that at the same moment, both are
 * refused although either alone was covered.
 *
 * The rule here: a redemption refused as raced was certainly not applied
 * (the backend answered both the post and its undo), so it is sent again as
 * a NEW attempt (a new reference, `<sale>.r<n+1>`: never the old one, whose
 * transactionId the engine has already seen) after a random pause, up to
 * MAX_RACE_RESENDS times. Each resend reads the balance first, as every
 * attempt does, so it is refused if the other till's redemption kept the
 * points, and it undoes itself again if it overdraws. The random pauses are
 * what break the tie: the till that goes first wins, the other then reads the
 * lower balance. So when either redemption alone is covered, one of them
 * succeeds unless every resend collides again; and at rest the balance is
 * never below zero, because every attempt that overdraws undoes itself.
 *
 * This is not a blind resend (no backend here deduplicates a post): nothing
 * is in doubt, the old attempt's effect and its undo were both answered.
 */
import type { ErrorInfo } from '../../../shared/errors.js';
import type { RedeemRequest } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { SaleRow } from '../../store/sales.js';
import { memberOf, type CheckoutContext } from './context.js';

/** How many times one confirmed redemption is sent again after a race (then it is refused as before). */
export const MAX_RACE_RESENDS = 3;
/**
 * The first pause is drawn from [0, this); each further one from a window
 * twice as wide, so two tills that collided again are ever less likely to.
 */
export const DEFAULT_RACE_RESEND_WINDOW_MS = 1500;

/** The backend answered: another till's redemption overdrew the member, ours was undone. */
export function isRaced(error: ErrorInfo | undefined): boolean {
  return error?.details?.raced === true && error.details.notApplied === true;
}

/** How many times this redemption was already sent again after a race. */
export function raceResends(row: OutboxRow): number {
  return (JSON.parse(row.payload) as RedeemRequest).raceResends ?? 0;
}

/** A raced refusal of this row is sent again (instead of refusing the sale). */
export function resendsAfterRace(row: OutboxRow, sale: SaleRow, error: ErrorInfo | undefined): boolean {
  return row.kind === 'redeem' && isRaced(error) && sale.void_requested !== 1 && raceResends(row) < MAX_RACE_RESENDS;
}

/**
 * Queues the new attempt for a raced redemption: the same points, member and
 * facts under the next reference, due after a random pause. Call inside the
 * transaction that stores the raced row's outcome. Returns the new reference.
 */
export function queueRaceResend(ctx: CheckoutContext, sale: SaleRow, row: OutboxRow): string {
  const { store } = ctx;
  const before = JSON.parse(row.payload) as RedeemRequest;
  const attempt = store.outbox.forSale(sale.id).filter((r) => r.kind === 'redeem').length + 1;
  const resends = (before.raceResends ?? 0) + 1;
  const windowMs = (ctx.config.raceResendWindowMs ?? DEFAULT_RACE_RESEND_WINDOW_MS) * 2 ** (resends - 1);
  const pauseMs = Math.floor(ctx.random() * windowMs);
  const request: RedeemRequest = { ...before, reference: `${sale.id}.r${attempt}`, requestedAt: ctx.iso(), raceResends: resends };
  store.outbox.insert({
    sale_id: sale.id,
    kind: 'redeem',
    reference: request.reference,
    member_key: row.member_key,
    payload: request,
    next_attempt_at: ctx.clock() + pauseMs,
    created_at: ctx.iso(),
  });
  ctx.log({
    kind: 'redeem.resend-after-race',
    saleId: sale.id,
    pointsMilli: before.pointsMilli,
    outcome: 'ok',
    ...memberOf(sale),
    detail: { of: row.reference, reference: request.reference, resend: resends, pauseMs },
  });
  return request.reference;
}
