/**
 * What runs on the renderer's main thread between a USB scan's Enter and the
 * frame that shows the balance (issue 18), from a Chromium trace (Tracing
 * domain, devtools.timeline categories), not only JS samples: each top-level
 * task with what it did (key events, the identify call's answer, pushes from
 * the event stream, timers, React's work), style recalculations with the
 * elements they touched, layouts with their dirty objects, paints, and the
 * first frame painted after the balance reached the DOM. Requests the page
 * made during the scan are listed, so a call the balance waits on shows.
 *
 *   npx tsx bench/scan-trace.ts [--rate 4] [--scans 3] [--renderer-dir DIR] [--out /tmp/scan-traces]
 *
 * The trace files (open them in Chromium's DevTools, Performance panel) are
 * written to --out.
 */
import { chromium } from '@playwright/test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/server.js';
import { TID } from '../renderer/src/testids.js';
import { setUpStaff, startTerminal } from '../e2e/fixtures.js';
import { scanKeys } from '../e2e/scanner-keys.js';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { openThrottled } from './lowend-bench.js';
import { tid } from '../e2e/tid.js';
import { alternatingPassholders, armBalanceTimer, CHROMIUM_ARGS, startSale, timeScansToBalance } from './scan-bench.js';

interface TraceEvent {
  ph: string;
  name: string;
  cat: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: Record<string, unknown> & { name?: string; data?: Record<string, unknown>; beginData?: Record<string, unknown>; elementCount?: number };
}

const CATEGORIES = [
  '__metadata',
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing',
  'v8.execute',
  'loading',
];

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '4' },
    scans: { type: 'string', default: '3' },
    out: { type: 'string', default: join(tmpdir(), 'pwp-scan-traces') },
    'renderer-dir': { type: 'string' },
    // Also sample the JS (Profiler domain) and print the functions that took the most self time.
    js: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const out = values.out!;
mkdirSync(out, { recursive: true });

const ms = (us: number) => (us / 1000).toFixed(1);

/** What one top-level task did, in a few words. */
function describeTask(task: TraceEvent, inside: TraceEvent[]): string {
  const parts: string[] = [];
  for (const e of inside) {
    const d = e.args?.data ?? {};
    if (e.name === 'EventDispatch') parts.push(`event ${String(d.type)}`);
    else if (e.name === 'TimerFire') parts.push('timer');
    else if (e.name === 'FireAnimationFrame') parts.push('rAF');
    else if (e.name === 'ResourceReceiveResponse' || e.name === 'ResourceFinish' || e.name === 'ResourceReceivedData')
      parts.push(e.name.replace('Resource', ''));
    else if (e.name === 'FunctionCall') parts.push(`js ${ms(e.dur ?? 0)}${d.functionName ? ` ${String(d.functionName)}` : ''}`);
    else if (e.name === 'v8.run' || e.name === 'RunMicrotasks') parts.push(`${e.name} ${ms(e.dur ?? 0)}`);
    else if (e.name === 'UpdateLayoutTree') parts.push(`style ${ms(e.dur ?? 0)} (${String(e.args?.elementCount ?? '?')} el)`);
    else if (e.name === 'Layout') {
      const b = e.args?.beginData ?? {};
      parts.push(`layout ${ms(e.dur ?? 0)} (${String(b.dirtyObjects ?? '?')}/${String(b.totalObjects ?? '?')} obj${b.partialLayout ? ' partial' : ''})`);
    } else if (e.name === 'PrePaint' || e.name === 'Paint' || e.name === 'Layerize' || e.name === 'UpdateLayer' || e.name === 'CompositeLayers')
      parts.push(`${e.name} ${ms(e.dur ?? 0)}`);
    else if (e.name === 'ParseHTML' || e.name === 'InvalidateLayout' || e.name === 'ScheduleStyleRecalculation') parts.push(e.name);
    else if (e.name === 'XHRReadyStateChange' || e.name === 'EventSource') parts.push(e.name);
  }
  // Collapse runs of the same word
  const collapsed: string[] = [];
  for (const p of parts) {
    const last = collapsed[collapsed.length - 1];
    if (last && last.replace(/ x\d+$/, '') === p) {
      const n = Number(/ x(\d+)$/.exec(last)?.[1] ?? '1') + 1;
      collapsed[collapsed.length - 1] = `${p} x${n}`;
    } else collapsed.push(p);
  }
  return `${ms(task.dur ?? 0).padStart(6)} ms (cpu ${ms(task.tdur ?? 0).padStart(5)})  ${collapsed.join(', ')}`;
}

/** Main-thread CPU (ms) from Enter to the balance's paint, per scan: the page's own share of the wait, whatever the load. */
const cpuToPaint: number[] = [];

function analyse(events: TraceEvent[], label: string): string {
  const main = events.find(
    (e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'pwp-enter'),
  );
  if (!main) return `${label}: no renderer main thread with the marks`;
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid).sort((a, b) => a.ts - b.ts);
  const mark = (name: string) => events.find((e) => e.name === name && e.pid === main.pid)?.ts ?? NaN;
  const enter = mark('pwp-enter');
  const dom = mark('pwp-balance-dom');
  const painted = mark('pwp-balance-painted');
  const lines: string[] = [];
  // The first Paint on the main thread that starts after the balance reached the DOM: the frame that shows it.
  const paint = onMain.find((e) => e.name === 'Paint' && e.ts > dom);
  const presented = events
    .filter(
      (e) => e.pid === main.pid && (e.name === 'PipelineReporter' || e.name === 'DrawFrame' || e.name === 'Display::DrawAndSwap') && paint && e.ts > paint.ts,
    )
    .sort((a, b) => a.ts - b.ts)[0];
  lines.push(
    `${label}: Enter → balance in DOM ${ms(dom - enter)} ms, → its Paint on the main thread ${paint ? ms(paint.ts + (paint.dur ?? 0) - enter) : '?'} ms${presented ? `, → next frame event ${presented.name} ${ms(presented.ts - enter)} ms` : ''}; the bench's painted mark ${ms(painted - enter)} ms`,
  );
  const until = paint ? paint.ts + (paint.dur ?? 0) : dom;
  // Top-level tasks (some run as 'RunTask' without the ThreadControllerImpl wrapper); a nested one is in its parent.
  const tasks: TraceEvent[] = [];
  for (const e of onMain.filter((x) => x.ph === 'X' && (x.name === 'ThreadControllerImpl::RunTask' || x.name === 'RunTask'))) {
    const last = tasks[tasks.length - 1];
    if (last && e.ts < last.ts + (last.dur ?? 0)) continue;
    if (e.ts + (e.dur ?? 0) > enter && e.ts < until) tasks.push(e);
  }
  let busy = 0;
  let cpu = 0;
  const totals = new Map<string, number>();
  for (const t of tasks) {
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0));
    busy += t.dur ?? 0;
    cpu += t.tdur ?? 0;
    for (const e of inside) {
      const k =
        e.name === 'UpdateLayoutTree'
          ? 'style'
          : e.name === 'Layout'
            ? 'layout'
            : e.name === 'Paint' || e.name === 'PrePaint' || e.name === 'Layerize'
              ? 'paint'
              : e.name === 'FunctionCall' || e.name === 'EventDispatch' || e.name === 'TimerFire' || e.name === 'FireAnimationFrame'
                ? ''
                : e.name === 'v8.run' || e.name === 'RunMicrotasks'
                  ? 'microtasks'
                  : '';
      if (k) totals.set(k, (totals.get(k) ?? 0) + (e.dur ?? 0));
    }
    lines.push(`  +${ms(t.ts - enter).padStart(6)}  ${describeTask(t, inside)}`);
  }
  if (process.env.SCAN_TRACE_TREE) {
    // The tasks that took over 3 ms, as trees (what called what, with durations): where a forced layout sits.
    for (const t of tasks.filter((x) => (x.dur ?? 0) > 3000)) {
      lines.push(`  task at +${ms(t.ts - enter)}:`);
      const inside = onMain.filter((e) => e.ph === 'X' && e !== t && e.ts >= t.ts && e.ts < t.ts + (t.dur ?? 0) && (e.dur ?? 0) >= 500);
      const stack: TraceEvent[] = [];
      for (const e of inside) {
        while (stack.length && stack[stack.length - 1]!.ts + (stack[stack.length - 1]!.dur ?? 0) <= e.ts) stack.pop();
        const d = e.args?.data ?? {};
        const extra = d.functionName || d.type || d.url || '';
        lines.push(
          `    ${'  '.repeat(stack.length)}+${ms(e.ts - enter)} ${e.name} ${ms(e.dur ?? 0)}${extra ? ` ${String(extra).slice(-60)}` : ''}${
            d.stackTrace
              ? ` <- ${(d.stackTrace as { functionName: string }[])
                  .slice(0, 4)
                  .map((f) => f.functionName)
                  .join(' < ')}`
              : ''
          }`,
        );
        stack.push(e);
      }
    }
  }
  const requests = events
    .filter((e) => e.pid === main.pid && e.name === 'ResourceSendRequest' && e.ts > enter - 50_000 && e.ts < until + 200_000)
    .map((e) => `${String(e.args?.data?.url ?? '').replace(/^.*\/api\//, '')} at +${ms(e.ts - enter)}`);
  cpuToPaint.push(cpu / 1000);
  lines.push(`  tasks ${tasks.length}, wall ${ms(busy)} ms, cpu ${ms(cpu)} ms; ${[...totals].map(([k, v]) => `${k} ${ms(v)}`).join(', ')}`);
  lines.push(`  requests sent from 50 ms before Enter to 200 ms after the paint: ${requests.join('; ') || 'none'}`);
  return lines.join('\n');
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
}

/** Self time by function and inclusive time by function (a build with --minify false keeps component names). */
function topFunctions(profile: CpuProfile, top = 25, window?: [number, number]): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
  };
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window[0] || at > window[1])) return;
    const us = profile.timeDeltas[i + 1] ?? 0;
    self.set(name(id), (self.get(name(id)) ?? 0) + us);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = name(n);
      if (!seen.has(k)) total.set(k, (total.get(k) ?? 0) + us);
      seen.add(k);
    }
  });
  const list = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)') && !k.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `    ${(us / 1000).toFixed(1).padStart(7)} ms  ${k}`)
      .join('\n');
  return `  JS self time:\n${list(self)}\n  JS inclusive time:\n${list(total)}`;
}

const dataDir = mkdtempSync(join(tmpdir(), 'pwp-scan-trace-'));
const sandbox = await startSandbox({ port: 0 });
const rendererArgs = values['renderer-dir'] ? ['--renderer-dir', resolve(values['renderer-dir'])] : [];
const terminal = await startTerminal({ dataDir, backendUrl: sandbox.url, extraArgs: ['--loyalty', 'uitpas', ...rendererArgs], cpuList: '0' });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  await setUpStaff(terminal);
  console.log(`CPU throttled ${rate}x, terminal on one core; load average ${loadavg()[0]!.toFixed(1)}`);
  const { page, cdp } = await openThrottled(browser, terminal.openUrl, rate);
  await startSale(page);
  await timeScansToBalance(page, 0, 2);
  const { jan, other } = alternatingPassholders();
  for (let i = 0; i < Number(values.scans); i++) {
    const who = i % 2 === 0 ? jan : other;
    const timer = await armBalanceTimer(page, String(who.points * 1000));
    await page.waitForTimeout(200);
    const events: TraceEvent[] = [];
    const onData = (e: { value: object[] }) => events.push(...(e.value as TraceEvent[]));
    cdp.on('Tracing.dataCollected', onData);
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES }, transferMode: 'ReportEvents' });
    if (values.js) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    await scanKeys(page, who.uitpasNumber);
    const timing = await timer.done;
    await page.locator(`${tid(TID.counter)}[data-state="identified"]`).waitFor();
    await page.waitForTimeout(300);
    const profile = values.js ? ((await cdp.send('Profiler.stop')).profile as CpuProfile) : null;
    const complete = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
    await cdp.send('Tracing.end');
    await complete;
    cdp.off('Tracing.dataCollected', onData);
    writeFileSync(join(out, `scan-${rate}x-${i + 1}.json`), JSON.stringify({ traceEvents: events }));
    console.log(
      `\n## Scan ${i + 1}: bench timer ${timing.total.toFixed(1)} ms painted, ${timing.dom.toFixed(1)} ms in the DOM (call ${timing.call.toFixed(1)}, after ${timing.afterCall.toFixed(1)})`,
    );
    console.log(analyse(events, `scan ${i + 1}`));
    if (profile) {
      // The JS of the task that put the balance in the DOM (the answer's or a push's render), then of the whole scan.
      const dom = events.find((e) => e.name === 'pwp-balance-dom');
      const task =
        dom &&
        events.find(
          (e) =>
            e.ph === 'X' &&
            (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
            e.pid === dom.pid &&
            e.ts <= dom.ts &&
            e.ts + (e.dur ?? 0) >= dom.ts &&
            (e.dur ?? 0) > 1000,
        );
      const enterMark = events.find((e) => e.name === 'pwp-enter');
      const enterTask =
        enterMark &&
        events.find(
          (e) =>
            e.ph === 'X' &&
            (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
            e.pid === enterMark.pid &&
            e.ts <= enterMark.ts &&
            e.ts + (e.dur ?? 0) >= enterMark.ts &&
            (e.dur ?? 0) > 1000,
        );
      if (enterTask)
        console.log(
          `  the Enter's task from the Enter on (${ms(enterTask.ts + (enterTask.dur ?? 0) - enterMark!.ts)} ms):\n${topFunctions(profile, 30, [enterMark!.ts, enterTask.ts + (enterTask.dur ?? 0)])}`,
        );
      if (task)
        console.log(
          `  the task that put the balance in the DOM (${ms(task.dur ?? 0)} ms):\n${topFunctions(profile, 25, [task.ts, task.ts + (task.dur ?? 0)])}`,
        );
      console.log(`  the whole scan:\n${topFunctions(profile)}`);
    }
  }
  const sorted = [...cpuToPaint].sort((a, b) => a - b);
  console.log(
    `\nmain-thread CPU from Enter to the balance painted, per scan: ${cpuToPaint.map((c) => c.toFixed(0)).join(', ')} ms; median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms`,
  );
  console.log(`traces in ${out}`);
} finally {
  await browser.close();
  await terminal.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
}
