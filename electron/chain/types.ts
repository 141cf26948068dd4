/** What a terminal ships: one log entry as its SQLite holds it, and one day's end-of-day figures. */
import type { ShippingState } from '../../shared/contract/shipping.js';
import type { LogRow } from '../store/log-row.js';

export type { ShippingState };

/** A shipped entry is a log row exactly as the terminal's `log` table holds it (its hash covers the fields). */
export type ShippedEntry = LogRow;

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
