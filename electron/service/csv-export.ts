/**
 * CSV for spreadsheets, streamed: rows are read in chunks and written to a
 * Node Writable with backpressure, never gathered in memory.
 *
 * - UTF-8 with a byte-order mark (so Excel reads accents and the masked
 *   member's bullets), CRLF line ends and comma separators (RFC 4180).
 * - Text is quoted when it holds a quote, comma, CR or LF, or leading or
 *   trailing spaces; quotes are doubled.
 * - Formula injection is neutralised: text starting with = + - @ (or a tab
 *   or CR, or spaces followed by one of those) gets a leading apostrophe, so
 *   a spreadsheet shows it as text instead of running it. The terminal's own
 *   numbers (seq, amounts, points) are written plain and never altered.
 * - Dates are ISO 8601 (UTC, as stored); amounts are decimal currency units
 *   ("12.30"), points decimal points ("25.5").
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { centsToDecimalString, formatPoints } from '../../shared/money.js';
import type { EndOfDaySummary, EndOfDayTotals, LogFilter } from '../../shared/contract/manager.js';
import type { LogQuery, LogRow } from './log-query.js';

export const BOM = '\uFEFF';
const EOL = '\r\n';

/** One text field, neutralised and quoted as needed. */
export function csvText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  let v = value;
  if (/^[=+\-@\t\r]/.test(v) || /^\s+[=+\-@]/.test(v)) v = `'${v}`;
  if (/[",\r\n]/.test(v) || /^\s|\s$/.test(v)) v = `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** A number or ISO date the terminal itself produced: plain. */
function plain(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

const money = (cents: number | null | undefined): string => (cents === null || cents === undefined ? '' : centsToDecimalString(cents));
const points = (milli: number | null | undefined): string => (milli === null || milli === undefined ? '' : formatPoints(milli, 3));

export const LOG_CSV_HEADER = ['seq', 'at', 'terminal', 'person_id', 'person', 'sale', 'kind', 'outcome', 'member', 'points', 'amount', 'currency', 'detail', 'prev_hash', 'hash'];

export function logCsvLine(r: LogRow): string {
  return (
    [
      plain(r.seq),
      plain(r.at),
      csvText(r.terminal_id),
      csvText(r.actor),
      csvText(r.actor_name),
      csvText(r.sale_id),
      csvText(r.kind),
      csvText(r.outcome),
      csvText(r.member_masked),
      points(r.points_milli),
      money(r.amount_cents),
      csvText(r.currency),
      csvText(r.detail),
      plain(r.prev_hash),
      plain(r.hash),
    ].join(',') + EOL
  );
}

/** Writes, waiting for 'drain' when the stream asks; fails if the reader went away. */
async function put(out: Writable, text: string): Promise<void> {
  if (out.destroyed) throw new Error('the export was interrupted (the destination closed)');
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('the export was interrupted (the destination closed)'));
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', done);
  });
}

async function finish(out: Writable, end: boolean): Promise<void> {
  if (!end) return;
  out.end();
  if (!out.writableFinished) await once(out, 'finish');
}

/** Streams the log entries matching `filter` (oldest first) as CSV. Returns how many rows were written. */
export async function writeLogCsv(query: LogQuery, filter: LogFilter, out: Writable, opts: { end?: boolean; chunkRows?: number } = {}): Promise<{ rows: number }> {
  let rows = 0;
  await put(out, BOM + LOG_CSV_HEADER.join(',') + EOL);
  for (const chunk of query.chunks(filter, opts.chunkRows ?? 2000)) {
    let text = '';
    for (const r of chunk) text += logCsvLine(r);
    rows += chunk.length;
    await put(out, text);
  }
  await finish(out, opts.end ?? true);
  return { rows };
}

export const EOD_CSV_HEADER = [
  'section', 'key', 'name', 'redemptions', 'points', 'discount', 'refunds', 'refunded_amount', 'refunded_points',
  'voids', 'overrides', 'offline_accepted', 'refused_redemptions',
];

function totalsCells(t: EndOfDayTotals): string[] {
  return [
    plain(t.redemptions), points(t.pointsMilli), money(t.discountCents), plain(t.refunds), money(t.refundedCents), points(t.refundedPointsMilli),
    plain(t.voids), plain(t.overrides), plain(t.offlineAccepted), plain(t.refusedRedemptions),
  ];
}

/** The end-of-day summary as CSV: one section per line kind (range, total, cashier, hour, queue, attention, log head). */
export async function writeEndOfDayCsv(s: EndOfDaySummary, out: Writable, opts: { end?: boolean } = {}): Promise<{ rows: number }> {
  const blank = EOD_CSV_HEADER.slice(3).map(() => '');
  const lines: string[][] = [
    ['range', plain(s.from), plain(s.to), ...blank],
    ['currency', csvText(s.currency), '', ...blank],
    ['total', '', '', ...totalsCells(s.totals)],
    ...s.byCashier.map((c) => ['cashier', csvText(c.personId), csvText(c.name), ...totalsCells(c)]),
    ...s.byHour.map((h) => ['hour', plain(h.hour), '', plain(h.redemptions), points(h.pointsMilli), money(h.discountCents), ...blank.slice(3)]),
    ['still_queued', plain(s.stillQueued.rows), '', '', points(s.stillQueued.pointsMilli), ...blank.slice(2)],
    ['needs_attention', plain(s.needsAttention), '', ...blank],
    ['log_head', plain(s.logHead.seq), plain(s.logHead.hash), ...blank],
    ['generated_at', plain(s.generatedAt), '', ...blank],
  ];
  await put(out, BOM + EOD_CSV_HEADER.join(',') + EOL);
  for (const l of lines) await put(out, l.join(',') + EOL);
  await finish(out, opts.end ?? true);
  return { rows: lines.length };
}

/** Reads a CSV produced here back into rows of fields (for tests and the e2e check). */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\r' && src[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) (row.push(field), rows.push(row));
  return rows;
}
