/**
 * Issue 3's benchmarks of the outbox drain (the engine that posts queued
 * redemptions), against the White Label sandbox at zero latency:
 *
 *  - drain: `rows` queued redemptions over `members` members, drained by the
 *    terminal's own worker (runtime + service hooks + SQLite, synchronous=FULL),
 *    in redemptions per second; and a bare loop sending the same requests
 *    (the adapter's wallet read + event post, no store, no bookkeeping) with the
 *    same concurrency, in the same run. Rounds alternate engine / bare; medians.
 *  - memory: peak RSS growth of this process while the terminal drains
 *    `memoryRows` rows (the queue is streamed from SQLite, never loaded), and
 *    what Outbox.due costs with that many rows pending (plan + time).
 *  - comeback: time from the backend answering again to the first queued
 *    redemption reaching it, at the default probe interval.
 *
 * The sandbox runs in a child process (bench/sandbox-process.ts), so this
 * process's RSS is the terminal's alone. Its rate limit (100/s, burst 400 like
 * the real engine) would cap any drain at 100/s: the benchmark raises it and
 * prints the figure it used; the terminal's pacer (adapters/request-pacer.ts)
 * is switched off to match: this measures the engine, not the limit (the
 * outage benchmark, bench/outage-bench.ts, drains at the published limit).
 *
 * The queue is filled directly through the store in one transaction: a sale
 * row (accepted offline, state 'queued') and its outbox row per redemption.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdapter } from '../electron/adapters/registry.js';
import type { RedeemRequest } from '../electron/adapters/types.js';
import { startRuntime, DATABASE_FILE, type Runtime } from '../electron/runtime.js';
import { Store } from '../electron/store/store.js';
import { seededRandom } from '../electron/service/failpoints.js';
import { maskIdentifier } from '../shared/member-number.js';
import { makeTempDir } from '../test/temp-dir.js';
import { benchCard } from './bench-members.js';
import { startSandboxProcess } from './sandbox-child.js';
import { whiteLabelTrainingConnection } from '../sandbox/demo-data.js';
import { median, nowMs, type Figure } from './stats.js';
import { controlFetch, type ControlEndpoint } from '../sandbox/control-client.js';

export interface DrainBenchOptions {
  /** Redemptions per drain round. */
  rows: number;
  members: number;
  /** Engine/bare pairs; the figures are medians over rounds. */
  rounds: number;
  /** Rows drained while RSS is sampled. */
  memoryRows: number;
  memoryMembers: number;
  /** Backend-comes-back trials. */
  comebackTrials: number;
  /** Parallel members in flight, engine and bare alike (the worker's default is 8). */
  concurrency: number;
  /** The sandbox's White Label rate limit (requests/s and burst) for this benchmark. */
  rateLimitPerSecond: number;
  /** The memory drain stops here if it has not finished (the figure then says how far it got). */
  memoryTimeLimitMs: number;
  seed: number;
}

export const DRAIN_FULL: DrainBenchOptions = {
  rows: 10_000,
  members: 2_000,
  rounds: 3,
  memoryRows: 100_000,
  memoryMembers: 20_000,
  comebackTrials: 5,
  concurrency: 8,
  rateLimitPerSecond: 1_000_000,
  memoryTimeLimitMs: 600_000,
  seed: 1,
};

export const DRAIN_QUICK: DrainBenchOptions = {
  rows: 200,
  members: 40,
  rounds: 1,
  memoryRows: 1_000,
  memoryMembers: 200,
  comebackTrials: 1,
  concurrency: 8,
  rateLimitPerSecond: 1_000_000,
  memoryTimeLimitMs: 60_000,
  seed: 1,
};

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));

export async function runDrainBench(o: DrainBenchOptions, progress: (msg: string) => void = () => {}): Promise<Figure[]> {
  const tmp = makeTempDir('pwp-drain-');
  const comebackMembersFrom = Math.max(o.members, o.memoryMembers);
  const sandbox = await startSandboxProcess(comebackMembersFrom + o.comebackTrials, o.rateLimitPerSecond);
  try {
    // 1. Engine vs bare loop, alternating.
    const engineRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < o.rounds; round++) {
      const dir = join(tmp.dir, `drain-${round}`);
      fillQueue(dir, o.rows, o.members, `E${round}`);
      const t0 = nowMs();
      const rt = await startRuntime({ dataDir: dir, backendUrl: sandbox.url, tuning: { outboxConcurrency: o.concurrency, rateLimit: null } });
      await drained(rt);
      const engineMs = nowMs() - t0;
      checkAllDone(rt, o.rows);
      await rt.close();
      engineRates.push(o.rows / (engineMs / 1000));

      const bareMs = await bareLoop(sandbox.url, makeRequests(o.rows, o.members, `B${round}`), o.concurrency);
      bareRates.push(o.rows / (bareMs / 1000));
      progress(`drain round ${round + 1}/${o.rounds}: engine ${engineRates.at(-1)!.toFixed(0)}/s, bare ${bareRates.at(-1)!.toFixed(0)}/s`);
    }
    const ledger = await sandboxJson<{ events: unknown[] }>(sandbox, `/whitelabel/ledger?userId=${benchCard(0)}`);
    const perMember = (o.rows / o.members) * o.rounds * 2;
    if (ledger.events.length !== Math.ceil(perMember)) throw new Error(`member 0 has ${ledger.events.length} events, expected ${perMember}`);

    // 2. Memory while draining many rows: in a fresh process (bench/drain-memory.ts).
    const memDir = join(tmp.dir, 'memory');
    fillQueue(memDir, o.memoryRows, o.memoryMembers, 'M');
    const dueCost = measureDue(memDir);
    const warmRows = Math.min(1000, Math.floor(o.memoryRows / 10));
    const mem = await drainInChild(memDir, sandbox.url, o.concurrency, o.memoryTimeLimitMs, warmRows);
    const finished = mem.finished;
    const memDone = mem.done;
    const memMs = mem.ms;
    const growthMb = (mem.peakRss - mem.baselineRss) / (1024 * 1024);
    const warmGrowthMb = mem.warmRss ? (mem.warmPeakRss - mem.warmRss) / (1024 * 1024) : NaN;
    const memWhat = finished ? `${o.memoryRows} rows` : `${memDone} of ${o.memoryRows} rows (stopped at ${o.memoryTimeLimitMs / 1000} s)`;
    progress(
      `memory: ${memWhat} in ${(memMs / 1000).toFixed(1)} s, peak RSS growth ${growthMb.toFixed(1)} MB from start, ${warmGrowthMb.toFixed(1)} MB after the first ${warmRows}`,
    );

    // 3. The backend comes back: how long until the first queued redemption reaches it.
    const random = seededRandom(o.seed);
    const comebackMs: number[] = [];
    for (let t = 0; t < o.comebackTrials; t++) {
      comebackMs.push(await comeback(sandbox, join(tmp.dir, `comeback-${t}`), comebackMembersFrom + t, random() * 3000));
      progress(`comeback trial ${t + 1}/${o.comebackTrials}: ${comebackMs.at(-1)!.toFixed(0)} ms`);
    }

    const engine = median(engineRates);
    const bare = median(bareRates);
    const ratio = median(engineRates.map((e, i) => e / bareRates[i]!));
    const worstComeback = Math.max(...comebackMs);
    return [
      {
        name: `sandbox rate limit raised to ${o.rateLimitPerSecond}/s (burst ${o.rateLimitPerSecond}) for this run`,
        value: o.rateLimitPerSecond,
        unit: 'req/s',
      },
      { name: `drain ${o.rows} rows / ${o.members} members, engine, median of ${o.rounds}`, value: engine, unit: '/s', target: '>= 500/s', ok: engine >= 500 },
      { name: `same requests, bare loop (concurrency ${o.concurrency}), median`, value: bare, unit: '/s' },
      { name: 'engine / bare loop (median of per-round ratios)', value: ratio, unit: 'x', target: '>= 0.7', ok: ratio >= 0.7 },
      { name: `Outbox.due with ${o.memoryRows} pending rows (${dueCost.plan})`, value: dueCost.ms, unit: 'ms' },
      {
        name: `drain ${o.memoryRows} queued rows / ${o.memoryMembers} members, engine${finished ? '' : ` (DID NOT FINISH: ${memDone} done in ${o.memoryTimeLimitMs / 1000} s)`}`,
        value: memDone / (memMs / 1000),
        unit: '/s',
        ...(finished ? {} : { ok: false }),
      },
      {
        name: `peak RSS growth draining ${memWhat}, after the first ${warmRows} (queue streamed)`,
        value: warmGrowthMb,
        unit: 'MB',
        target: '< 50 MB',
        ok: warmGrowthMb < 50 && finished,
      },
      { name: `peak RSS growth from before start (fixed costs included)`, value: growthMb, unit: 'MB' },
      { name: 'JS heap still reachable after the drain and a GC, growth', value: (mem.heapAfterGc - mem.heapBefore) / (1024 * 1024), unit: 'MB' },
      { name: `backend back -> first queued redemption sent, median of ${o.comebackTrials} (probe 3 s)`, value: median(comebackMs), unit: 'ms' },
      { name: 'backend back -> first queued redemption sent, worst', value: worstComeback, unit: 'ms', target: '< 5000 ms', ok: worstComeback < 5000 },
    ];
  } finally {
    await sandbox.close();
    tmp.cleanup();
  }
}

// ---- the queue -------------------------------------------------------------

const TERMINAL = 'T-BENCH';
const STORE_ID = 'STORE-BENCH';

function makeRequests(rows: number, members: number, tag: string): RedeemRequest[] {
  const at = new Date().toISOString();
  const out: RedeemRequest[] = [];
  for (let i = 0; i < rows; i++) {
    const card = benchCard(i % members);
    const saleId = `bench-${tag}-${String(i).padStart(7, '0')}`;
    out.push({
      reference: `${saleId}.r1`,
      saleId,
      member: { identifier: { kind: 'card', value: card }, backendMemberId: card },
      pointsMilli: 1000,
      terminalId: TERMINAL,
      storeId: STORE_ID,
      requestedAt: at,
      balanceBeforeMilli: null,
    });
  }
  return out;
}

/** Fills a fresh terminal's queue directly through the store, in one transaction. */
export function fillQueue(dataDir: string, rows: number, members: number, tag: string): void {
  const store = Store.open(join(dataDir, DATABASE_FILE));
  try {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const keys = new Map<string, string>();
    store.transaction(() => {
      for (const req of makeRequests(rows, members, tag)) {
        const card = req.member.identifier.value;
        let key = keys.get(card);
        if (!key) keys.set(card, (key = store.memberKey('card', card)));
        store.sales.insert({ id: req.saleId, created_at: at, terminal_id: TERMINAL, cashier: 'bench', state: 'queued', currency: 'EUR', basket_cents: 1000 });
        store.sales.patch(req.saleId, 'queued', {
          member_masked: maskIdentifier(card),
          member_hash: key,
          points_milli: 1000,
          discount_cents: 1,
          offline_accepted: 1,
        });
        store.outbox.insert({
          sale_id: req.saleId,
          kind: 'redeem',
          reference: req.reference,
          member_key: key,
          payload: req,
          next_attempt_at: now,
          created_at: at,
        });
      }
    });
  } finally {
    store.close();
  }
}

function measureDue(dataDir: string): { ms: number; plan: string } {
  const store = Store.open(join(dataDir, DATABASE_FILE));
  try {
    const plan = (
      store.db
        .prepare(
          `EXPLAIN QUERY PLAN SELECT o.* FROM outbox o WHERE o.state = 'pending' AND o.next_attempt_at <= @now
             AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.member_key = o.member_key AND p.id < o.id)
             ORDER BY o.next_attempt_at, o.id LIMIT @limit`,
        )
        .all({ now: Date.now(), limit: 16 }) as { detail: string }[]
    )
      .map((r) => r.detail.replace(/ USING (COVERING )?INDEX /, ' idx ').replace(/SEARCH |SCAN /, ''))
      .join('; ');
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = nowMs();
      store.outbox.due(Date.now(), 16);
      samples.push(nowMs() - t0);
    }
    return { ms: median(samples), plan };
  } finally {
    store.close();
  }
}

/** Waits until nothing is waiting; false if `limitMs` passed first. */
async function drained(rt: Runtime, limitMs = Infinity): Promise<boolean> {
  const end = Date.now() + limitMs;
  for (;;) {
    const idle = rt.service.worker.idle();
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), Math.max(0, Math.min(end - Date.now(), 2 ** 31 - 1))).unref()),
    ]);
    if (timedOut) return false;
    if (pendingCount(rt) === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function pendingCount(rt: Runtime): number {
  return (rt.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`).get() as { n: number }).n;
}

function doneCount(rt: Runtime): number {
  return (rt.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'done'`).get() as { n: number }).n;
}

function checkAllDone(rt: Runtime, rows: number): void {
  const n = doneCount(rt);
  if (n !== rows) throw new Error(`only ${n} of ${rows} rows were posted`);
}

/** The same requests the adapter makes for a redemption (wallet read, event post), same concurrency, nothing else. */
async function bareLoop(sandboxUrl: string, requests: RedeemRequest[], concurrency: number): Promise<number> {
  const adapter = createAdapter('whitelabel', whiteLabelTrainingConnection(sandboxUrl), { rateLimit: null });
  let next = 0;
  const t0 = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) await adapter.redeem(requests[next++]!);
    }),
  );
  return nowMs() - t0;
}

async function comeback(sandbox: ControlEndpoint, dataDir: string, member: number, waitMs: number): Promise<number> {
  await sandboxCall(sandbox, 'POST', '/faults', { backend: 'whitelabel', fault: 'down' });
  const rt = await startRuntime({ dataDir, backendUrl: sandbox.url });
  try {
    // A queue the terminal could not send: it is offline and probing.
    const store = rt.store;
    const now = Date.now();
    const req = {
      ...makeRequests(1, 1, `C${member}`)[0]!,
      member: { identifier: { kind: 'card' as const, value: benchCard(member) }, backendMemberId: benchCard(member) },
    };
    store.transaction(() => {
      store.sales.insert({
        id: req.saleId,
        created_at: new Date(now).toISOString(),
        terminal_id: TERMINAL,
        cashier: 'bench',
        state: 'queued',
        currency: 'EUR',
        basket_cents: 1000,
      });
      store.outbox.insert({
        sale_id: req.saleId,
        kind: 'redeem',
        reference: req.reference,
        member_key: store.memberKey('card', benchCard(member)),
        payload: req,
        next_attempt_at: now,
        created_at: new Date(now).toISOString(),
      });
    });
    rt.service.worker.kick();
    const deadline = Date.now() + 5000;
    while (rt.service.connectivity.online) {
      if (Date.now() > deadline) throw new Error('the terminal never noticed the backend was down');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, waitMs));
    const t0 = Date.now();
    await sandboxCall(sandbox, 'DELETE', '/faults');
    for (;;) {
      const { events } = await sandboxJson<{ events: { createdAt: string }[] }>(sandbox, `/whitelabel/ledger?userId=${benchCard(member)}`);
      if (events.length > 0) return Date.parse(events[0]!.createdAt) - t0;
      if (Date.now() - t0 > 30_000) throw new Error('the queued redemption was never sent');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await rt.close();
  }
}

interface MemoryRun {
  baselineRss: number;
  peakRss: number;
  warmRss: number;
  warmPeakRss: number;
  heapBefore: number;
  heapAfterGc: number;
  done: number;
  ms: number;
  finished: boolean;
}

async function drainInChild(dataDir: string, url: string, concurrency: number, limitMs: number, warmRows: number): Promise<MemoryRun> {
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO, 'bench/drain-memory.ts'),
      '--data-dir',
      dataDir,
      '--backend',
      url,
      '--concurrency',
      String(concurrency),
      '--limit-ms',
      String(limitMs),
      '--warm-rows',
      String(warmRows),
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`the memory drain process failed (${code}): ${out.slice(-500)}`);
  return JSON.parse(line) as MemoryRun;
}

async function sandboxCall(sandbox: ControlEndpoint, method: string, path: string, body?: unknown): Promise<void> {
  const res = await controlFetch(sandbox, method, path, body);
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status}`);
  await res.text();
}

async function sandboxJson<T>(sandbox: ControlEndpoint, path: string): Promise<T> {
  const res = await controlFetch(sandbox, 'GET', path);
  if (!res.ok) throw new Error(`sandbox GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}
