import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFLINE_LIMITS, evaluateOffline, validateLimits, type OfflineFigures } from './offline-policy.js';

const now = Date.parse('2026-11-22T12:00:00Z');
const figures = (over: Partial<OfflineFigures> = {}): OfflineFigures => ({
  pointsMilli: 1_000_000,
  lastKnownBalanceMilli: 2_500_000,
  queuedForMemberMilli: 0,
  queuedTotalMilli: 0,
  balanceFetchedAtMs: now - 60_000,
  nowMs: now,
  ...over,
});
const limits = {
  ...DEFAULT_OFFLINE_LIMITS,
  maxPointsPerRedemptionMilli: 2_000_000,
  maxPointsPerMemberMilli: 3_000_000,
  maxOutstandingMilli: 4_000_000,
  maxBalanceAgeMinutes: 60,
};
const names = (f: OfflineFigures) => evaluateOffline(limits, f).map((b) => b.limit);

describe('offline policy', () => {
  it('accepts within the last known balance and every limit', () => {
    expect(names(figures())).toEqual([]);
  });
  it('subtracts what is already queued for the member from the last known balance', () => {
    expect(names(figures({ queuedForMemberMilli: 1_600_000, queuedTotalMilli: 1_600_000 }))).toEqual(['balance']);
    const b = evaluateOffline(limits, figures({ queuedForMemberMilli: 1_600_000, queuedTotalMilli: 1_600_000 }))[0]!;
    expect(b.overridable).toBe(false);
  });
  it('names each limit that is passed, and they are overridable', () => {
    expect(names(figures({ pointsMilli: 2_001_000 }))).toEqual(['perRedemption']);
    expect(names(figures({ queuedForMemberMilli: 1_000_000, queuedTotalMilli: 1_000_000, pointsMilli: 1_000_000, lastKnownBalanceMilli: 9_000_000 }))).toEqual(
      [],
    );
    expect(names(figures({ queuedForMemberMilli: 2_500_000, queuedTotalMilli: 2_500_000, lastKnownBalanceMilli: 9_000_000 }))).toEqual(['perMember']);
    expect(names(figures({ queuedTotalMilli: 3_500_000 }))).toEqual(['outstanding']);
    expect(names(figures({ balanceFetchedAtMs: now - 61 * 60_000 }))).toEqual(['balanceAge']);
    expect(evaluateOffline(limits, figures({ pointsMilli: 2_001_000 })).every((b) => b.overridable)).toBe(true);
  });
  it('validates limits from settings', () => {
    expect(validateLimits({ maxBalanceAgeMinutes: 30 })).toEqual({ ...DEFAULT_OFFLINE_LIMITS, maxBalanceAgeMinutes: 30 });
    expect(() => validateLimits({ maxOutstandingMilli: -1 })).toThrow(/maxOutstandingMilli/);
    expect(() => validateLimits({ maxOutstandingMilli: 1.5 })).toThrow();
    expect(() => validateLimits({ maxOutstandingMilli: '10' })).toThrow();
  });
});
