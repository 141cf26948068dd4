import { describe, expect, it } from 'vitest';
import type { RedemptionTerms } from './domain.js';
import { money, rateFromCurrencyPerPoint } from './money.js';
import { buildQuote, maxRedeemable } from './quote.js';

const terms = (over: Partial<RedemptionTerms> = {}): RedemptionTerms => ({
  rate: rateFromCurrencyPerPoint('0.01'),
  currency: 'EUR',
  decimals: 0,
  minPointsMilli: 1000,
  maxPointsMilli: null,
  stepMilli: 1000,
  ...over,
});
const eur = (c: number) => money(c, 'EUR');
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; details?: { limitMilli?: number } };
  }
  throw new Error('expected a refusal');
};

describe('buildQuote', () => {
  it('shows discount, balance after and what is left to pay', () => {
    const q = buildQuote(eur(5000), 2500_000, 1000_000, terms());
    expect(q.discount.cents).toBe(1000);
    expect(q.balanceBeforeMilli).toBe(2500_000);
    expect(q.balanceAfterMilli).toBe(1500_000);
    expect(q.toPay.cents).toBe(4000);
  });
  it('never more than the balance', () => {
    const r = refusal(() => buildQuote(eur(5000), 300_000, 301_000, terms()));
    expect(r.code).toBe('POINTS_ABOVE_BALANCE');
    expect(r.details?.limitMilli).toBe(300_000);
  });
  it('never more than the basket, and says the most that fits', () => {
    const r = refusal(() => buildQuote(eur(500), 12000_000, 501_000, terms()));
    expect(r.code).toBe('POINTS_ABOVE_BASKET');
    expect(r.details?.limitMilli).toBe(500_000);
    expect(buildQuote(eur(500), 12000_000, 500_000, terms()).toPay.cents).toBe(0);
  });
  it('inside min and max', () => {
    expect(refusal(() => buildQuote(eur(5000), 2500_000, 5_000, terms({ minPointsMilli: 10_000 }))).code).toBe('POINTS_BELOW_MIN');
    expect(refusal(() => buildQuote(eur(5000), 2500_000, 2000_000, terms({ maxPointsMilli: 1000_000 }))).code).toBe('POINTS_ABOVE_MAX');
  });
  it('respects precision and steps', () => {
    expect(refusal(() => buildQuote(eur(5000), 2500_000, 1_500, terms())).code).toBe('POINTS_TOO_PRECISE');
    expect(buildQuote(eur(5000), 2500_000, 1_500, terms({ decimals: 3, stepMilli: 1, minPointsMilli: 1 })).pointsMilli).toBe(1_500);
    expect(refusal(() => buildQuote(eur(5000), 2500_000, 15_000, terms({ stepMilli: 10_000 }))).code).toBe('POINTS_NOT_MULTIPLE');
  });
  it('refuses zero and negative points', () => {
    expect(refusal(() => buildQuote(eur(5000), 2500_000, 0, terms())).code).toBe('NOTHING_TO_REDEEM');
    expect(refusal(() => buildQuote(eur(5000), 2500_000, -1000, terms())).code).toBe('POINTS_INVALID');
  });
});

describe('cashback programs', () => {
  it('take nothing off the basket: the value goes to the wallet, so the member is not paid twice', () => {
    const q = buildQuote(eur(5000), 2500_000, 1000_000, terms({ benefit: 'cashback' }));
    expect(q.discount.cents).toBe(0);
    expect(q.cashback?.cents).toBe(1000);
    expect(q.toPay.cents).toBe(5000);
    expect(q.balanceAfterMilli).toBe(1500_000);
  });
});

describe('maxRedeemable', () => {
  it('is the smallest of balance, basket and program max, on the step', () => {
    expect(maxRedeemable(eur(5000), 2500_000, terms())).toBe(2500_000); // balance
    expect(maxRedeemable(eur(1234), 12000_000, terms())).toBe(1234_000); // basket
    expect(maxRedeemable(eur(5000), 2500_000, terms({ maxPointsMilli: 700_000 }))).toBe(700_000); // program
    expect(maxRedeemable(eur(5000), 2500_000, terms({ stepMilli: 300_000 }))).toBe(2400_000);
  });
  it('is 0 for an empty or negative wallet and below the minimum', () => {
    expect(maxRedeemable(eur(5000), 0, terms())).toBe(0);
    expect(maxRedeemable(eur(5000), -150_000, terms())).toBe(0);
    expect(maxRedeemable(eur(5000), 5_000, terms({ minPointsMilli: 10_000 }))).toBe(0);
  });
  it('the max always quotes successfully', () => {
    for (const basket of [1, 99, 500, 1234, 99999]) {
      for (const balance of [1000, 2500_000, 12000_000]) {
        const t = terms();
        const max = maxRedeemable(eur(basket), balance, t);
        if (max > 0) expect(buildQuote(eur(basket), balance, max, t).discount.cents).toBeLessThanOrEqual(basket);
      }
    }
  });
});
