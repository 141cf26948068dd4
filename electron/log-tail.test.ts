/**
 * Issue 14, item 13: deleting the log's tail while the terminal is stopped.
 * Real data directory, real SQLite file edited with better-sqlite3 between
 * two starts of the real runtime; the sealed head file beside the database
 * (store/log-head-seal.ts) is what the second start compares with.
 */
import Database from 'better-sqlite3';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { VerifyReport } from '../shared/contract/manager.js';
import { makeTempDir } from '../test/temp-dir.js';
import { DATABASE_FILE, startRuntime, type Runtime } from './runtime.js';
import { startSandbox, type RunningSandbox } from '../sandbox/server.js';

let tmp: ReturnType<typeof makeTempDir>;
let sandbox: RunningSandbox;
beforeEach(async () => {
  tmp = makeTempDir();
  sandbox = await startSandbox({ port: 0 });
});
afterEach(async () => {
  await sandbox.close();
  tmp.cleanup();
});

const PIN = '246802';
const start = () => startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });

async function value<T>(rt: Runtime, method: string, input: unknown): Promise<T> {
  const r = await rt.call(method, input);
  if (!r.ok) throw new Error(`${method}: ${JSON.stringify(r)}`);
  return (r as { value: T }).value;
}

/** A first start: a manager, a couple of sales; returns the manager's id. */
async function firstDay(): Promise<string> {
  const rt = await start();
  try {
    const m = await value<{ id: string }>(rt, 'createFirstManager', { name: 'Marie', pin: PIN });
    await value(rt, 'startSale', { basketCents: 1200 });
    await value(rt, 'startSale', { basketCents: 3400 });
    return m.id;
  } finally {
    await rt.close();
  }
}

async function signedIn(id: string): Promise<Runtime> {
  const rt = await start();
  await value(rt, 'signIn', { personId: id, pin: PIN });
  return rt;
}

function deleteLastLogRow(): number {
  const db = new Database(join(tmp.dir, DATABASE_FILE));
  try {
    const { seq } = db.prepare('SELECT MAX(seq) AS seq FROM log').get() as { seq: number };
    db.prepare('DELETE FROM log WHERE seq = ?').run(seq);
    return seq;
  } finally {
    db.close();
  }
}

function kinds(): string[] {
  const db = new Database(join(tmp.dir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT kind FROM log ORDER BY seq').all() as { kind: string }[]).map((r) => r.kind);
  } finally {
    db.close();
  }
}

it('the log row deleted while the terminal was stopped is reported by verifyLog after the next start (issue 14 item 13)', async () => {
  const manager = await firstDay();
  const deleted = deleteLastLogRow();

  const rt = await signedIn(manager);
  try {
    const report = await value<VerifyReport>(rt, 'verifyLog', {});
    expect(report).toMatchObject({ intact: false, problem: 'tamper-suspected', firstBadSeq: deleted });
    expect(report.message).toContain(`entries ${deleted} to ${deleted} were removed`);
  } finally {
    await rt.close();
  }
  const k = kinds();
  // The warning is written before anything else of that start.
  expect(k[deleted - 1]).toBe('log.tamper-suspected');
});

it('an untouched log stays intact across restarts; verifyLog says whether it still reaches an end-of-day fingerprint', async () => {
  const manager = await firstDay();
  const rt = await signedIn(manager);
  let fingerprint: string;
  try {
    const eod = await value<{ logHead: { seq: number; hash: string } }>(rt, 'getEndOfDay', {
      from: '2000-01-01T00:00:00Z',
      to: '2100-01-01T00:00:00Z',
      utcOffsetMinutes: 0,
    });
    fingerprint = eod.logHead.hash;
    const ok = await value<VerifyReport>(rt, 'verifyLog', { expectedHead: fingerprint.toUpperCase() });
    expect(ok).toMatchObject({ intact: true, expectedHead: { hash: fingerprint, reached: true, seq: eod.logHead.seq } });

    const other = await value<VerifyReport>(rt, 'verifyLog', { expectedHead: 'ab'.repeat(32) });
    expect(other).toMatchObject({ intact: false, problem: 'expected-head-missing', expectedHead: { reached: false, seq: null } });

    expect(await rt.call('verifyLog', { expectedHead: 'not a fingerprint' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  } finally {
    await rt.close();
  }
  expect(kinds()).not.toContain('log.tamper-suspected');

  // The fingerprint's entry (and everything after it) cut off: the log no longer reaches it.
  const db = new Database(join(tmp.dir, DATABASE_FILE));
  const { seq } = db.prepare('SELECT seq FROM log WHERE hash = ?').get(fingerprint) as { seq: number };
  db.prepare('DELETE FROM log WHERE seq >= ?').run(seq);
  db.close();
  const again = await signedIn(manager);
  try {
    const report = await value<VerifyReport>(again, 'verifyLog', { expectedHead: fingerprint });
    expect(report).toMatchObject({ intact: false, expectedHead: { reached: false, seq: null } });
  } finally {
    await again.close();
  }
});

it('a database without its sealed head (first start after the upgrade) is sealed fresh, said in the log, without a warning', async () => {
  const manager = await firstDay();
  const headFile = join(tmp.dir, `${DATABASE_FILE}.head`);
  expect(existsSync(headFile)).toBe(true);
  rmSync(headFile);

  const rt = await signedIn(manager);
  try {
    const report = await value<VerifyReport>(rt, 'verifyLog', {});
    expect(report.intact).toBe(true);
  } finally {
    await rt.close();
  }
  expect(existsSync(headFile)).toBe(true);
  const k = kinds();
  expect(k).toContain('log.head-sealed');
  expect(k).not.toContain('log.tamper-suspected');
});
