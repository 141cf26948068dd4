/**
 * The memory half of the drain benchmark, in a fresh process of its own so
 * the figure is the terminal's alone (not the benchmark's earlier rounds, not
 * the sandbox's ledger):
 *
 *   node --expose-gc --import tsx bench/drain-memory.ts --data-dir D --backend URL [--concurrency C] [--limit-ms L]
 *
 * The queue is already in D (filled by drain-bench.ts). Collects garbage,
 * notes RSS, starts the terminal, samples RSS every 20 ms until the queue is
 * empty (or the limit passes), and prints one JSON line:
 * {baselineRss, peakRss, warmRss, warmPeakRss, done, ms, finished}.
 *
 * Two baselines: before the terminal starts (so the growth includes its fixed
 * costs: the HTTP client loaded on first use, compiled code, V8 sizing its
 * heap, SQLite's page cache), and once `--warm-rows` rows are drained, after a
 * collection (so the growth is what draining more rows costs: flat if the
 * queue is streamed, growing with the queue if it were loaded).
 */
import { parseArgs } from 'node:util';
import { startRuntime } from '../electron/runtime.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    backend: { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'limit-ms': { type: 'string', default: '240000' },
    'warm-rows': { type: 'string', default: '1000' },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
gc?.();
const baselineRss = process.memoryUsage().rss;
const baseline = process.memoryUsage();
let peakRss = baselineRss;
let warmRss = 0;
let warmPeakRss = 0;
let atPeak = baseline;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) {
    peakRss = m.rss;
    atPeak = m;
  }
  if (warmRss) warmPeakRss = Math.max(warmPeakRss, m.rss);
}, 20);
const t0 = performance.now();
const rt = await startRuntime({
  dataDir: values['data-dir']!,
  backendUrl: values.backend!,
  tuning: { outboxConcurrency: Number(values.concurrency), rateLimit: null },
});
const end = Date.now() + Number(values['limit-ms']);
const pending = rt.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`);
const doneStmt = rt.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'done'`);
const warmRows = Number(values['warm-rows']);
let finished = false;
for (;;) {
  await new Promise((r) => setTimeout(r, 250));
  if (!warmRss && (doneStmt.get() as { n: number }).n >= warmRows) {
    gc?.();
    warmRss = warmPeakRss = process.memoryUsage().rss;
  }
  if ((pending.get() as { n: number }).n === 0) {
    finished = true;
    break;
  }
  if (Date.now() > end) break;
}
const ms = performance.now() - t0;
peakRss = Math.max(peakRss, process.memoryUsage().rss);
clearInterval(sampler);
const done = (doneStmt.get() as { n: number }).n;
gc?.();
gc?.();
/** What is still reachable after the drain (a leak would show here, lazy collection would not). */
const heapAfterGc = process.memoryUsage().heapUsed;
await rt.close();
const mb = (m: NodeJS.MemoryUsage) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1e5) / 10]));
process.stdout.write(
  JSON.stringify({
    baselineRss,
    peakRss,
    warmRss,
    warmPeakRss,
    heapAfterGc,
    heapBefore: baseline.heapUsed,
    done,
    ms,
    finished,
    gc: gc !== undefined,
    baselineMb: mb(baseline),
    atPeakMb: mb(atPeak),
  }) + '\n',
);
process.exit(0);
