/**
 * How the offers screen shows offers, cards, percentages, days and notice
 * times: the offer-specific part only. Amounts, dates and the Belgian locales
 * are shared/i18n's (through the renderer's `Fmt`, as `useFmt()` gives it).
 */
import type { EnrolledCardView, OfferView } from '../../../../shared/contract/offers';
import { LOCALES } from '../../../../shared/i18n';
import type { Money } from '../../../../shared/money';
import type { Fmt } from '../../i18n/format';
import type { OffersT } from './i18n';

export function money(m: Money, fmt: Fmt): string {
  return fmt.amount(m.cents, m.currency);
}

/** "10 %", "7,5 %" (basis points: 1000 = 10 %). */
export function percent(basisPoints: number, { lang }: Fmt): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'percent', maximumFractionDigits: 2 }).format(basisPoints / 10_000);
}

export function discountText(o: OfferView, t: OffersT, fmt: Fmt): string {
  return o.discount.kind === 'percent'
    ? t('percentBack', { percent: percent(o.discount.basisPoints, fmt) })
    : t('amountBack', { amount: money(o.discount.amount, fmt) });
}

export function spendText(o: OfferView, t: OffersT, fmt: Fmt): string[] {
  const parts = [o.minSpend && o.minSpend.cents > 0 ? t('minSpend', { amount: money(o.minSpend, fmt) }) : t('anySpend')];
  if (o.maxSpend) parts.push(t('maxSpend', { amount: money(o.maxSpend, fmt) }));
  return parts;
}

/** A day's name; 0 = Sunday (2023-01-01 was a Sunday). */
export function dayName(day: number, { lang }: Fmt, width: 'long' | 'short' = 'long'): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { weekday: width, timeZone: 'UTC' }).format(new Date(Date.UTC(2023, 0, 1 + day)));
}

/** "Every day", "Monday to Friday", or "Mon, Wed, Sat". */
export function daysText(days: readonly number[], t: OffersT, fmt: Fmt): string {
  const set = [...new Set(days)].filter((d) => d >= 0 && d <= 6);
  if (set.length === 0 || set.length === 7) return t('everyDay');
  // Monday-first order, as Belgian calendars show weeks.
  const order = [1, 2, 3, 4, 5, 6, 0];
  const sorted = order.filter((d) => set.includes(d));
  const idx = sorted.map((d) => order.indexOf(d));
  const consecutive = idx.every((v, i) => i === 0 || v === idx[i - 1]! + 1);
  if (consecutive && sorted.length >= 3) return t('dayRange', { from: dayName(sorted[0]!, fmt), to: dayName(sorted[sorted.length - 1]!, fmt) });
  return sorted.map((d) => dayName(d, fmt, sorted.length > 2 ? 'short' : 'long')).join(', ');
}

export function datesText(o: OfferView, t: OffersT, fmt: Fmt): string {
  const from = fmt.date(o.startsAt);
  return o.endsAt ? t('datesRange', { from, to: fmt.date(o.endsAt) }) : t('datesOpen', { from });
}

/** A notice's moment to the second ("1/03/2025, 09:05:07" in nl): notices of one sale come seconds apart. */
export function timeText(iso: string, { lang }: Fmt): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'medium' }).format(d);
}

const SCHEMES: Record<string, string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', maestro: 'Maestro' };

export function schemeName(scheme: string | null | undefined): string {
  if (!scheme) return '';
  return SCHEMES[scheme.toLowerCase()] ?? scheme.charAt(0).toUpperCase() + scheme.slice(1);
}

/** "Visa •••• 4001": a card as the terminal knows it. */
export function cardText(card: Pick<EnrolledCardView, 'scheme' | 'last4'> | { scheme: string | null; last4: string | null }, t: OffersT): string {
  return t('cardMasked', { scheme: schemeName(card.scheme) || '—', last4: card.last4 ?? '????' });
}

/** Today's start and tomorrow's in the terminal's time zone, and the last 7 days, as ISO instants. */
export function rangeFor(range: 'today' | 'week' | 'all', now = new Date()): { from?: string; to?: string } {
  if (range === 'all') return {};
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  if (range === 'week') start.setDate(start.getDate() - 6);
  return { from: start.toISOString(), to: end.toISOString() };
}

/**
 * A local check of what the customer typed, before anything leaves the
 * screen. Answers a catalogue key, never the value.
 */
export function cardNumberProblem(raw: string): 'numberProblem' | null {
  const digits = raw.replace(/[\s-]/g, '');
  return /^\d{12,19}$/.test(digits) ? null : 'numberProblem';
}

/** The expiry as the contract wants it, or the key of what is wrong. */
export function parseExpiry(
  monthText: string,
  yearText: string,
  now = new Date(),
): { expMonth: number; expYear: number } | { problem: 'monthProblem' | 'yearProblem' | 'expiredProblem' } {
  const m = monthText.trim();
  const y = yearText.trim();
  if (!/^\d{1,2}$/.test(m) || Number(m) < 1 || Number(m) > 12) return { problem: 'monthProblem' };
  if (!/^(\d{2}|\d{4})$/.test(y)) return { problem: 'yearProblem' };
  const expYear = y.length === 2 ? 2000 + Number(y) : Number(y);
  if (expYear < 2000 || expYear > 2100) return { problem: 'yearProblem' };
  const expMonth = Number(m);
  // A card is valid through the last day of its expiry month.
  if (expYear < now.getFullYear() || (expYear === now.getFullYear() && expMonth < now.getMonth() + 1)) return { problem: 'expiredProblem' };
  return { expMonth, expYear };
}

export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
