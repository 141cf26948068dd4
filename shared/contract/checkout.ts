/**
 * The counter's methods: a sale from basket to payment.
 */
import { z } from '../zod.js';
import type { LogEntryView, SaleView, TerminalStatus } from '../domain.js';
import type { RewardOffer } from '../rewards.js';
import { MAX_CENTS, MAX_POINTS_MILLI } from '../money.js';
import { explainedApproval } from './approval.js';

export const saleId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a sale id');
export const cents = z.number().int('amounts are whole cents').min(0, 'amounts cannot be negative').max(MAX_CENTS, 'amount too large');
export const pointsMilli = z.number().int('points are whole thousandths').min(0, 'points cannot be negative').max(MAX_POINTS_MILLI, 'too many points');

/** Overrides, voids and refunds: the log records who approved and why. */
export const approval = explainedApproval;

export const checkoutMethods = {
  getStatus: z.object({}).strict(),
  startSale: z.object({ basketCents: cents }).strict(),
  setBasket: z.object({ saleId, basketCents: cents }).strict(),
  identifyMember: z
    .object({
      saleId,
      input: z.string().max(512, 'scan too long'),
      source: z.enum(['scanner', 'keyboard', 'camera']),
    })
    .strict(),
  quote: z.object({ saleId, pointsMilli }).strict(),
  /** Reward-catalogue programs (UiTPAS): the organizer's rewards, each checked for this member. */
  listRewards: z.object({ saleId, start: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(100).optional() }).strict(),
  /** Picks a reward: checks it with the backend and quotes its points and discount. */
  chooseReward: z.object({ saleId, rewardId: z.string().min(1).max(100) }).strict(),
  /** The member confirmed exactly this figure; the service re-checks it. */
  confirmRedemption: z.object({ saleId, pointsMilli, approval: approval.optional(), validationCode: z.string().trim().max(32).optional() }).strict(),
  /** Programs with a validation code: the backend sends the member a code for the quoted points ("send again" gives the same one). */
  requestValidationCode: z.object({ saleId }).strict(),
  /** The backend is not answering: let the sale proceed on the offline policy (approval past a limit). */
  acceptOffline: z.object({ saleId, approval: approval.optional() }).strict(),
  retryRedemption: z.object({ saleId }).strict(),
  markPaid: z.object({ saleId }).strict(),
  /** Closes a sale before any points were taken (a queued redemption is withdrawn). */
  cancelSale: z.object({ saleId }).strict(),
  /** Voids a sale whose points were taken: the compensation goes through the outbox. Needs a manager. */
  voidSale: z.object({ saleId, approval }).strict(),
  /** Gives back points for part of a paid sale (an item returned). Needs a manager. */
  refundSale: z.object({ saleId, amountCents: cents.min(1, 'refund at least one cent'), approval }).strict(),
  /** Today's sales for the void/refund screen, newest first. */
  listSales: z
    .object({
      limit: z.number().int().min(1).max(200),
      beforeCreatedAt: z.string().max(40).optional(),
      memberLast4: z
        .string()
        .regex(/^\d{4}$/)
        .optional(),
      amountCents: cents.optional(),
    })
    .strict(),
  getSale: z.object({ saleId }).strict(),
  /**
   * A redemption or refund nobody can tell about (Needs attention, "cannot tell"): a manager
   * decides "it was applied" (closed as done) or "send again" (queued as never sent). Logged with who.
   */
  resolveInDoubt: z
    .object({ item: z.string().regex(/^outbox:\d{1,15}$/, 'not an attention item'), decision: z.enum(['applied', 'send-again']), approval })
    .strict(),
  listLog: z
    .object({
      limit: z.number().int().min(1).max(500),
      beforeSeq: z.number().int().min(1).optional(),
      saleId: saleId.optional(),
    })
    .strict(),
} as const;

export interface CheckoutResults {
  getStatus: TerminalStatus;
  startSale: SaleView;
  setBasket: SaleView;
  identifyMember: SaleView;
  quote: SaleView;
  /** lastKnownAt: offline, the member's catalogue as this terminal last saw it (ISO), judged again here. */
  listRewards: { offers: RewardOffer[]; totalItems: number; start: number; limit: number; lastKnownAt?: string };
  chooseReward: SaleView;
  confirmRedemption: SaleView;
  requestValidationCode: SaleView;
  retryRedemption: SaleView;
  markPaid: SaleView;
  acceptOffline: SaleView;
  cancelSale: SaleView;
  voidSale: SaleView;
  refundSale: SaleView;
  listSales: { sales: SaleView[] };
  getSale: SaleView;
  resolveInDoubt: SaleView;
  listLog: { entries: LogEntryView[] };
}
