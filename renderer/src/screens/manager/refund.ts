/** Void and refund rules as the sale detail shows them (the service decides; this only guides). */
import type { SaleView } from '../../../../shared/domain';
import { parseAmount } from '../../../../shared/money';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';

/** Money left to refund on a sale. */
export function remainingCents(sale: Pick<SaleView, 'basket' | 'refunded'>): number {
  return Math.max(0, sale.basket.cents - sale.refunded.cents);
}

/** A void that needs a manager: points were (or may have been) taken, and no void is under way. */
export function canVoid(sale: Pick<SaleView, 'state' | 'voidPending'>): boolean {
  return ['posting', 'queued', 'posted', 'paid'].includes(sale.state) && !sale.voidPending;
}

/** Only a paid sale, with something left, is refunded in part. */
export function canRefund(sale: Pick<SaleView, 'state' | 'basket' | 'refunded'>): boolean {
  return sale.state === 'paid' && remainingCents(sale) > 0;
}

export type RefundCheck = { cents: number } | { problem: 'tooMuch'; limitCents: number } | { problem: 'invalid'; error: ErrorInfo };

/** What the manager typed for a refund, read with shared/money's parseAmount and held to what remains. */
export function checkRefund(text: string, sale: Pick<SaleView, 'basket' | 'refunded'>): RefundCheck {
  let cents: number;
  try {
    cents = parseAmount(text, sale.basket.currency).cents;
  } catch (e) {
    return { problem: 'invalid', error: asErrorInfo(e) };
  }
  if (cents <= 0) return { problem: 'invalid', error: { code: 'AMOUNT_INVALID', message: 'Refund at least one cent.' } };
  const limit = remainingCents(sale);
  if (cents > limit) return { problem: 'tooMuch', limitCents: limit };
  return { cents };
}

/**
 * The points a refund gives back, as the service computes them: in proportion
 * to the part refunded, rounded up to the program's precision, never more than
 * remains of what was taken; all of it when the rest is refunded.
 */
export function refundPoints(sale: Pick<SaleView, 'basket' | 'refunded' | 'quote' | 'redemption' | 'terms'>, cents: number): number {
  const taken = sale.redemption === 'posted' ? (sale.quote?.pointsMilli ?? 0) : 0;
  const left = Math.max(0, taken - sale.refunded.pointsMilli);
  if (cents >= remainingCents(sale)) return left;
  if (sale.basket.cents <= 0) return 0;
  const step = 10 ** (3 - (sale.terms?.decimals ?? 0));
  return Math.min(left, Math.ceil((taken * cents) / sale.basket.cents / step) * step);
}

/** The catalogue key for where the given-back points stand. */
export function compensationKey(
  sale: Pick<SaleView, 'compensation'>,
): 'sale.compensation.waiting' | 'sale.compensation.done' | 'sale.compensation.manualAction' | null {
  switch (sale.compensation?.state) {
    case 'waiting':
      return 'sale.compensation.waiting';
    case 'done':
      return 'sale.compensation.done';
    case 'manual-action':
      return 'sale.compensation.manualAction';
    default:
      return null;
  }
}
