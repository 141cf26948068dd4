/**
 * A manager's day, end to end (issue 22): twelve sales by three cashiers, two
 * taken offline and refused later by the program, a void, two part-refunds;
 * then the manager reads the end of day on screen, prints it (page.pdf()
 * rendered to an image with poppler's pdftoppm, its text read with
 * pdftotext) and exports it in Dutch (read back with csv-parse using the
 * semicolon the locale implies). The sales are seeded through the contract
 * API (faster than clicking); every figure is checked where the manager
 * reads it, against the walk's own bookkeeping.
 */
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { MTID } from '../renderer/src/testids.js';
import { managerSignsIn } from './desk-helpers.js';
import { expect, STAFF, test, type TerminalProcess } from './fixtures.js';
import { readPgm } from './pdf-image.js';
import { tid } from './tid.js';

interface Planned {
  cashier: 'chris' | 'bo' | 'cleo';
  member: keyof typeof DEMO_MEMBERS;
  basketCents: number;
  points: number;
}

// The sandbox's White Label program: whole points, 1 point = 1 cent.
const ONLINE: Planned[] = [
  { cashier: 'chris', member: 'anna', basketCents: 2000, points: 300 },
  { cashier: 'chris', member: 'bram', basketCents: 3000, points: 500 },
  { cashier: 'chris', member: 'bram', basketCents: 4000, points: 800 }, // voided
  { cashier: 'chris', member: 'anna', basketCents: 1500, points: 200 },
  { cashier: 'bo', member: 'bram', basketCents: 5000, points: 1000 }, // part-refunded: 10.00 of 50.00
  { cashier: 'bo', member: 'anna', basketCents: 2500, points: 400 },
  { cashier: 'bo', member: 'chloe', basketCents: 1000, points: 100 }, // chloe: 300 -> 200
  { cashier: 'bo', member: 'bram', basketCents: 3000, points: 600 }, // part-refunded: 15.00 of 30.00
  { cashier: 'cleo', member: 'anna', basketCents: 1200, points: 250 },
  { cashier: 'cleo', member: 'bram', basketCents: 2000, points: 700 },
];
// Cleo's last two: taken offline on chloe's last known balance (200), refused when the program is back.
const OFFLINE: Planned[] = [
  { cashier: 'cleo', member: 'chloe', basketCents: 1000, points: 100 },
  { cashier: 'cleo', member: 'chloe', basketCents: 800, points: 100 },
];

async function sale(t: TerminalProcess, p: Planned, expectState: 'posted' | 'queued'): Promise<string> {
  const s = await t.call<{ id: string }>('startSale', { basketCents: p.basketCents });
  await t.call('identifyMember', { saleId: s.id, input: DEMO_MEMBERS[p.member].cardNumber, source: 'keyboard' });
  await t.call('quote', { saleId: s.id, pointsMilli: p.points * 1000 });
  await t.call('confirmRedemption', { saleId: s.id, pointsMilli: p.points * 1000 });
  // On a loaded machine the answer may still be on its way when confirm returns ('posting'): wait for it.
  await expect.poll(async () => (await t.call<{ state: string }>('getSale', { saleId: s.id })).state, { timeout: 15_000 }).toBe(expectState);
  await t.call('markPaid', { saleId: s.id });
  return s.id;
}

test("a manager's day adds up on screen, on paper and in the CSV", async ({ page, terminal, staff, sandbox }) => {
  test.setTimeout(180_000);
  const wl = sandbox.backends.whitelabel.state;
  const approval = (reason: string) => ({ managerId: staff.managerId, pin: STAFF.manager.pin, reason });
  const cashiers = {
    chris: { id: staff.cashierId, name: STAFF.cashier.name, pin: STAFF.cashier.pin },
    bo: { id: '', name: 'Bo Baker', pin: '2222' },
    cleo: { id: '', name: 'Cleo Clerk', pin: '3333' },
  };
  for (const c of [cashiers.bo, cashiers.cleo])
    c.id = (await terminal.call<{ id: string }>('createPerson', { name: c.name, role: 'cashier', pin: c.pin, approval: approval('new cashier') })).id;

  // Twelve sales by three cashiers (each signed in at the terminal for their own).
  const ids: string[] = [];
  for (const p of ONLINE) {
    const c = cashiers[p.cashier];
    await terminal.call('signIn', { personId: c.id, pin: c.pin });
    ids.push(await sale(terminal, p, 'posted'));
  }
  sandbox.faults.add({ fault: 'down' });
  for (const p of OFFLINE) ids.push(await sale(terminal, p, 'queued'));
  // Meanwhile chloe spends her points elsewhere: when the program is back, it refuses both.
  wl.applyEvent('REDEEMED_POINTS', DEMO_MEMBERS.chloe.userId, { elsewhere: true }, 200);
  sandbox.faults.clear();
  await expect
    .poll(async () => (await terminal.call<{ queue: { waiting: number; attention: number } }>('getStatus')).queue, { timeout: 20_000 })
    .toEqual({ waiting: 0, attention: 2 });

  // A void and two part-refunds, each approved by the manager.
  await terminal.call('voidSale', { saleId: ids[2], approval: approval('wrong member') });
  await terminal.call('refundSale', { saleId: ids[4], amountCents: 1000, approval: approval('one item back') });
  await terminal.call('refundSale', { saleId: ids[7], amountCents: 1500, approval: approval('half returned') });
  await expect.poll(async () => (await terminal.call<{ queue: { waiting: number } }>('getStatus')).queue.waiting, { timeout: 20_000 }).toBe(0);
  // A sale the cashier cancelled after the points were shown: no redemption, no points on the list.
  const cancelled = await terminal.call<{ id: string }>('startSale', { basketCents: 900 });
  await terminal.call('identifyMember', { saleId: cancelled.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'keyboard' });
  await terminal.call('quote', { saleId: cancelled.id, pointsMilli: 900_000 });
  await terminal.call('cancelSale', { saleId: cancelled.id });
  expect(wl.balances(DEMO_MEMBERS.chloe.userId)[DEMO_MEMBERS.chloe.userId]).toBe(0); // the refusals took nothing

  // The walk's own bookkeeping.
  const taken = ONLINE.reduce((n, p) => n + p.points, 0); // 4850
  const voided = ONLINE[2]!.points; // 800
  const refundedPoints = 200 + 300; // in proportion: 10/50 of 1000, 15/30 of 600
  const netPoints = taken - voided - refundedPoints; // 3550
  const netCents = netPoints; // 1 point = 1 cent, and each refund's share of the discount is its share of the points
  const refused = OFFLINE.reduce((n, p) => n + p.points, 0);

  // ---- on screen ----
  await terminal.call('signIn', { personId: cashiers.chris.id, pin: cashiers.chris.pin });
  await page.goto(terminal.openUrl);
  await managerSignsIn(page, staff.managerId, 'end-of-day');
  const figure = (k: string) => page.locator(tid(MTID.eodFigure(k)));
  await expect(figure('redemptions')).toHaveAttribute('data-value', String(ONLINE.length)); // not the refused two
  await expect(figure('points')).toHaveAttribute('data-value', String(taken * 1000));
  await expect(figure('discounts')).toHaveAttribute('data-value', String(taken));
  await expect(figure('netPoints')).toHaveAttribute('data-value', String(netPoints * 1000));
  await expect(figure('netDiscounts')).toHaveAttribute('data-value', String(netCents));
  await expect(figure('netDiscounts')).toContainText(new Intl.NumberFormat('en-BE', { style: 'currency', currency: 'EUR' }).format(netCents / 100));
  await expect(figure('refundedPoints')).toHaveAttribute('data-value', String(refundedPoints * 1000));
  await expect(figure('voidedPoints')).toHaveAttribute('data-value', String(voided * 1000));
  await expect(figure('refunds')).toHaveAttribute('data-value', '2');
  await expect(figure('voids')).toHaveAttribute('data-value', '1');
  await expect(figure('refused')).toHaveAttribute('data-value', '2');
  await expect(figure('refused')).toContainText(String(refused));
  await expect(figure('atRisk')).toHaveAttribute('data-value', String(refused));
  await expect(figure('offline')).toHaveAttribute('data-value', '2');
  await expect(figure('attention')).toHaveAttribute('data-value', '2');
  await expect(figure('queued')).toHaveAttribute('data-value', '0');
  const row = (id: string) => page.locator(`${tid(MTID.eodCashier)}[data-person-id="${id}"]`);
  for (const [key, c] of Object.entries(cashiers)) {
    const mine = ONLINE.filter((p) => p.cashier === key);
    await expect(row(c.id)).toHaveAttribute('data-redemptions', String(mine.length));
    await expect(row(c.id)).toHaveAttribute('data-refused', String(OFFLINE.filter((p) => p.cashier === key).length));
  }
  await expect(row(cashiers.chris.id)).toHaveAttribute('data-voids', '1'); // beside the sale's cashier
  await expect(row(cashiers.bo.id)).toHaveAttribute('data-refunds', '2');
  await expect(row(cashiers.bo.id)).toHaveAttribute('data-net-points', String((1000 + 400 + 100 + 600 - 500) * 1000));
  // ... and credited to the manager who made them.
  const manager = page.locator(`${tid(MTID.eodManager)}[data-person-id="${staff.managerId}"]`);
  await expect(manager).toHaveAttribute('data-voids', '1');
  await expect(manager).toHaveAttribute('data-refunds', '2');
  await expect(manager).toContainText(STAFF.manager.name);
  await expect(page.locator(tid(MTID.eodTraining))).toBeVisible();
  const terminalName = (await terminal.call<{ terminalName: string }>('getSettings')).terminalName;
  await expect(page.locator(tid(MTID.eodIdentity))).toContainText(terminalName);

  // ---- on paper: A4, margins, every column, the terminal and the TRAINING mark ----
  await page.emulateMedia({ media: 'print' });
  const overflowing = await page.evaluate(() =>
    [document.documentElement, ...document.querySelectorAll('.eod .table-wrap')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.className || el.tagName),
  );
  expect(overflowing, 'nothing wider than the page (no printed scrollbar, no cut column)').toEqual([]);
  await page.emulateMedia({ media: null });
  const dir = mkdtempSync(join(tmpdir(), 'pwp-eod-print-'));
  try {
    const pdf = join(dir, 'eod.pdf');
    writeFileSync(pdf, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(terminalName);
    expect(text).toContain('TRAINING');
    const header = text.split('\n').find((l) => /^\s*Cashier\b/.test(l));
    expect(header, text).toMatch(/redemptions\s*$/); // the by-cashier table's last column, "Refused redemptions", on paper
    const cleoLine = text.split('\n').find((l) => l.includes(cashiers.cleo.name) && /\d\s*$/.test(l));
    expect(cleoLine, `Cleo's row in:\n${text}`).toBeTruthy();
    expect(cleoLine!.trim().endsWith('2'), text).toBe(true); // her two refusals: the last column's figures too
    // Rendered to an image: white margins all round on every page (nothing printed to the paper's edge).
    execFileSync('pdftoppm', ['-r', '36', '-gray', pdf, join(dir, 'page')]);
    const pages = execFileSync('sh', ['-c', `ls ${join(dir, 'page')}*.pgm`], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const file of pages) {
      const img = readPgm(readFileSync(file));
      const margin = Math.floor((10 / 25.4) * 36); // 10 mm at 36 dpi
      expect(img.inkIn({ x: 0, y: 0, w: margin, h: img.height }), `${file} left margin`).toBe(0);
      expect(img.inkIn({ x: img.width - margin, y: 0, w: margin, h: img.height }), `${file} right margin`).toBe(0);
      expect(img.inkIn({ x: 0, y: 0, w: img.width, h: margin }), `${file} top margin`).toBe(0);
      expect(img.inkIn({ x: margin, y: margin, w: img.width - 2 * margin, h: img.height - 2 * margin }), `${file} has content`).toBeGreaterThan(0);
    }
    if (process.env.EOD_PRINT_PNG)
      execFileSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, process.env.EOD_PRINT_PNG.replace(/\.png$/, '')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // ---- the sales list: the cashier, the refusals flagged, nothing taken on the cancelled sale ----
  await page.locator(tid(MTID.deskTab('sales'))).click();
  const saleRow = (id: string) => page.locator(`${tid(MTID.salesRow)}[data-sale-id="${id}"]`);
  for (const id of ids.slice(10)) {
    await expect(saleRow(id).locator(tid(MTID.salesFlag))).toHaveAttribute('data-flag', 'refused');
    await expect(saleRow(id).locator(tid(MTID.salesCashier))).toHaveText(cashiers.cleo.name);
  }
  await expect(saleRow(ids[0]!).locator(tid(MTID.salesFlag))).toHaveCount(0);
  await expect(saleRow(ids[4]!).locator(tid(MTID.salesCashier))).toHaveText(cashiers.bo.name);
  await expect(saleRow(cancelled.id)).toHaveAttribute('data-state', 'cancelled');
  await expect(saleRow(cancelled.id).locator(tid(MTID.salesPoints))).toHaveText('—');
  // One refusal handled: its queue row no longer says "needs attention".
  const { items } = await terminal.call<{ items: { item: string; saleId: string }[] }>('listAttention', {});
  const item = items.find((i) => i.saleId === ids[10])!;
  await terminal.call('markHandled', { item: item.item, reason: 'member paid the difference', approval: approval('handled at the counter') });
  await saleRow(ids[10]!).click();
  // The program's refusal of a redemption accepted offline is said as a refusal, not "Outcome unknown";
  // the code stays out of the words (it is the entry's title and data).
  const refusal = page.locator(`${tid(MTID.saleStoryRow)}[data-kind="redeem.attention"]`).first();
  await expect(refusal).toContainText('Refused after offline acceptance');
  await expect(refusal).not.toContainText('Outcome unknown');
  await expect(refusal.locator('.outcome-words')).not.toHaveText(/[A-Z]{3,}_[A-Z]{3,}/);
  const outboxRow = page.locator(tid(MTID.saleOutboxRow)).first();
  await expect(outboxRow).toHaveAttribute('data-handled', 'true');
  await expect(outboxRow).not.toContainText('Needs attention');
  await expect(outboxRow).toContainText('Handled');

  // ---- in the CSV, in Dutch: semicolons and decimal commas, read back with csv-parse ----
  await page.locator(tid(MTID.deskTab('settings'))).click();
  await page.locator(tid(MTID.settingsField('language'))).selectOption('nl');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(page.locator(tid(MTID.deskTab('end-of-day')))).toHaveText('Dagafsluiting');
  await page.locator(tid(MTID.deskTab('end-of-day'))).click();
  // The day is written the way the UI's language writes it (dd/mm/yyyy), whatever the browser's own locale.
  const today = new Date();
  const dd = (n: number) => String(n).padStart(2, '0');
  await expect(page.locator(tid(MTID.eodDay))).toHaveValue(`${dd(today.getDate())}/${dd(today.getMonth() + 1)}/${today.getFullYear()}`);
  await expect(page.locator(tid(MTID.eodDay))).toHaveAttribute('placeholder', 'dd/mm/jjjj');
  await page.locator(tid(MTID.eodExport)).click();
  const href = await page.locator(tid(MTID.eod)).locator(tid(MTID.exportLink)).getAttribute('href');
  const now = new Date();
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  expect(decodeURIComponent(new URL(href!).pathname)).toMatch(new RegExp(`/end-of-day_[^_]+_${day}\\.csv$`)); // named for the day
  const csv = parse(await (await fetch(href!)).text(), { bom: true, delimiter: ';', relax_column_count: true }) as string[][];
  const value = (label: string) => csv.find((r) => r[0] === label)?.[1];
  const comma = (n: number) => `${Math.floor(n / 100)},${String(n % 100).padStart(2, '0')}`;
  expect(value('Inwisselingen')).toBe(String(ONLINE.length));
  expect(value('Punten')).toBe(String(taken));
  expect(value('Gegeven kortingen')).toBe(comma(taken));
  expect(value('Netto punten')).toBe(String(netPoints));
  expect(value('Netto kortingen')).toBe(comma(netCents));
  expect(value('Punten teruggegeven bij terugbetalingen')).toBe(String(refundedPoints));
  expect(value('Geweigerde inwisselingen')).toBe('2');
  expect(value('Korting in het gedrang (geweigerd na offline)')).toBe(comma(refused));
  const byCashier = csv.findIndex((r) => r[0] === 'Per kassier');
  expect(csv[byCashier + 1]!.at(-1)).toBe('Geweigerde inwisselingen');
  expect(csv.find((r, i) => i > byCashier && r[0] === cashiers.cleo.name)!.at(-1)).toBe('2');
  expect(csv.find((r) => r[0] === STAFF.manager.name)!.slice(1, 4)).toEqual(['1', String(voided), '2']);

  // ---- verify leads somewhere: someone changes an amount in the database ----
  const db = new Database(join(terminal.dataDir, 'terminal.db'));
  let seq: number;
  try {
    db.pragma('busy_timeout = 5000');
    seq = (db.prepare(`SELECT seq FROM log WHERE kind = 'sale.refunded' ORDER BY seq LIMIT 1`).get() as { seq: number }).seq;
    expect(db.prepare('UPDATE log SET amount_cents = 1 WHERE seq = ?').run(seq).changes).toBe(1);
  } finally {
    db.close();
  }
  await page.locator(tid(MTID.deskTab('verify'))).click();
  await page.locator(tid(MTID.verifyRun)).click();
  const result = page.locator(tid(MTID.verifyResult));
  await expect(result).toHaveAttribute('data-first-bad-seq', String(seq));
  await expect(result.getByText(`Regel ${seq} werd gewijzigd`)).toHaveCount(1); // said once
  await expect(page.locator(tid(MTID.verifyAdvice))).toContainText('ondersteuning');
  await page.locator(tid(MTID.verifyOpenEntry)).click();
  const changed = page.locator(`${tid(MTID.logRow)}[data-seq="${seq}"]`);
  await expect(changed).toHaveAttribute('data-tampered', 'true');
  await expect(changed).toContainText('gewijzigd');
  await expect(page.locator(tid(MTID.logEntry))).toHaveAttribute('data-seq', String(seq));
  await expect(page.locator(`${tid(MTID.logRow)}[data-seq="${seq - 1}"]`)).toHaveAttribute('data-tampered', 'false');
  // The end of day warns, on screen and on paper.
  await page.locator(tid(MTID.deskTab('end-of-day'))).click();
  await page.locator(tid(MTID.eod)).getByRole('button', { name: 'Vernieuwen' }).click();
  await expect(page.locator(tid(MTID.eodTampered))).toContainText(`regel ${seq}`);
  const again = join(mkdtempSync(join(tmpdir(), 'pwp-eod-print-')), 'eod.pdf');
  writeFileSync(again, await page.pdf({ format: 'A4', preferCSSPageSize: true }));
  const warned = execFileSync('pdftotext', [again, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  rmSync(dirname(again), { recursive: true, force: true });
  expect(warned).toContain('bel de ondersteuning');
});
