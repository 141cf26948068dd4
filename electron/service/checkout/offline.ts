/**
 * The offline policy at the counter: when the backend cannot be reached, a
 * redemption is accepted against the member's last known balance within the
 * store's limits; past a limit only a manager can approve (and some limits no
 * one can override).
 */
import type { MethodInput } from '../../../shared/contract.js';
import { PosError } from '../../../shared/errors.js';
import type { SaleRow } from '../../store/sales.js';
import { DEFAULT_OFFLINE_LIMITS, evaluateOffline, OFFLINE_POLICY_SETTING, validateLimits, type OfflineLimits } from '../offline-policy.js';
import { memberOf, type CheckoutContext } from './context.js';
import type { Approval, MemberSession, OfflineDecision } from './types.js';

function offlineLimits(ctx: CheckoutContext): OfflineLimits {
  const raw = ctx.store.getSetting(OFFLINE_POLICY_SETTING);
  return raw ? validateLimits(JSON.parse(raw)) : DEFAULT_OFFLINE_LIMITS;
}

/** Applies the offline policy; throws OFFLINE_LIMIT naming every limit passed, unless a manager approved. */
export function offlineDecision(
  ctx: CheckoutContext,
  sale: SaleRow,
  session: MemberSession,
  pointsMilli: number,
  approval: Approval | undefined,
  alreadyQueuedOwn: number,
): OfflineDecision {
  const { outbox } = ctx.store;
  const breaches = evaluateOffline(offlineLimits(ctx), {
    pointsMilli,
    lastKnownBalanceMilli: session.backendBalanceMilli,
    queuedForMemberMilli: outbox.outstandingRedeemMilli(sale.member_hash ?? sale.id) - alreadyQueuedOwn,
    queuedTotalMilli: outbox.outstandingRedeemMilli() - alreadyQueuedOwn,
    balanceFetchedAtMs: Date.parse(session.fetchedAt),
    nowMs: ctx.clock(),
  });
  if (sale.reward_id) {
    // Volume, period and card-system rules live at the backend: a last known balance cannot check them.
    breaches.push({ limit: 'rewardRules', overridable: true, message: "Offline, the reward's limits and period cannot be checked." });
  }
  if (breaches.length === 0) return { breaches, manager: null, reason: null };
  const details = { breaches };
  const hard = breaches.filter((b) => !b.overridable);
  if (hard.length > 0) {
    ctx.log({ kind: 'offline.refused', saleId: sale.id, pointsMilli, outcome: 'OFFLINE_LIMIT', ...memberOf(sale), detail: details });
    throw new PosError('OFFLINE_LIMIT', `Offline, these points cannot be used: ${hard.map((b) => b.message).join(' ')}`, {
      details: { ...details, overridable: false },
    });
  }
  if (!approval) {
    ctx.log({ kind: 'offline.refused', saleId: sale.id, pointsMilli, outcome: 'OFFLINE_LIMIT', ...memberOf(sale), detail: details });
    throw new PosError('OFFLINE_LIMIT', `Offline limit reached: ${breaches.map((b) => b.message).join(' ')} A manager can approve.`, {
      details: { ...details, overridable: true },
    });
  }
  const manager = ctx.approve(approval, 'offline.override', sale.id);
  return { breaches, manager, reason: approval.reason };
}

export function logOfflineDecision(
  ctx: CheckoutContext,
  saleId: string,
  pointsMilli: number,
  d: OfflineDecision,
  member: { memberHash: string | null; memberMasked: string | null },
): void {
  ctx.log({
    kind: d.manager ? 'offline.override' : 'offline.accepted',
    saleId,
    pointsMilli,
    outcome: 'ok',
    ...member,
    detail: d.manager ? { managerId: d.manager.id, manager: d.manager.name, reason: d.reason, limits: d.breaches.map((b) => b.limit) } : { limits: [] },
  });
}

/**
 * The backend stopped answering after the member confirmed: let the sale
 * proceed to payment on the offline policy (a manager approves past a limit).
 */
export function acceptOffline(ctx: CheckoutContext, input: MethodInput<'acceptOffline'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (sale.state !== 'queued') throw new PosError('SALE_WRONG_STATE', 'Only a redemption waiting for the loyalty program can be accepted offline.');
  if (sale.offline_accepted === 1) return;
  const session = ctx.requireMember(sale);
  const own = sale.points_milli ?? 0; // its own row is already in the queue
  const decision = offlineDecision(ctx, sale, session, own, input.approval, own);
  store.transaction(() => {
    store.sales.patch(sale.id, 'queued', { offline_accepted: 1, updated_at: ctx.iso() });
    logOfflineDecision(ctx, sale.id, own, decision, memberOf(sale));
  });
}
