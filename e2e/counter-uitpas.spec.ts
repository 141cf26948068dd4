/**
 * UiTPAS at the counter (issue 5), end to end, against the sandbox's UiTPAS:
 * scan a UiTPAS number, the passholder's first name, social tariff and
 * messages; the reward catalogue (redeemable first, the others greyed with
 * the reason in the UI's language); pick a reward, confirm, the new balance; a
 * manager's void gives the points back; a reward that stopped being
 * redeemable meanwhile shows the backend's Dutch words.
 */
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../sandbox/uitpas/demo-data.js';
import { MTID, TID } from '../renderer/src/testids.js';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { managerApproves, saleWithMember, shot } from './counter-helpers.js';
import { managerSignsIn } from './desk-helpers.js';
import { tid } from './tid.js';

test.use({ loyalty: 'uitpas' });

const option = (id: string) => `${tid(TID.rewardOption)}[data-reward-id="${id}"]`;

type FirstScreen = { counter: boolean; online: boolean; basketOpen: boolean; rewardStep: boolean; paidButton: boolean; saleState: string | null };

/** Records, on every load of `page` from now on, what the page first puts on screen (window.__firstScreen). */
async function recordFirstScreen(page: Page): Promise<void> {
  await page.addInitScript(
    ({ counter, online, basket, rewardIdle, paid }) => {
      const w = window as unknown as { __firstScreen?: FirstScreen };
      const observer = new MutationObserver(() => {
        const root = document.getElementById('root');
        if (!root?.firstElementChild) return;
        observer.disconnect();
        w.__firstScreen = {
          counter: root.querySelector(counter) !== null,
          online: root.querySelector(online) !== null,
          basketOpen: root.querySelector(`${basket}:not([disabled])`) !== null,
          rewardStep: root.querySelector(rewardIdle) !== null,
          paidButton: root.querySelector(paid) !== null,
          saleState: root.querySelector(counter)?.getAttribute('data-state') ?? null,
        };
      });
      observer.observe(document, { subtree: true, childList: true });
    },
    {
      counter: tid(TID.counter),
      online: `${tid(TID.statusOnline)}[data-online]`,
      basket: tid(TID.basketInput),
      rewardIdle: tid(TID.rewardIdle),
      paid: tid(TID.paid),
    },
  );
}
const firstScreen = (page: Page) => page.evaluate(() => (window as unknown as { __firstScreen?: FirstScreen }).__firstScreen);

test("a page load draws the counter once: its first screen already has the terminal's status, the cashier and the reward step", async ({
  page,
  terminal,
  staff,
}) => {
  void staff; // the cashier is signed in before the page opens
  // The first thing the page puts on screen, as it is put there (issue 18: on a slow counter PC each
  // extra render before the counter, a shell, then the status, then the step, cost 100-200 ms).
  await recordFirstScreen(page);
  await page.goto(terminal.openUrl);
  await expect(page.locator(tid(TID.rewardIdle))).toBeVisible();
  await expect(page.locator(tid(TID.basketInput))).toBeFocused();
  expect(await firstScreen(page)).toEqual({ counter: true, online: true, basketOpen: true, rewardStep: true, paidButton: false, saleState: 'none' });
});

test("the counter takes a card before the reward step's code has loaded: the step says it is loading, then the catalogue comes", async ({
  page,
  terminal,
  staff,
}) => {
  void staff;
  // The step's chunk held back (a slow counter PC, a busy one-core terminal): the first screen does not wait for it.
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\/assets\/RewardStep-[^/]*\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(terminal.openUrl);
  await expect(page.locator(tid(TID.rewardIdle))).toBeVisible();
  await expect(page.locator(tid(TID.basketInput))).toBeFocused();
  await saleWithMember(page, '12', UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber, 'scan');
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '120000');
  await expect(page.locator(tid(TID.rewardStepLoading))).toBeVisible();
  await expect(page.locator(tid(TID.rewardIdle))).toHaveCount(0);
  release();
  // The catalogue, its first redeemable reward taking the focus as after any scan; a choice is quoted.
  const coffee = page.locator(option(UITPAS_DEMO_REWARDS.coffee.id));
  await expect(coffee).toHaveAttribute('data-redeemable', 'true');
  await expect(page.locator(tid(TID.rewardStepLoading))).toHaveCount(0);
  await expect(page.locator(`${tid(TID.rewardOption)}[data-redeemable="true"]`).first()).toBeFocused();
  await coffee.click();
  await expect(page.locator(tid(TID.quoteReward))).toHaveAttribute('data-reward-id', UITPAS_DEMO_REWARDS.coffee.id);
});

test('a reload in the middle of a sale: the first screen already shows that sale, not an empty counter to type into', async ({ counter: page }) => {
  await recordFirstScreen(page);
  await saleWithMember(page, '12', UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber, 'scan');
  await page.reload();
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '120000');
  expect((await firstScreen(page))?.saleState).toBe('identified');
  await expect(page.locator(tid(TID.basketInput))).toHaveValue('12.00');
  // After the member agreed: the first screen has the outcome with its Paid button too.
  await page.locator(option(UITPAS_DEMO_REWARDS.coffee.id)).click();
  await page.locator(`${tid(TID.confirm)}:not([disabled])`).click();
  await expect(page.locator(tid(TID.paid))).toBeVisible();
  await page.reload();
  await expect(page.locator(tid(TID.paid))).toBeVisible();
  expect(await firstScreen(page)).toMatchObject({ saleState: 'posted', paidButton: true });
});

test('scan, pick a reward, confirm, see the new balance; a manager voids and the points come back', async ({ counter: page, sandbox, staff }) => {
  const jan = UITPAS_DEMO_PASSHOLDERS.jan; // 120 points
  const coffee = UITPAS_DEMO_REWARDS.coffee; // 10 points, 2.50 off here
  const ui = sandbox.backends.uitpas.state;
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-redemption', 'reward');

  await saleWithMember(page, '12', jan.uitpasNumber, 'scan');
  await expect(page.locator(tid(TID.memberName))).toHaveText('Jan');
  await expect(page.locator(tid(TID.balance))).toHaveAttribute('data-milli', '120000');
  await expect(page.locator(option(coffee.id))).toHaveAttribute('data-redeemable', 'true');
  // Outside its redeem period: greyed, with the reason in the UI's language (UiTPAS words reasons in Dutch only).
  const summer = page.locator(option(UITPAS_DEMO_REWARDS.summerBar.id));
  await expect(summer).toHaveAttribute('data-redeemable', 'false');
  await expect(summer.locator(tid(TID.rewardReason))).toHaveAttribute('lang', 'en');
  await expect(summer.locator(tid(TID.rewardReason))).toHaveAttribute('data-reason', 'REWARD_PERIOD');
  await expect(summer.locator(tid(TID.rewardReason))).not.toBeEmpty();
  // Redeemable ones come first, the welcome gift among them.
  await expect(page.locator(tid(TID.rewardOption)).first()).toHaveAttribute('data-redeemable', 'true');
  await expect(page.locator(option(UITPAS_DEMO_REWARDS.welcome.id))).toHaveAttribute('data-redeemable', 'true');
  await shot(page, 'uitpas-1-catalogue');

  await page.locator(option(coffee.id)).click();
  await expect(page.locator(tid(TID.quoteReward))).toHaveAttribute('data-reward-id', coffee.id);
  await expect(page.locator(tid(TID.balanceNow))).toHaveAttribute('data-milli', '120000');
  await expect(page.locator(tid(TID.pointsTaken))).toHaveAttribute('data-milli', '10000');
  await expect(page.locator(tid(TID.balanceAfter))).toHaveAttribute('data-milli', '110000');
  await expect(page.locator(tid(TID.discount))).toHaveAttribute('data-cents', '250');
  await expect(page.locator(tid(TID.toPay))).toHaveAttribute('data-cents', '950');
  await shot(page, 'uitpas-2-quote');
  await page.locator(tid(TID.confirm)).click();
  await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '110000');
  await shot(page, 'uitpas-3-posted');
  expect(ui.balances(jan.uitpasNumber)[jan.uitpasNumber]).toBe(110);
  await page.locator(tid(TID.paid)).click();

  await page.locator(tid(TID.voidSale)).click();
  await managerApproves(page, staff.managerId, 'wrong reward chosen');
  await expect(page.locator(tid(TID.compensation))).toHaveAttribute('data-state', 'done');
  expect(ui.balances(jan.uitpasNumber)[jan.uitpasNumber]).toBe(120);

  // The manager's rewards desk (issue 19): a new points reward at UiTPAS with this counter's discount, offered at the next sale.
  await managerSignsIn(page, staff.managerId, 'rewards');
  await page.locator(tid(MTID.rewardNew)).click();
  const field = (f: string) => page.locator(tid(MTID.rewardField(f)));
  await field('title').fill('Gratis soep');
  await field('description').fill('Een kom soep voor 12 punten.');
  await field('points').fill('12');
  await field('moreInfo').fill('https://www.example.be/soep');
  await field('limitVolume').fill('1');
  await field('discount').fill('3,50');
  await page.locator(tid(MTID.rewardSave)).click();
  await expect(page.locator(tid(MTID.deskNotice))).toContainText('Gratis soep');
  const soup = ui.allRewards().find((r) => r.title === 'Gratis soep')!;
  expect(soup).toMatchObject({ points: 12, redeemConstraint: { volume: 1, period: 'DAY' }, categories: ['Eten en drinken'] });
  await expect(page.locator(`${tid(MTID.rewardRow)}[data-reward-id="${soup.id}"] ${tid(MTID.rewardDiscount)}`)).toContainText('3.50');
  await shot(page, 'uitpas-4-rewards-desk');
  await page.locator(tid(TID.navCounter)).click();
  await saleWithMember(page, '12', jan.uitpasNumber);
  await page.locator(option(soup.id)).click();
  await expect(page.locator(tid(TID.discount))).toHaveAttribute('data-cents', '350');
});

test('a reward redeemed elsewhere meanwhile is refused with the Dutch reason; passholder facts and messages show', async ({ counter: page, sandbox }) => {
  const fatima = UITPAS_DEMO_PASSHOLDERS.fatima; // 25 points, social tariff, an INFO message
  const lotte = UITPAS_DEMO_PASSHOLDERS.lotte; // 40 points, expired social tariff, a WARN message
  const ui = sandbox.backends.uitpas.state;

  await saleWithMember(page, '20', fatima.uitpasNumber);
  await expect(page.locator(tid(TID.socialTariff))).toHaveAttribute('data-status', 'ACTIVE');
  await expect(page.locator(tid(TID.backendMessage))).toContainText('kansentarief');
  // Too few points for the exhibition: greyed, its price shown, the reason in the UI's language.
  const exhibition = page.locator(option(UITPAS_DEMO_REWARDS.exhibition.id));
  await expect(exhibition).toHaveAttribute('data-redeemable', 'false');
  await expect(exhibition).toContainText('100');
  await expect(exhibition.locator(tid(TID.rewardReason))).toHaveAttribute('lang', 'en');
  await expect(exhibition.locator(tid(TID.rewardReason))).toContainText('Not enough points');
  // The coffee was redeemable when the list came; the points go elsewhere before the cashier picks it.
  const coffee = page.locator(option(UITPAS_DEMO_REWARDS.coffee.id));
  await expect(coffee).toHaveAttribute('data-redeemable', 'true');
  ui.setPoints(fatima.uitpasNumber, 5);
  await coffee.click();
  const error = page.locator(tid(TID.errorMessage));
  await expect(error).toHaveAttribute('data-code', 'REWARD_NOT_REDEEMABLE');
  await expect(page.locator(tid(TID.errorEndUser))).toHaveAttribute('lang', 'nl');
  await expect(page.locator(tid(TID.errorEndUser))).toContainText('punten');
  await expect(coffee).toHaveAttribute('data-redeemable', 'false'); // the list was read again
  await shot(page, 'uitpas-4-refused');

  // The next passholder: an expired social tariff and a warning.
  await page.locator(tid(TID.newSale)).click();
  await page.locator(tid(TID.dialogConfirm)).click();
  await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'none');
  await saleWithMember(page, '20', lotte.uitpasNumber);
  await expect(page.locator(tid(TID.socialTariff))).toHaveAttribute('data-status', 'EXPIRED');
  await expect(page.locator(`${tid(TID.backendMessage)}.backend-warn`)).toContainText('verlopen');
  await shot(page, 'uitpas-5-lotte');
});
