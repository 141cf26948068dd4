/**
 * Reward catalogues (UiTPAS): what a reward is and whether a member can
 * redeem it now. Shared by the service and the renderer, which shows the
 * reasons in the member's language.
 */
import type { EndUserLanguage, EndUserMessage } from './errors.js';
import type { Money, PointsMilli } from './money.js';

export type RewardKind = 'POINTS' | 'WELCOME';

/**
 * Why a member cannot redeem a reward now. UiTPAS spells two of these both
 * with and without the final S (the enum says ..._CARDSYSTEM, the prose
 * ..._CARDSYSTEMS); adapters accept both and report the spelling below.
 * UNKNOWN: a reason this terminal does not know yet (the raw one is kept in
 * `backendReason`).
 */
export const REWARD_REFUSAL_REASONS = [
  'INVALID_CARD',
  'PASSHOLDER_VOLUME',
  'PASSHOLDER_POINTS',
  'REWARD_PERIOD',
  'REWARD_VOLUME',
  'PASSHOLDER_APPLICABLE_CARDSYSTEMS',
  'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS',
  'UNKNOWN',
] as const;

export type RewardRefusalReason = (typeof REWARD_REFUSAL_REASONS)[number];

export type Redeemability =
  | { redeemable: true }
  | {
      redeemable: false;
      reason: RewardRefusalReason;
      /** The backend's words for the member (UiTPAS: Dutch only, so `nl`). */
      message: EndUserMessage;
      /** The reason exactly as the backend sent it. */
      backendReason: string;
    };

export interface Reward {
  id: string;
  title: string;
  kind: RewardKind;
  /** The points price; 0 for welcome rewards. */
  pointsMilli: PointsMilli;
  /**
   * What the reward takes off the basket at this counter: a terminal setting
   * per reward (the API carries no euro value). null = none configured here.
   */
  discount: Money | null;
  description?: string;
  /** When the reward can be redeemed (ISO times; no end = open-ended). */
  redeemPeriod?: { begin: string; end?: string };
  /** Units left overall; null = no overall limit. */
  unitsLeft: number | null;
  /** How often one member may redeem it, per calendar period. */
  perMemberLimit?: { volume: number; period: string };
}

/** A reward in the catalogue with this member's standing. */
export interface RewardOffer extends Reward {
  availability: Redeemability;
}

/** The backend's end-user text in the cashier's language, falling back to Dutch (UiTPAS's own language). */
export function endUserText(m: EndUserMessage | undefined, lang: EndUserLanguage): string | undefined {
  if (!m) return undefined;
  return m[lang] ?? m.nl ?? m.en ?? m.fr ?? m.de;
}
