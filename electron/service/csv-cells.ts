/**
 * Writing small CSV sheets (the end of day, the chain's report) with
 * csv-stringify, plus the one rule that is ours: formula neutralising.
 *
 * - Text starting with = + - @ (or a tab or CR, or blanks followed by one of
 *   those) gets a leading apostrophe, so a spreadsheet shows it as text
 *   instead of running it. The terminal's own figures are never passed
 *   through it (a negative amount stays a number).
 * - A cell is quoted when it holds a quote, the separator, CR or LF, or
 *   leading or trailing blanks (csv-stringify alone does not quote a lone LF
 *   when the line end is CRLF, nor surrounding blanks); quotes are doubled.
 * - Lines end with CRLF.
 *
 * The log export's hot loop (csv-line.ts) writes millions of lines and keeps
 * its own concatenation; it uses neutralise() and the same quoting rule, and
 * its tests hold it to them.
 */
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]|^[ \t\r\n]+[=+\-@]/;

/** The text a spreadsheet will show as text: an apostrophe before a would-be formula. */
export function neutralise(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return FORMULA_START.test(s) ? "'" + s : s;
}

/** Lines of cells as CSV (CRLF line ends). Cells are written as given: pass text through neutralise(). */
export function csvLines(rows: readonly (readonly string[])[], sep: ';' | ','): string {
  if (rows.length === 0) return '';
  return stringify(rows as string[][], {
    delimiter: sep,
    record_delimiter: '\r\n',
    quoted_match: /[\r\n]|^[ \t]|[ \t]$/,
  });
}
