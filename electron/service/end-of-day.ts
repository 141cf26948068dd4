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
import type { EndOfDayManagerRow, EndOfDaySummary, EndOfDayTotals } from '../../shared/contract/manager.js';
import type { Db } from '../store/db.js';
import type { LogQuery } from './log-query.js';
import { noticeTotals } from './offers/notice-store.js';

/**
 * The redemption the program refused, decided by the sale's last redeem row:
 * closed as refused, withdrawn by a void before it was sent, or set aside for
 * a person after an offline acceptance with a refusal (not an unknown outcome).
 */
const REDEEM_ROW = `(SELECT o.state FROM outbox o WHERE o.sale_id = s.id AND o.kind = 'redeem' ORDER BY o.id DESC LIMIT 1)`;
const NOT_TAKEN_ROW = `(${REDEEM_ROW} IN ('refused', 'cancelled') OR (${REDEEM_ROW} = 'attention' AND s.offline_accepted = 1 AND COALESCE(json_extract(s.error_json, '$.code'), 'OUTCOME_UNKNOWN') <> 'OUTCOME_UNKNOWN'))`;
/** Points taken (or accepted offline and not refused since): what the day's redemptions are. */
const TAKEN = `(s.points_milli IS NOT NULL AND (s.state IN ('posted', 'paid', 'voided') OR s.offline_accepted = 1) AND NOT COALESCE(${NOT_TAKEN_ROW}, 0))`;

/** A void gave points back only when the program had taken them (not withdrawn, not refused). */
const VOID_GAVE_BACK = `(json_extract(l.detail, '$.withdrawn') IS NULL AND json_extract(l.detail, '$.compensation') IS NULL AND COALESCE(json_extract(l.detail, '$.after'), '') <> 'no points were taken')`;
/** The discount's share of the points an event gave back (a part refund gives back part of the points). */
const DISCOUNT_SHARE = `CASE WHEN s.points_milli > 0 THEN ROUND(COALESCE(s.discount_cents, 0) * 1.0 * COALESCE(l.points_milli, 0) / s.points_milli) ELSE 0 END`;

const EVENT_KINDS = {
  refund: 'sale.refunded',
  void: 'sale.voided',
  override: 'offline.override',
  refused: ['redeem.refused', 'redeem.at-risk', 'redeem.attention'],
} as const;

/** redeem.attention is a refusal only after an offline acceptance with a known refusal (else: outcome unknown). */
const REFUSAL_EVENT = `(l.kind IN ('redeem.refused', 'redeem.at-risk') OR (l.kind = 'redeem.attention' AND s.offline_accepted = 1 AND l.outcome <> 'OUTCOME_UNKNOWN'))`;

export function emptyTotals(): EndOfDayTotals {
  return {
    redemptions: 0,
    pointsMilli: 0,
    discountCents: 0,
    refunds: 0,
    refundedCents: 0,
    refundedPointsMilli: 0,
    refundedDiscountCents: 0,
    voids: 0,
    voidedPointsMilli: 0,
    voidedDiscountCents: 0,
    overrides: 0,
    offlineAccepted: 0,
    refusedRedemptions: 0,
    refusedPointsMilli: 0,
    atRiskCents: 0,
    netPointsMilli: 0,
    netDiscountCents: 0,
  };
}

function add(a: EndOfDayTotals, b: Partial<EndOfDayTotals>): void {
  for (const k of Object.keys(b) as (keyof EndOfDayTotals)[]) a[k] += b[k] ?? 0;
}

/** Net = taken, less what voids and refunds gave back. */
function settle(t: EndOfDayTotals): EndOfDayTotals {
  t.netPointsMilli = t.pointsMilli - t.refundedPointsMilli - t.voidedPointsMilli;
  t.netDiscountCents = t.discountCents - t.refundedDiscountCents - t.voidedDiscountCents;
  return t;
}

export interface EndOfDayContext {
  from: string;
  to: string;
  utcOffsetMinutes: number;
  currency: string;
  now: number;
  needsAttention: number;
  /** For the printed report (absent: none, not training, no tampering found). */
  terminalName?: string;
  training?: boolean;
  logTampered?: EndOfDaySummary['logTampered'];
}

export function endOfDay(db: Db, log: LogQuery, opts: EndOfDayContext): EndOfDaySummary {
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
      `SELECT COALESCE(s.cashier, l.actor) AS cashier, json_extract(l.detail, '$.managerId') AS manager, l.kind AS kind,
              COUNT(*) AS n, COALESCE(SUM(l.amount_cents), 0) AS cents, COALESCE(SUM(l.points_milli), 0) AS points,
              COALESCE(SUM(CASE WHEN l.kind = @void AND NOT ${VOID_GAVE_BACK} THEN 0 ELSE l.points_milli END), 0) AS givenBack,
              COALESCE(SUM(CASE WHEN l.kind = @void AND NOT ${VOID_GAVE_BACK} THEN 0 ELSE ${DISCOUNT_SHARE} END), 0) AS discountBack,
              COALESCE(SUM(CASE WHEN s.offline_accepted = 1 THEN l.amount_cents ELSE 0 END), 0) AS atRisk
         FROM log l LEFT JOIN sales s ON s.id = l.sale_id
        WHERE (l.kind IN (@refund, @void, @override) OR ${REFUSAL_EVENT}) AND ${timeWhere}
        GROUP BY 1, 2, 3`,
    )
    .all({
      from,
      to,
      lo: range?.lo ?? 0,
      hi: range?.hi ?? 0,
      refund: EVENT_KINDS.refund,
      void: EVENT_KINDS.void,
      override: EVENT_KINDS.override,
    }) as {
    cashier: string;
    manager: string | null;
    kind: string;
    n: number;
    cents: number;
    points: number;
    givenBack: number;
    discountBack: number;
    atRisk: number;
  }[];

  const byCashier = new Map<string, EndOfDayTotals>();
  const of = (id: string) => {
    let t = byCashier.get(id);
    if (!t) byCashier.set(id, (t = emptyTotals()));
    return t;
  };
  for (const r of sales)
    add(of(r.cashier), { redemptions: r.redemptions ?? 0, pointsMilli: r.points ?? 0, discountCents: r.discount ?? 0, offlineAccepted: r.offline ?? 0 });
  const byManager = new Map<string, EndOfDayManagerRow>();
  const managerRow = (id: string) => {
    let m = byManager.get(id);
    if (!m) byManager.set(id, (m = { personId: id, name: null, voids: 0, voidedPointsMilli: 0, refunds: 0, refundedCents: 0, refundedPointsMilli: 0 }));
    return m;
  };
  for (const e of events) {
    const t = of(e.cashier);
    if (e.kind === EVENT_KINDS.refund) {
      add(t, { refunds: e.n, refundedCents: e.cents, refundedPointsMilli: e.points, refundedDiscountCents: e.discountBack });
      if (e.manager) {
        const m = managerRow(e.manager);
        m.refunds += e.n;
        m.refundedCents += e.cents;
        m.refundedPointsMilli += e.points;
      }
    } else if (e.kind === EVENT_KINDS.void) {
      add(t, { voids: e.n, voidedPointsMilli: e.givenBack, voidedDiscountCents: e.discountBack });
      if (e.manager) {
        const m = managerRow(e.manager);
        m.voids += e.n;
        m.voidedPointsMilli += e.givenBack;
      }
    } else if (e.kind === EVENT_KINDS.override) add(t, { overrides: e.n });
    else add(t, { refusedRedemptions: e.n, refusedPointsMilli: e.points, atRiskCents: e.atRisk });
  }
  for (const t of byCashier.values()) settle(t);
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
    byManager: [...byManager.values()]
      .map((m) => ({ ...m, name: names.get(m.personId) ?? null }))
      .sort((a, b) => (a.name ?? a.personId).localeCompare(b.name ?? b.personId)),
    terminalName: opts.terminalName ?? '',
    training: opts.training ?? false,
    logTampered: opts.logTampered ?? null,
    byHour: byHour.map((h) => ({ hour: h.hour, redemptions: h.redemptions, pointsMilli: h.points ?? 0, discountCents: h.discount ?? 0 })),
    cardLinked: noticeTotals(db, opts.currency, { from, to }),
    logHead: head ?? { seq: 0, hash: '0'.repeat(64) },
  };
}
