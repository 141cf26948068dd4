import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/temp-dir.js';
import { LONGLOG_QUICK, runLongLogBench } from './longlog-bench.js';

describe('long-log bench harness (small size, so it cannot rot)', () => {
  it('fills a log, starts the terminal on it, pages, exports every entry, verifies, and times commits with and without the sealed head', async () => {
    const tmp = makeTempDir('pwp-longlog-');
    try {
      // The harness throws when the export loses rows, a filter finds nothing at size, or the chain does not verify.
      const figures = await runLongLogBench({ ...LONGLOG_QUICK, dir: tmp.dir });
      const byName = (prefix: string) => {
        const f = figures.find((x) => x.name.startsWith(prefix));
        if (!f) throw new Error(`no figure "${prefix}"`);
        return f;
      };
      for (const f of figures) expect(Number.isFinite(f.value), f.name).toBe(true);
      expect(byName('log of').value).toBeGreaterThanOrEqual(LONGLOG_QUICK.entries);
      expect(byName('CSV export of all').name).toContain(`${byName('log of').value.toLocaleString('en')} entries`);
      expect(byName('database size on disk').value).toBeGreaterThan(0);
      expect(byName('start-up (open, migrate, ready)').value).toBeGreaterThan(0);
      expect(byName('verify the whole chain, rate').value).toBeGreaterThan(0);
      // Both ways were timed, and the verdict follows the figure.
      expect(byName('commit of a redemption with the sealed head file following, p50').value).toBeGreaterThan(0);
      expect(byName("  the sealed head file's write after the commit, off the call, p50").value).toBeGreaterThan(0);
      expect(byName('commit without the sealed head file, p50').value).toBeGreaterThan(0);
      const page = byName('filtered page of 50, p95');
      expect(page.ok).toBe(page.value < 20);
    } finally {
      tmp.cleanup();
    }
  }, 180_000);
});
