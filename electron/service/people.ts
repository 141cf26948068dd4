/**
 * The people who use this terminal, their PINs and roles, and who is signed in
 * now. Plain Node (no `electron` import): the service, the tests and the web
 * host all use it the same way.
 *
 * - PINs (4 to 8 digits) are hashed with scrypt (node:crypto), a random 16-byte
 *   salt per person, cost N=2^15, r=8, p=1 (about 120 ms and 32 MiB on the
 *   target machine). The parameters are stored with the hash, so they can be
 *   raised later without invalidating existing PINs. The PIN itself is never
 *   stored, logged or returned.
 * - Five wrong PINs in a row lock that person for five minutes. The counter and
 *   the lock live in SQLite, so restarting the terminal does not reset them.
 *   A lock applies to sign-in and to manager approvals alike.
 * - One terminal has one signed-in person at a time (kept in memory: a restart
 *   signs everyone out). The service asks `current()` / `requireSignedIn()` /
 *   `authorizeManager()` so that role checks happen in the service, not only in
 *   the UI, and records the person's id as the actor of every log entry.
 * - Sign-ins, sign-outs, failed PINs, lockouts, approvals and people created or
 *   changed are written to the hash-chained log in the same transaction as the
 *   change they record (never with a PIN or a hash).
 *
 * A note on strength: a 4-digit PIN has 10,000 values, so anyone who copies the
 * database file can try them all offline whatever the KDF. The lockout protects
 * the terminal's own PIN pad; the KDF makes an offline search slow (minutes to
 * hours rather than milliseconds) and per-person salts stop a single search
 * from covering everyone. Longer PINs (up to 8 digits) are accepted for
 * managers who want more.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { PersonView, Role } from '../../shared/contract/manager.js';
import { PosError } from '../../shared/errors.js';
import type { Store } from '../store/store.js';

export type { PersonView, Role };

/** Who is acting: a person's id (the role is always re-read from the store, never trusted). */
export type Actor = Pick<PersonView, 'id'> & Partial<PersonView>;

/** A manager's approval for one action: their id and PIN, typed on this terminal now. */
export interface ManagerApproval {
  managerId: string;
  pin: string;
}

export const MAX_WRONG_PINS = 5;
export const LOCKOUT_MS = 5 * 60 * 1000;
export const PIN_PATTERN = /^[0-9]{4,8}$/;
const NAME_MAX = 60;

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}
/** Production cost. Tests may pass a cheaper one; the cost is stored with each hash. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 1 << 15, r: 8, p: 1 };
const KEY_LEN = 32;
const SALT_LEN = 16;

interface PersonRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  active: number;
  failed_pins: number;
  locked_until: number | null;
  created_at: string;
  updated_at: string;
}

export interface PeopleOptions {
  scrypt?: ScryptCost;
  /** The terminal id written on log entries; read from settings ('terminal_id') when absent. */
  terminalId?: string;
}

export class People {
  private currentId: string | null = null;
  private readonly scrypt: ScryptCost;
  private readonly terminalIdOverride?: string;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
    opts: PeopleOptions = {},
  ) {
    this.scrypt = opts.scrypt ?? DEFAULT_SCRYPT;
    this.terminalIdOverride = opts.terminalId;
  }

  // ---- people ----------------------------------------------------------------

  /** True once an active manager exists (the first start asks for one until then). */
  hasAnyManager(): boolean {
    return this.store.db.prepare(`SELECT 1 FROM people WHERE role = 'manager' AND active = 1 LIMIT 1`).get() !== undefined;
  }

  /**
   * The first start's manager: allowed only while no manager exists, so there
   * are no default credentials and no way to add a second one this way.
   * Signs the new manager in.
   */
  createFirstManager(name: string, pin: string): PersonView {
    const cleanName = checkName(name);
    checkPin(pin);
    const pinHash = this.hashPin(pin);
    const person = this.store.transaction(() => {
      if (this.hasAnyManager()) throw new PosError('FORBIDDEN', 'A manager already exists: ask a manager to add people.');
      const p = this.insertPerson(cleanName, 'manager', pinHash);
      this.log({ actor: p.id, kind: 'person.created', outcome: 'ok', detail: { personId: p.id, role: 'manager', firstManager: true } });
      this.log({ actor: p.id, kind: 'person.signin', outcome: 'ok', detail: { role: 'manager' } });
      return p;
    });
    this.currentId = person.id;
    return person;
  }

  /** A manager adds a cashier or a manager. */
  createPerson(by: Actor, name: string, role: Role, pin: string): PersonView {
    const manager = this.requireActiveManager(by.id);
    const cleanName = checkName(name);
    if (role !== 'cashier' && role !== 'manager') throw new PosError('INVALID_INPUT', 'The role must be cashier or manager.');
    checkPin(pin);
    const pinHash = this.hashPin(pin);
    return this.store.transaction(() => {
      const p = this.insertPerson(cleanName, role, pinHash);
      this.log({ actor: manager.id, kind: 'person.created', outcome: 'ok', detail: { personId: p.id, role } });
      return p;
    });
  }

  /** A manager sets someone's PIN (forgotten PIN); clears any lockout. */
  setPin(by: Actor, personId: string, pin: string): PersonView {
    const manager = this.requireActiveManager(by.id);
    checkPin(pin);
    const pinHash = this.hashPin(pin);
    return this.store.transaction(() => {
      const row = this.row(personId);
      if (!row) throw new PosError('FORBIDDEN', 'No such person.');
      this.store.db
        .prepare('UPDATE people SET pin_hash = ?, failed_pins = 0, locked_until = NULL, updated_at = ? WHERE id = ?')
        .run(pinHash, this.iso(), personId);
      this.log({ actor: manager.id, kind: 'person.pin-set', outcome: 'ok', detail: { personId } });
      return toView(this.row(personId)!, this.clock());
    });
  }

  /** A manager switches someone on or off; the last active manager cannot be switched off. */
  setActive(by: Actor, personId: string, active: boolean): PersonView {
    const manager = this.requireActiveManager(by.id);
    const view = this.store.transaction(() => {
      const row = this.row(personId);
      if (!row) throw new PosError('FORBIDDEN', 'No such person.');
      if (!active && row.role === 'manager' && row.active === 1) {
        const others = this.store.db.prepare(`SELECT COUNT(*) AS n FROM people WHERE role = 'manager' AND active = 1 AND id <> ?`).get(personId) as { n: number };
        if (others.n === 0) throw new PosError('FORBIDDEN', 'This is the last active manager: add another manager first.');
      }
      this.store.db.prepare('UPDATE people SET active = ?, updated_at = ? WHERE id = ?').run(active ? 1 : 0, this.iso(), personId);
      this.log({ actor: manager.id, kind: active ? 'person.activated' : 'person.deactivated', outcome: 'ok', detail: { personId } });
      return toView(this.row(personId)!, this.clock());
    });
    if (!active && this.currentId === personId) this.currentId = null;
    return view;
  }

  /** Everyone, for the sign-in screen and the manager's people list. Never a hash. */
  list(): PersonView[] {
    const now = this.clock();
    return (this.store.db.prepare('SELECT * FROM people ORDER BY active DESC, name COLLATE NOCASE, id').all() as PersonRow[]).map((r) => toView(r, now));
  }

  get(personId: string): PersonView | null {
    const row = this.row(personId);
    return row ? toView(row, this.clock()) : null;
  }

  // ---- sign-in and approvals -----------------------------------------------------

  /**
   * Signs a person in on this terminal (replacing whoever was signed in).
   * Throws PIN_WRONG with { attemptsLeft } or LOCKED_OUT with { until }.
   */
  signIn(personId: string, pin: string): PersonView {
    const person = this.checkPin(personId, pin, 'signin');
    const previous = this.currentId;
    this.store.transaction(() => {
      if (previous && previous !== person.id) this.log({ actor: previous, kind: 'person.signout', outcome: 'ok', detail: { replacedBy: person.id } });
      this.log({ actor: person.id, kind: 'person.signin', outcome: 'ok', detail: { role: person.role } });
    });
    this.currentId = person.id;
    return person;
  }

  signOut(): void {
    const id = this.currentId;
    if (!id) return;
    this.currentId = null;
    this.store.transaction(() => this.log({ actor: id, kind: 'person.signout', outcome: 'ok' }));
  }

  /**
   * Carries the signed-in person across a switch between training and live
   * (the same process, the same person, already authenticated; the people
   * table was copied into the other mode's database just before).
   */
  resume(personId: string | null): void {
    const row = personId ? this.row(personId) : undefined;
    this.currentId = row && row.active === 1 ? row.id : null;
  }

  /** Who is signed in now (null if nobody, or if that person was switched off since). */
  current(): PersonView | null {
    if (!this.currentId) return null;
    const row = this.row(this.currentId);
    if (!row || row.active !== 1) {
      this.currentId = null;
      return null;
    }
    return toView(row, this.clock());
  }

  /** The signed-in person, or NOT_SIGNED_IN. */
  requireSignedIn(): PersonView {
    const p = this.current();
    if (!p) throw new PosError('NOT_SIGNED_IN');
    return p;
  }

  /** The id to write as the actor of a log entry: the signed-in person, or 'terminal' for the machine's own entries. */
  actorId(): string {
    return this.current()?.id ?? 'terminal';
  }

  /**
   * A manager's approval for one action (override, void after posting, refund,
   * settings, export): verifies that person is an active manager and that the
   * PIN is right; wrong PINs count towards the same lockout as sign-in.
   * `action` names what is approved, for the log.
   */
  verifyManager(approval: ManagerApproval, action?: string): PersonView {
    const person = this.checkPin(approval.managerId, approval.pin, 'approval', action);
    if (person.role !== 'manager') {
      this.store.transaction(() =>
        this.log({ actor: this.currentId ?? approval.managerId, kind: 'manager.approval', outcome: 'FORBIDDEN', detail: { personId: person.id, action: action ?? null } }),
      );
      throw new PosError('FORBIDDEN', 'Only a manager can approve this.');
    }
    this.store.transaction(() =>
      this.log({ actor: this.currentId ?? person.id, kind: 'manager.approval', outcome: 'ok', detail: { managerId: person.id, action: action ?? null } }),
    );
    return person;
  }

  /**
   * The service's gate for a manager-only action: a signed-in manager may go
   * ahead; anyone else needs a manager's approval (id + PIN) for this action.
   * Returns the manager who authorised it. NOT_SIGNED_IN if nobody is signed in
   * and no approval is given; MANAGER_REQUIRED if a cashier is signed in without one.
   */
  authorizeManager(action: string, approval?: ManagerApproval | null): PersonView {
    if (approval) return this.verifyManager(approval, action);
    const me = this.current();
    if (!me) throw new PosError('NOT_SIGNED_IN');
    if (me.role === 'manager') return me;
    throw new PosError('MANAGER_REQUIRED', undefined, { details: { action } });
  }

  // ---- internals --------------------------------------------------------------------

  /**
   * Checks a PIN against the lockout and the stored hash. The counter's update
   * commits even when the PIN is wrong (the error is thrown after the commit).
   */
  private checkPin(personId: string, pin: string, purpose: 'signin' | 'approval', action?: string): PersonView {
    const now = this.clock();
    const row = this.row(personId);
    if (!row || row.active !== 1) throw new PosError('FORBIDDEN', 'Unknown or inactive person.');
    const actor = purpose === 'signin' ? personId : (this.currentId ?? personId);
    const lockedUntil = row.locked_until;
    if (lockedUntil !== null && lockedUntil > now) {
      this.store.transaction(() => this.log({ actor, kind: 'pin.refused', outcome: 'LOCKED_OUT', detail: { personId, purpose, action: action ?? null } }));
      throw lockedOut(lockedUntil, now);
    }
    // A well-formed PIN is checked against the hash; anything else is simply wrong (and counts).
    const ok = PIN_PATTERN.test(pin) && verifyPinHash(pin, row.pin_hash);
    if (ok) {
      if (row.failed_pins !== 0 || row.locked_until !== null) {
        this.store.transaction(() => {
          this.store.db.prepare('UPDATE people SET failed_pins = 0, locked_until = NULL WHERE id = ?').run(personId);
        });
      }
      return toView({ ...row, failed_pins: 0, locked_until: null }, now);
    }
    // Wrong: count it; the fifth in a row locks. An expired lock starts a fresh count.
    const failed = (lockedUntil !== null ? 0 : row.failed_pins) + 1;
    const locks = failed >= MAX_WRONG_PINS;
    const until = now + LOCKOUT_MS;
    this.store.transaction(() => {
      this.store.db
        .prepare('UPDATE people SET failed_pins = ?, locked_until = ?, updated_at = ? WHERE id = ?')
        .run(locks ? 0 : failed, locks ? until : null, this.iso(), personId);
      this.log({ actor, kind: 'pin.wrong', outcome: 'PIN_WRONG', detail: { personId, purpose, action: action ?? null, failedInARow: failed } });
      if (locks) this.log({ actor, kind: 'person.locked', outcome: 'LOCKED_OUT', detail: { personId, until: new Date(until).toISOString() } });
    });
    if (locks) throw lockedOut(until, now);
    const attemptsLeft = MAX_WRONG_PINS - failed;
    throw new PosError('PIN_WRONG', `Wrong PIN. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left before a ${LOCKOUT_MS / 60000}-minute lock.`, {
      details: { attemptsLeft },
    });
  }

  private requireActiveManager(id: string): PersonView {
    const row = this.row(id);
    if (!row || row.active !== 1) throw new PosError('FORBIDDEN', 'Unknown or inactive person.');
    if (row.role !== 'manager') throw new PosError('MANAGER_REQUIRED', 'Only a manager can do this.');
    return toView(row, this.clock());
  }

  private insertPerson(name: string, role: Role, pinHash: string): PersonView {
    const clash = this.store.db.prepare('SELECT 1 FROM people WHERE name = ? COLLATE NOCASE AND active = 1').get(name);
    if (clash) throw new PosError('INVALID_INPUT', 'Someone with that name already exists: add a distinguishing letter.', { details: { field: 'name' } });
    const id = `P-${randomBytes(5).toString('hex').toUpperCase()}`;
    const at = this.iso();
    this.store.db
      .prepare(`INSERT INTO people (id, name, role, pin_hash, active, failed_pins, locked_until, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 0, NULL, ?, ?)`)
      .run(id, name, role, pinHash, at, at);
    return { id, name, role, active: true, lockedUntil: null };
  }

  private row(id: string): PersonRow | undefined {
    return this.store.db.prepare('SELECT * FROM people WHERE id = ?').get(id) as PersonRow | undefined;
  }

  private hashPin(pin: string): string {
    return hashPin(pin, this.scrypt);
  }

  private terminalId(): string {
    return this.terminalIdOverride ?? this.store.getSetting('terminal_id') ?? 'terminal';
  }

  private log(e: { actor: string; kind: string; outcome: string; detail?: Record<string, unknown> }): void {
    this.store.journal.append({ at: this.iso(), terminalId: this.terminalId(), ...e });
  }

  private iso(): string {
    return new Date(this.clock()).toISOString();
  }
}

// ---- PIN hashing (exported for tests and for a future PIN change screen) ------------

/** `scrypt$N$r$p$<salt b64>$<hash b64>`: self-describing, so the cost can be raised later. */
export function hashPin(pin: string, cost: ScryptCost = DEFAULT_SCRYPT): string {
  const salt = randomBytes(SALT_LEN);
  const hash = scryptSync(pin, salt, KEY_LEN, { ...cost, maxmem: maxmem(cost) });
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPinHash(pin: string, stored: string): boolean {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const cost = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const actual = scryptSync(pin, salt, expected.length, { ...cost, maxmem: maxmem(cost) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function maxmem(c: ScryptCost): number {
  return 128 * c.N * c.r * c.p + 16 * 1024 * 1024;
}

export function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) {
    throw new PosError('INVALID_INPUT', 'A PIN is 4 to 8 digits (0-9), nothing else.', { details: { field: 'pin' } });
  }
}

function checkName(name: string): string {
  const clean = typeof name === 'string' ? name.normalize('NFC').trim().replace(/\s+/g, ' ') : '';
  // eslint-disable-next-line no-control-regex
  if (!clean || clean.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(clean)) {
    throw new PosError('INVALID_INPUT', `A name is 1 to ${NAME_MAX} characters.`, { details: { field: 'name' } });
  }
  return clean;
}

function lockedOut(until: number, now: number): PosError {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return new PosError('LOCKED_OUT', `Too many wrong PINs: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    details: { until: new Date(until).toISOString() },
  });
}

function toView(r: PersonRow, now: number): PersonView {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    active: r.active === 1,
    lockedUntil: r.locked_until !== null && r.locked_until > now ? new Date(r.locked_until).toISOString() : null,
  };
}
