/**
 * The append-only, hash-chained local log. Each entry stores the hash of the
 * previous entry and its own hash over (prev_hash, seq and every field), so an
 * edited, deleted or reordered entry breaks the chain at a place `verify`
 * can name. Entries never hold names, e-mails or phone numbers: members appear
 * masked (last 4) with a keyed hash for lookups.
 */
import type { LogEntryView } from '../../shared/domain.js';
import type { Db } from './db.js';
import { entryHash, GENESIS_HASH, type LogRow } from './log-row.js';

export interface LogInput {
  at: string;
  terminalId: string;
  actor: string;
  saleId?: string | null;
  kind: string;
  pointsMilli?: number | null;
  amountCents?: number | null;
  currency?: string | null;
  outcome: string;
  memberMasked?: string | null;
  memberHash?: string | null;
  detail?: Record<string, unknown> | null;
}

export type VerifyResult =
  { intact: true; entries: number } | { intact: false; entries: number; firstBadSeq: number; problem: 'changed' | 'missing' | 'reordered'; message: string };

export class Journal {
  private readonly insert;
  private readonly last;
  private readonly page;
  private readonly pageForSale;
  private readonly pageForCashier;
  /** Told the head after each commit that moved it (the sealed head file, log-head-seal.ts). */
  private headListener: ((head: { seq: number; hash: string }) => void) | null = null;
  private headMoved = false;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO log (seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash)
       VALUES (@seq, @at, @terminal_id, @actor, @sale_id, @kind, @points_milli, @amount_cents, @currency, @outcome, @member_masked, @member_hash, @detail, @prev_hash, @hash)`,
    );
    this.last = db.prepare('SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1');
    this.page = db.prepare('SELECT * FROM log WHERE seq < ? ORDER BY seq DESC LIMIT ?');
    this.pageForSale = db.prepare('SELECT * FROM log WHERE sale_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
    // A cashier's view: sales' entries and the person's own session (people.ts writes person.signin/signout).
    this.pageForCashier = db.prepare(
      `SELECT * FROM log WHERE seq < @before AND (@saleId IS NULL OR sale_id = @saleId)
          AND (sale_id IS NOT NULL OR (actor = @person AND kind IN ('person.signin', 'person.signout')))
        ORDER BY seq DESC LIMIT @limit`,
    );
  }

  /** Appends one entry. Call inside the caller's transaction so it commits with the change it records. */
  append(input: LogInput): number {
    const prev = this.last.get() as { seq: number; hash: string } | undefined;
    const row: Omit<LogRow, 'hash'> = {
      seq: (prev?.seq ?? 0) + 1,
      at: wellFormed(input.at),
      terminal_id: wellFormed(input.terminalId),
      actor: wellFormed(input.actor),
      sale_id: wellFormedOrNull(input.saleId),
      kind: wellFormed(input.kind),
      points_milli: input.pointsMilli ?? null,
      amount_cents: input.amountCents ?? null,
      currency: wellFormedOrNull(input.currency),
      outcome: wellFormed(input.outcome),
      member_masked: wellFormedOrNull(input.memberMasked),
      member_hash: wellFormedOrNull(input.memberHash),
      detail: input.detail ? JSON.stringify(input.detail) : null,
      prev_hash: prev?.hash ?? GENESIS_HASH,
    };
    this.insert.run({ ...row, hash: entryHash(row) });
    this.headMoved = true;
    if (!this.db.inTransaction) this.flushHead();
    return row.seq;
  }

  /** The last entry in the database (null: empty log). */
  head(): { seq: number; hash: string } | null {
    return (this.last.get() as { seq: number; hash: string } | undefined) ?? null;
  }

  /** Hears the log's head whenever a commit moved it; returns the listener it replaces (benchmarks put it back). */
  onHeadMoved(listener: ((head: { seq: number; hash: string }) => void) | null): ((head: { seq: number; hash: string }) => void) | null {
    const previous = this.headListener;
    this.headListener = listener;
    return previous;
  }

  /**
   * Called after a transaction ends (Store.transaction). Re-reads the head
   * rather than trusting the last append: a rolled-back append must not move
   * the sealed head. Outside the transaction, so the counter's commit never
   * waits on it and a failing listener cannot undo a sale.
   */
  flushHead(): void {
    if (!this.headMoved || this.db.inTransaction) return;
    this.headMoved = false;
    const head = this.head();
    if (head && this.headListener) this.headListener(head);
  }

  /** A page, newest first; `visibleTo` (a person id) limits it to sales and that person's own session. */
  list(opts: { limit: number; beforeSeq?: number; saleId?: string; visibleTo?: string }): LogEntryView[] {
    const before = opts.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      opts.visibleTo !== undefined
        ? this.pageForCashier.all({ before, saleId: opts.saleId ?? null, person: opts.visibleTo, limit: opts.limit })
        : opts.saleId
          ? this.pageForSale.all(opts.saleId, before, opts.limit)
          : this.page.all(before, opts.limit)
    ) as LogRow[];
    return rows.map(toView);
  }

  /**
   * Walks the whole chain in order, streaming (never loads it all), and
   * names the first entry that does not fit.
   */
  verify(): VerifyResult {
    const start = chainStart(this.db);
    if (!start.ok) return { intact: false, entries: 0, firstBadSeq: start.firstBadSeq, problem: 'missing', message: start.message };
    let prevHash = start.hash;
    let expectedSeq = start.seq + 1;
    let count = 0;
    for (const row of this.db.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq').iterate(start.seq) as Iterable<LogRow>) {
      count++;
      if (row.seq !== expectedSeq) {
        return {
          intact: false,
          entries: count,
          firstBadSeq: expectedSeq,
          problem: 'missing',
          message: `Entries ${expectedSeq} to ${row.seq - 1} are missing.`,
        };
      }
      const { hash, ...rest } = row;
      if (row.prev_hash !== prevHash) {
        // The entry itself is consistent but does not follow its predecessor: moved or predecessor replaced.
        const selfOk = entryHash(rest) === hash;
        return {
          intact: false,
          entries: count,
          firstBadSeq: row.seq,
          problem: selfOk ? 'reordered' : 'changed',
          message: selfOk ? `Entry ${row.seq} does not follow entry ${row.seq - 1}: entries were reordered or replaced.` : `Entry ${row.seq} was changed.`,
        };
      }
      if (entryHash(rest) !== hash) {
        return { intact: false, entries: count, firstBadSeq: row.seq, problem: 'changed', message: `Entry ${row.seq} was changed.` };
      }
      prevHash = hash;
      expectedSeq++;
    }
    return { intact: true, entries: count };
  }
}

/** The kind of the entry that records an archive cut (store/log-archive.ts). */
export const LOG_ARCHIVED_KIND = 'log.archived';

export type ChainStart = { ok: true; seq: number; hash: string } | { ok: false; firstBadSeq: number; message: string };

/**
 * Where the chain in the database starts: after the last archive cut (the
 * entries before it are in archive files, store/log-archive.ts), else at the
 * first entry. A cut counts only if the chain itself records it: a
 * `log.archived` entry after it with the same last seq and hash. Otherwise
 * entries were removed and a cut row made up to hide it.
 */
export function chainStart(db: Db): ChainStart {
  const cut = db.prepare('SELECT seq, hash, first_seq FROM log_cut ORDER BY seq DESC LIMIT 1').get() as
    { seq: number; hash: string; first_seq: number } | undefined;
  if (!cut) return { ok: true, seq: 0, hash: GENESIS_HASH };
  const rows = db.prepare(`SELECT detail FROM log WHERE kind = '${LOG_ARCHIVED_KIND}' AND seq > ? ORDER BY seq DESC`).iterate(cut.seq) as Iterable<{
    detail: string | null;
  }>;
  for (const r of rows) {
    const d = (r.detail ? JSON.parse(r.detail) : {}) as { lastSeq?: number; lastHash?: string };
    if (d.lastSeq === cut.seq && d.lastHash === cut.hash) return { ok: true, seq: cut.seq, hash: cut.hash };
  }
  return {
    ok: false,
    firstBadSeq: 1,
    message: `Entries up to ${cut.seq} are marked as archived, but no archive entry in the log records that cut: they were removed, not archived.`,
  };
}

/**
 * SQLite stores an unpaired UTF-16 surrogate as U+FFFD. The hash must cover
 * what is stored, or "verify" would call an untouched entry changed; so each
 * text field is made well-formed the same way before it is hashed. (detail is
 * JSON, which escapes lone surrogates itself.)
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd');
}
function wellFormedOrNull(s: string | null | undefined): string | null {
  return s == null ? null : wellFormed(s);
}

function toView(r: LogRow): LogEntryView {
  return {
    seq: r.seq,
    at: r.at,
    terminalId: r.terminal_id,
    actor: r.actor,
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
