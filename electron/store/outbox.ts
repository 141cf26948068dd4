/**
 * The outbox table: what must reach the backend, written in the same
 * transaction as the sale change it belongs to. Rows leave 'pending' only
 * once the backend's answer is stored ('done', 'refused') or a person must
 * decide ('attention'), or a void removed it before it was sent ('cancelled').
 */
import type { Db } from './db.js';

export type OutboxKind = 'redeem' | 'reverse';
export type OutboxState = 'pending' | 'done' | 'refused' | 'attention' | 'cancelled';

export interface OutboxRow {
  id: number;
  sale_id: string;
  kind: OutboxKind;
  reference: string;
  member_key: string;
  payload: string;
  state: OutboxState;
  needs_check: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
}

export class Outbox {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly dueStmt;
  private readonly countStmt;
  private readonly nextDueStmt;
  private readonly startStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (sale_id, kind, reference, member_key, payload, state, next_attempt_at, created_at, updated_at)
       VALUES (@sale_id, @kind, @reference, @member_key, @payload, 'pending', @next_attempt_at, @created_at, @created_at)`,
    );
    this.getStmt = db.prepare('SELECT * FROM outbox WHERE id = ?');
    // The head of each member's queue, if due: rows behind it wait, so a member's
    // redemptions and refunds reach the backend in the order they were made.
    this.dueStmt = db.prepare(
      `SELECT o.* FROM outbox o
        WHERE o.state = 'pending' AND o.next_attempt_at <= @now
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.member_key = o.member_key AND p.id < o.id)
        ORDER BY o.next_attempt_at, o.id LIMIT @limit`,
    );
    // Items a manager marked handled stay 'attention' (the row keeps its history) but no longer count.
    this.countStmt = db.prepare(
      `SELECT state, COUNT(*) AS n FROM outbox
        WHERE state IN ('pending', 'attention')
          AND NOT EXISTS (SELECT 1 FROM attention_handled h WHERE h.item = 'outbox:' || outbox.id)
        GROUP BY state`,
    );
    this.nextDueStmt = db.prepare(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state = 'pending'`);
    this.startStmt = db.prepare(`UPDATE outbox SET needs_check = 1, attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'`);
  }

  insert(row: { sale_id: string; kind: OutboxKind; reference: string; member_key: string; payload: unknown; next_attempt_at: number; created_at: string }): number {
    return Number(this.insertStmt.run({ ...row, payload: JSON.stringify(row.payload) }).lastInsertRowid);
  }

  get(id: number): OutboxRow | undefined {
    return this.getStmt.get(id) as OutboxRow | undefined;
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.dueStmt.all({ now, limit }) as OutboxRow[];
  }

  counts(): { waiting: number; attention: number } {
    const out = { waiting: 0, attention: 0 };
    for (const r of this.countStmt.all() as { state: string; n: number }[]) {
      if (r.state === 'pending') out.waiting = r.n;
      else out.attention = r.n;
    }
    return out;
  }

  nextDueAt(): number | null {
    return (this.nextDueStmt.get() as { t: number | null }).t;
  }

  /**
   * Records, durably and before the request leaves, that an attempt is under
   * way: if the process dies mid-request, the next start reconciles first.
   */
  markAttemptStarted(id: number, at: string): boolean {
    return this.startStmt.run(at, id).changes === 1;
  }

  /** Finishes a pending row. Returns false if it was no longer pending (a void got there first). */
  finish(id: number, state: Exclude<OutboxState, 'pending'>, at: string, result: unknown, lastError: string | null = null): boolean {
    const info = this.db
      .prepare(`UPDATE outbox SET state = ?, result = ?, last_error = ?, needs_check = 0, updated_at = ? WHERE id = ? AND state = 'pending'`)
      .run(state, result === undefined ? null : JSON.stringify(result), lastError, at, id);
    return info.changes === 1;
  }

  /** Leaves a row pending for a later attempt. `needsCheck` says whether the attempt may have taken effect. */
  reschedule(id: number, nextAttemptAt: number, lastError: string, needsCheck: boolean, at: string): void {
    this.db
      .prepare(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, needs_check = ?, updated_at = ? WHERE id = ? AND state = 'pending'`)
      .run(nextAttemptAt, lastError, needsCheck ? 1 : 0, at, id);
  }

  /** Makes every pending row due now (the network came back, or a manager said "retry now"). */
  makeDueNow(now: number, saleId?: string): void {
    if (saleId) this.db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND sale_id = ?`).run(now, saleId);
    else this.db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?`).run(now, now);
  }

  /**
   * Points of redemptions not yet known to be applied or refused: waiting to be
   * sent, or held for a person because their outcome is unknown. They count
   * against a member's balance until the backend has answered.
   */
  outstandingRedeemMilli(memberKey?: string): number {
    const sql = `SELECT COALESCE(SUM(json_extract(payload, '$.pointsMilli')), 0) AS n FROM outbox
                  WHERE kind = 'redeem' AND state IN ('pending', 'attention')${memberKey ? ' AND member_key = ?' : ''}`;
    const stmt = this.db.prepare(sql);
    return (memberKey ? (stmt.get(memberKey) as { n: number }) : (stmt.get() as { n: number })).n;
  }

  /** Withdraws a row that was never sent (a void before posting). False if it is no longer pending. */
  cancel(id: number, at: string, why: string): boolean {
    return this.db.prepare(`UPDATE outbox SET state = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`).run(why, at, id).changes === 1;
  }

  /** A row that needs a person from the start (e.g. a refund the backend cannot do). */
  insertForAttention(row: { sale_id: string; kind: OutboxKind; reference: string; member_key: string; payload: unknown; created_at: string; why: string }): number {
    const id = this.insert({ ...row, next_attempt_at: 0 });
    this.db.prepare(`UPDATE outbox SET state = 'attention', last_error = ? WHERE id = ?`).run(row.why, id);
    return id;
  }

  forSale(saleId: string): OutboxRow[] {
    return this.db.prepare('SELECT * FROM outbox WHERE sale_id = ? ORDER BY id').all(saleId) as OutboxRow[];
  }
}
