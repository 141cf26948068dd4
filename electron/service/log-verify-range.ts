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
 * first two values the hash covers (log-row.ts HASHED_FIELDS). Those
 * comparisons are made on the blob's bytes (the link against the previous
 * line's hash where it lies): making strings of them cost a third of the
 * check's JavaScript time, and their garbage a tenth of the whole. Anything
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
  // A link that is not 64 characters cannot be a hash: the reference walk says what it is.
  if (typeof first !== 'string' || first.length !== 64) return fail(0, null);
  const chunk = db.prepare(CHUNK_SQL);
  // The link each entry must start with: the previous entry's stored hash, as bytes (the
  // range's first one from its prev_hash; then where the previous line holds it).
  let prevBytes: Buffer = Buffer.from(first, 'latin1');
  let prevAt = 0;
  let prevHex = first;
  let seq = lo;
  let count = 0;
  for (let from = lo; from <= hi; from += chunkRows) {
    const to = Math.min(hi, from + chunkRows - 1);
    const c = chunk.get(from, to) as Chunk;
    // Every seq present once (seq is the primary key), every hash 64 characters: then lines and entries are one to one.
    if (c.n !== to - from + 1 || c.shortest !== 64 || c.longest !== 64 || !c.lines) return fail(count, count ? prevHex : null);
    const b = c.lines;
    let p = 0;
    for (let i = 0; i < c.n; i++) {
      let end = b.indexOf(10, p);
      if (end < 0) end = b.length;
      // The canonical text starts ["<prev_hash>",<seq>, : byte by byte, no strings made.
      const t = p + 64;
      let ok = b[t] === 0x5b && b[t + 1] === 0x22 && b[t + 66] === 0x22 && b[t + 67] === 0x2c;
      for (let k = 0; ok && k < 64; k++) ok = b[t + 2 + k] === prevBytes[prevAt + k];
      let q = t + 68;
      if (ok) {
        const digits = String(seq);
        for (let k = 0; ok && k < digits.length; k++) ok = b[q + k] === digits.charCodeAt(k);
        q += digits.length;
        ok &&= b[q] === 0x2c;
      }
      if (ok) {
        const digest = sha(b.subarray(t, end));
        for (let k = 0; ok && k < 64; k++) ok = digest.charCodeAt(k) === b[p + k];
      }
      if (!ok) return fail(count, count ? hexAt(prevBytes, prevAt) : null);
      prevBytes = b;
      prevAt = p;
      seq++;
      count++;
      p = end + 1;
    }
    if (p < b.length) return fail(count, count ? hexAt(prevBytes, prevAt) : null);
    // Between chunks the link is kept as a copy: the blob goes, its last hash stays.
    prevHex = hexAt(prevBytes, prevAt);
    prevBytes = Buffer.from(prevHex, 'latin1');
    prevAt = 0;
  }
  return { ok: true, count, firstPrev: first, lastHash: count ? prevHex : null };
}

function hexAt(b: Buffer, at: number): string {
  return b.toString('latin1', at, at + 64);
}
