/** The fast verify's check of one seq range (log-verify.ts), run inline or in a worker (log-verify-worker.ts). */

/** What one range's check found. */
export interface RangeResult {
  ok: boolean;
  count: number;
  firstPrev: string | null;
  lastHash: string | null;
}

/**
 * Rows are [seq, canonical text, hash, prev_hash] in seq order from `lo`:
 * seqs without gaps, each prev_hash the hash before it (the range's first
 * one is returned for the caller to link), each hash the canonical text's.
 */
export function checkRange(rows: Iterable<unknown[]>, lo: number, sha: (s: string) => string): RangeResult {
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
