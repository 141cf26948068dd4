/** Issue 18: after log retention the database file gets smaller (store/db-compact.ts). */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { verifyChain } from '../service/log-verify.js';
import { autoVacuumMode, compactAtStart } from './db-compact.js';
import { archiveLogBefore } from './log-archive.js';
import { Store } from './store.js';

const T0 = Date.parse('2024-01-01T08:00:00Z');
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => (tmp = makeTempDir()));
afterEach(() => tmp.cleanup());

function fill(store: Store, n: number): void {
  store.transaction(() => {
    for (let i = 0; i < n; i++)
      store.journal.append({
        at: new Date(T0 + i * 60_000).toISOString(),
        terminalId: 'T',
        actor: 'P-1',
        kind: 'redeem.posted',
        outcome: 'ok',
        detail: { text: `entry ${i} `.repeat(40) },
      });
  });
}
const archive = (store: Store) =>
  archiveLogBefore(store, {
    before: new Date(T0 + 1800 * 60_000).toISOString(),
    dataDir: tmp.dir,
    actor: 'terminal',
    terminalId: 'T',
    now: () => new Date(T0 + 3000 * 60_000).toISOString(),
    batchRows: 500,
  });
const pagesOf = (store: Store) => store.db.pragma('page_count', { simple: true }) as number;

it('a new database gives the archived entries’ space back at once, a step at a time', async () => {
  const store = Store.open(join(tmp.dir, 'terminal.db'));
  try {
    expect(autoVacuumMode(store.db)).toBe(2); // incremental, chosen before the first table
    fill(store, 2000);
    const before = pagesOf(store);
    expect(await archive(store)).toMatchObject({ entries: 1800 });
    expect(store.db.pragma('freelist_count', { simple: true })).toBe(0);
    expect(pagesOf(store)).toBeLessThan(before * 0.5);
    expect(await verifyChain(store)).toEqual({ intact: true, entries: 201 });
    expect(compactAtStart(store.db, 0)).toBeNull(); // nothing left for a start-up rewrite
  } finally {
    store.close();
  }
});

it('an older database (no auto_vacuum) is rewritten once, then is incremental', async () => {
  const file = join(tmp.dir, 'terminal.db');
  // A file made before this version: a table existed before the schema, so auto_vacuum stayed off.
  const old = new Database(file);
  old.exec('CREATE TABLE made_earlier (x)');
  old.close();
  const store = Store.open(file);
  try {
    expect(autoVacuumMode(store.db)).toBe(0);
    fill(store, 2000);
    await archive(store);
    const before = pagesOf(store);
    expect(compactAtStart(store.db, 1 << 30)).toBeNull(); // too little free space to be worth a rewrite
    expect(compactAtStart(store.db, 0, 4096)).toBeNull(); // too much left to rewrite: the start would wait too long
    const c = compactAtStart(store.db, 0)!;
    expect(c.bytesAfter).toBeLessThan(c.bytesBefore * 0.5);
    expect(pagesOf(store)).toBeLessThan(before * 0.5);
    expect(autoVacuumMode(store.db)).toBe(2);
    expect(compactAtStart(store.db, 0)).toBeNull();
    expect(await verifyChain(store)).toEqual({ intact: true, entries: 201 });
  } finally {
    store.close();
  }
});
