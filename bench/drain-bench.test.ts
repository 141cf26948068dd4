/**
 * The benchmarks at their --quick size, so the harness cannot rot (the full
 * sizes run with `npm run bench`). Figures at this size are not held to the
 * targets, except those that do not depend on size.
 */
import { expect, it } from 'vitest';
import { DRAIN_QUICK, runDrainBench } from './drain-bench.js';

it('drain benchmark (quick): drains, measures, and the backend-back figure meets its target', async () => {
  const figures = await runDrainBench(DRAIN_QUICK);
  const shown = figures.map((f) => `${f.name}: ${f.value} ${f.unit}${f.ok === undefined ? '' : f.ok ? ' ok' : ' MISSED'}`).join('\n');
  for (const f of figures) expect(Number.isFinite(f.value), shown).toBe(true);
  const byName = (start: string) => figures.find((f) => f.name.startsWith(start))!;
  expect(byName('drain 200 rows').value).toBeGreaterThan(0);
  expect(byName('same requests, bare loop').value).toBeGreaterThan(0);
  expect(byName('peak RSS growth draining').ok, shown).toBe(true);
  expect(byName('backend back -> first queued redemption sent, worst').ok, shown).toBe(true);
}, 60_000);
