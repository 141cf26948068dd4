import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateCall } from '../../shared/contract.js';
import { PosError } from '../../shared/errors.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { createDispatcher, type Handlers } from '../transport/dispatch.js';
import { parse } from 'csv-parse/sync';
import { csvText, LOG_CSV_COLUMNS, writeEndOfDayCsv } from './csv-export.js';

/** Reads a CSV back with csv-parse (a spreadsheet-grade parser), not ours. */
const parseCsv = (text: string, delimiter = ','): string[][] => parse(text, { bom: true, delimiter, relax_column_count: true }) as string[][];
import { ManagerDesk } from './manager-desk.js';
import { NoticeStore } from './offers/notice-store.js';
import { People, type PersonView } from './people.js';
import { FileKeySecretBox, safeStorageBox } from './secret-box.js';

const FAST = { N: 1 << 10, r: 8, p: 1 };
const T0 = Date.parse('2025-03-01T08:00:00Z');

async function errorOf(p: Promise<unknown> | (() => unknown)): Promise<PosError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof PosError) return e;
    throw e;
  }
  throw new Error('expected a PosError');
}

function collect(): { out: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('ManagerDesk', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let people: People;
  let desk: ManagerDesk;
  let now: number;
  let kick: ReturnType<typeof vi.fn<() => void>>;
  let ann: PersonView;
  let bo: PersonView;

  const iso = (ms: number) => new Date(ms).toISOString();
  const append = (e: {
    at?: number;
    actor?: string;
    kind: string;
    outcome?: string;
    saleId?: string | null;
    memberMasked?: string | null;
    pointsMilli?: number | null;
    amountCents?: number | null;
    detail?: Record<string, unknown>;
  }) =>
    store.transaction(() =>
      store.journal.append({
        at: iso(e.at ?? now),
        terminalId: 'T-TEST',
        actor: e.actor ?? bo.id,
        kind: e.kind,
        outcome: e.outcome ?? 'ok',
        saleId: e.saleId ?? null,
        memberMasked: e.memberMasked ?? null,
        pointsMilli: e.pointsMilli ?? null,
        amountCents: e.amountCents ?? null,
        currency: e.amountCents != null ? 'EUR' : null,
        detail: e.detail ?? null,
      }),
    );

  function insertSale(s: {
    id: string;
    at: number;
    cashier: string;
    state: string;
    points?: number | null;
    discount?: number | null;
    basket?: number;
    offline?: boolean;
    member?: string;
    errorCode?: string;
  }): void {
    store.db
      .prepare(
        `INSERT INTO sales (id, created_at, updated_at, terminal_id, cashier, state, currency, basket_cents, member_masked, member_hash, points_milli, discount_cents, offline_accepted, error_json)
         VALUES (?, ?, ?, 'T-TEST', ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        s.id,
        iso(s.at),
        iso(s.at),
        s.cashier,
        s.state,
        s.basket ?? 2000,
        s.member ?? '••••••••0016',
        `hash-${s.member ?? '0016'}`,
        s.points ?? null,
        s.discount ?? null,
        s.offline ? 1 : 0,
        s.errorCode ? JSON.stringify({ code: s.errorCode, message: 'x' }) : null,
      );
  }

  function insertOutbox(
    saleIdValue: string,
    kind: 'redeem' | 'reverse',
    state: string,
    opts: { points?: number; lastError?: string; nextAt?: number; attempts?: number } = {},
  ): number {
    const id = store.outbox.insert({
      sale_id: saleIdValue,
      kind,
      reference: `${saleIdValue}.${kind[0]}${Math.random().toString(36).slice(2, 7)}`,
      member_key: `hash-${saleIdValue}`,
      payload: { pointsMilli: opts.points ?? 1000, member: { identifier: { kind: 'card', value: '0930012345615' } } },
      next_attempt_at: opts.nextAt ?? now,
      created_at: iso(now - 90_000),
    });
    store.db.prepare('UPDATE outbox SET state = ?, last_error = ?, attempts = ? WHERE id = ?').run(state, opts.lastError ?? null, opts.attempts ?? 0, id);
    return id;
  }

  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    store.setSetting('terminal_id', 'T-TEST');
    now = T0;
    people = new People(store, () => now, { scrypt: FAST, terminalId: 'T-TEST' });
    kick = vi.fn<() => void>();
    desk = new ManagerDesk(store, { people, secretBox: new FileKeySecretBox(join(tmp.dir, 'secret.key')), kick, clock: () => now, terminalId: 'T-TEST' });
    ann = people.createFirstManager('Ann', '123456');
    bo = people.createPerson(ann, 'Bo', 'cashier', '2222');
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  describe('roles are enforced in the service', () => {
    const views = (d: ManagerDesk) => [
      () => d.queryLog({ filter: {}, limit: 10 }),
      () => d.verifyLog(),
      () => d.listAttention({}),
      () => d.listQueue(),
      () => d.getEndOfDay({ from: iso(T0), to: iso(T0 + 86_400_000), utcOffsetMinutes: 60 }),
      () => d.getSettings(),
    ];
    const actions = (d: ManagerDesk, approval?: { managerId: string; pin: string }) => [
      () => d.createPerson({ name: 'Cy', role: 'cashier', pin: '3333', approval }),
      () => d.retryQueue({ approval }),
      () => d.requestExport({ what: 'log', from: iso(T0), to: iso(T0 + 1000), approval }),
      () => d.updateSettings({ patch: { language: 'fr' }, approval }),
    ];

    it('preferences are open to anyone (the sign-in screen needs the language), without secrets', async () => {
      await desk.updateSettings({ patch: { language: 'fr', storeName: 'Namur', scanner: { suffix: 'Tab' } } });
      people.signOut();
      const p = await desk.getPreferences();
      expect(p).toMatchObject({ language: 'fr', storeName: 'Namur', scanner: { suffix: 'Tab', minLength: 6 } });
      expect(Object.keys(p).sort()).toEqual(['language', 'printer', 'scanner', 'storeName', 'terminalName']);
      expect(p.printer).toEqual({ kind: 'none', autoPrint: true, paper: 80 }); // no address: the counter needs only whether to print
    });

    it('nobody signed in: views and actions are refused with NOT_SIGNED_IN', async () => {
      people.signOut();
      for (const f of [...views(desk), ...actions(desk)]) expect((await errorOf(f)).code).toBe('NOT_SIGNED_IN');
    });

    it('a cashier: views and actions need a manager', async () => {
      await desk.signIn({ personId: bo.id, pin: '2222' });
      for (const f of [...views(desk), ...actions(desk)]) expect((await errorOf(f)).code).toBe('MANAGER_REQUIRED');
    });

    it('a cashier with a manager approval may do the actions; a wrong PIN is refused and counted', async () => {
      await desk.signIn({ personId: bo.id, pin: '2222' });
      for (const f of actions(desk, { managerId: ann.id, pin: '123456' })) await f();
      expect((await errorOf(desk.retryQueue({ approval: { managerId: ann.id, pin: '9999' } }))).details).toEqual({ attemptsLeft: 4 });
      // a cashier cannot approve
      expect((await errorOf(desk.retryQueue({ approval: { managerId: bo.id, pin: '2222' } }))).code).toBe('FORBIDDEN');
      // the log names the cashier as actor and the approving manager
      const settings = store.journal.list({ limit: 100 }).find((e) => e.kind === 'settings.changed');
      expect(settings).toMatchObject({ actor: bo.id, detail: { managerId: ann.id } });
    });

    it('a signed-in manager may do everything', async () => {
      for (const f of [...views(desk), ...actions(desk)]) await f();
    });

    it('through the dispatcher: the contract validates and the service refuses', async () => {
      const dispatch = createDispatcher(desk.handlers() as unknown as Handlers, { report: () => {} });
      await desk.signIn({ personId: bo.id, pin: '2222' });
      expect(await dispatch('getSettings', {})).toMatchObject({ ok: false, error: { code: 'MANAGER_REQUIRED' } });
      expect(await dispatch('signIn', { personId: bo.id, pin: '12' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect(await dispatch('whoAmI', {})).toMatchObject({ ok: true, value: { person: { id: bo.id, role: 'cashier' }, needsFirstManager: false } });
      expect(() => validateCall('markHandled', { item: 'sale:1', reason: 'done' })).toThrow();
    });

    it('first start: no manager, the first one is created once', async () => {
      const t2 = makeTempDir();
      const s2 = Store.open(join(t2.dir, 'x.db'));
      try {
        const p2 = new People(s2, () => now, { scrypt: FAST });
        const d2 = new ManagerDesk(s2, { people: p2, secretBox: null });
        expect(await d2.listPeople()).toEqual({ people: [], needsFirstManager: true });
        const m = await d2.createFirstManager({ name: 'Zoë', pin: '432100' });
        expect((await d2.whoAmI()).person?.id).toBe(m.id);
        expect((await errorOf(d2.createFirstManager({ name: 'Eve', pin: '432100' }))).code).toBe('FORBIDDEN');
      } finally {
        s2.close();
        t2.cleanup();
      }
    });
  });

  describe('the log view', () => {
    beforeEach(() => {
      // 300 entries over 3 hours, by two people, several kinds and members
      for (let i = 0; i < 300; i++) {
        append({
          at: T0 + i * 36_000,
          actor: i % 3 === 0 ? ann.id : bo.id,
          kind: ['sale.started', 'redeem.posted', 'redeem.refused'][i % 3 === 2 ? 2 : i % 2]!,
          outcome: i % 3 === 2 ? 'INSUFFICIENT_POINTS' : 'ok',
          saleId: `sale-${String(Math.floor(i / 3)).padStart(6, '0')}`,
          memberMasked: `••••••••${String(1000 + (i % 7))}`,
          pointsMilli: 1000 * i,
          detail: i === 150 ? { message: 'Kaart geblokkeerd door de organisator' } : { n: i },
        });
      }
    });

    const all = async (filter: Parameters<ManagerDesk['queryLog']>[0]['filter'], limit = 17) => {
      const seen: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await desk.queryLog({ filter, limit, beforeSeq: before });
        seen.push(...page.entries.map((e) => e.seq));
        if (page.nextBeforeSeq === null) break;
        before = page.nextBeforeSeq;
      }
      return seen;
    };
    const expected = (pred: (e: { seq: number; at: string; actor: string; kind: string; outcome: string; memberMasked: string | null }) => boolean) =>
      store.journal
        .list({ limit: 10_000 })
        .filter(pred)
        .map((e) => e.seq);

    it('pages by keyset, newest first, without gaps or repeats', async () => {
      const seqs = await all({});
      expect(seqs).toEqual(expected(() => true));
      expect(new Set(seqs).size).toBe(seqs.length);
    });

    it('filters by person, kind, outcome, member digits, and combinations', async () => {
      expect(await all({ actor: ann.id })).toEqual(expected((e) => e.actor === ann.id));
      expect(await all({ kind: 'redeem.refused' })).toEqual(expected((e) => e.kind === 'redeem.refused'));
      expect(await all({ outcome: 'INSUFFICIENT_POINTS', actor: bo.id })).toEqual(expected((e) => e.outcome === 'INSUFFICIENT_POINTS' && e.actor === bo.id));
      expect(await all({ memberLast4: '1003' })).toEqual(expected((e) => e.memberMasked?.endsWith('1003') === true));
      expect(await all({ memberLast4: '1003', kind: 'redeem.posted' })).toEqual(
        expected((e) => e.memberMasked?.endsWith('1003') === true && e.kind === 'redeem.posted'),
      );
      const page = await desk.queryLog({ filter: { actor: bo.id }, limit: 1 });
      expect(page.entries[0]).toMatchObject({ actor: bo.id, actorName: 'Bo' });
    });

    it('filters by date range, also after the clock went back', async () => {
      const from = iso(T0 + 3_600_000);
      const to = iso(T0 + 7_200_000);
      const inRange = (e: { at: string; kind: string }) => e.at >= from && e.at < to && e.kind !== 'person.created' && e.kind !== 'person.signin';
      expect(await all({ from, to })).toEqual(expected(inRange));
      expect(await all({ from, to, kind: 'redeem.posted' })).toEqual(expected((e) => inRange(e) && e.kind === 'redeem.posted'));
      expect(await all({ from: iso(T0 + 999_999_999) })).toEqual([]);
      // a clock step back: the date filter no longer trusts seq order, and stays exact
      append({ at: T0 + 3_700_000, kind: 'sale.started' });
      expect(desk.log.anchor()?.clockBack).toBe(1);
      expect(await all({ from, to })).toEqual(expected(inRange));
    });

    it('finds words anywhere in an entry, by prefix, with other filters', async () => {
      expect(await all({ text: 'geblokkeerd' })).toEqual([3 + 151]); // seq: 3 entries about people, then the 151st
      expect(await all({ text: 'kaart geblok' })).toEqual([154]);
      expect(await all({ text: 'sale-000010' })).toEqual(expected((e) => (e as { saleId?: string }).saleId === 'sale-000010'));
      expect(await all({ text: 'INSUFFICIENT', actor: ann.id })).toEqual(expected((e) => e.outcome === 'INSUFFICIENT_POINTS' && e.actor === ann.id));
      expect(await all({ text: '"); DROP TABLE log; --' })).toEqual([]);
      expect((await desk.queryLog({ filter: { text: '••• ---' }, limit: 5 })).entries).toHaveLength(5); // nothing searchable: no text filter
    });
  });

  describe('a sale, what needs attention, the queue', () => {
    it("tells a sale's whole story, without the outbox payload", async () => {
      insertSale({ id: 'sale-aaaaaaaa', at: now, cashier: bo.id, state: 'queued', points: 5000, discount: 250, offline: true });
      append({ kind: 'sale.started', saleId: 'sale-aaaaaaaa', amountCents: 2000 });
      append({ kind: 'redeem.confirmed', saleId: 'sale-aaaaaaaa', pointsMilli: 5000 });
      insertOutbox('sale-aaaaaaaa', 'redeem', 'pending', { points: 5000, lastError: 'BACKEND_UNAVAILABLE', attempts: 2 });
      const story = await desk.getSaleStory({ saleId: 'sale-aaaaaaaa' });
      expect(story.sale).toMatchObject({ id: 'sale-aaaaaaaa', cashierName: 'Bo', offlineAccepted: true, pointsMilli: 5000 });
      expect(story.entries.map((e) => e.kind)).toEqual(['sale.started', 'redeem.confirmed']);
      expect(story.outbox[0]).toMatchObject({ kind: 'redeem', state: 'pending', attempts: 2, pointsMilli: 5000 });
      expect(JSON.stringify(story)).not.toContain('0930012345615');
      expect((await errorOf(desk.getSaleStory({ saleId: 'sale-nothere1' }))).code).toBe('SALE_NOT_FOUND');
    });

    it('lists what needs attention with what to do, and marks it handled with a reason (logged, once)', async () => {
      insertSale({ id: 'sale-unknown1', at: now, cashier: bo.id, state: 'refused', points: 1000, discount: 50, errorCode: 'OUTCOME_UNKNOWN' });
      insertSale({
        id: 'sale-atrisk01',
        at: now,
        cashier: bo.id,
        state: 'refused',
        points: 2000,
        discount: 100,
        offline: true,
        errorCode: 'INSUFFICIENT_POINTS',
      });
      insertSale({ id: 'sale-manual01', at: now, cashier: bo.id, state: 'voided', points: 3000, discount: 150 });
      insertSale({ id: 'sale-fine0001', at: now, cashier: bo.id, state: 'paid', points: 3000, discount: 150 });
      const a = insertOutbox('sale-unknown1', 'redeem', 'attention', { lastError: 'no answer' });
      const b = insertOutbox('sale-atrisk01', 'redeem', 'attention', { points: 2000, lastError: 'Not enough points' });
      const c = insertOutbox('sale-manual01', 'reverse', 'attention', { points: 3000, lastError: 'Manual action needed' });
      insertOutbox('sale-fine0001', 'redeem', 'done');
      const { items } = await desk.listAttention({});
      const byItem = Object.fromEntries(items.map((i) => [i.item, i]));
      expect(Object.keys(byItem).sort()).toEqual([`outbox:${a}`, `outbox:${b}`, `outbox:${c}`].sort());
      expect(byItem[`outbox:${a}`]).toMatchObject({ kind: 'unknown-outcome', amountAtRiskCents: null });
      expect(byItem[`outbox:${b}`]).toMatchObject({ kind: 'refused-after-offline', amountAtRiskCents: 100, pointsMilli: 2000 });
      expect(byItem[`outbox:${c}`]).toMatchObject({ kind: 'manual-refund', pointsMilli: 3000 });
      for (const i of items) expect(i.whatToDo.length).toBeGreaterThan(40);

      const handled = await desk.markHandled({ item: `outbox:${c}`, reason: 'Points given back in the portal' });
      expect(handled.handled).toMatchObject({ by: ann.id, byName: 'Ann', reason: 'Points given back in the portal' });
      expect((await desk.listAttention({})).items.map((i) => i.item)).not.toContain(`outbox:${c}`);
      expect((await desk.listAttention({ includeHandled: true })).items).toHaveLength(3);
      expect((await errorOf(desk.markHandled({ item: `outbox:${c}`, reason: 'again' }))).code).toBe('SALE_WRONG_STATE');
      expect((await errorOf(desk.markHandled({ item: 'outbox:99999', reason: 'what' }))).code).toBe('SALE_WRONG_STATE');
      const entry = store.journal.list({ limit: 5 }).find((e) => e.kind === 'attention.handled');
      expect(entry).toMatchObject({ saleId: 'sale-manual01', actor: ann.id, detail: { item: `outbox:${c}`, reason: 'Points given back in the portal' } });
      // the outbox row itself is untouched
      expect(store.outbox.get(c)?.state).toBe('attention');
      expect(desk.attentionCount()).toBe(2);
      expect((await desk.getSaleStory({ saleId: 'sale-manual01' })).handled).toHaveLength(1);
    });

    it('shows the queue with age, attempts and last error, and "retry now" makes rows due and wakes the sender', async () => {
      insertSale({ id: 'sale-queued01', at: now, cashier: bo.id, state: 'queued', points: 1000, discount: 50 });
      const id = insertOutbox('sale-queued01', 'redeem', 'pending', {
        nextAt: now + 600_000,
        attempts: 3,
        lastError: 'The loyalty program cannot be reached.',
      });
      const q = await desk.listQueue();
      expect(q.total).toBe(1);
      expect(q.rows[0]).toMatchObject({
        id,
        saleId: 'sale-queued01',
        attempts: 3,
        ageSeconds: 90,
        lastError: 'The loyalty program cannot be reached.',
        memberMasked: '••••••••0016',
      });
      expect(await desk.retryQueue({})).toEqual({ madeDue: 1 });
      expect(store.outbox.get(id)?.next_attempt_at).toBe(now);
      expect(kick).toHaveBeenCalledOnce();
      expect(store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'queue.retry-now', actor: ann.id, detail: { rows: 1 } });
    });
  });

  describe('end of day', () => {
    it('adds up redemptions, points, discounts, refunds, voids, overrides, queue and attention; by cashier and by hour', async () => {
      const cy = people.createPerson(ann, 'Cy', 'cashier', '3333');
      const h = (hh: number, mm = 0) => Date.parse(`2025-03-01T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
      insertSale({ id: 'sale-000001a', at: h(8, 5), cashier: bo.id, state: 'paid', points: 10_000, discount: 500 });
      insertSale({ id: 'sale-000002a', at: h(8, 40), cashier: bo.id, state: 'posted', points: 2_500, discount: 125 });
      insertSale({ id: 'sale-000003a', at: h(9, 10), cashier: cy.id, state: 'voided', points: 4_000, discount: 200 });
      insertSale({ id: 'sale-000004a', at: h(9, 20), cashier: cy.id, state: 'queued', points: 1_000, discount: 50, offline: true });
      insertSale({ id: 'sale-000005a', at: h(9, 30), cashier: cy.id, state: 'queued', points: 7_000, discount: 350 }); // not accepted: not counted
      insertSale({ id: 'sale-000006a', at: h(10), cashier: bo.id, state: 'cancelled' });
      insertSale({ id: 'sale-000007a', at: h(10, 5), cashier: bo.id, state: 'refused', points: 3_000, discount: 150 });
      insertSale({ id: 'sale-yesterd', at: h(8) - 86_400_000, cashier: bo.id, state: 'paid', points: 99_000, discount: 4950 });
      // Taken offline and paid, refused later by the program (set aside for a person): not a redemption, a refusal with its amount at risk.
      insertSale({
        id: 'sale-000008a',
        at: h(10, 40),
        cashier: cy.id,
        state: 'paid',
        points: 6_000,
        discount: 300,
        offline: true,
        errorCode: 'INSUFFICIENT_POINTS',
      });
      insertOutbox('sale-000008a', 'redeem', 'attention', { points: 6_000 });
      append({ at: h(10, 50), kind: 'redeem.attention', saleId: 'sale-000008a', outcome: 'INSUFFICIENT_POINTS', pointsMilli: 6_000, amountCents: 300 });
      insertOutbox('sale-000004a', 'redeem', 'pending', { points: 1_000 });
      insertOutbox('sale-000005a', 'redeem', 'pending', { points: 7_000 });
      insertOutbox('sale-000007a', 'redeem', 'attention', { points: 3_000 });
      append({ at: h(9, 15), kind: 'sale.voided', saleId: 'sale-000003a', pointsMilli: 4_000, actor: cy.id, detail: { managerId: ann.id, reason: 'x' } });
      append({ at: h(9, 20), kind: 'offline.override', saleId: 'sale-000004a', pointsMilli: 1_000, actor: `${cy.id} (approved by Ann)` });
      append({
        at: h(10, 30),
        kind: 'sale.refunded',
        saleId: 'sale-000001a',
        amountCents: 600,
        pointsMilli: 3_000,
        detail: { managerId: ann.id, reason: 'x' },
      });
      append({ at: h(10, 35), kind: 'sale.refunded', saleId: 'sale-yesterd', amountCents: 400, pointsMilli: 8_000 }); // yesterday's sale refunded today
      append({ at: h(10, 10), kind: 'redeem.refused', saleId: 'sale-000007a', outcome: 'INSUFFICIENT_POINTS' });
      append({ at: h(23, 59) + 120_000, kind: 'sale.refunded', saleId: 'sale-000002a', amountCents: 100, pointsMilli: 500 }); // tomorrow (UTC+1): out
      now = h(12);
      // the day in Brussels (UTC+1): 2025-03-01T00:00+01:00 .. 2025-03-02T00:00+01:00
      const s = await desk.getEndOfDay({ from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', utcOffsetMinutes: 60 });
      expect(s.totals).toEqual({
        redemptions: 4, // paid, posted, voided, queued+offline; not sale 8 (refused after offline)
        pointsMilli: 17_500,
        discountCents: 875,
        refunds: 2,
        refundedCents: 1000,
        refundedPointsMilli: 11_000,
        refundedDiscountCents: 150 + 400, // 3000/10000 of 500, 8000/99000 of 4950
        voids: 1,
        voidedPointsMilli: 4_000,
        voidedDiscountCents: 200,
        overrides: 1,
        offlineAccepted: 2, // sale 4 and sale 8 were accepted offline
        refusedRedemptions: 2, // sale 7 (refused) and sale 8 (refused after offline, logged redeem.attention)
        refusedPointsMilli: 6_000,
        atRiskCents: 300,
        netPointsMilli: 17_500 - 11_000 - 4_000,
        netDiscountCents: 875 - 550 - 200,
      });
      expect(s.stillQueued).toEqual({ rows: 2, pointsMilli: 8_000 });
      expect(s.needsAttention).toBe(2); // sale 7's and sale 8's redeem rows in 'attention'
      // Voids and refunds are credited to the manager who made them too.
      expect(s.byManager).toEqual([
        { personId: ann.id, name: 'Ann', voids: 1, voidedPointsMilli: 4_000, refunds: 1, refundedCents: 600, refundedPointsMilli: 3_000 },
      ]);
      const boRow = s.byCashier.find((c) => c.personId === bo.id)!;
      const cyRow = s.byCashier.find((c) => c.personId === cy.id)!;
      expect(boRow).toMatchObject({
        name: 'Bo',
        redemptions: 2,
        pointsMilli: 12_500,
        discountCents: 625,
        refunds: 2,
        refundedCents: 1000,
        refusedRedemptions: 1,
      });
      expect(cyRow).toMatchObject({
        name: 'Cy',
        redemptions: 2,
        pointsMilli: 5_000,
        discountCents: 250,
        voids: 1,
        overrides: 1,
        offlineAccepted: 2,
        refusedRedemptions: 1,
        atRiskCents: 300,
      });
      expect(s.byHour).toEqual([
        { hour: '09', redemptions: 2, pointsMilli: 12_500, discountCents: 625 },
        { hour: '10', redemptions: 2, pointsMilli: 5_000, discountCents: 250 },
      ]);
      expect(s.logHead.seq).toBe(store.journal.list({ limit: 1 })[0]!.seq);
      expect(s.cardLinked).toMatchObject({ purchases: 0, refunds: 0 });
    });

    it('counts the card-linked purchases the platform reported that day, refunds apart, by purchase time', async () => {
      const h = (hh: number, mm = 0) => Date.parse(`2025-03-01T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
      const notices = new NoticeStore(store, 'T1');
      const notice = (id: string, type: 'auth' | 'refund', at: number, cents: number, cashback: number, original: string | null = null) =>
        notices.record(
          {
            transactionId: id,
            type,
            amountCents: cents,
            currency: 'EUR',
            cashbackCents: cashback,
            offerId: 'offer_1',
            offerName: '10%',
            cardId: 'card_1',
            scheme: 'visa',
            last4: '4001',
            brandName: 'Demo',
            transactionAt: iso(at),
            originalTransactionId: original,
            source: 'alert',
            raw: '{}',
          },
          iso(at + 1_000),
        );
      notice('tx1', 'auth', h(9), 2_350, 235);
      notice('tx2', 'auth', h(14), 1_000, 100);
      notice('tx3', 'refund', h(15), -1_000, -100, 'tx1');
      notice('tx4', 'auth', h(23, 59) + 120_000, 5_000, 500); // tomorrow in Brussels: out
      const s = await desk.getEndOfDay({ from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', utcOffsetMinutes: 60 });
      expect(s.cardLinked).toEqual({
        currency: 'EUR',
        purchases: 2,
        purchaseCents: 3_350,
        cashbackCents: 335,
        cashbackKnown: 3,
        refunds: 1,
        refundCents: 1_000,
        refundCashbackCents: 100,
      });
      // The CSV carries them, in the currency's units.
      const { out, text } = collect();
      await writeEndOfDayCsv(s, out, { storeName: 'Shop', days: { first: '2025-03-01', last: '2025-03-01' } });
      const rows = parseCsv(text());
      const section = rows.findIndex((r) => r[0] === 'Card-linked offers (from the platform)');
      expect(section).toBeGreaterThan(0);
      const lines = rows.slice(section);
      expect(lines.find((r) => r[0] === 'Purchases')!.slice(1, 3)).toEqual(['2', '33.50']);
      expect(lines.find((r) => r[0] === 'Discounts (from the offers’ terms set here)')![2]).toBe('2.35'); // net of the refund's, as on screen
      expect(lines.find((r) => r[0] === 'Refunds')!.slice(1, 3)).toEqual(['1', '10.00']);
    });
  });
});

describe('CSV', () => {
  it('quotes awkward text and neutralises formulas', () => {
    expect(csvText('plain')).toBe('plain');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('line1\nline2')).toBe('"line1\nline2"');
    expect(csvText('cr\rlf')).toBe('"cr\rlf"');
    expect(csvText(' padded ')).toBe('" padded "');
    expect(csvText('=1+1')).toBe("'=1+1");
    expect(csvText('+31 6 1234')).toBe("'+31 6 1234");
    expect(csvText('-2+3')).toBe("'-2+3");
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvText('\t=cmd')).toBe("'\t=cmd");
    expect(csvText('  =HYPERLINK("http://x")')).toBe(`"'  =HYPERLINK(""http://x"")"`);
    expect(csvText('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvText('Zoë • ••••0016')).toBe('Zoë • ••••0016');
    expect(csvText(null)).toBe('');
    expect(parseCsv(`a,${csvText('x,"y"\r\nz')},c\r\n`)).toEqual([['a', 'x,"y"\r\nz', 'c']]);
  });
});

describe('exports, verification and settings', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let people: People;
  let desk: ManagerDesk;
  let now: number;
  let ann: PersonView;

  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    store.setSetting('terminal_id', 'T-TEST');
    now = T0;
    people = new People(store, () => now, { scrypt: FAST, terminalId: 'T-TEST' });
    desk = new ManagerDesk(store, { people, secretBox: new FileKeySecretBox(join(tmp.dir, 'secret.key')), clock: () => now, exportTicketMs: 60_000 });
    ann = people.createFirstManager('Ann', '123456');
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const append = (at: number, kind: string, extra: Partial<Parameters<Store['journal']['append']>[0]> = {}) =>
    store.transaction(() => store.journal.append({ at: new Date(at).toISOString(), terminalId: 'T-TEST', actor: ann.id, kind, outcome: 'ok', ...extra }));

  it('exports the log as CSV through a one-time ticket, streamed, and reads back', async () => {
    append(T0 + 1000, 'redeem.posted', {
      saleId: 'sale-00000001',
      pointsMilli: 12_500,
      amountCents: -1234,
      currency: 'EUR',
      memberMasked: '••••••••0016',
      detail: { note: '=HYPERLINK("evil")', multi: 'a,\n"b"' },
    });
    append(T0 + 2000, 'sale.paid', { saleId: 'sale-00000001', amountCents: 5, currency: 'EUR' });
    append(T0 + 999_999_999, 'sale.paid'); // outside the range
    const t = await desk.requestExport({ what: 'log', from: new Date(T0).toISOString(), to: new Date(T0 + 86_400_000).toISOString() });
    expect(t.path).toBe(`/api/export/${t.filename}?ticket=${t.ticket}`);
    expect(t.filename).toMatch(/^log_T-TEST_2025-03-01_2025-03-02\.csv$/);
    const dl = desk.openExport(t.ticket)!;
    expect(desk.openExport(t.ticket)).toBeNull(); // once
    const { out, text } = collect();
    expect(await dl.write(out)).toEqual({ rows: 5 }); // 2 people entries and export.requested at T0, and the two
    const csv = text();
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain('\r\n');
    const rows = parseCsv(csv);
    const c = (name: (typeof LOG_CSV_COLUMNS)[number]) => LOG_CSV_COLUMNS.indexOf(name);
    expect(rows[0]!.slice(0, 3)).toEqual(['Entry', 'Date and time', 'Terminal']);
    expect(rows[0]!.at(-1)).toBe('Technical detail');
    const posted = rows.find((r) => r[c('kindCode')] === 'redeem.posted')!;
    const local = new Date(T0 + 1000);
    const two = (n: number) => String(n).padStart(2, '0');
    expect(posted[c('at')]).toBe(`2025-03-01 ${two(local.getHours())}:${two(local.getMinutes())}:01`); // local time, no milliseconds
    expect(posted[c('what')]).toBe('Points taken');
    expect(posted[c('outcome')]).toBe('OK');
    expect(posted[c('person')]).toBe('Ann');
    expect(posted[c('member')]).toBe('••••••••0016');
    expect(posted[c('points')]).toBe('12.5');
    expect(posted[c('discount')]).toBe('-12.34');
    expect(JSON.parse(posted[c('detail')]!)).toEqual({ note: '=HYPERLINK("evil")', multi: 'a,\n"b"' }); // JSON starts with '{': not a formula
    expect(rows.find((r) => r[c('kindCode')] === 'sale.paid')![c('toPay')]).toBe('0.05');
    // the export itself is logged
    expect(store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'export.done', detail: { rows: 5, what: 'log' } });
  });

  it('refuses an expired ticket and a bad range; exports the end-of-day summary', async () => {
    const t = await desk.requestExport({ what: 'end-of-day', from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', utcOffsetMinutes: 60 });
    now += 61_000;
    expect(desk.openExport(t.ticket)).toBeNull();
    expect((await errorOf(desk.requestExport({ what: 'log', from: new Date(T0).toISOString(), to: new Date(T0).toISOString() }))).code).toBe('INVALID_INPUT');
    const t2 = await desk.requestExport({ what: 'end-of-day', from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', utcOffsetMinutes: 60 });
    const { out, text } = collect();
    await desk.openExport(t2.ticket)!.write(out);
    expect(t2.filename).toBe('end-of-day_T-TEST_2025-03-01.csv'); // a one-day export is named for that day
    const rows = parseCsv(text());
    expect(rows[0]!.slice(0, 2)).toEqual(['End of day', 'Training store']);
    expect(rows.find((r) => r[0] === 'Total')).toBeDefined();
    expect(rows.find((r) => r[0] === 'Last log entry' || r[2] === 'Last log entry')!.at(-1)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('streams with backpressure: a slow reader gets everything, memory stays bounded by chunks', async () => {
    store.transaction(() => {
      for (let i = 0; i < 5000; i++)
        store.journal.append({ at: new Date(T0 + i).toISOString(), terminalId: 'T', actor: ann.id, kind: 'k', outcome: 'ok', detail: { i } });
    });
    const t = await desk.requestExport({ what: 'log', from: new Date(T0 - 1).toISOString(), to: new Date(T0 + 10_000).toISOString() });
    const slow = new PassThrough({ highWaterMark: 1024 });
    let received = 0;
    let lines = 0;
    const reading = (async () => {
      for await (const chunk of slow) {
        received += (chunk as Buffer).length;
        lines += (chunk as Buffer).toString('utf8').split('\r\n').length - 1;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const result = await desk.openExport(t.ticket)!.write(slow);
    await reading;
    expect(result.rows).toBe(5003);
    expect(lines).toBe(5004);
    expect(received).toBeGreaterThan(100_000);
  });

  it('stops cleanly when the reader goes away', async () => {
    store.transaction(() => {
      for (let i = 0; i < 10_000; i++) store.journal.append({ at: new Date(T0 + i).toISOString(), terminalId: 'T', actor: ann.id, kind: 'k', outcome: 'ok' });
    });
    const t = await desk.requestExport({ what: 'log', from: new Date(T0 - 1).toISOString(), to: new Date(T0 + 100_000).toISOString() });
    const dead = new PassThrough({ highWaterMark: 1024 });
    const writing = desk.openExport(t.ticket)!.write(dead);
    // Nobody reads: once the export has filled the stream's buffer, the reader goes away.
    await vi.waitUntil(() => dead.writableNeedDrain, { timeout: 20_000, interval: 5 });
    dead.destroy();
    await expect(writing).rejects.toThrow(/interrupted/);
    expect(store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'export.done', outcome: 'INTERNAL' });
  });

  describe('verify the log', () => {
    beforeEach(() => {
      for (let i = 0; i < 10; i++) append(T0 + i, 'sale.started');
    });

    it('reports an intact log, and logs that it was verified', async () => {
      const r = await desk.verifyLog();
      expect(r).toMatchObject({ intact: true, entries: 12 });
      expect(store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'log.verified', outcome: 'ok' });
    });

    it('detects entries cut off the end (which the chain alone cannot see)', async () => {
      store.db.prepare('DELETE FROM log WHERE seq > 9').run();
      expect(store.journal.verify().intact).toBe(true);
      expect(await desk.verify()).toMatchObject({
        intact: false,
        problem: 'truncated',
        firstBadSeq: 10,
        message: 'Entries 10 to 12, the last ones written, are missing.',
      });
    });

    it('detects a last entry replaced with a recomputed hash', async () => {
      const { entryHash } = await import('../store/log-row.js');
      const last = store.db.prepare('SELECT * FROM log ORDER BY seq DESC LIMIT 1').get() as Record<string, unknown> & { seq: number };
      const forged = { ...last, kind: 'sale.cancelled' };
      delete (forged as Record<string, unknown>).hash;
      store.db.prepare('UPDATE log SET kind = ?, hash = ? WHERE seq = ?').run('sale.cancelled', entryHash(forged as never), last.seq);
      expect(store.journal.verify().intact).toBe(true);
      expect(await desk.verify()).toMatchObject({ intact: false, problem: 'anchor-mismatch', firstBadSeq: 12 });
    });

    it('passes on what the chain finds (an edited entry in the middle)', async () => {
      store.db.prepare(`UPDATE log SET outcome = 'changed' WHERE seq = 5`).run();
      expect(await desk.verify()).toMatchObject({ intact: false, problem: 'changed', firstBadSeq: 5 });
    });

    it('a rolled-back append moves neither the log nor the anchor', async () => {
      expect(() =>
        store.transaction(() => {
          append(T0 + 50, 'x');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect((await desk.verify()).intact).toBe(true);
    });
  });

  describe('settings', () => {
    it('stores names, language, scanner and offline limits (validated); logs changes', async () => {
      const v = await desk.updateSettings({
        patch: {
          storeName: 'Gent Korenmarkt',
          terminalName: 'Kassa 2',
          language: 'nl',
          scanner: { suffix: 'Tab', maxInterKeyMs: 30 },
          offlineLimits: { maxBalanceAgeMinutes: 90 },
        },
      });
      expect(v).toMatchObject({
        storeName: 'Gent Korenmarkt',
        terminalName: 'Kassa 2',
        language: 'nl',
        scanner: { suffix: 'Tab', maxInterKeyMs: 30, minLength: 6 },
        restartRequired: false,
      });
      expect(JSON.parse(store.getSetting('offline_policy')!)).toMatchObject({ maxBalanceAgeMinutes: 90, maxPointsPerRedemptionMilli: 5_000_000 });
      expect(store.journal.list({ limit: 1 })[0]).toMatchObject({ kind: 'settings.changed', detail: { changes: { language: { from: 'en', to: 'nl' } } } });
      expect((await desk.updateSettings({ patch: { backend: 'uitpas' } })).restartRequired).toBe(true);
      expect((await errorOf(desk.updateSettings({ patch: { backendUrl: 'ftp://x.example' } }))).code).toBe('INVALID_INPUT');
      expect(() => validateCall('updateSettings', { patch: { offlineLimits: { maxBalanceAgeMinutes: -1 } } })).toThrow();
      expect(() => validateCall('updateSettings', { patch: { language: 'de' } })).toThrow();
    });

    it("says how secrets are protected here; a program's connection is no setting (the Go live tab has it)", async () => {
      const v = await desk.getSettings();
      expect(v.credentialProtection.kind).toBe('file-key');
      expect(v.credentialProtection.description).toMatch(/NOT OS-protected/);
      expect(Object.keys(v)).not.toContain('credentials');
      expect(() => validateCall('setCredentials' as never, { backend: 'whitelabel', credentials: { apiKey: 'k' } })).toThrow();
    });

    it("uses Electron's safeStorage when given, and says when it is not OS-protected", () => {
      const fake = (backend: string) => ({
        isEncryptionAvailable: () => true,
        encryptString: (s: string) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
        decryptString: (b: Buffer) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
        getSelectedStorageBackend: () => backend,
      });
      const box = safeStorageBox(fake('gnome_libsecret'));
      expect(box.protection).toBe('os');
      expect(box.open(box.seal('hello'))).toBe('hello');
      expect(() => box.open(new FileKeySecretBox(join(tmp.dir, 'k2')).seal('x'))).toThrow(/another host/);
      expect(() => safeStorageBox({ ...fake('x'), isEncryptionAvailable: () => false })).toThrow(/not available/);
    });
  });
});
