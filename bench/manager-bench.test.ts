import { describe, expect, it } from 'vitest';
import { MANAGER_QUICK, runManagerBench } from './manager-bench.js';

describe('manager bench harness (small size, so it cannot rot)', () => {
  it('fills a verifiable log and reports every figure', async () => {
    const figures = await runManagerBench(MANAGER_QUICK);
    const names = figures.map((f) => f.name);
    expect(names.some((n) => n.startsWith('filtered page of 50, p95'))).toBe(true);
    expect(names.some((n) => n.startsWith('CSV export of all 3,00'))).toBe(true);
    expect(names).toContain('verify the chain (and the tail anchor)');
    for (const f of figures) expect(Number.isFinite(f.value)).toBe(true);
  }, 60_000);
});
