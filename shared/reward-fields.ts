/**
 * The UiTPAS document's value lists a points reward uses (zod-free, so the
 * renderer's desk can offer them without loading the contract's schemas).
 */

/** The document's category enum (Reward.categories.items). */
export const REWARD_CATEGORIES = ['Eten en drinken', 'Doen', 'Gadget of item', 'Goede doel'] as const;
/** The document's per-passholder limit periods (Reward.redeemConstraint.period). */
export const LIMIT_PERIODS = ['ABSOLUTE', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
