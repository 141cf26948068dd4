/**
 * The counter, end to end: the real renderer in Chromium, the real terminal
 * service behind the web host (a child process), the real sandbox backend.
 */
import { TID } from '../renderer/src/testids.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { expect, scan, test } from './fixtures.js';
import { tid } from './tid.js';

/** The basket is in and the sale exists: the counter is ready for the card. */
async function saleStarted(page: import('@playwright/test').Page): Promise<void> {
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
}

test('the happy path, typed as a scanner types: basket, scan, points, confirm, paid', async ({ counter: page, sandbox }) => {
  const anna = DEMO_MEMBERS.anna;
  await expect(page.locator(tid(TID.trainingBanner))).toBeVisible();
  await expect(page.locator(tid(TID.statusOnline))).toHaveAttribute('data-online', 'true');

  await page.locator(tid(TID.basketInput)).fill('45.60');
  await page.keyboard.press('Enter');
  await saleStarted(page);
  await scan(page, anna.cardNumber);

  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '2500000');
  await expect(page.locator(tid(TID.memberMasked))).toContainText(anna.cardNumber.slice(-4));

  await page.locator(tid(TID.pointsInput)).fill('1200');
  await expect(page.locator(tid(TID.discount))).toHaveAttribute('data-cents', '1200');
  await expect(page.locator(tid(TID.balanceNow))).toHaveAttribute('data-milli', '2500000');
  await expect(page.locator(tid(TID.pointsTaken))).toHaveAttribute('data-milli', '1200000');
  await expect(page.locator(tid(TID.balanceAfter))).toHaveAttribute('data-milli', '1300000');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '3360');

  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '1300000');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', /paid|none/);

  const events = sandbox.backends.whitelabel.state.ledger(anna.userId);
  expect(events).toHaveLength(1);
  expect(sandbox.backends.whitelabel.state.balances(anna.userId)[anna.userId]).toBe(1300);
});

test('an over-balance attempt is refused in plain words and nothing is deducted', async ({ counter: page, sandbox }) => {
  const chloe = DEMO_MEMBERS.chloe; // 300 points
  await page.locator(tid(TID.basketInput)).fill('20');
  await page.keyboard.press('Enter');
  await saleStarted(page);
  await scan(page, chloe.cardNumber);
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '300000');
  await page.locator(tid(TID.pointsInput)).fill('400');
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'POINTS_ABOVE_BALANCE');
  await expect(page.locator(tid(TID.errorMessage))).toContainText('300');
  await expect(page.locator(tid(TID.confirm))).toBeDisabled();
  expect(sandbox.backends.whitelabel.state.ledger(chloe.userId)).toHaveLength(0);
});

test('a backend failure is shown, and the sale recovers when the backend does', async ({ counter: page, sandbox }) => {
  const anna = DEMO_MEMBERS.anna;
  await page.locator(tid(TID.basketInput)).fill('10');
  await page.keyboard.press('Enter');
  await saleStarted(page);
  await scan(page, anna.cardNumber);
  await page.locator(tid(TID.pointsInput)).fill('500');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '500');
  // The backend turns the redemption away once (429: certainly not applied; a 5xx would leave it
  // in doubt until its deadline, then for a manager to decide).
  sandbox.faults.add({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'rate-limit', retryAfterSec: 1, times: 1 } as never);
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.queuedNotice))).toBeVisible();
  await expect(page.locator(tid(TID.paid))).toHaveCount(0);
  expect(sandbox.backends.whitelabel.state.ledger(anna.userId)).toHaveLength(0);
  await page.locator(tid(TID.retry)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '2000000');
  await expect(page.locator(tid(TID.paid))).toBeEnabled();
  expect(sandbox.backends.whitelabel.state.ledger(anna.userId)).toHaveLength(1);
});

test('a scan while the basket field has focus identifies the member and leaves the field unchanged', async ({ counter: page }) => {
  const bram = DEMO_MEMBERS.bram;
  const basket = page.locator(tid(TID.basketInput));
  await basket.fill('12.50');
  await basket.focus();
  await scan(page, bram.cardNumber);
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '12000000');
  await expect(basket).toHaveValue('12.50');
});
