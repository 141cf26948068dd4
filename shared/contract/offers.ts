/**
 * Card-linked offers: enrol a customer's payment card in one of the store's
 * live offers at the counter, and review the redemption notices the platform
 * sends when an enrolled card pays (PROVIDERS.md section 5).
 *
 * Card numbers cross this contract exactly once, in `enrolCard`'s input; the
 * service hands the number to the platform and drops it. No result ever
 * carries one: a card is its platform id, scheme and last four digits.
 * Customers' e-mail addresses come back masked.
 *
 * The notice receiver's switch (`setOfferReceiver`) is a manager action: it
 * takes the manager's `approval` like the desk's other actions.
 */
import { z } from '../zod.js';
import type { ErrorInfo } from '../errors.js';
import type { Money } from '../money.js';
import { managerApproval } from './manager.js';
import { safeName } from '../safe-text.js';

/** An id the platform issued (offers, persons, cards, transactions). */
export const platformId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not an id');
export const customerEmail = z
  .string()
  .trim()
  .max(320, 'e-mail address too long')
  .regex(/^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/, 'not an e-mail address');
export const customerName = safeName(z.string().trim().min(1, "give the customer's full name").max(200, 'at most 200 characters'));

/**
 * The card number as typed or read (digits, spaces allowed between groups).
 * The messages never repeat the value.
 */
export const cardNumber = z
  .string()
  .max(40, 'not a card number')
  .regex(/^[0-9 ]+$/, 'a card number is digits only')
  .transform((s) => s.replace(/ /g, ''))
  .refine((s) => s.length >= 12 && s.length <= 19, 'a card number has 12 to 19 digits');

export const cardDetails = z
  .object({
    number: cardNumber,
    expMonth: z.number().int().min(1, 'month 1 to 12').max(12, 'month 1 to 12'),
    expYear: z.number().int().min(2000, 'a four-digit year').max(2100, 'a four-digit year'),
  })
  .strict();

export const offersMethods = {
  /** The store's live offers (running today), for the cashier to pick from. */
  listOffers: z.object({}).strict(),
  /** A customer by e-mail, or null. */
  findOfferCustomer: z.object({ email: customerEmail }).strict(),
  /** Finds the customer with this e-mail or creates them (created says which). */
  createOfferCustomer: z.object({ name: customerName, email: customerEmail }).strict(),
  /**
   * Creates the card with the platform and links it to the offer. The
   * customer accepted the platform's terms (termsAccepted must be true).
   */
  enrolCard: z.object({ customerId: platformId, offerId: platformId, card: cardDetails, termsAccepted: z.literal(true) }).strict(),
  /** Links a card enrolled before to another offer. */
  linkCardToOffer: z.object({ cardId: platformId, offerId: platformId }).strict(),
  /** The customer's cards and the offers each is linked to. */
  listEnrolments: z.object({ customerId: platformId }).strict(),
  unlinkCardFromOffer: z.object({ cardId: platformId, offerId: platformId }).strict(),
  /** Received notices, newest first, with totals for the same range. */
  listOfferNotices: z
    .object({
      limit: z.number().int().min(1).max(500),
      /** Paging: notices with an id below this. */
      beforeId: z.number().int().min(1).optional(),
      /** Range on the purchase time (ISO instants; from inclusive, to exclusive). */
      from: z.string().datetime({ offset: true }).optional(),
      to: z.string().datetime({ offset: true }).optional(),
    })
    .strict(),
  /** How many notices the receiver refused, by reason. */
  offerNoticeRefusals: z.object({}).strict(),
  offerReceiverStatus: z.object({}).strict(),
  /** Switches the notice receiver on or off (remembered across restarts). A manager action. */
  setOfferReceiver: z.object({ enabled: z.boolean(), approval: managerApproval.optional() }).strict(),
} as const;

export type OffersMethod = keyof typeof offersMethods;

export interface OfferView {
  id: string;
  brandId: string;
  brandName: string | null;
  name: string;
  /** A percentage (basis points: 1000 = 10 %) or a fixed amount. */
  discount: { kind: 'percent'; basisPoints: number } | { kind: 'amount'; amount: Money };
  currency: string;
  /** Smallest and largest spend the offer applies to (the cap limits the discount, not the sale). */
  minSpend: Money | null;
  maxSpend: Money | null;
  startsAt: string;
  endsAt: string | null;
  /** 0 = Sunday .. 6 = Saturday. */
  daysOfWeek: number[];
  /** The text to show the customer. */
  counterText: string;
  live: boolean;
}

export interface OfferCustomerView {
  id: string;
  name: string;
  /** Masked: "a•••@example.com". */
  emailMasked: string;
}

export interface EnrolledCardView {
  id: string;
  /** 'visa', 'mastercard', ... as the platform names it. */
  scheme: string;
  last4: string;
}

export interface CardOfferLinkView {
  /** The platform's CardOffer id. */
  linkId: string;
  offerId: string;
  offerName: string | null;
  linkedAt: string;
}

export interface EnrolmentView {
  card: EnrolledCardView;
  offers: CardOfferLinkView[];
}

export type NoticeType = 'auth' | 'clearing' | 'refund';

export interface OfferNoticeView {
  /** The terminal's own id for the notice (paging). */
  id: number;
  /** The platform's transaction id (a clearing shares it with its authorisation). */
  transactionId: string;
  type: NoticeType;
  /** Negative for a refund. */
  amount: Money;
  /** The cashback or discount the offer gave (negative for a refund); null when no offer applied. */
  cashback: Money | null;
  offerId: string | null;
  offerName: string | null;
  card: { id: string | null; scheme: string | null; last4: string | null };
  brandName: string | null;
  /** When the card paid. */
  transactionAt: string;
  receivedAt: string;
  /** For a refund: the purchase it refunds, and whether that purchase's notice is here. */
  originalTransactionId: string | null;
  original: { id: number; amount: Money; transactionAt: string } | null;
  /** The log entry this notice wrote. */
  logSeq: number;
}

export interface OfferNoticeTotals {
  currency: string;
  /** Purchases (each transaction id once, whether authorised, cleared or both). */
  purchases: number;
  purchaseCents: number;
  cashbackCents: number;
  refunds: number;
  /** Positive: what was refunded. */
  refundCents: number;
  refundCashbackCents: number;
}

export type NoticeRefusalReason = 'bad-signature' | 'stale-timestamp' | 'duplicate' | 'malformed';

export interface NoticeRefusalCount {
  reason: NoticeRefusalReason;
  count: number;
  lastAt: string | null;
}

export interface OfferReceiverStatus {
  enabled: boolean;
  listening: boolean;
  /** Where this machine listens (loopback by default), e.g. http://127.0.0.1:4780/webhooks/card-linked. */
  localUrl: string | null;
  /** The URL registered with the platform (signatures cover it). */
  publicUrl: string | null;
  /** Notices older or newer than this are refused. */
  toleranceSeconds: number;
  /** How many signing secrets the receiver holds (never the secrets). */
  secrets: number;
  lastNoticeAt: string | null;
  /** Why it is not listening, when it should be. */
  error: ErrorInfo | null;
}

export interface OffersResults {
  listOffers: { offers: OfferView[] };
  findOfferCustomer: { customer: OfferCustomerView | null };
  createOfferCustomer: { customer: OfferCustomerView; created: boolean };
  enrolCard: { card: EnrolledCardView; link: CardOfferLinkView };
  linkCardToOffer: { link: CardOfferLinkView };
  listEnrolments: { enrolments: EnrolmentView[] };
  unlinkCardFromOffer: { unlinked: true };
  listOfferNotices: { notices: OfferNoticeView[]; nextBeforeId: number | null; totals: OfferNoticeTotals };
  offerNoticeRefusals: { refusals: NoticeRefusalCount[] };
  offerReceiverStatus: OfferReceiverStatus;
  setOfferReceiver: OfferReceiverStatus;
}
