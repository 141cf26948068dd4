/**
 * Page load to counter ready, A/B in one run (issue 18): two or more builds
 * of the renderer, each served by its own terminal (same sandbox, same
 * browser, same throttling, the terminals on one core), their loads
 * alternated one by one so the machine's load falls on all of them alike.
 * Each load is a fresh context (no cache), as in the low-end benchmark.
 * Prints, per build: the median time to counter ready and the median CPU of
 * the renderer's main thread over the load (a trace's task time: the figure
 * that holds whatever the machine's load), with every load's figures.
 *
 *   npx tsx bench/load-ab.ts [--rate 4] [--loads 7] [--loyalty uitpas] DIR_A DIR_B
 */
import { chromium } from '@playwright/test';
import { loadavg } from 'node:os';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { startBuildTerminals } from './build-terminals.js';
import { openThrottled } from './lowend-bench.js';
import { CHROMIUM_ARGS } from './scan-bench.js';
import { median } from './stats.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string', default: '4' },
    loads: { type: 'string', default: '7' },
    // The program decides the counter's first screen (UiTPAS: the reward step, as the low-end benchmark).
    loyalty: { type: 'string', default: 'uitpas' },
  },
});
if (positionals.length === 0) {
  console.error('usage: npx tsx bench/load-ab.ts [--rate 4] [--loads 7] [--loyalty uitpas] RENDERER_DIR...');
  process.exit(2);
}
const rate = Number(values.rate);
const dirs = positionals.map((d) => resolve(d));
const builds = await startBuildTerminals(dirs, { loyalty: values.loyalty!, tempPrefix: 'pwp-load-ab-' });
const { terminals } = builds;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  // One load each first, not counted: the terminals' and the browser's first-time costs.
  for (const t of terminals) await (await openThrottled(browser, t.openUrl, rate)).close();
  const results = dirs.map(() => ({ readyMs: [] as number[], cpuMs: [] as number[] }));
  const loads: number[] = [];
  for (let i = 0; i < Number(values.loads); i++) {
    for (const [k, t] of terminals.entries()) {
      const opened = await openThrottled(browser, t.openUrl, rate);
      results[k]!.readyMs.push(opened.readyMs);
      results[k]!.cpuMs.push(opened.readyCpuMs);
      loads.push(loadavg()[0]!);
      await opened.close();
    }
  }
  console.log(`${rate}x, ${values.loads} loads per build, alternated; load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  for (const [k, dir] of dirs.entries()) {
    const r = results[k]!;
    console.log(
      `  ${basename(dir).padEnd(24)} counter ready median ${median(r.readyMs).toFixed(0)} ms [${list(r.readyMs)}] | main-thread CPU median ${median(r.cpuMs).toFixed(0)} ms [${list(r.cpuMs)}]`,
    );
  }
} finally {
  await browser.close();
  await builds.stop();
}
