/**
 * Which sale the counter shows when a service push and a call's answer both
 * describe it. They travel on separate channels (the event stream, the call's
 * reply) and either may arrive first; the screen must end in the same state
 * whatever the order, and an answer that is older news than a push must never
 * move the screen back. Pure: the store applies the result, the tests check
 * every order.
 */
import type { SaleState, SaleView } from '../../../shared/domain';
import { SALE_TRANSITIONS } from '../../../shared/sale-state';

/**
 * Moves the terminal makes on its own once a redemption is confirmed (outbox,
 * backend answers, a manager elsewhere), plus the confirmation itself. Only
 * these can make a pushed sale newer than what the screen shows: a cashier's
 * own steps (basket, member, points) arrive as answers.
 */
const SERVICE_MOVES: Readonly<Partial<Record<SaleState, readonly SaleState[]>>> = {
  quoted: ['posting', 'queued'],
  ...Object.fromEntries((['posting', 'queued', 'posted', 'paid'] as const).map((s) => [s, SALE_TRANSITIONS[s]])),
};

/** Whether `to` is `from` or one or more of the service's own moves ahead of it. */
export function isNewerPush(from: SaleState, to: SaleState): boolean {
  if (from === to) return true;
  const seen = new Set<SaleState>([from]);
  const queue: SaleState[] = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const next of SERVICE_MOVES[s] ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/**
 * A pushed sale: shown only when it is the sale on screen and the same state
 * or further along; another sale's push, or an older one, changes nothing.
 * Returns the sale to show, or null to keep the screen as it is.
 */
export function mergePush(shown: SaleView | null, pushed: SaleView): SaleView | null {
  if (!shown || shown.id !== pushed.id) return null;
  return isNewerPush(shown.state, pushed.state) ? pushed : null;
}

/**
 * A call's answer: shown unless a push already showed this sale further
 * along (then the answer is older news). An answer about another sale (a new
 * one started) is shown. Returns the sale to show, or null to keep the screen.
 */
export function mergeAnswer(shown: SaleView | null, answer: SaleView): SaleView | null {
  const older = shown !== null && shown.id === answer.id && shown.state !== answer.state && isNewerPush(answer.state, shown.state);
  return older ? null : answer;
}
