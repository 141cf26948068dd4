/**
 * Offline mid-shift (issue 3), end to end: the backend goes down; the cashier
 * sees "offline" and the last known balance with when it was read; redeems
 * within the limits (queued, payment allowed); is refused past a limit and a
 * manager overrides once; the backend comes back, the queue drains to zero on
 * screen and the sandbox's ledger holds both redemptions exactly once.
 */
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { TID } from '../renderer/src/testids.js';
import { expect, STAFF, test } from './fixtures.js';
import { identify, managerApproves, saleWithMember, shot, startSale } from './counter-helpers.js';
import { tid } from './tid.js';

test('offline: last known balance, queued within limits, refused past one, a manager overrides, the queue drains', async ({
  counter: page,
  sandbox,
  terminal,
  staff,
}) => {
  const anna = DEMO_MEMBERS.anna; // 2500 points
  const wl = sandbox.backends.whitelabel.state;
  // The manager's offline limit: one redemption takes at most 500 points while offline.
  await terminal.call('updateSettings', {
    patch: { offlineLimits: { maxPointsPerRedemptionMilli: 500_000 } },
    approval: { managerId: staff.managerId, pin: STAFF.manager.pin, reason: 'tight offline limit' },
  });

  // Seen while online: the terminal remembers the balance.
  await saleWithMember(page, '10', anna.cardNumber);
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '2500000');
  await expect(page.locator(tid(TID.statusOnline))).toHaveAttribute('data-online', 'true');

  // The backend goes down: the next look-up serves the last known balance, and the bar says offline.
  sandbox.faults.add({ fault: 'down' });
  await identify(page, anna.cardNumber);
  await expect(page.locator(tid(TID.statusOnline))).toHaveAttribute('data-online', 'false');
  await expect(page.locator(tid(TID.lastKnownAt))).toBeVisible();
  await page.locator(tid(TID.pointsInput)).fill('300');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '700');
  await shot(page, 'offline-1-last-known');
  await page.locator(tid(TID.confirm)).click();
  const queued = page.locator(tid(TID.queuedNotice));
  await expect(queued).toHaveAttribute('data-offline-accepted', 'true');
  await expect(page.locator(tid(TID.queueCount))).toHaveText('1');
  await shot(page, 'offline-2-queued');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');

  // Past the limit: refused with the limit named; a manager overrides.
  await startSale(page, '20');
  await identify(page, anna.cardNumber);
  await expect(page.locator(tid(TID.memberQueued))).toHaveAttribute('data-milli', '300000');
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '2200000');
  await page.locator(tid(TID.pointsInput)).fill('800');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '1200');
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'OFFLINE_LIMIT');
  await expect(page.locator(`${tid(TID.offlineBreach)}[data-limit="perRedemption"]`)).toContainText('500');
  await shot(page, 'offline-3-limit');
  await page.locator(tid(TID.askManager)).click();
  await shot(page, 'offline-4-approval');
  await managerApproves(page, staff.managerId, 'regular customer, card checked');
  await expect(queued).toHaveAttribute('data-offline-accepted', 'true');
  await expect(page.locator(tid(TID.queueCount))).toHaveText('2');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
  expect(wl.ledger(anna.userId)).toHaveLength(0);

  // The backend comes back: online again, the queue drains to zero on screen, nothing twice.
  sandbox.faults.clear();
  await expect(page.locator(tid(TID.statusOnline))).toHaveAttribute('data-online', 'true', { timeout: 10_000 });
  await expect(page.locator(tid(TID.queueCount))).toHaveText('0', { timeout: 10_000 });
  await shot(page, 'offline-5-drained');
  expect(wl.ledger(anna.userId)).toHaveLength(2);
  expect(wl.balances(anna.userId)[anna.userId]).toBe(2500 - 300 - 800);
  // The override is in the log with who approved it.
  const { entries } = await terminal.call<{ entries: { kind: string; detail: Record<string, unknown> | null }[] }>('listLog', { limit: 100 });
  const override = entries.find((e) => e.kind === 'offline.override');
  expect(override?.detail?.managerId).toBe(staff.managerId);
});

test('the program stops answering after confirm: continue offline (a manager past the limit), then it drains', async ({
  counter: page,
  sandbox,
  terminal,
  staff,
}) => {
  const bram = DEMO_MEMBERS.bram; // 12000 points
  const wl = sandbox.backends.whitelabel.state;
  await terminal.call('updateSettings', {
    patch: { offlineLimits: { maxPointsPerRedemptionMilli: 500_000 } },
    approval: { managerId: staff.managerId, pin: STAFF.manager.pin, reason: 'tight offline limit' },
  });
  await saleWithMember(page, '40', bram.cardNumber);
  await page.locator(tid(TID.pointsInput)).fill('800');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '3200');
  // The redemption reaches a backend that keeps turning it away (429: certainly not applied, so
  // nothing is in doubt; a 5xx would wait for its deadline and a manager's decision).
  sandbox.faults.add({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'rate-limit', retryAfterSec: 1 });
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'false');
  await expect(page.locator(tid(TID.paid))).toHaveCount(0);
  await expect(page.locator(tid(TID.retry))).toBeVisible();
  await expect(page.locator(tid(TID.outcomeCancel))).toBeVisible();
  await shot(page, 'offline-6-waiting');
  // Continue offline: past the manager's limit, so refused with the limit named; a manager approves.
  await page.locator(tid(TID.acceptOffline)).click();
  await expect(page.locator(`${tid(TID.offlineBreach)}[data-limit="perRedemption"]`)).toBeVisible();
  await page.locator(tid(TID.askManager)).click();
  await managerApproves(page, staff.managerId, 'customer cannot wait');
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'true');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
  expect(wl.ledger(bram.userId)).toHaveLength(0);
  // The program answers again: the redemption is sent once.
  sandbox.faults.clear();
  // A busy program is not offline, so no "back online" kick: the next attempt comes at its
  // backoff, which is capped at a minute.
  await expect(page.locator(tid(TID.queueCount))).toHaveText('0', { timeout: 65_000 });
  expect(wl.ledger(bram.userId)).toHaveLength(1);
  expect(wl.balances(bram.userId)[bram.userId]).toBe(12000 - 800);
});
