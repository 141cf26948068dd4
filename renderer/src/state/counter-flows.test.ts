/**
 * The counter store's program-specific flows against the REAL terminal and
 * emulators (test/counter-store-harness.ts): points refused past the
 * program's decimals as typed (Capillary), a catalogue reward (UiTPAS),
 * validation codes (Capillary), offline limits with a manager's approval,
 * "continue offline" after a failed post, a cancel that waits for the
 * program's answer, and a manager's void (White Label).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CAPILLARY_DEMO_CUSTOMERS } from '../../../sandbox/capillary/demo';
import { DEMO_MEMBERS } from '../../../sandbox/demo-data';
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../../../sandbox/uitpas/demo-data';
import { OFFLINE_POLICY_SETTING } from '../../../electron/service/offline-policy';
import { counterOnRealTerminal, type CounterOnRealTerminal } from '../../../test/counter-store-harness';
import { confirmedQuote, saleActions } from './store';

const anna = DEMO_MEMBERS.anna;
const priya = CAPILLARY_DEMO_CUSTOMERS.priya; // 2500.5 points, 1 point = 0.1 EUR
let c: CounterOnRealTerminal;
afterEach(async () => c?.close());

async function identified(basket: string, member: string): Promise<void> {
  c.s().setBasketText(basket);
  await c.s().submitBasket();
  await c.s().identify(member, 'keyboard');
  expect(c.s().sale?.state).toBe('identified');
}
async function quotedAt(points: string): Promise<void> {
  c.s().setPointsText(points);
  c.s().commitPoints();
  await c.until((s) => confirmedQuote(s) !== null);
}
const wlDown = () => c.control('POST', '/faults', { backend: 'whitelabel', fault: 'down' });

describe('counter flows on the real terminal', () => {
  it('Capillary: a fourth decimal is refused as typed; the validation code is asked for, goes with the confirmation, and a wrong one is typed again', async () => {
    c = await counterOnRealTerminal({ backend: 'capillary' });
    await identified('50', priya.mobile);
    c.s().setPointsText('100.123');
    c.s().setPointsText('100.1234');
    expect(c.s().pointsText).toBe('100.123');
    expect(c.s().pointsProblem?.code).toBe('POINTS_TOO_PRECISE');
    c.s().keypad('4');
    expect(c.s().pointsText).toBe('100.123');
    await quotedAt('100.25');

    await c.s().confirm();
    expect(c.s().error?.info.code).toBe('VALIDATION_CODE_REQUIRED');
    expect(c.s().focus.target).toBe('code');
    expect(c.called('confirmRedemption')).toHaveLength(0);
    await c.s().requestValidationCode();
    expect(c.s().sale?.validationCode?.pointsMilli).toBe(100_250);
    const { code } = (await c.control('GET', `/capillary/validation-code?mobile=${priya.mobile}`)) as { code: string };
    c.s().setValidationCodeText(code === 'AAAAAA' ? 'BB BB BB' : 'AA AA AA');
    await c.s().confirm();
    expect(c.called('confirmRedemption')[0]?.input).toMatchObject({ pointsMilli: 100_250, validationCode: expect.stringMatching(/^[AB]{6}$/) });
    expect(c.s().error?.info.code).toBe('VALIDATION_CODE_WRONG');
    expect(c.s().focus.target).toBe('code');
    expect(c.s().sale?.state).toBe('quoted');
    c.s().setValidationCodeText(code);
    expect(c.s().error).toBeNull();
    await c.s().confirm();
    expect(c.s().sale?.state).toBe('posted');
  });

  it('UiTPAS: a chosen reward is the quote and is confirmed at its price; a reward refused a moment later asks for the catalogue again', async () => {
    c = await counterOnRealTerminal({ backend: 'uitpas' });
    const epoch = c.s().rewardsEpoch;
    await identified('20', UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber);
    expect(c.s().rewardsEpoch).toBe(epoch + 1); // a member: the reward step reads their catalogue
    expect(c.s().focus.target).toBe('points');
    await c.s().chooseReward(UITPAS_DEMO_REWARDS.ticket.id);
    expect(c.s().sale?.state).toBe('quoted');
    expect(confirmedQuote(c.s())?.pointsMilli).toBe(50_000); // no points typed: the reward is the quote
    expect(c.s().focus.target).toBe('confirm');
    await c.s().confirm();
    expect(c.called('confirmRedemption')[0]?.input).toEqual({ saleId: c.s().sale!.id, pointsMilli: 50_000 });
    expect(c.s().sale?.state).toBe('posted');
    await c.s().markPaid();

    await identified('20', UITPAS_DEMO_PASSHOLDERS.fatima.uitpasNumber); // 25 points
    const before = c.s().rewardsEpoch;
    await c.s().chooseReward(UITPAS_DEMO_REWARDS.exhibition.id);
    expect(c.s().error).toMatchObject({ step: 'points', info: { code: 'REWARD_NOT_REDEEMABLE' } });
    expect(c.s().rewardsEpoch).toBe(before + 1);
    expect(c.s().sale?.state).toBe('identified');
  });

  it("offline limits: the refusal names the limit; a wrong PIN goes back to the dialog; the manager's approval goes with the same points", async () => {
    c = await counterOnRealTerminal();
    c.rt.store.setSetting(OFFLINE_POLICY_SETTING, JSON.stringify({ maxPointsPerRedemptionMilli: 300_000 }));
    await identified('50', anna.userId); // seen online once: the last known balance
    await wlDown();
    c.s().newSale();
    await c.s().confirmDialog();
    await identified('50', anna.userId);
    await quotedAt('400');
    await c.s().confirm();
    expect(c.s().error).toMatchObject({ step: 'confirm', info: { code: 'OFFLINE_LIMIT', details: { overridable: true } } });

    await expect(c.s().confirmApproved({ ...c.approval, pin: '000000' })).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(c.s().busy).toBeNull();
    await c.s().confirmApproved(c.approval);
    expect(c.called('confirmRedemption').at(-1)?.input).toEqual({ saleId: c.s().sale!.id, pointsMilli: 400_000, approval: c.approval });
    expect(c.s().sale).toMatchObject({ state: 'queued', offlineAccepted: true });
    expect(c.s().error).toBeNull();
    expect(c.s().focus.target).toBe('paid');
    expect(saleActions(c.s().sale).canPay).toBe(true);
  });

  it('the post fails after confirm: continue offline needs an approval past a limit; the queue count is pushed', async () => {
    c = await counterOnRealTerminal();
    c.rt.store.setSetting(OFFLINE_POLICY_SETTING, JSON.stringify({ maxPointsPerRedemptionMilli: 300_000 }));
    await identified('50', anna.userId);
    await quotedAt('400');
    await c.control('POST', '/faults', { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'status', status: 503 });
    await c.s().confirm();
    expect(c.s().sale).toMatchObject({ state: 'queued', offlineAccepted: false, paymentAllowed: false });
    expect(c.s().focus.target).toBe('retry');
    expect(saleActions(c.s().sale).canAcceptOffline).toBe(true);
    await c.s().acceptOffline();
    expect(c.s().error).toMatchObject({ step: 'result', info: { code: 'OFFLINE_LIMIT' } });
    await c.s().acceptOffline(c.approval);
    expect(c.called('acceptOffline').at(-1)?.input).toEqual({ saleId: c.s().sale!.id, approval: c.approval });
    expect(c.s().sale?.paymentAllowed).toBe(true);
    expect(saleActions(c.s().sale).canAcceptOffline).toBe(false);
    await c.until((s) => s.status?.queue.waiting === 1); // pushed, never asked for
    expect(c.called('getStatus')).toHaveLength(0);
  });

  it('a cancel while the redemption is on its way waits for the answer; the next sale may start', async () => {
    c = await counterOnRealTerminal({ postWaitMs: 50 });
    await identified('50', anna.userId);
    await quotedAt('100');
    await c.control('POST', '/faults', { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'latency', ms: 60_000, times: 1 });
    await c.s().confirm();
    expect(c.s().sale?.state).toBe('posting');
    await c.held.next(); // the post is at the program, held
    c.s().newSale(); // asks first
    expect(c.s().dialog).toBe('new-sale');
    await c.s().confirmDialog();
    expect(c.s().sale?.voidPending).toBe(true); // still on screen: "cancelling: waiting for the program's answer"
    expect(saleActions(c.s().sale)).toMatchObject({ canCancel: false, canRetry: false, canStartOver: true });
    c.s().newSale();
    expect(c.s().sale).toBeNull();
  });

  it('a manager voids a paid sale: a wrong PIN is thrown to the dialog, the approval goes along; scans wait while an approval is open', async () => {
    c = await counterOnRealTerminal();
    await identified('50', anna.userId);
    await quotedAt('100');
    await c.s().confirm();
    await c.s().markPaid();
    expect(saleActions(c.s().sale)).toMatchObject({ canVoid: true, canCancel: false });

    c.s().setApproving(true);
    await c.s().identify(anna.userId, 'scanner');
    expect(c.s().error?.info.code).toBe('SALE_WRONG_STATE');
    expect(c.called('identifyMember')).toHaveLength(1);
    c.s().setApproving(false);

    await expect(c.s().voidSale({ ...c.approval, pin: '111111' })).rejects.toMatchObject({ code: 'PIN_WRONG' });
    await c.s().voidSale(c.approval);
    expect(c.s().sale?.state).toBe('voided');
    expect(saleActions(c.s().sale).canVoid).toBe(false);
    expect(c.s().focus.target).toBe('new-sale');
    await c.until((s) => s.sale?.compensation?.state === 'done'); // the points go back: pushed
    expect(c.sandbox.backends.whitelabel.state.balances(anna.userId)[anna.userId]).toBe(2500);
  });
});
