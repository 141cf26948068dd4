/**
 * Pentadata "Pay with Points" emulator, mounted at
 * /pentadata. Built from the published facts:
 *
 *   POST /subscribers/login    {email, api_key} -> {token, expires (YYYYMMDDhhmmss UTC), refresh_token, refresh_expires, userId}
 *   POST /subscribers/refresh  Authorization: Bearer <refresh_token> -> the same shape, new tokens
 *   POST /offers               {merchant_id (integer), offer: {name, description?: [..]}} -> {offer_id}
 *   POST /persons              {first_name, last_name, email} -> {person_id}
 *   GET  /persons/{id}/cards   -> {cards: [{card_id, last_four, exp_month, exp_year, postal_code, last_opt_in}]}
 *   POST /cards                {pan, first_name, last_name, exp_month (1-12), exp_year (4 digits), cvv, person_id, postal_code} -> 201 {card_id}
 *   POST /cards/{id}/offers    {offer_id} -> {card_offer_id}
 *   POST /cards/{id}/alerts    {url} -> {alert_id}
 *   GET  /cards/{id}/transactions -> {transactions: [...]}
 *
 * Every call but login/refresh needs `Authorization: Bearer <token>`; 401
 * otherwise, 400 for input that is not correct. The card's pan and cvv are
 * checked and dropped: only the last four digits are kept.
 *
 * Alerts: a purchase on an enrolled card (control API) is sent once to each
 * URL registered for the card, with `Pentadata-Key: <alert token>`, and
 * (where the emulator is given an HMAC secret) an HMAC-SHA256 signature: NOT
 * retried, NOT waiting for the answer, as the product page says. Field
 * names of the alert body and of /transactions are not published: the
 * emulator's default form and its alternative (forms.fields) differ in every
 * name, so the terminal's tolerant reading is proven against both.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { json, problem } from '../http-util.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';

export const PENTADATA_SANDBOX = {
  email: 'pos@sandbox.example',
  apiKey: 'pd-sandbox-api-key-0001',
  merchantId: 4711,
  /** The alert token from the dashboard: every alert carries it as Pentadata-Key. */
  alertToken: 'pd-sandbox-alert-token-0001',
  tokenTtlSec: 3600,
  refreshTtlSec: 86_400,
} as const;

export interface PdForms {
  /** Field names of alert and transaction bodies: 'snake' (transaction_id, card_id, amount, currency, date) or 'camel' (id, cardId, amountValue, currencyCode, timestamp). */
  fields: 'snake' | 'camel';
  /** The HMAC-SHA256 signature of alerts: none (default), or hex of the raw body in `X-Pentadata-Signature`. */
  hmac: 'none' | 'hex-body';
  /** The order /transactions lists in: newest first (default) or oldest first. */
  order: 'newest-first' | 'oldest-first';
}
export const DEFAULT_PD_FORMS: Readonly<PdForms> = { fields: 'snake', hmac: 'none', order: 'newest-first' };
export const PD_HMAC_SECRET = 'pd-sandbox-hmac-secret';
export const PD_SIGNATURE_HEADER = 'X-Pentadata-Signature';

interface PdCard {
  id: number;
  personId: number;
  lastFour: string;
  expMonth: number;
  expYear: number;
  postalCode: string;
  offers: number[];
  alertUrls: string[];
}

interface PdTransaction {
  id: string;
  cardId: number;
  offerId: number | null;
  amountCents: number;
  currency: string;
  merchant: string;
  at: string;
}

/** YYYYMMDDhhmmss in UTC, as the login answer writes `expires`. */
export function pdTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export class PentadataBackend implements SandboxBackend {
  readonly id = 'pentadata';
  readonly prefix = '/pentadata';
  forms: PdForms = { ...DEFAULT_PD_FORMS };
  private tokens = new Map<string, { kind: 'access' | 'refresh'; exp: number }>();
  private seq = 1000;
  private offers = new Map<number, { name: string; description: string[] }>();
  private persons = new Map<number, { firstName: string; lastName: string; email: string }>();
  private cards = new Map<number, PdCard>();
  private transactions: PdTransaction[] = [];
  /** Every alert sent (for tests): url, headers, raw body, and whether it was sent at all. */
  readonly alertsSent: Array<{ url: string; body: string; delivered: boolean }> = [];
  /** Every body a card request carried, minus pan and cvv (proof they were dropped). */
  readonly cardRequestsSeen: Array<Record<string, unknown>> = [];

  constructor(private readonly now: () => number) {}

  reset(_seedDemo: boolean): void {
    this.forms = { ...DEFAULT_PD_FORMS };
    this.tokens.clear();
    this.offers.clear();
    this.persons.clear();
    this.cards.clear();
    this.transactions = [];
    this.alertsSent.length = 0;
    this.cardRequestsSeen.length = 0;
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    return json(status, { message }, headers);
  }

  async handle(req: SandboxRequest, _ctx: SandboxContext): Promise<SandboxResponse> {
    const route = `${req.method} ${req.path}`;
    if (route === 'POST /subscribers/login') return this.login(req);
    if (route === 'POST /subscribers/refresh') return this.refresh(req);
    if (!this.bearer(req, 'access')) return json(401, { message: 'not authorized' });
    const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    if (route === 'POST /offers') {
      const o = b.offer as { name?: unknown; description?: unknown } | undefined;
      if (b.merchant_id !== PENTADATA_SANDBOX.merchantId || typeof o?.name !== 'string' || o.name === '') return json(400, { message: 'input not correct' });
      const id = ++this.seq;
      this.offers.set(id, { name: o.name, description: Array.isArray(o.description) ? o.description.map(String) : [] });
      return json(200, { offer_id: id });
    }
    if (route === 'POST /persons') {
      if (typeof b.email !== 'string' || !b.email.includes('@') || typeof b.first_name !== 'string' || typeof b.last_name !== 'string')
        return json(400, { message: 'input not correct' });
      const id = ++this.seq;
      this.persons.set(id, { firstName: b.first_name, lastName: b.last_name, email: b.email });
      return json(200, { person_id: id });
    }
    if (route === 'POST /cards') return this.addCard(b);
    let m = /^\/persons\/(\d+)\/cards$/.exec(req.path);
    if (m && req.method === 'GET') {
      const pid = Number(m[1]);
      if (!this.persons.has(pid)) return json(404, { message: 'person not found' });
      const cards = [...this.cards.values()].filter((c) => c.personId === pid);
      return json(200, {
        cards: cards.map((c) => ({
          card_id: c.id,
          last_four: c.lastFour,
          exp_month: c.expMonth,
          exp_year: c.expYear,
          postal_code: c.postalCode,
          last_opt_in: pdTime(this.now()),
        })),
      });
    }
    m = /^\/cards\/(\d+)\/(offers|alerts|transactions)$/.exec(req.path);
    const card = m ? this.cards.get(Number(m[1])) : undefined;
    if (m && !card) return json(404, { message: 'card not found' });
    if (m && card && req.method === 'POST' && m[2] === 'offers') {
      const offerId = Number(b.offer_id);
      if (!this.offers.has(offerId)) return json(400, { message: 'input not correct' });
      if (!card.offers.includes(offerId)) card.offers.push(offerId);
      return json(200, { card_offer_id: card.id * 100_000 + offerId });
    }
    if (m && card && req.method === 'POST' && m[2] === 'alerts') {
      if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) return json(400, { message: 'input not correct' });
      if (!card.alertUrls.includes(b.url)) card.alertUrls.push(b.url);
      return json(200, { alert_id: ++this.seq });
    }
    if (m && card && req.method === 'GET' && m[2] === 'transactions') {
      const list = this.transactions.filter((t) => t.cardId === card.id);
      const ordered = this.forms.order === 'newest-first' ? [...list].reverse() : list;
      return json(200, { transactions: ordered.map((t) => this.transactionView(t)) });
    }
    return json(404, { message: 'not found' });
  }

  private issue(): Record<string, unknown> {
    const now = this.now();
    const token = randomUUID();
    const refresh = randomUUID();
    this.tokens.set(token, { kind: 'access', exp: now + PENTADATA_SANDBOX.tokenTtlSec * 1000 });
    this.tokens.set(refresh, { kind: 'refresh', exp: now + PENTADATA_SANDBOX.refreshTtlSec * 1000 });
    return {
      token,
      expires: pdTime(now + PENTADATA_SANDBOX.tokenTtlSec * 1000),
      refresh_token: refresh,
      refresh_expires: pdTime(now + PENTADATA_SANDBOX.refreshTtlSec * 1000),
      userId: 17,
    };
  }

  private login(req: SandboxRequest): SandboxResponse {
    const b = req.body as { email?: unknown; api_key?: unknown } | undefined;
    if (typeof b?.email !== 'string' || typeof b.api_key !== 'string') return json(400, { message: 'input not correct' });
    const ok = b.email === PENTADATA_SANDBOX.email && same(b.api_key, PENTADATA_SANDBOX.apiKey);
    if (!ok) return json(401, { message: 'not authorized' });
    return json(200, this.issue());
  }

  private refresh(req: SandboxRequest): SandboxResponse {
    const t = this.bearer(req, 'refresh');
    if (!t) return json(401, { message: 'not authorized' });
    this.tokens.delete(t);
    return json(200, this.issue());
  }

  private bearer(req: SandboxRequest, kind: 'access' | 'refresh'): string | null {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/.exec(h) : null;
    const t = m ? this.tokens.get(m[1]!) : undefined;
    return t && t.kind === kind && t.exp > this.now() ? m![1]! : null;
  }

  private addCard(b: Record<string, unknown>): SandboxResponse {
    const { pan, cvv, ...rest } = b;
    this.cardRequestsSeen.push(rest);
    const pid = Number(b.person_id);
    const ok =
      typeof pan === 'string' &&
      // The sandbox's test cards (both platforms): Visa 4444 0000 0000 4xxx, Mastercard 5555 0000 0000 5xxx, any last three.
      /^(4444000000004\d{3}|5555000000005\d{3})$/.test(pan) &&
      typeof cvv === 'string' &&
      /^\d{3,4}$/.test(cvv) &&
      Number.isInteger(b.exp_month) &&
      (b.exp_month as number) >= 1 &&
      (b.exp_month as number) <= 12 &&
      Number.isInteger(b.exp_year) &&
      (b.exp_year as number) >= 1000 &&
      (b.exp_year as number) <= 9999 &&
      typeof b.first_name === 'string' &&
      typeof b.last_name === 'string' &&
      typeof b.postal_code === 'string' &&
      this.persons.has(pid);
    if (!ok) return json(400, { message: 'input not correct' });
    const id = ++this.seq;
    this.cards.set(id, {
      id,
      personId: pid,
      lastFour: pan.slice(-4),
      expMonth: b.exp_month as number,
      expYear: b.exp_year as number,
      postalCode: b.postal_code as string,
      offers: [],
      alertUrls: [],
    });
    return json(201, { card_id: id });
  }

  private transactionView(t: PdTransaction): Record<string, unknown> {
    const amount = Number((t.amountCents / 100).toFixed(2));
    if (this.forms.fields === 'camel') {
      return { id: t.id, cardId: t.cardId, offerId: t.offerId, amountValue: amount, currencyCode: t.currency, merchantName: t.merchant, timestamp: t.at };
    }
    return { transaction_id: t.id, card_id: t.cardId, offer_id: t.offerId, amount, currency: t.currency, merchant: t.merchant, date: t.at };
  }

  /**
   * A purchase on an enrolled card: recorded, and alerted once to every URL
   * registered for the card (unless `deliver` is false: a lost alert).
   */
  async purchase(input: {
    cardId: number;
    amountCents: number;
    currency?: string;
    merchant?: string;
    deliver?: boolean;
    key?: string;
  }): Promise<PdTransaction | null> {
    const card = this.cards.get(input.cardId);
    if (!card) return null;
    const t: PdTransaction = {
      id: `tx_${randomUUID().replace(/-/g, '').slice(0, 16)}`,
      cardId: card.id,
      offerId: card.offers[0] ?? null,
      amountCents: input.amountCents,
      currency: input.currency ?? 'EUR',
      merchant: input.merchant ?? 'Sandbox Store',
      at: new Date(this.now()).toISOString(),
    };
    this.transactions.push(t);
    const body = JSON.stringify(this.transactionView(t));
    for (const url of card.alertUrls) {
      const delivered = input.deliver !== false;
      this.alertsSent.push({ url, body, delivered });
      if (!delivered) continue;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'Pentadata-Key': input.key ?? PENTADATA_SANDBOX.alertToken };
      if (this.forms.hmac === 'hex-body') headers[PD_SIGNATURE_HEADER] = createHmac('sha256', PD_HMAC_SECRET).update(body).digest('hex');
      await sendOnce(url, headers, body);
    }
    return t;
  }

  async control(req: SandboxRequest): Promise<SandboxResponse | undefined> {
    const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    switch (`${req.method} ${req.path}`) {
      case 'POST /purchases': {
        if (typeof b.cardId !== 'number' || typeof b.amountCents !== 'number' || !Number.isSafeInteger(b.amountCents))
          return problem(400, 'Bad request', 'cardId and amountCents (whole cents) are required.');
        const t = await this.purchase({
          cardId: b.cardId,
          amountCents: b.amountCents,
          ...(typeof b.deliver === 'boolean' ? { deliver: b.deliver } : {}),
          ...(typeof b.key === 'string' ? { key: b.key } : {}),
        });
        return t ? json(201, t) : problem(404, 'Not found', 'No such card.');
      }
      case 'GET /alerts':
        return json(200, { alerts: this.alertsSent });
      case 'GET /card-requests':
        return json(200, { requests: this.cardRequestsSeen });
      case 'POST /expire-tokens':
        for (const v of this.tokens.values()) if (v.kind === 'access') v.exp = 0;
        return json(200, { ok: true });
      case 'GET /forms':
        return json(200, this.forms);
      case 'POST /forms': {
        const allowed: { [K in keyof PdForms]: readonly PdForms[K][] } = {
          fields: ['snake', 'camel'],
          hmac: ['none', 'hex-body'],
          order: ['newest-first', 'oldest-first'],
        };
        const next = { ...this.forms } as Record<string, unknown>;
        for (const [k, v] of Object.entries(b)) {
          const values = allowed[k as keyof PdForms] as readonly unknown[] | undefined;
          if (!values || !values.includes(v)) return problem(400, 'Bad request', `Unknown form or value: ${k}.`);
          next[k] = v;
        }
        this.forms = next as unknown as PdForms;
        return json(200, this.forms);
      }
      default:
        return undefined;
    }
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One POST, its answer ignored, no retry: Pentadata neither waits for nor repeats an alert. */
function sendOnce(url: string, headers: Record<string, string>, body: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      const r = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      r.setTimeout(2000, () => r.destroy());
      r.on('error', () => resolve());
      r.on('close', () => resolve());
      r.end(body);
    } catch {
      resolve();
    }
  });
}
