/**
 * Every card-linked platform field name, path, header and error code the
 * terminal relies on, in one place (the adapter and the notice receiver both
 * read the platform's JSON through here). The sandbox emulator keeps its own
 * copy and does not import this file, so a mismatch shows in the tests.
 *
 * Amounts on the wire are decimal currency units (23.5); they are read into
 * integer cents from their text form, never by multiplying a float.
 */
import { z } from 'zod';
import { PosError } from '../../shared/errors.js';
import type { CardOfferLinkView, EnrolledCardView, NoticeType, OfferView } from '../../shared/contract/offers.js';
import { centsFromBackend, money } from '../../shared/money.js';

export const CL_KEY_HEADER = 'Fidel-Key';
/** Lower-case, as node:http presents incoming header names. */
export const CL_SIGNATURE_HEADER = 'x-fidel-signature';
export const CL_TIMESTAMP_HEADER = 'x-fidel-timestamp';

export const CL_WEBHOOK_EVENTS = ['transaction.auth', 'transaction.clearing', 'transaction.refund'] as const;
export type ClWebhookEvent = (typeof CL_WEBHOOK_EVENTS)[number];

const seg = (s: string) => encodeURIComponent(s);
export const clPaths = {
  brands: '/brands',
  offers: (status?: 'live' | 'upcoming' | 'expired') => (status ? `/offers?status=${status}` : '/offers'),
  persons: '/persons',
  personByEmail: (email: string) => `/persons?email=${encodeURIComponent(email)}`,
  person: (id: string) => `/persons/${seg(id)}`,
  personCards: (id: string) => `/persons/${seg(id)}/cards`,
  programCards: (programId: string) => `/programs/${seg(programId)}/cards`,
  cardOffers: (cardId: string) => `/cards/${seg(cardId)}/offers`,
  cardOffer: (cardId: string, offerId: string) => `/cards/${seg(cardId)}/offers/${seg(offerId)}`,
  webhooks: '/webhooks',
  webhook: (id: string) => `/webhooks/${seg(id)}`,
};

/**
 * A JSON number amount (23.5, -10, 0.30000000000000004) as integer cents,
 * read exactly by shared/money.ts; null for anything else (a string, more
 * than two real decimals, out of range). Percentages use it too: their
 * hundredths are basis points.
 */
export function decimalToCents(v: unknown): number | null {
  if (typeof v !== 'number') return null;
  try {
    return centsFromBackend(v);
  } catch {
    return null;
  }
}

/**
 * Any run of 12 or more digits (with spaces or dashes between) in a text from
 * the platform, replaced: a message that echoed a card number must not reach
 * a screen or a log through the terminal.
 */
export function scrubCardNumbers(text: string): string {
  return text.replace(/\d(?:[ -]?\d){11,}/g, '[card number]');
}

/** The platform's envelope `{items: [...], resource, status}`, read with zod. */
const envelopeSchema = z.object({ items: z.array(z.record(z.string(), z.unknown())) });

/** The `items` of the platform's envelope `{items: [...], resource, status}`. */
export function items(body: unknown): Record<string, unknown>[] {
  const r = envelopeSchema.safeParse(body);
  if (!r.success) throw new PosError('BACKEND_BAD_RESPONSE', 'The card-linked platform sent an answer without its items.');
  return r.data.items;
}

export function firstItem(body: unknown): Record<string, unknown> {
  const list = items(body);
  if (list.length === 0) throw new PosError('BACKEND_BAD_RESPONSE', 'The card-linked platform sent an empty answer.');
  return list[0]!;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new PosError('BACKEND_BAD_RESPONSE', `The card-linked platform's answer has no ${key}.`);
  return v;
}

function optStr(o: Record<string, unknown>, key: string): string | null {
  const v = o[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

export interface ClPerson {
  id: string;
  name: string;
  email: string;
}

export function parsePerson(o: Record<string, unknown>): ClPerson {
  return { id: str(o, 'id'), name: str(o, 'name'), email: str(o, 'email') };
}

export function parseOffer(o: Record<string, unknown>, fallbackCurrency: string): OfferView {
  const currency = optStr(o, 'currency') ?? fallbackCurrency;
  const type = o.type as { name?: unknown; value?: unknown } | undefined;
  const value = decimalToCents(type?.value);
  if (!type || value === null || (type.name !== 'discount' && type.name !== 'amount')) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'The card-linked platform sent an offer without a discount the terminal can read.');
  }
  const amount = (key: string) => {
    if (o[key] === null || o[key] === undefined) return null;
    const c = decimalToCents(o[key]);
    if (c === null) throw new PosError('BACKEND_BAD_RESPONSE', `The card-linked platform sent an offer with an unreadable ${key}.`);
    return money(c, currency);
  };
  const days = Array.isArray(o.daysOfWeek) ? o.daysOfWeek.filter((d): d is number => Number.isInteger(d) && d >= 0 && d <= 6) : [0, 1, 2, 3, 4, 5, 6];
  return {
    id: str(o, 'id'),
    brandId: str(o, 'brandId'),
    brandName: optStr(o, 'brandName'),
    name: str(o, 'name'),
    // A percentage's hundredths are basis points (7.5 % -> 750).
    discount: type.name === 'discount' ? { kind: 'percent', basisPoints: value } : { kind: 'amount', amount: money(value, currency) },
    currency,
    minSpend: amount('minTransactionAmount'),
    maxSpend: amount('maxTransactionAmount'),
    startsAt: str(o, 'startDate'),
    endsAt: optStr(o, 'endDate'),
    daysOfWeek: days,
    counterText: typeof o.additionalTerms === 'string' ? o.additionalTerms : '',
    live: o.live === true,
  };
}

/** What the terminal keeps of a card: id, scheme, last four. Anything else the platform sends is dropped here. */
export function parseCard(o: Record<string, unknown>): EnrolledCardView & { personId: string | null } {
  const last4 = str(o, 'lastNumbers');
  if (!/^\d{4}$/.test(last4)) throw new PosError('BACKEND_BAD_RESPONSE', 'The card-linked platform sent a card without its last four digits.');
  return { id: str(o, 'id'), scheme: str(o, 'scheme').toLowerCase().slice(0, 20), last4, personId: optStr(o, 'personId') };
}

export function parseCardOffer(o: Record<string, unknown>): CardOfferLinkView & { cardId: string } {
  return {
    linkId: str(o, 'id'),
    cardId: str(o, 'cardId'),
    offerId: str(o, 'offerId'),
    offerName: optStr(o, 'offerName'),
    linkedAt: optStr(o, 'created') ?? new Date(0).toISOString(),
  };
}

export interface ClWebhook {
  id: string;
  event: string;
  url: string;
  secretKey: string | null;
}

export function parseWebhook(o: Record<string, unknown>): ClWebhook {
  return { id: str(o, 'id'), event: str(o, 'event'), url: str(o, 'url'), secretKey: optStr(o, 'secretKey') };
}

// ---- notices (webhook bodies) ----------------------------------------------

/** One notice as the terminal stores it: no raw body, no card number, ever. */
export interface ParsedNotice {
  transactionId: string;
  type: NoticeType;
  amountCents: number;
  currency: string;
  cashbackCents: number | null;
  offerId: string | null;
  offerName: string | null;
  cardId: string | null;
  scheme: string | null;
  last4: string | null;
  brandName: string | null;
  transactionAt: string;
  originalTransactionId: string | null;
}

export class MalformedNotice extends Error {}

const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Reads a webhook body (the platform's transaction object). Its kind comes
 * from the transaction itself: a negative amount or an original transaction
 * makes a refund, `cleared: true` a clearing, anything else an authorisation.
 * Throws MalformedNotice naming the first field that does not fit.
 */
export function parseNotice(body: unknown): ParsedNotice {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MalformedNotice('not a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.id !== 'string' || !ID_RE.test(b.id)) throw new MalformedNotice('id');
  const amountCents = decimalToCents(b.amount);
  if (amountCents === null) throw new MalformedNotice('amount');
  if (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency)) throw new MalformedNotice('currency');
  const when = typeof b.datetime === 'string' ? b.datetime : typeof b.created === 'string' ? b.created : null;
  if (when === null || Number.isNaN(Date.parse(when))) throw new MalformedNotice('datetime');
  let originalTransactionId: string | null = null;
  if (b.originalTransactionId !== undefined && b.originalTransactionId !== null) {
    if (typeof b.originalTransactionId !== 'string' || !ID_RE.test(b.originalTransactionId)) throw new MalformedNotice('originalTransactionId');
    originalTransactionId = b.originalTransactionId;
  }

  let cardId: string | null = null;
  let scheme: string | null = null;
  let last4: string | null = null;
  if (b.card !== undefined && b.card !== null) {
    if (typeof b.card !== 'object') throw new MalformedNotice('card');
    const c = b.card as Record<string, unknown>;
    if (c.id !== undefined && c.id !== null && (typeof c.id !== 'string' || !ID_RE.test(c.id))) throw new MalformedNotice('card.id');
    if (c.lastNumbers !== undefined && c.lastNumbers !== null && (typeof c.lastNumbers !== 'string' || !/^\d{4}$/.test(c.lastNumbers)))
      throw new MalformedNotice('card.lastNumbers');
    if (c.scheme !== undefined && c.scheme !== null && (typeof c.scheme !== 'string' || !/^[A-Za-z_ -]{1,20}$/.test(c.scheme)))
      throw new MalformedNotice('card.scheme');
    cardId = (c.id as string | null | undefined) ?? null;
    scheme = typeof c.scheme === 'string' ? c.scheme.toLowerCase() : null;
    last4 = (c.lastNumbers as string | null | undefined) ?? null;
  }

  let offerId: string | null = null;
  let offerName: string | null = null;
  let cashbackCents: number | null = null;
  if (b.offer !== undefined && b.offer !== null) {
    if (typeof b.offer !== 'object') throw new MalformedNotice('offer');
    const o = b.offer as Record<string, unknown>;
    if (typeof o.id !== 'string' || !ID_RE.test(o.id)) throw new MalformedNotice('offer.id');
    offerId = o.id;
    offerName = typeof o.name === 'string' ? o.name.slice(0, 200) : null;
    if (o.cashback !== undefined && o.cashback !== null) {
      cashbackCents = decimalToCents(o.cashback);
      if (cashbackCents === null) throw new MalformedNotice('offer.cashback');
    }
  }
  const brand = b.brand as { name?: unknown } | null | undefined;
  const brandName = brand && typeof brand.name === 'string' ? brand.name.slice(0, 200) : null;

  const type: NoticeType = amountCents < 0 || originalTransactionId !== null ? 'refund' : b.cleared === true ? 'clearing' : 'auth';
  return {
    transactionId: b.id,
    type,
    amountCents,
    currency: b.currency,
    cashbackCents,
    offerId,
    offerName,
    cardId,
    scheme,
    last4,
    brandName,
    transactionAt: new Date(Date.parse(when)).toISOString(),
    originalTransactionId,
  };
}

// ---- errors -----------------------------------------------------------------

export type ClOperation = 'probe' | 'offers' | 'customer' | 'card' | 'link' | 'unlink' | 'webhook';

/**
 * Maps a platform 4xx ({error: {code, message, field?}}) to the terminal's
 * codes. A 4xx is a refusal: the platform changed nothing. Platform messages
 * pass through scrubCardNumbers before they go anywhere.
 */
export function mapCardLinkedError(status: number, body: unknown, op: ClOperation): PosError {
  const e = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  const backendCode = typeof e?.code === 'string' ? e.code.slice(0, 60) : undefined;
  const backendMessage = typeof e?.message === 'string' ? scrubCardNumbers(e.message.slice(0, 300)) : undefined;
  const field = typeof e?.field === 'string' ? e.field.slice(0, 60) : undefined;
  const details = {
    status,
    notApplied: true,
    ...(backendCode ? { backendCode } : {}),
    ...(backendMessage ? { backendMessage } : {}),
    ...(field ? { field } : {}),
  };

  if (status === 401 || status === 403) return new PosError('BACKEND_AUTH', undefined, { details });
  if (backendCode === 'card-number-invalid') {
    return new PosError(
      'INVALID_INPUT',
      "The platform does not accept this card number. In training, only the platform's test cards work: Visa 4444 0000 0000 4xxx or Mastercard 5555 0000 0000 5xxx.",
      { details },
    );
  }
  if (backendCode === 'card-expired') return new PosError('INVALID_INPUT', 'This card has expired.', { details });
  if (backendCode === 'offer-expired') return new PosError('BACKEND_REFUSED', 'That offer has ended: cards can no longer be enrolled in it.', { details });
  if (status === 404) {
    if (op === 'probe')
      return new PosError('BACKEND_BAD_RESPONSE', 'The card-linked platform address in settings looks wrong (endpoint not found).', { details });
    if (op === 'customer') return new PosError('MEMBER_NOT_FOUND', 'The platform does not know this customer.', { details });
    if (op === 'unlink') return new PosError('BACKEND_REFUSED', 'This card is not linked to that offer (any more).', { details });
    return new PosError('BACKEND_REFUSED', backendMessage ? `The platform refused: ${backendMessage}` : 'The platform does not know that card or offer.', {
      details,
    });
  }
  if (status === 400 && backendCode === 'validation') {
    return new PosError('INVALID_INPUT', backendMessage ? `The platform refused: ${backendMessage}` : undefined, { details });
  }
  return new PosError('BACKEND_REFUSED', backendMessage ? `The platform refused: ${backendMessage}` : undefined, { details });
}
