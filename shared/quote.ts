/**
 * The quote rules: the
 * discount is the points' value at the backend's rate rounded down to the
 * cent; never more than the basket, never more than the balance, inside the
 * backend's min/max and precision.
 */
import type { Quote, RedemptionTerms } from './domain.js';
import { PosError } from './errors.js';
import { discountCents, maxPointsWithin, money, type Money, type PointsMilli, formatPoints } from './money.js';

/** The step a points figure must be a multiple of: precision and program step together. */
export function effectiveStep(terms: RedemptionTerms): PointsMilli {
  const precisionStep = 10 ** (3 - terms.decimals);
  return Math.max(precisionStep, terms.stepMilli);
}

/** The most points this member can use on this basket (0 when none). */
export function maxRedeemable(basket: Money, balanceMilli: PointsMilli, terms: RedemptionTerms): PointsMilli {
  const step = effectiveStep(terms);
  let max = Math.min(Math.max(0, balanceMilli), maxPointsWithin(basket.cents, terms.rate, step));
  if (terms.maxPointsMilli !== null) max = Math.min(max, terms.maxPointsMilli);
  max -= max % step;
  return max >= terms.minPointsMilli && max > 0 ? max : 0;
}

/** Builds the quote or throws the refusal a cashier should see. */
export function buildQuote(basket: Money, balanceMilli: PointsMilli, pointsMilli: PointsMilli, terms: RedemptionTerms): Quote {
  if (!Number.isSafeInteger(pointsMilli) || pointsMilli < 0) throw new PosError('POINTS_INVALID');
  if (pointsMilli === 0) throw new PosError('NOTHING_TO_REDEEM');
  const precisionStep = 10 ** (3 - terms.decimals);
  if (pointsMilli % precisionStep !== 0) {
    throw new PosError('POINTS_TOO_PRECISE', terms.decimals === 0 ? 'Points are whole numbers here.' : `Points have at most ${terms.decimals} decimals here.`);
  }
  if (terms.stepMilli > precisionStep && pointsMilli % terms.stepMilli !== 0) {
    throw new PosError('POINTS_NOT_MULTIPLE', `Points must be a multiple of ${formatPoints(terms.stepMilli)}.`, { details: { stepMilli: terms.stepMilli } });
  }
  if (pointsMilli > balanceMilli) {
    throw new PosError('POINTS_ABOVE_BALANCE', `The member has ${formatPoints(balanceMilli)} points.`, { details: { limitMilli: balanceMilli } });
  }
  if (pointsMilli < terms.minPointsMilli) {
    throw new PosError('POINTS_BELOW_MIN', `At least ${formatPoints(terms.minPointsMilli)} points per redemption.`, {
      details: { limitMilli: terms.minPointsMilli },
    });
  }
  if (terms.maxPointsMilli !== null && pointsMilli > terms.maxPointsMilli) {
    throw new PosError('POINTS_ABOVE_MAX', `At most ${formatPoints(terms.maxPointsMilli)} points per redemption.`, {
      details: { limitMilli: terms.maxPointsMilli },
    });
  }
  const discount = discountCents(pointsMilli, terms.rate);
  if (discount > basket.cents) {
    const limit = maxPointsWithin(basket.cents, terms.rate, effectiveStep(terms));
    throw new PosError('POINTS_ABOVE_BASKET', `Those points are worth more than the basket; at most ${formatPoints(limit)} points.`, {
      details: { limitMilli: limit },
    });
  }
  const base = { pointsMilli, balanceBeforeMilli: balanceMilli, balanceAfterMilli: balanceMilli - pointsMilli };
  if (terms.benefit === 'cashback') {
    // The program pays the points' value into the member's wallet: the basket stays whole.
    return { ...base, discount: money(0, basket.currency), cashback: money(discount, basket.currency), toPay: basket };
  }
  return { ...base, discount: money(discount, basket.currency), toPay: money(basket.cents - discount, basket.currency) };
}
