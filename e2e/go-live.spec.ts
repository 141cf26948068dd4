/**
 * A manager takes a training terminal live from the desk, against a loyalty
 * program started apart from the terminal (`npm run sandbox -- --port N`, its
 * own process, as a store's backend would be), typing only the connection
 * values that program prints:
 * a wrong secret first (the test names the token step and Go live stays
 * off), then the right one; the redemption lands in that program's ledger,
 * no training banner, the status bar names the environment, the end of day
 * holds only the live sale, and the training sale is still there after going
 * back to training.
 */
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { createControlClient } from '../sandbox/control-client.js';
import { TID } from '../renderer/src/testids.js';
import { GOLIVE_TID } from '../renderer/src/screens/manager/GoLiveTab.js';
import { expect, test } from './fixtures.js';
import { managerApproves } from './counter-helpers.js';
import { managerSignsIn } from './desk-helpers.js';
import { freePort, startSandboxCli, type SandboxCli } from './sandbox-cli.js';
import { tid } from './tid.js';

let program: SandboxCli;
test.beforeEach(async () => {
  test.setTimeout(90_000); // the separate sandbox's cold start (npm, tsx) counts in the test's time
  program = await startSandboxCli(await freePort());
});
test.afterEach(async () => {
  await program.stop();
});

test('a manager takes the terminal live, and back to training', async ({ counter: page, terminal, staff }) => {
  const sell = async (points: number) => {
    const sale = await terminal.call<{ id: string }>('startSale', { basketCents: 5000 });
    await terminal.call('identifyMember', { saleId: sale.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'scanner' });
    await terminal.call('quote', { saleId: sale.id, pointsMilli: points * 1000 });
    expect(await terminal.call('confirmRedemption', { saleId: sale.id, pointsMilli: points * 1000 })).toMatchObject({ state: 'posted' });
    return sale.id;
  };
  const trainingSale = await sell(100);
  await expect(page.locator(tid(TID.trainingBanner))).toBeVisible();

  await managerSignsIn(page, staff.managerId, 'golive');
  await expect(page.locator(tid(GOLIVE_TID.mode))).toHaveAttribute('data-mode', 'training');
  // What `npm run sandbox` prints for White Label, under the labels the form uses.
  const shown = program.published;
  const [clientId, clientSecret] = shown['Client']!.split(' / ');
  const values: Record<string, string> = {
    baseUrl: shown['API base']!,
    tokenUrl: shown['Token URL']!,
    apiKey: shown['X-Api-Key']!,
    clientId: clientId!,
    pointsCurrencyValue: shown['Point value']!.split(' ')[0]!,
  };
  for (const [key, value] of Object.entries(values)) await page.locator(tid(GOLIVE_TID.field(key))).fill(value);
  await page.locator(tid(GOLIVE_TID.field('clientSecret'))).fill('not-the-secret');
  await page.locator(tid(GOLIVE_TID.test)).click();
  const result = page.locator(tid(GOLIVE_TID.result));
  await expect(result).toHaveAttribute('data-ok', 'false');
  await expect(result).toHaveAttribute('data-step', 'token');
  await expect(page.locator(tid(GOLIVE_TID.goLive))).toBeDisabled();

  await page.locator(tid(GOLIVE_TID.field('clientSecret'))).fill(clientSecret!);
  await page.locator(tid(GOLIVE_TID.test)).click();
  await expect(result).toHaveAttribute('data-ok', 'true');
  await page.locator(tid(GOLIVE_TID.goLive)).click();
  await managerApproves(page, staff.managerId, 'store opens live');
  await expect(page.locator(tid(GOLIVE_TID.mode))).toHaveAttribute('data-mode', 'live');
  // The secret is never shown back.
  await expect(page.locator(tid(GOLIVE_TID.field('clientSecret')))).toHaveValue('');
  await expect(page.locator(tid(TID.trainingBanner))).toHaveCount(0);
  await expect(page.locator(tid('status-live-environment'))).toBeVisible();

  // The program's own ledger, read over its control API.
  const ledger = async () => (await createControlClient(program).whitelabel.ledger(DEMO_MEMBERS.anna.userId)).events;
  const before = await ledger();
  const liveSale = await sell(200);
  const after = await ledger();
  expect(after).toHaveLength(before.length + 1);
  expect(after.at(-1)).toMatchObject({ pointsDelta: -200 });
  const day = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), utcOffsetMinutes: 0 };
  expect(await terminal.call('getEndOfDay', day)).toMatchObject({ totals: { redemptions: 1, pointsMilli: 200_000 } });
  expect(JSON.stringify(await terminal.call('listSales', { limit: 50 }))).not.toContain(trainingSale);

  await page.locator(tid(GOLIVE_TID.back)).click();
  await managerApproves(page, staff.managerId, 'end of the pilot');
  await expect(page.locator(tid(GOLIVE_TID.mode))).toHaveAttribute('data-mode', 'training');
  await expect(page.locator(tid(TID.trainingBanner))).toBeVisible();
  const sales = JSON.stringify(await terminal.call('listSales', { limit: 50 }));
  expect(sales).toContain(trainingSale);
  expect(sales).not.toContain(liveSale);
});
