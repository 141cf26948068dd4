/**
 * Issue 18's "memory over a shift": the whole terminal (its service process
 * and the renderer's tab) after a shift's worth of sales through the UI,
 * redemptions (basket, member, keypad, confirm, paid) with a desk page view
 * every few sales, as a manager who also serves.
 *
 * What is measured, and why this way:
 * - the service is the web host (one Node process, bundled: no tsx loader
 *   beside it) started with `--inspect` on loopback, so a full garbage
 *   collection can be forced before each sample and its heap read;
 * - the renderer is the one tab's process, in a Chromium of its own with the
 *   spare renderer (a process Chromium keeps warm for the next navigation)
 *   turned off, found by its pid (theTabsProcess); the earlier figure summed
 *   every renderer of the browser, spare included. The tab is driven over the
 *   DevTools protocol without Playwright (raw-tab.ts: Playwright's Network
 *   domain keeps every response body in the renderer). Its JS heap and DOM
 *   counters are read after HeapProfiler.collectGarbage;
 * - resident memory is PSS (shared pages split between the processes that
 *   map them) and RSS, of each process by its pid, the median of three reads;
 * - samples after the first `baselineAfter` sales, then every 100 and at the
 *   end; growth is counted from the first of those.
 *
 * With `snapshotDir`, heap snapshots of both processes are written at the
 * baseline and at the end, and the constructors that grew most are printed,
 * with what each of the tab's allocators (Chromium's memory-infra: partition
 * alloc, malloc, v8, Oilpan, cc, skia...) grew; the baseline is then sampled
 * after its snapshots (see below).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID, TID } from '../renderer/src/testids.js';
import { startTerminal, STAFF, type TerminalProcess } from '../e2e/fixtures.js';
import { freePort } from '../e2e/sandbox-cli.js';
import { tid } from '../e2e/tid.js';
import { bundleWebHost } from '../test/web-host-bundle.js';
import { CHROMIUM_ARGS } from './scan-bench.js';
import { openRawTab, type RawTab } from './raw-tab.js';
import {
  chromiumAllocators,
  commandLine,
  connectCdp,
  connectNodeInspector,
  descendants,
  heapGrowth,
  processMemory,
  summarizeHeapSnapshot,
  writeHeapSnapshot,
  type CdpClient,
  type ProcessMemory,
} from './process-memory.js';
import { median, nowMs, type Figure } from './stats.js';

export interface ShiftOptions {
  redemptions: number;
  deskViews: number;
  /** Growth is counted from the sample taken after this many sales. */
  baselineAfter: number;
  /** Cores the terminal's service process may use (`taskset -c`); null: all. */
  cpuList: string | null;
  rendererDir?: string;
  /** Where to write heap snapshots at the baseline and at the end (none if absent). */
  snapshotDir?: string;
}

export const SHIFT_GROWTH_TARGET_MB = 20;

interface Sample {
  sales: number;
  service: ProcessMemory & { heapUsedMb: number; heapTotalMb: number };
  renderer: ProcessMemory & { jsHeapUsedMb: number; jsHeapTotalMb: number; nodes: number; listeners: number; documents: number };
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export async function runShiftBench(o: ShiftOptions, sandboxUrl: string, dataDir: string, progress: (m: string) => void = () => {}): Promise<Figure[]> {
  const bundle = await bundleWebHost(`shift-${process.pid}-${Date.now()}`);
  const inspectPort = await freePort();
  let terminal: TerminalProcess | null = null;
  let inspector: CdpClient | null = null;
  let tab: RawTab | null = null;
  let browser = null as CdpClient | null; // connected at the first memory dump (a closure assigns it)
  try {
    terminal = await startTerminal({
      dataDir,
      backendUrl: sandboxUrl,
      bundle: bundle.file,
      nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
      extraArgs: o.rendererDir ? ['--renderer-dir', o.rendererDir] : [],
      cpuList: o.cpuList ?? undefined,
    });
    const t = terminal;
    const manager = await t.call<{ id: string }>('createFirstManager', STAFF.manager);
    await t.call('signIn', { personId: manager.id, pin: STAFF.manager.pin });
    inspector = await connectNodeInspector(inspectPort);
    const service = inspector;
    await service.send('Runtime.enable');

    tab = await openRawTab(t.openUrl, [...CHROMIUM_ARGS, '--disable-features=SpareRendererForSitePerProcess']);
    const page = tab;
    await page.cdp.send('Performance.enable');
    await page.waitFor(tid(TID.basketInput));
    const rendererPid = await theTabsProcess(page);

    const sample = async (sales: number): Promise<Sample> => {
      // Twice: the first collection can leave garbage that only finalizers freed.
      for (let i = 0; i < 2; i++) {
        await page.cdp.send('HeapProfiler.collectGarbage');
        await service.send('HeapProfiler.collectGarbage');
      }
      const { metrics } = await page.cdp.send<{ metrics: { name: string; value: number }[] }>('Performance.getMetrics');
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      const dom = await page.cdp.send<{ nodes: number; jsEventListeners: number; documents: number }>('Memory.getDOMCounters');
      const heap = await service.send<{ result: { value: { heapUsed: number; heapTotal: number } } }>('Runtime.evaluate', {
        expression: '(({ heapUsed, heapTotal }) => ({ heapUsed, heapTotal }))(process.memoryUsage())',
        returnByValue: true,
      });
      const reads = { service: [] as ProcessMemory[], renderer: [] as ProcessMemory[] };
      for (let i = 0; i < 3; i++) {
        if (i > 0) await sleep(200);
        reads.service.push(processMemory(t.child.pid!));
        reads.renderer.push(processMemory(rendererPid));
      }
      const med = (xs: ProcessMemory[]): ProcessMemory => ({
        pssMb: median(xs.map((x) => x.pssMb)),
        rssMb: median(xs.map((x) => x.rssMb)),
        ownMb: median(xs.map((x) => x.ownMb)),
        pssFileMb: median(xs.map((x) => x.pssFileMb)),
      });
      return {
        sales,
        service: { ...med(reads.service), heapUsedMb: mb(heap.result.value.heapUsed), heapTotalMb: mb(heap.result.value.heapTotal) },
        renderer: {
          ...med(reads.renderer),
          jsHeapUsedMb: mb(metric('JSHeapUsedSize')),
          jsHeapTotalMb: mb(metric('JSHeapTotalSize')),
          nodes: dom.nodes,
          listeners: dom.jsEventListeners,
          documents: dom.documents,
        },
      };
    };
    const allocators: Map<string, number>[] = [];
    const snapshots = async (label: string) => {
      if (!o.snapshotDir) return;
      // First, before a heap snapshot's own allocations are in the tab.
      browser ??= await connectCdp(page.browserWsUrl);
      allocators.push(await chromiumAllocators(browser, rendererPid));
      await writeHeapSnapshot(page.cdp, join(o.snapshotDir, `renderer-${label}.heapsnapshot`));
      await writeHeapSnapshot(service, join(o.snapshotDir, `service-${label}.heapsnapshot`));
    };

    const samples: Sample[] = [await sample(0)];
    const saleMs: number[] = [];
    const tabs = ['sales', 'log', 'attention', 'end-of-day', 'queue'];
    const deskEvery = Math.max(1, Math.floor(o.redemptions / Math.max(1, o.deskViews)));
    let deskViews = 0;
    for (let i = 1; i <= o.redemptions; i++) {
      const began = nowMs();
      await page.fill(tid(TID.basketInput), '10');
      await page.pressEnter();
      await page.waitFor(`${tid(TID.counter)}[data-state="open"]`);
      await page.fill(tid(TID.memberInput), DEMO_MEMBERS.bram.cardNumber);
      await page.pressEnter();
      await page.waitFor(`${tid(TID.counter)}[data-state="identified"]`);
      await page.click(tid(TID.keypad('1')));
      await page.click(`${tid(TID.confirm)}:not([disabled])`);
      await page.click(tid(TID.paid));
      await page.waitFor(`${tid(TID.counter)}[data-state="paid"], ${tid(TID.counter)}[data-state="none"]`);
      saleMs.push(nowMs() - began);
      if (i % deskEvery === 0 && deskViews < o.deskViews) {
        await page.click(tid(MTID.navDesk));
        const deskTab = tabs[deskViews % tabs.length]!;
        await page.click(tid(MTID.deskTab(deskTab)));
        await page.waitFor(`${tid(MTID.deskTab(deskTab))}[aria-current="page"]`);
        await sleep(100);
        await page.click(tid(TID.navCounter));
        await page.waitFor(tid(TID.basketInput));
        deskViews++;
      }
      if (i === o.baselineAfter || i % 100 === 0 || i === o.redemptions) {
        const said = (s: Sample) =>
          progress(
            `shift: ${i} sales, ${deskViews} desk views: service own ${s.service.ownMb.toFixed(1)} MB (PSS ${s.service.pssMb.toFixed(1)}, files ${s.service.pssFileMb.toFixed(1)}, RSS ${s.service.rssMb.toFixed(1)}, heap ${s.service.heapUsedMb.toFixed(1)} of ${s.service.heapTotalMb.toFixed(1)}), ` +
              `tab own ${s.renderer.ownMb.toFixed(1)} MB (PSS ${s.renderer.pssMb.toFixed(1)}, files ${s.renderer.pssFileMb.toFixed(1)}, RSS ${s.renderer.rssMb.toFixed(1)}, JS heap ${s.renderer.jsHeapUsedMb.toFixed(1)} of ${s.renderer.jsHeapTotalMb.toFixed(1)}, ${s.renderer.nodes} nodes, ${s.renderer.listeners} listeners), ` +
              `sale median ${median(saleMs.slice(-100)).toFixed(0)} ms, load ${loadavg()[0]!.toFixed(1)}`,
          );
        samples.push(await sample(i));
        said(samples[samples.length - 1]!);
        if (i === o.baselineAfter && o.snapshotDir) {
          await snapshots(`at-${i}`);
          // Writing a heap snapshot leaves a process about 100 MB bigger for good (what it allocated stays with
          // malloc): the baseline is read again after it, or that would count as the shift's growth.
          samples[samples.length - 1] = await sample(i);
          said(samples[samples.length - 1]!);
        }
      }
    }
    await snapshots(`at-${o.redemptions}`);
    if (o.snapshotDir) {
      const [before, after] = allocators as [Map<string, number>, Map<string, number>];
      const grew = [...after].map(([name, mb]) => ({ name, mb, by: mb - (before.get(name) ?? 0) })).sort((a, b) => Math.abs(b.by) - Math.abs(a.by));
      progress(
        `tab's allocators (memory-infra), after ${o.baselineAfter} sales to after ${o.redemptions}:\n    ${grew
          .slice(0, 15)
          .map((g) => `${g.by >= 0 ? '+' : ''}${g.by.toFixed(2)} MB  ${g.name} (${g.mb.toFixed(2)} MB)`)
          .join('\n    ')}`,
      );
      for (const side of ['renderer', 'service']) {
        const read = (label: string) => summarizeHeapSnapshot(readFileSync(join(o.snapshotDir!, `${side}-${label}.heapsnapshot`), 'utf8'));
        progress(
          `${side} heap, after ${o.baselineAfter} sales to after ${o.redemptions}:\n    ${heapGrowth(read(`at-${o.baselineAfter}`), read(`at-${o.redemptions}`)).join('\n    ')}`,
        );
      }
    }
    return shiftFigures(o, samples, deskViews, saleMs);
  } finally {
    inspector?.close();
    browser?.close();
    await tab?.close();
    await terminal?.stop();
    bundle.remove();
  }
}

/**
 * The pid of the tab's renderer process. WHY a ballast: Chromium keeps more
 * than one renderer even with one tab (the spare one is off, another is not
 * the tab's), and nothing in the protocol maps a tab to its process. The tab
 * fills 64 MB for a moment; the one renderer whose resident memory grows by
 * most of it is the tab's.
 */
async function theTabsProcess(tab: RawTab): Promise<number> {
  const renderers = descendants(tab.browserPid).filter((pid) => commandLine(pid).includes('--type=renderer'));
  const rss = () => new Map(renderers.map((pid) => [pid, processMemory(pid).rssMb]));
  const before = rss();
  await tab.evaluate('globalThis.__pwpBallast = new Uint8Array(64 * 1024 * 1024).fill(1), 1');
  const after = rss();
  await tab.evaluate('delete globalThis.__pwpBallast');
  const grew = renderers.filter((pid) => after.get(pid)! - before.get(pid)! > 48);
  if (grew.length !== 1) throw new Error(`could not tell the tab's renderer among ${renderers.join(', ')} (grew by 64 MB: ${grew.length})`);
  return grew[0]!;
}

function shiftFigures(o: ShiftOptions, samples: Sample[], deskViews: number, saleMs: number[]): Figure[] {
  const start = samples[0]!;
  const base = samples.find((s) => s.sales === o.baselineAfter)!;
  const last = samples[samples.length - 1]!;
  const mid = samples.find((s) => s.sales === 500);
  const total = (s: Sample) => s.service.pssMb + s.renderer.pssMb;
  const own = (s: Sample) => s.service.ownMb + s.renderer.ownMb;
  const growth = own(last) - own(base);
  const at = (s: Sample, label: string): Figure[] => [
    { name: `  ${label}: terminal service PSS (own ${s.service.ownMb.toFixed(1)}, RSS ${s.service.rssMb.toFixed(1)})`, value: s.service.pssMb, unit: 'MB' },
    { name: `  ${label}: renderer tab PSS (own ${s.renderer.ownMb.toFixed(1)}, RSS ${s.renderer.rssMb.toFixed(1)})`, value: s.renderer.pssMb, unit: 'MB' },
    { name: `  ${label}: service JS heap used, after GC (of ${s.service.heapTotalMb.toFixed(1)} MB held)`, value: s.service.heapUsedMb, unit: 'MB' },
    { name: `  ${label}: tab JS heap used, after GC (of ${s.renderer.jsHeapTotalMb.toFixed(1)} MB held)`, value: s.renderer.jsHeapUsedMb, unit: 'MB' },
    { name: `  ${label}: tab DOM nodes / JS event listeners`, value: s.renderer.nodes, unit: `nodes / ${s.renderer.listeners} listeners` },
  ];
  return [
    { name: `shift: ${o.redemptions} redemptions, ${deskViews} desk page views (through the UI)`, value: o.redemptions, unit: 'sales' },
    { name: '  one sale through the UI, median', value: median(saleMs), unit: 'ms' },
    ...at(start, 'at start'),
    ...at(base, `after ${base.sales} sales`),
    ...(mid && mid !== base && mid !== last ? at(mid, 'after 500 sales') : []),
    ...at(last, `after ${last.sales} sales`),
    { name: '  resident memory after the shift (PSS, service + tab)', value: total(last), unit: 'MB' },
    { name: '  peak resident memory (PSS, service + tab) over the shift', value: Math.max(...samples.map(total)), unit: 'MB' },
    { name: `  service JS heap growth after the first ${base.sales} sales`, value: last.service.heapUsedMb - base.service.heapUsedMb, unit: 'MB' },
    { name: `  tab JS heap growth after the first ${base.sales} sales`, value: last.renderer.jsHeapUsedMb - base.renderer.jsHeapUsedMb, unit: 'MB' },
    { name: `  service own memory growth after the first ${base.sales} sales`, value: last.service.ownMb - base.service.ownMb, unit: 'MB' },
    { name: `  tab own memory growth after the first ${base.sales} sales`, value: last.renderer.ownMb - base.renderer.ownMb, unit: 'MB' },
    // Beside it, not instead: PSS also counts each process's share of the Node and Chromium binaries' pages,
    // which moves whenever another Node or Chromium on the machine starts or stops.
    { name: `  PSS growth after the first ${base.sales} sales (service + tab, files included)`, value: total(last) - total(base), unit: 'MB' },
    {
      name: `shift: memory growth after the first ${base.sales} sales (own memory, service + tab)`,
      value: growth,
      unit: 'MB',
      target: `< ${SHIFT_GROWTH_TARGET_MB} MB`,
      ok: growth < SHIFT_GROWTH_TARGET_MB,
    },
  ];
}
