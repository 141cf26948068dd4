/**
 * The sale as the screens see it: a pure projection of the sale's row, its
 * outbox rows and (while the sale is open) its member session.
 */
import type { MemberView, SaleView } from '../../../shared/domain.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import { maskIdentifier } from '../../../shared/member-number.js';
import { discountCents, money } from '../../../shared/money.js';
import { maxRedeemable } from '../../../shared/quote.js';
import { CLOSED_STATES } from '../../../shared/sale-state.js';
import type { RewardMemberAccount } from '../../adapters/rewards.js';
import type { MemberAccount, RedeemReceipt } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { SaleRow } from '../../store/sales.js';
import type { MemberSession } from './types.js';

const REDEMPTION_STATUS: Record<OutboxRow['state'], NonNullable<SaleView['redemption']>> = {
  pending: 'waiting',
  done: 'posted',
  refused: 'refused',
  attention: 'attention',
  cancelled: 'cancelled',
};

export function saleView(sale: SaleRow, rows: OutboxRow[], session: MemberSession | undefined): SaleView {
  const basket = money(sale.basket_cents, sale.currency);
  const redeem = rows.filter((r) => r.kind === 'redeem').pop();
  const reversals = rows.filter((r) => r.kind === 'reverse');
  const v: SaleView = {
    id: sale.id,
    state: sale.state,
    createdAt: sale.created_at,
    cashierId: sale.cashier,
    basket,
    paymentAllowed: sale.state === 'posted' || (sale.state === 'queued' && sale.offline_accepted === 1),
    offlineAccepted: sale.offline_accepted === 1,
    voidPending: sale.void_requested === 1 && !CLOSED_STATES.has(sale.state) ? true : sale.void_requested === 1 && sale.state === 'paid',
    refunded: { cents: sale.refunded_cents, pointsMilli: sale.refunded_points_milli },
  };
  if (redeem) v.redemption = REDEMPTION_STATUS[redeem.state];
  if (reversals.length) {
    const manual = reversals.find((r) => r.state === 'attention');
    v.compensation = manual
      ? { state: 'manual-action', message: manual.last_error ?? undefined }
      : reversals.some((r) => r.state === 'pending')
        ? { state: 'waiting' }
        : { state: 'done' };
  }
  if (session && !CLOSED_STATES.has(sale.state)) {
    const balance = session.account.balanceMilli ?? 0;
    v.member = memberView(sale, session);
    if (session.terms) {
      v.terms = session.terms;
      v.maxPointsMilli = maxRedeemable(basket, balance, session.terms);
    } else {
      v.maxPointsMilli = 0;
    }
    if (session.blocked && !sale.error_json) v.error = session.blocked;
    if (session.validation) v.validationCode = session.validation;
    if (session.reward && sale.reward_id === session.reward.id) {
      const r = session.reward;
      v.reward = { id: r.id, title: r.title, kind: r.kind, pointsMilli: r.pointsMilli, discount: r.discount };
    }
  } else if (sale.member_masked) {
    // A closed (or restarted) sale: the member as recorded, not a live or last-known balance.
    v.member = {
      identifierKind: 'card',
      masked: sale.member_masked,
      balanceMilli: sale.balance_after_milli ?? sale.balance_before_milli ?? 0,
      balanceValue: money(0, sale.currency),
      fetchedAt: sale.updated_at,
      lastKnown: false,
      queuedMilli: 0,
      messages: [],
    };
  }
  if (sale.points_milli !== null && sale.discount_cents !== null) {
    const before = sale.balance_before_milli ?? 0;
    v.quote = {
      pointsMilli: sale.points_milli,
      discount: money(sale.discount_cents, sale.currency),
      balanceBeforeMilli: before,
      balanceAfterMilli: before - sale.points_milli,
      toPay: money(sale.basket_cents - sale.discount_cents, sale.currency),
    };
    if (session?.terms?.benefit === 'cashback') v.quote.cashback = money(discountCents(sale.points_milli, session.terms.rate), sale.currency);
  }
  if (sale.backend_reference || sale.posted_at) {
    const receipt = sale.receipt_json ? (JSON.parse(sale.receipt_json) as RedeemReceipt) : null;
    v.result = {
      backendReference: sale.backend_reference ?? undefined,
      balanceAfterMilli: sale.balance_after_milli ?? undefined,
      postedAt: sale.posted_at ?? undefined,
      ...(receipt?.detail ? { detail: receipt.detail } : {}),
    };
  }
  if (sale.error_json) v.error = JSON.parse(sale.error_json) as ErrorInfo;
  return v;
}

function memberView(sale: SaleRow, s: MemberSession): MemberView {
  const balance = s.account.balanceMilli ?? 0;
  const id = s.account.identifier;
  return {
    identifierKind: id.kind,
    masked: maskIdentifier(id.value),
    firstName: s.account.firstName,
    balanceMilli: balance,
    balanceValue: money(s.terms ? discountCents(Math.max(0, balance), s.terms.rate) : 0, sale.currency),
    fetchedAt: s.fetchedAt,
    lastKnown: s.lastKnown,
    queuedMilli: s.queuedMilli,
    messages: s.account.messages,
    ...passholderFacts(s.account),
  };
}

/** UiTPAS passholder facts the counter shows (pass type, social tariff), when the backend gives them. */
function passholderFacts(account: MemberAccount): Pick<MemberView, 'passType' | 'socialTariff'> {
  const p = (account as RewardMemberAccount).passholder;
  return p ? { passType: p.passType, socialTariff: p.socialTariff } : {};
}
