/**
 * Shared steps of the counter's end-to-end specs (e2e/counter-*.spec.ts):
 * start a sale, let the manager approve on the shared approval dialog, and
 * screenshots for a look at the screens (SHOTS=dir).
 */
import type { Page } from '@playwright/test';
import { MTID, TID } from '../renderer/src/testids.js';
import { expect, scan, STAFF } from './fixtures.js';

export const tid = (id: string) => `[data-testid="${id}"]`;

/** Types the basket total, then waits until the sale exists (the counter is ready for the card). */
export async function startSale(page: Page, basket: string): Promise<void> {
  await page.locator(tid(TID.basketInput)).fill(basket);
  await page.keyboard.press('Enter');
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
}

/** Starts a sale and scans the member's card as a USB scanner would; waits for the member card. */
export async function saleWithMember(page: Page, basket: string, code: string): Promise<void> {
  await startSale(page, basket);
  await scan(page, code);
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
}

/** The shared approval dialog: the manager (preselected when alone), their PIN, why; approve; the dialog closes. */
export async function managerApproves(page: Page, managerId: string, reason: string): Promise<void> {
  const dialog = page.locator(tid(MTID.approval));
  await expect(dialog).toBeVisible();
  const chip = dialog.locator(`${tid(MTID.approvalManager)}[data-person-id="${managerId}"]`);
  if ((await chip.getAttribute('aria-pressed')) !== 'true') await chip.click();
  await dialog.locator(tid(MTID.approvalPin)).fill(STAFF.manager.pin);
  await dialog.locator(tid(MTID.approvalReason)).fill(reason);
  await dialog.locator(tid(MTID.approvalSubmit)).click();
  await expect(dialog).toHaveCount(0);
}

/** A screenshot of what the cashier sees (the viewport) into $SHOTS, when set. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.SHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
}
