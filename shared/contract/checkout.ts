/**
 * The counter's methods: a sale from basket to payment.
 */
import { z } from 'zod';
import type { LogEntryView, SaleView, TerminalStatus } from '../domain.js';
import { MAX_CENTS, MAX_POINTS_MILLI } from '../money.js';

export const saleId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'not a sale id');
export const cents = z.number().int('amounts are whole cents').min(0, 'amounts cannot be negative').max(MAX_CENTS, 'amount too large');
export const pointsMilli = z.number().int('points are whole thousandths').min(0, 'points cannot be negative').max(MAX_POINTS_MILLI, 'too many points');

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
  /** The member confirmed exactly this figure; the service re-checks it. */
  confirmRedemption: z.object({ saleId, pointsMilli }).strict(),
  retryRedemption: z.object({ saleId }).strict(),
  markPaid: z.object({ saleId }).strict(),
  cancelSale: z.object({ saleId }).strict(),
  getSale: z.object({ saleId }).strict(),
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
  confirmRedemption: SaleView;
  retryRedemption: SaleView;
  markPaid: SaleView;
  cancelSale: SaleView;
  getSale: SaleView;
  listLog: { entries: LogEntryView[] };
}
