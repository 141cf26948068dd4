/**
 * Issue 16's benchmark: one terminal ships its log to the chain's PostgreSQL
 * (a throw-away cluster of Debian's postgresql, durable settings: fsync on).
 *  - shipping rate: entries per second from the terminal's SQLite into the
 *    chain (the log filled beforehand with realistic, hash-chained entries);
 *  - the counter while shipping: the local commit of a redemption (sale +
 *    outbox + log, FULL sync), p99, with the shipper catching up vs without
 *    shipping, in the same run (before and after, to cancel drift);
 *  - the central `chain verify` at 10% and at 100% of the entries: how its
 *    time grows.
 * Stage 1 fills and ships a tenth of the entries and verifies; stage 2 fills
 * the rest and ships it while the counter commits (paced, one every few ms,
 * as sales arrive), then verifies everything.
 */
import { join } from 'node:path';
import pg from 'pg';
import { migrateCentral, terminalGrants } from '../electron/chain/central-schema.js';
import { verifyCentral } from '../electron/chain/central-verify.js';
import { LogShipper } from '../electron/chain/shipper.js';
import { startRuntime, type Runtime } from '../electron/runtime.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { startSandbox } from '../sandbox/server.js';
import type { SaleView } from '../shared/domain.js';
import { startPgCluster } from '../test/pg-cluster.js';
import { makeTempDir } from '../test/temp-dir.js';
import { fill } from './manager-bench.js';
import { nowMs, percentile, type Figure } from './stats.js';

export interface ChainBenchOptions {
  entries: number;
  /** Redemptions committed without shipping (half before, half after) and again while shipping. */
  commits: number;
  /** Pause between two commits: the counter's pace. */
  commitEveryMs: number;
  batchSize: number;
}

export const CHAIN_FULL: ChainBenchOptions = { entries: 1_000_000, commits: 2000, commitEveryMs: 5, batchSize: 2000 };
export const CHAIN_QUICK: ChainBenchOptions = { entries: 4000, commits: 40, commitEveryMs: 2, batchSize: 500 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function quotedSales(rt: Runtime, n: number): Promise<SaleView[]> {
  const out: SaleView[] = [];
  for (let i = 0; i < n; i++) {
    const sale = await rt.service.startSale({ basketCents: 500 });
    await rt.service.identifyMember({ saleId: sale.id, input: DEMO_MEMBERS.bram.cardNumber, source: 'scanner' });
    out.push(await rt.service.quote({ saleId: sale.id, pointsMilli: 1000 }));
  }
  return out;
}

/** Commits each sale (timed alone), pacing like a counter, and letting the event loop run between. */
async function timedCommits(rt: Runtime, sales: SaleView[], everyMs: number, until?: () => boolean): Promise<number[]> {
  const ms: number[] = [];
  for (const sale of sales) {
    if (until?.()) break;
    const t0 = nowMs();
    rt.service.commitRedemption(sale.id, 1000);
    ms.push(nowMs() - t0);
    await sleep(everyMs);
  }
  return ms;
}

export async function runChainBench(o: ChainBenchOptions, log: (m: string) => void = () => {}): Promise<Figure[]> {
  const tmp = makeTempDir('pwp-chain-bench-');
  const cluster = await startPgCluster({ settings: { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' } });
  const sandbox = await startSandbox({ port: 0 });
  let rt: Runtime | null = null;
  const admin = new pg.Client({ connectionString: cluster.url() });
  try {
    await admin.connect();
    await migrateCentral(admin);
    await admin.query("CREATE ROLE pwp_terminal LOGIN PASSWORD 'bench'");
    for (const sql of terminalGrants('pwp_terminal')) await admin.query(sql);
    const url = cluster.url({ user: 'pwp_terminal', password: 'bench' });

    rt = await startRuntime({ dataDir: join(tmp.dir, 'terminal'), backendUrl: sandbox.url });
    const store = rt.store;
    const shop = { terminalId: store.getSetting('terminal_id')!, storeId: 'S-BENCH', storeName: 'Bench store', currency: 'EUR' };
    const staff = ['P-A', 'P-B', 'P-C'];
    const start = Date.parse('2026-01-01T07:00:00Z');
    const spacingMs = 8_000;
    const stage1 = Math.max(1, Math.round(o.entries / 10));
    const quoted = await quotedSales(rt, o.commits * 2);
    // Time the commit alone: the outbox worker would post each redemption meanwhile.
    await rt.service.worker.stop();
    const base = (store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number }).n;
    fill(store, stage1, start, spacingMs, staff);
    const ship = async (upTo: number) => {
      const t0 = nowMs();
      const shipper = LogShipper.start(store, { postgresUrl: url, tuning: { batchSize: o.batchSize, pollMs: 20 } }, shop);
      return { shipper, done: shipper.waitFor((s) => s.shippedSeq >= upTo, 3_600_000).then(() => (nowMs() - t0) / 1000) };
    };

    // ---- stage 1: a tenth of the entries, shipped and verified -----------------------------
    const head1 = base + stage1;
    const s1 = await ship(head1);
    const ship1S = await s1.done;
    await s1.shipper.stop();
    log(`stage 1: ${stage1} entries shipped in ${ship1S.toFixed(1)} s`);
    let t0 = nowMs();
    const v1 = await verifyCentral(admin);
    const verify1S = (nowMs() - t0) / 1000;
    if (!v1.ok) throw new Error(`verify after stage 1: ${JSON.stringify(v1.problems.slice(0, 3))}`);

    // ---- stage 2: the rest, shipped while the counter commits --------------------------------
    fill(store, o.entries - stage1, start + stage1 * spacingMs, spacingMs, staff);
    const head2 = (store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number }).n;
    const half = Math.floor(o.commits / 2);
    const withoutBefore = await timedCommits(rt, quoted.slice(0, half), o.commitEveryMs);
    const s2 = await ship(head2);
    let shipping = true;
    const ship2 = s2.done.then((s) => ((shipping = false), s));
    // Let the worker start and reach full speed before timing.
    await s2.shipper.waitFor((s) => s.shippedSeq > head1 + o.batchSize, 120_000);
    const withShipping = await timedCommits(rt, quoted.slice(o.commits, o.commits * 2), o.commitEveryMs, () => !shipping);
    const ship2S = await ship2;
    await s2.shipper.waitFor((s) => s.lagEntries === 0, 120_000);
    await s2.shipper.stop();
    const withoutAfter = await timedCommits(rt, quoted.slice(half, o.commits), o.commitEveryMs);
    log(`stage 2: ${head2 - head1} entries shipped in ${ship2S.toFixed(1)} s; ${withShipping.length} commits timed while shipping`);
    t0 = nowMs();
    const v2 = await verifyCentral(admin);
    const verify2S = (nowMs() - t0) / 1000;
    if (!v2.ok) throw new Error(`verify after stage 2: ${JSON.stringify(v2.problems.slice(0, 3))}`);

    const without = [...withoutBefore, ...withoutAfter];
    const p99Without = percentile(without, 99);
    const p99With = percentile(withShipping, 99);
    const ratio = p99With / p99Without;
    const rate = (head2 - base) / (ship1S + ship2S);
    return [
      { name: `shipped ${(head2 - base).toLocaleString('en')} entries, one terminal`, value: rate, unit: 'entries/s' },
      { name: 'local commit p99, not shipping', value: p99Without, unit: 'ms' },
      { name: `local commit p99, while shipping (${withShipping.length} commits)`, value: p99With, unit: 'ms' },
      { name: 'commit p99 while shipping / not shipping', value: ratio, unit: 'x', target: '<= 1.2', ok: ratio <= 1.2 },
      { name: `central verify, ${v1.entries.toLocaleString('en')} entries`, value: verify1S, unit: 's' },
      { name: `central verify, ${v2.entries.toLocaleString('en')} entries`, value: verify2S, unit: 's' },
      { name: 'verify time growth for 10x entries', value: verify2S / verify1S, unit: 'x' },
    ];
  } finally {
    await admin.end().catch(() => {});
    await rt?.close();
    await sandbox.close();
    cluster.stop();
    tmp.cleanup();
  }
}
