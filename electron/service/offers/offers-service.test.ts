/**
 * Card-linked offers on Pentadata, end to end through the runtime's
 * dispatcher (the same gate both transports use), against the sandbox's
 * Pentadata emulator and the real alert receiver on loopback, with a real
 * SQLite file:
 *  - a manager creates an offer; a customer is created once (found again by
 *    e-mail); a test card is enrolled and linked, its alerts registered;
 *  - an alert with the right Pentadata-Key is stored once and shows in the
 *    log with its raw body; a wrong key is refused and counted; a lost alert
 *    is recovered by the catch-up (asked for, and at the next start), which
 *    never stores a transaction twice; an unreadable transaction is logged,
 *    never counted; the emulator's alternative field names and order too;
 *  - an HMAC, where configured, is checked (the emulator's signing form);
 *  - the card number and security code appear nowhere: not in the SQLite
 *    file or its WAL (read as bytes), not in any contract result, and the
 *    emulator saw them only in the one card request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../shared/contract.js';
import type { EnrolledCardView, OfferCustomerView, OfferView } from '../../../shared/contract/offers.js';
import { DATABASE_FILE, type Runtime } from '../../runtime.js';
import { startTestTerminal, type TestTerminal } from '../../../test/test-terminal.js';
import { createPentadataControl, type PentadataControl } from '../../../sandbox/cardlinked/control-client.js';
import { DEMO_TEST_CARDS } from '../../../sandbox/cardlinked/demo.js';
import type { RunningSandbox } from '../../../sandbox/server.js';

const card = (number: string) => ({ number, expMonth: 11, expYear: new Date().getUTCFullYear() + 2, cvv: '9731', postalCode: '3000' });

let t: TestTerminal;
let sandbox: RunningSandbox;
let control: PentadataControl;
let rt: Runtime;
/** Every envelope any contract call answered in a test: what the renderer could ever hold. */
let answers: Envelope<unknown>[];

async function call<T = any>(method: string, input: unknown): Promise<T> {
  const env = await rt.call(method, input);
  answers.push(env);
  if (!env.ok) throw Object.assign(new Error(env.error.message), { info: env.error });
  return env.value as T;
}

async function refusal(method: string, input: unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  const env = await rt.call(method, input);
  answers.push(env);
  if (env.ok) throw new Error(`${method} was accepted`);
  return env.error;
}

const MANAGER_PIN = '24681357';

async function signInManager(): Promise<void> {
  const who = await call('whoAmI', {});
  const id = who.needsFirstManager
    ? (await call('createFirstManager', { name: 'Mia Manager', pin: MANAGER_PIN })).id
    : (await call('listPeople', {})).people.find((p: { role: string }) => p.role === 'manager').id;
  await call('signIn', { personId: id, pin: MANAGER_PIN });
}

async function enrolled(
  number: string = DEMO_TEST_CARDS.visa,
  email = 'ada@example.be',
): Promise<{ offer: OfferView; customer: OfferCustomerView; card: EnrolledCardView }> {
  const { offer } = await call<{ offer: OfferView }>('createOffer', { name: '10% off with points', description: ['Pay with your enrolled card'] });
  const { customer } = await call<{ customer: OfferCustomerView }>('createOfferCustomer', { firstName: 'Ada', lastName: 'Peeters', email });
  const r = await call<{ card: EnrolledCardView }>('enrolCard', { customerId: customer.id, offerId: offer.id, card: card(number), termsAccepted: true });
  return { offer, customer, card: r.card };
}

const refusalCounts = async () =>
  Object.fromEntries((await call('offerNoticeRefusals', {})).refusals.map((x: { reason: string; count: number }) => [x.reason, x.count]));

beforeEach(async () => {
  answers = [];
  t = await startTestTerminal({
    manager: null, // signInManager() signs her up through the contract
    tuning: { requestTimeoutMs: 3000, probeIntervalMs: 500 },
    // The periodic catch-up is off here: the tests ask for it, or restart.
    runtime: { offers: { receiver: { port: 0 }, catchUpIntervalMs: 0 } },
  });
  ({ sandbox, rt } = t);
  control = createPentadataControl(sandbox);
  await signInManager();
});
afterEach(async () => {
  await t.close();
});

describe('enrolment on Pentadata', () => {
  it('creates an offer, a customer (once), a card linked to the offer; lists the card from Pentadata', async () => {
    const { offer, customer, card: c } = await enrolled('5555 0000 0000 5007');
    expect(offer).toMatchObject({ id: expect.stringMatching(/^\d+$/), name: '10% off with points', description: ['Pay with your enrolled card'] });
    expect((await call('listOffers', {})).offers.map((o: OfferView) => o.id)).toEqual([offer.id]);
    expect(customer).toMatchObject({ name: 'Ada Peeters', emailMasked: 'a•••@example.be' });
    expect(c).toEqual({ id: expect.any(String), scheme: 'mastercard', last4: '5007' });

    // The same e-mail again: that customer, not a second person at Pentadata.
    expect(await call('createOfferCustomer', { firstName: 'Ada', lastName: 'Peeters', email: 'ADA@example.be' })).toMatchObject({
      created: false,
      customer: { id: customer.id },
    });
    expect((await call('findOfferCustomer', { email: 'ada@example.be' })).customer).toMatchObject({ id: customer.id });
    expect((await call('findOfferCustomer', { email: 'nobody@example.be' })).customer).toBeNull();

    const { enrolments } = await call('listEnrolments', { customerId: customer.id });
    expect(enrolments).toEqual([{ card: c, offers: [expect.objectContaining({ offerId: offer.id, offerName: offer.name })] }]);
    // Pentadata received the names as first_name/last_name, the expiry as integers, and the customer's person id.
    const [request] = await control.cardRequests();
    expect(request).toMatchObject({ first_name: 'Ada', last_name: 'Peeters', exp_month: 11, postal_code: '3000', person_id: Number(customer.id) });
  });

  it('a card outside the test range is refused in plain words; an unknown customer or offer never reaches Pentadata', async () => {
    const { offer, customer } = await enrolled();
    const e = await refusal('enrolCard', { customerId: customer.id, offerId: offer.id, card: card(DEMO_TEST_CARDS.notTest), termsAccepted: true });
    expect(e).toMatchObject({ code: 'INVALID_INPUT', details: { notApplied: true } });
    expect(e.message).toMatch(/not correct/);
    expect(JSON.stringify(e)).not.toContain(DEMO_TEST_CARDS.notTest);
    const before = (await control.cardRequests()).length;
    expect((await refusal('enrolCard', { customerId: '999999', offerId: offer.id, card: card(DEMO_TEST_CARDS.visa2), termsAccepted: true })).code).toBe(
      'INVALID_INPUT',
    );
    expect((await refusal('enrolCard', { customerId: customer.id, offerId: '999999', card: card(DEMO_TEST_CARDS.visa2), termsAccepted: true })).code).toBe(
      'INVALID_INPUT',
    );
    expect(await control.cardRequests()).toHaveLength(before);
  });

  it('card numbers and security codes appear nowhere after enrolment: not in the SQLite file or its WAL, nor in any contract result', async () => {
    const { customer } = await enrolled('4444 0000 0000 4001');
    await refusal('enrolCard', { customerId: customer.id, offerId: '1', card: card(DEMO_TEST_CARDS.notTest), termsAccepted: true });
    await call('setOfferReceiver', { enabled: true });
    await control.purchase({ cardId: Number((await call('listEnrolments', { customerId: customer.id })).enrolments[0].card.id), amountCents: 1200 });
    await call('listOfferNotices', { limit: 50 });
    await call('listLog', { limit: 500 });
    const forms = [DEMO_TEST_CARDS.visa, '4444 0000 0000 4001', DEMO_TEST_CARDS.visa.slice(0, 13), DEMO_TEST_CARDS.notTest];
    const db = join(t.dataDir, DATABASE_FILE);
    const files = [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
    for (const f of forms) {
      for (const bytes of files) expect(bytes).not.toContain(f);
      expect(JSON.stringify(answers)).not.toContain(f);
    }
    // The security code: not in the contract results, and not in any log entry's words (hashes left aside: hex could hold any digits).
    const entries = (await call('listLog', { limit: 500 })).entries as Array<{ detail: unknown; memberMasked: string | null }>;
    expect(JSON.stringify(entries.map((e) => [e.detail, e.memberMasked]))).not.toContain('9731');
    // The emulator itself dropped pan and cvv after checking them.
    for (const r of await control.cardRequests()) expect(Object.keys(r)).not.toEqual(expect.arrayContaining(['pan']));
  });
});

describe('alerts and the catch-up', () => {
  it('stores an alert once; refuses a wrong Pentadata-Key; recovers a lost alert by the catch-up, at start too', async () => {
    const { card: c, offer } = await enrolled(DEMO_TEST_CARDS.visa2);
    expect((await call('offerReceiverStatus', {})).listening).toBe(false);
    await call('setOfferReceiver', { enabled: true });
    const status = await call('offerReceiverStatus', {});
    expect(status).toMatchObject({ enabled: true, listening: true, signatureChecked: false });

    // Switching the receiver on registered the card's alerts: a purchase arrives.
    const bought = await control.purchase({ cardId: Number(c.id), amountCents: 2350 });
    let page = await call('listOfferNotices', { limit: 10 });
    expect(page.notices).toHaveLength(1);
    expect(page.notices[0]).toMatchObject({
      transactionId: bought.id,
      type: 'auth',
      amount: { cents: 2350, currency: 'EUR' },
      offerId: offer.id,
      offerName: offer.name,
      card: { id: c.id, scheme: 'visa', last4: '4123' },
    });
    const logged = (await call('listLog', { limit: 50 })).entries.find((e: { kind: string }) => e.kind === 'offer.auth');
    expect(logged).toMatchObject({ amountCents: 2350, memberMasked: '••••••••4123', actor: 'card-platform' });
    expect(logged.detail).toMatchObject({ source: 'alert', transactionId: bought.id });
    expect(JSON.parse(logged.detail.raw)).toMatchObject({ transaction_id: bought.id, amount: 23.5 }); // the raw body, as Pentadata sent it

    // A wrong key: refused and counted, nothing stored.
    const forged = await control.purchase({ cardId: Number(c.id), amountCents: 999, key: 'wrong' });
    // A lost alert: Pentadata sends nothing and never retries.
    const lost = await control.purchase({ cardId: Number(c.id), amountCents: 1250, deliver: false });
    page = await call('listOfferNotices', { limit: 10 });
    expect(page.notices.map((n: { transactionId: string }) => n.transactionId)).toEqual([bought.id]);
    expect(await refusalCounts()).toEqual({ 'bad-key': 1, 'bad-signature': 0, duplicate: 0, malformed: 0 });

    // The catch-up reads the card's transactions: both missing ones come in, the stored one is not stored again.
    expect(await call('catchUpOfferNotices', {})).toMatchObject({ cards: 1, recovered: 2, unreadable: 0, failedCards: 0 });
    page = await call('listOfferNotices', { limit: 10 });
    expect(page.notices.map((n: { transactionId: string }) => n.transactionId).sort()).toEqual([bought.id, forged.id, lost.id].sort());
    expect(page.totals).toMatchObject({ purchases: 3, purchaseCents: 2350 + 999 + 1250 });
    expect(await call('catchUpOfferNotices', {})).toMatchObject({ recovered: 0 });
    expect((await call('offerReceiverStatus', {})).lastCatchUp).toMatchObject({ recovered: 0, cards: 1 });

    // Another lost alert while the terminal is closed: the next start catches up by itself.
    await rt.close();
    const whileClosed = await control.purchase({ cardId: Number(c.id), amountCents: 500, deliver: false });
    rt = await t.reopen();
    await signInManager();
    page = await call('listOfferNotices', { limit: 10 });
    expect(page.notices.map((n: { transactionId: string }) => n.transactionId)).toContain(whileClosed.id);
    const caught = (await call('listLog', { limit: 100 })).entries.filter(
      (e: { kind: string; detail: { source?: string } }) => e.kind === 'offer.auth' && e.detail.source === 'catch-up',
    );
    expect(caught).toHaveLength(3);
    expect((await call('verifyLog', {})).intact).toBe(true);
  });

  it('the discount an offer gave comes from the terms set here, when the notice names the offer; without terms it is not known, never 0', async () => {
    const { offer } = await call('createOffer', { name: '10% off, at most 2 euros', discount: { basisPoints: 1000, maxCents: 200 } });
    expect(offer.discount).toEqual({ basisPoints: 1000, maxCents: 200 });
    const plain = (await call('createOffer', { name: 'No terms set' })).offer;
    expect(plain.discount).toBeNull();
    const { customer } = await call('createOfferCustomer', { firstName: 'Ada', lastName: 'Peeters', email: 'ada@example.be' });
    const enrol = async (n: string, offerId: string) =>
      (await call('enrolCard', { customerId: customer.id, offerId, card: card(n), termsAccepted: true })).card as EnrolledCardView;
    const a = await enrol(DEMO_TEST_CARDS.visa, offer.id);
    const b = await enrol(DEMO_TEST_CARDS.visa2, plain.id);
    await control.purchase({ cardId: Number(a.id), amountCents: 1255, deliver: false }); // 10%: 125.5 -> 126 (half up)
    await control.purchase({ cardId: Number(a.id), amountCents: 5000, deliver: false }); // 500, capped at 200
    await control.purchase({ cardId: Number(b.id), amountCents: 1000, deliver: false }); // no terms: unknown
    await call('catchUpOfferNotices', {});
    const page = await call('listOfferNotices', { limit: 10 });
    const byAmount = Object.fromEntries(page.notices.map((n: { amount: { cents: number }; cashback: unknown }) => [n.amount.cents, n.cashback]));
    expect(byAmount).toEqual({ 1255: { cents: 126, currency: 'EUR' }, 5000: { cents: 200, currency: 'EUR' }, 1000: null });
    expect(page.totals).toMatchObject({ purchases: 3, cashbackCents: 326, cashbackKnown: 2 });
  });

  it("reads the emulator's alternative field names and order; an unreadable transaction is logged, never counted", async () => {
    const { card: c } = await enrolled();
    await control.forms({ fields: 'camel', order: 'oldest-first' });
    await call('setOfferReceiver', { enabled: true });
    const a = await control.purchase({ cardId: Number(c.id), amountCents: 1999 });
    const b = await control.purchase({ cardId: Number(c.id), amountCents: -500, deliver: false }); // money back to the card
    expect(await call('catchUpOfferNotices', {})).toMatchObject({ recovered: 1 });
    const { notices, totals } = await call('listOfferNotices', { limit: 10 });
    expect(
      Object.fromEntries(notices.map((n: { transactionId: string; type: string; amount: { cents: number } }) => [n.transactionId, [n.type, n.amount.cents]])),
    ).toEqual({
      [a.id]: ['auth', 1999],
      [b.id]: ['refund', -500],
    });
    expect(totals).toMatchObject({ purchases: 1, refunds: 1, refundCents: 500 });

    // An authentic alert the terminal cannot read (no amount): refused as malformed, its raw body in the log.
    const url = (await call('offerReceiverStatus', {})).localUrl as string;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Pentadata-Key': 'pd-sandbox-alert-token-0001' },
      body: '{"transaction_id":"tx_odd","note":"no amount"}',
    });
    expect(res.status).toBe(400);
    expect(await refusalCounts()).toMatchObject({ malformed: 1, 'bad-key': 0 });
    const unreadable = (await call('listLog', { limit: 50 })).entries.find((e: { kind: string }) => e.kind === 'offer.unreadable');
    expect(unreadable.detail).toMatchObject({ source: 'alert', transactionId: 'tx_odd', raw: '{"transaction_id":"tx_odd","note":"no amount"}' });
    expect((await call('listOfferNotices', { limit: 10 })).notices).toHaveLength(2);
  });

  it('creating an offer and switching the receiver are manager actions', async () => {
    const managerId = (await call('listPeople', {})).people.find((p: { role: string }) => p.role === 'manager').id;
    const cashier = await call('createPerson', { name: 'Carl Cashier', role: 'cashier', pin: '1357', approval: { managerId, pin: MANAGER_PIN } });
    await call('signOut', {});
    await call('signIn', { personId: cashier.id, pin: '1357' });
    expect((await refusal('createOffer', { name: 'Sneaky' })).code).toBe('MANAGER_REQUIRED');
    expect((await refusal('setOfferReceiver', { enabled: true })).code).toBe('MANAGER_REQUIRED');
    expect((await call('listOffers', {})).offers).toEqual([]);
    const { offer } = await call('createOffer', { name: 'Approved', approval: { managerId, pin: MANAGER_PIN } });
    expect((await call('listOffers', {})).offers.map((o: OfferView) => o.id)).toEqual([offer.id]);
  });
});
