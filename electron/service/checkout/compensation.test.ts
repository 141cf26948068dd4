/**
 * How many points refunds give back, on the real `refundPoints`: computed
 * cumulatively over a sale's refunds, so splitting a refund never returns
 * more than refunding the same amount at once, and a full refund in parts
 * returns exactly what was taken.
 */
import { describe, expect, it } from 'vitest';
import { refundPoints } from './compensation.js';

/** Runs refunds of `parts` cents in order, the way refundSale does; returns each refund's points (milli). */
function refundInParts(takenMilli: number, basketCents: number, parts: number[], pointsDecimals: number): number[] {
  let refundedMilli = 0;
  let refundedCents = 0;
  return parts.map((amountCents) => {
    const full = amountCents === basketCents - refundedCents;
    const points = refundPoints({ takenMilli, refundedMilli, refundedCents, amountCents, basketCents, pointsDecimals, full });
    refundedMilli += points;
    refundedCents += amountCents;
    return points;
  });
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('refundPoints', () => {
  it('ten 1-cent refunds on a 10.00 sale paid with 10 whole points return 1 point in total, not 10', () => {
    const each = refundInParts(10_000, 1000, Array(10).fill(1), 0);
    // ceil(10 × 0.01 / 10.00) = 1 point after the first; still ceil(10 × 0.10 / 10.00) = 1 after the tenth.
    expect(each).toEqual([1000, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sum(each)).toBe(1000);
  });

  it('with points to two decimals, ten 1-cent refunds of 10 points on 10.00 return 0.01 point each, 0.10 in total', () => {
    const each = refundInParts(10_000, 1000, Array(10).fill(1), 2);
    expect(each).toEqual(Array(10).fill(10));
    expect(sum(each)).toBe(100);
  });

  it('split refunds return what one refund of the same total returns', () => {
    const once = refundInParts(333_000, 1000, [250], 0);
    const split = refundInParts(333_000, 1000, [100, 100, 50], 0);
    expect(once).toEqual([84_000]); // ceil(333 × 2.50 / 10.00) = ceil(83.25)
    expect(split).toEqual([34_000, 33_000, 17_000]); // due 34, 67 (66.6), 84 (83.25)
    expect(sum(split)).toBe(sum(once));
  });

  it('a full refund in parts returns exactly all points taken, and never more along the way', () => {
    const parts = [1, 1, 1, 97, 300, 1, 599];
    for (const pointsDecimals of [0, 1, 2, 3]) {
      const each = refundInParts(333_000, 1000, parts, pointsDecimals);
      let soFar = 0;
      for (const p of each) {
        expect(p).toBeGreaterThanOrEqual(0);
        soFar += p;
        expect(soFar).toBeLessThanOrEqual(333_000);
      }
      expect(soFar).toBe(333_000);
    }
    // Whole points: due after each part is ceil(333 × cents so far / 1000): 1, 1, 1, 34, 134, 134, then the rest.
    expect(refundInParts(333_000, 1000, parts, 0)).toEqual([1000, 0, 0, 33_000, 100_000, 0, 199_000]);
  });

  it('a refund never returns more than remains, even after earlier refunds rounded under the old rule', () => {
    // An earlier refund (before this rule) already gave back all 10 points on 0.09 of 10.00.
    expect(
      refundPoints({ takenMilli: 10_000, refundedMilli: 10_000, refundedCents: 9, amountCents: 1, basketCents: 1000, pointsDecimals: 0, full: false }),
    ).toBe(0);
  });

  it('stays exact where points × cents passes 2^53', () => {
    // 9,000,000,000 points on a 3,000,000.00 sale, 1,000,000.01 refunded: exactly 3,000,000,030 points.
    expect(
      refundPoints({
        takenMilli: 9_000_000_000_000,
        refundedMilli: 0,
        refundedCents: 0,
        amountCents: 100_000_001,
        basketCents: 300_000_000,
        pointsDecimals: 3,
        full: false,
      }),
    ).toBe(3_000_000_030_000);
  });
});
