import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { DEFAULT_SCRYPT, hashPin, LOCKOUT_MS, People, verifyPinHash, type ScryptCost } from './people.js';

/** Cheap scrypt for most tests (the cost is stored with each hash); one test uses the real cost. */
const FAST: ScryptCost = { N: 1 << 10, r: 8, p: 1 };

function errorOf(fn: () => unknown): PosError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PosError) return e;
    throw e;
  }
  throw new Error('expected a PosError');
}

describe('People', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file: string;
  let store: Store;
  let now: number;
  const clock = () => now;
  const open = () => new People(store, clock, { scrypt: FAST, terminalId: 'T-TEST' });

  beforeEach(() => {
    tmp = makeTempDir();
    file = join(tmp.dir, 'terminal.db');
    store = Store.open(file);
    now = Date.parse('2025-03-01T09:00:00Z');
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('hashes PINs with scrypt and a per-person salt; the PIN is nowhere in the file', () => {
    const people = open();
    const boss = people.createFirstManager('Ann', '48151623');
    people.createPerson(boss, 'Bo', 'cashier', '48151623');
    const rows = store.db.prepare('SELECT pin_hash FROM people').all() as { pin_hash: string }[];
    expect(rows).toHaveLength(2);
    expect(rows[0]!.pin_hash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(rows[0]!.pin_hash).not.toBe(rows[1]!.pin_hash); // same PIN, different salt
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    for (const f of [file, `${file}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from('48151623'))).toBe(false);
    }
    // and the log records who was created, never a PIN or a hash
    const log = JSON.stringify(store.journal.list({ limit: 100 }));
    expect(log).toContain('person.created');
    expect(log).not.toContain('48151623');
    expect(log).not.toContain('scrypt');
    // list() never returns hashes
    expect(JSON.stringify(people.list())).not.toContain('scrypt');
  });

  it('uses a real cost by default, and verifies what it hashed', () => {
    const h = hashPin('1234');
    expect(h.startsWith(`scrypt$${DEFAULT_SCRYPT.N}$${DEFAULT_SCRYPT.r}$${DEFAULT_SCRYPT.p}$`)).toBe(true);
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(1 << 14);
    expect(verifyPinHash('1234', h)).toBe(true);
    expect(verifyPinHash('1235', h)).toBe(false);
    expect(verifyPinHash('1234', 'garbage')).toBe(false);
  });

  it('accepts 4 to 8 digits only, with a clear message', () => {
    const people = open();
    for (const bad of ['123', '123456789', '12a4', ' 1234', '１２３４', '']) {
      const e = errorOf(() => people.createFirstManager('Ann', bad));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.message).toMatch(/4 to 8 digits/);
    }
    expect(people.hasAnyManager()).toBe(false);
    expect(people.createFirstManager('Ann', '000000').role).toBe('manager');
  });

  it('creates the first manager only once, and signs them in', () => {
    const people = open();
    expect(people.hasAnyManager()).toBe(false);
    expect(people.current()).toBeNull();
    const ann = people.createFirstManager('Ann', '123456');
    expect(people.hasAnyManager()).toBe(true);
    expect(people.current()?.id).toBe(ann.id);
    expect(errorOf(() => people.createFirstManager('Eve', '999999')).code).toBe('FORBIDDEN');
    // also after a restart
    const again = open();
    expect(errorOf(() => again.createFirstManager('Eve', '999999')).code).toBe('FORBIDDEN');
    expect(again.list().map((p) => p.name)).toEqual(['Ann']);
  });

  it('only an active manager creates people; the role is read from the store, not trusted', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    expect(bo).toMatchObject({ name: 'Bo', role: 'cashier', active: true, lockedUntil: null });
    // a cashier claiming to be a manager
    expect(errorOf(() => people.createPerson({ ...bo, role: 'manager' }, 'Cy', 'manager', '3333')).code).toBe('MANAGER_REQUIRED');
    expect(errorOf(() => people.createPerson({ id: 'P-NOBODY' }, 'Cy', 'cashier', '3333')).code).toBe('FORBIDDEN');
    expect(errorOf(() => people.createPerson(ann, 'bo', 'cashier', '3333')).code).toBe('INVALID_INPUT'); // same name
    expect(people.list()).toHaveLength(2);
  });

  it('signs in with the right PIN, signs out, and logs both with the person as actor', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    people.signOut();
    expect(people.current()).toBeNull();
    expect(errorOf(() => people.requireSignedIn()).code).toBe('NOT_SIGNED_IN');
    expect(people.signIn(bo.id, '2222').id).toBe(bo.id);
    expect(people.current()?.role).toBe('cashier');
    expect(people.actorId()).toBe(bo.id);
    people.signOut();
    const kinds = store.journal.list({ limit: 20 }).map((e) => `${e.kind}:${e.actor}`);
    expect(kinds.slice(0, 2)).toEqual([`person.signout:${bo.id}`, `person.signin:${bo.id}`]);
  });

  it('says how many tries are left, and locks after five wrong PINs for five minutes', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    for (let left = 4; left >= 1; left--) {
      const e = errorOf(() => people.signIn(bo.id, '0000'));
      expect(e.code).toBe('PIN_WRONG');
      expect(e.details).toEqual({ attemptsLeft: left });
    }
    const locked = errorOf(() => people.signIn(bo.id, '0000'));
    expect(locked.code).toBe('LOCKED_OUT');
    expect(locked.details?.until).toBe(new Date(now + LOCKOUT_MS).toISOString());
    // the right PIN does not help while locked
    now += LOCKOUT_MS - 1000;
    expect(errorOf(() => people.signIn(bo.id, '2222')).code).toBe('LOCKED_OUT');
    expect(people.get(bo.id)?.lockedUntil).not.toBeNull();
    // the lock expires; a fresh count starts
    now += 2000;
    expect(people.get(bo.id)?.lockedUntil).toBeNull();
    expect(errorOf(() => people.signIn(bo.id, '0000')).details).toEqual({ attemptsLeft: 4 });
    expect(people.signIn(bo.id, '2222').id).toBe(bo.id);
    // a success resets the count
    expect(errorOf(() => people.signIn(bo.id, '0000')).details).toEqual({ attemptsLeft: 4 });
    // the log has the wrong PINs and the lock, per person, without PINs
    const entries = store.journal.list({ limit: 100 });
    expect(entries.filter((e) => e.kind === 'pin.wrong').length).toBe(7);
    expect(entries.filter((e) => e.kind === 'person.locked')).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain('"0000"');
    // Ann was never affected
    expect(people.get(ann.id)?.lockedUntil).toBeNull();
  });

  it('keeps a lockout across a restart', () => {
    let people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    for (let i = 0; i < 5; i++) errorOf(() => people.signIn(bo.id, '9999'));
    store.close();
    store = Store.open(file);
    people = open();
    expect(people.current()).toBeNull(); // a restart signs everyone out
    expect(errorOf(() => people.signIn(bo.id, '2222')).code).toBe('LOCKED_OUT');
    // and half-way counts survive too
    now += LOCKOUT_MS + 1;
    for (let i = 0; i < 3; i++) errorOf(() => people.signIn(ann.id, '9999'));
    store.close();
    store = Store.open(file);
    people = open();
    expect(errorOf(() => people.signIn(ann.id, '9999')).details).toEqual({ attemptsLeft: 1 });
  });

  it('verifies a manager approval: right PIN, a manager, same lockout; cashiers cannot approve', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    people.signIn(bo.id, '2222');
    expect(people.verifyManager({ managerId: ann.id, pin: '123456' }, 'void').id).toBe(ann.id);
    expect(people.current()?.id).toBe(bo.id); // approval does not sign the manager in
    expect(errorOf(() => people.verifyManager({ managerId: bo.id, pin: '2222' })).code).toBe('FORBIDDEN');
    for (let i = 0; i < 4; i++) expect(errorOf(() => people.verifyManager({ managerId: ann.id, pin: '4321' })).code).toBe('PIN_WRONG');
    expect(errorOf(() => people.verifyManager({ managerId: ann.id, pin: '4321' })).code).toBe('LOCKED_OUT');
    expect(errorOf(() => people.signIn(ann.id, '123456')).code).toBe('LOCKED_OUT');
    const approval = store.journal.list({ limit: 50 }).find((e) => e.kind === 'manager.approval' && e.outcome === 'ok');
    expect(approval).toMatchObject({ actor: bo.id, detail: { managerId: ann.id, action: 'void' } });
  });

  it('authorizeManager: a signed-in manager goes ahead, a cashier needs an approval, nobody signed in is refused', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    expect(people.authorizeManager('export').id).toBe(ann.id);
    people.signOut();
    expect(errorOf(() => people.authorizeManager('export')).code).toBe('NOT_SIGNED_IN');
    people.signIn(bo.id, '2222');
    expect(errorOf(() => people.authorizeManager('export')).code).toBe('MANAGER_REQUIRED');
    expect(people.authorizeManager('export', { managerId: ann.id, pin: '123456' }).id).toBe(ann.id);
    expect(errorOf(() => people.authorizeManager('export', { managerId: ann.id, pin: '1111' })).code).toBe('PIN_WRONG');
  });

  it('switches people off (never the last manager) and resets PINs', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
    expect(errorOf(() => people.setActive(ann, ann.id, false)).code).toBe('FORBIDDEN');
    expect(errorOf(() => people.setActive(bo, ann.id, false)).code).toBe('MANAGER_REQUIRED');
    people.setActive(ann, bo.id, false);
    expect(errorOf(() => people.signIn(bo.id, '2222')).code).toBe('FORBIDDEN');
    people.setActive(ann, bo.id, true);
    for (let i = 0; i < 5; i++) errorOf(() => people.signIn(bo.id, '0000'));
    expect(people.get(bo.id)?.lockedUntil).not.toBeNull();
    people.setPin(ann, bo.id, '5555');
    expect(people.get(bo.id)?.lockedUntil).toBeNull();
    expect(people.signIn(bo.id, '5555').id).toBe(bo.id);
  });

  it('a person switched off while signed in is signed out', () => {
    const people = open();
    const ann = people.createFirstManager('Ann', '123456');
    const cy = people.createPerson(ann, 'Cy', 'manager', '333333');
    people.signIn(cy.id, '333333');
    people.setActive(ann, cy.id, false);
    expect(people.current()).toBeNull();
  });
});
