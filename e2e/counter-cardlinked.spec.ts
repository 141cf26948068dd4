/**
 * A card-linked program has no points balance at the counter: the counter says
 * so and offers the way to the Offers screen, instead of the member and points steps.
 */
import { TID } from '../renderer/src/testids.js';
import { expect, test } from './fixtures.js';
import { shot } from './counter-helpers.js';
import { tid } from './tid.js';

test.use({ loyalty: 'cardlinked' });

test('card-linked: no balance pretended, a short explanation and the way to Offers', async ({ counter: page }) => {
  await expect(page.locator(tid(TID.cardLinked))).toBeVisible();
  await expect(page.locator(tid(TID.openOffers))).toBeEnabled();
  await expect(page.locator(tid(TID.memberInput))).toHaveCount(0);
  await expect(page.locator(tid(TID.pointsInput))).toHaveCount(0);
  await expect(page.locator(tid(TID.balance))).toHaveCount(0);
  await shot(page, 'cardlinked');
  await page.locator(tid(TID.openOffers)).click();
  await expect(page.locator(tid(TID.navOffers))).toHaveAttribute('aria-pressed', 'true');
});
