/**
 * How the offers screen shows cards, notice times and amounts: the
 * offer-specific part only. Amounts, dates and the Belgian locales
 * are shared/i18n's (through the renderer's `Fmt`, as `useFmt()` gives it).
 */
import type { EnrolledCardView } from '../../../../shared/contract/offers';
import { LOCALES } from '../../../../shared/i18n/locale';
import type { Money } from '../../../../shared/money';
import type { Fmt } from '../../i18n/format';
import type { OffersT } from './i18n';

export function money(m: Money, fmt: Fmt): string {
  return fmt.amount(m.cents, m.currency);
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
