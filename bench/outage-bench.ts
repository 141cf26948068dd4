/**
 * Issue 20's benchmark, "what a store feels after an outage": a queue of
 * queued redemptions starts draining while the cashier keeps selling. In one
 * run, with the queue empty and then while it drains:
 *  - the local commit of a redemption (sale + outbox + log, one transaction,
 *    synchronous=FULL), timed around TerminalService.commitRedemption in the
 *    process that also serves the page and drains the queue, p99;
 *  - scan to balance in Chromium through the web host (the real renderer; the
 *    sandbox at zero latency): from the scan's Enter to the balance in the
 *    page (scan-bench.ts's timer), p95;
 *  - the drain: requests per second the backend let through while the queue
 *    drained (all of this terminal's requests: the counter's too), as a share
 *    of the published limit it paces itself to, and how many 429s it met.
 *
 * The sandbox runs in its own process (sandbox-child.ts) with White Label's
 * published limit (100/s, burst 400 at full size), the terminal in this one
 * (runtime + web host, as `npm run web` runs them). The queue is filled
 * through a second SQLite connection (drain-bench.ts fillQueue) once the
 * empty-queue figures are in, then the worker is kicked.
 *
 * Also printed, as the issue asks, without a target: the retired ratio of the
 * commit to a bare single-row insert in the same file.
 */
import { chromium, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import type { RateLimit } from '../electron/adapters/request-pacer.js';
import { startRuntime, type Runtime } from '../electron/runtime.js';
import { startWebHost } from '../electron/transport/web-host.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { controlFetch } from '../sandbox/control-client.js';
import { CHROMIUM_PATH } from '../e2e/playwright.config.js';
import { hostCaller, setUpStaff } from '../e2e/fixtures.js';
import { scanKeys } from '../e2e/scanner-keys.js';
import { makeTempDir } from '../test/temp-dir.js';
import { TID } from '../renderer/src/testids.js';
import { benchCard } from './bench-members.js';
import { fillQueue } from './drain-bench.js';
import { startSandboxProcess, type SandboxProcess } from './sandbox-child.js';
import { armBalanceTimer, CHROMIUM_ARGS, startSale } from './scan-bench.js';
import { median, nowMs, percentile, type Figure } from './stats.js';
import { tid } from '../e2e/tid.js';

export interface OutageBenchOptions {
  /** Redemptions queued by the outage. */
  rows: number;
  members: number;
  /** Timed scans per phase; each is followed by `commitsPerScan` timed commits. */
  scans: number;
  commitsPerScan: number;
  /** The program's published limit: the sandbox enforces it, the terminal paces to it. */
  rateLimit: RateLimit;
}

export const OUTAGE_FULL: OutageBenchOptions = { rows: 10_000, members: 2_000, scans: 40, commitsPerScan: 5, rateLimit: { perSecond: 100, burst: 400 } };
/**
 * Small enough for CI: 100 rows (300 requests) drain in about 15 s under a limit of 20
 * requests/s, low enough that a drain that did not pace itself meets 429s even on a slow
 * machine, long enough that the cashier's timed steps are all taken while rows are queued.
 * The burst (5 s of the rate, WL's is 4 s) absorbs an emulator that stalls on a loaded
 * machine: requests it holds arrive at once when it resumes, and no pacing can prevent 429s
 * from a stall longer than the burst lasts.
 */
export const OUTAGE_QUICK: OutageBenchOptions = { rows: 100, members: 20, scans: 4, commitsPerScan: 3, rateLimit: { perSecond: 20, burst: 100 } };

/** White Label reads the wallet, posts the event and reads the wallet again: three requests a redemption. */
const REQUESTS_PER_REDEMPTION = 3;
/** Between a cashier's steps. */
const CASHIER_PAUSE_MS = 100;

interface PhaseSamples {
  commitMs: number[];
  scanMs: number[];
}

interface Cashier {
  /** Scans so far (who is scanned next). */
  turn: number;
  /** The member whose sales are committed (a benchmark member with points to spare, none queued). */
  buyer: string;
}

interface LimiterCounts {
  taken: number;
  refused: number;
}

async function limiterCounts(sandbox: SandboxProcess): Promise<LimiterCounts> {
  const res = await controlFetch(sandbox, 'GET', '/whitelabel/rate-limit');
  if (!res.ok) throw new Error(`sandbox rate-limit counts: ${res.status}`);
  return (await res.json()) as LimiterCounts;
}

const waiting = (rt: Runtime) => rt.store.outbox.counts().waiting;

/** A cashier's sale up to the commit (not timed): a member, a quote. */
async function quotedSale(rt: Runtime, card: string): Promise<string> {
  const sale = await rt.service.startSale({ basketCents: 500 });
  await rt.service.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
  await rt.service.quote({ saleId: sale.id, pointsMilli: 1000 });
  return sale.id;
}

/**
 * The cashier keeps selling: scans timed in the page, commits timed in the service.
 * With `whileQueued`, only while it still counts rows: a scan starts only with rows still
 * queued, so every sample is one taken while the queue drains, however slow the machine
 * (on a loaded one the queue once drained before the last scans, which then measured an
 * empty queue under the "draining" name).
 */
async function sell(page: Page, rt: Runtime, cashier: Cashier, scans: number, commitsPerScan: number, whileQueued?: () => number): Promise<PhaseSamples> {
  const out: PhaseSamples = { commitMs: [], scanMs: [] };
  const [a, b] = [DEMO_MEMBERS.anna, DEMO_MEMBERS.bram];
  for (let i = 0; i < scans; i++) {
    if (whileQueued && whileQueued() === 0) break;
    // Two members in turn, so each scan changes the balance on screen (nothing changes their balances).
    const who = cashier.turn++ % 2 === 0 ? a : b;
    const timer = await armBalanceTimer(page, String(who.points * 1000));
    await scanKeys(page, who.cardNumber);
    out.scanMs.push((await timer.done).total);
    await page.locator(`${tid(TID.counter)}[data-state="identified"]`).waitFor();
    for (let c = 0; c < commitsPerScan; c++) {
      const saleId = await quotedSale(rt, cashier.buyer);
      const t0 = nowMs();
      rt.service.commitRedemption(saleId, 1000);
      out.commitMs.push(nowMs() - t0);
      rt.service.worker.kick(); // as the confirm does: the sale's redemption is sent (in turn, behind a queue)
      // A cashier's pace, still far quicker than a real one: the counter's own requests stay a fraction of the limit.
      await new Promise((r) => setTimeout(r, CASHIER_PAUSE_MS));
    }
    await page.waitForTimeout(CASHIER_PAUSE_MS);
  }
  return out;
}

async function waitUntil(cond: () => boolean | Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${Math.round(limitMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runOutageBench(o: OutageBenchOptions, progress: (msg: string) => void = () => {}): Promise<Figure[]> {
  const tmp = makeTempDir('pwp-outage-');
  const dataDir = join(tmp.dir, 'terminal');
  // One more member than the queue uses: the cashier's own sales.
  const sandbox = await startSandboxProcess(o.members + 1, o.rateLimit.perSecond, o.rateLimit.burst);
  const rt = await startRuntime({ dataDir, backendUrl: sandbox.url, tuning: { rateLimit: o.rateLimit } });
  const host = await startWebHost({
    dispatch: rt.call,
    subscribe: rt.subscribe,
    openExport: (t) => rt.openExport(t),
    rendererDir: resolve('dist/renderer'),
    port: 0,
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    await setUpStaff({ call: hostCaller(host.openUrl) });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(host.openUrl);
    await startSale(page);
    const cashier: Cashier = { turn: 0, buyer: benchCard(o.members) };
    await sell(page, rt, cashier, 2, 2); // warm-up, not counted

    // Empty queue.
    await waitUntil(() => waiting(rt) === 0, 30_000, 'the warm-up sales were sent');
    const empty = await sell(page, rt, cashier, o.scans, o.commitsPerScan);
    progress(`queue empty: ${empty.scanMs.length} scans, ${empty.commitMs.length} commits`);
    const bare = bareInserts(rt, empty.commitMs.length);
    await waitUntil(() => waiting(rt) === 0, 30_000, 'the empty-phase sales were sent');

    // The outage's queue, then the cashier keeps selling while it drains.
    fillQueue(dataDir, o.rows, o.members, 'OUT');
    const before = await limiterCounts(sandbox);
    const t0 = Date.now();
    rt.service.worker.kick();
    const draining = await sell(page, rt, cashier, o.scans, o.commitsPerScan, () => waiting(rt));
    progress(`queue draining: ${draining.scanMs.length} scans, ${draining.commitMs.length} commits, each begun with rows still queued`);
    // The rate once the backend's burst is spent: from the moment the burst's worth of requests went.
    const burstSpentBy = t0 + (o.rateLimit.burst / o.rateLimit.perSecond) * 1000;
    const afterBurst: { at: number; counts: LimiterCounts }[] = [];
    const expectedMs = ((o.rows * REQUESTS_PER_REDEMPTION) / o.rateLimit.perSecond) * 1000;
    await waitUntil(
      async () => {
        if (afterBurst.length === 0 && Date.now() >= burstSpentBy) afterBurst.push({ at: Date.now(), counts: await limiterCounts(sandbox) });
        return waiting(rt) === 0;
      },
      expectedMs * 3 + 60_000,
      'the queue drained',
    );
    const end = { at: Date.now(), counts: await limiterCounts(sandbox) };
    const done = rt.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'done' AND reference LIKE 'bench-OUT-%'`).get() as { n: number };
    if (done.n !== o.rows) throw new Error(`only ${done.n} of ${o.rows} queued redemptions were posted`);
    const from = afterBurst[0] ?? { at: t0, counts: before };
    const sustained = (end.counts.taken - from.counts.taken) / ((end.at - from.at) / 1000);
    const drainSeconds = (end.at - t0) / 1000;
    progress(`drained ${o.rows} rows in ${drainSeconds.toFixed(1)} s`);

    const commitP99 = { empty: percentile(empty.commitMs, 99), draining: percentile(draining.commitMs, 99) };
    const scanP95 = { empty: percentile(empty.scanMs, 95), draining: percentile(draining.scanMs, 95) };
    const commitRatio = commitP99.draining / commitP99.empty;
    const scanRatio = scanP95.draining / scanP95.empty;
    const share = sustained / o.rateLimit.perSecond;
    const refused = end.counts.refused - before.refused;
    return [
      { name: `published limit kept (sandbox enforces it, terminal paces to it): burst ${o.rateLimit.burst}`, value: o.rateLimit.perSecond, unit: 'req/s' },
      {
        name: `local commit p99, queue empty (${empty.commitMs.length} commits)`,
        value: commitP99.empty,
        unit: 'ms',
        target: '< 5 ms',
        ok: commitP99.empty < 5,
      },
      {
        name: `local commit p99, ${o.rows} queued draining (${draining.commitMs.length})`,
        value: commitP99.draining,
        unit: 'ms',
        target: '< 5 ms',
        ok: commitP99.draining < 5,
      },
      { name: 'local commit p99, draining / empty', value: commitRatio, unit: 'x', target: '<= 1.5', ok: commitRatio <= 1.5 },
      { name: `scan to balance p95, queue empty (${empty.scanMs.length} scans)`, value: scanP95.empty, unit: 'ms', target: '< 50 ms', ok: scanP95.empty < 50 },
      {
        name: `scan to balance p95, queue draining (${draining.scanMs.length} scans)`,
        value: scanP95.draining,
        unit: 'ms',
        target: '< 50 ms',
        ok: scanP95.draining < 50,
      },
      { name: 'scan to balance p95, draining / empty', value: scanRatio, unit: 'x', target: '<= 1.5', ok: scanRatio <= 1.5 },
      { name: 'scan to balance median, draining / empty', value: median(draining.scanMs) / median(empty.scanMs), unit: 'x' },
      {
        name: 'scans begun with rows still queued (the draining figures)',
        value: draining.scanMs.length,
        unit: 'scans',
        target: `${o.scans} (fewer: the queue drained first; those figures are from fewer scans)`,
        ok: draining.scanMs.length === o.scans,
      },
      { name: `drain: requests/s the backend let through after the burst`, value: sustained, unit: 'req/s' },
      { name: 'drain: share of the published limit', value: share, unit: 'x', target: '>= 0.9', ok: share >= 0.9 },
      { name: 'drain: 429 answers met', value: refused, unit: '', target: '0', ok: refused === 0 },
      { name: 'drain: requests the backend let through, start to empty queue', value: end.counts.taken - before.taken, unit: '' },
      { name: `drain: ${o.rows} redemptions, start to empty queue`, value: drainSeconds, unit: 's' },
      { name: 'retired: local commit median / bare single-row insert median', value: median(empty.commitMs) / median(bare), unit: 'x' },
    ];
  } finally {
    await browser.close();
    await host.close();
    await rt.close();
    await sandbox.close();
    tmp.cleanup();
  }
}

/** Bare single-row inserts (synchronous=FULL) in the same file: the retired comparison. */
function bareInserts(rt: Runtime, n: number): number[] {
  const db = rt.store.db;
  db.exec('CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO bench_bare (v) VALUES (?)');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = nowMs();
    insert.run(`row ${i}`);
    out.push(nowMs() - t0);
  }
  return out;
}
