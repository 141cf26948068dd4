/**
 * The White Label emulator's state: users with a points wallet, the ordered
 * ledger of applied events, and issued access tokens.
 *
 * Like the real Loyalty Engine, the reactor applies an event's points to the
 * balance without checking that the balance stays positive, and it does not
 * deduplicate on transactionId (whether the real engine does is unconfirmed,
 * so the emulator takes the behaviour an adapter must survive).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEMO_MEMBERS } from '../demo-data.js';

export interface WlUser {
  id: string;
  points: number;
  createdAt: string;
  updatedAt: string;
}

/** How each custom event type moves the balance (the program's reactors). */
export const REACTORS = {
  REDEEMED_POINTS: (points: number) => points * -1,
  POINTS_REFUND: (points: number) => points,
} as const;

export type WlEventType = keyof typeof REACTORS;

export interface WlEvent {
  /** Position in the ledger, from 1. */
  seq: number;
  id: string;
  type: WlEventType;
  userId: string;
  payload: Record<string, unknown>;
  pointsDelta: number;
  balanceAfter: number;
  createdAt: string;
}

export class WhiteLabelState {
  private users = new Map<string, WlUser>();
  private events: WlEvent[] = [];
  /** access token -> expiry (ms since epoch). */
  private tokens = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  reset(seedDemo: boolean): void {
    this.users.clear();
    this.events = [];
    this.tokens.clear();
    if (seedDemo) for (const m of Object.values(DEMO_MEMBERS)) this.addUser(m.userId, m.points);
  }

  getUser(id: string): WlUser | undefined {
    const u = this.users.get(id);
    return u ? { ...u } : undefined;
  }

  hasUser(id: string): boolean {
    return this.users.has(id);
  }

  addUser(id: string, points: number): WlUser {
    if (this.users.has(id)) throw new Error(`user ${id} exists`);
    if (!Number.isSafeInteger(points)) throw new Error('points must be a whole number');
    const at = new Date(this.now()).toISOString();
    const u: WlUser = { id, points, createdAt: at, updatedAt: at };
    this.users.set(id, u);
    return { ...u };
  }

  /** A fresh member id no user has yet: an opaque id, as the program's app would show in its QR code (no card number). */
  newMemberId(): string {
    for (;;) {
      const id = `wlm_${randomBytes(6).toString('hex')}`;
      if (!this.users.has(id)) return id;
    }
  }

  /** Applies one event through its reactor; the caller has validated it and knows the user exists. */
  applyEvent(type: WlEventType, userId: string, payload: Record<string, unknown>, points: number): WlEvent {
    const user = this.users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    const delta = REACTORS[type](points);
    user.points += delta; // no floor at zero: the engine lets a balance go negative
    const createdAt = new Date(this.now()).toISOString();
    user.updatedAt = createdAt;
    const ev: WlEvent = {
      seq: this.events.length + 1,
      id: `evt_${randomUUID()}`,
      type,
      userId,
      payload: structuredClone(payload),
      pointsDelta: delta,
      balanceAfter: user.points,
      createdAt,
    };
    this.events.push(ev);
    return structuredClone(ev);
  }

  /** Events applied, in order, optionally for one user. */
  ledger(userId?: string): WlEvent[] {
    return structuredClone(userId === undefined ? this.events : this.events.filter((e) => e.userId === userId));
  }

  balances(userId?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const u of this.users.values()) if (userId === undefined || u.id === userId) out[u.id] = u.points;
    return out;
  }

  issueToken(ttlSec: number): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, this.now() + ttlSec * 1000);
    return token;
  }

  tokenValid(token: string): boolean {
    const exp = this.tokens.get(token);
    if (exp === undefined) return false;
    if (exp <= this.now()) {
      this.tokens.delete(token);
      return false;
    }
    return true;
  }

  /** Makes every issued token invalid, as when the auth server rotates keys. */
  revokeTokens(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }
}
