/**
 * The loyalty adapter interface: one implementation per backend. It carries
 * all three kinds of backend (free-amount points, reward catalogue,
 * card-linked offers) and declares, in `info.capabilities`, what the terminal
 * may rely on. The terminal service and the outbox act on those declarations,
 * never on a backend's name.
 *
 * Errors: adapters throw PosError with the terminal's codes.
 *  - business refusals (not enough points, unknown member, wrong code...) use
 *    their own codes and are final: retrying cannot help;
 *  - BACKEND_UNAVAILABLE / BACKEND_TIMEOUT / BACKEND_RATE_LIMITED are
 *    transient; details.retryAfterMs carries a Retry-After when given;
 *  - details.notApplied === true means the request certainly did not take
 *    effect (connection refused, 429, 401 before the call...). Without it, a
 *    failed write's outcome is unknown and the outbox reconciles before any
 *    retry (findRedemption / findReversal).
 */
import type { BackendInfo, BackendMessage, RedemptionTerms } from '../../shared/domain.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import type { PointsMilli } from '../../shared/money.js';

export interface MemberAccount {
  identifier: MemberIdentifier;
  /** The id the backend uses for this member in later calls. */
  backendMemberId: string;
  firstName?: string;
  /** null where the backend shows no balance at the counter (card-linked). */
  balanceMilli: PointsMilli | null;
  messages: BackendMessage[];
}

/** Everything needed to post one redemption; stored as the outbox row's payload. */
export interface RedeemRequest {
  /** The terminal's stable reference, derived from the sale: the same on every retry. */
  reference: string;
  saleId: string;
  member: { identifier: MemberIdentifier; backendMemberId: string };
  pointsMilli: PointsMilli;
  rewardId?: string;
  validationCode?: string;
  terminalId: string;
  storeId: string;
  /** ISO time the redemption was committed locally (reconciliation matches on it). */
  requestedAt: string;
  /** The balance the member was quoted against (reconciliation by balance uses it). */
  balanceBeforeMilli: PointsMilli | null;
  /** How many times this redemption was sent again after another till raced it (service/checkout/race.ts); adapters ignore it. */
  raceResends?: number;
}

/**
 * What the terminal's own records say about a redemption being looked up
 * (the outbox fills it in). A lookup by member and time must not take
 * another sale's redemption for this one: the crash harness found UiTPAS
 * rows "reconciled" with an earlier sale's redeemed reward, so the member
 * kept the points and the store gave the discount.
 */
export interface LookupContext {
  /** When this redemption was first sent (its evidence): nothing of it was applied before. Null: unknown (requestedAt stands in). */
  firstSentAt: string | null;
  /** Backend references the terminal's other redemptions for this member already hold: never this one's. */
  claimed: ReadonlySet<string>;
}

export interface RedeemReceipt {
  /** The backend's own id for the redemption (needed to reverse it). */
  backendReference: string;
  pointsMilli: PointsMilli;
  balanceAfterMilli: PointsMilli | null;
  /** Backend-specific facts worth keeping (cashback amount, transaction number). */
  detail?: Record<string, unknown>;
}

export interface ReverseRequest {
  /** Stable reference of this refund (sale id + refund number). */
  reference: string;
  saleId: string;
  member: { identifier: MemberIdentifier; backendMemberId: string };
  /** Points to give back (all of them for a void; part for a partial refund). */
  pointsMilli: PointsMilli;
  original: RedeemRequest & { receipt: RedeemReceipt };
  terminalId: string;
  storeId: string;
  requestedAt: string;
}

export interface ReverseReceipt {
  backendReference: string;
  pointsMilli: PointsMilli;
  balanceAfterMilli: PointsMilli | null;
}

export interface LoyaltyAdapter {
  readonly info: BackendInfo;
  /** A light call to tell whether the backend is reachable (used while offline). */
  probe(): Promise<void>;
  lookupMember(identifier: MemberIdentifier): Promise<MemberAccount>;
  /**
   * Present where members show an app code carrying a session secret
   * (identifier kind 'appCode', GafaPay): the adapter keeps the secret in
   * memory for this sale and returns the plain identifier the terminal may
   * store, log and hash. The service calls it before anything else sees the
   * code. Throws MEMBER_NUMBER_FORMAT for a code it cannot use.
   */
  acceptAppCode?(identifier: MemberIdentifier): MemberIdentifier;
  /** The free-amount rules for this member (rate, min/max, precision). */
  getTerms(member: MemberAccount): Promise<RedemptionTerms>;
  redeem(req: RedeemRequest): Promise<RedeemReceipt>;
  /**
   * After a lost answer: did `req` take effect? Returns the receipt if it did,
   * null if it certainly did not; throws OUTCOME_UNKNOWN where it cannot tell.
   * `context` narrows a lookup that matches on member, reward or points and
   * time (UiTPAS, GafaPay): see LookupContext.
   */
  findRedemption(req: RedeemRequest, context?: LookupContext): Promise<RedeemReceipt | null>;
  /** Present only when capabilities.reversal is not 'none'. */
  reverse?(req: ReverseRequest): Promise<ReverseReceipt>;
  findReversal?(req: ReverseRequest): Promise<ReverseReceipt | null>;
}
