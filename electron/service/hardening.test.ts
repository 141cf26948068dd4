/**
 * The outside security review's findings at the service layer (issue 14):
 * each block names its item. Real SQLite file, real People and ManagerDesk.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { ManagerDesk } from './manager-desk.js';
import { People, type PersonView } from './people.js';
import { fileKeyBoxBecause, FileKeySecretBox, OS_KEY_FILE, osDataKey, OsKeySecretBox, safeStorageBox } from './secret-box.js';

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
let ann: PersonView;

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

describe('item 1: private files, longer PINs', () => {
  it('a new data directory is 0700 and its files 0600; a loosened one is repaired at the next start and logged', async () => {
    const { startRuntime } = await import('../runtime.js');
    const dir = join(tmp.dir, 'data');
    const rt = await startRuntime({ dataDir: dir, tuning: { scrypt: FAST } });
    const modeOf = (f: string) => (statSync(join(dir, f)).mode & 0o777).toString(8);
    try {
      await rt.call('createFirstManager', { name: 'Marie', pin: '246802' });
      expect(modeOf('.')).toBe('700');
      for (const f of ['terminal.db', 'terminal.db-wal', 'terminal.db-shm', 'secret.key']) expect(modeOf(f), f).toBe('600');
    } finally {
      await rt.close();
    }
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'terminal.db'), 0o644);
    chmodSync(join(dir, 'secret.key'), 0o644);
    const again = await startRuntime({ dataDir: dir, tuning: { scrypt: FAST } });
    try {
      expect([modeOf('.'), modeOf('terminal.db'), modeOf('secret.key')]).toEqual(['700', '600', '600']);
      const entry = again.store.journal.list({ limit: 50 }).find((e) => e.kind === 'security.file-modes-repaired');
      expect(entry?.detail).toEqual({
        files: expect.arrayContaining([
          { file: 'data', from: '755', to: '700' },
          { file: 'terminal.db', from: '644', to: '600' },
          { file: 'secret.key', from: '644', to: '600' },
        ]),
      });
    } finally {
      await again.close();
    }
  });

  it('managers\u2019 PINs are at least 6 digits, cashiers\u2019 at least 4; the settings may raise both', async () => {
    expect((await errorOf(() => people.createPerson(ann, 'Cy', 'manager', '12345'))).message).toMatch(/at least 6 digits/);
    const bo = people.createPerson(ann, 'Bo', 'cashier', '1234');
    expect((await errorOf(() => people.setPin(ann, ann.id, '1234'))).code).toBe('INVALID_INPUT');
    expect((await desk.updateSettings({ patch: { pinPolicy: { cashierMinDigits: 6 } } })).pinPolicy).toEqual({ managerMinDigits: 6, cashierMinDigits: 6 });
    expect((await errorOf(() => people.setPin(ann, bo.id, '4321'))).message).toMatch(/at least 6 digits/);
    expect(people.setPin(ann, bo.id, '432100').id).toBe(bo.id);
    // Never lowered below the floor, whatever is sent.
    expect((await errorOf(desk.updateSettings({ patch: { pinPolicy: { managerMinDigits: 4 } } }))).code).toBe('INVALID_INPUT');
    store.setSetting('pin_policy', JSON.stringify({ managerMinDigits: 2, cashierMinDigits: 1 }));
    expect(people.pinPolicy()).toEqual({ managerMinDigits: 6, cashierMinDigits: 4 });
  });
});

describe('item 2: escalating locks, a terminal-wide limit, unlock by another manager, a recovery code', () => {
  const wrong = (id: string, n: number) => {
    for (let i = 0; i < n; i++) {
      try {
        people.signIn(id, '000000');
      } catch {
        /* counted */
      }
    }
  };

  it('each lock in a row lasts longer (5 min, 15 min, 1 h); a right PIN resets the escalation', async () => {
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    const lockFor = async () => {
      wrong(bo.id, 4);
      const e = await errorOf(() => people.signIn(bo.id, '000000'));
      expect(e.code).toBe('LOCKED_OUT');
      return (Date.parse(e.details!.until as string) - now) / 60_000;
    };
    expect(await lockFor()).toBe(5);
    now += 5 * 60_000 + 1;
    expect(await lockFor()).toBe(15);
    now += 15 * 60_000 + 1;
    expect(await lockFor()).toBe(60);
    now += 60 * 60_000 + 1;
    expect(people.signIn(bo.id, '2222').id).toBe(bo.id);
    expect(await lockFor()).toBe(5);
  });

  it('the whole terminal takes at most 10 wrong PINs a minute, whoever they are for', async () => {
    const staff = ['Bo', 'Cy', 'Di'].map((n) => people.createPerson(ann, n, 'cashier', '2222'));
    wrong(staff[0]!.id, 4);
    wrong(staff[1]!.id, 4);
    wrong(staff[2]!.id, 2);
    // The limit is reached: even the right PIN is not checked now.
    const e = await errorOf(() => people.signIn(staff[2]!.id, '2222'));
    expect(e).toMatchObject({ code: 'LOCKED_OUT', details: { scope: 'terminal' } });
    expect((await errorOf(() => people.verifyManager({ managerId: ann.id, pin: '135790' }))).code).toBe('LOCKED_OUT');
    now += 60_000;
    expect(people.signIn(staff[2]!.id, '2222').id).toBe(staff[2]!.id);
  });

  it('another manager lifts a lock; nobody lifts their own; a cashier cannot', async () => {
    const zoe = people.createPerson(ann, 'Zoë', 'manager', '864200');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    wrong(zoe.id, 5);
    expect(people.get(zoe.id)?.lockedUntil).not.toBeNull();
    people.signIn(bo.id, '2222');
    expect((await errorOf(desk.unlockPerson({ personId: zoe.id }))).code).toBe('MANAGER_REQUIRED');
    expect((await errorOf(desk.unlockPerson({ personId: zoe.id, approval: { managerId: zoe.id, pin: '864200' } }))).code).toBe('LOCKED_OUT');
    expect((await desk.unlockPerson({ personId: zoe.id, approval: { managerId: ann.id, pin: '135790' } })).lockedUntil).toBeNull();
    expect(people.verifyManager({ managerId: zoe.id, pin: '864200' }).id).toBe(zoe.id);
    people.signIn(ann.id, '135790');
    expect((await errorOf(desk.unlockPerson({ personId: ann.id }))).code).toBe('FORBIDDEN');
    const entry = store.journal.list({ limit: 30 }).find((e) => e.kind === 'person.unlocked');
    expect(entry).toMatchObject({ actor: bo.id, detail: { personId: zoe.id } });
  });

  it('the first manager gets a recovery code, shown once and stored hashed, that sets a new PIN when locked out', async () => {
    // A second terminal's first start, through the contract.
    const other = makeTempDir();
    const s2 = Store.open(join(other.dir, 'terminal.db'));
    try {
      const p2 = new People(s2, () => now, { scrypt: FAST, terminalId: 'T-2' });
      const d2 = new ManagerDesk(s2, { people: p2, secretBox: null, clock: () => now });
      const first = await d2.createFirstManager({ name: 'Mo', pin: '112233' });
      expect(first.recoveryCode).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      s2.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(readFileSync(join(other.dir, 'terminal.db')).includes(first.recoveryCode)).toBe(false);
      expect(JSON.stringify(s2.journal.list({ limit: 50 }))).not.toContain(first.recoveryCode);
      // Mo is the only manager, and locked out.
      await d2.signOut();
      for (let i = 0; i < 5; i++) await d2.signIn({ personId: first.id, pin: '999999' }).catch(() => {});
      expect((await errorOf(d2.signIn({ personId: first.id, pin: '112233' }))).code).toBe('LOCKED_OUT');
      expect((await errorOf(d2.recoverManager({ managerId: first.id, code: 'AAAA-BBBB-CCCC-DDDD', newPin: '445566' }))).code).toBe('PIN_WRONG');
      const typed = first.recoveryCode.toLowerCase().replace(/-/g, ' ');
      const back = await d2.recoverManager({ managerId: first.id, code: typed, newPin: '445566' });
      expect(back).toMatchObject({ id: first.id, lockedUntil: null });
      expect(back.recoveryCode).not.toBe(first.recoveryCode);
      expect((await d2.whoAmI()).person?.id).toBe(first.id);
      await d2.signOut();
      expect((await d2.signIn({ personId: first.id, pin: '445566' })).id).toBe(first.id);
      // The old code is used up.
      expect((await errorOf(d2.recoverManager({ managerId: first.id, code: first.recoveryCode, newPin: '778899' }))).code).toBe('PIN_WRONG');
    } finally {
      s2.close();
      other.cleanup();
    }
  });
});

describe('item 4: a keyring-less Linux is not OS encryption', () => {
  const fake = (backend: string) => ({
    isEncryptionAvailable: () => true,
    encryptString: (s: string) => Buffer.from(s),
    decryptString: (b: Buffer) => b.toString(),
    getSelectedStorageBackend: () => backend,
  });

  it("safeStorage's basic_text backend is refused; the shell's choice falls back to the 0600 key file and Settings says so", async () => {
    expect(() => safeStorageBox(fake('basic_text'))).toThrow(/built-in password/);
    const keyFile = join(tmp.dir, 'box', 'secret.key');
    const got = osDataKey(fake('basic_text'), join(tmp.dir, 'box', OS_KEY_FILE));
    expect(got).toEqual({ unavailable: expect.stringMatching(/built-in password/) });
    const box = fileKeyBoxBecause((got as { unavailable: string }).unavailable, keyFile);
    expect(box.protection).toBe('file-key');
    expect(box.description).toMatch(/no keyring.*NOT OS-protected/s);
    const sealed = box.seal('api-key-123');
    expect(sealed.startsWith('fk:')).toBe(true); // not safeStorage's "encryption" with a known key
    expect(box.open(sealed)).toBe('api-key-123');
    expect((statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    const withBox = new ManagerDesk(store, { people, secretBox: box, clock: () => now });
    expect((await withBox.getSettings()).credentialProtection).toEqual({ kind: 'file-key', description: box.description });
  });

  it('a real keyring protects the data key the service process seals with: on disk only sealed by the OS, the same key after a restart', () => {
    // A fake OS encryption that changes the bytes (reversed), so a plain key in the file would show.
    const os = {
      ...fake('gnome_libsecret'),
      encryptString: (s: string) => Buffer.from(s).reverse(),
      decryptString: (b: Buffer) => Buffer.from(b).reverse().toString(),
    };
    const file = join(tmp.dir, 'os-box', OS_KEY_FILE);
    const first = osDataKey(os, file) as { key: Buffer; description: string };
    expect(first.key).toHaveLength(32);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(file, 'utf8')).not.toContain(first.key.toString('base64'));
    const box = new OsKeySecretBox(first.key, first.description);
    expect(box.protection).toBe('os');
    const sealed = box.seal('api-key-123');
    expect(sealed.startsWith('ok:')).toBe(true);
    // The next start (or a restarted service) unwraps the same key.
    const again = osDataKey(os, file) as { key: Buffer; description: string };
    expect(new OsKeySecretBox(again.key, again.description).open(sealed)).toBe('api-key-123');
    expect(() => box.open('os:' + Buffer.from('x').toString('base64'))).toThrow(/earlier version/);
    expect(() => box.open(new FileKeySecretBox(join(tmp.dir, 'os-box', 'k')).seal('x'))).toThrow(/another host/);
  });
});
