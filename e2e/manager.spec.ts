/**
 * The manager's desk, end to end: the real renderer in Chromium, the real
 * terminal service behind the web host, the real sandbox backend. Every
 * terminal starts with a manager and a signed-in cashier (fixtures.ts).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { parse } from 'csv-parse/sync';
import { LOG_CSV_COLUMNS } from '../electron/service/csv-export.js';
import { MTID, TID } from '../renderer/src/testids.js';
import { managerSignsIn, signInWithKeypad } from './desk-helpers.js';
import { expect, STAFF, test, type TerminalProcess } from './fixtures.js';
import { tid } from './tid.js';

/** A paid sale made through the API (as whoever is signed in at the terminal). */
async function paidSale(t: TerminalProcess, member: { cardNumber: string }, basketCents: number, pointsMilli: number): Promise<string> {
  const sale = await t.call<{ id: string }>('startSale', { basketCents });
  await t.call('identifyMember', { saleId: sale.id, input: member.cardNumber, source: 'keyboard' });
  await t.call('quote', { saleId: sale.id, pointsMilli });
  const confirmed = await t.call<{ state: string }>('confirmRedemption', { saleId: sale.id, pointsMilli });
  expect(confirmed.state).toBe('posted');
  await t.call('markPaid', { saleId: sale.id });
  return sale.id;
}

test('sign in as cashier; a void asks for the manager, a wrong PIN says how many tries are left', async ({ counter: page, terminal, staff, sandbox }) => {
  const anna = DEMO_MEMBERS.anna;
  // Start of shift: the cashier signs out and back in with the keypad.
  await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-person-id', staff.cashierId);
  await page.locator(tid(MTID.signOut)).click();
  await expect(page.locator(tid(MTID.signIn))).toBeVisible();
  await expect(page.locator(tid(TID.counter))).toHaveCount(0);
  await signInWithKeypad(page, staff.cashierId, '9999');
  await expect(page.locator(tid(MTID.signInError))).toHaveAttribute('data-code', 'PIN_WRONG');
  await expect(page.locator(tid(MTID.signInError))).toContainText('4 tries left');
  for (const digit of STAFF.cashier.pin) await page.locator(tid(MTID.pinKey(digit))).click();
  await page.locator(tid(MTID.pinSubmit)).click();
  await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-role', 'cashier');
  await expect(page.locator(tid(TID.counter))).toBeVisible();

  const saleId = await paidSale(terminal, anna, 4560, 1_200_000);

  // The cashier opens the desk: today's sales are there; the manager's views ask for a manager.
  await page.locator(tid(MTID.navDesk)).click();
  await page.locator(tid(MTID.deskTab('log'))).click();
  await expect(page.locator(tid(MTID.managerGate))).toBeVisible();
  await page.locator(tid(MTID.deskTab('sales'))).click();
  await page.locator(`${tid(MTID.salesRow)}[data-sale-id="${saleId}"]`).click();
  const detail = page.locator(tid(MTID.sale));
  await expect(detail).toHaveAttribute('data-state', 'paid');

  // Void: the approval dialog asks for the manager, their PIN and why.
  await page.locator(tid(MTID.saleVoid)).click();
  const dialog = page.locator(tid(MTID.approval));
  await expect(dialog).toBeVisible();
  await expect(dialog.locator(`${tid(MTID.approvalManager)}[data-person-id="${staff.managerId}"]`)).toHaveAttribute('aria-pressed', 'true');
  await dialog.locator(tid(MTID.approvalPin)).fill('1111');
  await dialog.locator(tid(MTID.approvalReason)).fill('customer changed their mind');
  await dialog.locator(tid(MTID.approvalSubmit)).click();
  await expect(dialog.locator(tid(MTID.approvalError))).toHaveAttribute('data-code', 'PIN_WRONG');
  await expect(dialog.locator(tid(MTID.approvalError))).toContainText('4 tries left');
  await expect(detail).toHaveAttribute('data-state', 'paid');
  // The right PIN (typed on the dialog's keypad).
  for (const digit of STAFF.manager.pin) await dialog.locator(tid(MTID.pinKey(digit))).click();
  await dialog.locator(tid(MTID.approvalSubmit)).click();
  await expect(dialog).toHaveCount(0);
  await expect(detail).toHaveAttribute('data-state', 'voided');
  await expect(page.locator(tid(MTID.saleCompensation))).toHaveAttribute('data-state', /waiting|done/);
  await expect(page.locator(tid(MTID.saleCompensation))).toHaveAttribute('data-state', 'done', { timeout: 15_000 });
  // The points came back at the backend; the cashier is still the one signed in.
  await expect.poll(() => sandbox.backends.whitelabel.state.balances(anna.userId)[anna.userId]).toBe(2500);
  await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-role', 'cashier');
  // The log says who approved it, and why.
  const log = await terminal.call<{ entries: { kind: string; detail: Record<string, unknown> | null }[] }>('listLog', { limit: 50, saleId });
  const voided = log.entries.find((e) => e.kind === 'sale.voided');
  expect(voided?.detail).toMatchObject({ managerId: staff.managerId, reason: 'customer changed their mind' });
});

test('filter the log by kind, member, person and words', async ({ counter: page, terminal, staff }) => {
  const anna = DEMO_MEMBERS.anna;
  const bram = DEMO_MEMBERS.bram;
  const annaSale = await paidSale(terminal, anna, 2000, 500_000);
  await paidSale(terminal, bram, 3000, 700_000);
  await managerSignsIn(page, staff.managerId, 'log');

  const rows = page.locator(tid(MTID.logRow));
  const count = page.locator(tid(MTID.logCount));
  await expect(count).toHaveAttribute('data-done', 'true');
  const all = Number(await count.getAttribute('data-value'));
  expect(all).toBeGreaterThan(10);

  // What: paid sales only.
  await page.locator(tid(MTID.logKind)).selectOption('sale.paid');
  await page.locator(tid(MTID.logApply)).click();
  await expect(count).toHaveAttribute('data-value', '2');
  await expect(rows).toHaveCount(2);
  for (const kind of await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))) expect(kind).toBe('sale.paid');

  // And the member's last four digits: Anna's sale only.
  await page.locator(tid(MTID.logMember)).fill(anna.cardNumber.slice(-4));
  await page.locator(tid(MTID.logApply)).click();
  await expect(count).toHaveAttribute('data-value', '1');
  await expect(rows.first()).toContainText(anna.cardNumber.slice(-4));

  // A bad member filter is refused in plain words.
  await page.locator(tid(MTID.logMember)).fill('12');
  await page.locator(tid(MTID.logApply)).click();
  await expect(page.locator(tid(MTID.logFilterProblem))).toBeVisible();

  // Who: the manager's own entries (signed in, approvals...), none of the cashier's sales.
  await page.locator(tid(MTID.logClear)).click();
  await expect(count).toHaveAttribute('data-value', String(all + 0 /* nothing new was logged by reading */));
  await page.locator(tid(MTID.logActor)).selectOption(staff.managerId);
  await page.locator(tid(MTID.logApply)).click();
  await expect(count).toHaveAttribute('data-done', 'true');
  const kinds = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  expect(kinds.length).toBeGreaterThan(0);
  expect(kinds).not.toContain('sale.paid');
  expect(kinds).toContain('person.signin');

  // Words: the sale's id finds its whole story; a click opens the sale.
  await page.locator(tid(MTID.logActor)).selectOption('');
  await page.locator(tid(MTID.logText)).fill(annaSale);
  await page.locator(tid(MTID.logApply)).click();
  await expect(count).toHaveAttribute('data-done', 'true');
  const story = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
  expect(story).toEqual(expect.arrayContaining(['sale.started', 'redeem.posted', 'sale.paid']));
  await rows.first().click();
  await page.locator(tid(MTID.logOpenSale)).click();
  await expect(page.locator(tid(MTID.sale))).toHaveAttribute('data-sale-id', annaSale);
  await expect(page.locator(tid(MTID.saleStoryRow)).first()).toHaveAttribute('data-kind', 'sale.started');
});

test('export the log as CSV and read it back', async ({ counter: page, terminal, staff }) => {
  const saleId = await paidSale(terminal, DEMO_MEMBERS.anna, 4560, 1_200_000);
  await managerSignsIn(page, staff.managerId, 'export');
  await page.locator(tid(MTID.exportSubmit)).click();
  const link = page.locator(tid(MTID.exportLink));
  await expect(link).toBeVisible();
  const href = await link.getAttribute('href');
  expect(href).toMatch(/\/api\/export\/log_[^/]+\.csv\?ticket=/);
  expect(new URL(href!).origin).toBe(new URL(terminal.openUrl).origin);

  const res = await fetch(href!);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/csv');
  const text = await res.text();
  // Read back with a spreadsheet-grade parser; English: commas and decimal points.
  const rows = parse(text, { bom: true, relax_column_count: true }) as string[][];
  const header = rows[0]!;
  expect(header.slice(0, 3)).toEqual(['Entry', 'Date and time', 'Terminal']);
  const col = (name: (typeof LOG_CSV_COLUMNS)[number]) => LOG_CSV_COLUMNS.indexOf(name);
  const paid = rows.find((r) => r[col('kindCode')] === 'sale.paid' && r[col('sale')] === saleId);
  expect(paid).toBeTruthy();
  expect(paid![col('what')]).toBe('Paid');
  expect(paid![col('toPay')]).toBe('33.60'); // what the customer paid, under its own heading
  expect(paid![col('currency')]).toBe('EUR');
  expect(paid![col('at')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(paid![col('person')]).toBe(STAFF.cashier.name);
  // Member numbers stay masked in the file.
  expect(text).not.toContain(DEMO_MEMBERS.anna.cardNumber);

  // The link works once.
  expect((await fetch(href!)).status).toBe(410);

  // The end of day exports from its own screen.
  await page.locator(tid(MTID.deskTab('end-of-day'))).click();
  await page.locator(tid(MTID.eodExport)).click();
  const eodHref = await page.locator(tid(MTID.eod)).locator(tid(MTID.exportLink)).getAttribute('href');
  expect(eodHref).toMatch(/\/api\/export\/end-of-day_[^/]+\.csv\?ticket=/);
  const eod = parse(await (await fetch(eodHref!)).text(), { bom: true, relax_column_count: true }) as string[][];
  expect(eod.find((r) => r[0] === 'Redemptions')![1]).toBe('1');
  expect(eod.find((r) => r[0] === 'Discounts given')![1]).toBe('12.00');
});

test('end of day totals match the sales made', async ({ counter: page, terminal, staff }) => {
  const made = [
    { member: DEMO_MEMBERS.anna, basket: 4560, points: 1_200_000 },
    { member: DEMO_MEMBERS.bram, basket: 2000, points: 500_000 },
    { member: DEMO_MEMBERS.chloe, basket: 1000, points: 300_000 },
  ];
  for (const s of made) await paidSale(terminal, s.member, s.basket, s.points);
  const points = made.reduce((n, s) => n + s.points, 0);
  const discount = made.reduce((n, s) => n + s.points / 1000, 0); // the sandbox rate: 1 point = 1 cent

  await managerSignsIn(page, staff.managerId, 'end-of-day');
  const figure = (k: string) => page.locator(tid(MTID.eodFigure(k)));
  await expect(figure('redemptions')).toHaveAttribute('data-value', String(made.length));
  await expect(figure('points')).toHaveAttribute('data-value', String(points));
  await expect(figure('discounts')).toHaveAttribute('data-value', String(discount));
  await expect(figure('voids')).toHaveAttribute('data-value', '0');
  await expect(figure('queued')).toHaveAttribute('data-value', '0');
  const cashier = page.locator(`${tid(MTID.eodCashier)}[data-person-id="${staff.cashierId}"]`);
  await expect(cashier).toHaveAttribute('data-redemptions', String(made.length));
  await expect(cashier).toHaveAttribute('data-cents', String(discount));
  // The chart shows them in this hour.
  const bars = await page.locator(tid(MTID.eodBar)).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  expect(bars).toHaveLength(24);
  expect(bars.reduce((a, b) => a + b, 0)).toBe(made.length);
  // The same figures as the service's own summary.
  const now = new Date();
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const summary = await terminal.call<{ totals: { redemptions: number; discountCents: number } }>('getEndOfDay', {
    from: from.toISOString(),
    to: new Date(from.getFullYear(), from.getMonth(), from.getDate() + 1).toISOString(),
    utcOffsetMinutes: -from.getTimezoneOffset(),
  });
  expect(summary.totals).toMatchObject({ redemptions: made.length, discountCents: discount });
});

test('a tampered database is reported by "verify the log"', async ({ counter: page, terminal, staff }) => {
  await paidSale(terminal, DEMO_MEMBERS.anna, 4560, 1_200_000);
  await managerSignsIn(page, staff.managerId, 'verify');
  const result = page.locator(tid(MTID.verifyResult));
  await page.locator(tid(MTID.verifyRun)).click();
  await expect(result).toHaveAttribute('data-intact', 'true');

  // Someone edits the amount of the paid entry straight in the terminal's SQLite file.
  const db = new Database(join(terminal.dataDir, 'terminal.db'));
  let seq: number;
  try {
    db.pragma('busy_timeout = 5000');
    seq = (db.prepare(`SELECT seq FROM log WHERE kind = 'sale.paid' ORDER BY seq DESC LIMIT 1`).get() as { seq: number }).seq;
    expect(db.prepare('UPDATE log SET amount_cents = 1 WHERE seq = ?').run(seq).changes).toBe(1);
  } finally {
    db.close();
  }

  await page.locator(tid(MTID.verifyRun)).click();
  await expect(result).toHaveAttribute('data-intact', 'false');
  await expect(result).toHaveAttribute('data-problem', 'changed');
  await expect(result).toHaveAttribute('data-first-bad-seq', String(seq));
  await expect(result).toContainText(`Entry ${seq} was changed.`);
});

test('first start asks for the first manager; the language switches the whole desk', async ({ page, terminal }) => {
  // A terminal with nobody yet: no default credentials, the first manager is created here.
  await page.goto(terminal.openUrl);
  await expect(page.locator(tid(MTID.firstStart))).toBeVisible();
  await page.locator(tid(MTID.firstName)).fill('Ann Owner');
  await page.locator(tid(MTID.firstPin)).fill('246802');
  await page.locator(tid(MTID.firstPin2)).fill('246803');
  await page.locator(tid(MTID.firstSubmit)).click();
  await expect(page.locator(tid(MTID.firstError))).toBeVisible();
  await page.locator(tid(MTID.firstPin2)).fill('246802');
  await page.locator(tid(MTID.firstSubmit)).click();
  // The recovery code is shown once, until the manager says it is written down.
  await expect(page.locator(tid(MTID.recoveryCode))).toHaveText(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
  await page.locator(tid(MTID.recoveryDone)).click();
  await expect(page.locator(tid(MTID.sessionName))).toHaveAttribute('data-role', 'manager');

  // The manager adds a cashier on the People tab.
  await page.locator(tid(MTID.navDesk)).click();
  await page.locator(tid(MTID.deskTab('people'))).click();
  await page.locator(tid(MTID.personName)).fill('Bo Cashier');
  await page.locator(tid(MTID.personPin)).fill('1357');
  await page.locator(tid(MTID.personAdd)).click();
  await expect(page.locator(tid(MTID.personRow))).toHaveCount(2);

  // Settings: the terminal's language is Dutch; the whole UI follows.
  await page.locator(tid(MTID.deskTab('settings'))).click();
  await page.locator(tid(MTID.settingsField('language'))).selectOption('nl');
  await page.locator(tid(MTID.settingsSave)).click();
  await expect(page.locator(tid(MTID.deskTab('log')))).toHaveText('Logboek');
  await expect(page.locator(tid(MTID.signOut))).toHaveText('Afmelden');
  const settings = await terminal.call<{ language: string }>('getSettings', {});
  expect(settings.language).toBe('nl');
  await page.locator(tid(MTID.signOut)).click();
  await expect(page.locator(tid(MTID.signIn))).toContainText('Wie staat er aan de kassa?');

  // Five wrong PINs lock the cashier out: the screen says until when, and the name stays greyed out.
  const bo = page.locator(tid(MTID.signInPerson)).filter({ hasText: 'Bo Cashier' });
  await bo.click();
  const error = page.locator(tid(MTID.signInError));
  for (let i = 1; i <= 5; i++) {
    await page.locator(tid(MTID.pinInput)).fill('0000');
    await page.locator(tid(MTID.pinInput)).press('Enter');
    await expect(error).toHaveAttribute('data-code', i < 5 ? 'PIN_WRONG' : 'LOCKED_OUT');
    if (i < 5) await expect(error).toContainText(`Nog ${5 - i} poging`);
  }
  await expect(error).toContainText(/geblokkeerd tot \d{2}:\d{2}/);
  await page.locator(tid(MTID.signInOther)).click();
  await expect(bo).toBeDisabled();
  await expect(bo).toContainText(/Geblokkeerd tot \d{2}:\d{2}/);
});
