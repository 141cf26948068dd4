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
 * a few thousand entries at once as one blob, a line per entry: the JSON
 * array of the stored hash followed by the hashed fields,
 *
 *     ["<hash, 64 hex>","<prev_hash>",<seq>,...]\n
 *
 * which is the canonical text (CANONICAL_SQL, what the journal hashes) with
 * the hash put in front: from the comma after the hash on, with that comma
 * read as the array's opening bracket, the bytes are exactly the canonical
 * text's UTF-8. (JSON never holds a raw line break, so lines and entries are
 * one to one.) For each line the check hashes those bytes and compares with
 * the stored hash, and reads the link and the seq where the canonical text
 * starts, `["<prev_hash>",<seq>,`: the first two values the hash covers
 * (log-row.ts HASHED_FIELDS). Those comparisons are made on the blob's bytes
 * (the link against the previous line's hash where it lies): making strings
 * of them cost a third of the check's JavaScript time, and their garbage a
 * tenth of the whole.
 *
 * Why one json_array with the hash as its first value, and nothing else per
 * row (issue 18, counted with callgrind on the 10,000,000-entry log): the
 * former `hash || json_array(...)` plus count(*), min(length(hash)) and
 * max(length(hash)) cost 8,800 instructions an entry inside SQLite, this
 * 7,500; length() alone was 820 (it counts characters). What those
 * aggregates guarded is checked on the bytes instead: each line's seq is the
 * one expected next (so none is missing or extra), and the stored hash sits
 * between quotes where 64 hex digits must be.
 *
 * Anything unexpected, however harmless, fails the range; the caller then
 * walks the chain the reference way, so an odd row costs time, never a wrong
 * answer.
 */
import type { Db } from '../store/db.js';
import { HASHED_FIELDS } from '../store/log-row.js';

/** What one range's check found. */
export interface RangeResult {
  ok: boolean;
  count: number;
  firstPrev: string | null;
  lastHash: string | null;
}

/**
 * Entries per blob: about 300 KB of text, few enough calls that their cost
 * vanishes. Blobs of 4,000 (1.2 MB) cost a fifth more per entry (A/B on the
 * 10,000,000-entry log: 436k against 528k entries per CPU-second, half the
 * system time): a large blob is fresh memory from the system each time, several
 * times over (SQLite's string, its copy, the Buffer), and falls out of the
 * processor's cache between SQLite writing it and the check reading it.
 */
const CHUNK = 1000;
// The rows come in seq order because a seq range is read along the table's own b-tree
// (seq is the rowid); should that ever change, the seq check below fails the range and
// the reference walk answers: slower, still right.

/** The hash, then the hashed fields: see above. */
const CHUNK_SQL = `SELECT CAST(group_concat(json_array(hash, ${HASHED_FIELDS.join(', ')}), char(10)) AS BLOB) AS lines
  FROM log WHERE seq BETWEEN ? AND ?`;

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
  const chunk = db.prepare(CHUNK_SQL).pluck();
  // The link each entry must start with: the previous entry's stored hash, as bytes (the
  // range's first one from its prev_hash; then where the previous line holds it).
  let prevBytes: Buffer = Buffer.from(first, 'latin1');
  let prevAt = 0;
  let prevHex = first;
  let seq = lo;
  let count = 0;
  for (let from = lo; from <= hi; from += chunkRows) {
    const to = Math.min(hi, from + chunkRows - 1);
    const b = chunk.get(from, to) as Buffer | null;
    if (!b) return fail(count, count ? prevHex : null);
    let p = 0;
    while (p < b.length && seq <= to) {
      let end = b.indexOf(10, p);
      if (end < 0) end = b.length;
      // ["<hash>", then the canonical text from the comma on: ["<prev_hash>",<seq>, byte by byte, no strings made.
      const t = p + 67;
      let ok = b[p] === 0x5b && b[p + 1] === 0x22 && b[p + 66] === 0x22 && b[t] === 0x2c && b[t + 1] === 0x22 && b[t + 66] === 0x22 && b[t + 67] === 0x2c;
      for (let k = 0; ok && k < 64; k++) ok = b[t + 2 + k] === prevBytes[prevAt + k];
      if (ok) {
        // The seq, digit by digit: exactly the one expected (no sign, no leading zero, nothing after it but a comma).
        let q = t + 68;
        let v = 0;
        const d = q;
        while (q < end && q - d < 16 && b[q]! >= 0x30 && b[q]! <= 0x39) v = v * 10 + (b[q++]! - 0x30);
        ok = v === seq && b[q] === 0x2c && (b[d] !== 0x30 || q === d + 1);
      }
      if (ok) {
        b[t] = 0x5b; // the comma after the hash, read as the canonical text's opening bracket
        const digest = sha(b.subarray(t, end));
        for (let k = 0; ok && k < 64; k++) ok = digest.charCodeAt(k) === b[p + 2 + k];
      }
      if (!ok) return fail(count, count ? hexAt(prevBytes, prevAt) : null);
      prevBytes = b;
      prevAt = p + 2;
      seq++;
      count++;
      p = end + 1;
    }
    // Every seq of the chunk, once each, and nothing else.
    if (seq !== to + 1 || p < b.length) return fail(count, count ? hexAt(prevBytes, prevAt) : null);
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
