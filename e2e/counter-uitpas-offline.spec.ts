/**
 * UiTPAS offline (issue 21 item 9), end to end against the sandbox's UiTPAS:
 * the passholder's last known points and reward catalogue carry the counter
 * through an outage (the catalogue marked as last seen), a reward confirmed
 * offline needs a manager (the program's own reward rules cannot be checked)
 * and is sent once when UiTPAS is back. When only posting fails (a 503 on
 * POST while reads work), the status bar says so instead of "Online" next to
 * the offline limit, and says "Online" again once a redemption gets through.
 */
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../sandbox/uitpas/demo-data.js';
import { TID } from '../renderer/src/testids.js';
import { expect, test } from './fixtures.js';
import { identify, managerApproves, saleWithMember, shot, startSale } from './counter-helpers.js';
import { tid } from './tid.js';

test.use({ loyalty: 'uitpas' });

const option = (id: string) => `${tid(TID.rewardOption)}[data-reward-id="${id}"]`;

test('UiTPAS offline: last catalogue and points, a manager approves, sent once when back; posting-only failure is not "Online"', async ({
  counter: page,
  sandbox,
  staff,
}) => {
  const fatima = UITPAS_DEMO_PASSHOLDERS.fatima; // 25 points
  const jan = UITPAS_DEMO_PASSHOLDERS.jan; // 120 points
  const lotte = UITPAS_DEMO_PASSHOLDERS.lotte; // 40 points
  const coffee = UITPAS_DEMO_REWARDS.coffee; // 10 points, 2.50 off here
  const ui = sandbox.backends.uitpas.state;
  const status = page.locator(tid(TID.statusOnline));

  // Online: the catalogue comes from UiTPAS (and the terminal keeps it); the cashier cancels.
  await saleWithMember(page, '12', fatima.uitpasNumber);
  await expect(page.locator(option(coffee.id))).toHaveAttribute('data-redeemable', 'true');
  await expect(page.locator(tid(TID.rewardsLastKnown))).toHaveCount(0);
  await page.locator(tid(TID.cancel)).click();
  await page.locator(tid(TID.dialogConfirm)).click();
  await page.locator(tid(TID.newSale)).click();

  // UiTPAS goes down: the last known points and catalogue, marked as such; the coffee can still be chosen.
  sandbox.faults.add({ backend: 'uitpas', fault: 'down' });
  await startSale(page, '12');
  await identify(page, fatima.uitpasNumber);
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
  await expect(status).toHaveAttribute('data-online', 'false');
  await expect(page.locator(tid(TID.lastKnownAt))).toBeVisible();
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '25000');
  await expect(page.locator(tid(TID.rewardsLastKnown))).toBeVisible();
  // Judged again here: the exhibition (100 points) stays out of reach.
  await expect(page.locator(option(UITPAS_DEMO_REWARDS.exhibition.id))).toHaveAttribute('data-redeemable', 'false');
  await page.locator(option(coffee.id)).click();
  await expect(page.locator(tid(TID.balanceAfter))).toHaveAttribute('data-milli', '15000');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '950');
  await shot(page, 'uitpas-offline-1-quote');
  // Offline, the reward's own rules (per-member volume, card systems) cannot be checked: a manager decides.
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'OFFLINE_LIMIT');
  await expect(page.locator(`${tid(TID.offlineBreach)}[data-limit="rewardRules"]`)).toBeVisible();
  await page.locator(tid(TID.askManager)).click();
  await managerApproves(page, staff.managerId, 'passholder known, UiTPAS down');
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'true');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
  expect(ui.ledger(fatima.uitpasNumber)).toHaveLength(0);

  // UiTPAS is back: the redemption is sent once.
  sandbox.faults.clear();
  await expect(status).toHaveAttribute('data-online', 'true', { timeout: 10_000 });
  await expect(page.locator(tid(TID.queueCount))).toHaveText('0', { timeout: 10_000 });
  expect(ui.ledger(fatima.uitpasNumber)).toHaveLength(1);
  expect(ui.balances(fatima.uitpasNumber)[fatima.uitpasNumber]).toBe(15);

  // Only posting fails: reads work (the catalogue is fresh), every redemption gets a 503.
  const postFault = sandbox.faults.add({ backend: 'uitpas', method: 'POST', path: '/rewards/redeemed', fault: 'status', status: 503 });
  await saleWithMember(page, '20', jan.uitpasNumber);
  await expect(page.locator(tid(TID.rewardsLastKnown))).toHaveCount(0);
  await page.locator(option(coffee.id)).click();
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'false');
  await expect(status).toHaveAttribute('data-sending', 'failing');
  await page.locator(tid(TID.acceptOffline)).click();
  await expect(page.locator(`${tid(TID.offlineBreach)}[data-limit="rewardRules"]`)).toBeVisible();
  // The status bar beside "Offline limit reached" does not claim all is well.
  await expect(status).not.toHaveText(/^\s*Online\s*$/);
  await expect(status).toContainText('not going through');
  await shot(page, 'uitpas-offline-2-posting-fails');
  await page.locator(tid(TID.askManager)).click();
  await managerApproves(page, staff.managerId, 'UiTPAS refuses posts, reads work');
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'true');
  await page.locator(tid(TID.paid)).click();
  expect(ui.ledger(jan.uitpasNumber)).toHaveLength(0);

  // Posts get through again: the next passholder's redemption is taken and the bar says "Online".
  sandbox.faults.remove(postFault.id);
  await saleWithMember(page, '20', lotte.uitpasNumber);
  await page.locator(option(coffee.id)).click();
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '30000');
  await expect(status).toHaveAttribute('data-sending', 'ok');
  await expect(status).toHaveText(/Online/);
});
