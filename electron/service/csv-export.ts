/**
 * CSV for spreadsheets, streamed: rows are read in chunks and written to a
 * Node Writable with backpressure, never gathered in memory.
 *
 * - UTF-8 with a byte-order mark (so Excel reads accents and the masked
 *   member's bullets), CRLF line ends and comma separators (RFC 4180).
 * - Text is quoted when it holds a quote, comma, CR or LF, or leading or
 *   trailing blanks (space, tab, CR, LF); quotes are doubled.
 * - Formula injection is neutralised: text starting with = + - @ (or a tab
 *   or CR, or blanks followed by one of those) gets a leading apostrophe, so
 *   a spreadsheet shows it as text instead of running it. The terminal's own
 *   numbers (seq, amounts, points) are written plain and never altered.
 * - Dates are ISO 8601 (UTC, as stored); amounts are decimal currency units
 *   ("12.30"), points decimal points ("25.5").
 *
 * A large log export (200,000 entries or more in its seq range) is split by
 * seq range over worker threads, each with its own read-only connection,
 * each writing its part to a private temporary file beside the database;
 * the parts are then streamed to the destination in order and deleted. The
 * line format is one self-contained function (lineFormat) that both this
 * thread and the workers run.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { EndOfDaySummary, EndOfDayTotals, LogFilter } from '../../shared/contract/manager.js';
import type { LogQuery, LogRow } from './log-query.js';

export const BOM = '\uFEFF';
const EOL = '\r\n';

/**
 * The CSV rules, self-contained (no outside names) so that workers can run
 * the very same source. `line` takes a row of LOG_SELECT's columns and the
 * person's name cell.
 */
function lineFormat() {
  const NEEDS_WORK = /^[\t\r\n =+\-@]|[",\r\n]|[ \t\r\n]$/;
  const text = (value: string | null | undefined): string => {
    if (value === null || value === undefined || value === '') return '';
    const s = String(value);
    if (!NEEDS_WORK.test(s)) return s;
    let v = s;
    if (/^[=+\-@\t\r]/.test(v) || /^[ \t\r\n]+[=+\-@]/.test(v)) v = "'" + v;
    if (/[",\r\n]/.test(v) || /^[ \t\r\n]|[ \t\r\n]$/.test(v)) v = '"' + v.replace(/"/g, '""') + '"';
    return v;
  };
  /** centsToDecimalString: "12.30", "-0.05". */
  const money = (cents: number | null | undefined): string => {
    if (cents === null || cents === undefined) return '';
    const abs = Math.abs(cents);
    const c = abs % 100;
    return (cents < 0 ? '-' : '') + Math.floor(abs / 100) + (c < 10 ? '.0' : '.') + c;
  };
  /** formatPoints(milli, 3): "12.5", "-3", "0.125". */
  const points = (milli: number | null | undefined): string => {
    if (milli === null || milli === undefined) return '';
    const abs = Math.abs(milli);
    const frac = abs % 1000;
    const whole = (milli < 0 ? '-' : '') + Math.floor(abs / 1000);
    if (frac === 0) return whole;
    return whole + '.' + String(frac).padStart(3, '0').replace(/0+$/, '');
  };
  const line = (r: unknown[], nameCell: string): string =>
    r[0] + ',' + text(r[1] as string) + ',' + text(r[2] as string) + ',' + text(r[3] as string) + ',' + nameCell + ',' +
    text(r[4] as string) + ',' + text(r[5] as string) + ',' + text(r[6] as string) + ',' + text(r[7] as string) + ',' +
    points(r[8] as number) + ',' + money(r[9] as number) + ',' + text(r[10] as string) + ',' + text(r[11] as string) + ',' +
    text(r[12] as string) + ',' + text(r[13] as string) + '\r\n';
  return { text, money, points, line };
}

const FORMAT = lineFormat();

/** One text field, neutralised and quoted as needed. */
export const csvText: (value: string | null | undefined) => string = FORMAT.text;

/** The log columns a CSV line is made of, in order (first the keyset). */
export const LOG_SELECT = 'l.seq, l.at, l.terminal_id, l.actor, l.sale_id, l.kind, l.outcome, l.member_masked, l.points_milli, l.amount_cents, l.currency, l.detail, l.prev_hash, l.hash';

export const LOG_CSV_HEADER = ['seq', 'at', 'terminal', 'person_id', 'person', 'sale', 'kind', 'outcome', 'member', 'points', 'amount', 'currency', 'detail', 'prev_hash', 'hash'];

/** One log line from a full row (tests and small uses). */
export function logCsvLine(r: LogRow): string {
  return FORMAT.line(
    [r.seq, r.at, r.terminal_id, r.actor, r.sale_id, r.kind, r.outcome, r.member_masked, r.points_milli, r.amount_cents, r.currency, r.detail, r.prev_hash, r.hash],
    csvText(r.actor_name),
  );
}

/** A number the terminal itself produced: plain. */
function plain(value: string | number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}
const money = FORMAT.money;
const points = FORMAT.points;

/** Writes, waiting for 'drain' when the stream asks; fails if the reader went away. */
async function put(out: Writable, data: string | Buffer): Promise<void> {
  if (out.destroyed) throw new Error('the export was interrupted (the destination closed)');
  if (out.write(data)) return;
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

export interface LogCsvOptions {
  end?: boolean;
  chunkRows?: number;
  /** Person id -> name (the people table). */
  names?: ReadonlyMap<string, string>;
  /** Worker threads for a large export; default one per core, up to 4; 1: this thread only. */
  workers?: number;
  /** Seq span from which workers are used (default 200,000). */
  parallelFrom?: number;
  /** Hears which way the export ran (tests, benchmarks). */
  onPath?: (path: 'inline' | 'workers') => void;
}

/**
 * Streams the log entries matching `filter` (oldest first) as CSV: a
 * consistent cut up to the log's head when the export starts. Returns how
 * many rows were written.
 */
export async function writeLogCsv(query: LogQuery, filter: LogFilter, out: Writable, opts: LogCsvOptions = {}): Promise<{ rows: number }> {
  const plan = query.exportPlan(filter, LOG_SELECT);
  const nameCells = new Map<string, string>();
  for (const [id, name] of opts.names ?? []) nameCells.set(id, csvText(name));
  const want = opts.workers ?? Math.min(4, availableParallelism());
  if (plan && want > 1 && plan.span >= (opts.parallelFrom ?? 200_000) && query.file()) {
    // Workers start and open the database; if any cannot, this thread does it all.
    const parts = await startExportWorkers(query.file()!, plan, nameCells, want, opts.chunkRows ?? 5000).catch(() => null);
    if (parts) {
      opts.onPath?.('workers');
      try {
        await put(out, BOM + LOG_CSV_HEADER.join(',') + EOL);
        let rows = 0;
        // Part i is streamed out as soon as it is complete, while later parts are still being written.
        for (const part of parts) {
          rows += await part.done;
          for await (const chunk of createReadStream(part.file, { highWaterMark: 256 * 1024 })) await put(out, chunk as Buffer);
          rmSync(part.file, { force: true });
        }
        await finish(out, opts.end ?? true);
        return { rows };
      } finally {
        for (const p of parts) {
          p.stop();
          rmSync(p.file, { force: true });
        }
      }
    }
  }
  opts.onPath?.('inline');
  let rows = 0;
  await put(out, BOM + LOG_CSV_HEADER.join(',') + EOL);
  if (plan) {
    for (const chunk of query.rawChunks(filter, LOG_SELECT, opts.chunkRows ?? 5000)) {
      let text = '';
      for (const r of chunk) text += FORMAT.line(r, nameCells.get(r[3] as string) ?? '');
      rows += chunk.length;
      await put(out, text);
    }
  }
  await finish(out, opts.end ?? true);
  return { rows };
}

const EXPORT_WORKER = `
const __name = (f) => f;
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(workerData.sqlitePath);
const format = (${lineFormat.toString()})();
const names = new Map(workerData.names);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
const fd = fs.openSync(workerData.part, 'wx', 0o600);
parentPort.postMessage({ ready: true });
try {
  const stmt = db.prepare(workerData.sql).raw(true);
  let after = workerData.after, rows = 0;
  for (;;) {
    const chunk = stmt.all({ ...workerData.params, __after: after, __upto: workerData.upTo, __limit: workerData.chunkRows });
    if (chunk.length === 0) break;
    let text = '';
    for (const r of chunk) text += format.line(r, names.get(r[3]) ?? '');
    fs.writeSync(fd, text);
    rows += chunk.length;
    if (chunk.length < workerData.chunkRows) break;
    after = chunk[chunk.length - 1][0];
  }
  parentPort.postMessage({ rows });
} finally {
  fs.closeSync(fd);
  db.close();
}
`;

interface ExportPart {
  file: string;
  /** Resolves with the part's row count once its file is complete. */
  done: Promise<number>;
  stop(): void;
}

/**
 * Starts one worker per seq range; resolves once every worker has opened the
 * database and its part file (so a failure to start falls back cleanly).
 */
async function startExportWorkers(
  file: string,
  plan: { sql: string; params: Record<string, unknown>; upTo: number },
  nameCells: Map<string, string>,
  workers: number,
  chunkRows: number,
): Promise<ExportPart[]> {
  const base = typeof __filename === 'string' ? __filename : import.meta.url;
  const sqlitePath = createRequire(base).resolve('better-sqlite3');
  const lo = typeof plan.params.lo === 'number' ? plan.params.lo - 1 : 0;
  const hi = typeof plan.params.hi === 'number' ? Math.min(plan.params.hi, plan.upTo) : plan.upTo;
  const size = Math.ceil((hi - lo) / workers);
  const tag = randomBytes(6).toString('hex');
  const ranges = Array.from({ length: workers }, (_, i) => ({ after: lo + i * size, upTo: Math.min(hi, lo + (i + 1) * size), file: join(dirname(file), `.export-${tag}-${i}.csv.part`) })).filter(
    (r) => r.after < r.upTo,
  );
  const started: { part: ExportPart; ready: Promise<void> }[] = ranges.map((r) => {
    const w = new Worker(EXPORT_WORKER, {
      eval: true,
      workerData: { file, sqlitePath, sql: plan.sql, params: plan.params, after: r.after, upTo: r.upTo, part: r.file, chunkRows, names: [...nameCells] },
    });
    let onReady!: () => void;
    let onFail!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => ((onReady = res), (onFail = rej)));
    const done = new Promise<number>((resolve, reject) => {
      w.on('message', (m: { ready?: boolean; rows?: number }) => (m.ready ? onReady() : resolve(m.rows ?? 0)));
      w.once('error', (e) => {
        onFail(e);
        reject(e);
      });
      w.once('exit', (code) => {
        const e = new Error(`export worker exited with ${code}`);
        if (code !== 0) {
          onFail(e);
          reject(e);
        }
      });
    });
    done.catch(() => {}); // awaited in order later; a failure before then must not go unhandled
    return { part: { file: r.file, done, stop: () => void w.terminate() }, ready };
  });
  try {
    await Promise.all(started.map((s) => s.ready));
  } catch (e) {
    for (const s of started) {
      s.part.stop();
      rmSync(s.part.file, { force: true });
    }
    throw e;
  }
  return started.map((s) => s.part);
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
    ['card_linked_purchases', plain(s.cardLinked.purchases), money(s.cardLinked.purchaseCents), ...blank],
    ['card_linked_cashback', money(s.cardLinked.cashbackCents), '', ...blank],
    ['card_linked_refunds', plain(s.cardLinked.refunds), money(s.cardLinked.refundCents), ...blank],
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
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\r' && src[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
