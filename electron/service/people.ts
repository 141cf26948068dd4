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
 * - Five wrong PINs in a row lock that person, for longer each time (5 min,
 *   15 min, 1 h, 4 h, then 24 h) until a right PIN, another manager's unlock or
 *   a new PIN resets the escalation. The counter, the lock and its level live
 *   in SQLite, so restarting the terminal does not reset them. A lock applies
 *   to sign-in and to manager approvals alike.
 * - The whole terminal takes at most TERMINAL_WRONG_PINS_PER_MINUTE wrong PINs
 *   (and recovery codes) a minute, whoever they are for: walking the PIN space
 *   by rotating through people does not work either.
 * - PINs are at least 6 digits for managers and 4 for cashiers (a setting may
 *   raise both: 'pin_policy'); a PIN set before a rule changed still signs in.
 * - The first manager gets a recovery code at first start, shown once and
 *   stored as a scrypt hash: the day the only manager is locked out or forgot
 *   the PIN, it sets a new PIN (and a new code replaces it).
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
import { unsafeTextReason } from '../../shared/safe-text.js';
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
/** How long the n-th lock in a row lasts (the last step repeats). */
export const LOCKOUT_STEPS_MS = [5 * 60_000, 15 * 60_000, 60 * 60_000, 4 * 60 * 60_000, 24 * 60 * 60_000] as const;
/** The first lock's length. */
export const LOCKOUT_MS = LOCKOUT_STEPS_MS[0];
/** Wrong PINs (and recovery codes) the whole terminal takes in a minute, whoever they are for. */
export const TERMINAL_WRONG_PINS_PER_MINUTE = 10;
export const PIN_PATTERN = /^[0-9]{4,8}$/;
/** The shortest PIN per role; the 'pin_policy' setting may raise them (never lower). */
export const MIN_PIN_DIGITS: Readonly<Record<Role, number>> = { manager: 6, cashier: 4 };
export const PIN_POLICY_SETTING = 'pin_policy';
const RECOVERY_SETTING = 'recovery_code_hash';
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
  /** How many locks in a row (the next one lasts LOCKOUT_STEPS_MS[lock_level]). */
  lock_level: number;
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
  /** When the terminal's recent wrong PINs happened (ms), for the per-minute limit. */
  private recentWrong: number[] = [];
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
  createFirstManager(name: string, pin: string): PersonView & { recoveryCode: string } {
    const cleanName = checkName(name);
    this.checkNewPin(pin, 'manager');
    const pinHash = this.hashPin(pin);
    const recoveryCode = newRecoveryCode();
    const recoveryHash = this.hashPin(normalizeRecoveryCode(recoveryCode));
    const person = this.store.transaction(() => {
      if (this.hasAnyManager()) throw new PosError('FORBIDDEN', 'A manager already exists: ask a manager to add people.');
      const p = this.insertPerson(cleanName, 'manager', pinHash);
      this.store.setSetting(RECOVERY_SETTING, recoveryHash);
      this.log({
        actor: p.id,
        kind: 'person.created',
        outcome: 'ok',
        detail: { personId: p.id, role: 'manager', firstManager: true, recoveryCodeIssued: true },
      });
      this.log({ actor: p.id, kind: 'person.signin', outcome: 'ok', detail: { role: 'manager' } });
      return p;
    });
    this.currentId = person.id;
    return { ...person, recoveryCode };
  }

  /**
   * The day the only manager is locked out or forgot the PIN: the recovery
   * code shown at first start sets a new PIN for an active manager, clears
   * the lock and signs them in. The code is used up: a new one is returned
   * (shown once). Wrong codes count towards the terminal's per-minute limit.
   */
  recoverManager(managerId: string, code: string, newPin: string): PersonView & { recoveryCode: string } {
    this.throttle('recovery');
    const stored = this.store.getSetting(RECOVERY_SETTING);
    const row = this.row(managerId);
    const ok = stored !== undefined && typeof code === 'string' && code.length <= 40 && verifyPinHash(normalizeRecoveryCode(code), stored);
    if (!ok || !row || row.active !== 1 || row.role !== 'manager') {
      this.noteWrong();
      this.store.transaction(() => this.log({ actor: managerId, kind: 'recovery-code.refused', outcome: 'PIN_WRONG', detail: { personId: managerId } }));
      throw new PosError('PIN_WRONG', 'That recovery code is not right (or the person is not an active manager).');
    }
    this.checkNewPin(newPin, 'manager');
    const pinHash = this.hashPin(newPin);
    const recoveryCode = newRecoveryCode();
    const recoveryHash = this.hashPin(normalizeRecoveryCode(recoveryCode));
    this.store.transaction(() => {
      this.store.db
        .prepare('UPDATE people SET pin_hash = ?, failed_pins = 0, locked_until = NULL, lock_level = 0, updated_at = ? WHERE id = ?')
        .run(pinHash, this.iso(), managerId);
      this.store.setSetting(RECOVERY_SETTING, recoveryHash);
      this.log({ actor: managerId, kind: 'person.recovered', outcome: 'ok', detail: { personId: managerId } });
      this.log({ actor: managerId, kind: 'recovery-code.issued', outcome: 'ok', detail: { personId: managerId } });
      this.log({ actor: managerId, kind: 'person.signin', outcome: 'ok', detail: { role: 'manager', via: 'recovery-code' } });
    });
    this.currentId = managerId;
    return { ...toView(this.row(managerId)!, this.clock()), recoveryCode };
  }

  /** Another manager lifts someone's lock (and its escalation) without changing the PIN. */
  unlock(by: Actor, personId: string): PersonView {
    const manager = this.requireActiveManager(by.id);
    return this.store.transaction(() => {
      const row = this.row(personId);
      if (!row) throw new PosError('FORBIDDEN', 'No such person.');
      this.store.db.prepare('UPDATE people SET failed_pins = 0, locked_until = NULL, lock_level = 0, updated_at = ? WHERE id = ?').run(this.iso(), personId);
      this.log({
        actor: this.currentId ?? manager.id,
        kind: 'person.unlocked',
        outcome: 'ok',
        detail: { personId, managerId: manager.id, wasLockedUntil: row.locked_until ? new Date(row.locked_until).toISOString() : null },
      });
      return toView(this.row(personId)!, this.clock());
    });
  }

  /** The shortest PIN per role here: the defaults, raised by the 'pin_policy' setting. */
  pinPolicy(): PinPolicy {
    return readPinPolicy(this.store.getSetting(PIN_POLICY_SETTING));
  }

  /** A new PIN for someone of this role: digits only, at least the role's minimum, at most 8. */
  private checkNewPin(pin: string, role: Role): void {
    checkPin(pin);
    const policy = this.pinPolicy();
    const min = role === 'manager' ? policy.managerMinDigits : policy.cashierMinDigits;
    if (pin.length < min) {
      throw new PosError('INVALID_INPUT', `A ${role}'s PIN is at least ${min} digits (at most 8).`, { details: { field: 'pin', minDigits: min } });
    }
  }

  /** A manager adds a cashier or a manager. */
  createPerson(by: Actor, name: string, role: Role, pin: string): PersonView {
    const manager = this.requireActiveManager(by.id);
    const cleanName = checkName(name);
    if (role !== 'cashier' && role !== 'manager') throw new PosError('INVALID_INPUT', 'The role must be cashier or manager.');
    this.checkNewPin(pin, role);
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
    const target = this.row(personId);
    if (!target) throw new PosError('FORBIDDEN', 'No such person.');
    this.checkNewPin(pin, target.role);
    const pinHash = this.hashPin(pin);
    return this.store.transaction(() => {
      const row = this.row(personId);
      if (!row) throw new PosError('FORBIDDEN', 'No such person.');
      this.store.db
        .prepare('UPDATE people SET pin_hash = ?, failed_pins = 0, locked_until = NULL, lock_level = 0, updated_at = ? WHERE id = ?')
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
        const others = this.store.db.prepare(`SELECT COUNT(*) AS n FROM people WHERE role = 'manager' AND active = 1 AND id <> ?`).get(personId) as {
          n: number;
        };
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
        this.log({
          actor: this.currentId ?? approval.managerId,
          kind: 'manager.approval',
          outcome: 'FORBIDDEN',
          detail: { personId: person.id, action: action ?? null },
        }),
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
    this.throttle(purpose, personId);
    // A well-formed PIN is checked against the hash; anything else is simply wrong (and counts).
    const ok = PIN_PATTERN.test(pin) && verifyPinHash(pin, row.pin_hash);
    if (ok) {
      if (row.failed_pins !== 0 || row.locked_until !== null || row.lock_level !== 0) {
        this.store.transaction(() => {
          this.store.db.prepare('UPDATE people SET failed_pins = 0, locked_until = NULL, lock_level = 0 WHERE id = ?').run(personId);
        });
      }
      return toView({ ...row, failed_pins: 0, locked_until: null, lock_level: 0 }, now);
    }
    this.noteWrong();
    // Wrong: count it; the fifth in a row locks, each lock longer than the one before.
    // An expired lock starts a fresh count (its level stays until a right PIN).
    const failed = (lockedUntil !== null ? 0 : row.failed_pins) + 1;
    const locks = failed >= MAX_WRONG_PINS;
    const lockMs = LOCKOUT_STEPS_MS[Math.min(row.lock_level, LOCKOUT_STEPS_MS.length - 1)]!;
    const until = now + lockMs;
    this.store.transaction(() => {
      this.store.db
        .prepare('UPDATE people SET failed_pins = ?, locked_until = ?, lock_level = ?, updated_at = ? WHERE id = ?')
        .run(locks ? 0 : failed, locks ? until : null, locks ? row.lock_level + 1 : row.lock_level, this.iso(), personId);
      this.log({ actor, kind: 'pin.wrong', outcome: 'PIN_WRONG', detail: { personId, purpose, action: action ?? null, failedInARow: failed } });
      if (locks)
        this.log({
          actor,
          kind: 'person.locked',
          outcome: 'LOCKED_OUT',
          detail: { personId, until: new Date(until).toISOString(), lockInARow: row.lock_level + 1 },
        });
    });
    if (locks) throw lockedOut(until, now);
    const attemptsLeft = MAX_WRONG_PINS - failed;
    throw new PosError(
      'PIN_WRONG',
      `Wrong PIN. ${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left before a ${Math.round(lockMs / 60000)}-minute lock.`,
      {
        details: { attemptsLeft },
      },
    );
  }

  /**
   * The terminal-wide limit: once TERMINAL_WRONG_PINS_PER_MINUTE wrong PINs
   * (anyone's) fell within the last minute, no PIN is even checked until the
   * oldest of them is a minute old. Refused tries are not counted (they test nothing).
   */
  private throttle(purpose: string, personId?: string): void {
    const now = this.clock();
    this.recentWrong = this.recentWrong.filter((t) => t > now - 60_000);
    if (this.recentWrong.length < TERMINAL_WRONG_PINS_PER_MINUTE) return;
    const until = this.recentWrong[0]! + 60_000;
    this.store.transaction(() =>
      this.log({
        actor: this.currentId ?? personId ?? 'terminal',
        kind: 'pin.throttled',
        outcome: 'LOCKED_OUT',
        detail: { personId: personId ?? null, purpose },
      }),
    );
    throw new PosError('LOCKED_OUT', 'Too many wrong PINs on this terminal: wait a minute and try again.', {
      details: { until: new Date(until).toISOString(), scope: 'terminal' },
    });
  }

  private noteWrong(): void {
    this.recentWrong.push(this.clock());
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

export interface PinPolicy {
  managerMinDigits: number;
  cashierMinDigits: number;
}

/** The 'pin_policy' setting as stored, read safely: never below MIN_PIN_DIGITS, never above 8. */
export function readPinPolicy(raw: string | undefined): PinPolicy {
  let set: { managerMinDigits?: unknown; cashierMinDigits?: unknown } = {};
  try {
    set = (JSON.parse(raw ?? '{}') ?? {}) as typeof set;
  } catch {
    set = {};
  }
  const pick = (v: unknown, floor: number) => (typeof v === 'number' && Number.isInteger(v) ? Math.min(8, Math.max(floor, v)) : floor);
  return { managerMinDigits: pick(set.managerMinDigits, MIN_PIN_DIGITS.manager), cashierMinDigits: pick(set.cashierMinDigits, MIN_PIN_DIGITS.cashier) };
}

/**
 * 16 characters from a 32-letter alphabet without look-alikes (80 bits), in
 * groups of four: too many to search even from a copied database.
 */
function newRecoveryCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1
  const bytes = randomBytes(16);
  const chars = Array.from(bytes, (b) => alphabet[b & 31]!);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** As typed: case, spaces and dashes do not matter. */
function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !PIN_PATTERN.test(pin)) {
    throw new PosError('INVALID_INPUT', 'A PIN is 4 to 8 digits (0-9), nothing else.', { details: { field: 'pin' } });
  }
}

function checkName(name: string): string {
  const clean = typeof name === 'string' ? name.normalize('NFC').trim().replace(/\s+/g, ' ') : '';
  if (!clean || clean.length > NAME_MAX) {
    throw new PosError('INVALID_INPUT', `A name is 1 to ${NAME_MAX} characters.`, { details: { field: 'name' } });
  }
  const unsafe = unsafeTextReason(clean);
  if (unsafe) throw new PosError('INVALID_INPUT', `A name ${unsafe}.`, { details: { field: 'name' } });
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
