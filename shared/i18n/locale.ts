/**
 * The UI's languages and `Intl` formatting of amounts, points and dates for
 * a language, without the message catalogues: the renderer loads a
 * language's catalogue only when it is used (renderer/src/i18n), so its
 * first paint carries one language, not three. index.ts adds the catalogues.
 */
import { MILLI_PER_POINT } from '../money.js';

import { LANGUAGES, type Language } from '../languages.js';

export { LANGUAGES, type Language };

/** Conventions for each language (decimal comma for nl/fr, 24-hour clock). */
// English: en-GB, not en-BE (en-BE groups points as 2.500 but money as €2,500.50, and writes years with two digits).
export const LOCALES: Record<Language, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB' };

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/**
 * One formatter per language and options, made on first use and kept.
 * WHY: building an Intl formatter costs far more than formatting with it (on
 * a slow counter PC, a few ms each); the counter formats amounts and points
 * on every render, and each screen used to build its own (issue 18's profile:
 * about a tenth of the counter's start-up script time). A bad currency or time
 * zone throws here as before, and nothing is kept.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function numberFormat(lang: Language, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${lang} ${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(LOCALES[lang], options)));
  return f;
}

function dateFormat(lang: Language, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang} ${JSON.stringify(options)}`;
  let f = dateFormats.get(key);
  if (!f) dateFormats.set(key, (f = new Intl.DateTimeFormat(LOCALES[lang], options)));
  return f;
}

/** "€ 12,30" (nl), "12,30 €" (fr), "€12.30" (en): from integer cents, no float drift in the digits. */
export function formatAmount(cents: number, currency: string, lang: Language): string {
  // Intl takes a number; cents/100 is exact enough for display of amounts below 2^53 / 100.
  return numberFormat(lang, { style: 'currency', currency }).format(cents / 100);
}

/** Points from thousandths, with the program's decimals: "1.250,5" (nl), "1 250,5" (fr), "1,250.5" (en). */
export function formatPointsFor(milli: number, lang: Language, decimals = 0): string {
  return numberFormat(lang, { minimumFractionDigits: 0, maximumFractionDigits: decimals }).format(milli / MILLI_PER_POINT);
}

/** Date and time in the terminal's time zone (or `timeZone`), e.g. "1/3/2025 09:05" (nl). */
export function formatDateTime(iso: string, lang: Language, timeZone?: string): string {
  return dateFormat(lang, { dateStyle: 'short', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** With seconds: for evidence where seconds matter (when a request was sent, until when it could still apply). */
export function formatDateTimeSeconds(iso: string, lang: Language, timeZone?: string): string {
  return dateFormat(lang, { dateStyle: 'short', timeStyle: 'medium', timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, lang: Language, timeZone?: string): string {
  return dateFormat(lang, { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

export function formatDate(iso: string, lang: Language, timeZone?: string): string {
  return dateFormat(lang, { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

/** "3 minutes" / "3 minuten" / "3 minutes": a duration for the queue's ages. */
export function formatAge(seconds: number, lang: Language): string {
  const unit = seconds < 90 ? 'second' : seconds < 5400 ? 'minute' : seconds < 129_600 ? 'hour' : 'day';
  const div = { second: 1, minute: 60, hour: 3600, day: 86_400 }[unit];
  return numberFormat(lang, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 0 }).format(seconds / div);
}
