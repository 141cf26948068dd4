/**
 * The counter store against the REAL terminal (test/counter-store-harness.ts:
 * the runtime's dispatcher over a temporary data directory, its pushes, the
 * White Label emulator on loopback): a sale end to end, scans at every
 * moment, local checks, refusals, the queue and the pushes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_MEMBERS, UNKNOWN_CARD_NUMBER } from '../../../sandbox/demo-data';
import { counterOnRealTerminal, type CounterOnRealTerminal } from '../../../test/counter-store-harness';
import { confirmedQuote, saleActions, type PosState } from './store';

const anna = DEMO_MEMBERS.anna; // 2500 points, 1 point = 0.01 EUR
let c: CounterOnRealTerminal;
afterEach(async () => c?.close());

async function identified(basket: string, card: string = anna.userId): Promise<void> {
  c.s().setBasketText(basket);
  await c.s().submitBasket();
  await c.s().identify(card, 'keyboard');
}

describe('counter store on the real terminal', () => {
  it('runs a sale end to end: basket, scan, max, confirm, paid, new sale; the status is never asked for after an action', async () => {
    c = await counterOnRealTerminal();
    expect(c.s().status?.training).toBe(true);
    c.s().setBasketText('8,40');
    await c.s().submitBasket();
    expect(c.s().sale?.basket.cents).toBe(840);
    expect(c.s().focus.target).toBe('member');
    await c.s().identify(anna.userId, 'scanner');
    expect(c.s().sale?.state).toBe('identified');
    expect(c.s().sale?.maxPointsMilli).toBe(840_000);
    expect(c.s().memberText).toBe(''); // not left on screen
    expect(c.s().focus.target).toBe('points');

    c.s().useMax();
    expect(c.s().pointsText).toBe('840');
    await c.until((s) => confirmedQuote(s) !== null);
    expect(confirmedQuote(c.s())).toMatchObject({ pointsMilli: 840_000, discount: { cents: 840 }, toPay: { cents: 0 }, balanceAfterMilli: 1_660_000 });
    expect(c.s().focus.target).toBe('confirm');

    await c.s().confirm();
    expect(c.s().sale?.state).toBe('posted');
    expect(saleActions(c.s().sale)).toMatchObject({ canPay: true, canStartOver: false });
    await c.s().markPaid();
    expect(c.s().sale?.state).toBe('paid');
    c.s().newSale();
    expect(c.s()).toMatchObject({ sale: null, basketText: '', pointsText: '' });
    expect(c.calls.map((x) => x.method)).toEqual(['startSale', 'identifyMember', 'quote', 'confirmRedemption', 'markPaid']);
    expect(c.sandbox.backends.whitelabel.state.balances(anna.userId)[anna.userId]).toBe(1660);
  });

  it('keeps a card scanned before the basket, and takes one scanned while the sale is being started', async () => {
    c = await counterOnRealTerminal();
    await c.s().identify(anna.userId, 'scanner');
    expect(c.s().pendingMember?.input).toBe(anna.userId);
    expect(c.s().error).toMatchObject({ step: 'basket', info: { code: 'AMOUNT_INVALID', details: { say: 'counter.say.basketFirst' } } });
    expect(c.called('identifyMember')).toHaveLength(0);
    c.s().setBasketText('20');
    await c.s().submitBasket();
    expect(c.s().sale?.state).toBe('identified');
    expect(c.s().pendingMember).toBeNull();

    // Next customer: the scan arrives while the new sale's start is still on its way.
    c.s().newSale();
    await c.s().confirmDialog();
    expect(c.s().sale).toBeNull();
    c.s().setBasketText('15');
    const start = c.holdAnswer('startSale');
    const submitting = c.s().submitBasket();
    await start.ran;
    expect(c.s().busy).toBe('start');
    await c.s().identify(anna.userId, 'scanner');
    start.release();
    await submitting;
    await c.until((s) => s.sale?.state === 'identified' && s.busy === null);
    expect(c.s().sale?.basket.cents).toBe(1500);
    expect(c.s().error).toBeNull();
  });

  it('tells the screen of a quick scan once: the read, the status the call pushed and the answer in one change (issue 18)', async () => {
    c = await counterOnRealTerminal({ lookupHoldMs: 60_000 }); // the answer, not the hold's ceiling, ends the hold here
    c.s().setBasketText('10');
    await c.s().submitBasket();
    const told: { state: PosState; previous: PosState }[] = [];
    const off = c.store.subscribe((state, previous) => void told.push({ state, previous }));
    const pushed = c.events.length;
    await c.s().identify(anna.userId, 'scanner');
    off();
    expect(c.events.slice(pushed).map((e) => e.type)).toContain('status');
    expect(told).toHaveLength(1);
    expect(told[0]!.previous).toMatchObject({ busy: null, sale: { state: 'open' } });
    expect(told[0]!.state).toMatchObject({ busy: null, memberText: '', sale: { state: 'identified', member: { balanceMilli: 2_500_000 } } });
    expect(told[0]!.state.status).toBe(c.s().status);
    expect(c.s().focus.target).toBe('points');
  });

  it('starts the sale from a typed but unsubmitted basket when a card is scanned', async () => {
    c = await counterOnRealTerminal();
    c.s().setBasketText('12.00');
    await c.s().identify(anna.userId, 'scanner');
    expect(c.s().sale).toMatchObject({ state: 'identified', basket: { cents: 1200 } });
  });

  it('previews the quote locally at once, refuses past the rules locally, and confirms only the quote for the figure on screen', async () => {
    c = await counterOnRealTerminal({ quoteDelayMs: 20 });
    await identified('100');
    c.s().setPointsText('2600'); // more than the 2500 points
    expect(c.s().pointsProblem?.code).toBe('POINTS_ABOVE_BALANCE');
    c.s().setPointsText('12.5');
    expect(c.s().pointsProblem?.code).toBe('POINTS_TOO_PRECISE');
    expect(c.s().pointsText).toBe('2600'); // the keystroke is refused, the figure stays
    c.s().keypad('clear');
    for (const k of ['5', '0', '0'] as const) c.s().keypad(k);
    expect(c.s().preview).toMatchObject({ pointsMilli: 500_000, discount: { cents: 500 } });
    expect(confirmedQuote(c.s())).toBeNull(); // not yet asked
    await c.until((s) => confirmedQuote(s)?.pointsMilli === 500_000);
    expect(c.called('quote').map((x) => x.input)).toEqual([{ saleId: c.s().sale!.id, pointsMilli: 500_000 }]);
    // Changing the figure withdraws the confirmable quote until the service answers again.
    c.s().keypad('back');
    expect(confirmedQuote(c.s())).toBeNull();
    await c.s().confirm();
    expect(c.called('confirmRedemption')).toHaveLength(0);
  });

  it('shows a refusal with the backend words and keeps the number for correction; a bad basket never reaches the service', async () => {
    c = await counterOnRealTerminal();
    c.s().setBasketText('12.345');
    await c.s().submitBasket();
    expect(c.s().error).toMatchObject({ step: 'basket', info: { code: 'AMOUNT_INVALID' } });
    expect(c.called('startSale')).toHaveLength(0);
    await identified('10', UNKNOWN_CARD_NUMBER);
    expect(c.s().error?.info.code).toBe('MEMBER_NOT_FOUND');
    expect(c.s().memberText).toBe(UNKNOWN_CARD_NUMBER);
    expect(c.s().focus.target).toBe('member');
  });

  it('asks before cancelling a sale in progress; dismissing keeps it; no scan starts over a redemption being finished', async () => {
    c = await counterOnRealTerminal();
    await identified('10');
    c.s().requestCancel();
    expect(c.s().dialog).toBe('cancel-sale');
    c.s().dismissDialog();
    expect(c.s().dialog).toBeNull();
    expect(c.called('cancelSale')).toHaveLength(0);
    c.s().newSale();
    expect(c.s().dialog).toBe('new-sale');
    await c.s().confirmDialog();
    expect(c.called('cancelSale')).toHaveLength(1);
    expect(c.s().sale).toBeNull();

    await identified('10');
    c.s().useMax();
    await c.until((s) => confirmedQuote(s) !== null);
    await c.s().confirm();
    expect(c.s().sale?.state).toBe('posted');
    const before = c.calls.length;
    await c.s().identify(anna.userId, 'scanner');
    expect(c.calls.length).toBe(before);
    expect(c.s().error?.info.code).toBe('SALE_WRONG_STATE');
  });

  it('offline: the redemption waits in the queue; the queue count and the posted sale arrive by push alone', async () => {
    c = await counterOnRealTerminal();
    await identified('10'); // online once: the last known balance
    c.s().newSale();
    await c.s().confirmDialog();
    await c.control('POST', '/faults', { backend: 'whitelabel', fault: 'down' });
    await identified('10');
    expect(c.s().sale?.member?.lastKnown).toBe(true);
    await c.until((s) => s.status?.online === false); // pushed
    c.s().setPointsText('400');
    c.s().commitPoints();
    await c.until((s) => confirmedQuote(s) !== null);
    await c.s().confirm();
    expect(c.s().sale).toMatchObject({ state: 'queued', offlineAccepted: true, paymentAllowed: true });
    expect(c.s().focus.target).toBe('paid');
    await c.until((s) => s.status?.queue.waiting === 1);
    await c.s().markPaid();

    await c.control('DELETE', '/faults');
    await c.until((s) => s.status?.online === true && s.status.queue.waiting === 0);
    expect(c.called('getStatus')).toHaveLength(0);
    expect(c.sandbox.backends.whitelabel.state.balances(anna.userId)[anna.userId]).toBe(2100);
  });

  it('a push that overtakes the answer to confirm is shown, and the older answer does not move the screen back', async () => {
    // The confirm call answers "on its way" after 50 ms; the post is held at the program until the test lets it go.
    c = await counterOnRealTerminal({ postWaitMs: 50 });
    await identified('10');
    c.s().useMax();
    await c.until((s) => confirmedQuote(s) !== null);
    await c.control('POST', '/faults', { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'latency', ms: 60_000, times: 1 });
    const answer = c.holdAnswer('confirmRedemption');
    const confirming = c.s().confirm();
    await answer.ran; // the service answered "posting"; the answer is held on its way to the screen
    const post = await c.held.next();
    post.release(); // the program answers: the service pushes "posted"
    await c.until((s) => s.sale?.state === 'posted');
    answer.release();
    await confirming;
    expect(c.s().sale?.state).toBe('posted');
    expect(c.s().focus.target).toBe('paid');
    expect(c.events.some((e) => e.type === 'sale' && e.sale.state === 'posted')).toBe(true);
  });
});
