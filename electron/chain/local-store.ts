/**
 * The terminal side of shipping, in the terminal's own SQLite file: the
 * shipping outbox. The log itself is the queue of entries (append-only,
 * ordered by seq), so the counter's transaction writes nothing more than it
 * did: this module keeps a cursor (the last seq the chain confirmed), an
 * outbox of end-of-day figures (one row per closed local day), the conflicts
 * the chain reported, and the last error. Its tables have their own numbered
 * migrations (recorded in the settings table), applied by the main thread
 * before the shipper's worker opens the file.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../store/db.js';
import { GENESIS_HASH } from '../store/log-row.js';
import { endOfDay } from '../service/end-of-day.js';
import { LogQuery } from '../service/log-query.js';
import type { Conflict } from './central-writer.js';
import { DAY_FIGURES, type ShippedDay, type ShippedEntry, type ShippingState } from './types.js';

const LOCAL_SCHEMA_KEY = 'chain_local_schema';

const LOCAL_MIGRATIONS: readonly string[] = [
  // 1: cursor, end-of-day outbox, conflicts, last error.
  `
  CREATE TABLE chain_cursor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    shipped_seq INTEGER NOT NULL,
    shipped_at  TEXT
  );
  INSERT INTO chain_cursor (id, shipped_seq, shipped_at) VALUES (1, 0, NULL);
  CREATE TABLE chain_days (
    day        TEXT PRIMARY KEY,
    payload    TEXT NOT NULL,
    log_seq    INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'shipped', 'conflict')),
    shipped_at TEXT
  );
  CREATE TABLE chain_conflicts (
    what         TEXT NOT NULL CHECK (what IN ('entry', 'day')),
    key          TEXT NOT NULL,
    stored_hash  TEXT NOT NULL,
    offered_hash TEXT NOT NULL,
    found_at     TEXT NOT NULL,
    PRIMARY KEY (what, key)
  );
  CREATE TABLE chain_error (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    kind    TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TEXT NOT NULL
  );
  `,
];

/** Creates or updates the shipping tables (main thread, before the worker starts). */
export function migrateLocal(db: Db): void {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(LOCAL_SCHEMA_KEY) as { value: string } | undefined;
  const current = Number(row?.value ?? 0);
  for (let v = current; v < LOCAL_MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(LOCAL_MIGRATIONS[v]!);
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(LOCAL_SCHEMA_KEY, String(v + 1));
    }).immediate();
  }
}

/** The local day containing an instant, and its bounds, in this machine's time zone. */
export function localDay(ms: number): { day: string; from: Date; to: Date; utcOffsetMinutes: number } {
  const d = new Date(ms);
  return dayBounds(d.getFullYear(), d.getMonth(), d.getDate());
}

function dayBounds(y: number, m: number, d: number): { day: string; from: Date; to: Date; utcOffsetMinutes: number } {
  const from = new Date(y, m, d);
  const to = new Date(y, m, d + 1);
  const day = `${from.getFullYear()}-${String(from.getMonth() + 1).padStart(2, '0')}-${String(from.getDate()).padStart(2, '0')}`;
  return { day, from, to, utcOffsetMinutes: -from.getTimezoneOffset() };
}

function nextDay(day: string): { day: string; from: Date; to: Date; utcOffsetMinutes: number } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return dayBounds(y, m - 1, d + 1);
}

export function figuresHash(d: Omit<ShippedDay, 'figures_hash'>): string {
  const canonical = JSON.stringify([
    d.day,
    d.store_id,
    d.utc_offset_minutes,
    d.day_from,
    d.day_to,
    d.currency,
    ...DAY_FIGURES.map((f) => d.figures[f]),
    d.log_seq,
    d.log_hash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export class LocalShipStore {
  private readonly batchStmt;
  private readonly headStmt;
  private readonly atStmt;
  private readonly cursorStmt;
  private readonly saveCursorStmt;
  private readonly log: LogQuery;

  constructor(private readonly db: Db) {
    this.batchStmt = db.prepare(
      'SELECT seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash FROM log WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.headStmt = db.prepare('SELECT seq FROM log ORDER BY seq DESC LIMIT 1');
    this.atStmt = db.prepare('SELECT at FROM log WHERE seq = ?');
    this.cursorStmt = db.prepare('SELECT shipped_seq AS seq, shipped_at AS at FROM chain_cursor WHERE id = 1');
    this.saveCursorStmt = db.prepare('UPDATE chain_cursor SET shipped_seq = ?, shipped_at = ? WHERE id = 1');
    this.log = new LogQuery(db);
  }

  readBatch(afterSeq: number, limit: number): ShippedEntry[] {
    return this.batchStmt.all(afterSeq, limit) as ShippedEntry[];
  }

  headSeq(): number {
    return (this.headStmt.get() as { seq: number } | undefined)?.seq ?? 0;
  }

  /** When the entry after `seq` was recorded (ms), or null when there is none. */
  entryTime(seq: number): number | null {
    const r = this.atStmt.get(seq) as { at: string } | undefined;
    return r ? Date.parse(r.at) : null;
  }

  cursor(): { seq: number; at: string | null } {
    return this.cursorStmt.get() as { seq: number; at: string | null };
  }

  saveCursor(seq: number, at: string): void {
    this.saveCursorStmt.run(seq, at);
  }

  recordConflicts(conflicts: readonly Conflict[], at: string): void {
    if (conflicts.length === 0) return;
    const ins = this.db.prepare('INSERT OR IGNORE INTO chain_conflicts (what, key, stored_hash, offered_hash, found_at) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const c of conflicts) ins.run(c.what, c.key, c.storedHash, c.offeredHash, at);
    })();
  }

  conflicts(): ShippingState['conflicts'] {
    return this.db.prepare('SELECT what, key, found_at AS at FROM chain_conflicts ORDER BY found_at DESC LIMIT 20').all() as ShippingState['conflicts'];
  }

  saveError(err: { kind: string; message: string } | null, at: string): void {
    if (err === null) this.db.prepare('DELETE FROM chain_error').run();
    else
      this.db
        .prepare(
          'INSERT INTO chain_error (id, kind, message, at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, message = excluded.message, at = excluded.at',
        )
        .run(err.kind, err.message, at);
  }

  lastError(): ShippingState['lastError'] {
    return (this.db.prepare('SELECT kind, message, at FROM chain_error WHERE id = 1').get() as ShippingState['lastError'] | undefined) ?? null;
  }

  lastDayShipped(): string | null {
    return (this.db.prepare("SELECT max(day) AS d FROM chain_days WHERE state = 'shipped'").get() as { d: string | null }).d;
  }

  /**
   * Puts the end-of-day figures of every local day that is over (by `now`,
   * after a grace period for late events) and has log entries into the
   * outbox, once each. Figures are the desk's end of day for that day.
   */
  closeDays(now: number, graceMs: number, shop: { storeId: string; currency: string }): number {
    const last = (this.db.prepare('SELECT max(day) AS d FROM chain_days').get() as { d: string | null }).d;
    let next: ReturnType<typeof nextDay>;
    if (last) next = nextDay(last);
    else {
      const first = this.db.prepare('SELECT at FROM log ORDER BY seq LIMIT 1').get() as { at: string } | undefined;
      if (!first) return 0;
      next = localDay(Date.parse(first.at));
    }
    let added = 0;
    const hasEntries = this.db.prepare('SELECT 1 FROM log WHERE at >= ? AND at < ? LIMIT 1');
    const lastSeqBefore = this.db.prepare('SELECT seq, hash FROM log WHERE at < ? ORDER BY seq DESC LIMIT 1');
    const insert = this.db.prepare("INSERT OR IGNORE INTO chain_days (day, payload, log_seq, state) VALUES (?, ?, ?, 'pending')");
    // At most a year per pass: a terminal switched off for long catches up over a few passes.
    for (let i = 0; i < 366 && next.to.getTime() + graceMs <= now; i++, next = nextDay(next.day)) {
      const from = next.from.toISOString();
      const to = next.to.toISOString();
      if (!hasEntries.get(from, to)) continue;
      const summary = endOfDay(this.db, this.log, { from, to, utcOffsetMinutes: next.utcOffsetMinutes, currency: shop.currency, now, needsAttention: 0 });
      const head = (lastSeqBefore.get(to) as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: GENESIS_HASH };
      const t = summary.totals;
      const body: Omit<ShippedDay, 'figures_hash'> = {
        day: next.day,
        store_id: shop.storeId,
        utc_offset_minutes: next.utcOffsetMinutes,
        day_from: from,
        day_to: to,
        currency: shop.currency,
        figures: {
          redemptions: t.redemptions,
          points_milli: t.pointsMilli,
          discount_cents: t.discountCents,
          refunds: t.refunds,
          refunded_cents: t.refundedCents,
          refunded_points_milli: t.refundedPointsMilli,
          voids: t.voids,
          overrides: t.overrides,
          offline_accepted: t.offlineAccepted,
          refused_redemptions: t.refusedRedemptions,
        },
        log_seq: head.seq,
        log_hash: head.hash,
      };
      const day: ShippedDay = { ...body, figures_hash: figuresHash(body) };
      added += insert.run(day.day, JSON.stringify(day), day.log_seq).changes;
    }
    return added;
  }

  /** Closed days whose entries are all shipped, oldest first. */
  pendingDays(shippedSeq: number): ShippedDay[] {
    return (
      this.db.prepare("SELECT payload FROM chain_days WHERE state = 'pending' AND log_seq <= ? ORDER BY day").all(shippedSeq) as { payload: string }[]
    ).map((r) => JSON.parse(r.payload) as ShippedDay);
  }

  markDay(day: string, state: 'shipped' | 'conflict', at: string): void {
    this.db.prepare('UPDATE chain_days SET state = ?, shipped_at = ? WHERE day = ?').run(state, at, day);
  }
}
