/**
 * Every GafaPay answer the terminal reads, as zod schemas, in one place
 * (GafaPay's published v3 API). The schemas are tolerant where the document is
 * silent or loose: numbers may come as JSON numbers or strings, `is_active`
 * as true/false or 1/0, `success` as 1/0 or true/false; unknown fields are
 * ignored. Money and points are read exactly by shared/money.ts after the
 * schema, never as floats.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PosError } from '../../shared/errors.js';
import { APP_CODE_RE } from '../../shared/member-number.js';

/** A decimal figure as GafaPay writes it: a JSON number (25.5) or, tolerated, a string. */
const decimal = z.union([z.number(), z.string()]);
/** A flag the document shows as a boolean; 1/0 and "1"/"0"/"true"/"false" read the same. */
const flag = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === '1' || String(v).toLowerCase() === 'true');
const id = z.union([z.string(), z.number()]).transform((v) => String(v));

export const envelopeSchema = z.object({
  success: z.union([z.number(), z.boolean(), z.string()]).transform((v) => v === 1 || v === true || v === '1' || v === 'true'),
  error: z.array(z.unknown()).optional().default([]),
  data: z.unknown().optional(),
});

export const userPointsSchema = z.object({
  user_points: z.object({ points: decimal }).nullish(),
});

export const redeemConfigSchema = z.object({
  points_redeem_configs: z
    .array(
      z.object({
        no_of_points: decimal,
        points_value: decimal,
        min_points_to_redeem: decimal.nullish(),
        max_points_to_redeem: decimal.nullish(),
        redeem_type: z.union([z.number(), z.string()]).transform(Number),
        currency_id: z.string().nullish(),
        is_active: flag,
      }),
    )
    .default([]),
});

export const redeemAnswerSchema = z.object({
  message: z.string().optional(),
  redeem_points_detail: z.object({
    points: decimal.optional(),
    amount: z.unknown().optional(),
    txn_id: id,
    txn_number: id.nullish(),
  }),
});

export const historySchema = z.object({
  user_points_redeem: z
    .array(
      z.object({
        id: id,
        points: decimal,
        amount: z.unknown().optional(),
        transaction_id: z.string().nullish(),
        created_date: z.union([z.number(), z.string()]).transform(Number),
      }),
    )
    .default([]),
});

/**
 * Reads `data` with `schema`; an answer of the wrong shape is
 * BACKEND_BAD_RESPONSE (whether that means "cannot tell" is the caller's
 * business: after a redemption was sent it never means "refused").
 */
export function readData<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const where = r.error.issues[0]?.path.join('.') ?? '';
    throw new PosError('BACKEND_BAD_RESPONSE', `GafaPay's answer to ${what} could not be read${where ? ` (${where})` : ''}.`);
  }
  return r.data;
}

/** What a member's app code carries (shared/member-number.ts APP_CODE_RE). */
export interface AppCode {
  userId: string;
  walletId: string;
  /** The member's session token, or null where the code carries none. */
  token: string | null;
}

export function parseAppCode(code: string): AppCode | null {
  const m = APP_CODE_RE.exec(code.trim());
  if (!m) return null;
  return { userId: m[1]!, walletId: m[2]!, token: m[3] ?? null };
}

/**
 * GafaPay's `requestid` is "a UUID"; the terminal's stable reference of an
 * attempt is not one, so the UUID is derived from it (SHA-256, laid out as
 * an RFC 9562 version 8 UUID): the same reference gives the same requestid on
 * every retry, across restarts.
 */
export function requestIdFor(reference: string): string {
  const h = createHash('sha256').update(`gafapay-requestid:${reference}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
