/**
 * Exactly once, end to end (issue 20), in Chromium on the real renderer
 * through the web host, against White Label (the program with no lookup, so
 * every lost answer is "cannot tell"):
 *  - redeem 1000 of 2500 online; the backend goes down; scanned again, the
 *    last known balance is 1500, and 2000 points are refused;
 *  - two answers are lost (one applied at the backend, one reset before it
 *    was): after their deadline both wait in Needs attention with the
 *    evidence (what was sent and when, until when it could still apply, the
 *    lookup, the balances);
 *  - the manager answers "it was applied" for one and "send again" for the
 *    other, each with PIN and reason: the ledger ends with each redemption
 *    once, and the log says who decided.
 */
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID, TID } from '../renderer/src/testids.js';
import type { AttentionItem } from '../shared/contract/manager.js';
import { expect, STAFF, test } from './fixtures.js';
import { identify, managerApproves, saleWithMember, startSale } from './counter-helpers.js';
import { managerSignsIn } from './desk-helpers.js';
import { tid } from './tid.js';

const REQUEST_TIMEOUT_MS = 1500;
const MARGIN_MS = 500;
test.use({ terminalArgs: ['--request-timeout-ms', String(REQUEST_TIMEOUT_MS), '--in-doubt-margin-ms', String(MARGIN_MS)] });

test.setTimeout(120_000);

test('last known balance follows a redemption; "cannot tell" rows wait with their evidence and both manager choices work', async ({
  counter: page,
  sandbox,
  terminal,
  staff,
}) => {
  const anna = DEMO_MEMBERS.anna; // 2500 points
  const bram = DEMO_MEMBERS.bram; // 12000 points
  const wl = sandbox.backends.whitelabel.state;

  // Online: 1000 of Anna's 2500.
  await saleWithMember(page, '50', anna.cardNumber);
  await page.locator(tid(TID.pointsInput)).fill('1000');
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '1500000');
  await page.locator(tid(TID.paid)).click();

  // Offline, scanned again: the last known balance is the one after that redemption, and 2000 is refused.
  const down = sandbox.faults.add({ fault: 'down' });
  await startSale(page, '50');
  await identify(page, anna.cardNumber);
  await expect(page.locator(tid(TID.statusOnline))).toHaveAttribute('data-online', 'false');
  await expect(page.locator(tid(TID.lastKnownAt))).toBeVisible();
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '1500000');
  await page.locator(tid(TID.pointsInput)).fill('2000');
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'POINTS_ABOVE_BALANCE');
  await expect(page.locator(tid(TID.confirm))).toBeDisabled();
  sandbox.faults.remove(down.id);

  // Two answers lost at another sale each (through the same terminal's API, as the counter calls it).
  const lostAnswer = async (card: string, points: number, fault: 'reset-after' | 'reset-before') => {
    const sale = await terminal.call<{ id: string }>('startSale', { basketCents: 5000 });
    await terminal.call('identifyMember', { saleId: sale.id, input: card, source: 'scanner' });
    await terminal.call('quote', { saleId: sale.id, pointsMilli: points * 1000 });
    sandbox.faults.add({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault, times: 1 });
    const v = await terminal.call<{ state: string }>('confirmRedemption', { saleId: sale.id, pointsMilli: points * 1000 });
    expect(v.state).toBe('queued');
    return sale.id;
  };
  const applied = await lostAnswer(anna.cardNumber, 300, 'reset-after'); // the points were taken
  const notApplied = await lostAnswer(bram.cardNumber, 700, 'reset-before'); // they were not
  expect(wl.ledger(anna.userId)).toHaveLength(2);
  expect(wl.ledger(bram.userId)).toHaveLength(0);
  // After their deadline, the lookup (White Label has none) cannot tell: both wait for a manager.
  for (const saleId of [applied, notApplied]) {
    await expect.poll(async () => (await terminal.call<{ redemption: string }>('getSale', { saleId })).redemption, { timeout: 20_000 }).toBe('attention');
  }

  // The manager's desk: both rows, each with its evidence.
  await managerSignsIn(page, staff.managerId, 'attention');
  const items = (await terminal.call<{ items: AttentionItem[] }>('listAttention', {})).items.filter((i) => i.inDoubt);
  expect(items).toHaveLength(2);
  const itemOf = (saleId: string) => items.find((i) => i.saleId === saleId)!.item;
  const card = (saleId: string) => page.locator(`${tid(MTID.attentionItem)}[data-item="${itemOf(saleId)}"]`);
  for (const [saleId, before, after] of [
    [applied, 1_500_000, 1_200_000],
    [notApplied, 12_000_000, 12_000_000],
  ] as const) {
    const c = card(saleId);
    await expect(c).toHaveAttribute('data-kind', 'unknown-outcome');
    const evidence = c.locator(tid(MTID.attentionEvidence));
    await expect(evidence).toContainText('Reference sent');
    const send = evidence.locator(tid(MTID.attentionSend)).first();
    await expect(send).toContainText('it could still apply until');
    const at = Date.parse((await send.getAttribute('data-at'))!);
    const deadline = Date.parse((await send.getAttribute('data-deadline'))!);
    expect(deadline - at).toBe(REQUEST_TIMEOUT_MS + MARGIN_MS);
    await expect(evidence.locator(tid(MTID.attentionLookup)).last()).toHaveAttribute('data-outcome', 'cannot-tell');
    await expect(evidence.locator(tid(MTID.attentionLookup)).last()).toContainText('nobody can tell');
    await expect(evidence.locator(tid(MTID.attentionBalanceBefore))).toHaveAttribute('data-milli', String(before));
    await expect(evidence.locator(tid(MTID.attentionBalanceAfter))).toHaveAttribute('data-milli', String(after));
  }

  // "It was applied" (Anna's balance moved by exactly her 300), then "send again" (Bram's did not).
  await card(applied).locator(tid(MTID.attentionApplied)).click();
  await managerApproves(page, staff.managerId, 'balance moved by exactly 300');
  await expect(card(applied), 'decided: off the list').toHaveCount(0);
  await expect(card(notApplied)).toHaveAttribute('data-handled', 'false');
  await card(notApplied).locator(tid(MTID.attentionSendAgain)).click();
  await managerApproves(page, staff.managerId, 'balance did not move');
  await expect(card(notApplied)).toHaveCount(0);
  await expect(page.locator(tid(MTID.attentionEmpty))).toBeVisible();

  // Each redemption once at the program; both sales posted; the log names who decided what.
  await expect.poll(() => wl.ledger(bram.userId).length, { timeout: 10_000 }).toBe(1);
  expect(wl.ledger(anna.userId).map((e) => e.payload.points)).toEqual([1000, 300]);
  expect(wl.balances(bram.userId)[bram.userId]).toBe(12_000 - 700);
  await expect.poll(async () => (await terminal.call<{ state: string }>('getSale', { saleId: notApplied })).state, { timeout: 10_000 }).toBe('posted');
  expect((await terminal.call<{ state: string }>('getSale', { saleId: applied })).state).toBe('posted');
  const { entries } = await terminal.call<{ entries: { kind: string; saleId: string | null; detail: Record<string, unknown> | null }[] }>('listLog', {
    limit: 200,
  });
  const decisions = entries.filter((e) => e.kind === 'in-doubt.resolved');
  expect(decisions.map((e) => [e.saleId, e.detail?.decision, e.detail?.managerId, e.detail?.approvedBy]).sort()).toEqual(
    [
      [applied, 'applied', staff.managerId, STAFF.manager.name],
      [notApplied, 'send-again', staff.managerId, STAFF.manager.name],
    ].sort(),
  );
});
