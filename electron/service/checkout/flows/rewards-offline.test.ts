import { describe, expect, it } from 'vitest';
import type { RewardOffer } from '../../../../shared/rewards.js';
import { offlineAvailability, offlineOffers } from './rewards-offline.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const offer = (id: string, points: number, extra: Partial<RewardOffer> = {}): RewardOffer => ({
  id,
  title: id,
  kind: 'POINTS',
  pointsMilli: points * 1000,
  discount: null,
  unitsLeft: null,
  availability: { redeemable: true },
  ...extra,
});

describe('a reward catalogue judged offline', () => {
  it('keeps a reward the member could redeem when the usable balance still covers it', () => {
    expect(offlineAvailability(offer('coffee', 10), 10_000, NOW)).toEqual({ redeemable: true });
  });

  it('refuses what the last known balance (less queued points) no longer covers', () => {
    expect(offlineAvailability(offer('coffee', 10), 9_999, NOW)).toMatchObject({ redeemable: false, reason: 'PASSHOLDER_POINTS' });
  });

  it('refuses a reward whose period ended, or has not begun, since it was last seen', () => {
    expect(offlineAvailability(offer('a', 1, { redeemPeriod: { begin: '2026-01-01T00:00:00Z', end: '2026-05-31T23:59:59Z' } }), 5000, NOW)).toMatchObject({
      reason: 'REWARD_PERIOD',
    });
    expect(offlineAvailability(offer('b', 1, { redeemPeriod: { begin: '2026-07-01T00:00:00Z' } }), 5000, NOW)).toMatchObject({ reason: 'REWARD_PERIOD' });
    expect(offlineAvailability(offer('c', 1, { redeemPeriod: { begin: '2026-01-01T00:00:00Z' } }), 5000, NOW)).toEqual({ redeemable: true });
  });

  it("refuses a reward with no units left; keeps the backend's last refusal as it was", () => {
    expect(offlineAvailability(offer('a', 1, { unitsLeft: 0 }), 5000, NOW)).toMatchObject({ reason: 'REWARD_VOLUME' });
    const refused = { redeemable: false as const, reason: 'PASSHOLDER_VOLUME' as const, message: { nl: 'al gehad' }, backendReason: 'PASSHOLDER_VOLUME' };
    expect(offlineAvailability(offer('b', 1, { availability: refused }), 5000, NOW)).toBe(refused);
  });

  it('lists the redeemable rewards first', () => {
    const list = offlineOffers([offer('dear', 50), offer('cheap', 5)], 10_000, NOW);
    expect(list.map((o) => [o.id, o.availability.redeemable])).toEqual([
      ['cheap', true],
      ['dear', false],
    ]);
  });
});
