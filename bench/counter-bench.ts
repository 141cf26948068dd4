/**
 * Issue 2's benchmarks of the counter path:
 *  - the local commit of a redemption (sale + outbox + log, one transaction,
 *    synchronous=FULL) against a bare single-row FULL insert in the same file;
 *  - identify-to-balance through the service against the sandbox (in its own
 *    process) with 50 ms injected latency: the service's overhead over the 50 ms;
 *  - service cold start (open, migrate, ready).
 */
import { join } from 'node:path';
import { makeTempDir } from '../test/temp-dir.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { startSandbox } from '../sandbox/server.js';
import { startRuntime } from '../electron/runtime.js';
import type { SaleView } from '../shared/domain.js';
import { startSandboxProcess } from './sandbox-child.js';
import { median, nowMs, percentile, type Figure } from './stats.js';
import { controlFetch, type ControlEndpoint } from '../sandbox/control-client.js';

export interface CounterBenchOptions {
  commits: number;
  identifies: number;
  coldStarts: number;
  latencyMs: number;
}

export const FULL_SIZE: CounterBenchOptions = { commits: 1000, identifies: 200, coldStarts: 15, latencyMs: 50 };
export const COUNTER_QUICK: CounterBenchOptions = { commits: 30, identifies: 10, coldStarts: 3, latencyMs: 50 };

export async function runCounterBench(o: CounterBenchOptions): Promise<Figure[]> {
  const tmp = makeTempDir('pwp-bench-');
  const sandbox = await startSandbox({ port: 0 });
  try {
    const runtime = await startRuntime({ dataDir: join(tmp.dir, 'commit'), backendUrl: sandbox.url });
    const svc = runtime.service;
    const card = DEMO_MEMBERS.bram.cardNumber;

    // Prepare quoted sales (not timed), then time only the local commit.
    const quoted: SaleView[] = [];
    for (let i = 0; i < o.commits; i++) {
      const sale = await svc.startSale({ basketCents: 500 });
      await svc.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
      quoted.push(await svc.quote({ saleId: sale.id, pointsMilli: 1000 }));
    }
    // Keep the worker from sending while we time commits: we measure the commit alone.
    await svc.worker.stop();
    const commitMs: number[] = [];
    for (const sale of quoted) {
      const t0 = nowMs();
      svc.commitRedemption(sale.id, 1000);
      commitMs.push(nowMs() - t0);
    }
    const db = runtime.store.db;
    db.exec('CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    const bare = db.prepare('INSERT INTO bench_bare (v) VALUES (?)');
    const bareMs: number[] = [];
    for (let i = 0; i < o.commits; i++) {
      const t0 = nowMs();
      bare.run(`row ${i}`);
      bareMs.push(nowMs() - t0);
    }
    await runtime.close();

    // Identify-to-balance with injected latency on a sandbox in its own process (a remote backend's
    // request handling is not the terminal's overhead).
    const remote = await startSandboxProcess();
    const identifyMs: number[] = [];
    let roundTrips: number;
    try {
      const runtime2 = await startRuntime({ dataDir: join(tmp.dir, 'identify'), backendUrl: remote.url });
      // Warm (the first call fetches the program's terms), as a counter is after its first customer.
      const warm = await runtime2.service.startSale({ basketCents: 500 });
      await runtime2.service.identifyMember({ saleId: warm.id, input: card, source: 'scanner' });
      await control(remote, 'POST', { backend: 'whitelabel', fault: 'latency', ms: o.latencyMs });
      for (let i = 0; i < o.identifies; i++) {
        const sale = await runtime2.service.startSale({ basketCents: 500 });
        const t0 = nowMs();
        await runtime2.service.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
        identifyMs.push(nowMs() - t0);
      }
      await control(remote, 'DELETE');
      await runtime2.close();
      // identify makes one backend round trip per latency-injected request: count them.
      roundTrips = await countIdentifyRoundTrips(remote, join(tmp.dir, 'count'), card);
    } finally {
      await remote.close();
    }
    const overhead = identifyMs.map((ms) => ms - roundTrips * o.latencyMs);

    // Cold start: open (existing file with data), migrate, ready.
    const coldMs: number[] = [];
    for (let i = 0; i < o.coldStarts; i++) {
      const t0 = nowMs();
      const r = await startRuntime({ dataDir: join(tmp.dir, 'commit'), backendUrl: sandbox.url });
      coldMs.push(nowMs() - t0);
      await r.close();
    }

    const commitP99 = percentile(commitMs, 99);
    const ratio = median(commitMs) / median(bareMs);
    return [
      { name: 'local commit of a redemption, median', value: median(commitMs), unit: 'ms' },
      { name: 'local commit of a redemption, p99', value: commitP99, unit: 'ms', target: '< 5 ms', ok: commitP99 < 5 },
      { name: 'bare single-row FULL insert, median', value: median(bareMs), unit: 'ms' },
      { name: 'commit / bare insert (medians)', value: ratio, unit: 'x', target: '< 2', ok: ratio < 2 },
      { name: `identify-to-balance, median (${roundTrips} x ${o.latencyMs} ms latency)`, value: median(identifyMs), unit: 'ms' },
      { name: 'identify overhead over injected latency, p95', value: percentile(overhead, 95), unit: 'ms', target: '< 5 ms', ok: percentile(overhead, 95) < 5 },
      { name: 'service cold start (open, migrate, ready), median', value: median(coldMs), unit: 'ms', target: '< 150 ms', ok: median(coldMs) < 150 },
    ];
  } finally {
    await sandbox.close();
    tmp.cleanup();
  }
}

/**
 * How many backend requests one identify makes (so the overhead subtracts the
 * right latency): a zero-latency fault counts the requests it matches.
 */
async function countIdentifyRoundTrips(sandbox: ControlEndpoint, dataDir: string, card: string): Promise<number> {
  const r = await startRuntime({ dataDir, backendUrl: sandbox.url });
  // Warm up first (the first call also fetches an access token), as the timed loop is warm too.
  const warm = await r.service.startSale({ basketCents: 500 });
  await r.service.identifyMember({ saleId: warm.id, input: card, source: 'scanner' });
  const sale = await r.service.startSale({ basketCents: 500 });
  await control(sandbox, 'POST', { backend: 'whitelabel', fault: 'latency', ms: 0 });
  await r.service.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
  const { faults } = (await (await controlFetch(sandbox, 'GET', '/faults')).json()) as { faults: { hits: number }[] };
  await control(sandbox, 'DELETE');
  await r.close();
  return faults.reduce((n, f) => n + f.hits, 0);
}

async function control(sandbox: ControlEndpoint, method: 'POST' | 'DELETE', body?: unknown): Promise<void> {
  const res = await controlFetch(sandbox, method, '/faults', body);
  if (!res.ok) throw new Error(`sandbox control ${method} failed: ${res.status}`);
}
