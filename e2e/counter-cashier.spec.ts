/**
 * The counter as a cashier meets it (issue 21), end to end in Chromium:
 * fast typing in a text field is never taken for a scan (6), the focus goes
 * where the next key is needed (5), messages say what to do next and show the
 * right value (4), plain words instead of codes (3), one language at a time,
 * kept per person across screens and restarts (2), numbers in the UI's
 * locale (7).
 */
import type { Page } from '@playwright/test';
import { MTID, TID } from '../renderer/src/testids.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../sandbox/uitpas/demo-data.js';
import { expect, scan, STAFF, test } from './fixtures.js';
import { scanKeys } from './scanner-keys.js';
import { tid } from './tid.js';

/** English words that must not reach a cashier working in another language. */
// Each test walks a whole story on one terminal (cheaper than a terminal per item): more than the default time.
test.describe.configure({ timeout: 150_000 });

const ENGLISH = /\b(the|card|number|check digit|basket|first|points|scan|enter)\b/i;
/** Technical words that stay in the log's detail view. */
const TECHNICAL = /HTTP|ECONN|[A-Z]{3,}_[A-Z]{3,}|\(5\d\d\)|P-[0-9A-F]{6,}/;

async function chooseLanguage(page: Page, lang: 'en' | 'fr' | 'nl'): Promise<void> {
  await page.locator(tid(MTID.language)).selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

test.describe('White Label', () => {
  test('first start keeps a name typed fast; the scanner still reads cards; words and numbers in the UI language', async ({ page, terminal, sandbox }) => {
    const anna = DEMO_MEMBERS.anna; // 2500 points
    const chloe = DEMO_MEMBERS.chloe; // 300 points
    await page.goto(terminal.openUrl);
    const name = page.locator(tid(MTID.firstName));
    await expect(name).toBeFocused();
    // A person typing fast (25 ms a key), then auto-type (8 ms a key, a scanner's pace): the name stays.
    await scanKeys(page, STAFF.manager.name, 'us', 25, false);
    await expect(name).toHaveValue(STAFF.manager.name);
    await name.fill('');
    await scanKeys(page, STAFF.manager.name, 'us', 8, false);
    await expect(name).toHaveValue(STAFF.manager.name);
    await page.locator(tid(MTID.firstPin)).fill(STAFF.manager.pin);
    await page.locator(tid(MTID.firstPin2)).fill(STAFF.manager.pin);
    await page.locator(tid(MTID.firstSubmit)).click();
    // The first manager's recovery code is shown once, until it is written down.
    await page.locator(tid(MTID.recoveryDone)).click();
    await expect(page.locator(tid(MTID.sessionName))).toContainText(STAFF.manager.name);
    const people = await terminal.call<{ people: { name: string }[] }>('listPeople');
    expect(people.people.map((p) => p.name)).toEqual([STAFF.manager.name]);

    // A card scanned before the basket: kept, and the counter says what to do next (not "amount not valid").
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await scan(page, anna.cardNumber);
    const message = page.locator(tid(TID.errorMessage));
    await expect(message).toContainText('Member card read');
    await expect(message).not.toContainText('not valid');
    await expect(page.locator(tid(TID.basketInput))).toBeFocused();
    // Dutch from here: the numbers follow (2.500 points), nothing English, no codes.
    await chooseLanguage(page, 'nl');
    await expect(message).toContainText('Klantenkaart gelezen');
    await page.keyboard.type('45');
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
    await expect(page.locator(tid(TID.balance))).toHaveText('2.500');
    await page.locator(tid(TID.pointsInput)).fill('1200');
    await expect(page.locator(tid(TID.pointsTaken))).toContainText('1.200');
    await page.locator(tid(TID.confirm)).click();
    await expect(page.locator(tid(TID.resultBalance))).toContainText('1.300');
    await page.locator(tid(TID.paid)).click();
    // After Paid: the balance it left, never "worth € 0,00".
    await expect(page.locator(tid(TID.memberCard))).not.toContainText('0,00');

    // The loyalty program fails (503): plain words on the counter, the status and socket codes stay out.
    await page
      .locator(tid(TID.newSale))
      .click()
      .catch(() => {});
    await page.locator(tid(TID.basketInput)).fill('20');
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
    sandbox.faults.add({ backend: 'whitelabel', method: 'GET', fault: 'status', status: 503, times: 1 } as never);
    await page.locator(tid(TID.memberInput)).fill(chloe.cardNumber);
    await page.locator(tid(TID.memberInput)).press('Enter');
    const refusal = page.locator(tid(TID.errorMessage));
    await expect(refusal).toBeVisible();
    expect(await refusal.innerText()).not.toMatch(TECHNICAL);
    // Over the balance: plain words on the counter and in the log, the code only as an attribute.
    await page.locator(tid(TID.memberInput)).fill(chloe.cardNumber);
    await page.locator(tid(TID.memberInput)).press('Enter');
    await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '300000');
    await page.locator(tid(TID.pointsInput)).fill('400');
    await expect(message).toHaveAttribute('data-code', 'POINTS_ABOVE_BALANCE');
    expect(await message.innerText()).not.toMatch(TECHNICAL);
    await page.locator(tid(TID.navLog)).click();
    const row = page.locator(`${tid(TID.logRow)}[data-kind="quote"]`).first();
    await expect(row).toBeVisible();
    // People by name once the sign-in list has arrived (it loads beside the log).
    await expect(page.locator(tid(TID.logScreen))).toContainText(STAFF.manager.name);
    expect(await page.locator(tid(TID.logScreen)).innerText()).not.toMatch(TECHNICAL);
  });
});

test.describe('UiTPAS', () => {
  test.use({ loyalty: 'uitpas' });

  test('French: refusals, rewards and reasons in French; the first reward takes the focus; the choice is kept per person', async ({ counter: page, staff }) => {
    const jan = UITPAS_DEMO_PASSHOLDERS.jan; // 120 points
    await chooseLanguage(page, 'fr');
    // A misread card (wrong check digit): French only.
    const wrong = jan.uitpasNumber.slice(0, -1) + String((Number(jan.uitpasNumber.slice(-1)) + 1) % 10);
    await page.locator(tid(TID.memberInput)).fill(wrong);
    await page.locator(tid(TID.memberInput)).press('Enter');
    const refusal = page.locator(tid('scan-refusal'));
    await expect(refusal).toBeVisible();
    expect((await refusal.innerText()).replace(wrong, '')).not.toMatch(ENGLISH);

    // The card first, then the basket: the catalogue comes, the first redeemable reward has the focus.
    await page.locator(tid(TID.memberInput)).fill(jan.uitpasNumber);
    await page.locator(tid(TID.memberInput)).press('Enter');
    await expect(page.locator(tid(TID.errorMessage))).toContainText('Carte de membre lue');
    await expect(page.locator(tid(TID.basketInput))).toBeFocused();
    await page.keyboard.type('12');
    await page.keyboard.press('Enter');
    const redeemable = page.locator(`${tid(TID.rewardOption)}[data-redeemable="true"]`);
    await expect(redeemable.first()).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(redeemable.nth(1)).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await expect(redeemable.first()).toBeFocused();
    // UiTPAS's reasons in French (it sends nl, fr, de, en).
    const reason = page.locator(`${tid(TID.rewardOption)}[data-reward-id="${UITPAS_DEMO_REWARDS.summerBar.id}"] ${tid(TID.rewardReason)}`);
    await expect(reason).toHaveAttribute('lang', 'fr');
    expect(await page.locator(tid(TID.counter)).innerText()).not.toMatch(/\b(Basket|Member card|Confirm|Cancel|balance)\b/);

    // A restart of the page: still French. Then the manager signs in (a wrong PIN first: the field
    // keeps the focus, the next PIN typed goes in), chooses Dutch, opens Settings: still Dutch.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await page.locator(tid(MTID.signOut)).click();
    await page.locator(`${tid(MTID.signInPerson)}[data-person-id="${staff.managerId}"]`).click();
    const pin = page.locator(tid(MTID.pinInput));
    await expect(pin).toBeFocused();
    // A key the field refuses (a letter) never shows: the field is controlled (React does it; runtime/preact-setup.ts on a Preact build).
    await page.keyboard.type('99x');
    await expect(pin).toHaveValue('99');
    await page.keyboard.type('99');
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(MTID.signInError))).toHaveAttribute('data-code', 'PIN_WRONG');
    await expect(pin).toBeFocused();
    await expect(pin).toHaveValue('');
    await page.keyboard.type(STAFF.manager.pin);
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-person-id', staff.managerId);
    await chooseLanguage(page, 'nl');
    await page.locator(tid(MTID.navDesk)).click();
    await page.locator(tid(MTID.deskTab('settings'))).click();
    await expect(page.locator(tid(MTID.settingsField('language')))).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
    await expect(page.locator(tid(MTID.signOut))).toHaveText('Afmelden');
    // The cashier signs back in: French again (their own choice).
    await page.locator(tid(MTID.signOut)).click();
    await page.locator(`${tid(MTID.signInPerson)}[data-person-id="${staff.cashierId}"]`).click();
    await page.keyboard.type(STAFF.cashier.pin);
    await page.keyboard.press('Enter');
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  });
});
