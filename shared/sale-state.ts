/**
 * The checkout as an explicit state machine. The service moves a sale only
 * along these edges; anything else is SALE_WRONG_STATE. Kept pure so both the
 * service and the renderer (which shows which buttons make sense) use it.
 */
import type { SaleState } from './domain.js';
import { PosError } from './errors.js';

export const SALE_TRANSITIONS: Readonly<Record<SaleState, readonly SaleState[]>> = {
  open: ['open', 'identified', 'cancelled'],
  identified: ['open', 'identified', 'quoted', 'cancelled'],
  quoted: ['open', 'identified', 'quoted', 'posting', 'queued', 'cancelled'],
  // -> voided / cancelled only when a void raced the post: the answer decides which
  posting: ['posted', 'refused', 'queued', 'voided', 'cancelled'],
  // queued -> paid only when the offline policy accepted it; -> cancelled withdraws the unsent row
  queued: ['posted', 'refused', 'paid', 'cancelled', 'voided'],
  posted: ['paid', 'voided'],
  refused: ['identified', 'quoted', 'cancelled'],
  paid: ['voided'],
  cancelled: [],
  voided: [],
};

/** States in which the sale is closed for the cashier. */
export const CLOSED_STATES: ReadonlySet<SaleState> = new Set(['paid', 'cancelled', 'voided']);

export function canTransition(from: SaleState, to: SaleState): boolean {
  return SALE_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: SaleState, to: SaleState): void {
  if (!canTransition(from, to)) {
    throw new PosError('SALE_WRONG_STATE', `A sale that is ${from} cannot become ${to}.`, { details: { from, to } });
  }
}
