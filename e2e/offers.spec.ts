/**
 * Card-linked offers, end to end: the real renderer in Chromium, the real
 * terminal service behind the web host (a child process) and the real sandbox
 * (its card-linked platform and control API).
 *
 *  - enrol a test card in a live offer at the counter, switch the notice
 *    receiver on with a manager's approval, simulate a purchase and a refund
 *    at the sandbox: the notices appear in the notices view, the refund linked
 *    to its purchase, the figures add up; the page never holds the full card
 *    number (HTML, visible text, field values, storage) after enrolment;
 *  - a customer's cards and their offers, found by e-mail, and unlinking one;
 *  - a card number outside the platform's test range is refused in plain
 *    words, and the field is emptied all the same;
 *  - a wrong manager PIN leaves the receiver off.
 *
 * The receiver listens on its default port (4780, loopback): only one test
 * here switches it on.
 */
import type { Page } from '@playwright/test';
import { createCardLinkedControl } from '../sandbox/cardlinked/control-client.js';
import { DEMO_OFFERS, DEMO_TEST_CARDS } from '../sandbox/cardlinked/demo.js';
import { OFFERS_TID as O } from '../renderer/src/screens/offers/testids.js';
import { MTID } from '../renderer/src/testids.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, STAFF, test } from './fixtures.js';

const tid = (id: string) => `[data-testid="${id}"]`;
const expYear = String((new Date().getFullYear() + 3) % 100).padStart(2, '0');

/** Any spacing a screen might put between the digits (spaces, no-break spaces, dashes, bullets). */
function cardPattern(number: string): RegExp {
  return new RegExp(number.replace(/\D/g, '').split('').join('[\\s\\u00a0\\u202f\\-\\u2022]*'));
}

/** Everything of the page a person or a script could read back, by where it was read. */
async function readablePage(page: Page): Promise<Record<string, string>> {
  const html = await page.content();
  const seen = await page.evaluate(() => ({
    text: document.body.innerText,
    values: [...document.querySelectorAll('input, textarea, select')].map((e) => (e as HTMLInputElement).value).join('|'),
    attributes: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.value)).join('|'),
    storage: JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage } }),
    title: document.title,
    url: location.href,
  }));
  return { html, ...seen };
}

/** The page holds the number nowhere a person or a script could read it back. */
async function expectNoCardNumber(page: Page, number: string): Promise<void> {
  const re = cardPattern(number);
  for (const [where, value] of Object.entries(await readablePage(page))) expect(value, where).not.toMatch(re);
}

async function openOffers(page: Page): Promise<void> {
  await page.locator(tid(O.nav)).click();
  await expect(page.locator(tid(O.screen))).toBeVisible();
  await expect(page.locator(tid(O.offerOption)).first()).toBeVisible();
}

/** Step 2 by e-mail: not found, so the name is asked and the customer created. */
async function newCustomer(page: Page, name: string, email: string): Promise<void> {
  await page.locator(tid(O.customerEmail)).fill(email);
  await page.locator(tid(O.customerFind)).click();
  await expect(page.locator(tid(O.customerNotFound))).toBeVisible();
  await expect(page.locator(tid(O.customerName))).toBeFocused();
  await page.locator(tid(O.customerName)).fill(name);
  await page.locator(tid(O.customerCreate)).click();
  await expect(page.locator(tid(O.customerChosen))).toContainText(name);
}

async function typeCard(page: Page, number: string): Promise<void> {
  await page.locator(tid(O.cardNumber)).fill(number);
  await page.locator(tid(O.cardExpMonth)).fill('11');
  await page.locator(tid(O.cardExpYear)).fill(expYear);
  await page.locator(tid(O.cardTerms)).check();
  await page.locator(tid(O.cardEnrol)).click();
}

test('enrol a test card at the counter; its purchase and refund arrive as notices in the notices view', async ({ counter: page, sandbox, staff }) => {
  const control = createCardLinkedControl(sandbox);
  const number = '4444 0000 0000 4001';
  expect(number.replace(/ /g, '')).toBe(DEMO_TEST_CARDS.visa);

  await openOffers(page);
  // 1. the offer, with what the customer needs to know
  const offer = page.locator(`${tid(O.offerOption)}[data-offer-id="${DEMO_OFFERS.tenPercent.id}"]`);
  await expect(offer).toContainText('10%');
  await expect(offer).toContainText(DEMO_OFFERS.tenPercent.additionalTerms);
  await expect(offer).toContainText('Every day');
  await offer.click();
  await expect(offer).toHaveAttribute('aria-pressed', 'true');
  // 2. the customer
  await newCustomer(page, 'Ada Peeters', 'ada.peeters@example.be');
  await expect(page.locator(tid(O.customerChosen))).toContainText('a•••@example.be');
  // 3. the card, typed by the customer. (The check below sees a number where there is one.)
  await page.locator(tid(O.cardNumber)).fill(number);
  expect((await readablePage(page)).values).toMatch(cardPattern(number));
  await typeCard(page, number);

  const enrolled = page.locator(tid(O.enrolled));
  await expect(enrolled).toHaveAttribute('data-last4', '4001');
  await expect(enrolled).toHaveAttribute('data-scheme', 'visa');
  await expect(enrolled).toHaveAttribute('data-offer-id', DEMO_OFFERS.tenPercent.id);
  await expect(enrolled).toContainText('Visa •••• 4001');
  const cardId = (await enrolled.getAttribute('data-card-id'))!;
  expect(cardId).toBeTruthy();
  // The customer's cards show the link.
  await expect(page.locator(`${tid(O.cardLink)}[data-card-id="${cardId}"][data-offer-id="${DEMO_OFFERS.tenPercent.id}"]`)).toBeVisible();
  await expectNoCardNumber(page, number);
  // A fresh form for the next card: empty.
  await page.locator(tid(O.enrolAnother)).click();
  await expect(page.locator(tid(O.cardNumber))).toHaveValue('');
  await expect(page.locator(tid(O.cardNumber))).toBeFocused();

  // The notices: the receiver is off until a manager switches it on.
  await page.locator(tid(O.tabNotices)).click();
  const receiver = page.locator(tid(O.receiver));
  await expect(receiver).toHaveAttribute('data-enabled', 'false');
  await expect(page.locator(tid(O.noticesEmpty))).toBeVisible();
  await page.locator(tid(O.receiverSwitch)).click();
  // The cashier is signed in: a manager approves with their PIN (the only manager is chosen already).
  const approval = page.locator(tid(MTID.approval));
  await expect(approval).toBeVisible();
  await expect(page.locator(tid(MTID.approvalManager))).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(tid(MTID.approvalPin))).toBeFocused();
  await page.keyboard.type(STAFF.manager.pin);
  await page.keyboard.press('Enter');
  await expect(approval).toHaveCount(0);
  await expect(receiver).toHaveAttribute('data-enabled', 'true');
  await expect(receiver).toHaveAttribute('data-listening', 'true');
  await expect(page.locator(tid(O.receiverSwitch))).toHaveAttribute('aria-checked', 'true');

  // A purchase with the enrolled card at the merchant: the platform sends the signed notice.
  const purchase = await control.purchase({ cardId, amountCents: 2350 });
  expect(purchase.deliveries?.some((d) => d.delivered)).toBe(true);
  await page.locator(tid(O.noticesRefresh)).click();
  const bought = page.locator(`${tid(O.noticeRow)}[data-transaction-id="${purchase.transaction.id}"]`);
  await expect(bought).toHaveAttribute('data-type', 'auth');
  await expect(bought).toHaveAttribute('data-cents', '2350');
  await expect(bought).toContainText(DEMO_OFFERS.tenPercent.name);
  await expect(bought).toContainText('Visa •••• 4001');
  await expect(bought).toContainText('€23.50');
  await expect(bought).toContainText('€2.35');
  await expect(page.locator(tid(O.totalPurchases))).toHaveAttribute('data-count', '1');
  await expect(page.locator(tid(O.totalPurchases))).toHaveAttribute('data-cents', '2350');
  await expect(page.locator(tid(O.totalCashback))).toHaveAttribute('data-cents', '235');

  // A refund of part of it: its own notice, linked to the purchase. The view refreshes itself.
  const refund = await control.refund({ transactionId: purchase.transaction.id, amountCents: 1000 });
  const refunded = page.locator(`${tid(O.noticeRow)}[data-transaction-id="${refund.transaction.id}"]`);
  await expect(refunded).toHaveAttribute('data-type', 'refund', { timeout: 12_000 });
  await expect(refunded).toHaveAttribute('data-cents', '-1000');
  const purchaseNoticeId = await bought.getAttribute('data-notice-id');
  await expect(refunded.locator(tid(O.noticeOriginal))).toHaveAttribute('data-original-id', purchaseNoticeId!);
  await expect(refunded.locator(tid(O.noticeOriginal))).toContainText('€23.50');
  await expect(page.locator(tid(O.totalRefunds))).toHaveAttribute('data-count', '1');
  await expect(page.locator(tid(O.totalRefunds))).toHaveAttribute('data-cents', '1000');
  await expect(page.locator(tid(O.totalNet))).toHaveAttribute('data-cents', '135');

  // A redelivery is normal: stored once, counted as a duplicate.
  await control.redeliver({ transactionId: purchase.transaction.id, event: 'transaction.auth' });
  await page.locator(tid(O.noticesRefresh)).click();
  await expect(page.locator(`${tid(O.refusal)}[data-reason="duplicate"]`)).toHaveAttribute('data-count', '1');
  await expect(page.locator(`${tid(O.noticeRow)}[data-transaction-id="${purchase.transaction.id}"]`)).toHaveCount(1);

  await expectNoCardNumber(page, number);

  // The manager's log holds the purchase and the refund; the day's figures count them.
  await managerSignsIn(page, staff.managerId, 'log');
  await page.locator(tid(MTID.logKind)).selectOption('offer.auth');
  await page.locator(tid(MTID.logApply)).click();
  await expect(page.locator(tid(MTID.logRow))).toHaveCount(1);
  await expect(page.locator(tid(MTID.logRow)).first()).toHaveAttribute('data-kind', 'offer.auth');
  await expect(page.locator(tid(MTID.logRow)).first()).toContainText('4001');
  await page.locator(tid(MTID.logKind)).selectOption('offer.refund');
  await page.locator(tid(MTID.logApply)).click();
  await expect(page.locator(tid(MTID.logRow))).toHaveCount(1);
  await page.locator(tid(MTID.deskTab('end-of-day'))).click();
  await expect(page.locator(tid(MTID.eodFigure('cardLinkedPurchases')))).toHaveAttribute('data-value', '2350');
  await expect(page.locator(tid(MTID.eodFigure('cardLinkedCashback')))).toHaveAttribute('data-value', '135');
  await expect(page.locator(tid(MTID.eodFigure('cardLinkedRefunds')))).toHaveAttribute('data-value', '1000');
  await expectNoCardNumber(page, number);
});

test("a customer's cards and offers, found by e-mail; unlinking one", async ({ counter: page, terminal }) => {
  // Enrolled earlier (through the API): two offers on one card.
  const { customer } = await terminal.call<{ customer: { id: string } }>('createOfferCustomer', { name: 'Bram Claes', email: 'bram@example.be' });
  const expiry = { expMonth: 11, expYear: 2000 + Number(expYear) };
  const { card } = await terminal.call<{ card: { id: string } }>('enrolCard', {
    customerId: customer.id,
    offerId: DEMO_OFFERS.tenPercent.id,
    card: { number: DEMO_TEST_CARDS.mastercard, ...expiry },
    termsAccepted: true,
  });
  await terminal.call('linkCardToOffer', { cardId: card.id, offerId: DEMO_OFFERS.twoOff.id });

  await openOffers(page);
  await page.locator(tid(O.customerEmail)).fill('bram@example.be');
  await page.keyboard.press('Enter');
  await expect(page.locator(tid(O.customerChosen))).toContainText('Bram Claes');
  const theCard = page.locator(`${tid(O.enrolledCard)}[data-card-id="${card.id}"]`);
  await expect(theCard).toContainText('Mastercard •••• 5007');
  await expect(theCard.locator(tid(O.cardLink))).toHaveCount(2);

  // Unlink the 2-euro offer, after a yes.
  await theCard.locator(`${tid(O.unlink)}[data-offer-id="${DEMO_OFFERS.twoOff.id}"]`).click();
  await expect(page.locator(tid(O.unlinkConfirm))).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.locator(tid(O.unlinkConfirm))).toHaveCount(0);
  await theCard.locator(`${tid(O.unlink)}[data-offer-id="${DEMO_OFFERS.twoOff.id}"]`).click();
  await page.locator(tid(O.unlinkConfirm)).click();
  await expect(page.locator(tid(O.enrolmentsMessage))).toContainText('Mastercard •••• 5007');
  await expect(theCard.locator(tid(O.cardLink))).toHaveCount(1);
  await expect(theCard.locator(`${tid(O.cardLink)}[data-offer-id="${DEMO_OFFERS.tenPercent.id}"]`)).toBeVisible();

  const { enrolments } = await terminal.call<{ enrolments: Array<{ card: { id: string }; offers: Array<{ offerId: string }> }> }>('listEnrolments', {
    customerId: customer.id,
  });
  expect(enrolments.find((e) => e.card.id === card.id)!.offers.map((o) => o.offerId)).toEqual([DEMO_OFFERS.tenPercent.id]);

  // Link it back from the screen: choose the offer, then "also link".
  await page.locator(`${tid(O.offerOption)}[data-offer-id="${DEMO_OFFERS.twoOff.id}"]`).click();
  await theCard.locator(tid(O.linkToOffer)).click();
  await expect(theCard.locator(tid(O.cardLink))).toHaveCount(2);
});

test('a card number outside the test range is refused in plain words, and the field is emptied', async ({ counter: page, sandbox }) => {
  await openOffers(page);
  await page.locator(`${tid(O.offerOption)}[data-offer-id="${DEMO_OFFERS.tenPercent.id}"]`).click();
  await page.locator(tid(O.customerNewMode)).click();
  await page.locator(tid(O.customerName)).fill('Chloé Dubois');
  await page.locator(tid(O.customerEmail)).fill('chloe@example.be');
  await page.locator(tid(O.customerCreate)).click();
  await expect(page.locator(tid(O.customerChosen))).toBeVisible();

  // Too short: refused on the screen, nothing sent.
  await typeCard(page, '4444 0000');
  await expect(page.locator(tid(O.cardProblem))).toHaveAttribute('data-problem', 'numberProblem');

  // A real-looking number outside the platform's test range: the platform refuses it.
  await typeCard(page, DEMO_TEST_CARDS.notTest);
  const refusal = page.locator(`${tid(O.cardForm)} ${tid(O.errorMessage)}`);
  await expect(refusal).toHaveAttribute('data-code', 'INVALID_INPUT');
  await expect(refusal).toContainText('test cards');
  await expect(page.locator(tid(O.cardNumber))).toHaveValue('');
  await expect(page.locator(tid(O.enrolled))).toHaveCount(0);
  await expectNoCardNumber(page, DEMO_TEST_CARDS.notTest);
  // The platform created nothing.
  expect(await createCardLinkedControl(sandbox).cards()).toHaveLength(0);
});

test('a wrong manager PIN leaves the notice receiver off', async ({ counter: page, terminal }) => {
  await page.locator(tid(O.nav)).click();
  await page.locator(tid(O.tabNotices)).click();
  await expect(page.locator(tid(O.receiver))).toHaveAttribute('data-enabled', 'false');
  await page.locator(tid(O.receiverSwitch)).click();
  await page.locator(tid(MTID.approvalPin)).fill('0000');
  await page.locator(tid(MTID.approvalSubmit)).click();
  await expect(page.locator(tid(MTID.approvalError))).toHaveAttribute('data-code', /PIN_WRONG|FORBIDDEN/);
  await expect(page.locator(tid(MTID.approvalPin))).toHaveValue('');
  await page.locator(tid(MTID.approvalCancel)).click();
  await expect(page.locator(tid(MTID.approval))).toHaveCount(0);
  await expect(page.locator(tid(O.receiver))).toHaveAttribute('data-enabled', 'false');
  expect((await terminal.call<{ enabled: boolean }>('offerReceiverStatus', {})).enabled).toBe(false);
});
