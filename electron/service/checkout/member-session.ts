/**
 * The member of an open sale: identified online (the backend's balance and
 * terms) or offline (the last known balance this terminal remembers).
 */
import type { RedemptionTerms } from '../../../shared/domain.js';
import { PosError, TRANSIENT_CODES, toErrorInfo, type ErrorInfo } from '../../../shared/errors.js';
import { maskIdentifier, requireMemberIdentifier, type MemberIdentifier } from '../../../shared/member-number.js';
import type { MethodInput } from '../../../shared/contract.js';
import type { MemberAccount, RedeemRequest, ReverseRequest } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { CachedMember } from '../../store/member-cache.js';
import type { CheckoutContext } from './context.js';
import type { MemberSession } from './types.js';

export const EDITABLE_STATES = ['open', 'identified', 'quoted', 'refused'];

/**
 * The member's usable balance is what the backend says less what this
 * terminal still has to send for them: never quote points twice.
 */
export function newSession(
  ctx: CheckoutContext,
  account: MemberAccount,
  terms: RedemptionTerms | null,
  fetchedAt: string,
  lastKnown: boolean,
  memberHash: string,
): MemberSession {
  const backendBalanceMilli = account.balanceMilli ?? 0;
  const queuedMilli = ctx.store.outbox.outstandingRedeemMilli(memberHash);
  return {
    account: { ...account, balanceMilli: account.balanceMilli === null ? null : backendBalanceMilli - queuedMilli },
    terms,
    fetchedAt,
    lastKnown,
    backendBalanceMilli,
    queuedMilli,
  };
}

export function requireTerms(session: MemberSession): RedemptionTerms {
  if (session.terms) return session.terms;
  const b = session.blocked;
  throw new PosError(b?.code ?? 'REDEMPTION_NOT_ACTIVE', b?.message, b?.endUserMessage ? { endUserMessage: b.endUserMessage } : {});
}

/**
 * Identifies the sale's member: the backend's account and terms, or, when it
 * cannot be reached, the last known balance (the offline policy decides at
 * confirmation). Remembers the member for later offline sales in the same
 * commit as the sale's change.
 */
export async function identifyMember(ctx: CheckoutContext, input: MethodInput<'identifyMember'>): Promise<void> {
  const { store, adapter } = ctx;
  const sale = store.sales.get(input.saleId);
  if (!EDITABLE_STATES.includes(sale.state)) {
    throw new PosError('SALE_WRONG_STATE', 'The member cannot change once the points are confirmed.');
  }
  if (!adapter.info.capabilities.balanceAtCounter) {
    throw new PosError('NOT_SUPPORTED', `${adapter.info.name} has no points balance at the counter: enrol the customer's card in an offer instead.`);
  }
  let identifier;
  try {
    identifier = requireMemberIdentifier(input.input, adapter.info.capabilities.identifiers);
    // A member app code carries a session secret: the adapter keeps it for this sale and
    // gives back the plain id; nothing below (log, hash, store, outbox) ever sees the code.
    if (identifier.kind === 'appCode') {
      if (!adapter.acceptAppCode) throw new PosError('MEMBER_NUMBER_FORMAT', 'This loyalty program does not take app codes.', { details: { read: 'GP1:…' } });
      identifier = adapter.acceptAppCode(identifier);
    }
  } catch (e) {
    ctx.log({ kind: 'member.refused', saleId: sale.id, outcome: (e as PosError).code, detail: { source: input.source, length: input.input.length } });
    throw e;
  }
  const masked = maskIdentifier(identifier.value);
  const memberHash = store.memberKey(memberKeyKind(identifier), identifier.value);
  let session: MemberSession;
  let toRemember: CachedMember | null = null;
  try {
    const account = await adapter.lookupMember(identifier);
    let terms: RedemptionTerms | null = null;
    let blocked: ErrorInfo | undefined;
    try {
      terms = await adapter.getTerms(account);
    } catch (e) {
      // The member exists but the program will not redeem now (e.g. an inactive redemption
      // configuration): show the balance with the reason rather than refusing the member.
      if (!(e instanceof PosError) || TRANSIENT_CODES.has(e.code)) throw e;
      blocked = e.toInfo();
    }
    ctx.connectivity.reportAnswer();
    const fetchedAt = ctx.iso();
    const backendBalance = account.balanceMilli ?? 0;
    // Remembered (for the offline policy) in the same transaction as the sale below: one commit.
    if (terms) toRemember = { identifier, backendMemberId: account.backendMemberId, balanceMilli: backendBalance, terms, fetchedAt };
    session = newSession(ctx, account, terms, fetchedAt, false, memberHash);
    if (blocked) session.blocked = blocked;
  } catch (e) {
    const info = toErrorInfo(e);
    ctx.connectivity.reportFailure(info.code);
    const cached = TRANSIENT_CODES.has(info.code) ? store.members.recall(memberHash) : undefined;
    if (!cached) {
      ctx.log({ kind: 'member.refused', saleId: sale.id, outcome: info.code, memberMasked: masked, memberHash, detail: { source: input.source } });
      if (TRANSIENT_CODES.has(info.code)) {
        throw new PosError(info.code, `${info.message} This member has no last known balance on this terminal, so points cannot be used until it is back.`);
      }
      throw e;
    }
    // Offline: serve from the last known balance; the offline policy decides at confirmation.
    const account: MemberAccount = { identifier, backendMemberId: cached.backendMemberId, balanceMilli: cached.balanceMilli, messages: [] };
    session = newSession(ctx, account, cached.terms, cached.fetchedAt, true, memberHash);
  }
  ctx.members.set(sale.id, session);
  const current = store.sales.get(sale.id);
  store.transaction(() => {
    if (toRemember) store.members.remember(memberHash, toRemember);
    store.sales.transition(sale.id, current.state, 'identified', {
      member_masked: masked,
      member_hash: memberHash,
      balance_before_milli: session.account.balanceMilli,
      points_milli: null,
      discount_cents: null,
      error_json: null,
      updated_at: ctx.iso(),
    });
    ctx.log({
      kind: 'member.identify',
      saleId: sale.id,
      outcome: session.lastKnown ? 'last-known' : 'ok',
      pointsMilli: session.account.balanceMilli,
      memberMasked: masked,
      memberHash,
      detail: { source: input.source, kind: identifier.kind, queuedMilli: session.queuedMilli, ...(session.lastKnown ? { fetchedAt: session.fetchedAt } : {}) },
    });
  });
}

/**
 * After an answered redemption or refund, the member's last known balance
 * follows it: the backend's balance after, or (where it gives none) the
 * remembered one less the points taken (plus the points given back). So a
 * member scanned offline later is not offered points already spent. Runs in
 * the transaction that stores the answer.
 */
export function rememberBalanceAfter(ctx: CheckoutContext, row: OutboxRow, balanceAfterMilli: number | null): void {
  const cached = ctx.store.members.recall(row.member_key);
  if (!cached) return;
  const points = (JSON.parse(row.payload) as RedeemRequest | ReverseRequest).pointsMilli;
  const next = balanceAfterMilli ?? cached.balanceMilli + (row.kind === 'redeem' ? -points : points);
  // Only a balance the backend gave is a fresh reading; one worked out here keeps its age.
  ctx.store.members.remember(row.member_key, { ...cached, balanceMilli: next, fetchedAt: balanceAfterMilli === null ? cached.fetchedAt : ctx.iso() });
}

/**
 * The kind a member's key is hashed under. White Label member ids were read as
 * 'card' (digits) or 'externalId' (letters) before they became 'memberId': the
 * key stays the same across that change, so a member's pending and offline
 * redemptions from before it still count against their balance after it.
 */
function memberKeyKind(identifier: MemberIdentifier): string {
  if (identifier.kind !== 'memberId') return identifier.kind;
  return /^\d+$/.test(identifier.value) ? 'card' : 'externalId';
}
