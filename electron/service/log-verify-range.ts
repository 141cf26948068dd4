/**
 * The fast verify's check of one seq range (log-verify.ts), run inline or in
 * a worker (log-verify-worker.ts).
 *
 * Why it is shaped like this (profiled on a 10,000,000-entry log, issue 18):
 * SQLite builds an entry's canonical text (CANONICAL_SQL) at over a million
 * entries per CPU-second and sha256 of ~230 bytes costs well under a
 * microsecond, but handing each row to JavaScript as four values (seq, text,
 * hash, prev_hash) cost more than both together: the old row-by-row check
 * managed about half a million entries per CPU-second. So SQLite hands over
 * a few thousand entries at once as one blob, a line per entry:
 *
 *     <hash, 64 hex> <canonical text> \n
 *
 * (the canonical text is JSON: it never holds a raw line break). For each
 * line the check hashes the canonical bytes as they are (the UTF-8 the
 * journal hashes) and compares with the stored hash, and reads the link and
 * the seq where the canonical text starts, `["<prev_hash>",<seq>,`: the
 * first two values the hash covers (log-row.ts HASHED_FIELDS). Anything
 * unexpected, however harmless, fails the range; the caller then walks the
 * chain the reference way, so an odd row costs time, never a wrong answer.
 */
import type { Db } from '../store/db.js';
import { CANONICAL_SQL } from '../store/log-row.js';

/** What one range's check found. */
export interface RangeResult {
  ok: boolean;
  count: number;
  firstPrev: string | null;
  lastHash: string | null;
}

/** Entries per blob: about 1 MB of text, few enough calls that their cost vanishes. */
const CHUNK = 4000;
// The rows come in seq order because a seq range is read along the table's own b-tree
// (seq is the rowid); should that ever change, the seq check below fails the range and
// the reference walk answers: slower, still right.

const CHUNK_SQL = `SELECT count(*) AS n, min(length(hash)) AS shortest, max(length(hash)) AS longest,
    CAST(group_concat(hash || ${CANONICAL_SQL}, char(10)) AS BLOB) AS lines
  FROM log WHERE seq BETWEEN ? AND ?`;

interface Chunk {
  n: number;
  shortest: number | null;
  longest: number | null;
  lines: Buffer | null;
}

/**
 * Checks entries lo..hi: every seq there, each hash its canonical text's,
 * each prev_hash the hash before it (the range's first one is returned for
 * the caller to link). Reads inside one read transaction of its own when the
 * connection has none, so a concurrent archive cut cannot tear the range.
 */
export function checkRange(db: Db, lo: number, hi: number, sha: (data: Uint8Array) => string, chunkRows = CHUNK): RangeResult {
  const own = !db.inTransaction;
  if (own) db.exec('BEGIN');
  try {
    return check(db, lo, hi, sha, chunkRows);
  } finally {
    if (own) db.exec('COMMIT');
  }
}

function check(db: Db, lo: number, hi: number, sha: (data: Uint8Array) => string, chunkRows: number): RangeResult {
  const first = db.prepare('SELECT prev_hash FROM log WHERE seq = ?').pluck().get(lo) as string | undefined;
  const fail = (count: number, lastHash: string | null): RangeResult => ({ ok: false, count, firstPrev: first ?? null, lastHash });
  if (typeof first !== 'string') return fail(0, null);
  const chunk = db.prepare(CHUNK_SQL);
  let prev = first;
  let seq = lo;
  let count = 0;
  for (let from = lo; from <= hi; from += chunkRows) {
    const to = Math.min(hi, from + chunkRows - 1);
    const c = chunk.get(from, to) as Chunk;
    // Every seq present once (seq is the primary key), every hash 64 characters: then lines and entries are one to one.
    if (c.n !== to - from + 1 || c.shortest !== 64 || c.longest !== 64 || !c.lines) return fail(count, count ? prev : null);
    const b = c.lines;
    let p = 0;
    for (let i = 0; i < c.n; i++) {
      let end = b.indexOf(10, p);
      if (end < 0) end = b.length;
      const stored = b.toString('latin1', p, p + 64);
      const start = '["' + prev + '",' + seq + ',';
      if (b.toString('latin1', p + 64, p + 64 + start.length) !== start || sha(b.subarray(p + 64, end)) !== stored) return fail(count, count ? prev : null);
      prev = stored;
      seq++;
      count++;
      p = end + 1;
    }
    if (p < b.length) return fail(count, prev);
  }
  return { ok: true, count, firstPrev: first, lastHash: count ? prev : null };
}
