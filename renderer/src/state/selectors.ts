/**
 * Derived views of the counter's state, pure: what a component (and the
 * store itself) asks of the sale on screen and the points typed.
 */
import type { Quote, SaleView } from '../../../shared/domain';
import { parsePoints, type PointsMilli } from '../../../shared/money';
import { CLOSED_STATES, canTransition } from '../../../shared/sale-state';
import type { FocusTarget } from './slices/types';

export function isClosed(sale: SaleView | null): boolean {
  return sale !== null && CLOSED_STATES.has(sale.state);
}

interface SaleAndPoints {
  sale: SaleView | null;
  pointsText: string;
}

/** The points the cashier typed, or null when the field is empty or unreadable. */
function enteredPoints(s: SaleAndPoints): PointsMilli | null {
  const terms = s.sale?.terms;
  if (!terms || s.pointsText.trim() === '') return null;
  try {
    return parsePoints(s.pointsText, terms.decimals);
  } catch {
    return null;
  }
}

/** The quote the service gave for exactly the points on screen, if any: only this one can be confirmed. */
export function confirmedQuote(s: SaleAndPoints): Quote | null {
  const sale = s.sale;
  if (!sale || sale.state !== 'quoted' || !sale.quote) return null;
  if (sale.reward) return sale.quote; // a catalogue reward: its price is the quote
  return sale.quote.pointsMilli === enteredPoints(s) ? sale.quote : null;
}

/** Where the cursor belongs for a sale as it stands. */
export function focusFor(sale: SaleView | null): FocusTarget {
  if (!sale || isClosed(sale)) return sale ? 'new-sale' : 'basket';
  if (sale.state === 'open') return 'member';
  if (sale.state === 'quoted') return 'confirm';
  if (sale.paymentAllowed) return 'paid';
  if (sale.state === 'queued' || sale.state === 'posting') return 'retry';
  return sale.member ? 'points' : 'member';
}

/** Which buttons make sense for a sale, by the shared state machine. */
export function saleActions(sale: SaleView | null) {
  const state = sale?.state ?? null;
  return {
    canEditBasket: !sale || isClosed(sale) || canTransition(sale.state, 'open'),
    canIdentify: !sale || isClosed(sale) || canTransition(sale.state, 'identified'),
    canChoosePoints: !!sale && !!sale.terms && !!sale.member && canTransition(sale.state, 'quoted'),
    canCancel: !!sale && !sale.voidPending && canTransition(sale.state, 'cancelled'),
    // Points were taken (or the sale was paid): only a manager voids it.
    canVoid: !!sale && (state === 'posted' || state === 'paid') && !sale.voidPending,
    // 'posting' past the confirm call's wait: the backend has not answered yet, the cashier may push it again.
    canRetry: (state === 'queued' || state === 'posting') && !sale?.voidPending,
    // Waiting for the backend after confirm, not yet accepted offline: the offline policy may let payment proceed.
    canAcceptOffline: state === 'queued' && !sale?.offlineAccepted && !sale?.voidPending,
    canPay: !!sale && sale.paymentAllowed && canTransition(sale.state, 'paid'),
    canStartOver: !sale || isClosed(sale) || sale.voidPending || canTransition(sale.state, 'cancelled'),
  };
}
