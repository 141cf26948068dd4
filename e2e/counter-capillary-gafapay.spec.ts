/**
 * Capillary and GafaPay at the counter (issue 8), end to end against the
 * sandbox: a Capillary redemption with three-decimal points (a fourth is
 * refused as typed) and a validation code (wrong first, then right; "send
 * again" gives the same code), and its void; a GafaPay redemption credited as
 * cashback with its transaction number, and a void that ends in "manual
 * action needed"; the member shows their GafaPay app code (an expired one is
 * refused in plain words).
 */
import type { Page } from '@playwright/test';
import { CAPILLARY_DEMO_CUSTOMERS } from '../sandbox/capillary/demo.js';
import { GAFAPAY_DEMO_USERS, gafapayAppCode } from '../sandbox/gafapay/demo.js';
import { TID } from '../renderer/src/testids.js';
import { expect, test } from './fixtures.js';
import { identify, managerApproves, saleWithMember, shot, startSale } from './counter-helpers.js';
import { controlFetch, type ControlEndpoint } from '../sandbox/control-client.js';
import { tid } from './tid.js';

async function codeReceived(sandbox: ControlEndpoint, mobile: string): Promise<string> {
  const res = await controlFetch(sandbox, 'GET', `/capillary/validation-code?mobile=${encodeURIComponent(mobile)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

async function capillaryPoints(sandbox: ControlEndpoint, customerId: number): Promise<string> {
  const res = await controlFetch(sandbox, 'GET', `/capillary/ledger?customerId=${customerId}`);
  return ((await res.json()) as { customers: { points: string }[] }).customers[0]!.points;
}

async function typePoints(page: Page, text: string): Promise<void> {
  const input = page.locator(tid(TID.pointsInput));
  await input.fill('');
  await input.pressSequentially(text, { delay: 90 }); // a person typing (a burst would read as a scanner)
}

test.describe('Capillary', () => {
  test.use({ loyalty: 'capillary' });

  test('three decimals at most, a validation code (wrong, then right), and the void gives the points back', async ({ counter: page, sandbox, staff }) => {
    const priya = CAPILLARY_DEMO_CUSTOMERS.priya; // 2500.5 points, 0.1 per point
    await saleWithMember(page, '50', priya.cardNumber);
    await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '2500500');

    // A fourth decimal is refused as it is typed.
    await typePoints(page, '100.1234');
    await expect(page.locator(tid(TID.pointsInput))).toHaveValue('100.123');
    await expect(page.locator(tid(TID.pointsTaken))).toHaveAttribute('data-milli', '100123');
    await expect(page.locator(tid(TID.discount))).toHaveAttribute('data-cents', '1001');
    await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '3999');
    // No code typed yet: the member cannot confirm.
    await expect(page.locator(tid(TID.confirm))).toBeDisabled();

    await page.locator(tid(TID.codeSend)).click();
    await expect(page.locator(tid(TID.codeSent))).toHaveAttribute('data-milli', '100123');
    const code = await codeReceived(sandbox, priya.mobile);
    // "Send again" within the validity gives the same code.
    await page.locator(tid(TID.codeSend)).click();
    await expect(page.locator(tid(TID.codeSend))).toBeEnabled();
    expect(await codeReceived(sandbox, priya.mobile)).toBe(code);

    const wrong = code === '000000' ? '111111' : '000000';
    await page.locator(tid(TID.codeInput)).fill(wrong);
    await page.locator(tid(TID.confirm)).click();
    await expect(page.locator(tid(TID.errorMessage))).toHaveAttribute('data-code', 'VALIDATION_CODE_WRONG');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'quoted');
    await expect(page.locator(tid(TID.codeInput))).toBeFocused();
    await shot(page, 'capillary-1-wrong-code');
    await page.locator(tid(TID.codeInput)).fill(code);
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '2400377');
    expect(await capillaryPoints(sandbox, priya.id)).toBe('2400.377');
    await page.locator(tid(TID.paid)).click();

    await page.locator(tid(TID.voidSale)).click();
    await managerApproves(page, staff.managerId, 'item returned');
    await expect(page.locator(tid(TID.compensation))).toHaveAttribute('data-state', 'done');
    expect(await capillaryPoints(sandbox, priya.id)).toBe('2500.5');
  });
});

test.describe('GafaPay', () => {
  test.use({ loyalty: 'gafapay' });

  test('an expired app code is refused in plain words; points become cashback with the transaction number; a void ends in "manual action needed"', async ({
    counter: page,
    sandbox,
    staff,
  }) => {
    const aisha = GAFAPAY_DEMO_USERS.aisha; // 250 points, 100 points = 1.00
    const res = await controlFetch(sandbox, 'POST', '/gafapay/app-codes', { userId: aisha.userId, ttlSec: -60 });
    const expired = ((await res.json()) as { code: string }).code;
    await startSale(page, '5');
    await identify(page, expired);
    await expect(page.locator(tid(TID.errorMessage))).toContainText('refresh their app code');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
    await identify(page, gafapayAppCode(aisha));
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
    await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '250000');
    await page.locator(tid(TID.pointsInput)).fill('150');
    // The points become wallet cashback: nothing comes off the basket, so the member is not paid twice.
    await expect(page.locator(tid(TID.quoteCashback))).toHaveAttribute('data-cents', '150');
    await expect(page.locator(tid(TID.discount))).toHaveAttribute('data-cents', '0');
    await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '500');
    await page.locator(tid(TID.confirm)).click();
    const cashback = page.locator(tid(TID.cashback));
    await expect(cashback).toHaveAttribute('data-cents', '150');
    const txn = await cashback.getAttribute('data-txn');
    expect(txn).toBeTruthy();
    await expect(cashback).toContainText(txn!);
    await shot(page, 'gafapay-1-cashback');
    await page.locator(tid(TID.paid)).click();

    await page.locator(tid(TID.voidSale)).click();
    await expect(page.locator(tid('void-note'))).toContainText('GafaPay');
    await managerApproves(page, staff.managerId, 'customer cancelled');
    const comp = page.locator(tid(TID.compensation));
    await expect(comp).toHaveAttribute('data-state', 'manual-action');
    await expect(comp).toContainText('GafaPay');
    await expect(comp).toContainText(txn!);
    await shot(page, 'gafapay-2-manual');
    await expect(page.locator(tid(TID.queueAttention))).toHaveText('1');
  });
});
