/** The end of day's hourly bar chart: the numbers behind the SVG (no chart library). */
import type { EndOfDaySummary } from '../../../../shared/contract/manager';

export type HourRow = EndOfDaySummary['byHour'][number];

/** All 24 hours, in order, with zeros where nothing happened. */
export function fullDay(byHour: readonly HourRow[]): HourRow[] {
  const by = new Map(byHour.map((h) => [h.hour.padStart(2, '0'), h]));
  return Array.from({ length: 24 }, (_, i) => {
    const hour = String(i).padStart(2, '0');
    return by.get(hour) ?? { hour, redemptions: 0, pointsMilli: 0, discountCents: 0 };
  });
}

/** The axis top: the smallest 1, 2 or 5 times a power of ten at or above `max` (at least 1). */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

/** Axis labels from 0 to top, whole numbers only. */
export function ticks(top: number): number[] {
  if (top <= 5) return Array.from({ length: top + 1 }, (_, i) => i);
  const step = top / 5;
  return Array.from({ length: 6 }, (_, i) => Math.round(i * step));
}

export interface Bar {
  hour: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  top: number;
  ticks: { value: number; y: number }[];
  bars: Bar[];
}

/** Bars of `value(row)` for each hour in a width x height box. */
export function layoutBars(rows: readonly HourRow[], value: (r: HourRow) => number, width = 720, height = 240): ChartGeometry {
  const plot = { left: 44, top: 12, right: width - 8, bottom: height - 28 };
  const values = rows.map(value);
  const top = niceMax(Math.max(0, ...values));
  const slot = (plot.right - plot.left) / Math.max(1, rows.length);
  const gap = Math.min(6, slot * 0.2);
  const scale = (v: number) => ((plot.bottom - plot.top) * v) / top;
  return {
    width,
    height,
    plot,
    top,
    ticks: ticks(top).map((v) => ({ value: v, y: plot.bottom - scale(v) })),
    bars: rows.map((r, i) => {
      const v = values[i]!;
      const h = scale(v);
      return { hour: r.hour, value: v, x: plot.left + i * slot + gap / 2, y: plot.bottom - h, width: slot - gap, height: h };
    }),
  };
}
