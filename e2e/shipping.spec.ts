/**
 * The desk's "Shipping to the chain" panel, end to end in Chromium: off at
 * first; a manager types an address the terminal cannot reach; the panel says
 * so in plain words (never repeating the password) while the counter keeps
 * selling; the manager switches it off again. Shipping to a real PostgreSQL is
 * proven in electron/chain/*.test.ts.
 */
import { createServer } from 'node:net';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID } from '../renderer/src/testids.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, test } from './fixtures.js';
import { tid } from './tid.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

test('the manager sets the chain database; an unreachable one is explained while the counter sells; then switched off', async ({
  counter: page,
  terminal,
  staff,
}) => {
  await managerSignsIn(page, staff.managerId, 'verify');
  const panel = page.locator(tid(MTID.shippingPanel));
  await expect(panel).toHaveAttribute('data-enabled', 'false');

  const port = await closedPort();
  await page.locator(tid(MTID.shippingAddress)).fill(`postgres://pwp_terminal:s3cret@127.0.0.1:${port}/chain`);
  await page.locator(tid(MTID.shippingSave)).click();
  await expect(panel).toHaveAttribute('data-enabled', 'true');
  await expect(panel).toHaveAttribute('data-error-kind', 'unreachable');
  const error = page.locator(tid(MTID.shippingError));
  await expect(error).toContainText(`Cannot reach the chain database at pwp_terminal@127.0.0.1:${port}/chain`);
  await expect(panel).not.toContainText('s3cret');

  // The counter is unaffected: a redemption goes through, and waits in the lag.
  const sale = await terminal.call<{ id: string }>('startSale', { basketCents: 2500 });
  await terminal.call('identifyMember', { saleId: sale.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'keyboard' });
  await terminal.call('quote', { saleId: sale.id, pointsMilli: 100_000 });
  expect((await terminal.call<{ state: string }>('confirmRedemption', { saleId: sale.id, pointsMilli: 100_000 })).state).toBe('posted');
  await expect(panel).not.toHaveAttribute('data-lag', '0');

  await page.locator(tid(MTID.shippingOff)).click();
  await expect(panel).toHaveAttribute('data-enabled', 'false');
});
