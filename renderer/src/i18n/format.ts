/**
 * Display helpers bound to a language: every amount, number of points, date
 * and duration goes through shared/i18n's Intl formatting. Plain functions, so
 * they are tested without a DOM; `useFmt()` gives them for the UI's language.
 */
import type { TFunction } from '../../../shared/i18n/translate';
import { enCounter } from '../../../shared/i18n/en-counter';
import {
  formatAge,
  formatAmount,
  formatDate,
  formatDateTime,
  formatDateTimeSeconds,
  formatPointsFor,
  formatTime,
  numberFormat,
  type Language,
} from '../../../shared/i18n/locale';
import { catalogueFor } from './index';
import { ERROR_CODES, type ErrorCode, type ErrorInfo } from '../../../shared/errors';

export interface Fmt {
  lang: Language;
  /** Cents in a currency: "€ 12,30". */
  amount(cents: number, currency: string): string;
  /** Points from thousandths, with up to `decimals` decimals (default: 3, trailing zeros dropped). */
  points(milli: number, decimals?: number): string;
  /** A plain count with the language's grouping. */
  count(n: number): string;
  dateTime(iso: string): string;
  /** Date and time to the second (evidence of what was sent when). */
  dateTimeSeconds(iso: string): string;
  time(iso: string): string;
  date(iso: string): string;
  age(seconds: number): string;
  /** A log kind in words ("redeem.posted" -> "Points taken"); unknown kinds as they are. */
  kind(kind: string): string;
  /** A log entry's outcome in words: an error code as its plain words, "ok" as done; anything else as it is. */
  outcome(outcome: string): string;
  /** A Money value in this language's format ("€12.50", "€ 12,50"). */
  money(m: { cents: number; currency: string }): string;
}

export function makeFmt(lang: Language, timeZone?: string): Fmt {
  const safe = (f: () => string, raw: string) => {
    try {
      return f();
    } catch {
      return raw;
    }
  };
  // The UI's language is loaded before it is shown (i18n/index.ts loadLanguage); English until then.
  const catalogue = catalogueFor(lang);
  const kinds = catalogue.logKinds as Record<string, string>;
  // Made on first use: the counter's first paint formats no number (see warmFormats).
  let count: Intl.NumberFormat | null = null;
  return {
    lang,
    amount: (cents, currency) => safe(() => formatAmount(cents, currency, lang), `${(cents / 100).toFixed(2)} ${currency}`),
    points: (milli, decimals = 3) => formatPointsFor(milli, lang, decimals),
    count: (n) => (count ??= numberFormat(lang)).format(n),
    dateTime: (iso) => safe(() => formatDateTime(iso, lang, timeZone), iso),
    dateTimeSeconds: (iso) => safe(() => formatDateTimeSeconds(iso, lang, timeZone), iso),
    time: (iso) => safe(() => formatTime(iso, lang, timeZone), iso),
    date: (iso) => safe(() => formatDate(iso, lang, timeZone), iso),
    age: (seconds) => formatAge(seconds, lang),
    kind: (kind) => kinds[kind] ?? kind,
    outcome: (o) => (o === 'ok' ? catalogue.counter.localLog.ok : (ERROR_CODES as readonly string[]).includes(o) ? catalogue.errors[o as ErrorCode] : o),
    money: (m) => safe(() => formatAmount(m.cents, m.currency, lang), `${(m.cents / 100).toFixed(2)} ${m.currency}`),
  };
}

/**
 * Makes the formatters a sale uses (points, money) ahead of use, when the
 * counter is on screen and the page is idle. WHY: the page's first Intl
 * formatter loads the locale's data, about 50 ms of CPU on this machine
 * (four times that on a slow counter PC, issue 18's profile); the counter's
 * first paint formats no number, so neither the ready counter nor the first
 * scan's balance waits for it.
 */
export function warmFormats(lang: Language, currency: string, pointsDecimals: number): void {
  const fmt = makeFmt(lang);
  fmt.points(0, pointsDecimals);
  fmt.money({ cents: 0, currency });
  fmt.count(0);
  // The status bar's "last answer" time, shown from the first answer of the backend (a scan's).
  fmt.time(new Date(0).toISOString());
}

export interface ErrorText {
  /** The refusal in the UI's language. */
  text: string;
  /** The service's own words when they add something (they are English). */
  detail: string | null;
}

/**
 * A refusal in the UI's language: the wrong-PIN and lockout refusals with
 * their figures (tries left, locked until when), every other code from the
 * catalogue, and the service's message beside it when it says more.
 */
export function describeError(error: ErrorInfo, t: TFunction, fmt: Pick<Fmt, 'time' | 'lang'>): ErrorText {
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(error.code) ? error.code : 'INTERNAL';
  const details = error.details ?? {};
  let text: string;
  let saysItAll = false;
  if (code === 'PIN_WRONG' && typeof details.attemptsLeft === 'number') {
    text = t('pin.wrongTriesLeft', { count: details.attemptsLeft });
    saysItAll = true;
  } else if (code === 'LOCKED_OUT' && typeof details.until === 'string') {
    text = t('pin.lockedUntil', { time: fmt.time(details.until) });
    saysItAll = true;
  } else {
    text = t(`errors.${code}`);
  }
  const message = error.message?.trim() ?? '';
  const detail = !saysItAll && message && message !== text && message !== enCounter.errors[code] ? message : null;
  return { text, detail };
}

/** Words that belong in the log's detail view, not on the counter: HTTP statuses, socket codes, error codes. */
const TECHNICAL = /\bHTTP\b|\bE[A-Z]{3,}\b|\b[A-Z]{2,}_[A-Z_]+\b|https?:\/\/|\{|\bstack\b/;

/**
 * A refusal as the counter says it: the counter's own words when the step
 * that refused named them (details.say, a counter.say.* key), else the
 * code's plain words. The service's own sentence is added only where it is
 * in the UI's language (English) and says something a cashier can act on:
 * never an HTTP status or a socket code (those stay in the log's detail view).
 */
export function describeCounterError(error: ErrorInfo, t: TFunction, fmt: Pick<Fmt, 'time' | 'lang'>): ErrorText {
  const say = error.details?.say;
  if (typeof say === 'string' && say.startsWith('counter.say.')) return { text: t(say, { ...error.details }), detail: null };
  const { text, detail } = describeError(error, t, fmt);
  return { text, detail: detail && fmt.lang === 'en' && !TECHNICAL.test(detail) ? detail : null };
}
