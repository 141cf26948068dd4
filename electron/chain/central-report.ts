/**
 * `chain report --day YYYY-MM-DD`: the chain's end of day as CSV, one line
 * per store (its terminals' shipped end-of-day figures summed) and one total
 * line per currency, in the desk's CSV conventions (UTF-8 with BOM, amounts in
 * currency units, points as decimals, text cells neutralised against formula
 * injection). `entries` counts the log entries the chain holds for that day,
 * a cross-check that the store's terminals shipped their day.
 */
import type { ClientBase } from 'pg';
import { centsToDecimalString, formatPoints } from '../../shared/money.js';
import { csvLines, neutralise } from '../service/csv-cells.js';
import { BOM } from '../service/csv-export.js';
import { DAY_FIGURES } from './types.js';

/** The columns a total line sums over its stores. */
const SUMMED = ['terminals', 'entries', ...DAY_FIGURES] as const;

export const REPORT_HEADER = [
  'level',
  'day',
  'store_id',
  'store_name',
  'currency',
  'terminals',
  'entries',
  'redemptions',
  'points',
  'discount',
  'refunds',
  'refunded',
  'refunded_points',
  'voids',
  'overrides',
  'offline_accepted',
  'refused_redemptions',
];

interface Row {
  day: string;
  store_id: string | null;
  store_name: string | null;
  currency: string;
  terminals: string;
  entries: string;
  redemptions: string;
  points_milli: string;
  discount_cents: string;
  refunds: string;
  refunded_cents: string;
  refunded_points_milli: string;
  voids: string;
  overrides: string;
  offline_accepted: string;
  refused_redemptions: string;
}

export interface DayReport {
  csv: string;
  stores: number;
  /** Terminals with entries that day whose end of day is not in the chain (yet). */
  missing: string[];
}

export async function chainDayReport(client: ClientBase, day: string): Promise<DayReport> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new Error(`--day must be a date YYYY-MM-DD (got ${day})`);
  // Entries per store for the day, each terminal over its own day bounds (its time zone).
  const entries = `(SELECT count(*) FROM pwp.entries e JOIN pwp.day_totals dt ON dt.terminal_id = e.terminal_id AND dt.day = $1::date
                     JOIN pwp.terminals tt ON tt.terminal_id = e.terminal_id
                    WHERE tt.store_id = s.store_id AND e.at >= to_char(dt.day_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                      AND e.at < to_char(dt.day_to AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`;
  const stores = (
    await client.query<Row>(
      `SELECT s.day::text AS day, s.store_id, s.store_name, s.currency, s.terminals, ${entries} AS entries, ${DAY_FIGURES.map((f) => `s.${f}`).join(', ')} FROM pwp.store_day_totals s WHERE s.day = $1::date ORDER BY s.store_id, s.currency`,
      [day],
    )
  ).rows;
  const lines: string[][] = [REPORT_HEADER];
  const totals = new Map<string, Row>();
  for (const r of stores) {
    lines.push(cells('store', r));
    const t = totals.get(r.currency) ?? { ...r, store_id: null, store_name: null, ...Object.fromEntries(SUMMED.map((k) => [k, '0'])) };
    for (const k of SUMMED) {
      t[k] = String(Number(t[k]) + Number(r[k]));
    }
    totals.set(r.currency, t);
  }
  for (const t of totals.values()) lines.push(cells('chain', t));
  const missing = (
    await client.query<{ terminal_id: string }>(
      `SELECT DISTINCT e.terminal_id FROM pwp.entries e
        WHERE e.at >= $2 AND e.at < $3
          AND NOT EXISTS (SELECT 1 FROM pwp.day_totals d WHERE d.terminal_id = e.terminal_id AND d.day = $1::date)
        ORDER BY 1`,
      // Generous bounds (any time zone) for "had entries that day".
      [day, new Date(Date.parse(`${day}T00:00:00Z`) - 14 * 3600_000).toISOString(), new Date(Date.parse(`${day}T00:00:00Z`) + 38 * 3600_000).toISOString()],
    )
  ).rows.map((r) => r.terminal_id);
  return { csv: BOM + csvLines(lines, ','), stores: stores.length, missing };
}

function cells(level: 'store' | 'chain', r: Row): string[] {
  const n = (v: string) => String(Number(v));
  return [
    level,
    r.day,
    neutralise(r.store_id),
    neutralise(r.store_name),
    neutralise(r.currency),
    n(r.terminals),
    n(r.entries),
    n(r.redemptions),
    formatPoints(Number(r.points_milli)),
    centsToDecimalString(Number(r.discount_cents)),
    n(r.refunds),
    centsToDecimalString(Number(r.refunded_cents)),
    formatPoints(Number(r.refunded_points_milli)),
    n(r.voids),
    n(r.overrides),
    n(r.offline_accepted),
    n(r.refused_redemptions),
  ];
}
