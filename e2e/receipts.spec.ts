/**
 * The member's slip at the counter (issue 17), end to end: a network
 * thermal printer (a loopback TCP server answering ESC/POS status) prints
 * the slip by itself after Paid; out of paper, the cashier reads what to do
 * and the sale stays paid; the slip as a PDF is one link away.
 */
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { TID } from '../renderer/src/testids.js';
import { readEscPos } from '../test/escpos-reader.js';
import { startLoopbackPrinter } from '../test/loopback-printer.js';
import { expect, STAFF, test } from './fixtures.js';
import { saleWithMember } from './counter-helpers.js';
import { tid } from './tid.js';

test('the slip prints by itself after Paid; out of paper says what to do and the sale stays paid; a PDF link', async ({ counter: page, terminal, staff }) => {
  const printer = await startLoopbackPrinter();
  try {
    const approval = { managerId: staff.managerId, pin: STAFF.manager.pin, reason: 'printer set-up' };
    await terminal.call('updateSettings', { patch: { printer: { kind: 'network', host: '127.0.0.1', port: printer.port, paper: 80 } }, approval });

    await saleWithMember(page, '30', DEMO_MEMBERS.anna.cardNumber);
    await page.locator(tid(TID.pointsInput)).fill('1000');
    await page.locator(tid(TID.confirm)).click();
    await expect(page.locator(tid(TID.resultBalance))).toHaveAttribute('data-milli', '1500000');
    const job = printer.nextJob();
    await page.locator(tid(TID.paid)).click();
    const status = page.locator(tid(TID.slipStatus));
    await expect(status).toHaveAttribute('data-printed', 'true');
    await expect(status).toHaveText('The slip is printed.');
    const lines = readEscPos(await job).lines.map((l) => l.text);
    expect(lines).toContainEqual(expect.stringMatching(/^Points used +1,000$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Discount +€10\.00$/));
    expect(lines).toContainEqual(expect.stringMatching(/^Balance after +1,500$/));

    printer.state = { paperOut: true };
    await page.locator(tid(TID.slipPrint)).click();
    await expect(status).toHaveAttribute('data-problem', 'paper-out');
    await expect(status).toContainText('out of paper');
    await expect(status).toContainText('The sale itself is done and saved');
    await expect(page.locator(tid(TID.counter))).toHaveAttribute('data-state', 'paid');
    expect(printer.jobs).toHaveLength(1);

    // The slip as a PDF: a one-time link appears (its bytes are read back with pdftotext in electron/receipts/receipts.test.ts).
    await page.locator(tid(TID.slipAskPdf)).click();
    await expect(page.locator(tid(TID.slipPdf))).toHaveAttribute('href', /\/api\/export\/slip_sale_.*\.pdf\?ticket=/);
  } finally {
    await printer.close();
  }
});
