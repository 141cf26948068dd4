/**
 * The outside security review's findings at the service layer (issue 14):
 * each block names its item. Real SQLite file, real People and ManagerDesk.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { ManagerDesk } from './manager-desk.js';
import { People, type PersonView } from './people.js';
import { FileKeySecretBox } from './secret-box.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<PosError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof PosError) return e;
    throw e;
  }
  throw new Error('expected a PosError');
}

let tmp: ReturnType<typeof makeTempDir>;
let store: Store;
let people: People;
let desk: ManagerDesk;
let now: number;
let ann: PersonView; // the first manager, signed in

beforeEach(() => {
  tmp = makeTempDir();
  store = Store.open(join(tmp.dir, 'terminal.db'));
  now = Date.parse('2025-03-01T08:00:00Z');
  people = new People(store, () => now, { scrypt: FAST, terminalId: 'T-SEC' });
  desk = new ManagerDesk(store, { people, secretBox: new FileKeySecretBox(join(tmp.dir, 'secret.key')), clock: () => now, terminalId: 'T-SEC' });
  ann = people.createFirstManager('Ann', '135790');
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('item 6: no secret in the backend URL', () => {
  it('refuses user:password URLs and plain http to remote hosts, as the command line does; stores nothing', async () => {
    const secret = 'hunter2-s3cr3t';
    for (const bad of [`https://user:${secret}@loyalty.example.com/api`, `https://${secret}@loyalty.example.com`, 'http://loyalty.example.com/api']) {
      const e = await errorOf(desk.updateSettings({ patch: { backendUrl: bad } }));
      expect(e.code, bad).toBe('INVALID_INPUT');
      expect(e.message).not.toContain(secret);
    }
    expect(store.getSetting('backend_url')).toBeUndefined();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(join(tmp.dir, 'terminal.db')).includes(secret)).toBe(false);
    expect((await desk.queryLog({ filter: {}, limit: 100 })).entries.some((e) => e.kind === 'settings.changed')).toBe(false);
    // What is allowed: https anywhere, http to this machine (an emulator).
    expect((await desk.updateSettings({ patch: { backendUrl: 'https://loyalty.example.com/api/' } })).backendUrl).toBe('https://loyalty.example.com/api');
    expect((await desk.updateSettings({ patch: { backendUrl: 'http://127.0.0.1:4010' } })).backendUrl).toBe('http://127.0.0.1:4010');
  });
});
