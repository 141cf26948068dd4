/**
 * The Capillary emulator's state: programs (with their redemption rules),
 * customers and their points (thousandths, never floats), validation codes and
 * the messages the "member" received, redemptions with their reversals, and
 * issued OAuth tokens. Plain class, no HTTP: backend.ts speaks the API.
 *
 * Like the real service (its documentation promises no deduplication), a redemption
 * is NOT deduplicated on transaction_number: the same number twice deducts
 * twice. Reversals are refused once nothing is left to reverse (3802).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { CAPILLARY_DEMO_CUSTOMERS, CAPILLARY_PROGRAMS, type CapDemoProgram } from './demo.js';

export interface CapProgram {
  id: string;
  name: string;
  pointsCurrencyRatio: string;
  minPointsMilli: number;
  maxPointsMilli: number | null;
  multipleOfMilli: number;
  otpRequired: boolean;
  otpValiditySec: number;
  otpChannel: 'SMS' | 'EMAIL' | 'SMS_EMAIL';
  reversalEnabled: boolean;
}

export interface CapCustomer {
  id: number;
  firstName: string;
  lastName: string;
  mobile: string | null;
  email: string | null;
  externalId: string | null;
  cardNumber: string | null;
  pointsMilli: number;
  fraud: boolean;
  createdAt: string;
}

export type CapIdentifierName = 'mobile' | 'email' | 'externalId' | 'cardNumber' | 'id';

export interface CapReversal {
  reversalId: string;
  redemptionId: string;
  pointsMilli: number;
  createdAt: string;
  /** The x-request-id the reversal came with (not an API field: the crash harness's ledger). */
  requestId?: string;
}

export interface CapRedemption {
  /** Capillary's short alphanumeric redemption id, e.g. "r0njPT". */
  id: string;
  /** Numeric summary id (side_effects.points_redemption_summary_id). */
  summaryId: number;
  customerId: number;
  programId: string;
  pointsMilli: number;
  /** Currency value of the points at the program's ratio, exact decimal string. */
  value: string;
  transactionNumber: string;
  redemptionTime: string;
  validationCode: string | null;
  notes: string | null;
  createdAt: string;
  reversedMilli: number;
  reversals: CapReversal[];
}

export interface CapValidationCode {
  customerId: number;
  programId: string;
  code: string;
  pointsMilli: number;
  issuedAt: number;
  expiresAt: number;
}

/** What the "member" received: tests read codes here (control API). */
export interface CapMessage {
  seq: number;
  customerId: number;
  channel: 'SMS' | 'EMAIL';
  to: string;
  text: string;
  code: string;
  pointsMilli: number;
  sentAt: string;
  validUntil: string;
}

// ---------------------------------------------------------------- decimals

/**
 * Reads a points figure as Capillary receives it (a string or a JSON number)
 * into thousandths, exactly. `decimals` tells how many decimals were written,
 * so more than three can be refused (878) rather than rounded.
 */
export function readDecimal(value: unknown): { ok: true; negative: boolean; milli: number; decimals: number } | { ok: false } {
  const s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
  const m = /^([-+]?)(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return { ok: false };
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const whole = Number(m[2]);
  const milli = whole * 1000 + Number(frac.slice(0, 3).padEnd(3, '0'));
  if (!Number.isSafeInteger(milli)) return { ok: false };
  return { ok: true, negative: m[1] === '-', milli, decimals: frac.length };
}

export function milliToDecimal(milli: number): string {
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  const frac = String(abs % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 1000)}${frac ? '.' + frac : ''}`;
}

function decimalToMilli(s: string): number {
  const r = readDecimal(s);
  if (!r.ok || r.negative || r.decimals > 3) throw new Error(`bad points figure ${s}`);
  return r.milli;
}

/** pointsMilli x ratio as an exact decimal string (the currency value of the points). */
export function pointsValue(pointsMilli: number, ratio: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(ratio);
  if (!m) throw new Error(`bad ratio ${ratio}`);
  const frac = m[2] ?? '';
  const scale = 3 + frac.length;
  const n = BigInt(pointsMilli) * BigInt(m[1] + frac);
  const digits = n.toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const dec = digits.slice(digits.length - scale).replace(/0+$/, '');
  return dec ? `${int}.${dec}` : int;
}

// ---------------------------------------------------------------- state

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function randomString(chars: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += chars[randomInt(chars.length)];
  return out;
}

export function programFromDemo(p: CapDemoProgram): CapProgram {
  return {
    id: p.id,
    name: p.name,
    pointsCurrencyRatio: p.pointsCurrencyRatio,
    minPointsMilli: decimalToMilli(p.minPoints),
    maxPointsMilli: p.maxPoints === null ? null : decimalToMilli(p.maxPoints),
    multipleOfMilli: decimalToMilli(p.multipleOf),
    otpRequired: p.otpRequired,
    otpValiditySec: p.otpValiditySec,
    otpChannel: p.otpChannel,
    reversalEnabled: p.reversalEnabled,
  };
}

export class CapillaryState {
  private programs = new Map<string, CapProgram>();
  private customers = new Map<number, CapCustomer>();
  private redemptions: CapRedemption[] = [];
  private codes = new Map<string, CapValidationCode>();
  private messages: CapMessage[] = [];
  /** OAuth token -> { key, expiry ms }. */
  private tokens = new Map<string, { key: string; expiresAt: number }>();
  private nextCustomerId = 700000001;
  private nextSummaryId = 1425658;

  constructor(private readonly now: () => number) {}

  reset(seedDemo: boolean): void {
    this.programs.clear();
    this.customers.clear();
    this.redemptions = [];
    this.codes.clear();
    this.messages = [];
    this.tokens.clear();
    this.nextCustomerId = 700000001;
    // Programs are organisation settings, not member data: always there.
    for (const p of Object.values(CAPILLARY_PROGRAMS)) this.programs.set(p.id, programFromDemo(p));
    if (seedDemo) {
      for (const c of Object.values(CAPILLARY_DEMO_CUSTOMERS)) {
        this.addCustomer({
          id: c.id,
          firstName: c.firstName,
          lastName: c.lastName,
          mobile: c.mobile,
          email: c.email,
          externalId: c.externalId,
          cardNumber: c.cardNumber,
          pointsMilli: decimalToMilli(c.points),
          fraud: 'fraud' in c ? c.fraud : false,
        });
      }
    }
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  // programs

  program(id: string): CapProgram | undefined {
    const p = this.programs.get(id);
    return p ? { ...p } : undefined;
  }

  defaultProgram(): CapProgram {
    return { ...this.programs.get(CAPILLARY_PROGRAMS.main.id)! };
  }

  listPrograms(): CapProgram[] {
    return [...this.programs.values()].map((p) => ({ ...p }));
  }

  updateProgram(id: string, patch: Partial<Omit<CapProgram, 'id'>>): CapProgram | undefined {
    const p = this.programs.get(id);
    if (!p) return undefined;
    Object.assign(p, patch);
    return { ...p };
  }

  // customers

  addCustomer(c: Omit<CapCustomer, 'id' | 'createdAt' | 'fraud'> & { id?: number; fraud?: boolean }): CapCustomer {
    const id = c.id ?? this.nextCustomerId++;
    if (this.customers.has(id)) throw new Error(`customer ${id} exists`);
    for (const k of ['mobile', 'email', 'externalId', 'cardNumber'] as const) {
      const v = c[k];
      if (v && this.find(k, v)) throw new Error(`a customer with ${k} ${v} exists`);
    }
    const cust: CapCustomer = {
      id,
      firstName: c.firstName,
      lastName: c.lastName,
      mobile: c.mobile,
      email: c.email?.toLowerCase() ?? null,
      externalId: c.externalId,
      cardNumber: c.cardNumber,
      pointsMilli: c.pointsMilli,
      fraud: c.fraud ?? false,
      createdAt: this.iso(),
    };
    this.customers.set(id, cust);
    return { ...cust };
  }

  find(name: CapIdentifierName, value: string): CapCustomer | undefined {
    const v = value.trim();
    for (const c of this.customers.values()) {
      const hit =
        name === 'id'
          ? String(c.id) === v
          : name === 'email'
            ? c.email !== null && c.email === v.toLowerCase()
            : name === 'mobile'
              ? c.mobile !== null && c.mobile === v.replace(/^\+/, '')
              : c[name] === v;
      if (hit) return { ...c };
    }
    return undefined;
  }

  listCustomers(): CapCustomer[] {
    return [...this.customers.values()].map((c) => ({ ...c }));
  }

  customer(id: number): CapCustomer | undefined {
    const c = this.customers.get(id);
    return c ? { ...c } : undefined;
  }

  setPoints(id: number, pointsMilli: number): boolean {
    const c = this.customers.get(id);
    if (!c) return false;
    c.pointsMilli = pointsMilli;
    return true;
  }

  // validation codes

  /**
   * Issues a code for `points` (or gives back the one still valid for the
   * same points: re-asking within the validity period returns the same code)
   * and "sends" it. A request for other points replaces the code.
   */
  issueCode(customerId: number, program: CapProgram, pointsMilli: number): { code: CapValidationCode; reused: boolean } {
    const c = this.customers.get(customerId);
    if (!c) throw new Error(`no customer ${customerId}`);
    const key = `${program.id}:${customerId}`;
    const now = this.now();
    const existing = this.codes.get(key);
    let reused = false;
    let code: CapValidationCode;
    if (existing && existing.expiresAt > now && existing.pointsMilli === pointsMilli) {
      code = existing;
      reused = true;
    } else {
      code = {
        customerId,
        programId: program.id,
        code: randomString(CODE_CHARS, 6),
        pointsMilli,
        issuedAt: now,
        expiresAt: now + program.otpValiditySec * 1000,
      };
      this.codes.set(key, code);
    }
    const channels: Array<'SMS' | 'EMAIL'> = program.otpChannel === 'SMS_EMAIL' ? ['SMS', 'EMAIL'] : [program.otpChannel];
    for (const channel of channels) {
      const to = channel === 'SMS' ? c.mobile : c.email;
      if (!to) continue;
      this.messages.push({
        seq: this.messages.length + 1,
        customerId,
        channel,
        to,
        text: `${code.code} is your code to redeem ${milliToDecimal(pointsMilli)} points at ${program.name}.`,
        code: code.code,
        pointsMilli,
        sentAt: new Date(now).toISOString(),
        validUntil: new Date(code.expiresAt).toISOString(),
      });
    }
    return { code: { ...code }, reused };
  }

  /** 'ok' when `given` is the valid code for these points; the code stays until a redemption uses it. */
  checkCode(customerId: number, programId: string, pointsMilli: number, given: string): 'ok' | 'wrong' {
    const code = this.codes.get(`${programId}:${customerId}`);
    if (!code || code.expiresAt <= this.now() || code.pointsMilli !== pointsMilli) return 'wrong';
    return code.code.toUpperCase() === given.trim().toUpperCase() ? 'ok' : 'wrong';
  }

  consumeCode(customerId: number, programId: string): void {
    this.codes.delete(`${programId}:${customerId}`);
  }

  messagesFor(customerId?: number): CapMessage[] {
    return this.messages.filter((m) => customerId === undefined || m.customerId === customerId).map((m) => ({ ...m }));
  }

  // redemptions

  redeem(input: {
    customerId: number;
    program: CapProgram;
    pointsMilli: number;
    transactionNumber: string;
    redemptionTime: string;
    validationCode: string | null;
    notes: string | null;
  }): { redemption: CapRedemption; balanceMilli: number } {
    const c = this.customers.get(input.customerId);
    if (!c) throw new Error(`no customer ${input.customerId}`);
    c.pointsMilli -= input.pointsMilli;
    const r: CapRedemption = {
      id: this.newRedemptionId(),
      summaryId: this.nextSummaryId++,
      customerId: c.id,
      programId: input.program.id,
      pointsMilli: input.pointsMilli,
      value: pointsValue(input.pointsMilli, input.program.pointsCurrencyRatio),
      transactionNumber: input.transactionNumber,
      redemptionTime: input.redemptionTime,
      validationCode: input.validationCode,
      notes: input.notes,
      createdAt: this.iso(),
      reversedMilli: 0,
      reversals: [],
    };
    this.redemptions.push(r);
    return { redemption: structuredClone(r), balanceMilli: c.pointsMilli };
  }

  private newRedemptionId(): string {
    for (;;) {
      const id = randomString(ALNUM, 6);
      if (!this.redemptions.some((r) => r.id === id)) return id;
    }
  }

  redemption(id: string): CapRedemption | undefined {
    const r = this.redemptions.find((x) => x.id === id);
    return r ? structuredClone(r) : undefined;
  }

  redemptionsOf(customerId?: number): CapRedemption[] {
    return structuredClone(customerId === undefined ? this.redemptions : this.redemptions.filter((r) => r.customerId === customerId));
  }

  /** Gives points back; the caller checked the rules (enabled, not already fully reversed, not more than left). */
  reverse(redemptionId: string, pointsMilli: number, requestId?: string): { reversal: CapReversal; balanceMilli: number } {
    const r = this.redemptions.find((x) => x.id === redemptionId);
    if (!r) throw new Error(`no redemption ${redemptionId}`);
    const c = this.customers.get(r.customerId)!;
    const reversal: CapReversal = {
      reversalId: `rev_${randomBytes(6).toString('hex')}`,
      redemptionId,
      pointsMilli,
      createdAt: this.iso(),
      ...(requestId ? { requestId } : {}),
    };
    r.reversedMilli += pointsMilli;
    r.reversals.push(reversal);
    c.pointsMilli += pointsMilli;
    return { reversal: { ...reversal }, balanceMilli: c.pointsMilli };
  }

  // OAuth tokens

  issueToken(key: string, ttlSec: number): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { key, expiresAt: this.now() + ttlSec * 1000 });
    return token;
  }

  /** The OAuth key the token belongs to, or null when unknown or expired. */
  tokenKey(token: string): string | null {
    const t = this.tokens.get(token);
    if (!t) return null;
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return null;
    }
    return t.key;
  }

  revokeTokens(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }
}
