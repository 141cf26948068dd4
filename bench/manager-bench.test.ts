import { describe, expect, it } from 'vitest';
import { MANAGER_QUICK, runManagerBench } from './manager-bench.js';

describe('manager bench harness (small size, so it cannot rot)', () => {
  it('fills a verifiable log, exports every entry, finds what the common filters ask for, and reports every figure', async () => {
    // The harness throws when the export loses rows, a filter finds nothing or the chain does not verify.
    const figures = await runManagerBench(MANAGER_QUICK);
    const byName = (prefix: string) => figures.find((f) => f.name.startsWith(prefix));
    const filled = Number(/with ([\d,]+) entries/.exec(byName('log filled with')!.name)![1]!.replace(/,/g, ''));
    expect(filled).toBeGreaterThanOrEqual(MANAGER_QUICK.entries);
    const exported = Number(/all ([\d,]+) entries/.exec(byName('CSV export of all')!.name)![1]!.replace(/,/g, ''));
    expect(exported).toBe(filled);
    const page = byName('filtered page of 50, p95')!;
    expect(page.value).toBeGreaterThan(0);
    expect(page.ok).toBe(page.value < 20);
    expect(byName('verify the chain')!.value).toBeGreaterThan(0);
    // The common filters find a full first page even in the small log.
    for (const shape of ['person', 'kind (common)', 'one day']) expect(byName(`  ${shape}, p95`)!.name).toContain('(50 on the first page)');
  }, 120_000);
});
