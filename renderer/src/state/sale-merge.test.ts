/** The push/answer merge (pure): every order of a push and an answer ends in the same sale on screen. */
import { describe, expect, it } from 'vitest';
import type { SaleState, SaleView } from '../../../shared/domain';
import { isNewerPush, mergeAnswer, mergePush } from './sale-merge';
import { tooPrecise } from './store';

const STATES: SaleState[] = ['open', 'identified', 'quoted', 'posting', 'queued', 'posted', 'refused', 'paid', 'cancelled', 'voided'];
const sale = (state: SaleState, id = 'sale_1'): SaleView => ({
  id,
  state,
  createdAt: '2026-01-01T00:00:00.000Z',
  basket: { cents: 1000, currency: 'EUR' },
  paymentAllowed: false,
  offlineAccepted: false,
  voidPending: false,
  refunded: { cents: 0, pointsMilli: 0 },
});
/** Applies news to the screen the way the store does. */
const push = (shown: SaleView | null, p: SaleView) => mergePush(shown, p) ?? shown;
const answer = (shown: SaleView | null, a: SaleView) => mergeAnswer(shown, a) ?? shown;

describe('the push/answer merge', () => {
  it('a push and an answer, in either order, end in the same sale: the one further along', () => {
    let pairs = 0;
    for (const from of ['quoted', 'posting', 'queued'] as SaleState[])
      for (const a of STATES)
        for (const p of STATES) {
          const start = sale(from);
          // Only news the service can send: the answer is a move from the screen's state, the push one of its own moves.
          if (!isNewerPush(from, p) || (a !== from && !isNewerPush(from, a) && !['open', 'identified', 'quoted'].includes(a))) continue;
          if (!isNewerPush(a, p) && !isNewerPush(p, a)) continue; // two ends of different roads: the service sends never both
          const later = isNewerPush(a, p) ? p : a;
          const answerFirst = push(answer(start, sale(a)), sale(p));
          const pushFirst = answer(push(start, sale(p)), sale(a));
          expect([from, a, p, answerFirst?.state]).toEqual([from, a, p, later]);
          expect([from, a, p, pushFirst?.state]).toEqual([from, a, p, later]);
          pairs++;
        }
    expect(pairs).toBeGreaterThan(20);
  });

  it('a stale answer never overwrites a newer push; a stale push never overwrites a newer answer', () => {
    expect(answer(push(sale('quoted'), sale('posted')), sale('posting'))?.state).toBe('posted');
    expect(answer(push(sale('queued'), sale('paid')), sale('queued'))?.state).toBe('paid');
    expect(push(answer(sale('quoted'), sale('queued')), sale('posting'))?.state).toBe('queued');
    expect(push(sale('posted'), sale('queued'))?.state).toBe('posted');
  });

  it("another sale's push changes nothing; an answer about a new sale is shown; a cashier's own step is never a push", () => {
    expect(mergePush(sale('queued'), sale('cancelled', 'sale_2'))).toBeNull();
    expect(mergePush(null, sale('posted'))).toBeNull();
    expect(mergeAnswer(sale('paid'), sale('open', 'sale_2'))?.id).toBe('sale_2');
    expect(mergePush(sale('identified'), sale('quoted'))).toBeNull();
    expect(mergeAnswer(sale('identified'), sale('quoted'))?.state).toBe('quoted');
  });
});

describe('tooPrecise', () => {
  it('refuses a decimal more than the program takes, trailing zeros too', () => {
    expect(tooPrecise('100.123', 3)).toBe(false);
    expect(tooPrecise('100.1234', 3)).toBe(true);
    expect(tooPrecise('1.0000', 3)).toBe(true);
    expect(tooPrecise('1,25', 2)).toBe(false);
    expect(tooPrecise('12.', 0)).toBe(false);
    expect(tooPrecise('12.5', 0)).toBe(true);
    expect(tooPrecise('', 0)).toBe(false);
  });
});
