/**
 * The benchmarks at their --quick size, so the harness cannot rot (the full
 * sizes run with `npm run bench`, which prints each figure against its
 * target). Here, on a CI machine shared with the rest of the suite, figures
 * are held only to sanity bounds that catch a broken harness or engine (a
 * probe that never fires, a queue that never drains), not to the targets.
 */
import { expect, it } from 'vitest';
import { DRAIN_QUICK, runDrainBench } from './drain-bench.js';

it('drain benchmark (quick): drains, measures, and notices the backend coming back', async () => {
  const figures = await runDrainBench(DRAIN_QUICK);
  const shown = figures.map((f) => `${f.name}: ${f.value} ${f.unit}${f.ok === undefined ? '' : f.ok ? ' ok' : ' MISSED'}`).join('\n');
  for (const f of figures) expect(Number.isFinite(f.value), shown).toBe(true);
  const byName = (start: string) => figures.find((f) => f.name.startsWith(start))!;
  expect(byName('drain 200 rows').value).toBeGreaterThan(0);
  expect(byName('same requests, bare loop').value).toBeGreaterThan(0);
  expect(byName('peak RSS growth draining').value, shown).toBeLessThan(500);
  // Target 5 s (npm run bench); three times that means the probe or the wake-up is broken.
  expect(byName('backend back -> first queued redemption sent, worst').value, shown).toBeLessThan(15_000);
}, 60_000);
