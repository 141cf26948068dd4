/** Signing people in on the screens, as the manager's desk specs and others need it. */
import type { Page } from '@playwright/test';
import { MTID } from '../renderer/src/testids.js';
import { expect, STAFF } from './fixtures.js';
import { tid } from './tid.js';

/** Signs a person in on the sign-in screen (or the desk's manager gate): tap the name, tap the PIN, sign in. */
export async function signInWithKeypad(scope: ReturnType<Page['locator']> | Page, personId: string, pin: string): Promise<void> {
  await scope.locator(`${tid(MTID.signInPerson)}[data-person-id="${personId}"]`).click();
  for (const digit of pin) await scope.locator(tid(MTID.pinKey(digit))).click();
  await scope.locator(tid(MTID.pinSubmit)).click();
}

/** The manager takes over the terminal from the desk's gate (a cashier is signed in) and opens `tab`. */
export async function managerSignsIn(page: Page, managerId: string, tab: string): Promise<void> {
  await page.locator(tid(MTID.navDesk)).click();
  await page.locator(tid(MTID.deskTab(tab))).click();
  const gate = page.locator(tid(MTID.managerGate));
  await expect(gate).toBeVisible();
  await signInWithKeypad(gate, managerId, STAFF.manager.pin);
  await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-role', 'manager');
}
