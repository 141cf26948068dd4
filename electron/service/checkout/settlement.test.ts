/** Settlement as a pure function: no store, no HTTP, one outcome at a time. */
import { describe, expect, it } from 'vitest';
import type { OutboxRow } from '../../store/outbox.js';
import type { SaleRow } from '../../store/sales.js';
import { settle } from './settlement.js';

const AT = '2026-12-06T10:00:00.000Z';

function sale(over: Partial<SaleRow> = {}): SaleRow {
  return {
    id: 's1',
    created_at: AT,
    updated_at: AT,
    terminal_id: 't1',
    cashier: 'c',
    state: 'posting',
    currency: 'EUR',
    basket_cents: 2000,
    member_masked: '••1234',
    member_hash: 'h',
    points_milli: 500_000,
    discount_cents: 500,
    balance_before_milli: 1_000_000,
    reward_id: null,
    backend_reference: null,
    balance_after_milli: null,
    posted_at: null,
    paid_at: null,
    offline_accepted: 0,
    error_json: null,
    void_requested: 0,
    refunded_cents: 0,
    refunded_points_milli: 0,
    voided_at: null,
    receipt_json: null,
    ...over,
  };
}

function row(over: Partial<OutboxRow> = {}): OutboxRow {
  return {
    id: 1,
    sale_id: 's1',
    kind: 'redeem',
    reference: 's1.r1',
    member_key: 'h',
    payload: JSON.stringify({ pointsMilli: 500_000 }),
    state: 'pending',
    needs_check: 1,
    attempts: 1,
    next_attempt_at: 0,
    last_error: null,
    result: null,
    created_at: AT,
    updated_at: AT,
    in_doubt_until: null,
    evidence: null,
    ...over,
  };
}

const receipt = { backendReference: 'B1', pointsMilli: 500_000, balanceAfterMilli: 500_000 };

describe('settle', () => {
  it('an answered redemption posts the sale and carries the balance after', () => {
    const s = settle({ sale: sale(), row: row(), outcome: { type: 'done', receipt, reconciled: false }, at: AT });
    expect(s.sale?.to).toBe('posted');
    expect(s.sale?.patch).toMatchObject({ backend_reference: 'B1', balance_after_milli: 500_000, posted_at: AT });
    expect(s.balanceAfterMilli).toBe(500_000);
    expect(s.log.map((l) => l.kind)).toEqual(['redeem.posted']);
    expect(s.compensatePointsMilli).toBeNull();
  });

  it('a void that lost the race to the post voids the sale and gives the points back', () => {
    const s = settle({ sale: sale({ void_requested: 1, state: 'paid' }), row: row(), outcome: { type: 'done', receipt, reconciled: true }, at: AT });
    expect(s.sale).toMatchObject({ to: 'voided', patch: { refunded_points_milli: 500_000, refunded_cents: 2000, voided_at: AT } });
    expect(s.log.map((l) => l.kind)).toEqual(['redeem.posted', 'sale.voided']);
    expect(s.compensatePointsMilli).toBe(500_000);
  });

  it('a refusal after the sale was paid offline is logged as money at risk', () => {
    const error = { code: 'INSUFFICIENT_POINTS', message: 'no' } as const;
    const s = settle({ sale: sale({ state: 'paid', offline_accepted: 1 }), row: row(), outcome: { type: 'attention', error }, at: AT });
    expect(s.sale).toMatchObject({ to: 'paid' });
    expect(s.log[0]).toMatchObject({ kind: 'redeem.attention', outcome: 'INSUFFICIENT_POINTS' });
    const r = settle({ sale: sale({ state: 'queued', offline_accepted: 1 }), row: row(), outcome: { type: 'refused', error }, at: AT });
    expect(r.sale?.to).toBe('refused');
    expect(r.log[0]).toMatchObject({ kind: 'redeem.at-risk', detail: { amountAtRiskCents: 500 } });
  });

  it('a failed attempt that certainly had no effect withdraws the row when a void waits, else the sale stays queued', () => {
    const outcome = { type: 'retry', error: { code: 'BACKEND_UNAVAILABLE', message: 'down' }, needsCheck: false, nextAttemptAt: Date.parse(AT) } as const;
    const w = settle({ sale: sale({ void_requested: 1 }), row: row(), outcome, at: AT });
    expect(w.withdrawRow).toBeTruthy();
    expect(w.sale?.to).toBe('cancelled');
    const notWithdrawn = settle({ sale: sale({ void_requested: 1 }), row: row(), outcome, at: AT, withdrawable: false });
    expect(notWithdrawn.withdrawRow).toBeUndefined();
    expect(notWithdrawn.sale?.to).toBe('queued');
    const inDoubt = settle({ sale: sale({ void_requested: 1 }), row: row(), outcome: { ...outcome, needsCheck: true }, at: AT });
    expect(inDoubt.withdrawRow).toBeUndefined();
    expect(inDoubt.log[0]).toMatchObject({ kind: 'redeem.attempt', detail: { needsCheck: true } });
  });

  it('a refund changes no sale, only the log', () => {
    const s = settle({
      sale: sale({ state: 'voided' }),
      row: row({ kind: 'reverse', payload: JSON.stringify({ pointsMilli: 200_000 }) }),
      outcome: { type: 'done', receipt: { ...receipt, balanceAfterMilli: 700_000 }, reconciled: false },
      at: AT,
    });
    expect(s.sale).toBeNull();
    expect(s.log[0]).toMatchObject({ kind: 'refund.posted', pointsMilli: 200_000, detail: { balanceAfterMilli: 700_000 } });
  });

  it('a raced, undone redemption that goes again keeps the sale waiting; the last allowed one refuses it (race.ts)', () => {
    const error = { code: 'INSUFFICIENT_POINTS', message: 'raced', details: { notApplied: true, undone: true, raced: true } } as const;
    const again = settle({ sale: sale(), row: row(), outcome: { type: 'refused', error }, at: AT, resendAfterRace: true });
    expect(again).toMatchObject({ sale: { to: 'posting' }, resendAfterRace: true, compensatePointsMilli: null });
    expect(again.log).toEqual([
      expect.objectContaining({ kind: 'redeem.raced', outcome: 'INSUFFICIENT_POINTS', detail: expect.objectContaining({ attempt: 1, reference: 's1.r1' }) }),
    ]);
    const last = settle({ sale: sale(), row: row(), outcome: { type: 'refused', error }, at: AT });
    expect(last.sale?.to).toBe('refused');
    expect(last.resendAfterRace).toBeUndefined();
  });
});
