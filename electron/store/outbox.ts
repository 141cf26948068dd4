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
  /** While in doubt (needs_check = 1): until when (ms, terminal clock) the backend might still apply the last send. */
  in_doubt_until: number | null;
  /** JSON InDoubtEvidence: what was sent when, what each lookup answered. */
  evidence: string | null;
}

/** One lookup's answer, as the manager sees it. */
export interface LookupEvidence {
  at: string;
  outcome: 'applied' | 'not-applied' | 'cannot-tell' | 'not-reached';
  /** In plain words: what the backend answered, or what went wrong. */
  message: string;
  status?: number;
  /** The member's balance the lookup read, where it read one. */
  balanceMilli?: number;
}

/** What a manager needs to decide a row nobody can tell about. */
export interface InDoubtEvidence {
  /** Each send that may have reached the backend: when, until when it might still apply, how it failed. */
  sends: Array<{ at: string; deadline: string; failure?: string }>;
  lookups: LookupEvidence[];
}

export function parseEvidence(json: string | null): InDoubtEvidence {
  if (!json) return { sends: [], lookups: [] };
  try {
    const e = JSON.parse(json) as Partial<InDoubtEvidence>;
    return { sends: Array.isArray(e.sends) ? e.sends : [], lookups: Array.isArray(e.lookups) ? e.lookups : [] };
  } catch {
    return { sends: [], lookups: [] };
  }
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
    // A send may apply from now until its deadline: the deadline and the send go into the row before
    // the request leaves, and the row is not due again before it. An attempt on a row already in
    // doubt only looks (nothing that applies is sent): its deadline stands.
    this.startStmt = db.prepare(
      `UPDATE outbox SET attempts = attempts + 1, updated_at = @at,
              in_doubt_until = CASE WHEN needs_check = 1 THEN in_doubt_until ELSE @deadline END,
              next_attempt_at = CASE WHEN needs_check = 1 THEN next_attempt_at ELSE @deadline END,
              evidence = CASE WHEN needs_check = 1 THEN evidence
                         ELSE json_insert(COALESCE(evidence, '{"sends":[],"lookups":[]}'), '$.sends[#]', json_object('at', @at, 'deadline', @deadlineIso)) END,
              needs_check = 1
        WHERE id = @id AND state = 'pending'`,
    );
  }

  insert(row: {
    sale_id: string;
    kind: OutboxKind;
    reference: string;
    member_key: string;
    payload: unknown;
    next_attempt_at: number;
    created_at: string;
  }): number {
    return Number(this.insertStmt.run({ ...row, payload: JSON.stringify(row.payload) }).lastInsertRowid);
  }

  get(id: number): OutboxRow | undefined {
    return this.getStmt.get(id) as OutboxRow | undefined;
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.dueStmt.all({ now, limit }) as OutboxRow[];
  }

  /** Whether no earlier row of the same member is still pending (only a member's head row may go). */
  isHeadOfMember(row: Pick<OutboxRow, 'id' | 'member_key'>): boolean {
    return this.db.prepare(`SELECT 1 FROM outbox WHERE state = 'pending' AND member_key = ? AND id < ? LIMIT 1`).get(row.member_key, row.id) === undefined;
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
  markAttemptStarted(id: number, at: string, deadline: number): boolean {
    return this.startStmt.run({ id, at, deadline, deadlineIso: new Date(deadline).toISOString() }).changes === 1;
  }

  /** Adds to a row's evidence: a lookup's answer, or how the last send failed. */
  recordEvidence(id: number, add: { lookup?: LookupEvidence; sendFailure?: string }): void {
    const row = this.get(id);
    if (!row) return;
    const e = parseEvidence(row.evidence);
    if (add.lookup) e.lookups.push(add.lookup);
    const last = e.sends[e.sends.length - 1];
    if (add.sendFailure && last) last.failure = add.sendFailure;
    this.db.prepare('UPDATE outbox SET evidence = ? WHERE id = ?').run(JSON.stringify(e), id);
  }

  /**
   * A row left in doubt by an earlier run (or an earlier version, which kept no deadline):
   * it gets a deadline of its last attempt's start plus `windowMs`, and is not due before it.
   */
  holdInDoubt(windowMs: number): void {
    this.db
      .prepare(
        `UPDATE outbox SET in_doubt_until = CAST((julianday(updated_at) - 2440587.5) * 86400000 AS INTEGER) + ?
          WHERE state = 'pending' AND needs_check = 1 AND in_doubt_until IS NULL`,
      )
      .run(windowMs);
    this.db
      .prepare(`UPDATE outbox SET next_attempt_at = in_doubt_until WHERE state = 'pending' AND needs_check = 1 AND in_doubt_until > next_attempt_at`)
      .run();
  }

  /** Finishes a pending row. Returns false if it was no longer pending (a void got there first). */
  finish(id: number, state: Exclude<OutboxState, 'pending'>, at: string, result: unknown, lastError: string | null = null, stillInDoubt = false): boolean {
    const info = this.db
      .prepare(`UPDATE outbox SET state = ?, result = ?, last_error = ?, needs_check = ?, updated_at = ? WHERE id = ? AND state = 'pending'`)
      .run(state, result === undefined ? null : JSON.stringify(result), lastError, stillInDoubt ? 1 : 0, at, id);
    return info.changes === 1;
  }

  /**
   * A manager's decision on a row nobody could tell about (state 'attention', still in doubt):
   * 'applied' closes it as done with `result`; 'send-again' puts it back in the queue as never
   * sent, due now. False if the row is not (or no longer) waiting for that decision.
   */
  resolveInDoubt(id: number, decision: 'applied' | 'send-again', at: string, now: number, result?: unknown): boolean {
    const where = `WHERE id = ? AND state = 'attention' AND needs_check = 1`;
    if (decision === 'applied') {
      return (
        this.db.prepare(`UPDATE outbox SET state = 'done', result = ?, needs_check = 0, updated_at = ? ${where}`).run(JSON.stringify(result ?? null), at, id)
          .changes === 1
      );
    }
    return (
      this.db
        .prepare(`UPDATE outbox SET state = 'pending', needs_check = 0, in_doubt_until = NULL, next_attempt_at = ?, last_error = ?, updated_at = ? ${where}`)
        .run(now, 'a manager chose to send it again', at, id).changes === 1
    );
  }

  /** Leaves a row pending for a later attempt. `needsCheck` says whether the attempt may have taken effect. */
  reschedule(id: number, nextAttemptAt: number, lastError: string, needsCheck: boolean, at: string): void {
    // Still in doubt: never due before the deadline stored when it was sent.
    this.db
      .prepare(
        `UPDATE outbox SET next_attempt_at = CASE WHEN @check = 1 THEN MAX(@next, COALESCE(in_doubt_until, 0)) ELSE @next END,
                last_error = @lastError, needs_check = @check, in_doubt_until = CASE WHEN @check = 1 THEN in_doubt_until END, updated_at = @at
          WHERE id = @id AND state = 'pending'`,
      )
      .run({ next: nextAttemptAt, lastError, check: needsCheck ? 1 : 0, at, id });
  }

  /** Makes every pending row due now (the network came back, or a manager said "retry now"). */
  makeDueNow(now: number, saleId?: string): void {
    // Never before an in-doubt row's deadline: "now" is not a reason to decide early.
    const notInDoubt = `AND (needs_check = 0 OR in_doubt_until IS NULL OR in_doubt_until <= @now)`;
    if (saleId) this.db.prepare(`UPDATE outbox SET next_attempt_at = @now WHERE state = 'pending' AND sale_id = @saleId ${notInDoubt}`).run({ now, saleId });
    else this.db.prepare(`UPDATE outbox SET next_attempt_at = @now WHERE state = 'pending' AND next_attempt_at > @now ${notInDoubt}`).run({ now });
  }

  /**
   * Points of redemptions not yet known to be applied or refused: waiting to be
   * sent, or held for a person because their outcome is unknown. They count
   * against a member's balance until their row settles.
   */
  outstandingRedeemMilli(memberKey?: string): number {
    // Held for a person counts only while nobody can tell whether it was applied (needs_check): a
    // row the backend answered (refused after an offline sale) has settled, whatever the outcome.
    const sql = `SELECT COALESCE(SUM(json_extract(payload, '$.pointsMilli')), 0) AS n FROM outbox
                  WHERE kind = 'redeem' AND (state = 'pending' OR (state = 'attention' AND needs_check = 1))${memberKey ? ' AND member_key = ?' : ''}`;
    const stmt = this.db.prepare(sql);
    return (memberKey ? (stmt.get(memberKey) as { n: number }) : (stmt.get() as { n: number })).n;
  }

  /** Withdraws a row that was never sent (a void before posting). False if it is no longer pending. */
  cancel(id: number, at: string, why: string): boolean {
    return (
      this.db.prepare(`UPDATE outbox SET state = 'cancelled', last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`).run(why, at, id).changes === 1
    );
  }

  /** A row that needs a person from the start (e.g. a refund the backend cannot do). */
  insertForAttention(row: {
    sale_id: string;
    kind: OutboxKind;
    reference: string;
    member_key: string;
    payload: unknown;
    created_at: string;
    why: string;
  }): number {
    const id = this.insert({ ...row, next_attempt_at: 0 });
    this.db.prepare(`UPDATE outbox SET state = 'attention', last_error = ? WHERE id = ?`).run(row.why, id);
    return id;
  }

  /** The backend references this member's other answered redemptions hold (a lookup never takes one of them for another row). */
  claimedBackendReferences(memberKey: string, exceptId: number): Set<string> {
    const rows = this.db
      .prepare(
        `SELECT json_extract(result, '$.backendReference') AS ref FROM outbox
          WHERE member_key = ? AND kind = 'redeem' AND state = 'done' AND id != ? AND result IS NOT NULL`,
      )
      .all(memberKey, exceptId) as { ref: unknown }[];
    return new Set(rows.map((r) => r.ref).filter((r): r is string => typeof r === 'string'));
  }

  forSale(saleId: string): OutboxRow[] {
    return this.db.prepare('SELECT * FROM outbox WHERE sale_id = ? ORDER BY id').all(saleId) as OutboxRow[];
  }
}
