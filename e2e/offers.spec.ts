/**
 * Card-linked offers on Pentadata, end to end: the real renderer in Chromium,
 * the real terminal service behind the web host (a child process) and the
 * sandbox's Pentadata emulator and control API. One scenario, as a store
 * would live it:
 *  - a manager creates the store's offer (the cashier is signed in: the
 *    manager approves with their PIN); a customer is created; a card outside
 *    the test range is refused in plain words and the fields are emptied; a
 *    test card is enrolled through the emulator and linked to the offer; the
 *    page never holds the full card number or the security code afterwards;
 *  - the manager switches the alert receiver on: a purchase's alert arrives;
 *    an alert with a wrong Pentadata-Key is refused (counted, not stored);
 *    an alert Pentadata never delivered is recovered by the catch-up
 *    ("Check now"), and nothing is stored twice.
 *
 * The receiver listens on its default port (4780, loopback).
 */
import type { Page } from '@playwright/test';
import { createPentadataControl } from '../sandbox/cardlinked/control-client.js';
import { DEMO_TEST_CARDS } from '../sandbox/cardlinked/demo.js';
import { OFFERS_TID as O } from '../renderer/src/screens/offers/testids.js';
import { MTID } from '../renderer/src/testids.js';
import { expect, STAFF, test } from './fixtures.js';
import { tid } from './tid.js';

const expYear = String((new Date().getFullYear() + 3) % 100).padStart(2, '0');
const CVV = '9731';

/** Any spacing a screen might put between the digits (spaces, no-break spaces, dashes, bullets). */
function digitsPattern(number: string): RegExp {
  return new RegExp(number.replace(/\D/g, '').split('').join('[\\s\\u00a0\\u202f\\-\\u2022]*'));
}

/** The page holds these digits nowhere a person or a script could read them back. */
async function expectNowhere(page: Page, digits: string): Promise<void> {
  const re = digitsPattern(digits);
  const html = await page.content();
  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    values: [...document.querySelectorAll('input, textarea, select')].map((e) => (e as HTMLInputElement).value).join('|'),
    storage: JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage } }),
  }));
  for (const [where, value] of Object.entries({ html, ...seen })) expect(value, where).not.toMatch(re);
}

async function approveAsManager(page: Page): Promise<void> {
  const approval = page.locator(tid(MTID.approval));
  await expect(approval).toBeVisible();
  await expect(page.locator(tid(MTID.approvalPin))).toBeFocused();
  await page.keyboard.type(STAFF.manager.pin);
  await page.keyboard.press('Enter');
  await expect(approval).toHaveCount(0);
}

async function typeCard(page: Page, number: string): Promise<void> {
  await page.locator(tid(O.cardNumber)).fill(number);
  await page.locator(tid(O.cardExpMonth)).fill('11');
  await page.locator(tid(O.cardExpYear)).fill(expYear);
  await page.locator(tid(O.cardCvv)).fill(CVV);
  await page.locator(tid(O.cardPostalCode)).fill('3000');
  await page.locator(tid(O.cardTerms)).check();
  await page.locator(tid(O.cardEnrol)).click();
}

test('Pentadata: create an offer, enrol a card, receive its alert, refuse a wrong key, recover a missed alert', async ({ counter: page, sandbox }) => {
  const control = createPentadataControl(sandbox);
  await page.locator(tid(O.nav)).click();
  await expect(page.locator(tid(O.screen))).toBeVisible();

  // 1. The store's offer, created with Pentadata by a manager.
  await page.locator(tid(O.offerNew)).click();
  await page.locator(tid(O.offerName)).fill('10% off when you pay with points');
  await page.locator(tid(O.offerDescription)).fill('Pay with your enrolled card\nValid in this store');
  await page.locator(tid(O.offerCreate)).click();
  await approveAsManager(page);
  const offer = page.locator(tid(O.offerOption));
  await expect(offer).toHaveCount(1);
  await expect(offer).toContainText('10% off when you pay with points');
  await expect(offer).toContainText('Valid in this store');
  await expect(offer).toHaveAttribute('aria-pressed', 'true');

  // 2. The customer: not found by e-mail, so created with first and last name.
  await page.locator(tid(O.customerEmail)).fill('ada.peeters@example.be');
  await page.locator(tid(O.customerFind)).click();
  await expect(page.locator(tid(O.customerNotFound))).toBeVisible();
  await expect(page.locator(tid(O.customerFirstName))).toBeFocused();
  await page.locator(tid(O.customerFirstName)).fill('Ada');
  await page.locator(tid(O.customerLastName)).fill('Peeters');
  await page.locator(tid(O.customerCreate)).click();
  await expect(page.locator(tid(O.customerChosen))).toContainText('Ada Peeters');
  await expect(page.locator(tid(O.customerChosen))).toContainText('a•••@example.be');

  // 3. A card outside the test range: Pentadata refuses it, in plain words; both secret fields are emptied.
  await typeCard(page, DEMO_TEST_CARDS.notTest);
  const refusal = page.locator(`${tid(O.cardForm)} ${tid(O.errorMessage)}`);
  await expect(refusal).toHaveAttribute('data-code', 'INVALID_INPUT');
  await expect(page.locator(tid(O.cardNumber))).toHaveValue('');
  await expect(page.locator(tid(O.cardCvv))).toHaveValue('');
  // The test card: enrolled and linked.
  await typeCard(page, '4444 0000 0000 4001');
  const enrolled = page.locator(tid(O.enrolled));
  await expect(enrolled).toHaveAttribute('data-last4', '4001');
  await expect(enrolled).toHaveAttribute('data-scheme', 'visa');
  await expect(enrolled).toContainText('Visa •••• 4001');
  const cardId = Number(await enrolled.getAttribute('data-card-id'));
  expect(cardId).toBeGreaterThan(0);
  await expect(page.locator(`${tid(O.cardLink)}[data-card-id="${cardId}"]`)).toBeVisible();
  await expectNowhere(page, DEMO_TEST_CARDS.visa);
  await expectNowhere(page, DEMO_TEST_CARDS.notTest);
  await expectNowhere(page, CVV);
  // Pentadata got the card once, and kept neither number nor code.
  const requests = await control.cardRequests();
  expect(requests.length).toBeGreaterThanOrEqual(1);
  for (const r of requests) expect(r).not.toHaveProperty('pan');

  // 4. The alerts: off until a manager switches the receiver on.
  await page.locator(tid(O.tabNotices)).click();
  const receiver = page.locator(tid(O.receiver));
  await expect(receiver).toHaveAttribute('data-enabled', 'false');
  await page.locator(tid(O.receiverSwitch)).click();
  await approveAsManager(page);
  await expect(receiver).toHaveAttribute('data-listening', 'true');

  // A purchase: Pentadata's alert (with the right Pentadata-Key) arrives.
  const bought = await control.purchase({ cardId, amountCents: 2350 });
  await page.locator(tid(O.noticesRefresh)).click();
  const boughtRow = page.locator(`${tid(O.noticeRow)}[data-transaction-id="${bought.id}"]`);
  await expect(boughtRow).toHaveAttribute('data-cents', '2350');
  await expect(boughtRow).toContainText('10% off when you pay with points');
  await expect(boughtRow).toContainText('Visa •••• 4001');

  // An alert with a wrong Pentadata-Key: refused and counted, not stored.
  const forged = await control.purchase({ cardId, amountCents: 999, key: 'not-the-alert-token' });
  // A purchase whose alert never arrives (Pentadata does not retry).
  const missed = await control.purchase({ cardId, amountCents: 1250, deliver: false });
  await page.locator(tid(O.noticesRefresh)).click();
  await expect(page.locator(`${tid(O.refusal)}[data-reason="bad-key"]`)).toHaveAttribute('data-count', '1');
  await expect(page.locator(tid(O.noticeRow))).toHaveCount(1);

  // The catch-up reads the card's transactions back: both come in, the first is not stored twice.
  await page.locator(tid(O.catchUpNow)).click();
  await expect(page.locator(tid(O.catchUpLast))).toHaveAttribute('data-recovered', '2');
  await expect(page.locator(`${tid(O.noticeRow)}[data-transaction-id="${missed.id}"]`)).toHaveAttribute('data-cents', '1250');
  await expect(page.locator(`${tid(O.noticeRow)}[data-transaction-id="${forged.id}"]`)).toHaveAttribute('data-cents', '999');
  await expect(page.locator(tid(O.noticeRow))).toHaveCount(3);
  await expect(page.locator(tid(O.totalPurchases))).toHaveAttribute('data-cents', String(2350 + 999 + 1250));
  await page.locator(tid(O.catchUpNow)).click();
  await expect(page.locator(tid(O.catchUpLast))).toHaveAttribute('data-recovered', '0');
  await expect(page.locator(tid(O.noticeRow))).toHaveCount(3);
});
