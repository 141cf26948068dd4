/**
 * The card-linked adapter against the real sandbox over loopback: offers,
 * customers, cards (test numbers only; the number never comes back), links,
 * webhook registrations, the honest LoyaltyAdapter side, and what a wrong
 * key or a platform message that echoes a card number turns into.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { createCardLinkedControl, type CardLinkedControl } from '../../sandbox/cardlinked/control-client.js';
import { cardLinkedSandboxConfig, DEMO_OFFERS, DEMO_TEST_CARDS } from '../../sandbox/cardlinked/demo.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { createCardLinkedAdapter, isCardLinkedAdapter, type CardLinkedAdapter } from './card-linked.js';
import { decimalToCents, mapCardLinkedError, parseNotice, scrubCardNumbers } from './card-linked-wire.js';
import { createWhiteLabelAdapter } from './whitelabel.js';
import { whiteLabelSandboxConfig } from '../../sandbox/demo-data.js';

async function caught(p: Promise<unknown>): Promise<PosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    return e as PosError;
  }
  throw new Error('expected a PosError');
}

const expiry = { expMonth: 12, expYear: new Date().getUTCFullYear() + 3 };

describe('card-linked adapter against the sandbox', () => {
  let sb: RunningSandbox;
  let control: CardLinkedControl;
  let adapter: CardLinkedAdapter;

  beforeAll(async () => {
    sb = await startSandbox();
    control = createCardLinkedControl(sb);
    adapter = createCardLinkedAdapter({ ...cardLinkedSandboxConfig(sb.url), timeoutMs: 3000 });
  });
  afterAll(() => sb.close());
  beforeEach(() => control.reset());

  it('declares what it can do honestly', () => {
    expect(adapter.info.capabilities).toEqual({
      redemption: 'card-linked',
      identifiers: [],
      pointsDecimals: 0,
      validationCode: false,
      reversal: 'none',
      retrySafety: 'deduplicated-reference',
      balanceAtCounter: false,
    });
    expect(adapter.reverse).toBeUndefined();
    expect(isCardLinkedAdapter(adapter)).toBe(true);
    expect(isCardLinkedAdapter(createWhiteLabelAdapter(whiteLabelSandboxConfig(sb.url)))).toBe(false);
  });

  it('probes, and refuses counter redemptions with NOT_SUPPORTED and plain words', async () => {
    await adapter.probe();
    for (const p of [
      adapter.lookupMember({ kind: 'email', value: 'a@b.be' }),
      adapter.getTerms({} as never),
      adapter.redeem({} as never),
      adapter.findRedemption({} as never),
    ]) {
      const e = await caught(p);
      expect(e.code).toBe('NOT_SUPPORTED');
      expect(e.message).toMatch(/card/i);
      expect(e.details?.notApplied).toBe(true);
    }
  });

  it('lists live offers with their terms in cents and basis points', async () => {
    const offers = await adapter.cardLinked.listOffers('live');
    const ids = offers.map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining([DEMO_OFFERS.tenPercent.id, DEMO_OFFERS.twoOff.id]));
    expect(ids).not.toContain(DEMO_OFFERS.expired.id);
    const ten = offers.find((o) => o.id === DEMO_OFFERS.tenPercent.id)!;
    expect(ten).toMatchObject({
      discount: { kind: 'percent', basisPoints: 1000 },
      minSpend: { cents: 500, currency: 'EUR' },
      maxSpend: { cents: 10_000, currency: 'EUR' },
      brandName: 'Demo Coffee Co.',
      live: true,
      counterText: DEMO_OFFERS.tenPercent.additionalTerms,
    });
    expect(offers.find((o) => o.id === DEMO_OFFERS.twoOff.id)!.discount).toEqual({ kind: 'amount', amount: { cents: 200, currency: 'EUR' } });
    expect(offers.find((o) => o.id === DEMO_OFFERS.weekdays.id)!.discount).toEqual({ kind: 'percent', basisPoints: 750 });
  });

  it('creates a customer once and finds them by e-mail (any case)', async () => {
    const a = await adapter.cardLinked.createCustomer('Ada Peeters', 'ada@example.be');
    expect(a.created).toBe(true);
    const again = await adapter.cardLinked.createCustomer('Ada P.', 'ADA@example.be');
    expect(again).toEqual({ customer: a.customer, created: false });
    expect(await adapter.cardLinked.findCustomer('Ada@Example.be')).toEqual(a.customer);
    expect(await adapter.cardLinked.findCustomer('nobody@example.be')).toBeNull();
    expect((await caught(adapter.cardLinked.getCustomer('nope'))).code).toBe('MEMBER_NOT_FOUND');
  });

  it('creates a test card, returns only id, scheme and last four, links it (twice harmlessly) and unlinks', async () => {
    const { customer } = await adapter.cardLinked.createCustomer('Bo Claes', 'bo@example.be');
    const card = await adapter.cardLinked.createCard(customer.id, { number: DEMO_TEST_CARDS.mastercard, ...expiry });
    expect(Object.keys(card).sort()).toEqual(['id', 'last4', 'scheme']);
    expect(card).toMatchObject({ scheme: 'mastercard', last4: '5007' });
    expect(await adapter.cardLinked.listCards(customer.id)).toEqual([card]);

    const link = await adapter.cardLinked.linkCard(card.id, DEMO_OFFERS.tenPercent.id);
    expect(link).toMatchObject({ offerId: DEMO_OFFERS.tenPercent.id, offerName: DEMO_OFFERS.tenPercent.name });
    expect(await adapter.cardLinked.linkCard(card.id, DEMO_OFFERS.tenPercent.id)).toEqual(link);
    expect(await adapter.cardLinked.listCardOffers(card.id)).toEqual([link]);
    await adapter.cardLinked.unlinkCard(card.id, DEMO_OFFERS.tenPercent.id);
    expect(await adapter.cardLinked.listCardOffers(card.id)).toEqual([]);
    expect((await caught(adapter.cardLinked.unlinkCard(card.id, DEMO_OFFERS.tenPercent.id))).code).toBe('BACKEND_REFUSED');
    expect((await caught(adapter.cardLinked.linkCard(card.id, DEMO_OFFERS.expired.id))).message).toMatch(/ended/);
  });

  it('refuses a non-test card number with INVALID_INPUT that never repeats the number', async () => {
    const { customer } = await adapter.cardLinked.createCustomer('Cas Dirks', 'cas@example.be');
    for (const number of [DEMO_TEST_CARDS.notTest, '5105105105105100', '4444000000001234']) {
      const e = await caught(adapter.cardLinked.createCard(customer.id, { number, ...expiry }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/test cards/);
      expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(number);
    }
    expect(await adapter.cardLinked.listCards(customer.id)).toEqual([]);
  });

  it('registers a webhook and gets its signing secret; lists and deletes it', async () => {
    const hook = await adapter.cardLinked.registerWebhook('transaction.auth', 'http://127.0.0.1:9/hook');
    expect(hook.secretKey).toMatch(/^wh_test_/);
    expect((await adapter.cardLinked.listWebhooks()).map((h) => h.id)).toEqual([hook.id]);
    await adapter.cardLinked.deleteWebhook(hook.id);
    expect(await adapter.cardLinked.listWebhooks()).toEqual([]);
  });

  it('a wrong key is BACKEND_AUTH, and the key never appears in the error', async () => {
    const bad = createCardLinkedAdapter({ ...cardLinkedSandboxConfig(sb.url), secretKey: 'sk_test_wrong_key' });
    const e = await caught(bad.probe());
    expect(e.code).toBe('BACKEND_AUTH');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('sk_test_wrong_key');
  });
});

describe('card-linked wire', () => {
  it('reads decimals into cents without floating point products', () => {
    expect(decimalToCents(23.5)).toBe(2350);
    expect(decimalToCents(19.99)).toBe(1999);
    expect(decimalToCents(-10)).toBe(-1000);
    expect(decimalToCents(0.07)).toBe(7);
    expect(decimalToCents(0.1 + 0.2)).toBe(30); // floating-point noise from the platform's arithmetic
    for (const bad of [1.005, '12', NaN, Infinity, 1e21, null]) expect(decimalToCents(bad)).toBeNull();
  });

  it('scrubs card-number-like digit runs from platform messages', () => {
    expect(scrubCardNumbers('card 4444 0000 0000 4001 refused')).toBe('card [card number] refused');
    expect(scrubCardNumbers('card 4444-0000-0000-4001')).toBe('card [card number]');
    expect(scrubCardNumbers('order 12345 ok')).toBe('order 12345 ok');
    const e = mapCardLinkedError(400, { error: { code: 'validation', message: 'bad number 4111111111111111' } }, 'card');
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain('4111111111111111');
  });

  it('tells a notice kind from the transaction itself', () => {
    const base = {
      id: 'tx-1',
      amount: 12.5,
      currency: 'EUR',
      datetime: '2025-01-02T10:00:00Z',
      card: { id: 'c1', scheme: 'visa', lastNumbers: '4001' },
      offer: { id: 'o1', name: 'Ten', cashback: 1.25 },
    };
    expect(parseNotice({ ...base, cleared: false })).toMatchObject({ type: 'auth', amountCents: 1250, cashbackCents: 125, scheme: 'visa', last4: '4001' });
    expect(parseNotice({ ...base, cleared: true }).type).toBe('clearing');
    expect(parseNotice({ ...base, amount: -12.5, originalTransactionId: 'tx-0', offer: { id: 'o1', cashback: -1.25 } })).toMatchObject({
      type: 'refund',
      amountCents: -1250,
      originalTransactionId: 'tx-0',
    });
    expect(() => parseNotice({ ...base, amount: '12.5' })).toThrow(/amount/);
    expect(() => parseNotice({ ...base, card: { lastNumbers: '4444000000004001' } })).toThrow(/lastNumbers/);
    expect(() => parseNotice([])).toThrow();
  });
});
