/**
 * Shared steps of the counter's end-to-end specs (e2e/counter-*.spec.ts):
 * start a sale, let the manager approve on the shared approval dialog, and
 * screenshots for a look at the screens (SHOTS=dir).
 */
import type { Page } from '@playwright/test';
import { MTID, TID } from '../renderer/src/testids.js';
import { expect, scan, STAFF } from './fixtures.js';
import { tid } from './tid.js';

/** Types the basket total, then waits until the sale exists (the counter is ready for the card). */
export async function startSale(page: Page, basket: string): Promise<void> {
  await page.locator(tid(TID.basketInput)).fill(basket);
  await page.keyboard.press('Enter');
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
}

/**
 * Identifies the member on the sale on screen: typed into the member field and
 * Enter (deterministic on a loaded machine), or scanned as a USB scanner types
 * (the wedge judges its timing: used where the scan itself is the subject).
 */
export async function identify(page: Page, code: string, how: 'type' | 'scan' = 'type'): Promise<void> {
  if (how === 'scan') {
    await scan(page, code);
    return;
  }
  const field = page.locator(tid(TID.memberInput));
  await field.fill(code);
  await field.press('Enter');
}

/** Starts a sale and identifies the member; waits for the member card (or says what the screen said instead). */
export async function saleWithMember(page: Page, basket: string, code: string, how: 'type' | 'scan' = 'type'): Promise<void> {
  await startSale(page, basket);
  await identify(page, code, how);
  try {
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
  } catch (e) {
    const shown = await page.locator(tid(TID.errorMessage)).allTextContents();
    throw new Error(`${(e as Error).message}\nOn screen: ${shown.join(' | ') || '(no message)'}`);
  }
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
