/**
 * A terminal database with years of log, made once and kept: filling
 * 10,000,000 chained entries takes the better part of an hour on a two-core
 * machine, so the long-log benchmark (longlog-bench.ts) reuses the file from
 * a cache directory (PWP_LONGLOG_CACHE, default <tmp>/pwp-longlog-cache),
 * keyed by the entry count and the fill's version. A fill that is killed
 * leaves only a `.partial` file, never a cache entry that looks complete.
 *
 * Made by `npx tsx bench/longlog-prepare.ts --entries 10000000` (nice it, in the
 * background); `npm run bench -- --only longlog` makes it itself if missing.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../electron/store/store.js';
import { People } from '../electron/service/people.js';
import { fill } from './manager-bench.js';

/** Bump when the fill's content changes: older cached files are then not reused. */
const FILL_VERSION = 1;
/** The log's first entry; entries are 8 s apart (10,000,000 entries: about two and a half years). */
export const LONGLOG_START = Date.parse('2024-01-01T07:00:00Z');
export const LONGLOG_SPACING_MS = 8_000;

export interface LongLog {
  /** The terminal's database file (its sealed head file, if any, beside it). */
  file: string;
  /** People ids: the first manager, then five cashiers. */
  staff: string[];
  entries: number;
  /** The time of the last entry: the benchmark's "now". */
  lastAt: number;
  /** True when this call filled it (not reused). */
  made: boolean;
  fillSeconds: number;
}

export function longLogCacheDir(): string {
  return process.env.PWP_LONGLOG_CACHE ?? join(tmpdir(), 'pwp-longlog-cache');
}

/**
 * The database with `entries` log entries in `dir` (the cache by default),
 * filled now if it is not there yet. `progress` hears every million.
 */
export function prepareLongLog(entries: number, dir = longLogCacheDir(), progress?: (msg: string) => void): LongLog {
  const home = join(dir, `log-${entries}-f${FILL_VERSION}`);
  const file = join(home, 'terminal.db');
  const lastAt = LONGLOG_START + entries * LONGLOG_SPACING_MS;
  let made = false;
  let fillSeconds = 0;
  if (!existsSync(file)) {
    const partial = `${home}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    const t0 = Date.now();
    const store = Store.open(join(partial, 'terminal.db'));
    try {
      const people = new People(store, () => LONGLOG_START, { scrypt: { N: 1 << 10, r: 8, p: 1 }, terminalId: 'T-BENCH' });
      const manager = people.createFirstManager('Bench Manager', '123456');
      for (const n of ['An', 'Bram', 'Chloé', 'Dries', 'Eva']) people.createPerson(manager, n, 'cashier', '2222');
      store.setSetting('terminal_id', 'T-BENCH');
      const staff = staffOf(store);
      const step = 1_000_000;
      withLogIndexesDeferred(
        store,
        (phase) => progress?.(`${phase} (${Math.round((Date.now() - t0) / 1000)} s)`),
        () => {
          for (let done = 0; done < entries; done += step) {
            fill(store, Math.min(step, entries - done), LONGLOG_START, LONGLOG_SPACING_MS, staff);
            progress?.(
              `filled ${Math.min(done + step, entries).toLocaleString('en')} of ${entries.toLocaleString('en')} entries (${Math.round((Date.now() - t0) / 1000)} s)`,
            );
          }
        },
      );
    } finally {
      store.close();
    }
    rmSync(home, { recursive: true, force: true });
    renameSync(partial, home);
    made = true;
    fillSeconds = (Date.now() - t0) / 1000;
  }
  const store = Store.open(file);
  try {
    return { file, staff: staffOf(store), entries, lastAt, made, fillSeconds };
  } finally {
    store.close();
  }
}

/**
 * Runs a bulk fill of the log with its indexes, search index and triggers
 * taken off, then puts them back exactly as the schema has them (their own
 * SQL from sqlite_master), builds the search index and moves the anchor as
 * the triggers would have. Building an index once after the rows are in is
 * several times faster than keeping seven of them up to date row by row,
 * and the file that results is the same one the triggers would have made.
 */
export function withLogIndexesDeferred(store: Store, progress: (phase: string) => void, fn: () => void): void {
  const db = store.db;
  const objects = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'log' AND type IN ('index', 'trigger') AND sql IS NOT NULL`).all() as {
    type: 'index' | 'trigger';
    name: string;
    sql: string;
  }[];
  const searchTrigger = objects.find((o) => o.type === 'trigger' && /INSERT INTO log_search/.test(o.sql));
  const body = searchTrigger && /VALUES\s*\(NEW\.seq,([\s\S]*)\);\s*END/i.exec(searchTrigger.sql)?.[1];
  if (!body) throw new Error('the log search trigger is not where the fixture expects it: update withLogIndexesDeferred');
  const before = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS n FROM log').get() as { n: number }).n;
  for (const o of objects) db.exec(`DROP ${o.type.toUpperCase()} "${o.name}"`);
  fn();
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -524288'); // 512 MB for the index sorts
  for (const o of objects.filter((x) => x.type === 'index')) {
    db.exec(o.sql);
    progress(`index ${o.name} built`);
  }
  db.prepare(`INSERT INTO log_search (rowid, body) SELECT seq, ${body.replace(/NEW\./g, '')} FROM log WHERE seq > ?`).run(before);
  progress('search index built');
  const head = db.prepare('SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  if (head && head.seq > before) {
    // What log_anchor_on_append would have done row by row: the head, the latest 'at', and each step back of 'at'.
    db.prepare(
      `UPDATE log_anchor SET seq = @seq, hash = @hash,
         clock_back = clock_back + (SELECT COUNT(*) FROM (SELECT at, MAX(at) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prior FROM log WHERE seq >= @from) WHERE at < prior),
         max_at = MAX(max_at, (SELECT MAX(at) FROM log WHERE seq > @before))
       WHERE id = 1`,
    ).run({ seq: head.seq, hash: head.hash, from: Math.max(1, before), before });
  }
  for (const o of objects.filter((x) => x.type === 'trigger')) db.exec(o.sql);
  db.pragma('synchronous = FULL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  progress('triggers back');
}

function staffOf(store: Store): string[] {
  return (store.db.prepare(`SELECT id FROM people ORDER BY role DESC, created_at, rowid`).all() as { id: string }[]).map((r) => r.id);
}
