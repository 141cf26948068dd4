/**
 * The UiTPAS answers the adapter reads, as zod schemas in one place
 * (UiTPAS API 4.0's OpenAPI document is the source: Pass, Reward, RedeemStatus,
 * RedeemedReward, paged lists). Only what the terminal uses is required;
 * everything else the document allows is tolerated and dropped. Turning the
 * parsed shapes into the terminal's types (money, messages) stays in
 * ./uitpas.ts.
 */
import { z } from 'zod';

const text = z.string();
const nonEmpty = z.string().min(1);
const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape);

export const passSchema = obj({
  uitpasNumber: z.string().regex(/^\d{13}$/),
  passholderId: nonEmpty,
  passType: text.optional(),
  firstName: text.nullish(),
  points: z.number().int().safe(),
  socialTariff: obj({ status: text.optional(), endDate: text.optional() }).nullish(),
  // A message without text is skipped; one with an unknown level is still shown (as a warning).
  messages: z.array(z.unknown()).nullish(),
});

export const passMessageSchema = obj({ level: text.optional(), text: z.string().refine((t) => t.trim() !== '') });

export const rewardSchema = obj({
  id: nonEmpty,
  title: text,
  type: text.optional(),
  points: z.union([z.number(), z.string()]).nullish(),
  promotionalDescription: text.nullish(),
  redeemPeriod: obj({ begin: text, end: text.optional() }).nullish().catch(undefined),
  maxAvailableUnits: z.number().nullish().catch(undefined),
  unitsTaken: z.number().nullish().catch(undefined),
  redeemConstraint: obj({ volume: z.number(), period: text }).nullish().catch(undefined),
});

export const redeemStatusSchema = obj({
  redeemable: z.boolean(),
  reason: text.optional().catch(undefined),
  message: text.optional().catch(undefined),
});

export const redeemedSchema = obj({
  id: nonEmpty,
  reward: obj({ id: text, points: z.unknown().optional(), type: z.unknown().optional() }),
  redeemDate: text.refine((d) => !Number.isNaN(Date.parse(d))),
  redeemCode: text.optional().catch(undefined),
  redeemInfo: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export const pagedSchema = obj({
  totalItems: z.number().int().safe().optional().catch(undefined),
  member: z.array(z.unknown()),
});

const deskPeriod = obj({ begin: text, end: text.optional().catch(undefined) })
  .nullish()
  .catch(undefined);

/** A reward as the rewards desk reads it: every editable field tolerated when missing or odd (the form shows what it can). */
export const deskRewardSchema = obj({
  id: nonEmpty,
  title: text,
  type: text.optional().catch(undefined),
  status: text.optional().catch(undefined),
  promotionalDescription: text.nullish().catch(undefined),
  points: z.number().nullish().catch(undefined),
  categories: z.array(z.unknown()).nullish().catch(undefined),
  moreInfoURL: text.nullish().catch(undefined),
  publicationPeriod: deskPeriod,
  redeemPeriod: deskPeriod,
  maxAvailableUnits: z.number().int().nullish().catch(undefined),
  unitsTaken: z.number().int().nullish().catch(undefined),
  redeemConstraint: obj({ volume: z.number().int(), period: text }).nullish().catch(undefined),
  practicalInfo: text.nullish().catch(undefined),
});

/**
 * The Reward schema's writable properties (every one the document declares
 * but the readOnly id, status, unitsTaken and lastChance). An edit sends back
 * these, as UiTPAS had them, with the desk's changes on top: the document's
 * PUT "will overwrite the previous details", so leaving one out would erase it.
 */
export const REWARD_WRITABLE_FIELDS = [
  'title',
  'type',
  'promotionalDescription',
  'publicationPeriod',
  'points',
  'categories',
  'moreInfoURL',
  'grantingPeriod',
  'owningCardSystem',
  'applicableCardSystems',
  'allCardSystems',
  'organizers',
  'maxAvailableUnits',
  'practicalInfo',
  'pictures',
  'redeemPeriod',
  'forKids',
  'sport',
  'featured',
  'online',
  'redeemConstraint',
] as const;

const words = z.string().min(1).optional().catch(undefined);

/** An RFC 7807 problem as UiTPAS sends it (the document's Error schema); every field tolerated when odd. */
export const problemSchema = obj({
  type: text.optional().catch(undefined),
  detail: text.optional().catch(undefined),
  cardStatus: text.optional().catch(undefined),
  endUserMessage: obj({ nl: words, fr: words, de: words, en: words }).optional().catch(undefined),
  schemaErrors: z.array(z.unknown()).optional().catch(undefined),
});

const ids = z
  .array(z.unknown())
  .optional()
  .catch(undefined)
  .transform((a) => (a ?? []).filter((p): p is string => typeof p === 'string'));

/** GET /permissions (the document's OrganizerPermissions[]): each organizer's permissions, by either list. */
export const permissionsSchema = z.array(
  obj({
    organizer: obj({ id: z.unknown() }).optional().catch(undefined),
    permissions: ids,
    permissionDetails: z
      .array(z.unknown())
      .optional()
      .catch(undefined)
      .transform((a) =>
        (a ?? []).map((d) => (d && typeof d === 'object' ? (d as { id?: unknown }).id : undefined)).filter((p): p is string => typeof p === 'string'),
      ),
  }),
);
