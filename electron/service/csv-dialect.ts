/**
 * How an exported file is written for the manager: the separator and decimal
 * mark their spreadsheet expects, times for people or for programs, and the
 * words for kinds and outcomes in their language. Plain data, so the export
 * workers receive the very same dialect.
 */
import type { Language } from '../../shared/contract/manager.js';
import { DEFAULT_MESSAGES } from '../../shared/errors.js';
import { catalogues } from '../../shared/i18n/index.js';

/** 'spreadsheet': the language's convention; 'rfc4180': commas and decimal points whatever the language. */
export type CsvFormat = 'spreadsheet' | 'rfc4180';

export interface CsvDialect {
  format: CsvFormat;
  language: Language;
  sep: ';' | ',';
  decimal: ',' | '.';
  /** ISO 8601 with the offset (programs) instead of "YYYY-MM-DD HH:MM:SS" (people). */
  isoTimes: boolean;
  /** Log kind -> words. */
  kinds: Record<string, string>;
  /** Outcome (ok or an error code) -> words. */
  outcomes: Record<string, string>;
  /** Log kind -> which amount its amount_cents is. */
  amountColumns: Record<string, AmountColumn>;
}

export type AmountColumn = 'basket' | 'discount' | 'toPay' | 'refunded' | 'other';

/**
 * What a log entry's amount means, by kind (terminal-service.ts and
 * manager-desk.ts write them). Card-linked offer notices (offer.*) carry the
 * purchase's amount: basket. Anything else lands in "other amount", never
 * under a wrong heading.
 */
export const AMOUNT_COLUMNS: Record<string, AmountColumn> = {
  'sale.started': 'basket',
  'sale.basket': 'basket',
  quote: 'discount',
  'redeem.confirmed': 'discount',
  'redeem.posted': 'discount',
  'redeem.refused': 'discount',
  'redeem.at-risk': 'discount',
  'redeem.attention': 'discount',
  'attention.handled': 'discount',
  'sale.paid': 'toPay',
  'sale.refunded': 'refunded',
};

/** Languages whose spreadsheets use the decimal comma (and so the semicolon between fields). */
const DECIMAL_COMMA: ReadonlySet<Language> = new Set(['nl', 'fr']);

export function csvDialect(language: Language, format: CsvFormat = 'spreadsheet'): CsvDialect {
  const c = catalogues[language];
  const comma = format === 'spreadsheet' && DECIMAL_COMMA.has(language);
  const outcomes: Record<string, string> = {
    ...DEFAULT_MESSAGES,
    ...c.errors,
    ok: c.manager.csv.ok,
    TAMPERED: c.manager.csv.tampered,
    received: c.manager.csv.received,
  };
  return {
    format,
    language,
    sep: comma ? ';' : ',',
    decimal: comma ? ',' : '.',
    isoTimes: format === 'rfc4180',
    kinds: { ...c.logKinds },
    outcomes,
    amountColumns: AMOUNT_COLUMNS,
  };
}
