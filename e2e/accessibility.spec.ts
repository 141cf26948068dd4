/**
 * Accessibility (issue 21 item 11): axe-core on the screens a cashier and a
 * manager go through: the first start, sign-in, the counter at each step of a
 * redemption (an error, the manager's approval dialog, the outcome), the
 * counter's log, and every tab of the manager's desk (sales, log, attention,
 * queue, end of day, export, verify with its result, people, settings, go
 * live). No serious or critical
 * violation of WCAG 2.1 A/AA may be left; nothing is switched off.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID, TID } from '../renderer/src/testids.js';
import { DESK_TABS, PROGRAM_TABS } from '../renderer/src/screens/manager/desk-context.js';
import { expect, STAFF, test } from './fixtures.js';
import { identify, managerApproves, saleWithMember } from './counter-helpers.js';
import { managerSignsIn, signInWithKeypad } from './desk-helpers.js';
import { tid } from './tid.js';

// axe-core compiles its message templates with new Function, which the app's
// Content-Security-Policy (rightly) refuses: the policy is bypassed for this spec
// only; every other spec runs under it and fails on a violation.
test.use({ bypassCSP: true });

type Found = { state: string; id: string; impact: string; help: string; nodes: string[] };

/** Runs axe on the page as it is and keeps the serious and critical findings, named by the state. */
async function audit(page: Page, state: string, found: Found[], only?: string): Promise<void> {
  // Every rule of these levels runs; only the details of passes are not gathered (much faster).
  const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).options({ resultTypes: ['violations'] });
  // Where only part of the screen changed (a desk tab), that part: the rest was audited already.
  if (only) builder.include(only);
  const result = await builder.analyze();
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    found.push({ state, id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) });
  }
}

function report(found: Found[]): string {
  return found.map((f) => `[${f.state}] ${f.impact} ${f.id}: ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n');
}

test('the first start screen has no serious accessibility problem', async ({ page, terminal }) => {
  const found: Found[] = [];
  await page.goto(terminal.openUrl);
  await expect(page.locator(tid(MTID.firstStart))).toBeVisible();
  await page.locator(tid(MTID.firstSubmit)).click(); // empty: the form says what is missing
  await expect(page.locator(tid(MTID.firstError))).toBeVisible();
  await audit(page, 'first start, refused', found);
  expect(found, report(found)).toEqual([]);
});

test("a cashier's redemption and the manager's desk have no serious accessibility problem", async ({ counter: page, staff, sandbox, terminal }) => {
  test.setTimeout(300_000);
  const found: Found[] = [];
  const anna = DEMO_MEMBERS.anna;
  // Sign-in, as the shift starts.
  await page.locator(tid(MTID.signOut)).click();
  await expect(page.locator(tid(MTID.signIn))).toBeVisible();
  await audit(page, 'sign-in', found);
  await signInWithKeypad(page, staff.cashierId, STAFF.cashier.pin);
  await expect(page.locator(tid(TID.counter))).toBeVisible();

  // The member, the points and the quote.
  await saleWithMember(page, '10', anna.cardNumber);
  await page.locator(tid(TID.pointsInput)).fill('800');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '200');
  await audit(page, 'counter, quote', found);

  // Offline past the limit: the refusal with the limit named, the manager's approval, the queued redemption.
  await terminal.call('updateSettings', {
    patch: { offlineLimits: { maxPointsPerRedemptionMilli: 500_000 } },
    approval: { managerId: staff.managerId, pin: STAFF.manager.pin, reason: 'tight offline limit' },
  });
  sandbox.faults.add({ fault: 'down' });
  await identify(page, anna.cardNumber);
  await expect(page.locator(tid(TID.lastKnownAt))).toBeVisible();
  await page.locator(tid(TID.pointsInput)).fill('800');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '200');
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'OFFLINE_LIMIT');
  await audit(page, 'counter, offline limit', found);
  await page.locator(tid(TID.askManager)).click();
  await expect(page.locator(tid(MTID.approval))).toBeVisible();
  await audit(page, 'approval dialog', found);
  await managerApproves(page, staff.managerId, 'regular customer');
  await expect(page.locator(tid(TID.queuedNotice))).toHaveAttribute('data-offline-accepted', 'true');
  await page.locator(tid(TID.paid)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
  await audit(page, 'counter, paid while offline', found);
  sandbox.faults.clear();
  await expect(page.locator(tid(TID.queueCount))).toHaveText('0', { timeout: 10_000 });

  await page.locator(tid(TID.navLog)).click();
  await audit(page, 'counter log', found);
  await page.locator(tid(TID.navCounter)).click();

  // The manager's desk: every tab (each audit covers only the tab's own part of the screen);
  // the verification with its result on screen.
  await managerSignsIn(page, staff.managerId, 'log');
  for (const tab of DESK_TABS.filter((x) => PROGRAM_TABS[x] === undefined)) {
    await page.locator(tid(MTID.deskTab(tab))).click();
    await expect(page.locator(tid(MTID.deskTab(tab)))).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('.desk-body:not([hidden])')).toBeVisible();
    if (tab === 'verify') {
      await page.locator(tid(MTID.verifyRun)).click();
      await expect(page.locator(tid(MTID.verifyResult))).toHaveAttribute('data-intact', 'true');
    }
    await audit(page, `desk: ${tab}`, found, tab === 'sales' ? undefined : '.desk-body:not([hidden])');
  }
  expect(found, report(found)).toEqual([]);
});
