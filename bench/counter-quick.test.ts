/**
 * The counter benchmark (bench/counter-bench.ts) at its --quick size, so its harness
 * cannot rot.
 * Figures here are held to sanity bounds that catch a broken harness, not to
 * the targets: this machine is shared with the rest of the suite. One file per
 * harness, so vitest runs them side by side.
 */
import { expect, it } from 'vitest';
import { COUNTER_QUICK, runCounterBench } from './counter-bench.js';
import { byName, shown } from './stats.js';

it('counter benchmark (quick): commits, identifies through a remote sandbox, starts cold', async () => {
  const figures = await runCounterBench(COUNTER_QUICK);
  for (const f of figures) expect(Number.isFinite(f.value), shown(figures)).toBe(true);
  expect(byName(figures, 'local commit of a redemption, median')).toBeGreaterThan(0);
  // The injected latency is in the figure: below it, the latency was not applied; far above, the harness is broken.
  expect(byName(figures, 'identify-to-balance, median')).toBeGreaterThanOrEqual(COUNTER_QUICK.latencyMs);
  expect(byName(figures, 'identify-to-balance, median')).toBeLessThan(COUNTER_QUICK.latencyMs * 10);
  expect(byName(figures, 'service cold start')).toBeLessThan(5_000);
}, 60_000);
