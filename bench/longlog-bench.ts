/**
 * Issue 18's "years of log": a terminal whose log holds N entries
 * (10,000,000 at full size, a busy terminal's several years), measured
 * through the real runtime (startRuntime on that data directory):
 *  - start-up: startRuntime (open, migrate, the sealed-head check, ready),
 *    median over several starts after a first one (which may seal the head);
 *  - a filtered page of 50, p95, over the manager benchmark's filters
 *    (manager-bench.ts pageShapes) from the newest and two deep pages;
 *  - the CSV export of every entry streamed to a file: entries/s and peak
 *    RSS growth (sampled every 10 ms in this process, which holds the
 *    export's worker threads too);
 *  - verifying the whole chain: entries/s;
 *  - the database's size on disk;
 *  - the cost of the sealed log-head file (log-head-seal.ts, two fsyncs
 *    a moment after each commit, off the call): commits of a redemption
 *    with and without it, interleaved in blocks so machine noise falls on
 *    both alike, and the file's write after each commit.
 *
 * The log comes from longlog-fixture.ts (cached: made once). Figures are
 * medians and percentiles, and the machine's load is printed beside them:
 * on a shared machine rerun on a quiet one before quoting absolute figures.
 */
import { createWriteStream, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setImmediate as setImmediateTurn } from 'node:timers/promises';
import { dirname, join } from 'node:path';
import { startRuntime, type Runtime } from '../electron/runtime.js';
import { writeLogCsv } from '../electron/service/csv-export.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { startSandbox } from '../sandbox/server.js';
import type { SaleView } from '../shared/domain.js';
import { LONGLOG_SPACING_MS, LONGLOG_START, prepareLongLog } from './longlog-fixture.js';
import { pageShapes, timeFilteredPages } from './manager-bench.js';
import { median, nowMs, percentile, type Figure } from './stats.js';

export interface LongLogOptions {
  entries: number;
  /** Page queries per filter and start point (default 20). */
  repeats?: number;
  /** Timed start-ups after the first (default 7). */
  starts?: number;
  /** Commits timed with and without the sealed head file, each (default 400). */
  commits?: number;
  /** Where the log is kept (default: the cache, longlog-fixture.ts). */
  dir?: string;
}

export const LONGLOG_FULL: LongLogOptions = { entries: 10_000_000 };
export const LONGLOG_QUICK: LongLogOptions = { entries: 3000, repeats: 2, starts: 2, commits: 20 };

export const LONGLOG_TARGETS = { pageP95Ms: 20, exportPerS: 250_000, exportGrowthMb: 250, verifyPerS: 1_000_000, startMs: 300 };

export async function runLongLogBench(o: LongLogOptions, progress: (m: string) => void = () => {}): Promise<Figure[]> {
  const log = prepareLongLog(o.entries, o.dir, progress);
  const dataDir = dirname(log.file);
  const sandbox = await startSandbox({ port: 0 });
  let runtime: Runtime | null = null;
  try {
    // ---- start-up -----------------------------------------------------------------------------
    const startMs: number[] = [];
    let firstStartMs = 0;
    for (let i = 0; i <= (o.starts ?? 7); i++) {
      const t0 = nowMs();
      runtime = await startRuntime({ dataDir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
      const ms = nowMs() - t0;
      if (i === 0) firstStartMs = ms;
      else startMs.push(ms);
      if (i < (o.starts ?? 7)) {
        await runtime.close();
        runtime = null;
      }
    }
    const rt = runtime!;
    const total = (rt.store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number }).n;
    const dbMb = fileMb(log.file) + fileMb(`${log.file}-wal`);
    progress(`started on ${total.toLocaleString('en')} entries (${Math.round(dbMb)} MB)`);

    // ---- filtered pages ------------------------------------------------------------------------
    const shapes = pageShapes(log.staff, LONGLOG_START, LONGLOG_SPACING_MS, log.entries);
    const pages = timeFilteredPages(rt.desk, shapes, total, o.repeats ?? 20, o.entries >= 100_000);
    progress(`pages: p95 ${pages.pageP95.toFixed(2)} ms`);

    // ---- CSV export of everything --------------------------------------------------------------
    const csvFile = join(dataDir, 'bench-export.csv');
    const rss0 = process.memoryUsage.rss();
    let peak = rss0;
    // rss() alone: memoryUsage() also reads every heap space's figures, 1% of the export's CPU at this rate.
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const names = new Map(rt.people.list().map((p) => [p.id, p.name]));
    // The export is a cut at the head it starts from; the outbox may append meanwhile (a reused
    // cache holds the previous run's queued redemptions, posted once the terminal starts).
    const cut = (rt.store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number }).n;
    const e0 = nowMs();
    const ec0 = process.cpuUsage();
    let rows: number;
    try {
      ({ rows } = await writeLogCsv(rt.desk.log, {}, createWriteStream(csvFile), { names }));
    } finally {
      clearInterval(sampler);
    }
    const exportS = (nowMs() - e0) / 1000;
    const exportCpuS = cpuSeconds(ec0);
    peak = Math.max(peak, process.memoryUsage.rss());
    const csvMb = fileMb(csvFile);
    rmSync(csvFile, { force: true });
    // The harness checks its own work: an export that lost rows measures nothing.
    if (rows !== cut) throw new Error(`the CSV export wrote ${rows} of ${cut} entries`);
    const head = (rt.store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number }).n;
    const exportPerS = rows / exportS;
    const growthMb = (peak - rss0) / 1024 / 1024;
    progress(`export: ${Math.round(exportPerS)} entries/s`);

    // ---- verify --------------------------------------------------------------------------------
    const v0 = nowMs();
    const vc0 = process.cpuUsage();
    const report = await rt.desk.verify();
    const verifyS = (nowMs() - v0) / 1000;
    const verifyCpuS = cpuSeconds(vc0);
    if (!report.intact) throw new Error(`the long log did not verify: ${report.message}`);
    const verifyPerS = head / verifyS;
    progress(`verify: ${Math.round(verifyPerS)} entries/s`);

    // ---- commit with and without the sealed head file -------------------------------------------
    const commits = await timeCommitsWithAndWithoutSeal(rt, o.commits ?? 400);
    const load = loadavg()[0]!;

    const T = LONGLOG_TARGETS;
    const pageOk = pages.pageP95 < T.pageP95Ms;
    const startMedian = median(startMs);
    return [
      {
        name: `log of ${head.toLocaleString('en')} entries${log.made ? `, filled now in ${Math.round(log.fillSeconds)} s` : ' (cached fill)'}`,
        value: head,
        unit: 'entries',
      },
      { name: 'database size on disk (log, indexes, search index)', value: dbMb, unit: 'MB' },
      { name: '  of which per entry', value: (dbMb * 1024 * 1024) / head, unit: 'bytes' },
      {
        name: `start-up (open, migrate, ready), median of ${startMs.length}`,
        value: startMedian,
        unit: 'ms',
        target: `< ${T.startMs} ms`,
        ok: startMedian < T.startMs,
      },
      { name: '  first start on this file', value: firstStartMs, unit: 'ms' },
      {
        name: `filtered page of 50, p95 over ${shapes.length} filters x 3 depths`,
        value: pages.pageP95,
        unit: 'ms',
        target: `< ${T.pageP95Ms} ms`,
        ok: pageOk,
      },
      { name: "  the same pages' CPU time (this process), p95", value: pages.cpuP95, unit: 'ms' },
      { name: "  the same pages' CPU time, median", value: pages.cpuMedian, unit: 'ms' },
      { name: `  slowest filter p95: ${pages.worst.name}`, value: pages.worst.p95, unit: 'ms' },
      ...pages.perShape.map((s) => ({ name: `  ${s.name}, p95 (${s.hits} on the first page)`, value: s.p95, unit: 'ms' })),
      {
        name: `CSV export of all ${rows.toLocaleString('en')} entries (${Math.round(csvMb)} MB), rate`,
        value: exportPerS,
        unit: 'entries/s',
        target: `>= ${T.exportPerS.toLocaleString('en')}/s`,
        ok: exportPerS >= T.exportPerS,
      },
      { name: '  export time', value: exportS, unit: 's' },
      // CPU time of this process and its worker threads: the figure a busy shared machine disturbs least.
      { name: '  entries per CPU-second (all threads)', value: rows / exportCpuS, unit: 'entries/s' },
      { name: 'CSV export peak RSS growth', value: growthMb, unit: 'MB', target: `< ${T.exportGrowthMb} MB`, ok: growthMb < T.exportGrowthMb },
      {
        name: 'verify the whole chain, rate',
        value: verifyPerS,
        unit: 'entries/s',
        target: `>= ${T.verifyPerS.toLocaleString('en')}/s`,
        ok: verifyPerS >= T.verifyPerS,
      },
      { name: '  verify time', value: verifyS, unit: 's' },
      { name: '  entries per CPU-second (all threads)', value: head / verifyCpuS, unit: 'entries/s' },
      ...commits,
      { name: 'machine load average (1 min) at the end', value: load, unit: '' },
    ];
  } finally {
    await runtime?.close();
    await sandbox.close();
  }
}

/**
 * Commits of a redemption (sale + outbox + log entry, FULL sync) with the
 * sealed head file following each commit (its write a moment later, timed
 * apart), and with it detached, in
 * alternating blocks of 10 (machine noise lands on both alike). The outbox
 * worker is stopped: the commit alone is timed.
 */
async function timeCommitsWithAndWithoutSeal(rt: Runtime, n: number): Promise<Figure[]> {
  const svc = rt.service;
  const card = DEMO_MEMBERS.bram.cardNumber;
  const quoted: SaleView[] = [];
  for (let i = 0; i < 2 * n; i++) {
    const sale = await svc.startSale({ basketCents: 500 });
    await svc.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
    quoted.push(await svc.quote({ saleId: sale.id, pointsMilli: 1000 }));
  }
  await svc.worker.stop();
  const sealed: number[] = [];
  const bare: number[] = [];
  const sealWrites: number[] = [];
  const seal = rt.store.journal.onHeadMoved(null);
  rt.store.journal.onHeadMoved(seal);
  if (!seal) throw new Error('the runtime does not follow the log head with the sealed file: nothing to compare');
  for (const [i, sale] of quoted.entries()) {
    const withSeal = Math.floor(i / 10) % 2 === 0;
    rt.store.journal.onHeadMoved(withSeal ? seal : null);
    const t0 = nowMs();
    svc.commitRedemption(sale.id, 1000);
    const t1 = nowMs();
    // The file follows a moment after the commit, off the call (store/log-head-check.ts): its write is timed apart.
    await setImmediateTurn();
    (withSeal ? sealed : bare).push(t1 - t0);
    if (withSeal) sealWrites.push(nowMs() - t1);
  }
  rt.store.journal.onHeadMoved(seal);
  // The head file follows the last commit again before the runtime closes.
  rt.store.transaction(() =>
    rt.store.journal.append({ at: new Date().toISOString(), terminalId: 'T-BENCH', actor: 'terminal', kind: 'bench.done', outcome: 'ok' }),
  );
  return [
    { name: `commit of a redemption with the sealed head file following, p50 (${sealed.length})`, value: median(sealed), unit: 'ms' },
    { name: '  with the sealed head file, p99', value: percentile(sealed, 99), unit: 'ms', target: '< 5 ms', ok: percentile(sealed, 99) < 5 },
    { name: `commit without the sealed head file, p50 (${bare.length})`, value: median(bare), unit: 'ms' },
    { name: '  without the sealed head file, p99', value: percentile(bare, 99), unit: 'ms' },
    { name: 'commit with / without the sealed head file (medians)', value: median(sealed) / median(bare), unit: 'x' },
    { name: "  the sealed head file's write after the commit, off the call, p50", value: median(sealWrites), unit: 'ms' },
  ];
}

/** CPU seconds (user + system, every thread of this process) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

function fileMb(f: string): number {
  try {
    return statSync(f).size / 1024 / 1024;
  } catch {
    return 0;
  }
}
