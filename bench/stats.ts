/** Small statistics helpers for the benchmarks: medians and percentiles, not means (noisy machines). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const median = (s: readonly number[]): number => percentile(s, 50);

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** One line of benchmark output: name, figure, target, and whether it met it. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
}

export function printFigures(title: string, figures: Figure[]): void {
  console.log(`\n## ${title}`);
  for (const f of figures) {
    const v = f.unit === 'ms' ? f.value.toFixed(3) : f.unit === 'x' ? f.value.toFixed(2) : String(Math.round(f.value * 100) / 100);
    const verdict = f.ok === undefined ? '' : f.ok ? '  [meets target]' : '  [MISSES target]';
    console.log(`${f.name.padEnd(58)} ${v} ${f.unit}${f.target ? `   (target ${f.target})` : ''}${verdict}`);
  }
}

/** The figures as lines, for an assertion's message. */
export const shown = (figures: Figure[]): string => figures.map((f) => `${f.name}: ${f.value} ${f.unit}`).join('\n');

/** The value of the figure whose name starts with `start` (tests of the harnesses); throws naming the figures there are. */
export function byName(figures: Figure[], start: string): number {
  const f = figures.find((x) => x.name.startsWith(start));
  if (!f) throw new Error(`no figure "${start}" in:\n${shown(figures)}`);
  return f.value;
}
