/**
 * The log export's hot loop, in bytes (used by csv-export.ts in this thread
 * and by its worker threads, csv-export-worker.ts).
 *
 * Why it is shaped like this (profiled on a 10,000,000-entry log, issue 18):
 * reading rows as 14 JavaScript values each cost about 3 µs a row, building
 * each line as a string another few, and turning those strings (two-byte
 * ones: the masked member's bullets) back into UTF-8 for the file cost more
 * than both; the garbage of it all a further seventh. So SQLite hands over a
 * few thousand entries at once as one blob, an entry per line as a JSON
 * array (json_array, which SQLite builds at about a microsecond a row):
 *
 *     [seq,"at","terminal_id","actor","sale_id",...,"prev_hash","hash"]\n
 *
 * and the line is written straight from those bytes into a byte buffer:
 * plain text is copied as it is, and only what the CSV rules touch (a
 * separator, a quote, a would-be formula, blanks at either end, a control
 * character) goes through csv-line.ts's own rules. Words (kinds, outcomes,
 * names) are looked up once per distinct value, local times once per hour.
 *
 * The lines are byte for byte those of csv-line.ts (its tests hold both to
 * it). Anything this reading does not expect (a number that is not a whole
 * number, a value of an unexpected type, a time that is not the log's own
 * form) sends that entry through csv-line.ts with its values read the usual
 * way; a blob that does not hold exactly the entries asked for sends the whole
 * chunk that way. An odd entry costs time, never a different file.
 */
import type { Db } from '../store/db.js';
import type { CsvDialect } from './csv-dialect.js';
import { LOG_SELECT, lineFormat } from './csv-line.js';

/** The export's select list as one JSON line per entry (first l.seq, the keyset). */
export const LOG_JSON_SELECT = `l.seq AS seq, json_array(${LOG_SELECT}) AS line`;

const FIELDS = 14;
const NULL = 0;
const STR = 1;
const NUM = 2;
/** Flags of a string field: the separator, an escaped quote, an escaped backslash, any other escape. */
const HAS_SEP = 1;
const HAS_QUOTE = 2;
const HAS_BACKSLASH = 4;
const HAS_OTHER_ESCAPE = 8;
/** Bytes that make a first character need csv-line.ts's rules (a blank or a formula's start); tab, CR, LF arrive escaped. */
const RISKY_START = new Uint8Array(256);
for (const c of ' =+-@') RISKY_START[c.charCodeAt(0)] = 1;
/** Distinct words kept per column: a log of odd values must not grow memory without bound. */
const CACHE_MAX = 10_000;

interface KindCells {
  word: Buffer;
  code: Buffer;
  amount: number;
}
interface PairCells {
  word: Buffer;
  code: Buffer;
}

/**
 * Writes log CSV lines into a growing byte buffer. `take()` hands the bytes
 * over (and starts a new buffer); `drain(fn)` lends them (and reuses it).
 */
export class LogCsvBytes {
  private buf = Buffer.allocUnsafe(1 << 21);
  private pos = 0;
  private readonly f;
  private readonly sep: number;
  private readonly CRLF = Buffer.from('\r\n');
  // Where the current line's fields are (start, end), their kind and flags.
  private readonly fs = new Int32Array(FIELDS);
  private readonly fe = new Int32Array(FIELDS);
  private readonly ft = new Uint8Array(FIELDS);
  private readonly fl = new Uint8Array(FIELDS);
  private readonly kinds = new ByteKeyed<KindCells>();
  private readonly outcomes = new ByteKeyed<PairCells>();
  private readonly actors = new ByteKeyed<PairCells>();
  // Made once: a closure per row would be garbage per row.
  private readonly actorCells = (v: string): PairCells => ({ word: Buffer.from(this.nameCells.get(v) ?? ''), code: Buffer.from(this.f.text(v)) });
  private readonly kindCells = (v: string): KindCells => ({
    word: Buffer.from(this.f.word(this.dialect.kinds, v)),
    code: Buffer.from(this.f.text(v)),
    amount: this.f.amountIndex(v),
  });
  private readonly outcomeCells = (v: string): PairCells => ({ word: Buffer.from(this.f.word(this.dialect.outcomes, v)), code: Buffer.from(this.f.text(v)) });
  // The UTC hour of the last time written, and its local form (learnHour).
  private readonly hourKey = Buffer.alloc(13);
  private hourKnown = false;
  private localMinute0 = 0;
  private hourHead = Buffer.alloc(0);
  private nextHourHead = Buffer.alloc(0);
  private hourTail = Buffer.alloc(0);

  constructor(
    private readonly dialect: CsvDialect,
    private readonly nameCells: ReadonlyMap<string, string>,
  ) {
    this.f = lineFormat(dialect);
    this.sep = dialect.sep.charCodeAt(0);
  }

  /** The bytes written so far, handed over: the writer continues in a new buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return out;
  }

  /** The bytes written so far, lent to `fn` (which must be done with them when it returns), then forgotten. */
  drain(fn: (bytes: Buffer) => void): void {
    if (this.pos > 0) fn(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  /** Entries written csv-line.ts's way (row()) instead of from the blob: odd ones only (tests, benchmarks). */
  usualRows = 0;

  /** One line from a row of LOG_SELECT's values: csv-line.ts's way. */
  row(r: unknown[]): void {
    this.usualRows++;
    this.str(this.f.line(r, this.nameCells.get(r[3] as string) ?? ''));
  }

  /**
   * The lines of a blob of `n` JSON lines whose seqs must run above `after`
   * and end at `last`. `rowBySeq` reads one entry's values the usual way (for
   * an entry this reading does not expect). Returns false, having written
   * nothing, when the blob is not exactly that: the caller then reads the
   * chunk the usual way.
   */
  lines(b: Buffer, n: number, after: number, last: number, rowBySeq: (seq: number) => unknown[] | undefined): boolean {
    const chunkStart = this.pos;
    let p = 0;
    let prev = after;
    let count = 0;
    while (p < b.length) {
      let end = b.indexOf(10, p);
      if (end < 0) end = b.length;
      const lineStart = this.pos;
      const parsed = this.parse(b, p, end);
      const seq = parsed && this.ft[0] === NUM ? this.int(b, 0) : leadingSeq(b, p, end);
      if (seq === null || seq <= prev) {
        this.pos = chunkStart;
        return false;
      }
      if (!parsed || !this.fast(b)) {
        this.pos = lineStart;
        const r = rowBySeq(seq);
        if (!r) {
          this.pos = chunkStart;
          return false;
        }
        this.row(r);
      }
      prev = seq;
      count++;
      p = end + 1;
    }
    if (count !== n || prev !== last) {
      this.pos = chunkStart;
      return false;
    }
    return true;
  }

  /** Finds the line's 14 fields; false if it is not a flat JSON array of strings, whole numbers and nulls. */
  private parse(b: Buffer, p: number, end: number): boolean {
    const { fs, fe, ft, fl, sep } = this;
    if (b[p] !== 0x5b) return false;
    p++;
    for (let i = 0; i < FIELDS; i++) {
      const c = b[p];
      if (c === 0x22) {
        let q = p + 1;
        let flags = 0;
        for (;;) {
          if (q >= end) return false;
          const x = b[q]!;
          if (x === 0x22) break;
          if (x === 0x5c) {
            const y = b[q + 1];
            flags |= y === 0x22 ? HAS_QUOTE : y === 0x5c ? HAS_BACKSLASH : HAS_OTHER_ESCAPE;
            q += 2;
            continue;
          }
          if (x === sep) flags |= HAS_SEP;
          q++;
        }
        fs[i] = p + 1;
        fe[i] = q;
        ft[i] = STR;
        fl[i] = flags;
        p = q + 1;
      } else if (c === 0x6e) {
        if (b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) return false;
        ft[i] = NULL;
        p += 4;
      } else {
        // A whole number of at most 15 digits (exact as a JavaScript number); anything else is unexpected.
        const s = p;
        if (b[p] === 0x2d) p++;
        const d = p;
        while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
        if (p === d || p - d > 15) return false;
        fs[i] = s;
        fe[i] = p;
        ft[i] = NUM;
      }
      if (b[p] !== (i === FIELDS - 1 ? 0x5d : 0x2c)) return false;
      p++;
    }
    return p === end;
  }

  private int(b: Buffer, i: number): number {
    let p = this.fs[i]!;
    const e = this.fe[i]!;
    const neg = b[p] === 0x2d;
    if (neg) p++;
    let v = 0;
    for (; p < e; p++) v = v * 10 + (b[p]! - 0x30);
    return neg ? -v : v;
  }

  /**
   * The line from the parsed fields, in LOG_SELECT's order: seq, at, terminal_id, actor, sale_id,
   * kind, outcome, member_masked, points_milli, amount_cents, currency, detail, prev_hash, hash.
   * False when a value is not of the type the log holds there (the caller writes it the usual way).
   */
  private fast(b: Buffer): boolean {
    const { ft, sep } = this;
    if (ft[1] !== STR || ft[3] !== STR || ft[5] !== STR || ft[6] !== STR) return false;
    if (ft[8] === STR || ft[9] === STR) return false;
    const actor = this.cells(this.actors, b, 3, this.actorCells);
    const kind = this.cells(this.kinds, b, 5, this.kindCells);
    const outcome = this.cells(this.outcomes, b, 6, this.outcomeCells);
    this.copy(b, this.fs[0]!, this.fe[0]!);
    this.byte(sep);
    if (!this.time(b)) return false;
    this.byte(sep);
    this.text(b, 2);
    this.byte(sep);
    this.bytes(actor.word);
    this.byte(sep);
    this.text(b, 4);
    this.byte(sep);
    this.bytes(kind.word);
    this.byte(sep);
    this.bytes(outcome.word);
    this.byte(sep);
    this.text(b, 7);
    this.byte(sep);
    if (ft[8] === NUM) this.ascii(this.f.points(this.int(b, 8)));
    this.byte(sep);
    const cents = ft[9] === NUM ? this.int(b, 9) : null;
    for (let j = 0; j < 5; j++) {
      if (j > 0) this.byte(sep);
      if (cents !== null && j === kind.amount) this.ascii(this.f.money(cents));
    }
    this.byte(sep);
    this.text(b, 10);
    this.byte(sep);
    this.bytes(actor.code);
    this.byte(sep);
    this.bytes(kind.code);
    this.byte(sep);
    this.bytes(outcome.code);
    this.byte(sep);
    this.text(b, 12);
    this.byte(sep);
    this.text(b, 13);
    this.byte(sep);
    this.text(b, 11);
    this.bytes(this.CRLF);
    return true;
  }

  /** The cells of a low-variety column's value, made once per distinct value. */
  private cells<T>(cache: ByteKeyed<T>, b: Buffer, i: number, make: (value: string) => T): T {
    const s = this.fs[i]!;
    const e = this.fe[i]!;
    let c = cache.get(b, s, e);
    if (c === undefined) {
      c = make(this.decode(b, i));
      cache.set(b, s, e, c);
    }
    return c;
  }

  /** A string field's value. */
  private decode(b: Buffer, i: number): string {
    const s = this.fs[i]!;
    const e = this.fe[i]!;
    return this.fl[i]! & (HAS_QUOTE | HAS_BACKSLASH | HAS_OTHER_ESCAPE) ? (JSON.parse(b.toString('utf8', s - 1, e + 1)) as string) : b.toString('utf8', s, e);
  }

  /** A text cell: copied as it is unless a CSV rule touches it (then csv-line.ts's text() decides). */
  private text(b: Buffer, i: number): void {
    const t = this.ft[i];
    if (t === NULL) return;
    if (t === NUM) return this.ascii(this.f.text(b.toString('latin1', this.fs[i]!, this.fe[i]!)));
    const s = this.fs[i]!;
    const e = this.fe[i]!;
    if (s === e) return;
    const flags = this.fl[i]!;
    // Tab, CR, LF and other control characters arrive escaped; a blank or formula start, or a blank end: the rules decide.
    if (flags & HAS_OTHER_ESCAPE || RISKY_START[b[s]!] || b[e - 1] === 0x20) return this.str(this.f.text(this.decode(b, i)));
    if ((flags & (HAS_SEP | HAS_QUOTE)) === 0) {
      if (flags & HAS_BACKSLASH) return this.unescape(b, s, e, false);
      return this.copy(b, s, e);
    }
    // A quote or the separator: quoted, inner quotes doubled.
    this.byte(0x22);
    this.unescape(b, s, e, true);
    this.byte(0x22);
  }

  /** Copies a string field holding only \" and \\ escapes, with quotes doubled (inside a quoted cell). */
  private unescape(b: Buffer, s: number, e: number, quoted: boolean): void {
    this.room(2 * (e - s));
    const out = this.buf;
    let o = this.pos;
    for (let p = s; p < e; p++) {
      let c = b[p]!;
      if (c === 0x5c) c = b[++p]!;
      out[o++] = c;
      if (c === 0x22 && quoted) out[o++] = 0x22;
    }
    this.pos = o;
  }

  /** The local time, from the log's own form "YYYY-MM-DDTHH:MM:SS.mmmZ"; false for any other form. */
  private time(b: Buffer): boolean {
    const s = this.fs[1]!;
    if (this.fe[1]! - s !== 24 || this.fl[1] !== 0 || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a || b[s + 19] !== 0x2e || b[s + 23] !== 0x5a) return false;
    const m1 = b[s + 14]!;
    const m2 = b[s + 15]!;
    const s1 = b[s + 17]!;
    const s2 = b[s + 18]!;
    if (m1 < 0x30 || m1 > 0x35 || m2 < 0x30 || m2 > 0x39 || s1 < 0x30 || s1 > 0x35 || s2 < 0x30 || s2 > 0x39) return false;
    for (let k = 20; k < 23; k++) if (b[s + k]! < 0x30 || b[s + k]! > 0x39) return false;
    let same = this.hourKnown;
    if (same) {
      const key = this.hourKey;
      for (let k = 0; k < 13; k++)
        if (b[s + k] !== key[k]) {
          same = false;
          break;
        }
    }
    if (!same && !this.learnHour(b, s)) return false;
    const local = this.localMinute0 + (m1 - 0x30) * 10 + (m2 - 0x30);
    const minute = local < 60 ? local : local - 60;
    this.bytes(local < 60 ? this.hourHead : this.nextHourHead);
    this.byte(0x30 + ((minute / 10) | 0));
    this.byte(0x30 + (minute % 10));
    this.byte(0x3a);
    this.byte(s1);
    this.byte(s2);
    this.bytes(this.hourTail);
    return true;
  }

  /**
   * The local form of one UTC hour, when its offset is whole minutes and does
   * not change within it (then a minute and second of the hour are the local
   * ones shifted by a fixed number of minutes): the local "YYYY-MM-DD HH:" of
   * its start, the next local hour's when the offset is not whole hours, and
   * what follows the seconds (the offset, for programs). Else false.
   */
  private learnHour(b: Buffer, s: number): boolean {
    this.hourKnown = false;
    const key = b.toString('latin1', s, s + 13);
    const ms = Date.parse(key + ':00:00.000Z');
    if (!Number.isFinite(ms)) return false;
    const t0 = new Date(ms);
    const t1 = new Date(ms + 3_599_999);
    if (t0.toISOString().slice(0, 13) !== key || t0.getSeconds() !== 0 || t1.getSeconds() !== 59 || t0.getTimezoneOffset() !== t1.getTimezoneOffset())
      return false;
    const start = this.localForm(ms);
    if (!start) return false;
    this.localMinute0 = Number(start.slice(14, 16));
    this.hourHead = Buffer.from(start.slice(0, 14), 'latin1');
    this.hourTail = Buffer.from(start.slice(19), 'latin1');
    if (this.localMinute0 > 0) {
      const next = this.localForm(ms + (60 - this.localMinute0) * 60_000);
      if (!next || next.slice(14, 16) !== '00') return false;
      this.nextHourHead = Buffer.from(next.slice(0, 14), 'latin1');
    }
    b.copy(this.hourKey, 0, s, s + 13);
    this.hourKnown = true;
    return true;
  }

  /** csv-line.ts's local time of an instant, if it has the usual shape (a four-digit year). */
  private localForm(ms: number): string | null {
    const t = this.f.time(new Date(ms).toISOString());
    return /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d)?$/.test(t) ? t : null;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  private byte(c: number): void {
    if (this.pos >= this.buf.length) this.room(1);
    this.buf[this.pos++] = c;
  }

  private copy(b: Buffer, s: number, e: number): void {
    this.room(e - s);
    const out = this.buf;
    let o = this.pos;
    for (let p = s; p < e; p++) out[o++] = b[p]!;
    this.pos = o;
  }

  private bytes(x: Buffer): void {
    this.room(x.length);
    const out = this.buf;
    let o = this.pos;
    for (let k = 0; k < x.length; k++) out[o++] = x[k]!;
    this.pos = o;
  }

  /** Text of one-byte characters (figures). */
  private ascii(x: string): void {
    this.room(x.length);
    const out = this.buf;
    let o = this.pos;
    for (let k = 0; k < x.length; k++) out[o++] = x.charCodeAt(k);
    this.pos = o;
  }

  private str(x: string): void {
    this.room(3 * x.length);
    this.pos += this.buf.write(x, this.pos, 'utf8');
  }
}

/**
 * Values looked up by their bytes in the blob (a string field's JSON text),
 * without making a string of them: a string per row and column cost a tenth
 * of the export's time, with its garbage (profiled, issue 18). Keeps at most
 * CACHE_MAX values; past that, get() finds nothing new and the caller makes
 * the cells each time.
 */
class ByteKeyed<T> {
  private readonly byHash = new Map<number, { key: Buffer; value: T }[]>();
  private size = 0;

  get(b: Buffer, s: number, e: number): T | undefined {
    const list = this.byHash.get(fnv1a(b, s, e));
    if (list)
      for (const x of list) {
        const k = x.key;
        if (k.length !== e - s) continue;
        let j = 0;
        while (j < k.length && k[j] === b[s + j]) j++;
        if (j === k.length) return x.value;
      }
    return undefined;
  }

  set(b: Buffer, s: number, e: number, value: T): void {
    if (this.size >= CACHE_MAX) return;
    const h = fnv1a(b, s, e);
    const entry = { key: Buffer.from(b.subarray(s, e)), value };
    const list = this.byHash.get(h);
    if (list) list.push(entry);
    else this.byHash.set(h, [entry]);
    this.size++;
  }
}

/** FNV-1a of the bytes s..e, as a small integer (a fast Map key). */
function fnv1a(b: Buffer, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let p = s; p < e; p++) h = Math.imul(h ^ b[p]!, 0x01000193);
  return h & 0x3fffffff;
}

/** The seq a JSON line starts with (`[123,`), or null. */
function leadingSeq(b: Buffer, p: number, end: number): number | null {
  if (b[p] !== 0x5b) return null;
  let v = 0;
  let q = p + 1;
  for (; q < end && q - p <= 16 && b[q]! >= 0x30 && b[q]! <= 0x39; q++) v = v * 10 + (b[q]! - 0x30);
  return q > p + 1 && b[q] === 0x2c ? v : null;
}

interface Chunk {
  n: number;
  last: number | null;
  lines: Buffer | null;
}

/**
 * One export's reading of the log over a connection: chunk by chunk as JSON
 * blobs (LogCsvBytes), or the usual way when a blob is not what was asked.
 * `sql` and `rawSql` are the same query (log-query.ts exportPlan) with
 * LOG_JSON_SELECT and LOG_SELECT as their select lists.
 */
export class LogCsvReader {
  private readonly blob;
  private readonly raw;
  private readonly one;

  constructor(
    db: Db,
    sql: string,
    rawSql: string,
    private readonly params: Record<string, unknown>,
    private readonly out: LogCsvBytes,
  ) {
    this.blob = db.prepare(`SELECT count(*) AS n, max(seq) AS last, CAST(group_concat(line, char(10)) AS BLOB) AS lines FROM (${sql})`);
    this.raw = db.prepare(rawSql).raw(true);
    this.one = db.prepare(`SELECT ${LOG_SELECT} FROM log l WHERE l.seq = ?`).raw(true);
  }

  /**
   * Writes the lines of up to `limit` matching entries after seq `after`, up
   * to `upTo`. Returns how many and the last seq (0 rows: the end).
   */
  chunk(after: number, upTo: number, limit: number): { rows: number; last: number } {
    const params = { ...this.params, __after: after, __upto: upTo, __limit: limit };
    let c: Chunk | null = null;
    try {
      c = this.blob.get(params) as Chunk;
    } catch {
      // A value json_array refuses (a blob): this chunk the usual way.
    }
    if (c && c.n === 0) return { rows: 0, last: after };
    if (c && c.lines && c.last !== null && this.out.lines(c.lines, c.n, after, c.last, (seq) => this.one.get(seq) as unknown[] | undefined))
      return { rows: c.n, last: c.last };
    const rows = this.raw.all(params) as unknown[][];
    for (const r of rows) this.out.row(r);
    return { rows: rows.length, last: rows.length ? (rows[rows.length - 1]![0] as number) : after };
  }
}
