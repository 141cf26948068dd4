/** The sales table: one row per sale, moved along shared/sale-state.ts's edges. */
import type { ErrorInfo } from '../../shared/errors.js';
import type { SaleState } from '../../shared/domain.js';
import { assertTransition } from '../../shared/sale-state.js';
import { PosError } from '../../shared/errors.js';
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

export interface SaleRow {
  id: string;
  created_at: string;
  updated_at: string;
  terminal_id: string;
  cashier: string;
  state: SaleState;
  currency: string;
  basket_cents: number;
  member_masked: string | null;
  member_hash: string | null;
  points_milli: number | null;
  discount_cents: number | null;
  balance_before_milli: number | null;
  reward_id: string | null;
  backend_reference: string | null;
  balance_after_milli: number | null;
  posted_at: string | null;
  paid_at: string | null;
  offline_accepted: number;
  error_json: string | null;
  void_requested: number;
  refunded_cents: number;
  refunded_points_milli: number;
  voided_at: string | null;
  receipt_json: string | null;
}

export type SalePatch = Partial<Omit<SaleRow, 'id' | 'created_at' | 'terminal_id' | 'state'>>;

const PATCHABLE = new Set([
  'updated_at',
  'cashier',
  'currency',
  'basket_cents',
  'member_masked',
  'member_hash',
  'points_milli',
  'discount_cents',
  'balance_before_milli',
  'reward_id',
  'backend_reference',
  'balance_after_milli',
  'posted_at',
  'paid_at',
  'offline_accepted',
  'error_json',
  'void_requested',
  'refunded_cents',
  'refunded_points_milli',
  'voided_at',
  'receipt_json',
]);

export class Sales {
  /** Prepared UPDATEs by the set of columns they patch (a handful of shapes in practice). */
  private readonly updates = new Map<string, Database.Statement>();
  private readonly insertStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO sales (id, created_at, updated_at, terminal_id, cashier, state, currency, basket_cents)
       VALUES (@id, @created_at, @created_at, @terminal_id, @cashier, @state, @currency, @basket_cents)`,
    );
    this.getStmt = db.prepare('SELECT * FROM sales WHERE id = ?');
  }

  insert(row: { id: string; created_at: string; terminal_id: string; cashier: string; state: SaleState; currency: string; basket_cents: number }): void {
    this.insertStmt.run(row);
  }

  find(id: string): SaleRow | undefined {
    return this.getStmt.get(id) as SaleRow | undefined;
  }

  get(id: string): SaleRow {
    const row = this.find(id);
    if (!row) throw new PosError('SALE_NOT_FOUND');
    return row;
  }

  /** Sales newest first, for the void/refund screen: by time, amount or the member's last four digits. */
  list(opts: { limit: number; beforeCreatedAt?: string; memberLast4?: string; amountCents?: number }): SaleRow[] {
    const where = ['created_at < @before'];
    if (opts.memberLast4) where.push("member_masked LIKE '%' || @last4");
    if (opts.amountCents !== undefined) where.push('basket_cents = @amount');
    return this.db
      .prepare(`SELECT * FROM sales WHERE ${where.join(' AND ')} ORDER BY created_at DESC LIMIT @limit`)
      .all({ before: opts.beforeCreatedAt ?? '9999', last4: opts.memberLast4 ?? null, amount: opts.amountCents ?? null, limit: opts.limit }) as SaleRow[];
  }

  /**
   * Moves a sale to `to` (checked against the state machine) and applies the
   * patch, only if it is still in the state the caller read: a concurrent
   * change makes this throw rather than overwrite.
   */
  transition(id: string, from: SaleState, to: SaleState, patch: SalePatch = {}): void {
    assertTransition(from, to);
    this.update(id, from, { ...patch }, to);
  }

  /** Patches a sale without changing its state (still guarded by the expected state). */
  patch(id: string, expected: SaleState, patch: SalePatch): void {
    this.update(id, expected, patch, expected);
  }

  private update(id: string, from: SaleState, patch: SalePatch, to: SaleState): void {
    const keys = Object.keys(patch).filter((k) => PATCHABLE.has(k));
    const shape = keys.join(',');
    let stmt = this.updates.get(shape);
    if (!stmt) {
      const sets = ['state = @__to', ...keys.map((k) => `${k} = @${k}`)].join(', ');
      stmt = this.db.prepare(`UPDATE sales SET ${sets} WHERE id = @__id AND state = @__from`);
      this.updates.set(shape, stmt);
    }
    const values = Object.fromEntries(keys.map((k) => [k, patch[k as keyof SalePatch]]));
    const info = stmt.run({ ...values, __to: to, __from: from, __id: id });
    if (info.changes !== 1) {
      const now = this.find(id);
      if (!now) throw new PosError('SALE_NOT_FOUND');
      throw new PosError('SALE_WRONG_STATE', `The sale is ${now.state} now, not ${from}.`, { details: { state: now.state } });
    }
  }
}

export function errorJson(info: ErrorInfo | null): string | null {
  return info ? JSON.stringify(info) : null;
}
