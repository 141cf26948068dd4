/**
 * The manager's people and settings panels say what is wrong next to the
 * field (issue 22, items 4 and 5): a blank name or a short PIN, settings that
 * cannot work together, a name longer than allowed (refused, not cut);
 * switching a person off asks first; new names show at once.
 */
import { MTID, TID } from '../renderer/src/testids.js';
import { UPDATES_TID } from '../renderer/src/screens/manager/UpdatesSettings.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, STAFF, test } from './fixtures.js';
import { tid } from './tid.js';

test('people and settings: problems next to the field, a question before switching off, names at once', async ({ counter: page, terminal, staff }) => {
  test.setTimeout(90_000);
  await managerSignsIn(page, staff.managerId, 'people');

  // A blank name and a 2-digit PIN: each said beside its field, nothing at the top of the panel.
  await page.locator(tid(MTID.personPin)).fill('12');
  await page.locator(tid(MTID.personAdd)).click();
  const nameProblem = page.locator(tid(MTID.personProblem('name')));
  const pinProblem = page.locator(tid(MTID.personProblem('pin')));
  await expect(nameProblem).toHaveText('Type the person’s name.');
  await expect(pinProblem).toHaveText('A PIN is 4 to 8 digits.');
  await expect(page.locator(`label:has(${tid(MTID.personName)}) ${tid(MTID.personProblem('name'))}`)).toBeVisible();
  await expect(page.locator(`label:has(${tid(MTID.personPin)}) ${tid(MTID.personProblem('pin'))}`)).toBeVisible();
  await expect(page.locator(tid(MTID.desk))).not.toContainText('Something went wrong');
  await expect(page.locator(tid(MTID.personRow))).toHaveCount(2);

  // Switching the cashier off asks first; "cancel" keeps them on.
  const cashier = page.locator(`${tid(MTID.personRow)}[data-person-id="${staff.cashierId}"]`);
  await cashier.locator(tid(MTID.personToggle)).click();
  const confirm = page.locator(tid(MTID.personConfirmOff));
  await expect(confirm).toContainText(`Switch ${STAFF.cashier.name} off?`);
  await page.locator(tid(MTID.personConfirmOffNo)).click();
  await expect(confirm).toHaveCount(0);
  await expect(cashier).toHaveAttribute('data-active', 'true');
  await cashier.locator(tid(MTID.personToggle)).click();
  await page.locator(tid(MTID.personConfirmOffYes)).click();
  await expect(cashier).toHaveAttribute('data-active', 'false');

  // Settings that cannot work together are refused next to the field, with the reason.
  await page.locator(tid(MTID.deskTab('settings'))).click();
  const field = (k: string) => page.locator(tid(MTID.settingsField(k)));
  const problemOf = (k: string) => page.locator(`label:has(${tid(MTID.settingsField(k))}) .field-problem`);
  await field('maxPointsPerRedemption').fill('600');
  await field('maxPointsPerMember').fill('500');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(problemOf('maxPointsPerRedemption')).toContainText('cannot take more than one member may have queued');
  await field('maxPointsPerRedemption').fill('12.5');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(problemOf('maxPointsPerRedemption')).toContainText('0 decimals');
  await field('maxPointsPerRedemption').fill('400');
  await field('maxBalanceAgeMinutes').fill('0');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(problemOf('maxBalanceAgeMinutes')).toContainText('at least 1 minute');
  await field('maxBalanceAgeMinutes').fill('60');
  await field('logRetentionDays').fill('10'); // log retention: at least 30 days
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(problemOf('logRetentionDays')).toContainText('from 30 to 36500');
  await field('logRetentionDays').fill('400');
  const long = 'Pay with Points, the shop on the corner of the market square 1';
  expect(long.length).toBeGreaterThan(60);
  await field('storeName').fill(long);
  await expect(field('storeName')).toHaveValue(long); // not cut while typing
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(problemOf('storeName')).toContainText(`at most 60 characters (${long.length} typed)`);
  // The service refuses the same, with the reason, whatever the screen lets through.
  const approval = { managerId: staff.managerId, pin: STAFF.manager.pin, reason: 'test' };
  await expect(terminal.call('updateSettings', { patch: { storeName: long }, approval })).rejects.toThrow(/at most 60/);
  await expect(terminal.call('updateSettings', { patch: { offlineLimits: { maxPointsPerRedemptionMilli: 12_500 } }, approval })).rejects.toThrow(
    /whole points/,
  );
  await expect(terminal.call('updateSettings', { patch: { offlineLimits: { maxBalanceAgeMinutes: 0 } }, approval })).rejects.toThrow(/at least 1 minute/);

  // New names show at once: no restart. The log level too (the runtime test reads the log file).
  await field('storeName').fill('Corner Shop');
  await field('terminalName').fill('Till 2');
  await field('logLevel').selectOption('debug');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(page.locator(tid(TID.storeName))).toHaveText('Corner Shop');
  await expect(page.locator(tid(TID.terminalName))).toHaveText('Till 2');
  const saved = await terminal.call<{
    storeName: string;
    terminalName: string;
    offlineLimits: { maxPointsPerRedemptionMilli: number; maxBalanceAgeMinutes: number };
    logLevel: string;
    logRetentionDays: number | null;
  }>('getSettings');
  expect(saved).toMatchObject({
    logLevel: 'debug',
    logRetentionDays: 400,
    storeName: 'Corner Shop',
    terminalName: 'Till 2',
    offlineLimits: { maxPointsPerRedemptionMilli: 400_000, maxBalanceAgeMinutes: 60 },
  });

  // Updates and crash reports (issue 17): an update server over http is refused with the reason, an https one is
  // saved; a manager's postponement is saved (and so logged with who). The web host has no updater: it says so.
  const updates = (id: string) => page.locator(tid(id));
  await updates(UPDATES_TID.updateUrl).fill('http://updates.chain.example/pwp/');
  await updates(UPDATES_TID.save).click();
  await expect(updates(UPDATES_TID.problem)).toContainText('must start with https://');
  await updates(UPDATES_TID.updateUrl).fill('https://updates.chain.example/pwp/');
  await updates(UPDATES_TID.save).click();
  await expect(updates(UPDATES_TID.problem)).toHaveCount(0);
  await expect(updates(UPDATES_TID.state)).toHaveText('Updates are checked by the installed app only.');
  await updates(UPDATES_TID.postponeWeek).click();
  await expect(updates(UPDATES_TID.postponed)).toContainText('Updates are postponed until');
  const later = await terminal.call<{ updateUrl: string | null; updatesPostponedUntil: string | null }>('getSettings');
  expect(later.updateUrl).toBe('https://updates.chain.example/pwp/');
  expect(Date.parse(later.updatesPostponedUntil ?? '') - Date.now()).toBeGreaterThan(6 * 86_400_000);
});
