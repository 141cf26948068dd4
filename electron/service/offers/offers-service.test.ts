/**
 * Card-linked offers end to end through the runtime's dispatcher (the same
 * gate both transports use), against the real sandbox and the real receiver
 * on loopback, with a real SQLite file:
 *  - enrol a test card in a live offer at the counter; the sandbox's purchase
 *    arrives as a signed notice and shows in the manager's log and figures;
 *    a refund is linked to it; a redelivery is stored once; a late replay is
 *    refused as stale;
 *  - the receiver is off by default, and switching it is a manager action;
 *  - the full card number appears nowhere: not in the SQLite file or its WAL
 *    (read as bytes), not in the log, not in any contract result (what the
 *    renderer's state is built from), not on the console;
 *  - non-test card numbers are refused in plain words.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Envelope } from '../../../shared/contract.js';
import type { EnrolledCardView, OfferCustomerView, OfferView } from '../../../shared/contract/offers.js';
import { makeTempDir } from '../../../test/temp-dir.js';
import { DATABASE_FILE, startRuntime, type Runtime } from '../../runtime.js';
import { createCardLinkedControl, type CardLinkedControl } from '../../../sandbox/cardlinked/control-client.js';
import { DEMO_OFFERS, DEMO_TEST_CARDS } from '../../../sandbox/cardlinked/demo.js';
import { startSandbox, type RunningSandbox } from '../../../sandbox/server.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };
const expiry = { expMonth: 11, expYear: new Date().getUTCFullYear() + 2 };

let tmp: ReturnType<typeof makeTempDir>;
let sandbox: RunningSandbox;
let control: CardLinkedControl;
let rt: Runtime;
/** Every envelope any contract call answered in a test: what the renderer could ever hold. */
let answers: Envelope<unknown>[];

async function start(): Promise<Runtime> {
  return startRuntime({
    dataDir: tmp.dir,
    backendUrl: sandbox.url,
    tuning: { scrypt: FAST, requestTimeoutMs: 3000, probeIntervalMs: 500 },
    offers: { receiver: { port: 0 } },
  });
}

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

/** Signs in the store's manager (created on first use); returns their id. */
async function signInManager(): Promise<string> {
  const who = await call('whoAmI', {});
  let id: string;
  if (who.needsFirstManager) id = (await call('createFirstManager', { name: 'Mia Manager', pin: MANAGER_PIN })).id;
  else id = (await call('listPeople', {})).people.find((p: { role: string }) => p.role === 'manager').id;
  await call('signIn', { personId: id, pin: MANAGER_PIN });
  return id;
}

async function enrol(
  number: string,
  offerId: string = DEMO_OFFERS.tenPercent.id,
  email = 'ada@example.be',
): Promise<{ customer: OfferCustomerView; card: EnrolledCardView }> {
  const { customer } = await call<{ customer: OfferCustomerView }>('createOfferCustomer', { name: 'Ada Peeters', email });
  const r = await call<{ card: EnrolledCardView }>('enrolCard', { customerId: customer.id, offerId, card: { number, ...expiry }, termsAccepted: true });
  return { customer, card: r.card };
}

beforeEach(async () => {
  tmp = makeTempDir();
  sandbox = await startSandbox({ port: 0 });
  control = createCardLinkedControl(sandbox);
  answers = [];
  rt = await start();
  // Everything but the sign-in screen needs a signed-in person.
  await signInManager();
});
afterEach(async () => {
  await rt.close();
  await sandbox.close();
  tmp.cleanup();
});

describe('card-linked offers at the counter', () => {
  it('lists only live offers, with what the customer needs to see', async () => {
    const { offers } = await call<{ offers: OfferView[] }>('listOffers', {});
    const ids = offers.map((o) => o.id);
    expect(ids).toContain(DEMO_OFFERS.tenPercent.id);
    expect(ids).not.toContain(DEMO_OFFERS.expired.id);
    expect(ids).not.toContain(DEMO_OFFERS.upcoming.id);
    const ten = offers.find((o) => o.id === DEMO_OFFERS.tenPercent.id)!;
    expect(ten).toMatchObject({
      discount: { kind: 'percent', basisPoints: 1000 },
      minSpend: { cents: 500 },
      maxSpend: { cents: 10_000 },
      counterText: DEMO_OFFERS.tenPercent.additionalTerms,
    });
    expect(ten.daysOfWeek).toHaveLength(7);
  });

  it('finds or creates the customer, showing the e-mail masked', async () => {
    expect(await call('findOfferCustomer', { email: 'ada@example.be' })).toEqual({ customer: null });
    const a = await call('createOfferCustomer', { name: 'Ada Peeters', email: 'ada@example.be' });
    expect(a).toMatchObject({ created: true, customer: { name: 'Ada Peeters', emailMasked: 'a•••@example.be' } });
    const b = await call('createOfferCustomer', { name: 'Ada P.', email: 'ADA@example.be' });
    expect(b).toEqual({ created: false, customer: a.customer });
    expect((await call('findOfferCustomer', { email: 'ada@example.be' })).customer).toEqual(a.customer);
  });

  it('enrols a test card: scheme and last four come back, the link is listed, and can be undone', async () => {
    const { customer, card } = await enrol('4444 0000 0000 4001');
    expect(card).toEqual({ id: expect.any(String), scheme: 'visa', last4: '4001' });
    const { enrolments } = await call('listEnrolments', { customerId: customer.id });
    expect(enrolments).toEqual([{ card, offers: [expect.objectContaining({ offerId: DEMO_OFFERS.tenPercent.id, offerName: DEMO_OFFERS.tenPercent.name })] }]);
    await call('linkCardToOffer', { cardId: card.id, offerId: DEMO_OFFERS.twoOff.id });
    await call('unlinkCardFromOffer', { cardId: card.id, offerId: DEMO_OFFERS.tenPercent.id });
    const after = (await call('listEnrolments', { customerId: customer.id })).enrolments;
    expect(after[0].offers.map((o: { offerId: string }) => o.offerId)).toEqual([DEMO_OFFERS.twoOff.id]);
    const kinds = rt.store.journal.list({ limit: 20 }).map((e) => `${e.kind}:${e.outcome}`);
    expect(kinds).toEqual(expect.arrayContaining(['offer.enrol:ok', 'offer.link:ok', 'offer.unlink:ok']));
  });

  it.each([
    ['a real Visa', DEMO_TEST_CARDS.notTest],
    ['a Mastercard outside the test range', '5555 0000 0000 1234'],
  ])('refuses %s in plain words without repeating it, and creates nothing', async (_what, number) => {
    const { customer } = await call('createOfferCustomer', { name: 'Bo Claes', email: 'bo@example.be' });
    const e = await refusal('enrolCard', { customerId: customer.id, offerId: DEMO_OFFERS.tenPercent.id, card: { number, ...expiry }, termsAccepted: true });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/test cards/);
    expect(JSON.stringify(e)).not.toContain(number.replace(/ /g, ''));
    expect(await control.cards()).toEqual([]);
    expect(rt.store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'offer.enrol', outcome: 'INVALID_INPUT' });
  });

  it('refuses a card number the contract cannot accept, and enrolment without the terms, without echoing the input', async () => {
    const base = { customerId: 'c-1', offerId: DEMO_OFFERS.tenPercent.id, termsAccepted: true };
    const tooLong = '4444000000004001444400';
    for (const number of [tooLong, '4444-0000-0000-4001', '44440000']) {
      const e = await refusal('enrolCard', { ...base, card: { number, ...expiry } });
      expect(e.code).toBe('INVALID_INPUT');
      expect(JSON.stringify(e)).not.toContain(number);
    }
    expect((await refusal('enrolCard', { ...base, termsAccepted: false, card: { number: DEMO_TEST_CARDS.visa, ...expiry } })).code).toBe('INVALID_INPUT');
  });
});

describe('the notice receiver', () => {
  it('is off by default: not listening, nothing registered with the platform', async () => {
    expect(await call('offerReceiverStatus', {})).toMatchObject({ enabled: false, listening: false, localUrl: null, secrets: 0, toleranceSeconds: 300 });
    expect(await control.webhooks()).toEqual([]);
  });

  it("is switched by a manager only (signed in, or approving at a cashier's session), and stays on across a restart", async () => {
    const managerId = await signInManager();
    const cashier = await call('createPerson', { name: 'Cas Cashier', role: 'cashier', pin: '1357' });
    await call('signOut', {});
    await call('signIn', { personId: cashier.id, pin: '1357' });
    expect((await refusal('setOfferReceiver', { enabled: true })).code).toBe('MANAGER_REQUIRED');
    expect((await call('offerReceiverStatus', {})).enabled).toBe(false);
    const on = await call('setOfferReceiver', { enabled: true, approval: { managerId, pin: MANAGER_PIN } });
    expect(on).toMatchObject({ enabled: true, listening: true, secrets: 3, error: null });
    expect(on.localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/card-linked$/);
    expect((await control.webhooks()).map((w) => [w.event, w.url]).sort()).toEqual([
      ['transaction.auth', on.localUrl],
      ['transaction.clearing', on.localUrl],
      ['transaction.refund', on.localUrl],
    ]);
    expect(rt.store.journal.list({ limit: 5 }).some((e) => e.kind === 'offers.receiver' && e.outcome === 'on')).toBe(true);

    await rt.close();
    rt = await start();
    await signInManager();
    expect(await call('offerReceiverStatus', {})).toMatchObject({ enabled: true, listening: true });

    const off = await call('setOfferReceiver', { enabled: false });
    expect(off).toMatchObject({ enabled: false, listening: false });
    expect((await fetch(on.localUrl, { method: 'POST' }).catch((e: unknown) => e)) instanceof Error).toBe(true);
  });

  it('end to end: a card enrolled at the counter pays at the merchant; the notice shows in the log and the figures, refunds link to it', async () => {
    const { card } = await enrol(DEMO_TEST_CARDS.visa2);
    await call('setOfferReceiver', { enabled: true });

    const p = await control.purchase({ cardId: card.id, amountCents: 2350, retryDelayMs: 20 });
    expect(p.deliveries!.every((d) => d.delivered)).toBe(true);

    const { notices, totals } = await call('listOfferNotices', { limit: 10 });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      transactionId: p.transaction.id,
      type: 'auth',
      amount: { cents: 2350, currency: 'EUR' },
      cashback: { cents: 235, currency: 'EUR' },
      offerId: DEMO_OFFERS.tenPercent.id,
      offerName: DEMO_OFFERS.tenPercent.name,
      card: { id: card.id, scheme: 'visa', last4: '4123' },
    });
    expect(totals).toMatchObject({ purchases: 1, purchaseCents: 2350, cashbackCents: 235 });

    const { entries } = await call('listLog', { limit: 20 });
    const logged = entries.find((e: { kind: string }) => e.kind === 'offer.auth');
    expect(logged).toMatchObject({ amountCents: 2350, currency: 'EUR', memberMasked: '••••••••4123', actor: 'card-platform' });
    expect(logged.detail).toMatchObject({
      offerId: DEMO_OFFERS.tenPercent.id,
      cashbackCents: 235,
      scheme: 'visa',
      last4: '4123',
      transactionId: p.transaction.id,
    });
    expect((await call('queryLog', { limit: 20, filter: { kind: 'offer.auth' } })).entries).toHaveLength(1);

    // Redelivery: the platform sends the same notice again; stored once, counted as a duplicate.
    await control.redeliver({ transactionId: p.transaction.id, event: 'transaction.auth' });
    expect((await call('listOfferNotices', { limit: 10 })).notices).toHaveLength(1);

    // The refund: a negative amount, linked to the purchase.
    const r = await control.refund({ transactionId: p.transaction.id, amountCents: 1000, retryDelayMs: 20 });
    const after = await call('listOfferNotices', { limit: 10 });
    const refund = after.notices.find((n: { type: string }) => n.type === 'refund');
    expect(refund).toMatchObject({
      transactionId: r.transaction.id,
      amount: { cents: -1000 },
      cashback: { cents: -100 },
      originalTransactionId: p.transaction.id,
      original: { id: notices[0].id, amount: { cents: 2350 } },
    });
    expect(after.totals).toMatchObject({ purchases: 1, refunds: 1, refundCents: 1000, refundCashbackCents: 100 });

    // A late replay (signed 6 minutes ago) is refused; the platform tries 3 times.
    const late = await control.redeliver({ transactionId: p.transaction.id, event: 'transaction.auth', timestampOffsetMs: -360_000, retryDelayMs: 5 });
    expect(late.deliveries![0]!.attempts.map((a) => a.status)).toEqual([400, 400, 400]);

    const { refusals } = await call('offerNoticeRefusals', {});
    expect(Object.fromEntries(refusals.map((x: { reason: string; count: number }) => [x.reason, x.count]))).toEqual({
      'bad-signature': 0,
      'stale-timestamp': 3,
      duplicate: 1,
      malformed: 0,
    });
    expect((await call('verifyLog', {})).intact).toBe(true);
  });
});

describe('card numbers', () => {
  it('appear nowhere after enrolment: not in the SQLite file or its WAL, the log, any contract result, or the console', async () => {
    const printed: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      }),
    );
    try {
      const numbers: string[] = [DEMO_TEST_CARDS.visa, DEMO_TEST_CARDS.mastercard];
      const { customer, card } = await enrol('4444 0000 0000 4001');
      await call('enrolCard', {
        customerId: customer.id,
        offerId: DEMO_OFFERS.twoOff.id,
        card: { number: DEMO_TEST_CARDS.mastercard, ...expiry },
        termsAccepted: true,
      });
      await refusal('enrolCard', {
        customerId: customer.id,
        offerId: DEMO_OFFERS.tenPercent.id,
        card: { number: DEMO_TEST_CARDS.notTest, ...expiry },
        termsAccepted: true,
      });
      numbers.push(DEMO_TEST_CARDS.notTest);
      await call('setOfferReceiver', { enabled: true });
      await control.purchase({ cardId: card.id, amountCents: 1200, retryDelayMs: 20 });
      await call('listEnrolments', { customerId: customer.id });
      await call('listOfferNotices', { limit: 50 });
      await call('listLog', { limit: 500 });

      // The forms a number could take: plain, grouped, and a long prefix of it.
      const forms = numbers.flatMap((n) => [n, n.replace(/(\d{4})(?=\d)/g, '$1 '), n.slice(0, 13)]);

      const log = JSON.stringify(rt.store.journal.list({ limit: 1000 }));
      const results = JSON.stringify(answers);
      for (const f of forms) {
        expect(log, 'log').not.toContain(f);
        expect(results, 'contract results').not.toContain(f);
        expect(printed.join('\n'), 'console').not.toContain(f);
      }
      // The app's own traces are there (the search would find a number if one were stored).
      expect(log).toContain('4001');
      expect(results).toContain('"last4":"5007"');

      const files = () => [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`].map((f) => join(tmp.dir, f)).filter((f) => existsSync(f));
      const search = () => {
        const bytes = files().map((f) => readFileSync(f));
        expect(bytes.length).toBeGreaterThanOrEqual(2); // the .db and its -wal while open
        for (const b of bytes) {
          for (const f of forms) {
            expect(b.includes(Buffer.from(f, 'utf8')), `utf-8 ${f}`).toBe(false);
            expect(b.includes(Buffer.from(f, 'utf16le')), `utf-16 ${f}`).toBe(false);
          }
        }
        // The log did land in these bytes (so the search looks where the data is).
        expect(Buffer.concat(bytes).includes(Buffer.from('offer.enrol', 'utf8'))).toBe(true);
      };
      search();
      await rt.close(); // checkpoints the WAL into the file
      rt = await start();
      search();
      // The emulator kept nothing either.
      expect(JSON.stringify(await control.cards())).not.toMatch(/4444000000004001|5555000000005007/);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});
