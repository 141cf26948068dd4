/**
 * Scan (Enter) to balance, A/B in one run (issue 18): two or more builds of
 * the renderer, each served by its own terminal (same sandbox, same browser,
 * same throttling), timed in alternating rounds so the machine's load falls
 * on all of them alike. Prints, per build: painted p50/p95, in the DOM p50,
 * the identify call p50, the renderer main-thread CPU per scan (a trace's
 * task time: the figure that holds whatever the load) and the main-thread CPU
 * from Enter to the balance painted (the part the cashier waits for), p50.
 *
 *   npx tsx bench/scan-ab.ts --rate 4 --rounds 3 --scans 10 DIR_A DIR_B
 */
import { chromium } from '@playwright/test';
import { loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { startBuildTerminals } from './build-terminals.js';
import { openThrottled } from './lowend-bench.js';
import { mainThreadCpu } from './main-thread-cpu.js';
import { CHROMIUM_ARGS, startSale, timeScansToBalance, type ScanTiming } from './scan-bench.js';
import { median, percentile } from './stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    scans: { type: 'string', default: '10' },
  },
});
if (positionals.length === 0) {
  console.error('usage: npx tsx bench/scan-ab.ts [--rate 4] [--rounds 3] [--scans 10] RENDERER_DIR...');
  process.exit(2);
}
const rate = Number(values.rate);
const dirs = positionals.map((d) => resolve(d));
const builds = await startBuildTerminals(dirs, { loyalty: 'uitpas', tempPrefix: 'pwp-scan-ab-' });
const { terminals } = builds;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const results = dirs.map(() => ({ scans: [] as ScanTiming[], cpuMs: [] as number[], waitCpuMs: [] as number[] }));
  const loads: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [i, t] of terminals.entries()) {
      const { page, cdp, close } = await openThrottled(browser, t.openUrl, rate);
      await startSale(page);
      await timeScansToBalance(page, 0, 2);
      const n = Number(values.scans);
      const cpu = await mainThreadCpu(cdp, async () => void results[i]!.scans.push(...(await timeScansToBalance(page, n, 0))), {
        from: 'pwp-enter',
        to: 'pwp-balance-painted',
      });
      results[i]!.cpuMs.push(cpu.totalMs / n);
      results[i]!.waitCpuMs.push(...cpu.spansMs);
      loads.push(loadavg()[0]!);
      await close();
    }
  }
  console.log(
    `${rate}x, ${values.rounds} rounds of ${values.scans} scans per build; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  );
  for (const [i, dir] of dirs.entries()) {
    const s = results[i]!.scans;
    const f = (k: keyof ScanTiming) => median(s.map((x) => x[k]).filter(Number.isFinite)).toFixed(1);
    const p95 = percentile(
      s.map((x) => x.total),
      95,
    ).toFixed(1);
    const cpu = results[i]!.cpuMs.map((c) => c.toFixed(0)).join('/');
    const waitCpu = median(results[i]!.waitCpuMs).toFixed(1);
    console.log(
      `  ${basename(dir).padEnd(24)} painted p50 ${f('total')} p95 ${p95} | in DOM p50 ${f('dom')} | call p50 ${f('call')} | CPU per scan ${cpu} ms, Enter to painted p50 ${waitCpu} ms`,
    );
  }
} finally {
  await browser.close();
  await builds.stop();
}
