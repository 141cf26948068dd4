/**
 * Card-linked offers emulator ("Pay with Points", Fidel-style), mounted at
 * /cardlinked (PROVIDERS.md section 5). Every /v1 call needs the secret key
 * in `Fidel-Key: sk_test_...` (401 without it or with a wrong one).
 *
 *   GET    /cardlinked/v1/brands                          -> the account's brands
 *   GET    /cardlinked/v1/offers?status=live|upcoming|expired&brandId=
 *   POST   /cardlinked/v1/offers                          {brandId, name, type: {name: discount|amount, value}, currency?, countryCode,
 *                                                          minTransactionAmount?, maxTransactionAmount?, startDate, endDate?, daysOfWeek?, additionalTerms?}
 *   GET    /cardlinked/v1/offers/{offerId}
 *   POST   /cardlinked/v1/persons                         {name, email} -> the person (409 item-exists for a known e-mail)
 *   GET    /cardlinked/v1/persons?email=                  -> 0 or 1 person
 *   GET    /cardlinked/v1/persons/{personId}
 *   GET    /cardlinked/v1/persons/{personId}/cards
 *   POST   /cardlinked/v1/programs/{programId}/cards      {number, expMonth, expYear, countryCode, termsOfUse: true, personId?}
 *                                                          -> {id, scheme, lastNumbers, ...}: the number itself is never stored nor echoed
 *   GET    /cardlinked/v1/cards/{cardId}
 *   GET    /cardlinked/v1/cards/{cardId}/offers           -> the card's CardOffer links
 *   POST   /cardlinked/v1/cards/{cardId}/offers           {offerId} -> 201 the CardOffer (409 item-exists when linked already)
 *   DELETE /cardlinked/v1/cards/{cardId}/offers/{offerId} -> unlink
 *   POST   /cardlinked/v1/offers/{offerId}/cards/{cardId} (the platform's own form of the link; DELETE unlinks)
 *   GET    /cardlinked/v1/webhooks
 *   POST   /cardlinked/v1/webhooks                        {event: transaction.auth|transaction.clearing|transaction.refund, url}
 *                                                          -> 201 {id, event, url, secretKey}
 *   DELETE /cardlinked/v1/webhooks/{webhookId}
 *
 * Answers use the platform's envelope: `{items: [...], resource, status,
 * execution}` (lists add `count`), errors `{error: {code, message, field?},
 * resource, status, execution}`. Amounts on the wire are decimal currency
 * units (10.5), as the platform sends them.
 *
 * Cards: with a test key only the platform's test numbers are accepted (Visa
 * 4444 0000 0000 4xxx, Mastercard 5555 0000 0000 5xxx; any last three
 * digits); any other number is refused with 400 card-number-invalid. The
 * emulator keeps id, scheme and last four only.
 *
 * Purchases, clearings and refunds are simulated through the control API
 * (control.ts), which delivers the signed webhooks (webhooks.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { json } from '../http-util.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { handleCardLinkedControl } from './control.js';
import { CARD_LINKED_SANDBOX_CREDENTIALS, TEST_CARD_PREFIXES } from './demo.js';
import {
  CardLinkedState,
  WEBHOOK_EVENTS,
  decimalToHundredths,
  hundredthsToDecimal,
  type CardScheme,
  type ClCard,
  type ClCardOffer,
  type ClOffer,
  type ClPerson,
  type ClTransaction,
  type ClWebhook,
  type WebhookEvent,
} from './state.js';

export interface CardLinkedBackendOptions {
  secretKeys?: readonly string[];
  /** Pause between delivery attempts (default 1000 ms; a control call may ask for another). */
  retryDelayMs?: number;
  /** How long one delivery attempt waits for an answer (default 5000 ms). */
  attemptTimeoutMs?: number;
}

const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function execution(): number {
  return Math.round(Math.random() * 3000) / 1000 + 1;
}

export function clItems(status: number, resource: string, items: unknown[], list = false): SandboxResponse {
  return json(status, { items, resource, status, execution: execution(), ...(list ? { count: items.length } : {}) });
}

export function clError(status: number, code: string, message: string, resource: string, field?: string): SandboxResponse {
  return json(status, { error: { code, message, ...(field ? { field } : {}) }, resource, status, execution: execution() });
}

function defaultCode(status: number): string {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'item-not-found';
  if (status === 409) return 'item-exists';
  if (status === 429) return 'rate-limit-exceeded';
  if (status >= 500) return 'internal-server-error';
  return STATUS_CODES[status]?.toLowerCase().replace(/\s+/g, '-') ?? 'error';
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** Scheme of a platform test card, or null for any other number. Reads the number, keeps nothing. */
export function testCardScheme(number: string): CardScheme | null {
  if (number.length !== 16) return null;
  if (number.startsWith(TEST_CARD_PREFIXES.visa)) return 'visa';
  if (number.startsWith(TEST_CARD_PREFIXES.mastercard)) return 'mastercard';
  return null;
}

export class CardLinkedBackend implements SandboxBackend {
  readonly id = 'cardlinked';
  readonly prefix = '/cardlinked';
  readonly state: CardLinkedState;
  readonly retryDelayMs: number;
  readonly attemptTimeoutMs: number;
  private readonly secretKeys: readonly string[];

  constructor(
    readonly now: () => number,
    opts: CardLinkedBackendOptions = {},
  ) {
    this.state = new CardLinkedState(now);
    this.secretKeys = opts.secretKeys ?? [CARD_LINKED_SANDBOX_CREDENTIALS.secretKey];
    this.retryDelayMs = opts.retryDelayMs ?? 1000;
    this.attemptTimeoutMs = opts.attemptTimeoutMs ?? 5000;
  }

  reset(seedDemo: boolean): void {
    this.state.reset(seedDemo);
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    const r = clError(status, defaultCode(status), message, '');
    return { ...r, headers: { ...(r.headers ?? {}), ...headers } };
  }

  control(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
    return handleCardLinkedControl(this, req, ctx);
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const resource = req.path;
    if (!(req.path === '/v1' || req.path.startsWith('/v1/'))) return clError(404, 'item-not-found', `No route ${req.method} ${req.path}`, resource);
    const key = header(req, 'fidel-key');
    if (!key) return clError(401, 'unauthorized', 'The Fidel-Key header is required.', resource);
    if (!this.secretKeys.some((k) => sameSecret(k, key))) return clError(401, 'unauthorized', 'The key is not valid.', resource);
    if (req.bodyError) return clError(400, 'validation', 'The body is not valid JSON.', resource);
    return this.route(req, resource);
  }

  private route(req: SandboxRequest, resource: string): SandboxResponse {
    const m = req.method;
    const p = req.path;
    const seg = p
      .split('/')
      .slice(2)
      .map((s) => decodeURIComponent(s)); // after '/v1'
    const [a, b, c, d] = seg;
    const body = (typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? req.body : {}) as Record<string, unknown>;
    const methodNotAllowed = () => clError(405, 'method-not-allowed', `${m} is not allowed on ${p}.`, resource);

    switch (a) {
      case 'brands':
        if (seg.length !== 1) break;
        if (m !== 'GET') return methodNotAllowed();
        return clItems(200, resource, [...this.state.brands.values()], true);
      case 'offers':
        if (seg.length === 1) {
          if (m === 'GET') return this.listOffers(req, resource);
          if (m === 'POST') return this.createOffer(body, resource);
          return methodNotAllowed();
        }
        if (seg.length === 2) {
          if (m !== 'GET') return methodNotAllowed();
          const o = this.state.offers.get(b!);
          return o ? clItems(200, resource, [this.offerOut(o)]) : clError(404, 'item-not-found', 'Offer not found.', resource);
        }
        if (seg.length === 4 && c === 'cards') {
          if (m === 'POST') return this.link(d!, b!, resource);
          if (m === 'DELETE') return this.unlink(d!, b!, resource);
          return methodNotAllowed();
        }
        break;
      case 'persons':
        if (seg.length === 1) {
          if (m === 'GET') return this.findPersons(req, resource);
          if (m === 'POST') return this.createPerson(body, resource);
          return methodNotAllowed();
        }
        if (seg.length === 2 || (seg.length === 3 && c === 'cards')) {
          if (m !== 'GET') return methodNotAllowed();
          const person = this.state.persons.get(b!);
          if (!person) return clError(404, 'item-not-found', 'Person not found.', resource);
          if (seg.length === 2) return clItems(200, resource, [personOut(person)]);
          return clItems(200, resource, this.state.cardsOf(person.id).map(cardOut), true);
        }
        break;
      case 'programs':
        if (seg.length === 3 && c === 'cards') {
          if (m !== 'POST') return methodNotAllowed();
          if (b !== CARD_LINKED_SANDBOX_CREDENTIALS.programId) return clError(404, 'item-not-found', 'Program not found.', resource);
          return this.createCard(body, b, resource);
        }
        break;
      case 'cards': {
        if (seg.length < 2) break;
        const card = this.state.cards.get(b!);
        if (seg.length === 2) {
          if (m !== 'GET') return methodNotAllowed();
          return card ? clItems(200, resource, [cardOut(card)]) : clError(404, 'item-not-found', 'Card not found.', resource);
        }
        if (c !== 'offers') break;
        if (seg.length === 3) {
          if (m === 'GET') {
            if (!card) return clError(404, 'item-not-found', 'Card not found.', resource);
            return clItems(
              200,
              resource,
              this.state.linksOf(card.id).map((l) => this.linkOut(l)),
              true,
            );
          }
          if (m === 'POST') {
            if (typeof body.offerId !== 'string' || body.offerId === '') return clError(400, 'validation', 'offerId is required.', resource, 'offerId');
            return this.link(b!, body.offerId, resource);
          }
          return methodNotAllowed();
        }
        if (seg.length === 4) {
          if (m !== 'DELETE') return methodNotAllowed();
          return this.unlink(b!, d!, resource);
        }
        break;
      }
      case 'webhooks':
        if (seg.length === 1) {
          if (m === 'GET') return clItems(200, resource, [...this.state.webhooks.values()].map(webhookOut), true);
          if (m === 'POST') return this.createWebhook(body, resource);
          return methodNotAllowed();
        }
        if (seg.length === 2) {
          if (m !== 'DELETE') return methodNotAllowed();
          if (!this.state.webhooks.delete(b!)) return clError(404, 'item-not-found', 'Webhook not found.', resource);
          return clItems(200, resource, []);
        }
        break;
    }
    return clError(404, 'item-not-found', `No route ${m} ${p}`, resource);
  }

  // ---- offers -----------------------------------------------------------

  private listOffers(req: SandboxRequest, resource: string): SandboxResponse {
    const status = req.query.get('status');
    if (status !== null && !['live', 'upcoming', 'expired'].includes(status)) {
      return clError(400, 'validation', 'status must be live, upcoming or expired.', resource, 'status');
    }
    const brandId = req.query.get('brandId');
    const now = this.now();
    const items = [...this.state.offers.values()]
      .filter((o) => (status === null || this.state.offerStatus(o, now) === status) && (brandId === null || o.brandId === brandId))
      .map((o) => this.offerOut(o));
    return clItems(200, resource, items, true);
  }

  private createOffer(b: Record<string, unknown>, resource: string): SandboxResponse {
    const bad = (field: string, msg: string) => clError(400, 'validation', msg, resource, field);
    if (typeof b.brandId !== 'string' || !this.state.brands.has(b.brandId)) return bad('brandId', "brandId must name one of the account's brands.");
    if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200) return bad('name', 'name must be 1 to 200 characters.');
    const t = b.type as { name?: unknown; value?: unknown } | undefined;
    const value = decimalToHundredths(t?.value);
    if (!t || (t.name !== 'discount' && t.name !== 'amount') || value === null || value <= 0 || (t.name === 'discount' && value > 10_000)) {
      return bad('type', 'type must be {name: "discount", value: percent (0-100]} or {name: "amount", value: amount > 0}.');
    }
    if (typeof b.countryCode !== 'string' || !/^[A-Z]{3}$/.test(b.countryCode)) return bad('countryCode', 'countryCode must be an ISO 3166 alpha-3 code.');
    const currency = b.currency === undefined ? CARD_LINKED_SANDBOX_CREDENTIALS.currency : b.currency;
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return bad('currency', 'currency must be an ISO 4217 code.');
    const minCents = b.minTransactionAmount === undefined || b.minTransactionAmount === null ? null : decimalToHundredths(b.minTransactionAmount);
    const maxCents = b.maxTransactionAmount === undefined || b.maxTransactionAmount === null ? null : decimalToHundredths(b.maxTransactionAmount);
    if ((b.minTransactionAmount != null && (minCents === null || minCents < 0)) || (b.maxTransactionAmount != null && (maxCents === null || maxCents <= 0))) {
      return bad('minTransactionAmount', 'min/maxTransactionAmount must be amounts with at most two decimals.');
    }
    if (minCents !== null && maxCents !== null && minCents > maxCents)
      return bad('maxTransactionAmount', 'maxTransactionAmount is below minTransactionAmount.');
    if (typeof b.startDate !== 'string' || Number.isNaN(Date.parse(b.startDate))) return bad('startDate', 'startDate must be an ISO date.');
    if (b.endDate != null && (typeof b.endDate !== 'string' || Number.isNaN(Date.parse(b.endDate)) || Date.parse(b.endDate) <= Date.parse(b.startDate))) {
      return bad('endDate', 'endDate must be an ISO date after startDate.');
    }
    const days = b.daysOfWeek === undefined ? [0, 1, 2, 3, 4, 5, 6] : b.daysOfWeek;
    if (!Array.isArray(days) || days.length === 0 || !days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6))
      return bad('daysOfWeek', 'daysOfWeek must list days 0 (Sunday) to 6.');
    if (b.additionalTerms !== undefined && (typeof b.additionalTerms !== 'string' || b.additionalTerms.length > 1000))
      return bad('additionalTerms', 'additionalTerms must be text up to 1000 characters.');
    const o = this.state.addOffer({
      brandId: b.brandId,
      name: b.name.trim(),
      type: t.name === 'discount' ? { name: 'discount', basisPoints: value } : { name: 'amount', cents: value },
      currency,
      countryCode: b.countryCode,
      minCents,
      maxCents,
      startDate: new Date(Date.parse(b.startDate)).toISOString(),
      endDate: b.endDate == null ? null : new Date(Date.parse(b.endDate as string)).toISOString(),
      daysOfWeek: [...new Set(days as number[])].sort(),
      additionalTerms: (b.additionalTerms as string | undefined) ?? '',
    });
    return clItems(201, resource, [this.offerOut(o)]);
  }

  offerOut(o: ClOffer): Record<string, unknown> {
    const brand = this.state.brands.get(o.brandId);
    return {
      id: o.id,
      accountId: CARD_LINKED_SANDBOX_CREDENTIALS.accountId,
      brandId: o.brandId,
      brandName: brand?.name ?? null,
      name: o.name,
      type:
        o.type.name === 'discount'
          ? { name: 'discount', value: hundredthsToDecimal(o.type.basisPoints) }
          : { name: 'amount', value: hundredthsToDecimal(o.type.cents) },
      currency: o.currency,
      countryCode: o.countryCode,
      minTransactionAmount: o.minCents === null ? null : hundredthsToDecimal(o.minCents),
      maxTransactionAmount: o.maxCents === null ? null : hundredthsToDecimal(o.maxCents),
      startDate: o.startDate,
      endDate: o.endDate,
      daysOfWeek: o.daysOfWeek,
      additionalTerms: o.additionalTerms,
      live: this.state.offerStatus(o, this.now()) === 'live',
      created: o.created,
    };
  }

  // ---- persons ----------------------------------------------------------

  private findPersons(req: SandboxRequest, resource: string): SandboxResponse {
    const email = req.query.get('email');
    if (email === null) return clItems(200, resource, [...this.state.persons.values()].map(personOut), true);
    const p = this.state.findPersonByEmail(email);
    return clItems(200, resource, p ? [personOut(p)] : [], true);
  }

  private createPerson(b: Record<string, unknown>, resource: string): SandboxResponse {
    if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 200)
      return clError(400, 'validation', 'name must be 1 to 200 characters.', resource, 'name');
    if (typeof b.email !== 'string' || !EMAIL_RE.test(b.email)) return clError(400, 'validation', 'email is not an e-mail address.', resource, 'email');
    const existing = this.state.findPersonByEmail(b.email);
    if (existing) return clError(409, 'item-exists', 'A person with this e-mail exists.', resource, 'email');
    return clItems(201, resource, [personOut(this.state.addPerson(b.name.trim(), b.email.trim()))]);
  }

  // ---- cards ------------------------------------------------------------

  private createCard(b: Record<string, unknown>, programId: string, resource: string): SandboxResponse {
    const bad = (field: string, msg: string, code = 'validation') => clError(400, code, msg, resource, field);
    // Never echo the number, in an answer or anywhere else.
    const number = typeof b.number === 'string' ? b.number : '';
    if (!/^\d{12,19}$/.test(number)) return bad('number', 'number must be the card number, 12 to 19 digits.');
    const scheme = testCardScheme(number);
    if (!scheme) {
      return bad(
        'number',
        'Only test card numbers can be used with a test key: Visa 4444 0000 0000 4xxx or Mastercard 5555 0000 0000 5xxx.',
        'card-number-invalid',
      );
    }
    const lastNumbers = number.slice(-4);
    if (!Number.isInteger(b.expMonth) || (b.expMonth as number) < 1 || (b.expMonth as number) > 12) return bad('expMonth', 'expMonth must be 1 to 12.');
    if (!Number.isInteger(b.expYear) || (b.expYear as number) < 2000 || (b.expYear as number) > 2100)
      return bad('expYear', 'expYear must be a four-digit year.');
    const expMonth = b.expMonth as number;
    const expYear = b.expYear as number;
    const endOfExpiry = Date.UTC(expYear, expMonth, 1); // first day of the month after
    if (endOfExpiry <= this.now()) return bad('expYear', 'The card has expired.', 'card-expired');
    if (typeof b.countryCode !== 'string' || !/^[A-Z]{3}$/.test(b.countryCode)) return bad('countryCode', 'countryCode must be an ISO 3166 alpha-3 code.');
    if (b.termsOfUse !== true) return bad('termsOfUse', 'The cardholder must accept the terms of use (termsOfUse: true).');
    let personId: string | null = null;
    if (b.personId !== undefined) {
      if (typeof b.personId !== 'string' || !this.state.persons.has(b.personId))
        return clError(404, 'item-not-found', 'Person not found.', resource, 'personId');
      personId = b.personId;
    }
    const card = this.state.addCard({ programId, personId, scheme, lastNumbers, expMonth, expYear, countryCode: b.countryCode });
    return clItems(201, resource, [cardOut(card)]);
  }

  // ---- card-offer links -------------------------------------------------

  private link(cardId: string, offerId: string, resource: string): SandboxResponse {
    const card = this.state.cards.get(cardId);
    if (!card) return clError(404, 'item-not-found', 'Card not found.', resource, 'cardId');
    const offer = this.state.offers.get(offerId);
    if (!offer) return clError(404, 'item-not-found', 'Offer not found.', resource, 'offerId');
    if (this.state.offerStatus(offer, this.now()) === 'expired')
      return clError(400, 'offer-expired', 'The offer has ended; cards can no longer be linked to it.', resource, 'offerId');
    if (this.state.findLink(cardId, offerId)) return clError(409, 'item-exists', 'The card is already linked to this offer.', resource);
    return clItems(201, resource, [this.linkOut(this.state.link(cardId, offerId))]);
  }

  private unlink(cardId: string, offerId: string, resource: string): SandboxResponse {
    if (!this.state.cards.has(cardId)) return clError(404, 'item-not-found', 'Card not found.', resource, 'cardId');
    if (!this.state.unlink(cardId, offerId)) return clError(404, 'item-not-found', 'The card is not linked to this offer.', resource, 'offerId');
    return clItems(200, resource, []);
  }

  linkOut(l: ClCardOffer): Record<string, unknown> {
    const o = this.state.offers.get(l.offerId);
    return { id: l.id, cardId: l.cardId, offerId: l.offerId, offerName: o?.name ?? null, created: l.created };
  }

  // ---- webhooks ---------------------------------------------------------

  private createWebhook(b: Record<string, unknown>, resource: string): SandboxResponse {
    if (typeof b.event !== 'string' || !(WEBHOOK_EVENTS as readonly string[]).includes(b.event)) {
      return clError(400, 'validation', `event must be one of ${WEBHOOK_EVENTS.join(', ')}.`, resource, 'event');
    }
    let url: URL;
    try {
      url = new URL(String(b.url));
    } catch {
      return clError(400, 'validation', 'url must be an absolute URL.', resource, 'url');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname === '::1' ? '[::1]' : url.hostname))) {
      return clError(400, 'validation', 'url must be https (plain http only to this machine, for training).', resource, 'url');
    }
    if (url.username || url.password) return clError(400, 'validation', 'url must not carry credentials.', resource, 'url');
    return clItems(201, resource, [webhookOut(this.state.addWebhook(b.event as WebhookEvent, String(b.url)))]);
  }

  // ---- webhook bodies (used by control.ts) ---------------------------------

  /** The transaction as the platform sends it in a webhook. */
  transactionBody(t: ClTransaction): Record<string, unknown> {
    const card = this.state.cards.get(t.cardId);
    const offer = t.offerId ? this.state.offers.get(t.offerId) : undefined;
    const brand = offer ? this.state.brands.get(offer.brandId) : this.state.brands.values().next().value;
    const loc = this.state.location;
    return {
      id: t.id,
      accountId: CARD_LINKED_SANDBOX_CREDENTIALS.accountId,
      programId: CARD_LINKED_SANDBOX_CREDENTIALS.programId,
      amount: hundredthsToDecimal(t.amountCents),
      currency: t.currency,
      auth: t.auth,
      cleared: t.cleared,
      created: t.created,
      updated: t.updated,
      datetime: t.datetime,
      card: card ? { id: card.id, scheme: card.scheme, lastNumbers: card.lastNumbers } : { id: t.cardId, scheme: null, lastNumbers: null },
      brand: brand ? { id: brand.id, name: brand.name } : null,
      location: { id: loc.id, address: loc.address, city: loc.city, postcode: loc.postcode, countryCode: loc.countryCode },
      offer: offer ? { id: offer.id, name: offer.name, cashback: hundredthsToDecimal(t.cashbackCents), qualified: true } : null,
      originalTransactionId: t.originalTransactionId,
    };
  }
}

function personOut(p: ClPerson): Record<string, unknown> {
  return { id: p.id, name: p.name, email: p.email, created: p.created };
}

export function cardOut(c: ClCard): Record<string, unknown> {
  return {
    id: c.id,
    programId: c.programId,
    accountId: CARD_LINKED_SANDBOX_CREDENTIALS.accountId,
    personId: c.personId,
    scheme: c.scheme,
    lastNumbers: c.lastNumbers,
    expMonth: c.expMonth,
    expYear: c.expYear,
    countryCode: c.countryCode,
    live: false,
    created: c.created,
  };
}

function webhookOut(w: ClWebhook): Record<string, unknown> {
  return { id: w.id, event: w.event, url: w.url, secretKey: w.secretKey, created: w.created };
}
