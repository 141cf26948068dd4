/**
 * The offline policy: when the loyalty backend cannot be reached, the
 * terminal may still accept a redemption if the member's last known balance,
 * less what is already queued for that member, covers it, and the manager's
 * limits allow it. Past a limit only a manager's approval lets it through.
 * Pure functions: the service gathers the figures and enforces the decision.
 */
import { PosError } from '../../shared/errors.js';
import { formatPoints, type PointsMilli } from '../../shared/money.js';

export interface OfflineLimits {
  /** Most points one redemption may take while offline. */
  maxPointsPerRedemptionMilli: PointsMilli;
  /** Most points queued for one member while offline (this one included). */
  maxPointsPerMemberMilli: PointsMilli;
  /** Most points queued on this terminal in all (this one included). */
  maxOutstandingMilli: PointsMilli;
  /** Oldest last-known balance the terminal will trust, in minutes. */
  maxBalanceAgeMinutes: number;
}

export const DEFAULT_OFFLINE_LIMITS: OfflineLimits = {
  maxPointsPerRedemptionMilli: 5_000_000,
  maxPointsPerMemberMilli: 10_000_000,
  maxOutstandingMilli: 50_000_000,
  maxBalanceAgeMinutes: 24 * 60,
};

export const OFFLINE_POLICY_SETTING = 'offline_policy';

/** Checks a limits object from settings or a manager's input. */
export function validateLimits(value: unknown): OfflineLimits {
  const v = value as Record<string, unknown> | null;
  const out = { ...DEFAULT_OFFLINE_LIMITS };
  for (const key of Object.keys(DEFAULT_OFFLINE_LIMITS) as (keyof OfflineLimits)[]) {
    const n = v?.[key];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new PosError('INVALID_INPUT', `Offline limit ${key} must be a whole number of 0 or more.`, { details: { field: key } });
    }
    out[key] = n;
  }
  return out;
}

export type OfflineLimitName = 'balance' | 'perRedemption' | 'perMember' | 'outstanding' | 'balanceAge' | 'rewardRules';

export interface OfflineBreach {
  limit: OfflineLimitName;
  message: string;
  /** Only the manager's limits can be overridden; the balance itself cannot. */
  overridable: boolean;
}

export interface OfflineFigures {
  pointsMilli: PointsMilli;
  lastKnownBalanceMilli: PointsMilli;
  /** Redemptions for this member already waiting in the outbox. */
  queuedForMemberMilli: PointsMilli;
  /** Redemptions for every member waiting in the outbox. */
  queuedTotalMilli: PointsMilli;
  balanceFetchedAtMs: number;
  nowMs: number;
}

export function evaluateOffline(limits: OfflineLimits, f: OfflineFigures): OfflineBreach[] {
  const breaches: OfflineBreach[] = [];
  const available = f.lastKnownBalanceMilli - f.queuedForMemberMilli;
  if (f.pointsMilli > available) {
    breaches.push({
      limit: 'balance',
      overridable: false,
      message: `The last known balance (${formatPoints(f.lastKnownBalanceMilli)}, less ${formatPoints(f.queuedForMemberMilli)} already waiting) does not cover ${formatPoints(f.pointsMilli)} points.`,
    });
  }
  const ageMinutes = (f.nowMs - f.balanceFetchedAtMs) / 60_000;
  if (ageMinutes > limits.maxBalanceAgeMinutes) {
    breaches.push({
      limit: 'balanceAge',
      overridable: true,
      message: `The last known balance is ${Math.floor(ageMinutes)} minutes old (limit ${limits.maxBalanceAgeMinutes}).`,
    });
  }
  if (f.pointsMilli > limits.maxPointsPerRedemptionMilli) {
    breaches.push({
      limit: 'perRedemption',
      overridable: true,
      message: `Offline, one redemption may take at most ${formatPoints(limits.maxPointsPerRedemptionMilli)} points.`,
    });
  }
  if (f.queuedForMemberMilli + f.pointsMilli > limits.maxPointsPerMemberMilli) {
    breaches.push({
      limit: 'perMember',
      overridable: true,
      message: `Offline, at most ${formatPoints(limits.maxPointsPerMemberMilli)} points may wait for one member.`,
    });
  }
  if (f.queuedTotalMilli + f.pointsMilli > limits.maxOutstandingMilli) {
    breaches.push({
      limit: 'outstanding',
      overridable: true,
      message: `Offline, at most ${formatPoints(limits.maxOutstandingMilli)} points may wait on this terminal.`,
    });
  }
  return breaches;
}
