import { describe, expect, it } from 'vitest';
import {
  centsToDecimalString,
  discountCents,
  formatPoints,
  maxPointsWithin,
  parseAmount,
  parsePoints,
  pointsFromBackend,
  centsFromBackend,
  rateFromCurrencyPerPoint,
  rateFromPair,
} from './money.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

describe('parseAmount', () => {
  it('reads dot and comma decimals into exact cents', () => {
    expect(parseAmount('12', 'EUR').cents).toBe(1200);
    expect(parseAmount('12.5', 'EUR').cents).toBe(1250);
    expect(parseAmount(' 12,05 ', 'EUR').cents).toBe(1205);
    expect(parseAmount('0.10', 'EUR').cents).toBe(10);
    // the classic float trap: 1.15 * 100 = 114.99999999999999
    expect(parseAmount('1.15', 'EUR').cents).toBe(115);
  });
  it('refuses negative, non-numeric, too precise and empty amounts', () => {
    for (const bad of ['-1', 'abc', '1.234', '', '1e3', '1,000.00', '.5']) expect(codeOf(() => parseAmount(bad, 'EUR'))).toBe('AMOUNT_INVALID');
  });
  it('refuses absurdly large amounts', () => {
    expect(codeOf(() => parseAmount('99999999999', 'EUR'))).toBe('AMOUNT_INVALID');
  });
});

describe('parsePoints', () => {
  it('reads whole points for 0-decimal programs and thousandths for 3-decimal ones', () => {
    expect(parsePoints('250', 0)).toBe(250_000);
    expect(parsePoints('25.5', 3)).toBe(25_500);
    expect(parsePoints('0.001', 3)).toBe(1);
    expect(parsePoints('10.000', 0)).toBe(10_000); // trailing zeros are not precision
  });
  it('refuses a fourth decimal and decimals where none are allowed', () => {
    expect(codeOf(() => parsePoints('1.0001', 3))).toBe('POINTS_TOO_PRECISE');
    expect(codeOf(() => parsePoints('1.5', 0))).toBe('POINTS_TOO_PRECISE');
  });
  it('refuses negative and non-numeric points', () => {
    expect(codeOf(() => parsePoints('-5', 0))).toBe('POINTS_INVALID');
    expect(codeOf(() => parsePoints('five', 0))).toBe('POINTS_INVALID');
  });
});

describe('rates and discounts', () => {
  it('1 point = 0.01 EUR', () => {
    const r = rateFromCurrencyPerPoint('0.01');
    expect(discountCents(2500_000, r)).toBe(2500);
    expect(discountCents(1, r)).toBe(0); // rounds down to the cent
  });
  it('fractional rates round down, never up', () => {
    const r = rateFromCurrencyPerPoint('0.025'); // 2.5 cents per point
    expect(discountCents(3_000, r)).toBe(7); // 7.5 -> 7
    expect(discountCents(4_000, r)).toBe(10);
  });
  it('pair rates (GafaPay: 100 points = 1.50)', () => {
    const r = rateFromPair(100_000, 150);
    expect(discountCents(10_000, r)).toBe(15);
  });
  it('maxPointsWithin gives the largest step multiple whose discount fits', () => {
    const r = rateFromCurrencyPerPoint('0.03'); // 3 cents a point
    expect(maxPointsWithin(10, r, 1000)).toBe(3000); // 3 points = 9 cents; 4 would be 12
    expect(discountCents(maxPointsWithin(10, r, 1000), r)).toBeLessThanOrEqual(10);
    const cent = rateFromCurrencyPerPoint('0.01');
    expect(maxPointsWithin(1234, cent, 1000)).toBe(1234_000);
    expect(maxPointsWithin(1234, cent, 1)).toBe(1234_999); // thousandths that buy no extra cent are allowed by precision
  });
  it('handles huge balances without losing precision', () => {
    const r = rateFromCurrencyPerPoint('0.01');
    expect(discountCents(999_999_999_999, r)).toBe(999_999_999);
  });
  it('refuses unusable rates from a backend', () => {
    expect(codeOf(() => rateFromCurrencyPerPoint('0'))).toBe('BACKEND_BAD_RESPONSE');
    expect(codeOf(() => rateFromCurrencyPerPoint('abc'))).toBe('BACKEND_BAD_RESPONSE');
  });
});

describe('backend values and formatting', () => {
  it('parses backend decimals exactly', () => {
    expect(pointsFromBackend('25.5')).toBe(25_500);
    expect(pointsFromBackend(100)).toBe(100_000);
    expect(pointsFromBackend('-1.25')).toBe(-1_250);
    expect(codeOf(() => pointsFromBackend('1.0005'))).toBe('BACKEND_BAD_RESPONSE');
    expect(codeOf(() => pointsFromBackend(null))).toBe('BACKEND_BAD_RESPONSE');
  });
  it('reads money in answers exactly, floating-point noise included, never by multiplying a float', () => {
    expect(centsFromBackend(0.1 + 0.2)).toBe(30); // 0.30000000000000004
    expect(centsFromBackend('0.30000000000000004')).toBe(30);
    expect(centsFromBackend(0.7 * 3)).toBe(210); // 2.0999999999999996
    expect(centsFromBackend(10.0)).toBe(1000);
    expect(centsFromBackend('12.5')).toBe(1250);
    expect(centsFromBackend(-23.5)).toBe(-2350);
    expect(codeOf(() => centsFromBackend(1e21))).toBe('BACKEND_BAD_RESPONSE'); // out of range, in exponent form
    expect(centsFromBackend('2.5E3')).toBe(250_000);
    expect(centsFromBackend('5e-1')).toBe(50);
    expect(centsFromBackend(19.99)).toBe(1999);
    expect(pointsFromBackend(25.500000000000004)).toBe(25_500);
    // A real third decimal is not noise: refused, not rounded.
    expect(codeOf(() => centsFromBackend(0.255))).toBe('BACKEND_BAD_RESPONSE');
    expect(codeOf(() => centsFromBackend('12,50'))).toBe('BACKEND_BAD_RESPONSE');
    expect(codeOf(() => centsFromBackend(Number.NaN))).toBe('BACKEND_BAD_RESPONSE');
    expect(codeOf(() => centsFromBackend(true))).toBe('BACKEND_BAD_RESPONSE');
  });
  it('formats points and cents', () => {
    expect(formatPoints(25_500)).toBe('25.5');
    expect(formatPoints(100_000)).toBe('100');
    expect(formatPoints(-1_250)).toBe('-1.25');
    expect(centsToDecimalString(1205)).toBe('12.05');
    expect(centsToDecimalString(-5)).toBe('-0.05');
  });
});
