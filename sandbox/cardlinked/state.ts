/**
 * The card-linked offers emulator's state: brands, offers, persons (the
 * customers), cards, card-offer links, webhook registrations, the
 * transactions the platform saw and every webhook delivery attempt.
 *
 * Like the real platform, a card is kept as id, scheme and last four digits
 * only: the full number the card was created from is never stored here
 * (backend.ts reads the scheme and the last four from the request and drops
 * the rest).
 *
 * Amounts are integer cents inside; the wire format (decimal currency units)
 * is backend.ts's business.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CARD_LINKED_SANDBOX_CREDENTIALS, DEMO_BRAND, DEMO_LOCATION, DEMO_OFFERS, type CardLinkedDemoLocation } from './demo.js';

export type CardScheme = 'visa' | 'mastercard';
export const WEBHOOK_EVENTS = ['transaction.auth', 'transaction.clearing', 'transaction.refund'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface ClBrand {
  id: string;
  name: string;
  created: string;
}

export interface ClOffer {
  id: string;
  brandId: string;
  name: string;
  /** discount: percent in basis points (750 = 7.5%); amount: cents. */
  type: { name: 'discount'; basisPoints: number } | { name: 'amount'; cents: number };
  currency: string;
  countryCode: string;
  minCents: number | null;
  maxCents: number | null;
  startDate: string;
  endDate: string | null;
  daysOfWeek: number[];
  additionalTerms: string;
  created: string;
}

export interface ClPerson {
  id: string;
  name: string;
  email: string;
  created: string;
}

export interface ClCard {
  id: string;
  programId: string;
  personId: string | null;
  scheme: CardScheme;
  lastNumbers: string;
  expMonth: number;
  expYear: number;
  countryCode: string;
  created: string;
}

export interface ClCardOffer {
  id: string;
  cardId: string;
  offerId: string;
  created: string;
}

export interface ClWebhook {
  id: string;
  event: WebhookEvent;
  url: string;
  secretKey: string;
  created: string;
}

export interface ClTransaction {
  id: string;
  cardId: string;
  offerId: string | null;
  /** Why no offer applied, when none did. */
  qualification: 'qualified' | 'no-linked-offer' | 'offer-not-live' | 'below-minimum' | 'wrong-day';
  amountCents: number;
  cashbackCents: number;
  currency: string;
  auth: boolean;
  cleared: boolean;
  /** When the purchase happened (ISO). */
  datetime: string;
  created: string;
  updated: string;
  originalTransactionId: string | null;
  /** Refunded so far (positive cents), for purchases. */
  refundedCents: number;
}

export interface ClDeliveryAttempt {
  at: string;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** Why no answer came (connection refused, timeout...). */
  error?: string;
}

export interface ClDelivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  url: string;
  transactionId: string;
  attempts: ClDeliveryAttempt[];
  delivered: boolean;
}

const DAY_MS = 86_400_000;

export class CardLinkedState {
  brands = new Map<string, ClBrand>();
  offers = new Map<string, ClOffer>();
  persons = new Map<string, ClPerson>();
  cards = new Map<string, ClCard>();
  cardOffers = new Map<string, ClCardOffer>();
  webhooks = new Map<string, ClWebhook>();
  transactions = new Map<string, ClTransaction>();
  deliveries: ClDelivery[] = [];
  /** The exact body first sent for each `${event} ${transactionId}`: a redelivery sends the same bytes. */
  noticeBodies = new Map<string, string>();
  readonly location: CardLinkedDemoLocation = DEMO_LOCATION;

  constructor(private readonly now: () => number) {}

  private iso(ms = this.now()): string {
    return new Date(ms).toISOString();
  }

  reset(seedDemo: boolean): void {
    this.brands.clear();
    this.offers.clear();
    this.persons.clear();
    this.cards.clear();
    this.cardOffers.clear();
    this.webhooks.clear();
    this.transactions.clear();
    this.deliveries = [];
    this.noticeBodies.clear();
    // The demo brand always exists: offers are created for a brand the account owns.
    this.brands.set(DEMO_BRAND.id, { id: DEMO_BRAND.id, name: DEMO_BRAND.name, created: this.iso() });
    if (!seedDemo) return;
    const today = Math.floor(this.now() / DAY_MS) * DAY_MS;
    for (const o of Object.values(DEMO_OFFERS)) {
      this.offers.set(o.id, {
        id: o.id,
        brandId: o.brandId,
        name: o.name,
        type:
          o.type.name === 'discount'
            ? { name: 'discount', basisPoints: decimalToHundredths(o.type.value)! }
            : { name: 'amount', cents: decimalToHundredths(o.type.value)! },
        currency: CARD_LINKED_SANDBOX_CREDENTIALS.currency,
        countryCode: CARD_LINKED_SANDBOX_CREDENTIALS.countryCode,
        minCents: o.minTransactionAmount === null ? null : decimalToHundredths(o.minTransactionAmount)!,
        maxCents: o.maxTransactionAmount === null ? null : decimalToHundredths(o.maxTransactionAmount)!,
        startDate: this.iso(today + o.startDays * DAY_MS),
        endDate: o.endDays === null ? null : this.iso(today + o.endDays * DAY_MS),
        daysOfWeek: [...o.daysOfWeek],
        additionalTerms: o.additionalTerms,
        created: this.iso(today + o.startDays * DAY_MS),
      });
    }
  }

  offerStatus(o: ClOffer, at = this.now()): 'live' | 'upcoming' | 'expired' {
    if (Date.parse(o.startDate) > at) return 'upcoming';
    if (o.endDate !== null && Date.parse(o.endDate) <= at) return 'expired';
    return 'live';
  }

  addOffer(o: Omit<ClOffer, 'id' | 'created'>): ClOffer {
    const offer: ClOffer = { ...o, id: randomUUID(), created: this.iso() };
    this.offers.set(offer.id, offer);
    return offer;
  }

  findPersonByEmail(email: string): ClPerson | undefined {
    const e = email.toLowerCase();
    for (const p of this.persons.values()) if (p.email.toLowerCase() === e) return p;
    return undefined;
  }

  addPerson(name: string, email: string): ClPerson {
    const p: ClPerson = { id: randomUUID(), name, email, created: this.iso() };
    this.persons.set(p.id, p);
    return p;
  }

  /** Stores what the platform keeps of a card: never its full number. */
  addCard(c: Omit<ClCard, 'id' | 'created'>): ClCard {
    const card: ClCard = { ...c, id: randomUUID(), created: this.iso() };
    this.cards.set(card.id, card);
    return card;
  }

  cardsOf(personId: string): ClCard[] {
    return [...this.cards.values()].filter((c) => c.personId === personId);
  }

  linksOf(cardId: string): ClCardOffer[] {
    return [...this.cardOffers.values()].filter((l) => l.cardId === cardId);
  }

  findLink(cardId: string, offerId: string): ClCardOffer | undefined {
    for (const l of this.cardOffers.values()) if (l.cardId === cardId && l.offerId === offerId) return l;
    return undefined;
  }

  link(cardId: string, offerId: string): ClCardOffer {
    const l: ClCardOffer = { id: randomUUID(), cardId, offerId, created: this.iso() };
    this.cardOffers.set(l.id, l);
    return l;
  }

  unlink(cardId: string, offerId: string): boolean {
    const l = this.findLink(cardId, offerId);
    if (!l) return false;
    this.cardOffers.delete(l.id);
    return true;
  }

  addWebhook(event: WebhookEvent, url: string): ClWebhook {
    const w: ClWebhook = { id: randomUUID(), event, url, secretKey: `wh_test_${randomBytes(24).toString('hex')}`, created: this.iso() };
    this.webhooks.set(w.id, w);
    return w;
  }

  webhooksFor(event: WebhookEvent): ClWebhook[] {
    return [...this.webhooks.values()].filter((w) => w.event === event);
  }

  /**
   * A purchase with `card`: picks the offer it qualifies for (the one asked
   * for, else the first linked offer that qualifies) and computes the cashback.
   */
  purchase(card: ClCard, amountCents: number, at: number, offerId?: string): ClTransaction {
    const links = this.linksOf(card.id)
      .map((l) => this.offers.get(l.offerId))
      .filter((o): o is ClOffer => o !== undefined);
    const candidates = offerId === undefined ? links : links.filter((o) => o.id === offerId);
    let chosen: ClOffer | null = null;
    let qualification: ClTransaction['qualification'] = 'no-linked-offer';
    for (const o of candidates) {
      const q = this.qualifies(o, amountCents, at);
      if (q === 'qualified') {
        chosen = o;
        qualification = q;
        break;
      }
      qualification = q;
    }
    const created = this.iso();
    const t: ClTransaction = {
      id: randomUUID(),
      cardId: card.id,
      offerId: chosen?.id ?? null,
      qualification,
      amountCents,
      cashbackCents: chosen ? cashback(chosen, amountCents) : 0,
      currency: chosen?.currency ?? CARD_LINKED_SANDBOX_CREDENTIALS.currency,
      auth: true,
      cleared: false,
      datetime: this.iso(at),
      created,
      updated: created,
      originalTransactionId: null,
      refundedCents: 0,
    };
    this.transactions.set(t.id, t);
    return t;
  }

  qualifies(o: ClOffer, amountCents: number, at: number): ClTransaction['qualification'] {
    if (this.offerStatus(o, at) !== 'live') return 'offer-not-live';
    if (!o.daysOfWeek.includes(new Date(at).getUTCDay())) return 'wrong-day';
    if (o.minCents !== null && amountCents < o.minCents) return 'below-minimum';
    return 'qualified';
  }

  clear(t: ClTransaction): ClTransaction {
    t.cleared = true;
    t.updated = this.iso();
    return t;
  }

  /** A refund of part or all of `original`: a new transaction with a negative amount. */
  refund(original: ClTransaction, refundCents: number): ClTransaction {
    const cashbackBack = original.amountCents === 0 ? 0 : Math.floor((original.cashbackCents * refundCents) / original.amountCents);
    original.refundedCents += refundCents;
    const created = this.iso();
    const t: ClTransaction = {
      id: randomUUID(),
      cardId: original.cardId,
      offerId: original.offerId,
      qualification: original.qualification,
      amountCents: -refundCents,
      cashbackCents: -cashbackBack,
      currency: original.currency,
      auth: true,
      cleared: true,
      datetime: created,
      created,
      updated: created,
      originalTransactionId: original.id,
      refundedCents: 0,
    };
    this.transactions.set(t.id, t);
    return t;
  }

  recordDelivery(d: Omit<ClDelivery, 'id'>): ClDelivery {
    const rec: ClDelivery = { ...d, id: randomUUID() };
    this.deliveries.push(rec);
    return rec;
  }
}

/** Cashback in cents: a percentage of the amount up to the offer's cap, or the offer's fixed amount. */
export function cashback(o: ClOffer, amountCents: number): number {
  if (o.type.name === 'amount') return Math.min(o.type.cents, amountCents);
  const base = o.maxCents === null ? amountCents : Math.min(amountCents, o.maxCents);
  return Math.floor((base * o.type.basisPoints) / 10_000);
}

/**
 * A JSON decimal with at most two decimals (12, 12.5, -3.05) as an integer
 * count of hundredths, read from its shortest text form so no floating-point
 * product is ever taken. Null when it is not such a number.
 */
export function decimalToHundredths(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(v));
  if (!m) return null;
  const n = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(n)) return null;
  return m[1] === '-' ? -n : n;
}

/** Integer hundredths as the platform's decimal number (1999 -> 19.99). */
export function hundredthsToDecimal(n: number): number {
  return n / 100;
}
