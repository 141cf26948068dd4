/**
 * Where the time goes on a slow counter PC (issue 18): the page load to the
 * counter ready and one USB scan, each under CPU throttling (CDP), profiled
 * with the DevTools protocol's sampling profiler. Prints the page's own
 * timeline (scripts, the terminal's calls, first paint, counter ready), the
 * renderer's main-thread totals (script, style, layout) and the functions and
 * files that took the most time; writes the .cpuprofile files (open them in
 * Chromium's DevTools, Performance panel) to the folder given.
 *
 *   npx tsx bench/lowend-profile.ts [--rate 4] [--out /tmp/profiles]
 */
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/server.js';
import { TID } from '../renderer/src/testids.js';
import { setUpStaff, startTerminal } from '../e2e/fixtures.js';
import { scanKeys } from '../e2e/scanner-keys.js';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { COUNTER_READY_PROBE, waitForCounterReady } from './lowend-bench.js';
import { alternatingPassholders, armBalanceTimer, CHROMIUM_ARGS, startSale } from './scan-bench.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Self time per function and per file (ms), from a sampling profile. */
function summarise(profile: CpuProfile, top = 15): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const where = f.url ? f.url.replace(/^.*\//, '') : `(${f.functionName || 'native'})`;
    const name = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    file.set(where, (file.get(where) ?? 0) + us);
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `    ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`)
      .join('\n');
  const total = (profile.endTime - profile.startTime) / 1000;
  return `  sampled ${total.toFixed(0)} ms\n  self time by file:\n${list(file)}\n  self time by function:\n${list(fn)}`;
}

async function mainThreadTotals(cdp: CDPSession): Promise<string> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const want = ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration', 'JSHeapUsedSize', 'Nodes'];
  return metrics
    .filter((m) => want.includes(m.name))
    .map(
      (m) =>
        `${m.name} ${m.name.endsWith('Duration') ? `${(m.value * 1000).toFixed(0)} ms` : m.name === 'Nodes' ? m.value : `${(m.value / 1048576).toFixed(1)} MB`}`,
    )
    .join(', ');
}

async function pageTimeline(page: Page): Promise<string> {
  const rows = (await page.evaluate(`(() => {
    const out = [];
    const nav = performance.getEntriesByType('navigation')[0];
    if (nav) out.push(['document', nav.startTime, nav.responseEnd], ['DOMContentLoaded', nav.domContentLoadedEventStart, nav.domContentLoadedEventEnd]);
    for (const r of performance.getEntriesByType('resource')) out.push([r.name.replace(/^.*\\/(api\\/)?/, '').replace(/\\?.*$/, ''), r.startTime, r.responseEnd]);
    for (const p of performance.getEntriesByType('paint')) out.push([p.name, p.startTime, p.startTime]);
    out.push(['counter ready', window.__counterReadyAt, window.__counterReadyAt]);
    return out.sort((a, b) => a[1] - b[1]);
  })()`)) as [string, number, number][];
  return rows.map(([name, start, end]) => `    ${start.toFixed(0).padStart(6)} - ${end.toFixed(0).padStart(6)} ms  ${name}`).join('\n');
}

const { values } = parseArgs({ options: { rate: { type: 'string', default: '4' }, out: { type: 'string', default: join(tmpdir(), 'pwp-profiles') } } });
const rate = Number(values.rate);
const out = values.out!;
mkdirSync(out, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'pwp-profile-'));
const sandbox = await startSandbox({ port: 0 });
const terminal = await startTerminal({ dataDir, backendUrl: sandbox.url, extraArgs: ['--loyalty', 'uitpas'], cpuList: '0' });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  await setUpStaff(terminal);
  console.log(`CPU throttled ${rate}x, terminal on one core; load average ${loadavg()[0]!.toFixed(1)}`);
  for (let round = 1; round <= 2; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.addInitScript({ content: COUNTER_READY_PROBE });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate });
    await cdp.send('Performance.enable');
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
    await page.goto(terminal.openUrl);
    const readyMs = await waitForCounterReady(page, rate);
    const load = (await cdp.send('Profiler.stop')).profile as CpuProfile;
    writeFileSync(join(out, `load-${rate}x-${round}.cpuprofile`), JSON.stringify(load));
    console.log(`\n## Page load ${round} to counter ready: ${readyMs.toFixed(0)} ms`);
    console.log(`  timeline (page clock):\n${await pageTimeline(page)}`);
    console.log(`  main thread: ${await mainThreadTotals(cdp)}`);
    console.log(summarise(load));

    if (round === 2) {
      await startSale(page);
      const { jan, other } = alternatingPassholders();
      for (const [i, who] of [jan, other, jan].entries()) {
        const timer = await armBalanceTimer(page, String(who.points * 1000));
        await page.waitForTimeout(200);
        await cdp.send('Profiler.start');
        await scanKeys(page, who.uitpasNumber);
        const timing = await timer.done;
        const scan = (await cdp.send('Profiler.stop')).profile as CpuProfile;
        writeFileSync(join(out, `scan-${rate}x-${i + 1}.cpuprofile`), JSON.stringify(scan));
        console.log(
          `\n## Scan ${i + 1}: Enter to balance ${timing.total.toFixed(0)} ms (before the call ${timing.beforeCall.toFixed(0)}, call ${timing.call.toFixed(0)}, after ${timing.afterCall.toFixed(0)})`,
        );
        console.log(summarise(scan, 10));
        await page.locator(`[data-testid="${TID.counter}"][data-state="identified"]`).waitFor();
      }
    }
    await context.close();
  }
  console.log(`\nprofiles in ${out}`);
} finally {
  await browser.close();
  await terminal.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
}
