/**
 * From a Pentadata alert, or a transaction the catch-up listed, to the notice
 * the terminal stores. Pentadata does not publish the field names
 * (readPentadataTransaction reads the plausible ones), so a money figure is
 * never guessed: without a transaction id (nothing to deduplicate on), an
 * amount, a currency or a time, the body is unreadable and nothing is counted.
 * The card's scheme and last four and the offer's name come from what the
 * terminal enrolled, not from the body; the discount from the offer's terms
 * the store set here (expectedDiscountCents), when the body names the offer.
 */
import type { PentadataTransaction } from '../../adapters/pentadata.js';
import { expectedDiscountCents, type EnrolmentStore } from './enrolment-store.js';
import type { ParsedNotice } from './notice-store.js';

const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

export function noticeFromTransaction(t: PentadataTransaction, enrolments: EnrolmentStore, source: ParsedNotice['source']): ParsedNotice | null {
  if (!t.transactionId || !ID_RE.test(t.transactionId) || t.amountCents === null || t.currency === null || t.at === null) return null;
  const cardId = t.cardId && ID_RE.test(t.cardId) ? t.cardId : null;
  const offerId = t.offerId && ID_RE.test(t.offerId) ? t.offerId : null;
  const card = enrolments.card(cardId);
  // Pentadata reports no cashback figure: the discount comes from the store's own terms for the
  // offer, and only when the notice names one of its offers (a card's other purchases elsewhere
  // give no discount here, and guessing the offer from the card's links could count one).
  const discount = enrolments.offerName(offerId) !== null ? enrolments.offerDiscount(offerId) : null;
  return {
    transactionId: t.transactionId,
    // A negative amount is money going back to the card: a refund.
    type: t.amountCents < 0 ? 'refund' : 'auth',
    amountCents: t.amountCents,
    currency: t.currency,
    cashbackCents: discount ? expectedDiscountCents(t.amountCents, discount) : null,
    offerId,
    offerName: enrolments.offerName(offerId),
    cardId,
    scheme: card?.scheme ?? null,
    last4: card?.last4 ?? null,
    brandName: t.merchant ? t.merchant.slice(0, 200) : null,
    transactionAt: t.at,
    originalTransactionId: null,
    source,
    raw: t.raw,
  };
}
