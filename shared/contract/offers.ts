/**
 * Card-linked offers on Pentadata's "Pay with Points":
 * the store's offers, enrolling a customer's payment card at the counter and
 * linking it to an offer, and the alerts Pentadata sends when an enrolled
 * card pays (with the catch-up that recovers an alert that never arrived).
 *
 * Card details (number, security code) cross this contract exactly once, in
 * `enrolCard`'s input; the service hands them to Pentadata and drops them. No
 * result ever carries them: a card is its platform id, scheme and last four.
 * Customers' e-mail addresses come back masked.
 *
 * Creating an offer and switching the alert receiver are manager actions:
 * they take the manager's `approval` like the desk's other actions.
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
/** A first or last name (Pentadata takes them apart). */
export const personName = safeName(z.string().trim().min(1, 'give the name').max(100, 'at most 100 characters'));
/** An offer's name: the text the customer sees at the point of sale. */
export const offerName = safeName(z.string().trim().min(1, 'give the offer a name').max(120, 'at most 120 characters'));
export const offerDescriptionLine = safeName(z.string().trim().min(1, 'an empty line').max(200, 'at most 200 characters'));

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
    /** The security code on the back: passed to Pentadata once, like the number. */
    cvv: z.string().regex(/^\d{3,4}$/, 'a security code has 3 or 4 digits'),
    /** The card's billing postal code (Pentadata asks for it). */
    postalCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/, 'not a postal code'),
  })
  .strict();

/**
 * The discount an offer gives, as the store agreed it with Pentadata (the API keeps no terms and
 * its alerts carry no cashback figure): a share of the purchase in basis points (1000 = 10%),
 * capped per purchase when maxCents is set. The terminal uses it only to report the discount a
 * notice that names the offer should have given.
 */
export const offerDiscount = z
  .object({
    basisPoints: z.number().int('in steps of 0.01%').min(1, 'more than 0%').max(10_000, 'at most 100%'),
    maxCents: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();

export const offersMethods = {
  /** The store's offers (the ones this terminal created with Pentadata), newest first. */
  listOffers: z.object({}).strict(),
  /** Creates an offer with Pentadata for the store's merchant id. A manager action. */
  createOffer: z
    .object({
      name: offerName,
      description: z.array(offerDescriptionLine).max(5, 'at most 5 lines').optional(),
      discount: offerDiscount.optional(),
      approval: managerApproval.optional(),
    })
    .strict(),
  /** A customer enrolled at this terminal, by e-mail, or null (Pentadata has no look-up by e-mail). */
  findOfferCustomer: z.object({ email: customerEmail }).strict(),
  /** Finds the customer with this e-mail or creates them with Pentadata (created says which). */
  createOfferCustomer: z.object({ firstName: personName, lastName: personName, email: customerEmail }).strict(),
  /**
   * Creates the card with Pentadata (in the customer's name) and links it to
   * the offer. The customer accepted the platform's terms (termsAccepted must be true).
   */
  enrolCard: z.object({ customerId: platformId, offerId: platformId, card: cardDetails, termsAccepted: z.literal(true) }).strict(),
  /** Links a card enrolled before to another offer. */
  linkCardToOffer: z.object({ cardId: platformId, offerId: platformId }).strict(),
  /** The customer's cards (Pentadata's list) and the offers each was linked to here. */
  listEnrolments: z.object({ customerId: platformId }).strict(),
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
  /** How many alerts the receiver refused, by reason. */
  offerNoticeRefusals: z.object({}).strict(),
  offerReceiverStatus: z.object({}).strict(),
  /** Switches the alert receiver on or off (remembered across restarts). A manager action. */
  setOfferReceiver: z.object({ enabled: z.boolean(), approval: managerApproval.optional() }).strict(),
  /** Reads every enrolled card's transactions now and stores the ones no alert brought (also done at start and periodically). */
  catchUpOfferNotices: z.object({}).strict(),
} as const;

export type OffersMethod = keyof typeof offersMethods;

export interface OfferView {
  /** Pentadata's offer id. */
  id: string;
  /** The text the customer sees at the point of sale. */
  name: string;
  description: string[];
  createdAt: string;
  /** The discount the store set for it here (not known to Pentadata's API); null when none was set. */
  discount: { basisPoints: number; maxCents: number | null } | null;
}

export interface OfferCustomerView {
  /** Pentadata's person id. */
  id: string;
  /** First and last name, for the cashier to check. */
  name: string;
  /** Masked: "a•••@example.com". */
  emailMasked: string;
}

export interface EnrolledCardView {
  id: string;
  /** 'visa', 'mastercard', ... from the number's first digits at enrolment ('card' when not known). */
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

/** A purchase on an enrolled card, or a refund (a negative amount). */
export type NoticeType = 'auth' | 'refund';

export interface OfferNoticeView {
  /** The terminal's own id for the notice (paging). */
  id: number;
  /** The platform's transaction id (a clearing shares it with its authorisation). */
  transactionId: string;
  type: NoticeType;
  /** Negative for a refund. */
  amount: Money;
  /**
   * The discount the offer should have given (negative for a refund), from the offer's discount set
   * here; null when the notice names no offer of the store's or that offer has none set. Pentadata
   * reports no such figure.
   */
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
  /** Purchases and refunds that have a discount figure (the rest: unknown, see OfferNoticeView.cashback). */
  cashbackKnown: number;
  refunds: number;
  /** Positive: what was refunded. */
  refundCents: number;
  refundCashbackCents: number;
}

/** bad-key: no or a wrong Pentadata-Key; bad-signature: the configured HMAC is missing or wrong. */
export type NoticeRefusalReason = 'bad-key' | 'bad-signature' | 'duplicate' | 'malformed';

export interface NoticeRefusalCount {
  reason: NoticeRefusalReason;
  count: number;
  lastAt: string | null;
}

/** One catch-up run: the enrolled cards' transactions read back from Pentadata. */
export interface CatchUpView {
  at: string;
  /** Cards checked. */
  cards: number;
  /** Transactions no alert had brought, stored now. */
  recovered: number;
  /** Transactions Pentadata listed that the terminal could not read (kept in the log, not counted). */
  unreadable: number;
  /** Cards whose list could not be read (tried again next time). */
  failedCards: number;
}

export interface OfferReceiverStatus {
  enabled: boolean;
  listening: boolean;
  /** Where this machine listens (loopback by default), e.g. http://127.0.0.1:4780/webhooks/card-linked. */
  localUrl: string | null;
  /** The URL registered with Pentadata for each enrolled card's alerts. */
  publicUrl: string | null;
  /** An HMAC signature is checked besides the Pentadata-Key. */
  signatureChecked: boolean;
  lastNoticeAt: string | null;
  /** The last catch-up (at start, periodically, or asked for). */
  lastCatchUp: CatchUpView | null;
  /** Why it is not listening, when it should be. */
  error: ErrorInfo | null;
}

export interface OffersResults {
  listOffers: { offers: OfferView[] };
  createOffer: { offer: OfferView };
  findOfferCustomer: { customer: OfferCustomerView | null };
  createOfferCustomer: { customer: OfferCustomerView; created: boolean };
  enrolCard: { card: EnrolledCardView; link: CardOfferLinkView };
  linkCardToOffer: { link: CardOfferLinkView };
  listEnrolments: { enrolments: EnrolmentView[] };
  listOfferNotices: { notices: OfferNoticeView[]; nextBeforeId: number | null; totals: OfferNoticeTotals };
  offerNoticeRefusals: { refusals: NoticeRefusalCount[] };
  offerReceiverStatus: OfferReceiverStatus;
  setOfferReceiver: OfferReceiverStatus;
  catchUpOfferNotices: CatchUpView;
}
