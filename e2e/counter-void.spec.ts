/**
 * Voids at the counter (issue 4), end to end: before payment the cashier
 * cancels alone; once the points are taken a manager voids on the shared
 * approval dialog, and the member's balance at the sandbox returns to where
 * it started.
 */
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { TID } from '../renderer/src/testids.js';
import { expect, test } from './fixtures.js';
import { managerApproves, saleWithMember, shot } from './counter-helpers.js';
import { tid } from './tid.js';

test('redeem, pay, a manager voids at the counter: the points come back at the sandbox', async ({ counter: page, sandbox, staff }) => {
  const anna = DEMO_MEMBERS.anna; // 2500 points
  const wl = sandbox.backends.whitelabel.state;

  // The cashier cancels a sale before any points were taken: no manager, nothing sent.
  await saleWithMember(page, '12', anna.cardNumber);
  await page.locator(tid(TID.cancel)).click();
  await page.locator(tid(TID.dialogConfirm)).click();
  await expect(page.locator(tid(TID.outcome))).toHaveAttribute('data-state', 'cancelled');
  await page.locator(tid(TID.newSale)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');

  await saleWithMember(page, '30', anna.cardNumber);
  await page.locator(tid(TID.pointsInput)).fill('1000');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '2000');
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '1500000');
  // Points taken, not paid yet: cancelling is no longer the cashier's call.
  await expect(page.locator(tid(TID.cancel))).toHaveCount(0);
  await expect(page.locator(tid(TID.voidSale))).toBeEnabled();
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
  expect(wl.balances(anna.userId)[anna.userId]).toBe(1500);

  await page.locator(tid(TID.voidSale)).click();
  await expect(page.locator(tid('void-note'))).toContainText(/1[,.\u202f\u00a0 ]?000 points go back/);
  await shot(page, 'void-1-approval');
  await managerApproves(page, staff.managerId, 'customer returned everything');
  await expect(page.locator(tid(TID.outcome))).toHaveAttribute('data-state', 'voided');
  const comp = page.locator(tid(TID.compensation));
  await expect(comp).toHaveAttribute('data-milli', '1000000');
  await expect(comp).toHaveAttribute('data-state', 'done');
  await shot(page, 'void-2-done');
  expect(wl.balances(anna.userId)[anna.userId]).toBe(2500);
  expect(wl.ledger(anna.userId)).toHaveLength(2);
  await expect(page.locator(tid(TID.queueCount))).toHaveText('0');
});
