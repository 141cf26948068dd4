/**
 * "Verify the log", fast. The chain's rule is store/log-row.ts's: each entry's
 * hash is sha256 over its canonical text, and its prev_hash is the hash of the
 * entry before (the first one's is GENESIS_HASH); seqs run 1, 2, 3, ...
 * without gaps.
 *
 * The fast path checks exactly that, but lets SQLite build the canonical text
 * (log-row.ts CANONICAL_SQL) in blobs of a few thousand entries
 * (log-verify-range.ts says why) and splits the seq range over worker threads (one per core, up to
 * 4), each with its own read-only connection. When the fast path finds
 * anything at all, journal.verify() walks the chain the reference way and
 * names the first bad entry; so a difference in serialisation can only cost
 * time, never give a wrong answer.
 */
import { availableParallelism } from 'node:os';
import { chainStart, type VerifyResult } from '../store/journal.js';
import { sha256Hex } from '../store/log-row.js';
import { startWorkerFile } from '../worker-file.js';
import { checkRange, type RangeResult } from './log-verify-range.js';
import type { VerifyWorkerData } from './log-verify-worker.js';
import type { Store } from '../store/store.js';

/** Below this many entries one thread is faster than starting workers. */
const PARALLEL_FROM = 100_000;

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
  const last = head.n ?? 0;
  // After an archive cut (store/log-archive.ts) the chain here starts at the cut's hash.
  const start = chainStart(store.db);
  if (last === 0 || !start.ok || last <= start.seq) {
    // An empty log, one whose entries were all removed, or a cut the log does not record: the reference walk tells which.
    return store.journal.verify();
  }
  const first = start.seq + 1;
  const n = last - start.seq;
  const want = opts.workers ?? Math.min(4, availableParallelism());
  const parts = n >= (opts.parallelFrom ?? PARALLEL_FROM) && want > 1 ? want : 1;
  let results: RangeResult[] | null = null;
  let path: 'inline' | 'workers' = 'workers';
  if (parts > 1) results = await inWorkers(store, first, last, parts).catch(() => null);
  if (!results) {
    path = 'inline';
    results = [checkRange(store.db, first, last, sha256Hex)];
  }
  const total = results.reduce((a, r) => a + r.count, 0);
  const linked = results.every((r, i) => r.ok && r.firstPrev === (i === 0 ? start.hash : results![i - 1]!.lastHash));
  if (linked && total === n) {
    opts.onPath?.(path);
    return { intact: true, entries: n };
  }
  // Something does not fit: the reference walk names it.
  opts.onPath?.('reference');
  return store.journal.verify();
}

async function inWorkers(store: Store, first: number, last: number, parts: number): Promise<RangeResult[]> {
  const file = store.db.name;
  if (!file || file === ':memory:') throw new Error('in-memory database: no workers');
  const size = Math.ceil((last - first + 1) / parts);
  const ranges = Array.from({ length: parts }, (_, i) => ({ lo: first + i * size, hi: Math.min(last, first + (i + 1) * size - 1) })).filter(
    (r) => r.lo <= r.hi,
  );
  return Promise.all(
    ranges.map(
      ({ lo, hi }) =>
        new Promise<RangeResult>((resolve, reject) => {
          const data: VerifyWorkerData = { file, lo, hi };
          const w = startWorkerFile('log-verify-worker.cjs', new URL('./log-verify-worker.ts', import.meta.url), data);
          w.once('message', (m: RangeResult) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => code !== 0 && reject(new Error(`verify worker exited with ${code}`)));
        }),
    ),
  );
}
