/**
 * Log retention (issue 18): entries older than a manager-set period move
 * out of the database into compressed archive files that can still be
 * verified, and the chain stays verifiable across the cut.
 *
 * An archive file (log-archive/log-<first>-<last>.jsonl.gz in the data
 * directory) is gzip'd JSON lines:
 *   {"format":"pwp-log-archive","version":1,"firstSeq":..,"prevHash":..}
 *   [seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents,
 *    currency, outcome, member_masked, member_hash, detail, prev_hash, hash]
 *   ...
 *   {"lastSeq":..,"lastHash":..,"entries":..}
 * Each entry keeps its own hash and its predecessor's, so the file is
 * checked with the same rule as the database (journal.ts entryHash), and
 * one file's first prev_hash is the previous file's last hash.
 *
 * Never lose an entry: the file is written to a temporary name, synced,
 * read back and checked against the database, then renamed; only then is
 * the cut recorded (log_cut, and a `log.archived` entry in the chain, which
 * is what makes the cut trusted: journal.ts chainStart) and the archived
 * entries deleted, in batches that leave the counter free between them. A
 * crash after the cut leaves some archived entries in the database: the
 * next run deletes them. The database file then gives the freed space back
 * (store/db-compact.ts): at once, a step at a time, for a file made
 * incremental; an older file is rewritten once at the next start.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, fsyncSync, mkdirSync, openSync, closeSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { releaseFreePages } from './db-compact.js';
import { chainStart, LOG_ARCHIVED_KIND, type LogInput } from './journal.js';
import { entryHash, GENESIS_HASH } from './log-row.js';
import type { Store } from './store.js';
import type { Db } from './db.js';

export const ARCHIVE_DIR = 'log-archive';
const FORMAT = 'pwp-log-archive';
const COLUMNS =
  'seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash';
type ArchivedRow = [
  number,
  string,
  string,
  string,
  string | null,
  string,
  number | null,
  number | null,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string,
  string,
];

export interface ArchiveOutcome {
  file: string;
  firstSeq: number;
  lastSeq: number;
  lastHash: string;
  entries: number;
  bytes: number;
  sha256: string;
}

export interface ArchiveOptions {
  /** Entries with `at` before this moment (ISO) are archived. */
  before: string;
  /** The data directory (archives go to its log-archive/ folder). */
  dataDir: string;
  /** Who archives (the log entry's actor) and the terminal's id. */
  actor: string;
  terminalId: string;
  now: () => string;
  /** Rows per read (default 20,000) and per delete transaction (default 2,000, at most batchRows). */
  batchRows?: number;
  /** Called between batches: the counter's own work runs there (default: setImmediate). */
  yieldBetween?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));
const DELETE_BATCH = 2000;

/**
 * Archives the entries older than `before` (keeping at least the last
 * entry), or does nothing (null) when there are none. Throws if the file
 * cannot be written or does not check out: then nothing was deleted.
 */
export async function archiveLogBefore(store: Store, o: ArchiveOptions): Promise<ArchiveOutcome | null> {
  const db = store.db;
  const batch = o.batchRows ?? 20_000;
  // A delete holds the database (the counter's commits wait): removing an entry also updates seven
  // indexes and the search index. On the 10,000,000-entry log under load, 20,000 rows took
  // seconds; 2,000 keep each hold short.
  const deleteBatch = Math.min(batch, DELETE_BATCH);
  const pause = o.yieldBetween ?? nextTurn;
  const start = chainStart(db);
  if (!start.ok) throw new Error(`the log cannot be archived: ${start.message}`);
  await deleteArchived(store, start.seq, deleteBatch, pause); // what a crash after the last cut left behind
  const head = store.journal.head();
  if (!head) return null;
  const firstKept = db.prepare('SELECT MIN(seq) AS s FROM log WHERE seq > ? AND at >= ?').get(start.seq, o.before) as { s: number | null };
  const lastSeq = Math.min((firstKept.s ?? head.seq + 1) - 1, head.seq - 1);
  const firstSeq = start.seq + 1;
  if (lastSeq < firstSeq) return null;

  const dir = join(o.dataDir, ARCHIVE_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `log-${firstSeq}-${lastSeq}.jsonl.gz`;
  const file = join(dir, name);
  const partial = `${file}.partial`;
  const written = await writeArchive(store, partial, firstSeq, lastSeq, start.hash, batch, pause);
  const check = await verifyArchiveFile(partial);
  if (!check.intact || check.firstSeq !== firstSeq || check.lastSeq !== lastSeq || check.prevHash !== start.hash || check.lastHash !== written.lastHash) {
    rmSync(partial, { force: true });
    throw new Error(`the archive file did not check out after writing (${check.message}): nothing was removed from the log`);
  }
  renameSync(partial, file);
  syncDir(dir);

  const outcome: ArchiveOutcome = {
    file: name,
    firstSeq,
    lastSeq,
    lastHash: written.lastHash,
    entries: lastSeq - firstSeq + 1,
    bytes: statSync(file).size,
    sha256: written.sha256,
  };
  const entry: LogInput = {
    at: o.now(),
    terminalId: o.terminalId,
    actor: o.actor,
    kind: LOG_ARCHIVED_KIND,
    outcome: 'ok',
    detail: { firstSeq, lastSeq, lastHash: outcome.lastHash, entries: outcome.entries, file: name, sha256: outcome.sha256, before: o.before },
  };
  store.transaction(() => {
    db.prepare('INSERT INTO log_cut (seq, hash, first_seq, file, sha256, entries, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      lastSeq,
      outcome.lastHash,
      firstSeq,
      name,
      outcome.sha256,
      outcome.entries,
      entry.at,
    );
    store.journal.append(entry);
  });
  await deleteArchived(store, lastSeq, deleteBatch, pause);
  // The file shrinks by what was moved out (where it can do so a step at a time: store/db-compact.ts).
  await releaseFreePages(store.db, pause);
  return outcome;
}

/** Streams entries [first, last] into a gzip'd file, synced; returns its sha256 and the last hash. */
async function writeArchive(
  store: Store,
  path: string,
  first: number,
  last: number,
  prevHash: string,
  batch: number,
  pause: () => Promise<void>,
): Promise<{ sha256: string; lastHash: string }> {
  const read = store.db.prepare(`SELECT ${COLUMNS} FROM log WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`).raw(true);
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(path, { mode: 0o600 });
  const sha = createHash('sha256');
  gzip.on('data', (c: Buffer) => sha.update(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
    gzip.on('error', reject);
  });
  gzip.pipe(out);
  const put = async (text: string) => {
    if (!gzip.write(text)) await new Promise<void>((r) => gzip.once('drain', r));
  };
  await put(`${JSON.stringify({ format: FORMAT, version: 1, firstSeq: first, prevHash })}\n`);
  let from = first;
  let lastHash = prevHash;
  let count = 0;
  while (from <= last) {
    const rows = read.all(from, last, batch) as ArchivedRow[];
    if (rows.length === 0) break;
    let text = '';
    for (const r of rows) {
      if (r[0] !== first + count) throw new Error(`entry ${first + count} is missing from the log: it cannot be archived`);
      text += `${JSON.stringify(r)}\n`;
      lastHash = r[14];
      count++;
    }
    await put(text);
    from = rows[rows.length - 1]![0] + 1;
    await pause();
  }
  if (count !== last - first + 1) throw new Error(`entries ${first} to ${last}: ${count} found, the log has gaps`);
  await put(`${JSON.stringify({ lastSeq: last, lastHash, entries: count })}\n`);
  gzip.end();
  await done;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { sha256: sha.digest('hex'), lastHash };
}

/** Deletes entries up to `cutSeq` (and their search-index rows) in batches. */
async function deleteArchived(store: Store, cutSeq: number, batch: number, pause: () => Promise<void>): Promise<void> {
  if (cutSeq <= 0) return;
  const db = store.db;
  const body = searchBody(db);
  // A contentless full-text table deletes a row by being given its text again.
  const unindex = db.prepare(`INSERT INTO log_search (log_search, rowid, body) SELECT 'delete', seq, ${body} FROM log WHERE seq >= ? AND seq <= ?`);
  const remove = db.prepare('DELETE FROM log WHERE seq >= ? AND seq <= ?');
  const lowest = db.prepare('SELECT MIN(seq) AS s FROM log');
  for (;;) {
    const lo = (lowest.get() as { s: number | null }).s;
    if (lo === null || lo > cutSeq) return;
    const hi = Math.min(cutSeq, lo + batch - 1);
    store.transaction(() => {
      unindex.run(lo, hi);
      remove.run(lo, hi);
    });
    await pause();
  }
}

let cachedBody: { db: unknown; body: string } | null = null;

/** The search index's text for an entry, as the append trigger builds it (read from the trigger itself). */
export function searchBody(db: Db): string {
  if (cachedBody?.db === db) return cachedBody.body;
  const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'log_search_on_append'`).get() as { sql: string } | undefined)?.sql;
  const body = sql && /VALUES\s*\(NEW\.seq,([\s\S]*)\);\s*END/i.exec(sql)?.[1];
  if (!body) throw new Error('the log search trigger was not found: the search index cannot be kept in step');
  cachedBody = { db, body: body.replace(/NEW\./g, '') };
  return cachedBody.body;
}

export interface ArchiveCheck {
  intact: boolean;
  firstSeq: number | null;
  lastSeq: number | null;
  prevHash: string | null;
  lastHash: string | null;
  entries: number;
  message: string;
}

/** Reads an archive file and checks its chain entry by entry (the rule of journal.ts). */
export async function verifyArchiveFile(path: string): Promise<ArchiveCheck> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  type Header = { format?: string; firstSeq?: number; prevHash?: string };
  let header = null as Header | null;
  let trailer = null as { lastSeq?: number; lastHash?: string; entries?: number } | null;
  let prev: string | null = null;
  let expected = 0;
  let entries = 0;
  const fail = (message: string): ArchiveCheck => ({
    intact: false,
    firstSeq: header?.firstSeq ?? null,
    lastSeq: null,
    prevHash: header?.prevHash ?? null,
    lastHash: prev,
    entries,
    message,
  });
  try {
    for await (const line of lines) {
      if (line === '') continue;
      const v = JSON.parse(line) as unknown;
      if (header === null) {
        const h = v as Header | null;
        header = h;
        if (h?.format !== FORMAT || typeof h.firstSeq !== 'number' || typeof h.prevHash !== 'string')
          return fail('not a log archive (its first line is not the header)');
        prev = h.prevHash;
        expected = h.firstSeq;
        continue;
      }
      if (trailer !== null) return fail('lines after the closing line');
      if (!Array.isArray(v)) {
        trailer = v as { lastSeq?: number; lastHash?: string; entries?: number };
        continue;
      }
      const r = v as ArchivedRow;
      if (r[0] !== expected) return fail(`entry ${expected} is missing (found ${r[0]})`);
      if (r[13] !== prev) return fail(`entry ${r[0]} does not follow the one before`);
      const [seq, at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash] =
        r;
      if (
        entryHash({
          seq,
          at,
          terminal_id,
          actor,
          sale_id,
          kind,
          points_milli,
          amount_cents,
          currency,
          outcome,
          member_masked,
          member_hash,
          detail,
          prev_hash,
        }) !== hash
      )
        return fail(`entry ${seq} was changed`);
      prev = hash;
      expected++;
      entries++;
    }
  } catch (e) {
    return fail(`unreadable (${(e as Error).message})`);
  }
  if (!header) return fail('empty file');
  if (!trailer) return fail('cut short: the closing line is missing');
  if (trailer.lastSeq !== expected - 1 || trailer.lastHash !== prev || trailer.entries !== entries) return fail('the closing line does not match the entries');
  return {
    intact: true,
    firstSeq: header.firstSeq!,
    lastSeq: expected - 1,
    prevHash: header.prevHash!,
    lastHash: prev,
    entries,
    message: `intact: entries ${header.firstSeq} to ${expected - 1}`,
  };
}

export interface ArchivesCheck {
  intact: boolean;
  files: number;
  entries: number;
  /** The first entry of the archive that did not check out. */
  firstBadSeq?: number;
  message: string;
}

/**
 * Checks every archive the database's cuts name, in order: each file's
 * chain, its sha256, that it starts where the previous one ended (the first
 * at the genesis), and that the last ends at the hash the log continues from.
 */
export async function verifyArchives(store: Store, dataDir: string): Promise<ArchivesCheck> {
  const cuts = store.db.prepare('SELECT seq, hash, first_seq AS firstSeq, file, sha256, entries FROM log_cut ORDER BY seq').all() as {
    seq: number;
    hash: string;
    firstSeq: number;
    file: string;
    sha256: string;
    entries: number;
  }[];
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let entries = 0;
  for (const c of cuts) {
    const path = join(dataDir, ARCHIVE_DIR, c.file);
    if (!existsSync(path))
      return {
        intact: false,
        files: cuts.length,
        entries,
        firstBadSeq: c.firstSeq,
        message: `The archive ${c.file} (entries ${c.firstSeq} to ${c.seq}) is missing.`,
      };
    const sha = createHash('sha256');
    for await (const chunk of createReadStream(path)) sha.update(chunk as Buffer);
    if (sha.digest('hex') !== c.sha256)
      return {
        intact: false,
        files: cuts.length,
        entries,
        firstBadSeq: c.firstSeq,
        message: `The archive ${c.file} is not the file that was written (its sha256 differs).`,
      };
    const check = await verifyArchiveFile(path);
    if (!check.intact) return { intact: false, files: cuts.length, entries, firstBadSeq: c.firstSeq, message: `The archive ${c.file}: ${check.message}.` };
    if (check.firstSeq !== prevSeq + 1 || check.prevHash !== prevHash)
      return {
        intact: false,
        files: cuts.length,
        entries,
        firstBadSeq: c.firstSeq,
        message: `The archive ${c.file} does not start where the one before ends.`,
      };
    if (check.lastSeq !== c.seq || check.lastHash !== c.hash)
      return { intact: false, files: cuts.length, entries, firstBadSeq: c.firstSeq, message: `The archive ${c.file} does not end at its recorded cut.` };
    prevHash = c.hash;
    prevSeq = c.seq;
    entries += check.entries;
  }
  const start = chainStart(store.db);
  if (!start.ok) return { intact: false, files: cuts.length, entries, message: start.message };
  return {
    intact: true,
    files: cuts.length,
    entries,
    message: cuts.length ? `${cuts.length} archive file(s), entries 1 to ${prevSeq}, intact and linked to the log.` : 'No archive files.',
  };
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some platforms cannot sync a directory; the rename itself is done
  }
}
