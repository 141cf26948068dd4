/**
 * "Verify the log", fast. The chain's rule is store/log-row.ts's: each entry's
 * hash is sha256 over its canonical text, and its prev_hash is the hash of the
 * entry before (the first one's is GENESIS_HASH); seqs run 1, 2, 3, ...
 * without gaps.
 *
 * The fast path checks exactly that, but lets SQLite build the canonical text
 * (log-row.ts CANONICAL_SQL) and splits the seq range over worker threads (one per core, up to
 * 4), each with its own read-only connection. When the fast path finds
 * anything at all, journal.verify() walks the chain the reference way and
 * names the first bad entry; so a difference in serialisation can only cost
 * time, never give a wrong answer.
 */
import { hash as oneShotHash, createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { VerifyResult } from '../store/journal.js';
import { CANONICAL_SQL, GENESIS_HASH } from '../store/log-row.js';
import type { Store } from '../store/store.js';

const RANGE_SQL = `SELECT seq, ${CANONICAL_SQL}, hash, prev_hash FROM log WHERE seq BETWEEN ? AND ? ORDER BY seq`;

/** What one range's check found. */
interface RangeResult {
  ok: boolean;
  count: number;
  firstPrev: string | null;
  lastHash: string | null;
}

/** Below this many entries one thread is faster than starting workers. */
const PARALLEL_FROM = 100_000;

/** The per-range check, shared by the inline path and the workers (as source text). */
function checkRange(rows: Iterable<unknown[]>, lo: number, sha: (s: string) => string): RangeResult {
  let expected = lo;
  let prev: string | null = null;
  let firstPrev: string | null = null;
  let count = 0;
  for (const r of rows) {
    const [seq, canonical, hash, prevHash] = r as [number, string, string, string];
    if (seq !== expected) return { ok: false, count, firstPrev, lastHash: prev };
    if (count === 0) firstPrev = prevHash;
    else if (prevHash !== prev) return { ok: false, count, firstPrev, lastHash: prev };
    if (sha(canonical) !== hash) return { ok: false, count, firstPrev, lastHash: prev };
    prev = hash;
    expected++;
    count++;
  }
  return { ok: true, count, firstPrev, lastHash: prev };
}

const sha256 = (s: string): string => (typeof oneShotHash === 'function' ? oneShotHash('sha256', s) : createHash('sha256').update(s).digest('hex'));

const WORKER_SOURCE = `
const __name = (f) => f;
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const Database = require(workerData.sqlitePath);
const sha = typeof crypto.hash === 'function' ? (s) => crypto.hash('sha256', s) : (s) => crypto.createHash('sha256').update(s).digest('hex');
const checkRange = ${checkRange.toString()};
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
try {
  const rows = db.prepare(workerData.sql).raw(true).iterate(workerData.lo, workerData.hi);
  parentPort.postMessage(checkRange(rows, workerData.lo, sha));
} finally {
  db.close();
}
`;

export interface FastVerifyOptions {
  /** Worker threads to use; default: one per core, up to 4; 0 or 1: this thread only. */
  workers?: number;
  /** Entries from which workers are used (default 100,000). */
  parallelFrom?: number;
  /** Hears which way the answer was found (tests, benchmarks). */
  onPath?: (path: 'inline' | 'workers' | 'reference') => void;
}

/**
 * Verifies the whole chain. Same answer as store.journal.verify(), faster.
 * Runs off the main thread for large logs, so the terminal keeps serving.
 */
export async function verifyChain(store: Store, opts: FastVerifyOptions = {}): Promise<VerifyResult> {
  const head = store.db.prepare('SELECT MAX(seq) AS n FROM log').get() as { n: number | null };
  const n = head.n ?? 0;
  if (n === 0) {
    // An empty log, or one whose entries were all removed: the reference walk tells which.
    return store.journal.verify();
  }
  const want = opts.workers ?? Math.min(4, availableParallelism());
  const parts = n >= (opts.parallelFrom ?? PARALLEL_FROM) && want > 1 ? want : 1;
  let results: RangeResult[] | null = null;
  let path: 'inline' | 'workers' = 'workers';
  if (parts > 1) results = await inWorkers(store, n, parts).catch(() => null);
  if (!results) {
    path = 'inline';
    results = [checkRange(store.db.prepare(RANGE_SQL).raw(true).iterate(1, n) as Iterable<unknown[]>, 1, sha256)];
  }
  const total = results.reduce((a, r) => a + r.count, 0);
  const linked = results.every((r, i) => r.ok && r.firstPrev === (i === 0 ? GENESIS_HASH : results![i - 1]!.lastHash));
  if (linked && total === n) {
    opts.onPath?.(path);
    return { intact: true, entries: n };
  }
  // Something does not fit: the reference walk names it.
  opts.onPath?.('reference');
  return store.journal.verify();
}

async function inWorkers(store: Store, n: number, parts: number): Promise<RangeResult[]> {
  const file = store.db.name;
  if (!file || file === ':memory:') throw new Error('in-memory database: no workers');
  const base = typeof __filename === 'string' ? __filename : import.meta.url;
  const sqlitePath = createRequire(base).resolve('better-sqlite3');
  const size = Math.ceil(n / parts);
  const ranges = Array.from({ length: parts }, (_, i) => ({ lo: i * size + 1, hi: Math.min(n, (i + 1) * size) })).filter((r) => r.lo <= r.hi);
  return Promise.all(
    ranges.map(
      ({ lo, hi }) =>
        new Promise<RangeResult>((resolve, reject) => {
          const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sql: RANGE_SQL, lo, hi, sqlitePath } });
          w.once('message', (m: RangeResult) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`verify worker exited with ${code}`)));
        }),
    ),
  );
}
