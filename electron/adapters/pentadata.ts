/**
 * Pentadata "Pay with Points" (its published platform API): the card-linked
 * program this product serves. This module is the platform client and the
 * alert reader; answers are read with the zod schemas below (one place).
 *
 *  - auth: POST /subscribers/login {email, api_key} -> a JWT (kept in memory,
 *    never parsed: its `expires` is read from the answer), Bearer on every
 *    call; when it expires, POST /subscribers/refresh with the refresh token;
 *    when that fails or expired too, log in again. A 401 on a call renews
 *    once and sends again (a 401 changed nothing);
 *  - the card step is ONE function (enrolCard): POST /cards today, and the
 *    place to switch to POST /accounts, which Pentadata marks as the
 *    successor. The card details go into that request body and nowhere else:
 *    not a URL, a log, an error, a return value (last four only);
 *  - alerts: verifyPentadataAlert compares Pentadata-Key with the alert
 *    token in constant time, and an HMAC-SHA256 signature where one is
 *    configured (header name and signed content are settings: Pentadata does
 *    not publish them). Pentadata neither retries nor waits for an alert, so
 *    catchUp() reads GET /cards/{id}/transactions and returns what the
 *    terminal has not seen, deduplicated on the transaction id;
 *  - alert and transaction bodies: field names are not published, so
 *    readPentadataTransaction looks for each fact under the plausible names
 *    and keeps the raw body for the log; a body without a readable
 *    transaction id is not deduplicable and is never counted as money.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PosError } from '../../shared/errors.js';
import { centsFromBackend } from '../../shared/money.js';
import { httpJson, type HttpJson, type HttpMethod } from './http.js';

export interface PentadataConfig {
  /** API base, e.g. https://api.pentadatainc.com */
  baseUrl: string;
  email: string;
  apiKey: string;
  /** The merchant id Pentadata gives the store (an integer). */
  merchantId: number;
  timeoutMs?: number;
  now?: () => number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
}

/** The card details the customer typed: passed straight into one request body, never kept. */
export interface PentadataCardDetails {
  pan: string;
  firstName: string;
  lastName: string;
  expMonth: number;
  expYear: number;
  cvv: string;
  postalCode: string;
}

export interface PentadataCardView {
  cardId: string;
  lastFour: string;
  expMonth: number | null;
  expYear: number | null;
}

// ---- answers, read in one place ---------------------------------------------

const id = z.union([z.number().int(), z.string().min(1)]).transform(String);
const loginSchema = z.object({
  token: z.string().min(1),
  expires: z.union([z.string(), z.number()]).transform(String).optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_expires: z.union([z.string(), z.number()]).transform(String).optional(),
});
const offerSchema = z.object({ offer_id: id });
const personSchema = z.object({ person_id: id });
const cardSchema = z.object({ card_id: id });
const cardOfferSchema = z.object({ card_offer_id: id }).or(z.object({ id }).transform((o) => ({ card_offer_id: o.id })));
const cardsSchema = z.object({
  cards: z.array(
    z.object({
      card_id: id,
      last_four: z.union([z.string(), z.number()]).transform((v) => String(v).padStart(4, '0')),
      exp_month: z.number().int().nullish(),
      exp_year: z.number().int().nullish(),
    }),
  ),
});

function read<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw new PosError('BACKEND_BAD_RESPONSE', `Pentadata's answer to ${what} could not be read.`);
  return r.data;
}

/** Pentadata's YYYYMMDDhhmmss (UTC) as ms since the epoch; null when unreadable. */
export function pentadataTime(v: string | undefined): number | null {
  const m = v ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v) : null;
  if (!m) return null;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

// ---- the client ----------------------------------------------------------------

export interface PentadataClient {
  /** Signs in (a cheap authenticated check: "test connection"). */
  probe(): Promise<void>;
  createOffer(name: string, description?: string[]): Promise<{ offerId: string }>;
  createPerson(firstName: string, lastName: string, email: string): Promise<{ personId: string }>;
  listCards(personId: string): Promise<PentadataCardView[]>;
  /** The one card step (POST /cards; POST /accounts would replace it here). Returns id and last four only. */
  enrolCard(personId: string, card: PentadataCardDetails): Promise<{ cardId: string; lastFour: string }>;
  linkOffer(cardId: string, offerId: string): Promise<{ cardOfferId: string }>;
  registerAlerts(cardId: string, url: string): Promise<void>;
  /** GET /cards/{id}/transactions, each read tolerantly (raw kept). */
  transactions(cardId: string): Promise<PentadataTransaction[]>;
}

export function createPentadataClient(config: PentadataConfig): PentadataClient {
  const http = config.http ?? httpJson;
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? 10_000;
  const now = config.now ?? Date.now;
  let session: { token: string; expiresAt: number; refresh: string | null; refreshExpiresAt: number } | null = null;

  async function authCall(path: string, body: unknown, bearer?: string): Promise<void> {
    const res = await http({ method: 'POST', url: baseUrl + path, body, headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, timeoutMs });
    if (res.status === 401 || res.status === 400) {
      throw new PosError('BACKEND_AUTH', "Pentadata refused the terminal's e-mail and API key: check them in settings.", {
        details: { status: res.status, notApplied: true },
      });
    }
    if (res.status >= 300)
      throw new PosError('BACKEND_REFUSED', `Pentadata refused to sign the terminal in (HTTP ${res.status}).`, {
        details: { status: res.status, notApplied: true },
      });
    const a = read(loginSchema, res.body, 'the sign-in');
    // An unreadable expiry counts as a short one: renewing early costs a call, never a sale.
    const exp = pentadataTime(a.expires) ?? now() + 60_000;
    session = { token: a.token, expiresAt: exp - 30_000, refresh: a.refresh_token ?? null, refreshExpiresAt: pentadataTime(a.refresh_expires) ?? 0 };
  }

  async function token(): Promise<string> {
    if (session && session.expiresAt > now()) return session.token;
    if (session?.refresh && session.refreshExpiresAt > now()) {
      try {
        await authCall('/subscribers/refresh', undefined, session.refresh);
        return session.token;
      } catch {
        // the refresh token was refused: sign in again below
      }
    }
    await authCall('/subscribers/login', { email: config.email, api_key: config.apiKey });
    return session!.token;
  }

  async function call(method: HttpMethod, path: string, body?: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const t = await token();
      const res = await http({ method, url: baseUrl + path, headers: { authorization: `Bearer ${t}` }, body, timeoutMs });
      if (res.status >= 200 && res.status < 300) return res.body;
      if (res.status === 401 && attempt === 0) {
        session = null; // renew once: a 401 changed nothing
        continue;
      }
      const details = { status: res.status, notApplied: true };
      if (res.status === 401 || res.status === 403) throw new PosError('BACKEND_AUTH', undefined, { details });
      if (res.status === 404) throw new PosError('BACKEND_REFUSED', 'Pentadata does not know that card, person or offer.', { details });
      // Pentadata's message is never passed on: it could echo what was sent (a card number).
      throw new PosError('INVALID_INPUT', 'Pentadata says the input is not correct: check what was typed.', { details });
    }
  }

  const seg = (s: string) => encodeURIComponent(s);
  return {
    async probe() {
      session = null;
      await token();
    },
    async createOffer(name, description) {
      const r = read(
        offerSchema,
        await call('POST', '/offers', { merchant_id: config.merchantId, offer: { name, ...(description?.length ? { description } : {}) } }),
        'the new offer',
      );
      return { offerId: r.offer_id };
    },
    async createPerson(firstName, lastName, email) {
      return {
        personId: read(personSchema, await call('POST', '/persons', { first_name: firstName, last_name: lastName, email }), 'the new person').person_id,
      };
    },
    async listCards(personId) {
      return read(cardsSchema, await call('GET', `/persons/${seg(personId)}/cards`), 'the cards').cards.map((c) => ({
        cardId: c.card_id,
        lastFour: c.last_four,
        expMonth: c.exp_month ?? null,
        expYear: c.exp_year ?? null,
      }));
    },
    async enrolCard(personId, card) {
      if (!/^\d{13,19}$/.test(card.pan)) throw new PosError('INVALID_INPUT', 'A card number is 13 to 19 digits.', { details: { notApplied: true } });
      // The one place card details leave the terminal: this request's body.
      const body = {
        pan: card.pan,
        first_name: card.firstName,
        last_name: card.lastName,
        exp_month: Math.trunc(card.expMonth), // an integer 1-12, no leading zero
        exp_year: Math.trunc(card.expYear),
        cvv: card.cvv,
        person_id: Number.isSafeInteger(Number(personId)) ? Number(personId) : personId,
        postal_code: card.postalCode,
      };
      const r = read(cardSchema, await call('POST', '/cards', body), 'the new card');
      return { cardId: r.card_id, lastFour: card.pan.slice(-4) };
    },
    async linkOffer(cardId, offerId) {
      const r = read(
        cardOfferSchema,
        await call('POST', `/cards/${seg(cardId)}/offers`, { offer_id: Number.isSafeInteger(Number(offerId)) ? Number(offerId) : offerId }),
        'the card-offer link',
      );
      return { cardOfferId: r.card_offer_id };
    },
    async registerAlerts(cardId, url) {
      await call('POST', `/cards/${seg(cardId)}/alerts`, { url });
    },
    async transactions(cardId) {
      const body = await call('GET', `/cards/${seg(cardId)}/transactions`);
      const list = Array.isArray(body)
        ? body
        : Array.isArray((body as { transactions?: unknown })?.transactions)
          ? (body as { transactions: unknown[] }).transactions
          : null;
      if (!list) throw new PosError('BACKEND_BAD_RESPONSE', "Pentadata's transaction list could not be read: the catch-up will try again.");
      return list.map((t) => readPentadataTransaction(t, JSON.stringify(t)));
    },
  };
}

// ---- alerts and transactions --------------------------------------------------

/** One alert or listed transaction, read tolerantly; `raw` is what came, for the log (never card data: Pentadata sends none). */
export interface PentadataTransaction {
  transactionId: string | null;
  cardId: string | null;
  offerId: string | null;
  amountCents: number | null;
  currency: string | null;
  merchant: string | null;
  at: string | null;
  raw: string;
}

const NAMES = {
  transactionId: ['transaction_id', 'transactionId', 'id', 'txn_id'],
  cardId: ['card_id', 'cardId'],
  offerId: ['offer_id', 'offerId'],
  amount: ['amount', 'amountValue', 'amount_value', 'transaction_amount'],
  currency: ['currency', 'currencyCode', 'currency_code'],
  merchant: ['merchant', 'merchantName', 'merchant_name'],
  at: ['date', 'timestamp', 'datetime', 'created', 'transaction_date'],
} as const;

export function readPentadataTransaction(body: unknown, raw: string): PentadataTransaction {
  const o = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const first = (names: readonly string[]) => names.map((n) => o[n]).find((v) => v !== undefined && v !== null);
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v.slice(0, 100) : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);
  let amountCents: number | null = null;
  try {
    const a = first(NAMES.amount);
    amountCents = a === undefined ? null : centsFromBackend(a);
  } catch {
    amountCents = null;
  }
  const at = text(first(NAMES.at));
  const currency = text(first(NAMES.currency));
  return {
    transactionId: text(first(NAMES.transactionId)),
    cardId: text(first(NAMES.cardId)),
    offerId: text(first(NAMES.offerId)),
    amountCents,
    currency: currency && /^[A-Z]{3}$/.test(currency) ? currency : null,
    merchant: text(first(NAMES.merchant)),
    at: at && !Number.isNaN(Date.parse(at)) ? new Date(Date.parse(at)).toISOString() : null,
    raw: scrubCardNumbers(raw.slice(0, 4000)),
  };
}

/**
 * Any run of 12 or more digits (with spaces or dashes between) replaced: a
 * body or message that echoed a card number must not reach a screen or the
 * log through the terminal (Pentadata says it sends none; this makes sure).
 */
export function scrubCardNumbers(text: string): string {
  return text.replace(/\d(?:[ -]?\d){11,}/g, '[card number]');
}

export interface AlertVerification {
  /** The alert token from Pentadata's dashboard. */
  alertToken: string;
  /** Optional: an HMAC-SHA256 signature to verify too (Pentadata does not publish its form: all three are settings). */
  hmac?: { secret: string; header: string; content: HmacContent; encoding: 'hex' | 'base64' } | null;
}

/** What the HMAC covers: the raw body, or the registered alert URL followed by the raw body. */
export type HmacContent = 'body' | 'url+body';

export type AlertVerdict = { ok: true } | { ok: false; reason: 'key-missing' | 'key-wrong' | 'signature-missing' | 'signature-wrong' };

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // Compare in constant time even when the lengths differ (no early exit on length).
  const pad = Buffer.alloc(Math.max(x.length, y.length));
  const xx = Buffer.concat([x, pad]).subarray(0, pad.length);
  const yy = Buffer.concat([y, pad]).subarray(0, pad.length);
  return timingSafeEqual(xx, yy) && x.length === y.length;
}

/** Checks an alert's Pentadata-Key (constant time) and, where configured, its HMAC. Headers by lower-case name. */
export function verifyPentadataAlert(
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  v: AlertVerification,
  registeredUrl = '',
): AlertVerdict {
  const h = (name: string) => {
    const x = headers[name.toLowerCase()];
    return Array.isArray(x) ? x[0] : x;
  };
  const key = h('pentadata-key');
  if (!key) return { ok: false, reason: 'key-missing' };
  if (!sameText(key.trim(), v.alertToken)) return { ok: false, reason: 'key-wrong' };
  if (v.hmac) {
    const sig = h(v.hmac.header);
    if (!sig) return { ok: false, reason: 'signature-missing' };
    const mac = createHmac('sha256', v.hmac.secret);
    if (v.hmac.content === 'url+body') mac.update(registeredUrl, 'utf8');
    const expected = mac.update(rawBody).digest(v.hmac.encoding);
    if (!sameText(sig.trim(), expected)) return { ok: false, reason: 'signature-wrong' };
  }
  return { ok: true };
}

/**
 * The catch-up: every enrolled card's transactions that the terminal has not
 * seen (by transaction id), in no assumed order. A card whose list cannot be
 * read is reported, not skipped silently: the next run tries it again.
 */
export async function catchUp(
  client: PentadataClient,
  cardIds: readonly string[],
  seen: (transactionId: string) => boolean,
): Promise<{ fresh: PentadataTransaction[]; unreadable: PentadataTransaction[]; failedCards: string[] }> {
  const fresh: PentadataTransaction[] = [];
  const unreadable: PentadataTransaction[] = [];
  const failedCards: string[] = [];
  const inThisRun = new Set<string>();
  for (const cardId of cardIds) {
    let list: PentadataTransaction[];
    try {
      list = await client.transactions(cardId);
    } catch {
      failedCards.push(cardId);
      continue;
    }
    for (const t of list) {
      if (!t.transactionId) {
        unreadable.push(t); // kept for the log; never counted: it cannot be deduplicated
        continue;
      }
      if (seen(t.transactionId) || inThisRun.has(t.transactionId)) continue;
      inThisRun.add(t.transactionId);
      fresh.push(t);
    }
  }
  return { fresh, unreadable, failedCards };
}
