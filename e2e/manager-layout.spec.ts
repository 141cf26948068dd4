/**
 * The desk on the screens stores have (issue 21's desk part): at 1366x768,
 * 1280x800, 1024x768 and 800x1280 the queue's "retry now" is on screen and
 * not clipped, the log's columns all fit, desk controls are at least 44x44 CSS
 * px; the queue re-reads itself through TanStack Query after "retry now".
 */
import type { Locator, Page } from '@playwright/test';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID } from '../renderer/src/testids.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, test } from './fixtures.js';
import { tid } from './tid.js';

const SIZES = [
  { width: 1366, height: 768 },
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
  { width: 800, height: 1280 },
];

/** The element's box lies inside the box of its clipping ancestor and of the viewport. */
async function fullyShown(page: Page, el: Locator, clip: Locator): Promise<void> {
  const a = (await el.boundingBox())!;
  const c = (await clip.boundingBox())!;
  const vp = page.viewportSize()!;
  expect(a.x).toBeGreaterThanOrEqual(c.x - 0.5);
  expect(a.x + a.width).toBeLessThanOrEqual(Math.min(c.x + c.width, vp.width) + 0.5);
}

test('queue and log at four screen sizes: nothing cut, controls 44 px; retry now re-reads the queue', async ({ counter: page, terminal, staff, sandbox }) => {
  test.setTimeout(120_000);
  const anna = DEMO_MEMBERS.anna;
  // One redemption waiting in the queue: the member is seen online, then the program goes down.
  const seen = await terminal.call<{ id: string }>('startSale', { basketCents: 1000 });
  await terminal.call('identifyMember', { saleId: seen.id, input: anna.cardNumber, source: 'keyboard' });
  await terminal.call('cancelSale', { saleId: seen.id });
  sandbox.faults.add({ fault: 'down' });
  const s = await terminal.call<{ id: string }>('startSale', { basketCents: 2000 });
  await terminal.call('identifyMember', { saleId: s.id, input: anna.cardNumber, source: 'keyboard' });
  await terminal.call('quote', { saleId: s.id, pointsMilli: 300_000 });
  await terminal.call('confirmRedemption', { saleId: s.id, pointsMilli: 300_000 });
  await expect.poll(async () => (await terminal.call<{ state: string }>('getSale', { saleId: s.id })).state, { timeout: 15_000 }).toBe('queued');

  await managerSignsIn(page, staff.managerId, 'queue');
  const row = page.locator(`${tid(MTID.queueRow)}[data-sale-id="${s.id}"]`);
  const retry = row.locator(tid(MTID.queueRetry));
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.locator(tid(MTID.deskTab('queue'))).click();
    await expect(retry).toBeVisible();
    await fullyShown(page, retry, page.locator('.desk-panel:visible .table-wrap'));
    const box = (await retry.boundingBox())!;
    expect(box.width, `retry now at ${size.width}`).toBeGreaterThanOrEqual(44);
    expect(box.height, `retry now at ${size.width}`).toBeGreaterThanOrEqual(44);
    for (const tab of await page.locator(`${tid(MTID.desk)} .desk-tab`).all()) expect((await tab.boundingBox())!.height).toBeGreaterThanOrEqual(44);

    await page.locator(tid(MTID.deskTab('log'))).click();
    const head = page.locator('.vlog-head');
    await expect(head).toBeVisible();
    const cells = await head.locator('[role="columnheader"]').all();
    expect(cells.length).toBeGreaterThanOrEqual(9);
    for (const cell of cells) await fullyShown(page, cell, page.locator('.vlog'));
  }

  // Retry now: the program is back, the queue is read again without a reload and ends empty.
  sandbox.faults.clear();
  await page.locator(tid(MTID.deskTab('queue'))).click();
  await retry.click();
  await expect(page.locator(tid(MTID.queueEmpty))).toBeVisible({ timeout: 15_000 });
  await expect(page.locator(tid(MTID.queueTotal))).toHaveAttribute('data-value', '0');
});
