/**
 * The end-of-day summary, computed in SQL over a range [from, to):
 * - redemptions, points and discounts from the sales created in the range
 *   whose points were taken (posted, paid, voided later) or accepted offline;
 * - refunds, voids, overrides and refused redemptions from the log events in
 *   the range (when they happened, whichever day the sale was);
 * - all attributed to the sale's cashier (the person signed in when it began);
 * - by local hour of the sale, for the chart;
 * - what is still queued and what needs attention now;
 * - card-linked offers the platform redeemed (its notices, by purchase time);
 * - the log's head (seq and hash) for the printed report.
 */
import type { EndOfDaySummary, EndOfDayTotals } from '../../shared/contract/manager.js';
import type { Db } from '../store/db.js';
import type { LogQuery } from './log-query.js';
import { noticeTotals } from './offers/notice-store.js';

const TAKEN = `(s.points_milli IS NOT NULL AND (s.state IN ('posted', 'paid', 'voided') OR s.offline_accepted = 1))`;

const EVENT_KINDS = {
  refund: 'sale.refunded',
  void: 'sale.voided',
  override: 'offline.override',
  refused: ['redeem.refused', 'redeem.at-risk'],
} as const;

export function emptyTotals(): EndOfDayTotals {
  return { redemptions: 0, pointsMilli: 0, discountCents: 0, refunds: 0, refundedCents: 0, refundedPointsMilli: 0, voids: 0, overrides: 0, offlineAccepted: 0, refusedRedemptions: 0 };
}

function add(a: EndOfDayTotals, b: Partial<EndOfDayTotals>): void {
  for (const k of Object.keys(b) as (keyof EndOfDayTotals)[]) a[k] += b[k] ?? 0;
}

export function endOfDay(
  db: Db,
  log: LogQuery,
  opts: { from: string; to: string; utcOffsetMinutes: number; currency: string; now: number; needsAttention: number },
): EndOfDaySummary {
  const from = new Date(opts.from).toISOString();
  const to = new Date(opts.to).toISOString();
  const shift = `${opts.utcOffsetMinutes >= 0 ? '+' : ''}${opts.utcOffsetMinutes} minutes`;

  const sales = db
    .prepare(
      `SELECT s.cashier AS cashier,
              SUM(${TAKEN}) AS redemptions,
              SUM(CASE WHEN ${TAKEN} THEN s.points_milli ELSE 0 END) AS points,
              SUM(CASE WHEN ${TAKEN} THEN COALESCE(s.discount_cents, 0) ELSE 0 END) AS discount,
              SUM(s.offline_accepted = 1) AS offline
         FROM sales s WHERE s.created_at >= @from AND s.created_at < @to GROUP BY s.cashier`,
    )
    .all({ from, to }) as { cashier: string; redemptions: number; points: number; discount: number; offline: number }[];

  // Events by time: a seq range when the clock never went back (fast), else the 'at' column.
  const range = log.seqRange(from, to);
  const timeWhere = range ? 'l.seq BETWEEN @lo AND @hi' : 'l.at >= @from AND l.at < @to';
  const events = db
    .prepare(
      `SELECT COALESCE(s.cashier, l.actor) AS cashier, l.kind AS kind, COUNT(*) AS n,
              COALESCE(SUM(l.amount_cents), 0) AS cents, COALESCE(SUM(l.points_milli), 0) AS points
         FROM log l LEFT JOIN sales s ON s.id = l.sale_id
        WHERE l.kind IN (@refund, @void, @override, @refused1, @refused2) AND ${timeWhere}
        GROUP BY 1, 2`,
    )
    .all({
      from,
      to,
      lo: range?.lo ?? 0,
      hi: range?.hi ?? 0,
      refund: EVENT_KINDS.refund,
      void: EVENT_KINDS.void,
      override: EVENT_KINDS.override,
      refused1: EVENT_KINDS.refused[0],
      refused2: EVENT_KINDS.refused[1],
    }) as { cashier: string; kind: string; n: number; cents: number; points: number }[];

  const byCashier = new Map<string, EndOfDayTotals>();
  const of = (id: string) => {
    let t = byCashier.get(id);
    if (!t) byCashier.set(id, (t = emptyTotals()));
    return t;
  };
  for (const r of sales) add(of(r.cashier), { redemptions: r.redemptions ?? 0, pointsMilli: r.points ?? 0, discountCents: r.discount ?? 0, offlineAccepted: r.offline ?? 0 });
  for (const e of events) {
    const t = of(e.cashier);
    if (e.kind === EVENT_KINDS.refund) add(t, { refunds: e.n, refundedCents: e.cents, refundedPointsMilli: e.points });
    else if (e.kind === EVENT_KINDS.void) add(t, { voids: e.n });
    else if (e.kind === EVENT_KINDS.override) add(t, { overrides: e.n });
    else add(t, { refusedRedemptions: e.n });
  }
  const totals = emptyTotals();
  for (const t of byCashier.values()) add(totals, t);

  const names = new Map((db.prepare('SELECT id, name FROM people').all() as { id: string; name: string }[]).map((p) => [p.id, p.name]));

  const byHour = db
    .prepare(
      `SELECT strftime('%H', s.created_at, @shift) AS hour, COUNT(*) AS redemptions,
              SUM(s.points_milli) AS points, SUM(COALESCE(s.discount_cents, 0)) AS discount
         FROM sales s WHERE s.created_at >= @from AND s.created_at < @to AND ${TAKEN}
        GROUP BY 1 ORDER BY 1`,
    )
    .all({ from, to, shift }) as { hour: string; redemptions: number; points: number; discount: number }[];

  const queued = db
    .prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(json_extract(payload, '$.pointsMilli')), 0) AS points FROM outbox WHERE state = 'pending'`)
    .get() as { n: number; points: number };
  const head = log.head();

  return {
    from,
    to,
    utcOffsetMinutes: opts.utcOffsetMinutes,
    currency: opts.currency,
    generatedAt: new Date(opts.now).toISOString(),
    totals,
    stillQueued: { rows: queued.n, pointsMilli: queued.points },
    needsAttention: opts.needsAttention,
    byCashier: [...byCashier.entries()]
      .map(([personId, t]) => ({ personId, name: names.get(personId) ?? null, ...t }))
      .sort((a, b) => (a.name ?? a.personId).localeCompare(b.name ?? b.personId)),
    byHour: byHour.map((h) => ({ hour: h.hour, redemptions: h.redemptions, pointsMilli: h.points ?? 0, discountCents: h.discount ?? 0 })),
    cardLinked: noticeTotals(db, opts.currency, { from, to }),
    logHead: head ?? { seq: 0, hash: '0'.repeat(64) },
  };
}
