import { readDay } from './DateField';
import { describe, expect, it } from 'vitest';
import type { DeskLogEntry, LogPage, SettingsView, VerifyReport } from '../../../../shared/contract/manager';
import type { SaleView } from '../../../../shared/domain';
import { fullDay, layoutBars, niceMax, ticks } from './chart';
import { addDays, dayRange, dayString, parseDay, utcOffsetMinutes } from './dates';
import { downloadUrl } from './export-url';
import { EMPTY_FILTER_FORM, filterIsEmpty, toLogFilter, withoutRange } from './log-filter';
import { LogPager } from './log-pager';
import { approvalProblem, approvers, buildApproval, cleanPin, defaultApprover, isLocked, needsManager, pressPin } from './pin';
import { canRefund, canVoid, checkRefund, compensationKey, refundPoints, remainingCents } from './refund';
import { formFromView, patchFromForm } from './settings-form';
import { verifyText } from './verify-text';

describe('PIN entry and the approval form', () => {
  it('keypad: digits up to 8, back, clear', () => {
    let pin = '';
    for (const k of ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const) pin = pressPin(pin, k);
    expect(pin).toBe('12345678');
    expect(pressPin(pin, 'back')).toBe('1234567');
    expect(pressPin(pin, 'clear')).toBe('');
    expect(pressPin('', 'back')).toBe('');
    expect(cleanPin(' 12a3-4 567890')).toBe('12345678');
  });

  it('the approval needs a manager, a 4-8 digit PIN, and a reason where the log must explain', () => {
    const ok = { managerId: 'P-1', pin: '2468', reason: '' };
    expect(approvalProblem({ ...ok, managerId: null }, 'none')).toBe('chooseManager');
    expect(approvalProblem({ ...ok, pin: '246' }, 'none')).toBe('pinFormat');
    expect(approvalProblem(ok, 'none')).toBeNull();
    expect(approvalProblem(ok, 'required')).toBe('reasonTooShort');
    expect(approvalProblem({ ...ok, reason: '  ab ' }, 'required')).toBe('reasonTooShort');
    expect(approvalProblem({ ...ok, reason: 'ab' }, 'optional')).toBe('reasonTooShort');
    expect(approvalProblem(ok, 'optional')).toBeNull();
    expect(approvalProblem({ ...ok, reason: 'item returned' }, 'required')).toBeNull();
    expect(buildApproval({ managerId: 'P-1', pin: '2468', reason: ' item returned ' }, 'required')).toEqual({
      managerId: 'P-1',
      pin: '2468',
      reason: 'item returned',
    });
    expect(buildApproval({ managerId: 'P-1', pin: '2468', reason: 'x y z' }, 'none')).toEqual({ managerId: 'P-1', pin: '2468' });
    expect(buildApproval({ managerId: 'P-1', pin: '2468', reason: '' }, 'optional')).toEqual({ managerId: 'P-1', pin: '2468' });
  });

  it('lists active managers, the signed-in one first, and preselects sensibly', () => {
    const now = Date.parse('2025-03-01T10:00:00Z');
    const people = [
      { id: 'C', name: 'Chris', role: 'cashier' as const, active: true, lockedUntil: null },
      { id: 'M2', name: 'Zoë', role: 'manager' as const, active: true, lockedUntil: null },
      { id: 'M1', name: 'Ann', role: 'manager' as const, active: true, lockedUntil: '2025-03-01T10:03:00Z' },
      { id: 'M3', name: 'Old', role: 'manager' as const, active: false, lockedUntil: null },
    ];
    expect(approvers(people).map((p) => p.id)).toEqual(['M1', 'M2']);
    expect(approvers(people, 'M2').map((p) => p.id)).toEqual(['M2', 'M1']);
    expect(isLocked(people[2]!, now)).toBe(true);
    expect(isLocked(people[2]!, now + 4 * 60_000)).toBe(false);
    // M1 is locked: the only usable manager is preselected
    expect(defaultApprover(approvers(people), null, now)).toBe('M2');
    expect(defaultApprover(approvers(people), 'M1', now + 10 * 60_000)).toBe('M1');
    expect(defaultApprover(approvers(people), null, now + 10 * 60_000)).toBeNull();
    expect(needsManager({ code: 'MANAGER_REQUIRED' })).toBe(true);
    expect(needsManager({ code: 'PIN_WRONG' })).toBe(false);
    expect(needsManager(null)).toBe(false);
  });
});

describe('days and ranges', () => {
  it('a day is local midnight to the next local midnight, with its UTC offset', () => {
    const r = dayRange('2025-03-01')!;
    expect(r.from).toBe(new Date(2025, 2, 1).toISOString());
    expect(r.to).toBe(new Date(2025, 2, 2).toISOString());
    expect(r.utcOffsetMinutes).toBe(-new Date(2025, 2, 1).getTimezoneOffset() || 0);
    expect(dayRange('2025-03-01', '2025-03-03')!.to).toBe(new Date(2025, 2, 4).toISOString());
    expect(dayRange('2025-03-03', '2025-03-01')).toBeNull();
    expect(dayRange('2025-02-30')).toBeNull();
    expect(parseDay('1/3/2025')).toBeNull();
    expect(dayString(new Date(2025, 0, 9))).toBe('2025-01-09');
    expect(dayString(addDays(new Date(2024, 11, 31), 1))).toBe('2025-01-01');
    expect(Object.is(utcOffsetMinutes(new Date(2025, 0, 1)), -0)).toBe(false);
  });
});

describe('the log filter form', () => {
  it('becomes the contract filter; empty fields are left out', () => {
    expect(toLogFilter(EMPTY_FILTER_FORM)).toEqual({ filter: {} });
    const r = toLogFilter({
      ...EMPTY_FILTER_FORM,
      fromDay: '2025-03-01',
      toDay: '2025-03-02',
      kind: 'sale.paid',
      memberLast4: ' 0016',
      text: '  refused  ',
      actor: 'P-1',
      outcome: 'ok',
    });
    expect(r).toEqual({
      filter: {
        from: new Date(2025, 2, 1).toISOString(),
        to: new Date(2025, 2, 3).toISOString(),
        kind: 'sale.paid',
        memberLast4: '0016',
        text: 'refused',
        actor: 'P-1',
        outcome: 'ok',
      },
    });
    // one end only
    expect(toLogFilter({ ...EMPTY_FILTER_FORM, toDay: '2025-03-02' })).toEqual({ filter: { to: new Date(2025, 2, 3).toISOString() } });
    expect(toLogFilter({ ...EMPTY_FILTER_FORM, fromDay: '2025-03-02' })).toEqual({ filter: { from: new Date(2025, 2, 2).toISOString() } });
  });

  it('says what is wrong', () => {
    expect(toLogFilter({ ...EMPTY_FILTER_FORM, memberLast4: '016' })).toEqual({ problem: 'memberLast4Bad' });
    expect(toLogFilter({ ...EMPTY_FILTER_FORM, memberLast4: '00-6' })).toEqual({ problem: 'memberLast4Bad' });
    expect(toLogFilter({ ...EMPTY_FILTER_FORM, fromDay: '2025-03-05', toDay: '2025-03-01' })).toEqual({ problem: 'rangeBad' });
    expect(withoutRange({ from: 'a', to: 'b', kind: 'k' })).toEqual({ kind: 'k' });
    expect(filterIsEmpty({})).toBe(true);
  });
});

const entry = (seq: number): DeskLogEntry => ({
  seq,
  at: '2025-03-01T10:00:00Z',
  terminalId: 'T',
  actor: 'P',
  actorName: 'Ann',
  saleId: null,
  kind: 'sale.paid',
  pointsMilli: null,
  amountCents: null,
  currency: null,
  outcome: 'ok',
  memberMasked: null,
  detail: null,
});

/** A log of `total` entries, newest (highest seq) first, paged by keyset like the service. */
function fakeLog(total: number) {
  const calls: (number | undefined)[] = [];
  const fetch = async (before: number | undefined, limit: number): Promise<LogPage> => {
    calls.push(before);
    const top = before === undefined ? total : before - 1;
    const entries: DeskLogEntry[] = [];
    for (let s = top; s >= 1 && entries.length < limit; s--) entries.push(entry(s));
    const more = entries.length === limit && entries[entries.length - 1]!.seq > 1;
    return { entries, nextBeforeSeq: more ? entries[entries.length - 1]!.seq : null };
  };
  return { fetch, calls };
}

describe('the log pager (keyset pages for the virtual list)', () => {
  it('loads the first page, then the next ones as the list nears the end, never twice at once', async () => {
    const log = fakeLog(1050);
    const pager = new LogPager({ pageSize: 500, prefetchRows: 100 });
    let notified = 0;
    pager.subscribe(() => notified++);
    await pager.reset(log.fetch);
    expect(pager.getSnapshot()).toMatchObject({ count: 500, done: false, loading: false });
    expect(pager.get(0)!.seq).toBe(1050);
    expect(pager.get(499)!.seq).toBe(551);
    expect(pager.get(500)).toBeUndefined();
    pager.ensure(100); // far from the end: nothing
    expect(log.calls).toEqual([undefined]);
    pager.ensure(420);
    pager.ensure(430); // already loading: not asked again
    await pager.loadMore(); // no-op while loading
    await new Promise((r) => setTimeout(r, 0));
    expect(log.calls).toEqual([undefined, 551]);
    expect(pager.getSnapshot().count).toBe(1000);
    expect(pager.get(999)!.seq).toBe(51);
    pager.ensure(999);
    await new Promise((r) => setTimeout(r, 0));
    expect(pager.getSnapshot()).toMatchObject({ count: 1050, done: true });
    expect(pager.get(1049)!.seq).toBe(1);
    pager.ensure(1049); // done: nothing more
    expect(log.calls).toHaveLength(3);
    expect(notified).toBeGreaterThanOrEqual(6);
  });

  it('a new filter drops the answers for the old one', async () => {
    const pager = new LogPager({ pageSize: 10 });
    let release!: (p: LogPage) => void;
    const slow = () => new Promise<LogPage>((r) => (release = r));
    const first = pager.reset(slow);
    const generation = pager.getSnapshot().generation;
    const fresh = fakeLog(3);
    await pager.reset(fresh.fetch);
    release({ entries: [entry(99)], nextBeforeSeq: null });
    await first;
    expect(pager.getSnapshot().generation).toBe(generation + 1);
    expect(pager.getSnapshot().count).toBe(3);
    expect(pager.get(0)!.seq).toBe(3);
  });

  it('keeps memory bounded: pages out of view are dropped and fetched again, the same rows even as the log grows', async () => {
    let total = 5000;
    const calls: (number | undefined)[] = [];
    const fetch = async (before: number | undefined, limit: number): Promise<LogPage> => {
      calls.push(before);
      const top = before === undefined ? total : Math.min(before - 1, total);
      const entries: DeskLogEntry[] = [];
      for (let s = top; s >= 1 && entries.length < limit; s--) entries.push(entry(s));
      return { entries, nextBeforeSeq: entries.length === limit && entries[entries.length - 1]!.seq > 1 ? entries[entries.length - 1]!.seq : null };
    };
    const pager = new LogPager({ pageSize: 100, prefetchRows: 10, maxPages: 3 });
    await pager.reset(fetch);
    total = 5200; // new entries arrive at the top meanwhile
    for (let i = 0; i < 9; i++) {
      pager.ensure(pager.getSnapshot().count - 5, pager.getSnapshot().count - 1);
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(pager.getSnapshot().count).toBe(1000);
    expect(pager.loadedPages()).toBeLessThanOrEqual(3);
    expect(pager.get(0)).toBeUndefined(); // dropped
    expect(pager.get(999)!.seq).toBe(4001);
    // scrolling back to the top fetches the first page again by its own cursor: the same rows, not the new ones
    pager.ensure(0, 20);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls[calls.length - 1]).toBe(5001);
    expect(pager.get(0)!.seq).toBe(5000);
    expect(pager.get(99)!.seq).toBe(4901);
    expect(pager.loadedPages()).toBeLessThanOrEqual(3);
  });

  it('keeps an error, and tries the same page again', async () => {
    const pager = new LogPager({ pageSize: 2 });
    let fail = true;
    const log = fakeLog(5);
    await pager.reset(async (b, l) => {
      if (fail) throw Object.assign(new Error('down'), { code: 'INTERNAL' });
      return log.fetch(b, l);
    });
    expect(pager.getSnapshot().error).toMatchObject({ code: 'INTERNAL' });
    pager.ensure(0); // an error stops the automatic loading
    fail = false;
    await pager.loadMore();
    expect(pager.getSnapshot()).toMatchObject({ count: 2, error: null });
  });
});

describe('export download URL', () => {
  it('is the page origin plus the ticket path, never the session token (review item 7)', () => {
    const ticket = { path: '/api/export/log_T-1_2025-03-01_2025-03-02.csv?ticket=abc-_1' };
    expect(downloadUrl('http://127.0.0.1:4321', ticket)).toBe('http://127.0.0.1:4321/api/export/log_T-1_2025-03-01_2025-03-02.csv?ticket=abc-_1');
  });
});

describe('verify report in words', () => {
  const base: Pick<VerifyReport, 'intact' | 'entries'> = { intact: false, entries: 10 };
  it('names the entry', () => {
    expect(verifyText({ intact: true, entries: 42 })).toEqual({ key: 'verify.intact', params: { count: 42 } });
    expect(verifyText({ ...base, problem: 'changed', firstBadSeq: 7 })).toEqual({ key: 'verify.changed', params: { seq: 7 } });
    expect(verifyText({ ...base, problem: 'missing', firstBadSeq: 3 }).key).toBe('verify.missing');
    expect(verifyText({ ...base, problem: 'reordered', firstBadSeq: 3 }).key).toBe('verify.reordered');
    expect(verifyText({ ...base, problem: 'truncated', firstBadSeq: 3 }).key).toBe('verify.truncated');
    expect(verifyText({ ...base, problem: 'anchor-mismatch', firstBadSeq: 3 }).key).toBe('verify.anchorMismatch');
  });
});

describe('end-of-day chart', () => {
  it('fills the 24 hours and scales to a nice top', () => {
    const rows = fullDay([
      { hour: '09', redemptions: 3, pointsMilli: 1, discountCents: 1 },
      { hour: '14', redemptions: 7, pointsMilli: 1, discountCents: 1 },
    ]);
    expect(rows).toHaveLength(24);
    expect(rows[9]!.redemptions).toBe(3);
    expect(rows[0]!.redemptions).toBe(0);
    expect([0, 1, 3, 7, 11, 99, 100, 101].map(niceMax)).toEqual([1, 1, 5, 10, 20, 100, 100, 200]);
    expect(ticks(2)).toEqual([0, 1, 2]);
    expect(ticks(20)).toEqual([0, 4, 8, 12, 16, 20]);
    const g = layoutBars(rows, (r) => r.redemptions, 720, 240);
    expect(g.top).toBe(10);
    expect(g.bars).toHaveLength(24);
    const b14 = g.bars[14]!;
    expect(b14.y + b14.height).toBeCloseTo(g.plot.bottom);
    expect(b14.height / (g.plot.bottom - g.plot.top)).toBeCloseTo(0.7);
    expect(g.bars[0]!.height).toBe(0);
    expect(g.bars[23]!.x + g.bars[23]!.width).toBeLessThanOrEqual(g.plot.right);
  });
});

const sale = (over: Partial<SaleView> = {}): SaleView => ({
  id: 'S-12345678',
  state: 'paid',
  createdAt: '2025-03-01T10:00:00Z',
  basket: { cents: 4560, currency: 'EUR' },
  paymentAllowed: true,
  offlineAccepted: false,
  voidPending: false,
  refunded: { cents: 0, pointsMilli: 0 },
  redemption: 'posted',
  quote: {
    pointsMilli: 1_200_000,
    discount: { cents: 1200, currency: 'EUR' },
    balanceBeforeMilli: 0,
    balanceAfterMilli: 0,
    toPay: { cents: 3360, currency: 'EUR' },
  },
  terms: { rate: { pointsMilli: 1000, cents: 1 } as never, currency: 'EUR', decimals: 0, minPointsMilli: 0, maxPointsMilli: null, stepMilli: 1000 },
  ...over,
});

describe('void and refund', () => {
  it('knows what can be voided or refunded', () => {
    expect(canVoid(sale())).toBe(true);
    expect(canVoid(sale({ state: 'queued' }))).toBe(true);
    expect(canVoid(sale({ state: 'voided' }))).toBe(false);
    expect(canVoid(sale({ state: 'open' }))).toBe(false);
    expect(canVoid(sale({ voidPending: true }))).toBe(false);
    expect(canRefund(sale())).toBe(true);
    expect(canRefund(sale({ state: 'posted' }))).toBe(false);
    expect(canRefund(sale({ refunded: { cents: 4560, pointsMilli: 0 } }))).toBe(false);
    expect(remainingCents(sale({ refunded: { cents: 560, pointsMilli: 0 } }))).toBe(4000);
  });

  it('reads the amount with parseAmount and holds it to what remains', () => {
    expect(checkRefund('10,50', sale())).toEqual({ cents: 1050 });
    expect(checkRefund('45.60', sale())).toEqual({ cents: 4560 });
    expect(checkRefund('45.61', sale())).toEqual({ problem: 'tooMuch', limitCents: 4560 });
    expect(checkRefund('1.234', sale())).toMatchObject({ problem: 'invalid', error: { code: 'AMOUNT_INVALID' } });
    expect(checkRefund('', sale())).toMatchObject({ problem: 'invalid' });
    expect(checkRefund('0', sale())).toMatchObject({ problem: 'invalid' });
  });

  it('estimates the points given back like the service (proportional, rounded up, all of the rest at the end)', () => {
    // 1200 points on 45.60: refunding 10.00 gives back ceil(1200 * 1000 / 4560) = 264 points
    expect(refundPoints(sale(), 1000)).toBe(264_000);
    expect(refundPoints(sale(), 4560)).toBe(1_200_000);
    expect(refundPoints(sale({ refunded: { cents: 1000, pointsMilli: 264_000 } }), 3560)).toBe(936_000);
    expect(refundPoints(sale({ redemption: 'refused' }), 1000)).toBe(0);
  });

  it('says where the points coming back stand', () => {
    expect(compensationKey(sale({ compensation: { state: 'waiting' } }))).toBe('sale.compensation.waiting');
    expect(compensationKey(sale({ compensation: { state: 'done' } }))).toBe('sale.compensation.done');
    expect(compensationKey(sale({ compensation: { state: 'manual-action' } }))).toBe('sale.compensation.manualAction');
    expect(compensationKey(sale())).toBeNull();
  });
});

const settings: SettingsView = {
  pinPolicy: { managerMinDigits: 6, cashierMinDigits: 4 },
  terminalId: 'T-1',
  terminalName: 'Till 1',
  storeName: 'Gent',
  currency: 'EUR',
  language: 'nl',
  backend: 'whitelabel',
  backendUrl: null,
  redemptionRate: null,
  offlineLimits: { maxPointsPerRedemptionMilli: 2_000_000, maxPointsPerMemberMilli: 5_000_000, maxOutstandingMilli: 50_000_000, maxBalanceAgeMinutes: 1440 },
  scanner: { maxInterKeyMs: 40, minLength: 6, suffix: 'Enter', prefix: '', cameraEnabled: true },
  credentialProtection: { kind: 'file-key', description: 'key file' },
  logLevel: 'info',
  logLevelFixed: null,
  printer: { kind: 'none', host: '', port: 9100, devicePath: '', paper: 80, autoPrint: true },
  logRetentionDays: null,
  updateUrl: null,
  crashReportUrl: null,
  updatesPostponedUntil: null,
  updateState: null,
  restartRequired: false,
};

describe('settings form', () => {
  it('an untouched form is an empty patch', () => {
    expect(patchFromForm(formFromView(settings), settings)).toEqual({ patch: {} });
  });

  it('sends only what changed, points in thousandths, amounts in cents', () => {
    const form = {
      ...formFromView(settings),
      storeName: ' Gent Korenmarkt ',
      language: 'fr' as const,
      maxPointsPerRedemption: '2500',
      maxBalanceAgeMinutes: '60',
      suffix: 'Tab' as const,
      rateOwn: true,
      ratePoints: '100',
      rateAmount: '1,00',
    };
    expect(patchFromForm(form, settings)).toEqual({
      patch: {
        storeName: 'Gent Korenmarkt',
        language: 'fr',
        redemptionRate: { pointsMilli: 100_000, cents: 100 },
        offlineLimits: { maxPointsPerRedemptionMilli: 2_500_000, maxBalanceAgeMinutes: 60 },
        scanner: { suffix: 'Tab' },
      },
    });
    const owned = { ...settings, redemptionRate: { pointsMilli: 100_000, cents: 100 } };
    expect(patchFromForm({ ...formFromView(owned), rateOwn: false }, owned)).toEqual({ patch: { redemptionRate: null } });
    expect(patchFromForm({ ...formFromView(settings), backendUrl: 'https://loyalty.example/api' }, settings)).toEqual({
      patch: { backendUrl: 'https://loyalty.example/api' },
    });
    expect(patchFromForm({ ...formFromView(settings), logLevel: 'debug' }, settings)).toEqual({ patch: { logLevel: 'debug' } });
  });

  it('log retention: empty keeps everything, a number of days from 30 archives what is older', () => {
    expect(formFromView(settings).logRetentionDays).toBe('');
    expect(patchFromForm({ ...formFromView(settings), logRetentionDays: ' 365 ' }, settings)).toEqual({ patch: { logRetentionDays: 365 } });
    const keeping = { ...settings, logRetentionDays: 365 };
    expect(formFromView(keeping).logRetentionDays).toBe('365');
    expect(patchFromForm(formFromView(keeping), keeping)).toEqual({ patch: {} });
    expect(patchFromForm({ ...formFromView(keeping), logRetentionDays: '' }, keeping)).toEqual({ patch: { logRetentionDays: null } });
    for (const typed of ['29', '36501', 'a year', '-40', '90.5'])
      expect(patchFromForm({ ...formFromView(settings), logRetentionDays: typed }, settings), typed).toEqual({
        problem: { field: 'logRetentionDays', key: 'manager.settings.retentionRange' },
      });
  });

  it('names the field it cannot read', () => {
    expect(patchFromForm({ ...formFromView(settings), maxPointsPerMember: 'lots' }, settings)).toEqual({
      problem: { field: 'maxPointsPerMember', key: 'settings.notPoints' },
    });
    expect(patchFromForm({ ...formFromView(settings), maxInterKeyMs: '2' }, settings)).toEqual({
      problem: { field: 'maxInterKeyMs', key: 'settings.notNumber' },
    });
    expect(patchFromForm({ ...formFromView(settings), rateOwn: true, rateAmount: '1.234' }, settings)).toEqual({
      problem: { field: 'rateAmount', key: 'errors.AMOUNT_INVALID' },
    });
    expect(patchFromForm({ ...formFromView(settings), terminalName: '  ' }, settings)).toMatchObject({ problem: { field: 'terminalName' } });
    expect(patchFromForm({ ...formFromView(settings), backendUrl: 'not a url' }, settings)).toMatchObject({ problem: { field: 'backendUrl' } });
  });
});

describe('backend list', () => {
  it('follows the contract', async () => {
    const { BACKEND_IDS } = await import('../../../../shared/contract/manager');
    const { BACKENDS } = await import('./settings-form');
    expect([...BACKENDS]).toEqual([...BACKEND_IDS]);
  });
});

describe('a typed day (DateField)', () => {
  it('reads day, month, year with any separator, refuses days that do not exist', () => {
    expect(readDay('06/12/2026')).toBe('2026-12-06');
    expect(readDay(' 6-1-2026 ')).toBe('2026-01-06');
    expect(readDay('29.02.2024')).toBe('2024-02-29');
    expect(readDay('29/02/2026')).toBeNull();
    expect(readDay('12/31/2026')).toBeNull(); // month first is not read as a day
    expect(readDay('2026-12-06')).toBeNull();
  });
});
