/**
 * Money and points arithmetic. No floating point ever touches an amount:
 * money is integer minor units (cents) with an ISO 4217 code, points are
 * integer thousandths ("milli-points") so that Capillary's three decimals fit.
 * Products that could pass 2^53 go through BigInt.
 */
import { PosError } from './errors.js';

export type CurrencyCode = string;

export interface Money {
  readonly cents: number;
  readonly currency: CurrencyCode;
}

/** Thousandths of a point: 1 point = 1000. */
export type PointsMilli = number;
export const MILLI_PER_POINT = 1000;

/** Largest amount the terminal accepts anywhere: 10 million in major units. */
export const MAX_CENTS = 1_000_000_000;
/** Largest points figure the terminal accepts anywhere: one billion points. */
export const MAX_POINTS_MILLI = 1_000_000_000_000;

export function money(cents: number, currency: CurrencyCode): Money {
  if (!Number.isSafeInteger(cents)) throw new PosError('AMOUNT_INVALID', `Amount is not a whole number of cents: ${cents}`);
  if (!/^[A-Z]{3}$/.test(currency)) throw new PosError('AMOUNT_INVALID', `Not an ISO currency code: ${currency}`);
  return { cents, currency };
}

const DECIMAL_RE = /^(\d+)(?:[.,](\d*))?$/;

/**
 * Parses what a cashier types for an amount ("12", "12.5", "12,50").
 * Refuses negatives, signs, thousands separators, more than two decimals.
 */
export function parseAmount(text: string, currency: CurrencyCode): Money {
  const t = text.trim();
  if (t === '') throw new PosError('AMOUNT_INVALID', 'Enter an amount.');
  if (t.startsWith('-')) throw new PosError('AMOUNT_INVALID', 'The amount cannot be negative.');
  const m = DECIMAL_RE.exec(t);
  if (!m) throw new PosError('AMOUNT_INVALID', `"${t}" is not an amount.`);
  const frac = m[2] ?? '';
  if (frac.length > 2) throw new PosError('AMOUNT_INVALID', 'An amount has at most two decimals.');
  const cents = Number(m[1]) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents) || cents > MAX_CENTS) throw new PosError('AMOUNT_INVALID', 'The amount is too large.');
  return money(cents, currency);
}

/**
 * Parses a points figure typed by a cashier, allowing at most `decimals`
 * decimals (0 for whole-point backends, up to 3 for Capillary).
 */
export function parsePoints(text: string, decimals: number): PointsMilli {
  const t = text.trim();
  if (t === '') throw new PosError('POINTS_INVALID', 'Enter a number of points.');
  if (t.startsWith('-')) throw new PosError('POINTS_INVALID', 'Points cannot be negative.');
  const m = DECIMAL_RE.exec(t);
  if (!m) throw new PosError('POINTS_INVALID', `"${t}" is not a number of points.`);
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > decimals) {
    throw new PosError('POINTS_TOO_PRECISE', decimals === 0 ? 'Points are whole numbers here.' : `Points have at most ${decimals} decimals here.`);
  }
  const milli = Number(m[1]) * MILLI_PER_POINT + Number(frac.slice(0, 3).padEnd(3, '0'));
  if (!Number.isSafeInteger(milli) || milli > MAX_POINTS_MILLI) throw new PosError('POINTS_INVALID', 'That is too many points.');
  return milli;
}

/** The step between allowed points values for a backend precision (0..3 decimals). */
export function pointsStep(decimals: number): PointsMilli {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 3) throw new Error(`bad points precision ${decimals}`);
  return 10 ** (3 - decimals);
}

export function formatPoints(milli: PointsMilli, decimals = 3): string {
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  const whole = Math.floor(abs / MILLI_PER_POINT);
  const frac = String(abs % MILLI_PER_POINT)
    .padStart(3, '0')
    .slice(0, Math.max(0, decimals))
    .replace(/0+$/, '');
  return sign + String(whole) + (frac ? '.' + frac : '');
}

/** Points as the decimal string backends expect ("25.5", "100"). */
export const pointsToDecimalString = (milli: PointsMilli): string => formatPoints(milli, 3);

/**
 * A decimal figure a backend sent (a JSON number or a decimal string, an
 * exponent allowed: "1e-7", 2.5E3) read exactly into integer units of
 * 10^-`scale` (scale 2: cents, scale 3: milli-points). The text form is read,
 * never multiplied as a float. Digits beyond `scale` are accepted only when
 * they are floating-point noise from the backend's own arithmetic (the
 * figure lies within a millionth of a unit of a whole one, as
 * 0.30000000000000004 does of 30 cents): the figure is rounded to that unit.
 * Anything else that does not fit throws BACKEND_BAD_RESPONSE naming `what`.
 */
export function decimalFromBackend(value: unknown, scale: number, what: string): number {
  const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^([-+]?)(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d{1,3}))?$/.exec(s) ?? /^([-+]?)()\.(\d+)(?:[eE]([-+]?\d{1,3}))?$/.exec(s);
  if (!m) throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program sent ${what} that is not a number: ${JSON.stringify(value)?.slice(0, 60)}`);
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`.replace(/^0+(?=\d)/, '') || '0';
  // value = digits * 10^(exp - fracLen); in units of 10^-scale: digits * 10^shift
  const shift = Number(m[4] ?? '0') - (m[3] ?? '').length + scale;
  let units: bigint;
  if (shift >= 0) {
    units = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const div = 10n ** BigInt(-shift);
    const whole = BigInt(digits) / div;
    const rest = BigInt(digits) % div;
    // Noise: within a millionth of a unit of a whole unit (below or above).
    const noise = rest * 1_000_000n < div || (div - rest) * 1_000_000n < div;
    if (!noise) throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program sent ${what} with more than ${scale} decimals: ${s}`);
    units = rest * 2n >= div ? whole + 1n : whole;
  }
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program sent ${what} out of range: ${s}`);
  const n = Number(units);
  return m[1] === '-' && n !== 0 ? -n : n;
}

/** Parses a points figure that a backend sent, exactly (no float rounding): milli-points. */
export function pointsFromBackend(value: unknown): PointsMilli {
  return decimalFromBackend(value, 3, 'a points value');
}

/**
 * A money figure a backend sent in currency units (GafaPay's 10.0 or
 * 0.30000000000000004, a card platform's 23.5, Capillary's "12.50"), as
 * integer cents, exactly. Every adapter reads money in answers through here.
 */
export function centsFromBackend(value: unknown): number {
  return decimalFromBackend(value, 2, 'an amount');
}

/**
 * An exchange rate kept as a ratio: `pointsMilli` thousandths of a point are
 * worth `cents` cents. 1 point = 0.01 EUR is { pointsMilli: 1000, cents: 1 }.
 */
export interface PointsRate {
  readonly pointsMilli: number;
  readonly cents: number;
}

/**
 * Builds a rate from the currency value of one point as a decimal string,
 * e.g. White Label's `pointsCurrencyValue: 0.01`, GafaPay's points_value /
 * no_of_points, Capillary's points_currency_ratio.
 */
export function rateFromCurrencyPerPoint(value: string | number): PointsRate {
  const s = typeof value === 'number' ? String(value) : value.trim();
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) throw new PosError('BACKEND_BAD_RESPONSE', `Not a valid points value: ${JSON.stringify(value)}`);
  const frac = m[2] ?? '';
  // value = int.frac currency per point = (int.frac * 100) cents per 1000 milli
  const scale = 10 ** frac.length;
  const numerator = (Number(m[1]) * scale + Number(frac || '0')) * 100; // cents * scale per point
  if (numerator <= 0 || !Number.isSafeInteger(numerator * MILLI_PER_POINT)) throw new PosError('BACKEND_BAD_RESPONSE', `Points value out of range: ${s}`);
  return simplifyRate({ pointsMilli: MILLI_PER_POINT * scale, cents: numerator });
}

/** `points` points are worth `amountCents` cents (GafaPay's no_of_points / points_value). */
export function rateFromPair(pointsMilli: number, amountCents: number): PointsRate {
  if (!(Number.isSafeInteger(pointsMilli) && pointsMilli > 0 && Number.isSafeInteger(amountCents) && amountCents > 0)) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'The backend sent an unusable points rate.');
  }
  return simplifyRate({ pointsMilli, cents: amountCents });
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function simplifyRate(r: PointsRate): PointsRate {
  const g = gcd(r.pointsMilli, r.cents);
  return { pointsMilli: r.pointsMilli / g, cents: r.cents / g };
}

/** The discount a number of points buys, rounded down to the cent. */
export function discountCents(points: PointsMilli, rate: PointsRate): number {
  return Number((BigInt(points) * BigInt(rate.cents)) / BigInt(rate.pointsMilli));
}

/**
 * The largest points figure (a multiple of `step`) whose discount stays within
 * `cents`: taking more would give the member nothing for the extra points.
 */
export function maxPointsWithin(cents: number, rate: PointsRate, step: PointsMilli): PointsMilli {
  const raw = (BigInt(cents + 1) * BigInt(rate.pointsMilli) - 1n) / BigInt(rate.cents); // largest p with floor(p*c/pm) <= cents
  const p = Number(raw);
  return p - (p % step);
}

/** Amount in the currency's units as a plain decimal string ("12.30"), for CSV and APIs. */
export function centsToDecimalString(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
