/**
 * The UI's languages (nl, fr, en), their message catalogues as i18next
 * resources, and `Intl` formatting of amounts, points and dates for the
 * chosen language. Pure TypeScript (no DOM, no Node): the renderer sets up
 * i18next/react-i18next with `resources` and `i18nextOptions`; the service
 * may use the catalogues for printed reports.
 */
import { LANGUAGES, type Language } from '../languages.js';
import type { ErrorCode } from '../errors.js';
import { MILLI_PER_POINT } from '../money.js';
import { en, type Catalogue } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';

export { LANGUAGES, type Catalogue, type Language };
export const catalogues: Record<Language, Catalogue> = { nl, fr, en };

/** Conventions for each language (decimal comma for nl/fr, 24-hour clock). */
// English: en-GB, not en-BE (en-BE groups points as 2.500 but money as €2,500.50, and writes years with two digits).
export const LOCALES: Record<Language, string> = { nl: 'nl-BE', fr: 'fr-BE', en: 'en-GB' };

/** i18next resources: one namespace, 'translation'. */
export const resources = {
  nl: { translation: nl },
  fr: { translation: fr },
  en: { translation: en },
} as const;

/** The options the renderer passes to i18next.init (plus its own `lng`). */
export const i18nextOptions = {
  resources,
  fallbackLng: 'en',
  supportedLngs: ['nl', 'fr', 'en'],
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  showSupportNotice: false,
} as const;

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** The plain-words text of an error code in a language (fallback: English). */
export function errorText(code: ErrorCode, lang: Language): string {
  return catalogues[lang].errors[code] ?? en.errors[code];
}

/** "€ 12,30" (nl), "12,30 €" (fr), "€12.30" (en): from integer cents, no float drift in the digits. */
export function formatAmount(cents: number, currency: string, lang: Language): string {
  // Intl takes a number; cents/100 is exact enough for display of amounts below 2^53 / 100.
  return new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency }).format(cents / 100);
}

/** Points from thousandths, with the program's decimals: "1.250,5" (nl), "1 250,5" (fr), "1,250.5" (en). */
export function formatPointsFor(milli: number, lang: Language, decimals = 0): string {
  return new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 0, maximumFractionDigits: decimals }).format(milli / MILLI_PER_POINT);
}

/** Date and time in the terminal's time zone (or `timeZone`), e.g. "1/3/2025 09:05" (nl). */
export function formatDateTime(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** With seconds: for evidence where seconds matter (when a request was sent, until when it could still apply). */
export function formatDateTimeSeconds(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'short', timeStyle: 'medium', timeZone }).format(new Date(iso));
}

export function formatTime(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));
}

export function formatDate(iso: string, lang: Language, timeZone?: string): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium', timeZone }).format(new Date(iso));
}

/** "3 minutes" / "3 minuten" / "3 minutes": a duration for the queue's ages. */
export function formatAge(seconds: number, lang: Language): string {
  const unit = seconds < 90 ? 'second' : seconds < 5400 ? 'minute' : seconds < 129_600 ? 'hour' : 'day';
  const div = { second: 1, minute: 60, hour: 3600, day: 86_400 }[unit];
  return new Intl.NumberFormat(LOCALES[lang], { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 0 }).format(seconds / div);
}
