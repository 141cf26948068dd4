/**
 * Reading the log for the manager: filtered pages by keyset (seq), a sale's
 * entries, and ascending chunks for the CSV export. One job: turn a filter
 * into SQL that walks one index.
 *
 * How a filtered page stays fast at a million entries (migration 3):
 * - every filter column has an index whose last key is the rowid (= seq), so
 *   `kind = ? AND seq < ? ORDER BY seq DESC LIMIT n` reads n index entries;
 * - a date range becomes a seq range: while the terminal's clock has never
 *   gone back (log_anchor.clock_back = 0), 'at' grows with seq, and the first
 *   and last seq of a range are two lookups in the log_at index. After a clock
 *   step back the range is filtered on 'at' itself (still exact, slower);
 * - free text goes through the FTS5 table log_search (rowid = seq), walked
 *   newest first, joined to the log; the manager's prefix words are first
 *   rewritten into the index's own terms (log-text-search.ts), which FTS5 reads
 *   lazily instead of merging every match of a prefix in memory.
 */
import type { DeskLogEntry, LogFilter } from '../../shared/contract/manager.js';
import type { Db } from '../store/db.js';
import type { LogRow } from '../store/log-row.js';
import { LogTextSearch, type TextQuery } from './log-text-search.js';

/** A log row with the person's name joined from the people table. */
export interface NamedLogRow extends LogRow {
  actor_name: string | null;
}

export type { DeskLogEntry };

export interface Anchor {
  seq: number;
  hash: string;
  maxAt: string;
  clockBack: number;
}

interface Plan {
  /** Nothing can match (e.g. a date range with no entries). */
  empty: boolean;
  fts: boolean;
  /**
   * Set when params.match is a superset of the manager's words (see log-text-search.ts): each
   * entry it finds must still be checked against `original`. Only page() does that; the other
   * readers ask `original` itself.
   */
  check?: { superset: string; original: string };
  where: string[];
  params: Record<string, unknown>;
}

/**
 * Candidates a checked text page reads before it asks the manager's query as typed (see
 * checkedPage): past this the superset is so much wider than the words that the prefix query's
 * one merge (30-60 ms at 200,000 matches) costs less than reading on.
 */
const CHECKED_WALK_LIMIT = 20_000;

const COLUMNS = `l.seq, l.at, l.terminal_id, l.actor, l.sale_id, l.kind, l.points_milli, l.amount_cents, l.currency, l.outcome,
  l.member_masked, l.member_hash, l.detail, l.prev_hash, l.hash, p.name AS actor_name`;

export class LogQuery {
  private readonly firstAtOrAfter;
  private readonly lastBefore;
  private readonly anchorStmt;
  private readonly headStmt;
  private readonly forSaleStmt;
  /** Prepared statements by shape (the set of filters used, the columns), a few dozen at most. */
  private readonly cache = new Map<string, ReturnType<Db['prepare']>>();
  private readonly text: LogTextSearch;
  private readonly checkedWalkLimit: number;

  /** `checkedWalkLimit`: candidates a checked text page reads before it asks the manager's query as typed (tests make it small). */
  constructor(
    readonly db: Db,
    opts: { checkedWalkLimit?: number } = {},
  ) {
    this.text = new LogTextSearch(db);
    this.checkedWalkLimit = opts.checkedWalkLimit ?? CHECKED_WALK_LIMIT;
    this.firstAtOrAfter = db.prepare('SELECT seq FROM log WHERE at >= ? ORDER BY at, seq LIMIT 1');
    this.lastBefore = db.prepare('SELECT seq FROM log WHERE at < ? ORDER BY at DESC, seq DESC LIMIT 1');
    this.anchorStmt = db.prepare('SELECT seq, hash, max_at AS maxAt, clock_back AS clockBack FROM log_anchor WHERE id = 1');
    this.headStmt = db.prepare('SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1');
    this.forSaleStmt = db.prepare(`SELECT ${COLUMNS} FROM log l LEFT JOIN people p ON p.id = l.actor WHERE l.sale_id = ? ORDER BY l.seq`);
  }

  /** The database file, for other connections (workers); null for an in-memory database. */
  file(): string | null {
    const name = this.db.name;
    return name && name !== ':memory:' ? name : null;
  }

  anchor(): Anchor | null {
    return (this.anchorStmt.get() as Anchor | undefined) ?? null;
  }

  /** The last entry actually in the log. */
  head(): { seq: number; hash: string } | null {
    return (this.headStmt.get() as { seq: number; hash: string } | undefined) ?? null;
  }

  /** One page, newest first, strictly below `beforeSeq`. */
  page(filter: LogFilter, limit: number, beforeSeq?: number): { entries: DeskLogEntry[]; nextBeforeSeq: number | null } {
    const plan = this.plan(filter);
    if (plan.empty) return { entries: [], nextBeforeSeq: null };
    const before = beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const rows = plan.check
      ? this.checkedPage(plan, plan.check, limit + 1, before)
      : (this.run(plan, 'desc', { ...plan.params, __before: before, __limit: limit + 1 }) as NamedLogRow[]);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return { entries: page.map(toDeskEntry), nextBeforeSeq: more ? page[page.length - 1]!.seq : null };
  }

  /**
   * `want` entries newest first below `before`, read through the superset query in growing
   * batches and kept when FTS5 says the manager's own query matches them. After
   * CHECKED_WALK_LIMIT candidates (the superset is much wider than the words), the rest comes
   * from the manager's query as typed, whatever its cost.
   */
  private checkedPage(plan: Plan, check: NonNullable<Plan['check']>, want: number, before: number): NamedLogRow[] {
    const found: NamedLogRow[] = [];
    let batch = want;
    let walked = 0;
    while (found.length < want) {
      if (walked >= this.checkedWalkLimit) {
        const rest = this.run(plan, 'desc', { ...plan.params, match: check.original, __before: before, __limit: want - found.length });
        found.push(...(rest as NamedLogRow[]));
        break;
      }
      const rows = this.run(plan, 'desc', { ...plan.params, match: check.superset, __before: before, __limit: batch }) as NamedLogRow[];
      const hits =
        rows.length === 0
          ? new Set<number>()
          : this.text.matching(
              rows.map((r) => r.seq),
              check.original,
            );
      for (const r of rows) if (hits.has(r.seq) && found.length < want) found.push(r);
      if (rows.length < batch) break;
      walked += rows.length;
      before = rows[rows.length - 1]!.seq;
      batch = Math.min(batch * 2, 2000);
    }
    return found;
  }

  /** A sale's entries, oldest first. */
  forSale(saleId: string): DeskLogEntry[] {
    return (this.forSaleStmt.all(saleId) as NamedLogRow[]).map(toDeskEntry);
  }

  /**
   * The matching entries oldest first, in chunks, up to the log's head at the
   * time of the call (entries appended meanwhile are left out, so an export is
   * a consistent cut). Between chunks the connection is free for the
   * terminal's own writes: the caller may await (backpressure) between them.
   */
  *chunks(filter: LogFilter, chunkRows = 2000): Generator<NamedLogRow[]> {
    for (const rows of this.rawChunks(filter, null, chunkRows)) yield rows as unknown as NamedLogRow[];
  }

  /**
   * Like chunks(), with your own select list over the log aliased `l`, rows
   * as arrays (`raw`), whose first value must be l.seq (the keyset).
   */
  *rawChunks(filter: LogFilter, select: string | null, chunkRows = 5000): Generator<unknown[][]> {
    const plan = this.plan(filter);
    if (plan.empty) return;
    const upTo = this.head()?.seq ?? 0;
    let after = 0;
    for (;;) {
      const rows = this.run(plan, 'asc', { ...plan.params, __after: after, __upto: upTo, __limit: chunkRows }, select) as unknown[];
      if (rows.length === 0) return;
      yield rows as unknown[][];
      if (rows.length < chunkRows) return;
      const last = rows[rows.length - 1];
      after = select === null ? (last as NamedLogRow).seq : ((last as unknown[])[0] as number);
    }
  }

  /**
   * The SQL of an ascending export over `filter`, once per select list given
   * (each list's first value l.seq), for a connection to run chunk by chunk
   * (csv-log-bytes.ts LogCsvReader, here or in the export's workers): named
   * parameters are `params` plus @__after, @__upto and @__limit. Null when
   * nothing can match. `span` is the width of the seq range it covers.
   */
  exportPlan(filter: LogFilter, selects: readonly string[]): { sqls: string[]; params: Record<string, unknown>; upTo: number; span: number } | null {
    const plan = this.plan(filter);
    if (plan.empty) return null;
    const upTo = this.head()?.seq ?? 0;
    const lo = typeof plan.params.lo === 'number' ? plan.params.lo : 1;
    const hi = typeof plan.params.hi === 'number' ? Math.min(plan.params.hi, upTo) : upTo;
    return { sqls: selects.map((s) => this.sql(plan, 'asc', s)), params: plan.params, upTo, span: Math.max(0, hi - lo + 1) };
  }

  /** The seq range of [from, to) when 'at' is known to grow with seq; null when it is not. */
  seqRange(from?: string, to?: string): { lo: number; hi: number } | null {
    const anchor = this.anchor();
    if (!anchor || anchor.clockBack !== 0) return null;
    let lo = 1;
    let hi = Number.MAX_SAFE_INTEGER;
    if (from) {
      const r = this.firstAtOrAfter.get(from) as { seq: number } | undefined;
      lo = r ? r.seq : Number.MAX_SAFE_INTEGER;
    }
    if (to) {
      const r = this.lastBefore.get(to) as { seq: number } | undefined;
      hi = r ? r.seq : 0;
    }
    return { lo, hi };
  }

  private plan(f: LogFilter): Plan {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const from = f.from ? new Date(f.from).toISOString() : undefined;
    const to = f.to ? new Date(f.to).toISOString() : undefined;
    if (from || to) {
      const range = this.seqRange(from, to);
      if (range) {
        if (range.lo > range.hi) return { empty: true, fts: false, where, params };
        // Not a condition of its own: sql() folds the range into the keyset bounds (see there why).
        params.lo = range.lo;
        params.hi = range.hi;
      } else {
        if (from) {
          where.push('l.at >= @from');
          params.from = from;
        }
        if (to) {
          where.push('l.at < @to');
          params.to = to;
        }
      }
    }
    if (f.actor) {
      where.push('l.actor = @actor');
      params.actor = f.actor;
    }
    if (f.kind) {
      where.push('l.kind = @kind');
      params.kind = f.kind;
    }
    if (f.outcome) {
      where.push('l.outcome = @outcome');
      params.outcome = f.outcome;
    }
    if (f.saleId) {
      where.push('l.sale_id = @saleId');
      params.saleId = f.saleId;
    }
    if (f.memberLast4) {
      where.push('substr(l.member_masked, -4) = @last4');
      params.last4 = f.memberLast4;
    }
    const text: TextQuery | null = f.text ? this.text.compile(f.text) : null;
    if (text?.none) return { empty: true, fts: false, where, params };
    if (text) params.match = text.exact ?? text.original;
    const check = text?.superset ? { superset: text.superset, original: text.original } : undefined;
    return { empty: false, fts: text !== null, check, where, params };
  }

  private run(plan: Plan, dir: 'asc' | 'desc', params: Record<string, unknown>, select: string | null = null): unknown[] {
    const key = `${dir}|${plan.fts}|${plan.where.join('&')}|${select ?? ''}`;
    let stmt = this.cache.get(key);
    if (!stmt) {
      stmt = this.db.prepare(this.sql(plan, dir, select));
      if (select) stmt.raw(true);
      this.cache.set(key, stmt);
    }
    return stmt.all(params);
  }

  private sql(plan: Plan, dir: 'asc' | 'desc', select: string | null): string {
    // A date range (a seq range) and the keyset are one bound each way: given
    // 'seq BETWEEN lo AND hi AND seq > after', SQLite walks from one lower bound and
    // filters on the other, and it took lo: each chunk of an export over a range
    // re-read the range from its start (profiled: 28 µs per entry on a 10,000,000-entry log).
    const ranged = 'lo' in plan.params;
    const bounds = (c: string, v: (e: string) => string = (e) => e) =>
      dir === 'desc'
        ? ranged
          ? [`${c} < ${v('min(@__before, @hi + 1)')}`, `${c} >= ${v('@lo')}`]
          : [`${c} < ${v('@__before')}`]
        : ranged
          ? [`${c} > ${v('max(@__after, @lo - 1)')}`, `${c} <= ${v('min(@__upto, @hi)')}`]
          : [`${c} > ${v('@__after')}`, `${c} <= ${v('@__upto')}`];
    const where = [...plan.where, ...bounds('l.seq')];
    const join = select ? '' : 'LEFT JOIN people p ON p.id = l.actor';
    if (plan.fts) {
      // Walk the search index newest (or oldest) first; its rowid is the seq. FTS5 starts its
      // walk at a rowid bound only when the bound is an INTEGER value, and a JavaScript number
      // binds as a REAL: without the CAST every deep page walked all matches from the newest
      // one down (profiled: 17-30 ms for a page half-way down a 10,000,000-entry log, 0.2 with it).
      const sKeyset = bounds('s.rowid', (e) => `CAST(${e} AS INTEGER)`).join(' AND ');
      return `SELECT ${select ?? COLUMNS} FROM log_search s CROSS JOIN log l ON l.seq = s.rowid ${join}
               WHERE s.log_search MATCH @match AND ${sKeyset} AND ${where.join(' AND ')}
               ORDER BY s.rowid ${dir.toUpperCase()} LIMIT @__limit`;
    }
    return `SELECT ${select ?? COLUMNS} FROM log l ${join}
               WHERE ${where.join(' AND ')} ORDER BY l.seq ${dir.toUpperCase()} LIMIT @__limit`;
  }
}

export function toDeskEntry(r: NamedLogRow): DeskLogEntry {
  return {
    seq: r.seq,
    at: r.at,
    terminalId: r.terminal_id,
    actor: r.actor,
    actorName: r.actor_name,
    saleId: r.sale_id,
    kind: r.kind,
    pointsMilli: r.points_milli,
    amountCents: r.amount_cents,
    currency: r.currency,
    outcome: r.outcome,
    memberMasked: r.member_masked,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  };
}
