/**
 * A reward catalogue read offline: the member's last known page, each reward
 * judged again against what this terminal can still tell on its own (the
 * member's usable balance now, the reward's period and units as last seen).
 * Conservative: a reward the backend last refused stays refused; one it last
 * allowed can only lose that here. The rules only the backend can check
 * (volume per member, card systems) make every offline reward need a manager
 * at confirmation (offline.ts: 'rewardRules').
 */
import type { Redeemability, RewardOffer } from '../../../../shared/rewards.js';

function refused(reason: 'PASSHOLDER_POINTS' | 'REWARD_PERIOD' | 'REWARD_VOLUME'): Redeemability {
  // No backend words offline: the counter shows the reason in the cashier's language.
  return { redeemable: false, reason, message: {}, backendReason: `offline:${reason}` };
}

export function offlineAvailability(offer: RewardOffer, usableBalanceMilli: number, nowMs: number): Redeemability {
  if (!offer.availability.redeemable) return offer.availability;
  const period = offer.redeemPeriod;
  if (period && (Date.parse(period.begin) > nowMs || (period.end !== undefined && Date.parse(period.end) < nowMs))) return refused('REWARD_PERIOD');
  if (offer.unitsLeft !== null && offer.unitsLeft <= 0) return refused('REWARD_VOLUME');
  if (offer.pointsMilli > usableBalanceMilli) return refused('PASSHOLDER_POINTS');
  return { redeemable: true };
}

/** The page as the counter shows it offline: redeemable ones first, as online. */
export function offlineOffers(offers: RewardOffer[], usableBalanceMilli: number, nowMs: number): RewardOffer[] {
  const judged = offers.map((o) => ({ ...o, availability: offlineAvailability(o, usableBalanceMilli, nowMs) }));
  return [...judged.filter((o) => o.availability.redeemable), ...judged.filter((o) => !o.availability.redeemable)];
}
