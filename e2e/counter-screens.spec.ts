/**
 * The counter on the screens counters have (issue 21, items 1 and 10):
 * 1366x768, 1024x768, 1280x800 and a tablet in portrait (800x1280). At every
 * size, every step of a redemption shows the next action without scrolling:
 * its button is inside the viewport and nothing covers it (the element at its
 * centre is the button itself), with the figures the cashier reads beside it.
 * Every control is at least 44x44 CSS px. The walk leaves screenshots of each
 * size in English, French and Dutch in test-results/screens/ (git-ignored).
 * Short panels (800x600, 1024x600) are walked too: there the steps scroll,
 * but none ever lies over another (see SHORT_SIZES).
 */
import type { Locator, Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { MTID, TID } from '../renderer/src/testids.js';
import { SCAN_TID } from '../renderer/src/scanner/scanner-testids.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { UITPAS_DEMO_PASSHOLDERS } from '../sandbox/uitpas/demo-data.js';
import { expect, test } from './fixtures.js';
import { tid } from './tid.js';

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 800, height: 1280 },
] as const;
const SHOTS = 'test-results/screens';
// One terminal walks all four sizes (cheaper than four terminals): the walk needs more than one test's time.
test.describe.configure({ timeout: 240_000 });

/** The element at its centre is itself (or inside it): nothing covers it. */
async function expectUncovered(el: Locator, what: string): Promise<void> {
  const hit = await el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at === node || node.contains(at) ? 'itself' : at ? `${at.tagName}.${at.className}` : 'nothing';
  });
  expect(hit, `${what}: not covered`).toBe('itself');
}

/** In the viewport without scrolling anything, and nothing covers it. */
async function inView(page: Page, selector: string, what: string): Promise<void> {
  const el = page.locator(selector).first();
  await expect(el, `${what}: visible`).toBeVisible();
  await expect(el, `${what}: inside the viewport`).toBeInViewport({ ratio: 1 });
  await expectUncovered(el, what);
  expect(await page.evaluate(() => window.scrollY), `${what}: the page did not scroll`).toBe(0);
}

/** Every visible control on screen is at least 44x44 CSS px (a finger's size). */
async function touchTargetsOk(page: Page, where: string): Promise<void> {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, input:not([type=hidden]), select, textarea, a[href], [role=button], label:has(> input[type=checkbox])')]
      .filter((el) => el.offsetParent !== null && !el.closest('.visually-hidden'))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(
        ({ el, r }) => r.width > 0 && (r.width < 44 || r.height < 44) && !(el instanceof HTMLInputElement && el.type === 'checkbox' && el.closest('label')),
      )
      .map(
        ({ el, r }) =>
          `${el.tagName.toLowerCase()}[${el.dataset.testid ?? el.textContent?.trim().slice(0, 20)}] ${Math.round(r.width)}x${Math.round(r.height)}`,
      ),
  );
  expect(small, `controls under 44x44 px on ${where}`).toEqual([]);
}

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** The same step in the three languages (screenshots), back in English. */
async function shootLanguages(page: Page, name: string): Promise<void> {
  for (const lang of ['fr', 'nl', 'en'] as const) {
    await page.locator(tid(MTID.language)).selectOption(lang);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await shoot(page, `${name}-${lang}`);
  }
}

/**
 * A White Label redemption up to the member's quote (Anna, 500 points of a 45.60 basket), each
 * step's controls put to `check` (in view as they are, or reachable by scrolling) on the way.
 */
async function walkToPointsQuote(page: Page, at: string, check: (page: Page, selector: string, what: string) => Promise<void>): Promise<void> {
  await check(page, tid(TID.basketInput), `${at} basket`);
  await page.locator(tid(TID.basketInput)).fill('45.60');
  await page.keyboard.press('Enter');
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
  await check(page, tid(TID.memberInput), `${at} member field`);
  await check(page, tid(TID.identifyButton), `${at} find`);
  await page.locator(tid(TID.memberInput)).fill(DEMO_MEMBERS.anna.cardNumber);
  await page.keyboard.press('Enter');
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
  await check(page, tid(TID.pointsInput), `${at} points`);
  await check(page, tid(TID.keypad('5')), `${at} keypad`);
  await page.locator(tid(TID.pointsInput)).fill('500');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '4060');
}

test('points (White Label): at each size every step shows its next action, uncovered; controls are 44 px', async ({ counter: page }) => {
  for (const size of SIZES) {
    const at = `${size.width}x${size.height}`;
    await page.setViewportSize(size);
    await touchTargetsOk(page, `${at} start`);
    await walkToPointsQuote(page, at, inView);
    for (const [id, what] of [
      [TID.discount, 'discount'],
      [TID.toPay, 'left to pay'],
      [TID.confirm, 'confirm'],
    ] as const) {
      await inView(page, tid(id), `${at} ${what}`);
    }
    await touchTargetsOk(page, `${at} quote`);
    await shootLanguages(page, `points-${at}-quote`);
    await page.locator(tid(TID.confirm)).click();
    await inView(page, tid(TID.paid), `${at} paid`);
    await inView(page, tid(TID.resultBalance), `${at} new balance`);
    await page.locator(tid(TID.paid)).click();
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', /paid|none/);
    await inView(page, tid(TID.newSale), `${at} new sale`);
    await page.locator(tid(TID.newSale)).click();
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
  }
});

test.describe('UiTPAS', () => {
  test.use({ loyalty: 'uitpas' });

  test('rewards: at each size the list and the confirm button are in view together, uncovered', async ({ counter: page }) => {
    const jan = UITPAS_DEMO_PASSHOLDERS.jan; // 120 points
    for (const size of SIZES) {
      const at = `${size.width}x${size.height}`;
      await page.setViewportSize(size);
      await page.locator(tid(TID.basketInput)).fill('12');
      await page.keyboard.press('Enter');
      await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'open');
      await page.locator(tid(TID.memberInput)).fill(jan.uitpasNumber);
      await page.keyboard.press('Enter');
      await inView(page, `${tid(TID.rewardOption)}[data-redeemable="true"]`, `${at} first reward`);
      await touchTargetsOk(page, `${at} rewards`);
      // The first reward the member can have (each round takes another: most can be had once a day).
      const id = await page
        .locator(`${tid(TID.rewardOption)}[data-redeemable="true"]`)
        .first()
        .getAttribute('data-reward-id');
      const chosen = `${tid(TID.rewardOption)}[data-reward-id="${id}"]`;
      await page.locator(chosen).click();
      await expect(page.locator(tid(TID.quoteReward))).toBeVisible();
      // The quote is in (confirm enabled) before its rows are measured: the answer can swap a row
      // (a reward without a discount says so in another element), and a row measured while it is
      // swapped out reads as a zero rectangle at the page's top-left corner.
      await expect(page.locator(tid(TID.confirm))).toBeEnabled();
      // The choice is confirmed beside the list: both in view, nothing scrolled away.
      await inView(page, chosen, `${at} chosen reward`);
      await inView(page, tid(TID.discount), `${at} discount`);
      await inView(page, tid(TID.toPay), `${at} left to pay`);
      await inView(page, tid(TID.confirm), `${at} confirm`);
      await shootLanguages(page, `uitpas-${at}-quote`);
      await page.locator(tid(TID.confirm)).click();
      await inView(page, tid(TID.paid), `${at} paid`);
      await page.locator(tid(TID.paid)).click();
      await inView(page, tid(TID.newSale), `${at} new sale`);
      await page.locator(tid(TID.newSale)).click();
      await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
    }
  });
});

/**
 * Short screens (a cheap counter's 800x600 or 1024x600 panel): the steps do not all fit, so the
 * columns scroll, but they never lie over one another: each control, scrolled to, is itself at its
 * centre. At 800x600 the quote once lay over the member field and the keypad (the grid's rows were
 * squeezed to the screen instead of their columns' height).
 */
const SHORT_SIZES = [
  { width: 800, height: 600 },
  { width: 1024, height: 600 },
] as const;

/** Scrolled into view (its own column or the grid scrolls), then nothing covers it. */
async function reachable(page: Page, selector: string, what: string): Promise<void> {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  await expect(el, `${what}: inside the viewport once scrolled to`).toBeInViewport({ ratio: 1 });
  await expectUncovered(el, what);
}

test('short screens: the header (training banner, status, screens, who is signed in) leaves the counter most of the height, in every language', async ({
  counter: page,
}) => {
  // White Label in training (its program's name is long: the screens' buttons wrap at 1024 px too): 195 px
  // of 600 at both sizes before the header had its short-screen rules; 153 and 165 with them.
  const MAX_HEADER = { 800: 160, 1024: 170 } as const;
  await expect(page.locator(tid(TID.trainingBanner))).toBeVisible();
  for (const size of SHORT_SIZES) {
    await page.setViewportSize(size);
    for (const lang of ['fr', 'nl', 'en'] as const) {
      await page.locator(tid(MTID.language)).selectOption(lang);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      const at = `${size.width}x${size.height} ${lang}`;
      const bottom = await page.locator(tid(MTID.sessionBar)).evaluate((el) => el.getBoundingClientRect().bottom);
      expect(bottom, `${at}: the header's height`).toBeLessThanOrEqual(MAX_HEADER[size.width]);
      const controls = page.locator('header button, header select, .session-bar button, .session-bar select');
      for (const control of await controls.all()) await expectUncovered(control, `${at} ${await control.innerText()}`);
      await touchTargetsOk(page, at);
    }
  }
});

test("the counter's link-button (Test the scanner) is in the page's font, and looks the same after the desk has been opened", async ({ counter: page }) => {
  // A button's own font is the system's default (Arial here), not the page's; and the desk's stylesheet,
  // loaded with the desk, had a global rule of its own for the same class that restyled the counter's.
  const link = page.locator(tid(SCAN_TID.setupButton));
  const look = () =>
    link.evaluate((el) => {
      const cs = getComputedStyle(el);
      return { family: cs.fontFamily, size: cs.fontSize, padding: cs.padding, minHeight: cs.minHeight, pageFamily: getComputedStyle(document.body).fontFamily };
    });
  const before = await look();
  expect(before.family).toBe(before.pageFamily);
  expect(before.minHeight).toBe('44px');
  await page.locator(tid(MTID.navDesk)).click();
  await expect(page.locator(tid(MTID.deskTab('log')))).toBeVisible();
  await page.locator(tid(TID.navCounter)).click();
  await expect(link).toBeVisible();
  expect(await look()).toEqual(before);
});

test('points (White Label) on short screens: every step can be scrolled to and nothing lies over it', async ({ counter: page }) => {
  for (const size of SHORT_SIZES) {
    const at = `${size.width}x${size.height}`;
    await page.setViewportSize(size);
    await walkToPointsQuote(page, at, reachable);
    await reachable(page, tid(TID.toPay), `${at} left to pay`);
    await reachable(page, tid(TID.confirm), `${at} confirm`);
    await shoot(page, `points-${at}-quote`);
    // Cancelled (nothing was taken yet), ready for the next size.
    await page.locator(tid(TID.cancel)).click();
    await page.locator(tid(TID.dialogConfirm)).click();
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'cancelled');
    await page.locator(tid(TID.newSale)).click();
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
  }
});

test.describe('UiTPAS on short screens', () => {
  test.use({ loyalty: 'uitpas' });

  test('rewards: the list, the card and the confirm button can each be scrolled to, uncovered', async ({ counter: page }) => {
    const jan = UITPAS_DEMO_PASSHOLDERS.jan;
    for (const size of SHORT_SIZES) {
      const at = `${size.width}x${size.height}`;
      await page.setViewportSize(size);
      await page.locator(tid(TID.basketInput)).fill('12');
      await page.keyboard.press('Enter');
      await reachable(page, tid(TID.memberInput), `${at} member field`);
      await page.locator(tid(TID.memberInput)).fill(jan.uitpasNumber);
      await page.keyboard.press('Enter');
      const first = `${tid(TID.rewardOption)}[data-redeemable="true"]`;
      await reachable(page, first, `${at} first reward`);
      await page.locator(first).first().click();
      await expect(page.locator(tid(TID.confirm))).toBeEnabled();
      await reachable(page, tid(TID.toPay), `${at} left to pay`);
      await reachable(page, tid(TID.confirm), `${at} confirm`);
      await shoot(page, `uitpas-${at}-quote`);
      await page.locator(tid(TID.cancel)).click();
      await page.locator(tid(TID.dialogConfirm)).click();
      await page.locator(tid(TID.newSale)).click();
      await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
    }
  });
});

/** The focused control is inside the viewport and uncovered, as it is: nothing scrolled by the test. */
async function focusedInView(page: Page, testId: string, what: string): Promise<void> {
  const el = page.locator(tid(testId));
  await expect(el, `${what}: focused`).toBeFocused();
  await expect(el, `${what}: inside the viewport`).toBeInViewport({ ratio: 1 });
  await expectUncovered(el, what);
}

test('points (White Label) on short screens, by keyboard: each next action takes the focus and is on screen without scrolling by hand', async ({
  counter: page,
}) => {
  for (const size of SHORT_SIZES) {
    const at = `${size.width}x${size.height}`;
    await page.setViewportSize(size);
    await focusedInView(page, TID.basketInput, `${at} basket`);
    await page.keyboard.type('45.60');
    await page.keyboard.press('Enter');
    await focusedInView(page, TID.memberInput, `${at} member field`);
    await page.keyboard.type(DEMO_MEMBERS.anna.cardNumber);
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'identified');
    await focusedInView(page, TID.pointsInput, `${at} points`);
    await page.keyboard.type('500');
    await page.keyboard.press('Enter');
    await focusedInView(page, TID.confirm, `${at} confirm`);
    await page.keyboard.press('Enter');
    await focusedInView(page, TID.paid, `${at} paid`);
    await page.keyboard.press('Enter');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', /paid|none/);
    await page.locator(tid(TID.newSale)).click();
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
  }
});
