import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { openDatabase, PAGE_CACHE_KIB, SchemaTooNewError, schemaVersion } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { Store } from './store.js';

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.dir, 'terminal.db');
});
afterEach(() => tmp.cleanup());

const entry = (i: number) => ({
  at: new Date(1_700_000_000_000 + i).toISOString(),
  terminalId: 'T-1',
  actor: 'cashier',
  kind: 'quote',
  outcome: 'ok',
  pointsMilli: i * 1000,
  saleId: `sale-${i}`,
});

describe('database', () => {
  it('opens with WAL, FULL sync, a 4 MB page cache, no memory map and the latest schema', () => {
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    // Not better-sqlite3's 16 MB, which a terminal's memory grew into with its file (README, "Memory over a shift").
    expect(db.pragma('cache_size', { simple: true })).toBe(PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBe(-4000);
    // Mapped file pages would count in the terminal's resident memory and grow with the file.
    expect(db.pragma('mmap_size', { simple: true })).toBe(0);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });
  it('refuses a file written by a newer version and leaves it untouched', () => {
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    const again = new Database(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    again.close();
  });
  it("migration 8 drops the Settings tab's old sealed credentials row and keeps every other setting", () => {
    const raw = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 7)) raw.exec(sql);
    raw.pragma('user_version = 7');
    raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('backend_credentials', '{"backend":"whitelabel","sealed":"fk:AAAA"}');
    raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('store_name', 'Gent');
    raw.close();
    const db = openDatabase(file);
    expect(db.prepare('SELECT key FROM settings ORDER BY key').pluck().all()).toEqual(['store_name']);
    db.close();
  });
  it('migrating twice is a no-op', () => {
    openDatabase(file).close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    db.close();
  });
});

describe('journal hash chain', () => {
  it('verifies an untouched log', () => {
    const store = Store.open(file);
    for (let i = 1; i <= 20; i++) store.journal.append(entry(i));
    expect(store.journal.verify()).toEqual({ intact: true, entries: 20 });
    store.close();
  });
  it('pinpoints an edited entry', () => {
    const store = Store.open(file);
    for (let i = 1; i <= 10; i++) store.journal.append(entry(i));
    store.db.prepare('UPDATE log SET points_milli = 999999 WHERE seq = 6').run();
    const r = store.journal.verify();
    expect(r).toMatchObject({ intact: false, firstBadSeq: 6, problem: 'changed' });
    store.close();
  });
  it('pinpoints a deleted entry', () => {
    const store = Store.open(file);
    for (let i = 1; i <= 10; i++) store.journal.append(entry(i));
    store.db.prepare('DELETE FROM log WHERE seq = 4').run();
    expect(store.journal.verify()).toMatchObject({ intact: false, firstBadSeq: 4, problem: 'missing' });
    store.close();
  });
  it('detects a reordered pair even when seq numbers are swapped back', () => {
    const store = Store.open(file);
    for (let i = 1; i <= 10; i++) store.journal.append(entry(i));
    // swap the contents of 3 and 4, keeping seq order
    const cols = 'at, terminal_id, actor, sale_id, kind, points_milli, amount_cents, currency, outcome, member_masked, member_hash, detail, prev_hash, hash';
    const r3 = store.db.prepare(`SELECT ${cols} FROM log WHERE seq = 3`).get() as Record<string, unknown>;
    const r4 = store.db.prepare(`SELECT ${cols} FROM log WHERE seq = 4`).get() as Record<string, unknown>;
    const set = cols
      .split(', ')
      .map((c) => `${c} = @${c}`)
      .join(', ');
    store.db.prepare(`UPDATE log SET ${set} WHERE seq = 3`).run(r4);
    store.db.prepare(`UPDATE log SET ${set} WHERE seq = 4`).run(r3);
    const v = store.journal.verify();
    expect(v.intact).toBe(false);
    if (!v.intact) expect(v.firstBadSeq).toBe(3);
    store.close();
  });
  it('a rolled-back transaction leaves no log entry and no gap', () => {
    const store = Store.open(file);
    store.journal.append(entry(1));
    expect(() =>
      store.transaction(() => {
        store.journal.append(entry(2));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    store.journal.append(entry(3));
    expect(store.journal.verify()).toEqual({ intact: true, entries: 2 });
    store.close();
  });
});

describe('sale, outbox and log commit together', () => {
  it('a committed redemption survives closing and reopening the file', () => {
    const store = Store.open(file);
    store.transaction(() => {
      store.sales.insert({
        id: 'sale-00000001',
        created_at: '2026-01-01T00:00:00Z',
        terminal_id: 'T',
        cashier: 'c',
        state: 'quoted',
        currency: 'EUR',
        basket_cents: 100,
      });
      store.outbox.insert({
        sale_id: 'sale-00000001',
        kind: 'redeem',
        reference: 'sale-00000001.r1',
        member_key: 'm1',
        payload: { x: 1 },
        next_attempt_at: 0,
        created_at: '2026-01-01T00:00:00Z',
      });
      store.journal.append(entry(1));
    });
    store.close();
    const again = Store.open(file);
    expect(again.outbox.due(Date.now(), 10).map((r) => r.reference)).toEqual(['sale-00000001.r1']);
    expect(again.journal.verify()).toEqual({ intact: true, entries: 1 });
    again.close();
  });
  it('only the head of each member queue is due, in order', () => {
    const store = Store.open(file);
    store.sales.insert({ id: 'sale-00000001', created_at: 'x', terminal_id: 'T', cashier: 'c', state: 'quoted', currency: 'EUR', basket_cents: 100 });
    const add = (ref: string, member: string) =>
      store.outbox.insert({ sale_id: 'sale-00000001', kind: 'redeem', reference: ref, member_key: member, payload: {}, next_attempt_at: 0, created_at: 'x' });
    const a1 = add('a1', 'A');
    add('a2', 'A');
    add('b1', 'B');
    expect(
      store.outbox
        .due(1, 10)
        .map((r) => r.reference)
        .sort(),
    ).toEqual(['a1', 'b1']);
    store.outbox.finish(a1, 'refused', 'x', undefined, 'nope');
    expect(
      store.outbox
        .due(1, 10)
        .map((r) => r.reference)
        .sort(),
    ).toEqual(['a2', 'b1']);
    store.close();
  });
  it('member keys are keyed hashes: stable per terminal, different across terminals', () => {
    const s1 = Store.open(file);
    const k = s1.memberKey('card', '2000000000011');
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(k).not.toContain('2000000000011');
    s1.close();
    const s1again = Store.open(file);
    expect(s1again.memberKey('card', '2000000000011')).toBe(k);
    s1again.close();
    const other = Store.open(join(tmp.dir, 'other.db'));
    expect(other.memberKey('card', '2000000000011')).not.toBe(k);
    other.close();
  });
});
