/**
 * CSV for spreadsheets, streamed: rows are read in chunks and written to a
 * Node Writable with backpressure, never gathered in memory.
 *
 * Two dialects (csv-dialect.ts):
 * - 'spreadsheet' (the default): the manager's language's convention, so a
 *   double click opens it in columns: semicolons and decimal commas for nl
 *   and fr (Excel set to Dutch or French reads a comma file as one column),
 *   commas and decimal points for en; times "2025-03-01 09:05:00" in the
 *   terminal's local time (a spreadsheet reads them as dates).
 * - 'rfc4180': commas and decimal points whatever the language, times ISO
 *   8601 with the local offset ("2025-03-01T09:05:00+01:00"), for programs.
 * Both: UTF-8 with a byte-order mark (Excel then reads accents and the
 * masked member's bullets), CRLF line ends; headers, kinds and outcomes in
 * the manager's language, the codes and the technical detail at the end.
 * - Text is quoted when it holds a quote, the separator, CR or LF, or leading
 *   or trailing blanks; quotes are doubled.
 * - Formula injection is neutralised: text starting with = + - @ (or a tab
 *   or CR, or blanks followed by one of those) gets a leading apostrophe, so
 *   a spreadsheet shows it as text instead of running it. The terminal's own
 *   numbers (seq, amounts, points) are written plain and never altered.
 * - The log's amount column means the basket, the discount, what the customer
 *   paid or what was refunded depending on the kind: one column per meaning.
 *
 * A large log export (200,000 entries or more in its seq range) is split by
 * seq range over worker threads, each with its own read-only connection,
 * each writing its part to a private temporary file beside the database;
 * the parts are then streamed to the destination in order and deleted. The
 * line format (csv-line.ts) is the same module in this thread and in the
 * workers (csv-export-worker.ts), given the same plain-data dialect.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { EndOfDaySummary, LogFilter } from '../../shared/contract/manager.js';
import { catalogues } from '../../shared/i18n/index.js';
import { startWorkerFile } from '../worker-file.js';
import { csvLines, neutralise } from './csv-cells.js';
import type { ExportWorkerData } from './csv-export-worker.js';
import { LOG_JSON_SELECT, LogCsvBytes, LogCsvReader } from './csv-log-bytes.js';
import { LOG_SELECT, lineFormat } from './csv-line.js';
import { csvDialect, type CsvDialect } from './csv-dialect.js';
import type { LogQuery, NamedLogRow } from './log-query.js';

export const BOM = '\uFEFF';
const EOL = '\r\n';

export { LOG_SELECT };

/** The log CSV's columns (keys of the catalogue's manager.csv words), in order. */
export const LOG_CSV_COLUMNS = [
  'seq',
  'at',
  'terminal',
  'person',
  'sale',
  'what',
  'outcome',
  'member',
  'points',
  'basket',
  'discount',
  'toPay',
  'refunded',
  'otherAmount',
  'currency',
  'personId',
  'kindCode',
  'outcomeCode',
  'prevHash',
  'hash',
  'detail',
] as const;

/** The header line's cells in the dialect's language. */
export function logCsvHeader(d: CsvDialect): string[] {
  const words = catalogues[d.language].manager.csv;
  return LOG_CSV_COLUMNS.map((c) => words[c]);
}

/** One log line from a full row (tests and small uses). */
export function logCsvLine(r: NamedLogRow, d: CsvDialect = csvDialect('en', 'rfc4180')): string {
  const f = lineFormat(d);
  return f.line(
    [
      r.seq,
      r.at,
      r.terminal_id,
      r.actor,
      r.sale_id,
      r.kind,
      r.outcome,
      r.member_masked,
      r.points_milli,
      r.amount_cents,
      r.currency,
      r.detail,
      r.prev_hash,
      r.hash,
    ],
    f.text(r.actor_name),
  );
}

/** One text field, neutralised and quoted as needed (comma dialect). */
export const csvText: (value: string | null | undefined) => string = lineFormat(csvDialect('en', 'rfc4180')).text;

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

/**
 * Entries per blob read from SQLite (about 1.5 MB of JSON). Blobs of 1,000 were
 * tried (issue 18): 363k against 303k entries per CPU-second in one A/B without the
 * file writes, 240k against 253k in another with them; no clear gain, so kept.
 */
const CHUNK_ROWS = 5000;

const interrupted = () => new Error('the export was interrupted (the destination closed)');

/** Writes and waits until the destination has taken the bytes (so their buffer may be reused). */
function written(out: Writable, data: Buffer): Promise<void> {
  if (out.destroyed) return Promise.reject(interrupted());
  const done = new Promise<void>((resolve, reject) => out.write(data, (e) => (e ? reject(out.destroyed ? interrupted() : e) : resolve())));
  done.catch(() => {}); // awaited by the caller in turn; a failure meanwhile must not go unhandled
  return done;
}

/**
 * Streams a file to `out` through two buffers used in turn: a worker's part
 * of a 10,000,000-entry export is 1.5 GB, and a read stream makes a fresh
 * buffer per read, garbage that counts toward the export's peak memory.
 */
async function streamFile(file: string, out: Writable): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
    const pending: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
    for (let i = 0; ; i ^= 1) {
      await pending[i];
      const { bytesRead } = await fh.read(bufs[i]!, 0, bufs[i]!.length, null);
      if (bytesRead === 0) break;
      pending[i] = written(out, bufs[i]!.subarray(0, bytesRead));
    }
    await Promise.all(pending);
  } finally {
    await fh.close();
  }
}

async function finish(out: Writable, end: boolean): Promise<void> {
  if (!end) return;
  out.end();
  if (!out.writableFinished) await once(out, 'finish');
}

export interface LogCsvOptions {
  end?: boolean;
  /** Separator, decimal mark, times and words (default: English, RFC 4180). */
  dialect?: CsvDialect;
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
  const plan = query.exportPlan(filter, [LOG_JSON_SELECT, LOG_SELECT]);
  const dialect = opts.dialect ?? csvDialect('en', 'rfc4180');
  const format = lineFormat(dialect);
  const header = BOM + logCsvHeader(dialect).map(format.text).join(dialect.sep) + EOL;
  const nameCells = new Map<string, string>();
  for (const [id, name] of opts.names ?? []) nameCells.set(id, format.text(name));
  const want = opts.workers ?? Math.min(4, availableParallelism());
  if (plan && want > 1 && plan.span >= (opts.parallelFrom ?? 200_000) && query.file()) {
    // Workers start and open the database; if any cannot, this thread does it all.
    const parts = await startExportWorkers(query.file()!, plan, nameCells, dialect, want, opts.chunkRows ?? CHUNK_ROWS).catch(() => null);
    if (parts) {
      opts.onPath?.('workers');
      try {
        await put(out, header);
        let rows = 0;
        // Part i is streamed out as soon as it is complete, while later parts are still being written.
        for (const part of parts) {
          rows += await part.done;
          await streamFile(part.file, out);
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
  await put(out, header);
  if (plan) {
    const bytes = new LogCsvBytes(dialect, nameCells);
    const reader = new LogCsvReader(query.db, plan.sqls[0]!, plan.sqls[1]!, plan.params, bytes);
    const limit = opts.chunkRows ?? CHUNK_ROWS;
    // Between chunks the connection is free for the terminal's own writes (put may wait).
    for (let after = 0; ;) {
      const chunk = reader.chunk(after, plan.upTo, limit);
      rows += chunk.rows;
      if (chunk.rows > 0) await put(out, bytes.take());
      if (chunk.rows < limit) break;
      after = chunk.last;
    }
  }
  await finish(out, opts.end ?? true);
  return { rows };
}

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
  plan: { sqls: string[]; params: Record<string, unknown>; upTo: number },
  nameCells: Map<string, string>,
  dialect: CsvDialect,
  workers: number,
  chunkRows: number,
): Promise<ExportPart[]> {
  const lo = typeof plan.params.lo === 'number' ? plan.params.lo - 1 : 0;
  const hi = typeof plan.params.hi === 'number' ? Math.min(plan.params.hi, plan.upTo) : plan.upTo;
  const size = Math.ceil((hi - lo) / workers);
  const tag = randomBytes(6).toString('hex');
  const ranges = Array.from({ length: workers }, (_, i) => ({
    after: lo + i * size,
    upTo: Math.min(hi, lo + (i + 1) * size),
    file: join(dirname(file), `.export-${tag}-${i}.csv.part`),
  })).filter((r) => r.after < r.upTo);
  const started: { part: ExportPart; ready: Promise<void> }[] = ranges.map((r) => {
    const data: ExportWorkerData = {
      file,
      sql: plan.sqls[0]!,
      rawSql: plan.sqls[1]!,
      params: plan.params,
      after: r.after,
      upTo: r.upTo,
      part: r.file,
      chunkRows,
      names: [...nameCells],
      dialect,
    };
    const w = startWorkerFile('csv-export-worker.cjs', new URL('./csv-export-worker.ts', import.meta.url), data);
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

/** What the end-of-day file says besides the figures: where and for which day. */
export interface EndOfDayCsvContext {
  storeName: string;
  /** The day ("2025-03-01"), or the first and last day of a longer range. */
  days: { first: string; last: string };
}

/**
 * The end-of-day summary as a sectioned sheet: a title block (store,
 * terminal, day, TRAINING, a warning when the log was found changed), then
 * one small table per section, each with its own title and header row,
 * separated by a blank line. The same figures as the screen and the print.
 */
export async function writeEndOfDayCsv(
  s: EndOfDaySummary,
  out: Writable,
  ctx: EndOfDayCsvContext,
  opts: { end?: boolean; dialect?: CsvDialect } = {},
): Promise<{ rows: number }> {
  const d = opts.dialect ?? csvDialect('en', 'rfc4180');
  const f = lineFormat(d);
  const txt = neutralise;
  const c = catalogues[d.language];
  const w = c.manager.csv;
  const e = c.endOfDay;
  const m = c.manager.eod;
  const n = (v: number) => String(v);
  const lines: string[][] = [];
  const row = (...cells: string[]) => lines.push(cells);
  const title = (t: string) => (lines.length > 0 && row(), row(txt(t)));

  row(txt(e.title), txt(ctx.storeName), txt(s.terminalName), ctx.days.first === ctx.days.last ? ctx.days.first : `${ctx.days.first} – ${ctx.days.last}`);
  if (s.training) row(txt(w.training));
  if (s.logTampered) row(txt(m.tampered.replace('{{seq}}', String(s.logTampered.firstBadSeq ?? '?')).replace('{{time}}', f.time(s.logTampered.checkedAt))));
  row(txt(w.from), f.time(s.from), txt(w.to), f.time(s.to));
  row(txt(w.generatedAt), f.time(s.generatedAt), txt(w.logHead), n(s.logHead.seq), txt(w.fingerprint), s.logHead.hash);
  row(txt(w.currency), txt(s.currency));

  const t = s.totals;
  title(e.total);
  row(txt(w.figure), txt(w.value));
  const fig = (label: string, value: string) => row(txt(label), value);
  fig(e.redemptions, n(t.redemptions));
  fig(e.points, f.points(t.pointsMilli));
  fig(e.discounts, f.money(t.discountCents));
  fig(e.refunds, n(t.refunds));
  fig(m.refundedAmount, f.money(t.refundedCents));
  fig(m.refundedPoints, f.points(t.refundedPointsMilli));
  fig(e.voids, n(t.voids));
  fig(m.voidedPoints, f.points(t.voidedPointsMilli));
  fig(m.netPoints, f.points(t.netPointsMilli));
  fig(m.netDiscounts, f.money(t.netDiscountCents));
  fig(e.offlineAccepted, n(t.offlineAccepted));
  fig(e.overrides, n(t.overrides));
  fig(e.refused, n(t.refusedRedemptions));
  fig(m.refusedPoints, f.points(t.refusedPointsMilli));
  fig(m.atRisk, f.money(t.atRiskCents));
  fig(e.stillQueued, n(s.stillQueued.rows));
  fig(`${e.stillQueued} (${e.points})`, f.points(s.stillQueued.pointsMilli));
  fig(e.needsAttention, n(s.needsAttention));

  title(e.byCashier);
  row(
    ...[
      e.cashier,
      e.redemptions,
      e.points,
      e.discounts,
      e.refunds,
      m.refundedAmount,
      m.refundedPoints,
      e.voids,
      m.voidedPoints,
      m.netPoints,
      m.netDiscounts,
      e.offlineAccepted,
      e.overrides,
      e.refused,
    ].map(txt),
  );
  for (const p of s.byCashier) {
    row(
      txt(p.name ?? p.personId),
      n(p.redemptions),
      f.points(p.pointsMilli),
      f.money(p.discountCents),
      n(p.refunds),
      f.money(p.refundedCents),
      f.points(p.refundedPointsMilli),
      n(p.voids),
      f.points(p.voidedPointsMilli),
      f.points(p.netPointsMilli),
      f.money(p.netDiscountCents),
      n(p.offlineAccepted),
      n(p.overrides),
      n(p.refusedRedemptions),
    );
  }

  if (s.byManager.length > 0) {
    title(m.byManager);
    row(...[m.manager, e.voids, m.voidedPoints, e.refunds, m.refundedAmount, m.refundedPoints].map(txt));
    for (const p of s.byManager)
      row(txt(p.name ?? p.personId), n(p.voids), f.points(p.voidedPointsMilli), n(p.refunds), f.money(p.refundedCents), f.points(p.refundedPointsMilli));
  }

  if (s.byHour.length > 0) {
    title(e.byHour);
    row(...[w.hour, e.redemptions, e.points, e.discounts].map(txt));
    for (const h of s.byHour) row(`${h.hour}:00`, n(h.redemptions), f.points(h.pointsMilli), f.money(h.discountCents));
  }

  const cl = s.cardLinked;
  if (cl.purchases + cl.refunds > 0) {
    title(e.cardLinked);
    row(txt(w.figure), txt(w.rows), txt(w.value));
    row(txt(e.cardLinkedPurchases), n(cl.purchases), f.money(cl.purchaseCents));
    row(txt(e.cardLinkedCashback), '', cl.cashbackKnown === 0 ? txt(e.cardLinkedCashbackUnknown) : f.money(cl.cashbackCents - cl.refundCashbackCents));
    row(txt(e.cardLinkedRefunds), n(cl.refunds), f.money(cl.refundCents));
  }

  await put(out, BOM + csvLines(lines, d.sep));
  await finish(out, opts.end ?? true);
  return { rows: lines.length };
}
