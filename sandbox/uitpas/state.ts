/**
 * The UiTPAS emulator's state: card systems, organizers, passholders and
 * their cards, the reward catalogue, the redeemed rewards (with cancellations)
 * and a points ledger, plus issued access tokens.
 *
 * The redeem rules, checked in this order (the first that fails is the
 * reason `redeem-status` gives and the problem a redeem answers):
 *   card not ACTIVE or passholder blocked        INVALID_CARD
 *   no ACTIVE card system membership             PASSHOLDER_NO_ACTIVE_CARDSYSTEM
 *   not in one of the reward's card systems      PASSHOLDER_APPLICABLE_CARDSYSTEMS
 *   now outside the reward's redeemPeriod        REWARD_PERIOD
 *   unitsTaken reached maxAvailableUnits         REWARD_VOLUME
 *   passholder reached redeemConstraint.volume
 *     in the current calendar period             PASSHOLDER_VOLUME
 *     (DAY/WEEK/MONTH/QUARTER/YEAR in Belgian time; ABSOLUTE = ever)
 *   fewer points than the reward costs           PASSHOLDER_POINTS
 * The order is the emulator's choice (the document does not give one).
 * A cancelled redemption gives its points and its unit back and no longer
 * counts towards either volume.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { withLuhnDigit } from '../../shared/member-number.js';
import {
  UITPAS_CARD_SYSTEMS,
  UITPAS_DEMO_PASSHOLDERS,
  UITPAS_DEMO_REDEMPTIONS,
  UITPAS_DEMO_REWARDS,
  UITPAS_ORGANIZERS,
  type ConstraintPeriod,
  type DemoCardSystem,
  type DemoOrganizer,
  type DemoPassholder,
  type DemoReward,
} from './demo-data.js';
import type { RedeemReason } from './problems.js';

export interface RedemptionRecord {
  id: string;
  rewardId: string;
  passholderId: string;
  uitpasNumber: string;
  redeemDate: string;
  points: number;
  clientId: string;
  redeemCode?: string;
  cancelledAt?: string;
  /** The x-request-id the redeem and the cancel came with (not an API field: the crash harness's ledger). */
  requestId?: string;
  cancelRequestId?: string;
}

export interface LedgerEntry {
  seq: number;
  at: string;
  kind: 'redeem' | 'cancel';
  passholderId: string;
  uitpasNumber: string;
  rewardId: string;
  redeemedRewardId: string;
  pointsDelta: number;
  balanceAfter: number;
}

export type PassLookup =
  | { ok: true; holder: DemoPassholder; uitpasNumber: string }
  | { ok: false; problem: 'not-found' }
  | { ok: false; problem: 'card-status'; holder: DemoPassholder; uitpasNumber: string; cardStatus: string }
  | { ok: false; problem: 'passholder-blocked'; holder: DemoPassholder; uitpasNumber: string };

const BRUSSELS = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Brussels', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar period (in Belgian time) a moment falls in, as a comparable key. */
export function periodKey(period: ConstraintPeriod, ms: number): string {
  if (period === 'ABSOLUTE') return 'always';
  const [y, m, d] = BRUSSELS.format(new Date(ms)).split('-').map(Number) as [number, number, number];
  switch (period) {
    case 'DAY':
      return `${y}-${m}-${d}`;
    case 'WEEK': {
      // Monday-based weeks: key on the Monday that starts this one.
      const local = Date.UTC(y, m - 1, d);
      const dow = (new Date(local).getUTCDay() + 6) % 7; // 0 = Monday
      return `W${new Date(local - dow * 86_400_000).toISOString().slice(0, 10)}`;
    }
    case 'MONTH':
      return `${y}-${m}`;
    case 'QUARTER':
      return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
    case 'YEAR':
      return String(y);
  }
}

function inPeriod(p: { begin: string; end?: string }, ms: number): boolean {
  return Date.parse(p.begin) <= ms && (p.end === undefined || ms <= Date.parse(p.end));
}

export class UitpasState {
  readonly cardSystems = new Map<number, DemoCardSystem>();
  readonly organizers = new Map<string, DemoOrganizer>();
  /** uitpasNumber -> passholder (one card per passholder here). */
  private passes = new Map<string, DemoPassholder>();
  private rewards = new Map<string, DemoReward>();
  private redemptions: RedemptionRecord[] = [];
  private entries: LedgerEntry[] = [];
  /** access token -> client and expiry (ms since epoch). */
  private tokens = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  reset(seedDemo: boolean): void {
    this.cardSystems.clear();
    this.organizers.clear();
    this.passes.clear();
    this.rewards.clear();
    this.redemptions = [];
    this.entries = [];
    this.tokens.clear();
    this.tokensIssued = 0;
    // Card systems and organizers are configuration, not demo members: always there.
    for (const c of Object.values(UITPAS_CARD_SYSTEMS)) this.cardSystems.set(c.id, { ...c });
    for (const o of Object.values(UITPAS_ORGANIZERS)) this.organizers.set(o.id, { ...o, cardSystemIds: [...o.cardSystemIds] });
    if (!seedDemo) return;
    for (const p of Object.values(UITPAS_DEMO_PASSHOLDERS)) this.addPassholder(structuredClone(p) as DemoPassholder);
    for (const r of Object.values(UITPAS_DEMO_REWARDS)) this.addReward(structuredClone(r) as DemoReward);
    for (const d of UITPAS_DEMO_REDEMPTIONS) {
      const holder = this.passes.get(d.uitpasNumber)!;
      this.redemptions.push({
        id: randomUUID(),
        rewardId: d.rewardId,
        passholderId: holder.passholderId,
        uitpasNumber: d.uitpasNumber,
        redeemDate: d.redeemDate,
        points: this.rewards.get(d.rewardId)?.points ?? 0,
        clientId: 'demo',
      });
    }
  }

  // ---- passholders ---------------------------------------------------------

  hasPass(uitpasNumber: string): boolean {
    return this.passes.has(uitpasNumber);
  }

  addPassholder(p: DemoPassholder): DemoPassholder {
    if (this.passes.has(p.uitpasNumber)) throw new Error(`pass ${p.uitpasNumber} exists`);
    for (const other of this.passes.values()) {
      if (p.insz && other.insz === p.insz) throw new Error(`INSZ ${p.insz} is taken`);
      if (p.chipNumber && other.chipNumber === p.chipNumber) throw new Error(`chip ${p.chipNumber} is taken`);
    }
    this.passes.set(p.uitpasNumber, p);
    return structuredClone(p);
  }

  /** A fresh UiTPAS number with a valid check digit that no pass has yet. */
  newUitpasNumber(): string {
    for (;;) {
      const body = '0940' + String(randomBytes(5).readUIntBE(0, 5) % 100_000_000).padStart(8, '0');
      const n = withLuhnDigit(body);
      if (!this.passes.has(n)) return n;
    }
  }

  /** Finds a pass by UiTPAS number, INSZ or chip number (what GET /passes?identifier= accepts). */
  lookup(identifier: string): PassLookup {
    const id = identifier.trim();
    let holder = this.passes.get(id);
    if (!holder) {
      for (const p of this.passes.values()) {
        if ((p.insz && p.insz === id) || (p.chipNumber && p.chipNumber.toUpperCase() === id.toUpperCase())) {
          holder = p;
          break;
        }
      }
    }
    return this.classify(holder);
  }

  /** The passholder with this id, if any. */
  byPassholderId(passholderId: string): DemoPassholder | undefined {
    for (const p of this.passes.values()) if (p.passholderId === passholderId) return structuredClone(p);
    return undefined;
  }

  /** Sets a passholder's points (control API). */
  setPoints(uitpasNumber: string, points: number): boolean {
    const p = this.passes.get(uitpasNumber);
    if (!p) return false;
    p.points = points;
    return true;
  }

  /** Finds a pass by its UiTPAS number only. */
  byNumber(uitpasNumber: string): PassLookup {
    return this.classify(this.passes.get(uitpasNumber));
  }

  private classify(holder: DemoPassholder | undefined): PassLookup {
    if (!holder) return { ok: false, problem: 'not-found' };
    const h = structuredClone(holder);
    if (holder.cardStatus !== 'ACTIVE')
      return { ok: false, problem: 'card-status', holder: h, uitpasNumber: holder.uitpasNumber, cardStatus: holder.cardStatus };
    if (holder.blocked) return { ok: false, problem: 'passholder-blocked', holder: h, uitpasNumber: holder.uitpasNumber };
    return { ok: true, holder: h, uitpasNumber: holder.uitpasNumber };
  }

  // ---- rewards ---------------------------------------------------------------

  addReward(r: DemoReward): DemoReward {
    if (this.rewards.has(r.id)) throw new Error(`reward ${r.id} exists`);
    this.rewards.set(r.id, r);
    return structuredClone(r);
  }

  /** Overwrites a reward's details (PUT /rewards/{id}); units taken and status stay the server's. */
  replaceReward(r: DemoReward): void {
    if (!this.rewards.has(r.id)) throw new Error(`no reward ${r.id}`);
    this.rewards.set(r.id, structuredClone(r));
  }

  /** Whether the reward was ever redeemed (cancelled ones count: the document's "redeemed by a passholder"). */
  everRedeemed(rewardId: string): boolean {
    return this.redemptions.some((x) => x.rewardId === rewardId);
  }

  /** A reward by id; a DELETED one only when asked (a redemption still shows its reward). */
  getReward(id: string, opts: { includeDeleted?: boolean } = {}): DemoReward | undefined {
    const r = this.rewards.get(id);
    return r && (opts.includeDeleted || r.status !== 'DELETED') ? structuredClone(r) : undefined;
  }

  allRewards(): DemoReward[] {
    return [...this.rewards.values()].filter((r) => r.status !== 'DELETED').map((r) => structuredClone(r));
  }

  /** Why `holder` cannot redeem `reward` now, or null when it can. */
  refusal(reward: DemoReward, holder: DemoPassholder): RedeemReason | null {
    const now = this.now();
    if (holder.cardStatus !== 'ACTIVE' || holder.blocked) return 'INVALID_CARD';
    const active = holder.memberships.filter((m) => m.status === 'ACTIVE').map((m) => m.cardSystemId);
    if (active.length === 0) return 'PASSHOLDER_NO_ACTIVE_CARDSYSTEM';
    if (!reward.allCardSystems && !active.some((id) => reward.applicableCardSystemIds.includes(id))) return 'PASSHOLDER_APPLICABLE_CARDSYSTEMS';
    if (reward.status !== 'ACTIVE' || !inPeriod(reward.redeemPeriod, now)) return 'REWARD_PERIOD';
    if (reward.maxAvailableUnits !== undefined && reward.unitsTaken >= reward.maxAvailableUnits) return 'REWARD_VOLUME';
    if (reward.redeemConstraint) {
      const { volume, period } = reward.redeemConstraint;
      const key = periodKey(period, now);
      const used = this.redemptions.filter(
        (x) => !x.cancelledAt && x.rewardId === reward.id && x.passholderId === holder.passholderId && periodKey(period, Date.parse(x.redeemDate)) === key,
      ).length;
      if (used >= volume) return 'PASSHOLDER_VOLUME';
    }
    if ((reward.points ?? 0) > holder.points) return 'PASSHOLDER_POINTS';
    return null;
  }

  /** Applies a redemption the caller has checked with refusal(). */
  redeem(rewardId: string, uitpasNumber: string, clientId: string, requestId?: string): RedemptionRecord {
    const holder = this.passes.get(uitpasNumber);
    const reward = this.rewards.get(rewardId);
    if (!holder || !reward) throw new Error('redeem: unknown pass or reward');
    const cost = reward.points ?? 0;
    holder.points -= cost;
    reward.unitsTaken += 1;
    const rec: RedemptionRecord = {
      id: randomUUID(),
      rewardId,
      passholderId: holder.passholderId,
      uitpasNumber,
      redeemDate: new Date(this.now()).toISOString(),
      points: cost,
      clientId,
      ...(requestId ? { requestId } : {}),
      ...(reward.redeemCodes ? { redeemCode: `UIT-${randomBytes(4).toString('hex').toUpperCase()}` } : {}),
    };
    this.redemptions.push(rec);
    this.record('redeem', holder, rec, -cost);
    return structuredClone(rec);
  }

  getRedemption(id: string): RedemptionRecord | undefined {
    const r = this.redemptions.find((x) => x.id === id);
    return r ? structuredClone(r) : undefined;
  }

  /** Cancels a redemption: points and the unit go back. Undefined when unknown or already cancelled. */
  cancel(id: string, requestId?: string): RedemptionRecord | undefined {
    const rec = this.redemptions.find((x) => x.id === id);
    if (!rec || rec.cancelledAt) return undefined;
    rec.cancelledAt = new Date(this.now()).toISOString();
    if (requestId) rec.cancelRequestId = requestId;
    const holder = this.passes.get(rec.uitpasNumber);
    const reward = this.rewards.get(rec.rewardId);
    if (reward && reward.unitsTaken > 0) reward.unitsTaken -= 1;
    if (holder) {
      holder.points += rec.points;
      this.record('cancel', holder, rec, rec.points);
    }
    return structuredClone(rec);
  }

  /** Redemptions of one passholder (by any of the passholder's numbers), newest first. */
  redemptionsFor(passholderId: string, opts: { includeCancelled?: boolean } = {}): RedemptionRecord[] {
    return this.redemptions
      .filter((r) => r.passholderId === passholderId && (opts.includeCancelled || !r.cancelledAt))
      .sort((a, b) => Date.parse(b.redeemDate) - Date.parse(a.redeemDate))
      .map((r) => structuredClone(r));
  }

  allRedemptions(): RedemptionRecord[] {
    return structuredClone(this.redemptions);
  }

  private record(kind: LedgerEntry['kind'], holder: DemoPassholder, rec: RedemptionRecord, delta: number): void {
    this.entries.push({
      seq: this.entries.length + 1,
      at: new Date(this.now()).toISOString(),
      kind,
      passholderId: holder.passholderId,
      uitpasNumber: holder.uitpasNumber,
      rewardId: rec.rewardId,
      redeemedRewardId: rec.id,
      pointsDelta: delta,
      balanceAfter: holder.points,
    });
  }

  ledger(uitpasNumber?: string): LedgerEntry[] {
    return structuredClone(uitpasNumber === undefined ? this.entries : this.entries.filter((e) => e.uitpasNumber === uitpasNumber));
  }

  balances(uitpasNumber?: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.passes.values()) if (uitpasNumber === undefined || p.uitpasNumber === uitpasNumber) out[p.uitpasNumber] = p.points;
    return out;
  }

  // ---- tokens ------------------------------------------------------------------

  /** Tokens issued since the last reset (tests check that the adapter caches them). */
  tokensIssued = 0;

  issueToken(clientId: string, ttlSec: number): string {
    this.tokensIssued++;
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, expiresAt: this.now() + ttlSec * 1000 });
    return token;
  }

  /** The client a token belongs to, or undefined when unknown or expired. */
  tokenClient(token: string): string | undefined {
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAt <= this.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return t.clientId;
  }

  /** Tokens that are still valid now. */
  activeTokens(): number {
    const at = this.now();
    return [...this.tokens.values()].filter((t) => t.expiresAt > at).length;
  }

  /** Makes every issued token expire now (the adapter's next call gets a 401). */
  expireTokens(): number {
    const n = this.tokens.size;
    const at = this.now();
    for (const t of this.tokens.values()) t.expiresAt = at;
    return n;
  }
}
