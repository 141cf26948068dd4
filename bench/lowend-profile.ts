/**
 * Where the time goes on a slow counter PC (issue 18): the page load to the
 * counter ready and one USB scan, each under CPU throttling (CDP), profiled
 * with the DevTools protocol's sampling profiler. Prints the page's own
 * timeline (scripts, the terminal's calls, first paint, counter ready), the
 * renderer's main-thread totals (script, style, layout) and the functions and
 * files that took the most time; writes the .cpuprofile files (open them in
 * Chromium's DevTools, Performance panel) to the folder given.
 *
 * With each phase it prints which React components rendered and how often
 * (react-renders.ts); --renderer-dir serves another build (e.g. one built
 * with `--minify false`, which keeps the components' names).
 *
 *   npx tsx bench/lowend-profile.ts [--rate 4] [--out /tmp/profiles] [--renderer-dir DIR]
 */
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/server.js';
import { TID } from '../renderer/src/testids.js';
import { setUpStaff, startTerminal } from '../e2e/fixtures.js';
import { scanKeys } from '../e2e/scanner-keys.js';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { COUNTER_READY_PROBE, waitForCounterReady } from './lowend-bench.js';
import { describeRenders, REACT_RENDER_PROBE, takeRenderCounts } from './react-renders.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { tid } from '../e2e/tid.js';
import { alternatingPassholders, armBalanceTimer, CHROMIUM_ARGS, startSale, timeCameraOpens } from './scan-bench.js';
import { fakeCameraArgs, writeFakeCamera } from '../e2e/fake-camera.js';
import { UITPAS_DEMO_PASSHOLDERS } from '../sandbox/uitpas/demo-data.js';

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

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '4' },
    out: { type: 'string', default: join(tmpdir(), 'pwp-profiles') },
    'renderer-dir': { type: 'string' },
  },
});
const rate = Number(values.rate);
const out = values.out!;
mkdirSync(out, { recursive: true });

/** Keypad taps on White Label: the time to the quote shown, its CPU profile and the renders per tap. */
async function profileKeypad(rate: number): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript({ content: COUNTER_READY_PROBE });
  await page.addInitScript({ content: REACT_RENDER_PROBE });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await page.goto(whitelabel.openUrl);
  await waitForCounterReady(page, rate);
  await startSale(page);
  const member = page.locator(tid(TID.memberInput));
  await member.fill(DEMO_MEMBERS.bram.cardNumber);
  await member.press('Enter');
  await page.locator(`${tid(TID.counter)}[data-state="identified"]`).waitFor();
  for (const digit of [3, 4, 5]) {
    await page.locator(tid(TID.keypad('clear'))).click();
    await page.locator(`${tid(TID.pointsTaken)}:not([data-milli="${digit * 1000}"])`).waitFor();
    await page.waitForTimeout(300);
    await takeRenderCounts(page);
    await cdp.send('Profiler.start');
    const shownMs = (await page.evaluate(`new Promise((resolve) => {
      const want = ${JSON.stringify(String(digit * 1000))};
      const taken = ${JSON.stringify(tid(TID.pointsTaken))};
      const obs = new MutationObserver(() => {
        if (document.querySelector(taken)?.getAttribute('data-milli') === want) { obs.disconnect(); resolve(performance.now() - t0); }
      });
      obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      const t0 = performance.now();
      document.querySelector(${JSON.stringify(tid(TID.keypad(String(digit))))}).click();
    })`)) as number;
    // The service's quote follows (debounced): its renders belong to the tap too.
    await page.locator(`${tid(TID.confirm)}:not([disabled])`).waitFor();
    await page.waitForTimeout(300);
    const profile = (await cdp.send('Profiler.stop')).profile as CpuProfile;
    writeFileSync(join(out, `keypad-${rate}x-${digit}.cpuprofile`), JSON.stringify(profile));
    console.log(`\n## Keypad ${digit}: tap to quote shown ${shownMs.toFixed(0)} ms (profile: tap to the service's quote + 300 ms)`);
    console.log(summarise(profile, 10));
    console.log(describeRenders(await takeRenderCounts(page)));
  }
  await context.close();
}

const dataDir = mkdtempSync(join(tmpdir(), 'pwp-profile-'));
const sandbox = await startSandbox({ port: 0 });
const rendererArgs = values['renderer-dir'] ? ['--renderer-dir', resolve(values['renderer-dir'])] : [];
const terminal = await startTerminal({ dataDir, backendUrl: sandbox.url, extraArgs: ['--loyalty', 'uitpas', ...rendererArgs], cpuList: '0' });
const wlDir = mkdtempSync(join(tmpdir(), 'pwp-profile-'));
// White Label: a points program, where the keypad chooses the points.
const whitelabel = await startTerminal({ dataDir: wlDir, backendUrl: sandbox.url, extraArgs: rendererArgs, cpuList: '0' });
const camera = writeFakeCamera({ kind: 'qr', text: UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber }, 'profile-qr');
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...fakeCameraArgs(camera)] });
try {
  await setUpStaff(terminal);
  await setUpStaff(whitelabel);
  console.log(`CPU throttled ${rate}x, terminal on one core; load average ${loadavg()[0]!.toFixed(1)}`);
  for (let round = 1; round <= 2; round++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, permissions: ['camera'] });
    const page = await context.newPage();
    await page.addInitScript({ content: COUNTER_READY_PROBE });
    await page.addInitScript({ content: REACT_RENDER_PROBE });
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
    console.log(describeRenders(await takeRenderCounts(page)));

    if (round === 2) {
      await startSale(page);
      await page.waitForTimeout(500);
      await takeRenderCounts(page);
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
        await page.waitForTimeout(300);
        console.log(describeRenders(await takeRenderCounts(page)));
      }
      // The camera: the first open loads its chunk; the next ones are what a cashier waits for.
      for (let i = 1; i <= 3; i++) {
        await cdp.send('Profiler.start');
        const [openMs] = await timeCameraOpens(page, 1);
        const cam = (await cdp.send('Profiler.stop')).profile as CpuProfile;
        writeFileSync(join(out, `camera-${rate}x-${i}.cpuprofile`), JSON.stringify(cam));
        console.log(
          `\n## Camera open ${i}${i === 1 ? ' (loads the chunk)' : ''}: open to decoded ${openMs!.toFixed(0)} ms (profile: to the dialog closed + 300 ms)`,
        );
        console.log(summarise(cam, 12));
        console.log(describeRenders(await takeRenderCounts(page)));
      }
    }
    await context.close();
  }
  await profileKeypad(rate);
  console.log(`\nprofiles in ${out}`);
} finally {
  await browser.close();
  rmSync(dirname(camera), { recursive: true, force: true });
  await whitelabel.stop();
  rmSync(wlDir, { recursive: true, force: true });
  await terminal.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
}
