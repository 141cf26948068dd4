/** The log export's line format, shared by csv-export.ts and its worker threads (csv-export-worker.ts). */
import { neutralise } from './csv-cells.js';
import type { CsvDialect } from './csv-dialect.js';

/** The log columns a CSV line is made of, in order (first the keyset). */
export const LOG_SELECT =
  'l.seq, l.at, l.terminal_id, l.actor, l.sale_id, l.kind, l.outcome, l.member_masked, l.points_milli, l.amount_cents, l.currency, l.detail, l.prev_hash, l.hash';

/**
 * The log export's cell and line rules for a dialect, written for speed (a
 * large export writes millions of lines): the same neutralising and quoting
 * rules as csv-cells.ts, by hand instead of through csv-stringify. `line`
 * takes a row of LOG_SELECT's columns and the person's name cell.
 */
export function lineFormat(d: CsvDialect) {
  const sep = d.sep;
  const NEEDS_WORK = new RegExp('^[\\t\\r\\n =+\\-@]|["' + sep + '\\r\\n]|[ \\t\\r\\n]$');
  const NEEDS_QUOTES = new RegExp('["' + sep + '\\r\\n]|^[ \\t\\r\\n]|[ \\t\\r\\n]$');
  const text = (value: string | null | undefined): string => {
    if (value === null || value === undefined || value === '') return '';
    const s = String(value);
    if (!NEEDS_WORK.test(s)) return s;
    let v = neutralise(s);
    if (NEEDS_QUOTES.test(v)) v = '"' + v.replace(/"/g, '""') + '"';
    return v;
  };
  /** "12.30" / "12,30", "-0.05": exact from integer cents. */
  const money = (cents: number | null | undefined): string => {
    if (cents === null || cents === undefined) return '';
    const abs = Math.abs(cents);
    const c = abs % 100;
    return (cents < 0 ? '-' : '') + Math.floor(abs / 100) + d.decimal + (c < 10 ? '0' : '') + c;
  };
  /** "12.5" / "12,5", "-3", "0.125": exact from thousandths. */
  const points = (milli: number | null | undefined): string => {
    if (milli === null || milli === undefined) return '';
    const abs = Math.abs(milli);
    const frac = abs % 1000;
    const whole = (milli < 0 ? '-' : '') + Math.floor(abs / 1000);
    if (frac === 0) return whole;
    return whole + d.decimal + String(frac).padStart(3, '0').replace(/0+$/, '');
  };
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  /** The terminal's local time: "2025-03-01 09:05:00", or ISO with the offset for programs. */
  const time = (iso: string | null | undefined): string => {
    if (!iso) return '';
    const t = new Date(iso);
    if (Number.isNaN(t.getTime())) return text(iso);
    const day = t.getFullYear() + '-' + two(t.getMonth() + 1) + '-' + two(t.getDate());
    const clock = two(t.getHours()) + ':' + two(t.getMinutes()) + ':' + two(t.getSeconds());
    if (!d.isoTimes) return day + ' ' + clock;
    const off = -t.getTimezoneOffset();
    const a = Math.abs(off);
    return day + 'T' + clock + (off < 0 ? '-' : '+') + two(Math.floor(a / 60)) + ':' + two(a % 60);
  };
  const word = (words: Record<string, string>, code: string | null | undefined): string => text(code ? (words[code] ?? code) : '');
  /** The amount's column by kind: basket, discount, paid, refunded or other (index 0..4). */
  const amountIndex = (kind: string): number => {
    const c = d.amountColumns[kind] ?? (kind.startsWith('offer.') ? 'basket' : 'other');
    return c === 'basket' ? 0 : c === 'discount' ? 1 : c === 'toPay' ? 2 : c === 'refunded' ? 3 : 4;
  };
  // r: seq, at, terminal_id, actor, sale_id, kind, outcome, member_masked, points_milli, amount_cents, currency, detail, prev_hash, hash
  const line = (r: unknown[], nameCell: string): string => {
    const amounts = ['', '', '', '', ''];
    if (r[9] !== null && r[9] !== undefined) amounts[amountIndex(r[5] as string)] = money(r[9] as number);
    return (
      r[0] +
      sep +
      time(r[1] as string) +
      sep +
      text(r[2] as string) +
      sep +
      nameCell +
      sep +
      text(r[4] as string) +
      sep +
      word(d.kinds, r[5] as string) +
      sep +
      word(d.outcomes, r[6] as string) +
      sep +
      text(r[7] as string) +
      sep +
      points(r[8] as number) +
      sep +
      amounts.join(sep) +
      sep +
      text(r[10] as string) +
      sep +
      text(r[3] as string) +
      sep +
      text(r[5] as string) +
      sep +
      text(r[6] as string) +
      sep +
      text(r[12] as string) +
      sep +
      text(r[13] as string) +
      sep +
      text(r[11] as string) +
      '\r\n'
    );
  };
  return { text, money, points, time, word, amountIndex, line };
}
