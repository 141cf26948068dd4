/**
 * The card-linked emulator over real HTTP: the secret-key header, offers,
 * persons, test-card-only cards that are never stored whole, card-offer
 * links, webhook registration, and the signed, retried deliveries of
 * purchases and refunds to a real loopback listener. Signatures are checked
 * here with node:crypto directly, not with any code of the project.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../server.js';
import { createCardLinkedControl, type CardLinkedControl } from './control-client.js';
import { CARD_LINKED_SANDBOX_CREDENTIALS, DEMO_OFFERS, DEMO_TEST_CARDS } from './demo.js';

const C = CARD_LINKED_SANDBOX_CREDENTIALS;

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A loopback listener that records every request and answers with the next status in `answers` (then 200). */
async function listen(): Promise<{ url: string; got: Received[]; answers: number[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hooks/fidel`, got, answers, close: () => new Promise((r) => server.close(() => r())) };
}

function expectedSignature(secret: string, raw: string, url: string, ts: string): string {
  const inner = createHmac('sha256', secret)
    .update(raw + url + ts)
    .digest('base64');
  return createHmac('sha256', secret).update(inner).digest('base64');
}

describe('card-linked emulator', () => {
  let sb: RunningSandbox;
  let control: CardLinkedControl;

  async function api(method: string, path: string, body?: unknown, key: string | null = C.secretKey): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (key !== null) headers['fidel-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sb.url}/cardlinked/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function newPerson(email = `p${Math.random().toString(36).slice(2)}@example.com`): Promise<string> {
    const r = await api('POST', '/persons', { name: 'Test Person', email });
    expect(r.status).toBe(201);
    return r.body.items[0].id;
  }

  async function newCard(number: string = DEMO_TEST_CARDS.visa, personId?: string): Promise<{ status: number; body: any }> {
    return api('POST', `/programs/${C.programId}/cards`, {
      number,
      expMonth: 12,
      expYear: new Date().getUTCFullYear() + 2,
      countryCode: 'BEL',
      termsOfUse: true,
      ...(personId ? { personId } : {}),
    });
  }

  async function enrolledCard(offerId: string = DEMO_OFFERS.tenPercent.id): Promise<string> {
    const card = await newCard(DEMO_TEST_CARDS.visa, await newPerson());
    const cardId = card.body.items[0].id as string;
    expect((await api('POST', `/cards/${cardId}/offers`, { offerId })).status).toBe(201);
    return cardId;
  }

  beforeAll(async () => {
    sb = await startSandbox();
    control = createCardLinkedControl(sb);
  });
  afterAll(() => sb.close());
  beforeEach(() => control.reset());

  it('refuses every call without the Fidel-Key header or with a wrong key', async () => {
    const none = await api('GET', '/offers', undefined, null);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthorized');
    expect((await api('GET', '/offers', undefined, 'sk_test_wrong')).status).toBe(401);
    expect((await api('GET', '/offers')).status).toBe(200);
  });

  it('lists offers in the platform envelope, with decimal amounts, filtered by status', async () => {
    const all = await api('GET', '/offers');
    expect(all.body).toMatchObject({ status: 200, resource: '/v1/offers', count: Object.keys(DEMO_OFFERS).length });
    const live = await api('GET', '/offers?status=live');
    const ids = live.body.items.map((o: { id: string }) => o.id);
    expect(ids).toContain(DEMO_OFFERS.tenPercent.id);
    expect(ids).not.toContain(DEMO_OFFERS.expired.id);
    expect(ids).not.toContain(DEMO_OFFERS.upcoming.id);
    const ten = live.body.items.find((o: { id: string }) => o.id === DEMO_OFFERS.tenPercent.id);
    expect(ten).toMatchObject({
      type: { name: 'discount', value: 10 },
      minTransactionAmount: 5,
      maxTransactionAmount: 100,
      brandName: 'Demo Coffee Co.',
      live: true,
    });
    expect((await api('GET', '/offers?status=expired')).body.items.map((o: { id: string }) => o.id)).toEqual([DEMO_OFFERS.expired.id]);
  });

  it('creates an offer for a known brand and refuses bad ones', async () => {
    const start = new Date().toISOString();
    const ok = await api('POST', '/offers', {
      brandId: 'brand_demo_coffee',
      name: 'Tea 20%',
      type: { name: 'discount', value: 20 },
      countryCode: 'BEL',
      startDate: start,
      minTransactionAmount: 2.5,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.items[0]).toMatchObject({ name: 'Tea 20%', minTransactionAmount: 2.5, live: true });
    expect(
      (await api('POST', '/offers', { brandId: 'nope', name: 'x', type: { name: 'discount', value: 5 }, countryCode: 'BEL', startDate: start })).status,
    ).toBe(400);
    expect(
      (await api('POST', '/offers', { brandId: 'brand_demo_coffee', name: 'x', type: { name: 'discount', value: 150 }, countryCode: 'BEL', startDate: start }))
        .status,
    ).toBe(400);
  });

  it('creates persons, finds them by e-mail and refuses a second one with the same e-mail', async () => {
    const id = await newPerson('Ann@Example.com');
    const found = await api('GET', `/persons?email=${encodeURIComponent('ann@example.com')}`);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ id, name: 'Test Person' });
    const dup = await api('POST', '/persons', { name: 'Other', email: 'ann@example.com' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('item-exists');
    expect((await api('POST', '/persons', { name: 'X', email: 'not-an-email' })).status).toBe(400);
  });

  it('accepts the test card ranges, answers id, scheme and last four, and never keeps or echoes the number', async () => {
    const personId = await newPerson();
    const visa = await newCard(DEMO_TEST_CARDS.visa, personId);
    expect(visa.status).toBe(201);
    expect(visa.body.items[0]).toMatchObject({ scheme: 'visa', lastNumbers: '4001', personId });
    const mc = await newCard(DEMO_TEST_CARDS.mastercard, personId);
    expect(mc.body.items[0]).toMatchObject({ scheme: 'mastercard', lastNumbers: '5007' });
    for (const r of [visa, mc]) expect(JSON.stringify(r.body)).not.toMatch(/4444000000004001|5555000000005007/);
    // What the emulator holds: nothing with the full number, anywhere in its state.
    const held = JSON.stringify({ cards: [...sb.backends.cardlinked.state.cards.values()], ctl: await control.cards() });
    expect(held).not.toContain(DEMO_TEST_CARDS.visa);
    expect(held).not.toContain(DEMO_TEST_CARDS.mastercard);
    expect((await api('GET', `/persons/${personId}/cards`)).body.items).toHaveLength(2);
  });

  it.each([
    ['a real Visa outside the test range', DEMO_TEST_CARDS.notTest, 'card-number-invalid'],
    ['a Mastercard outside the test range', '5555000000001234', 'card-number-invalid'],
    ['a Visa test prefix with the wrong length', '44440000000040012', 'card-number-invalid'],
    ['letters', '4444-0000-0000-4001', 'validation'],
  ])('refuses %s without echoing it', async (_what, number, code) => {
    const r = await newCard(number);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe(code);
    expect(JSON.stringify(r.body)).not.toContain(number);
    expect(sb.backends.cardlinked.state.cards.size).toBe(0);
  });

  it('needs termsOfUse and an unexpired card', async () => {
    const base = { number: DEMO_TEST_CARDS.visa, expMonth: 12, expYear: new Date().getUTCFullYear() + 1, countryCode: 'BEL' };
    expect((await api('POST', `/programs/${C.programId}/cards`, base)).status).toBe(400);
    const expired = await api('POST', `/programs/${C.programId}/cards`, { ...base, termsOfUse: true, expYear: 2020 });
    expect(expired.body.error.code).toBe('card-expired');
  });

  it('links a card to an offer (both path forms), refuses a duplicate and an expired offer, and unlinks', async () => {
    const cardId = (await newCard()).body.items[0].id;
    const link = await api('POST', `/cards/${cardId}/offers`, { offerId: DEMO_OFFERS.tenPercent.id });
    expect(link.status).toBe(201);
    expect(link.body.items[0]).toMatchObject({ cardId, offerId: DEMO_OFFERS.tenPercent.id });
    expect(typeof link.body.items[0].id).toBe('string');
    expect((await api('POST', `/cards/${cardId}/offers`, { offerId: DEMO_OFFERS.tenPercent.id })).status).toBe(409);
    expect((await api('POST', `/offers/${DEMO_OFFERS.twoOff.id}/cards/${cardId}`)).status).toBe(201);
    const expired = await api('POST', `/cards/${cardId}/offers`, { offerId: DEMO_OFFERS.expired.id });
    expect(expired.body.error.code).toBe('offer-expired');
    expect((await api('GET', `/cards/${cardId}/offers`)).body.count).toBe(2);
    expect((await api('DELETE', `/cards/${cardId}/offers/${DEMO_OFFERS.tenPercent.id}`)).status).toBe(200);
    expect((await api('DELETE', `/cards/${cardId}/offers/${DEMO_OFFERS.tenPercent.id}`)).status).toBe(404);
    expect((await api('GET', `/cards/${cardId}/offers`)).body.count).toBe(1);
  });

  it('registers webhooks with a platform-issued secret; refuses plain http to another machine', async () => {
    const ok = await api('POST', '/webhooks', { event: 'transaction.auth', url: 'http://127.0.0.1:9/x' });
    expect(ok.status).toBe(201);
    expect(ok.body.items[0].secretKey).toMatch(/^wh_test_/);
    expect((await api('POST', '/webhooks', { event: 'transaction.auth', url: 'http://example.com/x' })).status).toBe(400);
    expect((await api('POST', '/webhooks', { event: 'transaction.nope', url: 'https://example.com/x' })).status).toBe(400);
    expect((await api('POST', '/webhooks', { event: 'transaction.refund', url: 'https://example.com/x' })).status).toBe(201);
  });

  describe('deliveries', () => {
    let rx: Awaited<ReturnType<typeof listen>>;
    let secrets: Record<string, string>;

    beforeEach(async () => {
      rx = await listen();
      secrets = {};
      for (const event of ['transaction.auth', 'transaction.clearing', 'transaction.refund']) {
        secrets[event] = (await api('POST', '/webhooks', { event, url: rx.url })).body.items[0].secretKey;
      }
    });
    afterEach(async () => {
      await rx.close();
    });

    it('delivers a purchase as a signed transaction.auth with offer, cashback and card scheme + last four', async () => {
      const cardId = await enrolledCard();
      const before = Date.now();
      const r = await control.purchase({ cardId, amountCents: 2350 });
      expect(r.event).toBe('transaction.auth');
      expect(rx.got).toHaveLength(1);
      const { headers, raw } = rx.got[0]!;
      const ts = headers['x-fidel-timestamp'] as string;
      expect(Number(ts)).toBeGreaterThanOrEqual(before);
      expect(headers['x-fidel-signature']).toBe(expectedSignature(secrets['transaction.auth']!, raw, rx.url, ts));
      const body = JSON.parse(raw);
      expect(body).toMatchObject({ amount: 23.5, currency: 'EUR', auth: true, cleared: false, card: { id: cardId, scheme: 'visa', lastNumbers: '4001' } });
      expect(body.offer).toMatchObject({ id: DEMO_OFFERS.tenPercent.id, cashback: 2.35 });
      expect(raw).not.toContain(DEMO_TEST_CARDS.visa);
    });

    it('caps a percentage at the offer maximum and sends offer: null below the minimum', async () => {
      const cardId = await enrolledCard();
      expect((await control.purchase({ cardId, amountCents: 50_000 })).transaction.offer?.cashback).toBe(10); // 10% of 100.00
      const small = await control.purchase({ cardId, amountCents: 300 });
      expect(small.transaction.offer).toBeNull();
      expect(small.qualification).toBe('below-minimum');
    });

    it('retries a non-2xx answer, up to 3 attempts, the same body each time and each freshly signed', async () => {
      const cardId = await enrolledCard();
      rx.answers.push(500, 503);
      const r = await control.purchase({ cardId, amountCents: 1000, retryDelayMs: 10 });
      expect(r.deliveries![0]!.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
      expect(r.deliveries![0]!.delivered).toBe(true);
      expect(rx.got).toHaveLength(3);
      expect(new Set(rx.got.map((g) => g.raw)).size).toBe(1);
      for (const g of rx.got) {
        expect(g.headers['x-fidel-signature']).toBe(expectedSignature(secrets['transaction.auth']!, g.raw, rx.url, g.headers['x-fidel-timestamp'] as string));
      }

      rx.got.length = 0;
      rx.answers.push(500, 500, 500, 500);
      const failed = await control.purchase({ cardId, amountCents: 1000, retryDelayMs: 10 });
      expect(failed.deliveries![0]!.attempts).toHaveLength(3);
      expect(failed.deliveries![0]!.delivered).toBe(false);
      expect(rx.got).toHaveLength(3);
    });

    it('gives up after 3 attempts when nothing listens', async () => {
      const cardId = await enrolledCard();
      await rx.close();
      const r = await control.purchase({ cardId, amountCents: 1000, retryDelayMs: 5 });
      expect(r.deliveries![0]!.attempts.map((a) => a.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
      rx = await listen(); // for afterEach
    });

    it('clears, refunds with a negative amount naming the original, and redelivers the same bytes', async () => {
      const cardId = await enrolledCard();
      const p = await control.purchase({ cardId, amountCents: 4000 });
      const c = await control.clear({ transactionId: p.transaction.id });
      expect(c.event).toBe('transaction.clearing');
      expect(c.transaction).toMatchObject({ id: p.transaction.id, cleared: true });
      const refund = await control.refund({ transactionId: p.transaction.id, amountCents: 1000 });
      expect(refund.transaction).toMatchObject({ amount: -10, originalTransactionId: p.transaction.id, offer: { cashback: -1 } });
      const refundRaw = rx.got[2]!.raw;
      expect(rx.got[2]!.headers['x-fidel-signature']).toBe(
        expectedSignature(secrets['transaction.refund']!, refundRaw, rx.url, rx.got[2]!.headers['x-fidel-timestamp'] as string),
      );
      await control.redeliver({ transactionId: refund.transaction.id, event: 'transaction.refund' });
      expect(rx.got[3]!.raw).toBe(refundRaw);
      await expect(control.refund({ transactionId: p.transaction.id, amountCents: 3001 })).rejects.toThrow(/409/);
    });

    it('refuses a purchase with a card enrolled in nothing', async () => {
      const cardId = (await newCard()).body.items[0].id;
      await expect(control.purchase({ cardId, amountCents: 1000 })).rejects.toThrow(/409/);
    });
  });
});
