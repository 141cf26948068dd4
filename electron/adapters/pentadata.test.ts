/**
 * The Pentadata client against the sandbox's Pentadata emulator over
 * loopback, with a real HTTP receiver for the alerts: sign-in and renewal,
 * offer/person/card/link/alerts, the Pentadata-Key check (constant time) and
 * the optional HMAC, and the catch-up that recovers a lost alert, against
 * the emulator's default and alternative forms (field names, signature, order).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { PD_HMAC_SECRET, PD_SIGNATURE_HEADER, PENTADATA_SANDBOX } from '../../sandbox/cardlinked/backend.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { catchUp, createPentadataClient, readPentadataTransaction, verifyPentadataAlert, type PentadataClient, type PentadataConfig } from './pentadata.js';
import { controlFetch } from '../../sandbox/control-client.js';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
}

describe('Pentadata client against the emulator', () => {
  let sb: RunningSandbox;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let waiters: Array<() => void> = [];
  let config: PentadataConfig;
  let client: PentadataClient;

  const ctl = async (method: string, path: string, body?: unknown) => {
    const res = await controlFetch(sb, method, `/pentadata${path}`, body);
    return (await res.json()) as Record<string, any>;
  };
  /** Resolves once `n` alerts have arrived (events, not sleeps). */
  const alertsArrived = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (received.length >= n ? resolve() : waiters.push(check));
      check();
    });

  async function enrolled(): Promise<{ cardId: string; offerId: string }> {
    const { offerId } = await client.createOffer('10% off with points', ['At the counter']);
    const { personId } = await client.createPerson('Anna', 'Peeters', 'anna@example.com');
    const card = await client.enrolCard(personId, {
      pan: '4444000000004001',
      firstName: 'Anna',
      lastName: 'Peeters',
      expMonth: 7,
      expYear: 2030,
      cvv: '123',
      postalCode: '9000',
    });
    expect(card).toEqual({ cardId: expect.any(String), lastFour: '4001' }); // id and last four only: nothing else comes back
    expect(await client.listCards(personId)).toEqual([{ cardId: card.cardId, lastFour: '4001', expMonth: 7, expYear: 2030 }]);
    await client.linkOffer(card.cardId, offerId);
    await client.registerAlerts(card.cardId, receiverUrl);
    return { cardId: card.cardId, offerId };
  }

  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, raw });
        res.end();
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts/pentadata`;
    config = {
      baseUrl: `${sb.url}/pentadata`,
      email: PENTADATA_SANDBOX.email,
      apiKey: PENTADATA_SANDBOX.apiKey,
      merchantId: PENTADATA_SANDBOX.merchantId,
      timeoutMs: 3000,
    };
  });
  afterAll(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
    await sb.close();
  });
  beforeEach(async () => {
    await controlFetch(sb, 'POST', '/reset', {});
    received.length = 0;
    client = createPentadataClient(config);
  });

  it('enrols a card, links the offer, receives an alert with the right Pentadata-Key and refuses a wrong one; a lost alert comes back through the catch-up, once', async () => {
    const { cardId } = await enrolled();
    // The emulator never saw the card number or cvv anywhere but the one request body (it drops them there).
    expect(JSON.stringify(await ctl('GET', '/card-requests'))).not.toContain('4444000000004001');

    await ctl('POST', '/purchases', { cardId: Number(cardId), amountCents: 2350 });
    await alertsArrived(1);
    const verification = { alertToken: PENTADATA_SANDBOX.alertToken };
    expect(verifyPentadataAlert(received[0]!.headers, received[0]!.raw, verification)).toEqual({ ok: true });
    const first = readPentadataTransaction(JSON.parse(received[0]!.raw), received[0]!.raw);
    expect(first).toMatchObject({ cardId, amountCents: 2350, currency: 'EUR', transactionId: expect.stringMatching(/^tx_/) });

    await ctl('POST', '/purchases', { cardId: Number(cardId), amountCents: 1000, key: 'not-the-token' });
    await alertsArrived(2);
    expect(verifyPentadataAlert(received[1]!.headers, received[1]!.raw, verification)).toEqual({ ok: false, reason: 'key-wrong' });
    expect(verifyPentadataAlert({}, received[1]!.raw, verification)).toEqual({ ok: false, reason: 'key-missing' });

    // Lost: Pentadata does not retry. The catch-up finds it (and the refused one), never the one already received.
    const lost = await ctl('POST', '/purchases', { cardId: Number(cardId), amountCents: 499, deliver: false });
    const seen = new Set([first.transactionId!]);
    const run = await catchUp(client, [cardId], (id) => seen.has(id));
    expect(run.failedCards).toEqual([]);
    expect(run.fresh.map((t) => t.transactionId).sort()).toEqual([lost.id, JSON.parse(received[1]!.raw).transaction_id].sort());
    expect(run.fresh.find((t) => t.transactionId === lost.id)).toMatchObject({ amountCents: 499, raw: expect.stringContaining(lost.id) });
    for (const t of run.fresh) seen.add(t.transactionId!);
    expect((await catchUp(client, [cardId], (id) => seen.has(id))).fresh).toEqual([]);
  });

  it('reads the alternative field names, verifies a configured HMAC, and keeps any order', async () => {
    await ctl('POST', '/forms', { fields: 'camel', hmac: 'hex-body', order: 'oldest-first' });
    const { cardId } = await enrolled();
    await ctl('POST', '/purchases', { cardId: Number(cardId), amountCents: 1234 });
    await alertsArrived(1);
    const withHmac = {
      alertToken: PENTADATA_SANDBOX.alertToken,
      hmac: { secret: PD_HMAC_SECRET, header: PD_SIGNATURE_HEADER, content: 'body' as const, encoding: 'hex' as const },
    };
    expect(verifyPentadataAlert(received[0]!.headers, received[0]!.raw, withHmac)).toEqual({ ok: true });
    expect(verifyPentadataAlert(received[0]!.headers, received[0]!.raw.replace('1234', '9999').replace('12.34', '99.99'), withHmac)).toEqual({
      ok: false,
      reason: 'signature-wrong',
    });
    expect(verifyPentadataAlert(received[0]!.headers, received[0]!.raw, { ...withHmac, hmac: { ...withHmac.hmac, header: 'X-Other' } })).toEqual({
      ok: false,
      reason: 'signature-missing',
    });
    const t = readPentadataTransaction(JSON.parse(received[0]!.raw), received[0]!.raw);
    expect(t).toMatchObject({ cardId, amountCents: 1234, currency: 'EUR', transactionId: expect.stringMatching(/^tx_/) });
    await ctl('POST', '/purchases', { cardId: Number(cardId), amountCents: 10, deliver: false });
    const run = await catchUp(client, [cardId], (id) => id === t.transactionId);
    expect(run.fresh.map((x) => x.amountCents)).toEqual([10]);
  });

  it('a body without a readable transaction id is kept for the log and never counted', () => {
    const t = readPentadataTransaction({ amount: 5 }, '{"amount":5}');
    expect(t).toMatchObject({ transactionId: null, amountCents: 500, raw: '{"amount":5}' });
  });

  it('renews an expired token with the refresh token; a wrong API key is BACKEND_AUTH, certainly not applied', async () => {
    await client.createPerson('A', 'B', 'a@b.example');
    await ctl('POST', '/expire-tokens');
    await client.createPerson('C', 'D', 'c@d.example'); // a 401, then renewed once
    const wrong = createPentadataClient({ ...config, apiKey: 'wrong' });
    const e = await wrong.createOffer('x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PosError);
    expect(e).toMatchObject({ code: 'BACKEND_AUTH', details: { notApplied: true } });
  });

  it('refuses a card the platform does not accept without echoing its number', async () => {
    const { personId } = await client.createPerson('Anna', 'Peeters', 'anna@example.com');
    const e = (await client
      .enrolCard(personId, { pan: '4111111111111111', firstName: 'Anna', lastName: 'Peeters', expMonth: 7, expYear: 2030, cvv: '123', postalCode: '9000' })
      .catch((x: unknown) => x)) as PosError;
    expect(e.code).toBe('INVALID_INPUT');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('4111111111111111');
  });
});
