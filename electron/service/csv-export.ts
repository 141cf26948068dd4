/**
 * CSV for spreadsheets, streamed: rows are read in chunks and written to a
 * Node Writable with backpressure, never gathered in memory.
 *
 * - UTF-8 with a byte-order mark (so Excel reads accents and the masked
 *   member's bullets), CRLF line ends and comma separators (RFC 4180).
 * - Text is quoted when it holds a quote, comma, CR or LF, or leading or
 *   trailing spaces; quotes are doubled.
 * - Formula injection is neutralised: text starting with = + - @ (or a tab
 *   or CR, or blanks followed by one of those) gets a leading apostrophe, so
 *   a spreadsheet shows it as text instead of running it. The terminal's own
 *   numbers (seq, amounts, points) are written plain and never altered.
 *   ("Blanks" are space, tab, CR and LF, in both implementations below.)
 * - The log export builds each line in SQL (sqlCsvText etc., the same rules
 *   as csvText, tested equal), so a million rows cross into JavaScript as
 *   one string each rather than fifteen values.
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
  if (/^[=+\-@\t\r]/.test(v) || /^[ \t\r\n]+[=+\-@]/.test(v)) v = `'${v}`;
  if (/[",\r\n]/.test(v) || /^[ \t\r\n]|[ \t\r\n]$/.test(v)) v = `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** A number or ISO date the terminal itself produced: plain. */
function plain(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

const money = (cents: number | null | undefined): string => (cents === null || cents === undefined ? '' : centsToDecimalString(cents));
const points = (milli: number | null | undefined): string => (milli === null || milli === undefined ? '' : formatPoints(milli, 3));

export const LOG_CSV_HEADER = ['seq', 'at', 'terminal', 'person_id', 'person', 'sale', 'kind', 'outcome', 'member', 'points', 'amount', 'currency', 'detail', 'prev_hash', 'hash'];

/** One log line in JavaScript (the reference the SQL version is tested against). */
export function logCsvLine(r: LogRow): string {
  return (
    [
      plain(r.seq),
      csvText(r.at),
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
      csvText(r.prev_hash),
      csvText(r.hash),
    ].join(',') + EOL
  );
}

// ---- the same rules in SQL ---------------------------------------------------------------

const BLANKS = `(' ', char(9), char(10), char(13))`;
const FORMULA = `('=', '+', '-', '@')`;

/** csvText as an SQL expression over column `c` (NULL and '' give ''). */
export function sqlCsvText(c: string): string {
  const formula = `(substr(${c}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) OR (substr(${c}, 1, 1) IN ${BLANKS} AND substr(ltrim(${c}, ' ' || char(9) || char(10) || char(13)), 1, 1) IN ${FORMULA}))`;
  const value = `(CASE WHEN ${formula} THEN '''' || ${c} ELSE ${c} END)`;
  const quote = `(instr(${c}, '"') > 0 OR instr(${c}, ',') > 0 OR instr(${c}, char(10)) > 0 OR instr(${c}, char(13)) > 0 OR (NOT ${formula} AND substr(${c}, 1, 1) IN ${BLANKS}) OR substr(${c}, -1, 1) IN ${BLANKS})`;
  return `(CASE WHEN ${c} IS NULL OR ${c} = '' THEN '' WHEN ${quote} THEN '"' || replace(${value}, '"', '""') || '"' ELSE ${value} END)`;
}

/** formatPoints(milli, 3) in SQL: "12.5", "-3", "0.125". */
export function sqlPoints(c: string): string {
  const v = `CAST(${c} AS INTEGER)`;
  return `(CASE WHEN ${c} IS NULL THEN '' ELSE (CASE WHEN ${v} < 0 THEN '-' ELSE '' END) || (abs(${v}) / 1000) || (CASE WHEN abs(${v}) % 1000 = 0 THEN '' ELSE '.' || rtrim(printf('%03d', abs(${v}) % 1000), '0') END) END)`;
}

/** centsToDecimalString in SQL: "12.30", "-0.05". */
export function sqlMoney(c: string): string {
  const v = `CAST(${c} AS INTEGER)`;
  return `(CASE WHEN ${c} IS NULL THEN '' ELSE (CASE WHEN ${v} < 0 THEN '-' ELSE '' END) || (abs(${v}) / 100) || '.' || printf('%02d', abs(${v}) % 100) END)`;
}

/**
 * The log line in SQL, in three parts around the person's name (which comes
 * from the people table, looked up once per export in JavaScript):
 * [seq, 'seq,at,terminal,person_id,', actor, ',sale,...,hash\r\n'].
 */
export const LOG_CSV_SELECT = [
  'l.seq',
  `l.seq || ',' || ${sqlCsvText('l.at')} || ',' || ${sqlCsvText('l.terminal_id')} || ',' || ${sqlCsvText('l.actor')} || ','`,
  'l.actor',
  [
    `',' || ${sqlCsvText('l.sale_id')}`,
    sqlCsvText('l.kind'),
    sqlCsvText('l.outcome'),
    sqlCsvText('l.member_masked'),
    sqlPoints('l.points_milli'),
    sqlMoney('l.amount_cents'),
    sqlCsvText('l.currency'),
    sqlCsvText('l.detail'),
    sqlCsvText('l.prev_hash'),
    `${sqlCsvText('l.hash')} || char(13) || char(10)`,
  ].join(` || ',' || `),
].join(',\n');

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

/**
 * Streams the log entries matching `filter` (oldest first) as CSV. Returns
 * how many rows were written. `names` maps person ids to names (the people
 * table); unknown ids get an empty name.
 */
export async function writeLogCsv(
  query: LogQuery,
  filter: LogFilter,
  out: Writable,
  opts: { end?: boolean; chunkRows?: number; names?: ReadonlyMap<string, string> } = {},
): Promise<{ rows: number }> {
  let rows = 0;
  const nameCells = new Map<string, string>();
  const nameCell = (actor: string): string => {
    let cell = nameCells.get(actor);
    if (cell === undefined) nameCells.set(actor, (cell = csvText(opts.names?.get(actor) ?? '')));
    return cell;
  };
  await put(out, BOM + LOG_CSV_HEADER.join(',') + EOL);
  for (const chunk of query.rawChunks(filter, LOG_CSV_SELECT, opts.chunkRows ?? 5000)) {
    let text = '';
    for (const r of chunk) text += (r[1] as string) + nameCell(r[2] as string) + (r[3] as string);
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
