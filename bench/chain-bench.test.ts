import { describe, expect, it } from 'vitest';
import { CHAIN_QUICK, runChainBench } from './chain-bench.js';

describe('chain bench harness (small size, so it cannot rot)', () => {
  it('ships a filled log to a real PostgreSQL, times commits with and without shipping, verifies centrally', async () => {
    const figures = await runChainBench(CHAIN_QUICK);
    const byName = (start: string) => {
      const f = figures.find((x) => x.name.startsWith(start));
      if (!f) throw new Error(`no figure "${start}"`);
      return f.value;
    };
    for (const f of figures) expect(Number.isFinite(f.value), f.name).toBe(true);
    // Every entry (the fill plus the commits' entries) went: more than the fill alone.
    expect(figures[0]!.name).toMatch(/^shipped [\d,]+ entries/);
    expect(byName('shipped')).toBeGreaterThan(0);
    expect(byName('local commit p99, while shipping')).toBeGreaterThan(0);
    expect(byName('central verify, 4')).toBeGreaterThan(0);
  }, 120_000);
});
