/** What a terminal ships: one log entry as its SQLite holds it, and one day's end-of-day figures. */
import type { ShippingState } from '../../shared/contract/shipping.js';

export type { ShippingState };

/** A log row exactly as the terminal's `log` table holds it (the hash covers these fields). */
export interface ShippedEntry {
  seq: number;
  at: string;
  terminal_id: string;
  actor: string;
  sale_id: string | null;
  kind: string;
  points_milli: number | null;
  amount_cents: number | null;
  currency: string | null;
  outcome: string;
  member_masked: string | null;
  member_hash: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

export const DAY_FIGURES = [
  'redemptions',
  'points_milli',
  'discount_cents',
  'refunds',
  'refunded_cents',
  'refunded_points_milli',
  'voids',
  'overrides',
  'offline_accepted',
  'refused_redemptions',
] as const;
export type DayFigure = (typeof DAY_FIGURES)[number];

/** One terminal's end of day for one local day, as shipped. */
export interface ShippedDay {
  day: string; // YYYY-MM-DD, the terminal's local day
  store_id: string;
  utc_offset_minutes: number;
  day_from: string; // ISO
  day_to: string; // ISO
  currency: string;
  figures: Record<DayFigure, number>;
  /** The day's last log entry (0 and the genesis hash before the first). */
  log_seq: number;
  log_hash: string;
  figures_hash: string;
}

export function disabledState(): ShippingState {
  return {
    enabled: false,
    target: null,
    connected: false,
    shippedSeq: 0,
    shippedAt: null,
    headSeq: 0,
    lagEntries: 0,
    lagSeconds: 0,
    lastDayShipped: null,
    lastError: null,
    conflicts: [],
  };
}
