/**
 * The UiTPAS rewards desk: a manager creates and edits the organizer's points
 * rewards (UiTPAS `POST /rewards`, `PUT /rewards/{rewardId}`, the guide's
 * "get or create the reward") and sets the discount each gives at this
 * counter (UiTPAS has no points-to-euro rate: the discount is the terminal's).
 *
 * The fields are the official document's Reward schema as far as a points
 * reward at one counter needs them (title, description, points, categories,
 * more-info link, publication and redeem periods, overall units, per-member
 * limit); what the desk does not edit is kept as UiTPAS has it on an edit.
 *
 * Creating and editing are manager actions (`approval` like the desk's other
 * actions); listing needs a signed-in manager. Only a terminal whose program
 * is UiTPAS has a rewards desk (NOT_SUPPORTED otherwise).
 */
import { z } from '../zod.js';
import { MAX_CENTS } from '../money.js';
import { safeName } from '../safe-text.js';
import { managerApproval } from './approval.js';
import { LIMIT_PERIODS, REWARD_CATEGORIES } from '../reward-fields.js';

const instant = z
  .string()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'not a date-time with a zone');
const period = z
  .object({ begin: instant, end: instant.optional() })
  .strict()
  .refine((p) => p.end === undefined || Date.parse(p.end) >= Date.parse(p.begin), { message: 'the end lies before the begin', path: ['end'] });
const text = (max: number, empty: string) => safeName(z.string().trim().min(1, empty).max(max, `at most ${max} characters`));

export const rewardDraft = z
  .object({
    title: text(120, 'give the reward a title'),
    /** Shown to passholders (the document's required promotionalDescription). */
    promotionalDescription: text(500, 'give a description'),
    /** Whole points the reward costs (UiTPAS points are whole). */
    points: z.number().int('whole points').min(1, 'at least 1 point').max(100_000, 'at most 100000 points'),
    categories: z.array(z.enum(REWARD_CATEGORIES)).min(1, 'choose a category').max(4),
    /** Where a passholder reads more (required by the document for a points reward). */
    moreInfoURL: z
      .string()
      .trim()
      .max(500)
      .url('not a web address')
      .refine((u) => /^https?:\/\//i.test(u), 'an http(s) address'),
    publicationPeriod: period,
    redeemPeriod: period.optional(),
    /** Overall units on offer; absent: no overall limit. */
    maxAvailableUnits: z.number().int().min(1, 'at least 1').max(1_000_000).optional(),
    /** How often one passholder may redeem it per period; absent: no limit. */
    perMemberLimit: z
      .object({ volume: z.number().int().min(1, 'at least 1').max(1000), period: z.enum(LIMIT_PERIODS) })
      .strict()
      .optional(),
    practicalInfo: text(500, 'an empty line').optional(),
  })
  .strict();
export type RewardDraft = z.infer<typeof rewardDraft>;

/** The discount this counter gives for the reward, in cents of the store's currency; null: none (a gift, not money off). */
const discountCents = z.number().int('whole cents').min(0).max(MAX_CENTS).nullable();
const rewardId = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'not a reward id');

export const rewardDeskMethods = {
  /** The organizer's rewards (every status), each with this counter's discount. */
  listOrganizerRewards: z.object({}).strict(),
  /** Creates a points reward at UiTPAS for this counter's organizer and sets its discount here. A manager action. */
  createOrganizerReward: z.object({ reward: rewardDraft, discountCents, approval: managerApproval.optional() }).strict(),
  /** Overwrites the reward's fields the desk edits (the rest stays as UiTPAS has it) and sets its discount here. A manager action. */
  updateOrganizerReward: z.object({ rewardId, reward: rewardDraft, discountCents, approval: managerApproval.optional() }).strict(),
} as const;

export type RewardDeskMethod = keyof typeof rewardDeskMethods;

/** A reward as UiTPAS has it, read tolerantly (null: UiTPAS sent none, or one the desk cannot read). */
export interface OrganizerRewardView {
  id: string;
  title: string;
  promotionalDescription: string | null;
  points: number | null;
  categories: string[];
  moreInfoURL: string | null;
  publicationPeriod: { begin: string; end?: string } | null;
  redeemPeriod: { begin: string; end?: string } | null;
  maxAvailableUnits: number | null;
  perMemberLimit: { volume: number; period: string } | null;
  practicalInfo: string | null;
  /** UiTPAS's status: ACTIVE, INACTIVE or DELETED (read-only). */
  status: string | null;
  /** Redeemed so far (read-only). */
  unitsTaken: number | null;
  /** This counter's discount in cents; null when none is set. */
  discountCents: number | null;
}

export interface RewardDeskResults {
  listOrganizerRewards: { organizerId: string; currency: string; rewards: OrganizerRewardView[] };
  createOrganizerReward: { reward: OrganizerRewardView };
  updateOrganizerReward: { reward: OrganizerRewardView };
}
