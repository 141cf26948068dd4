/**
 * The terminal service against the real White Label sandbox over loopback and
 * a real SQLite file: what reaches the backend, what is stored, what is logged.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime.js';
import { MANAGER_PIN, startTestTerminal, type ManagerApproval, type TestTerminal } from '../../test/test-terminal.js';
import { DEMO_MEMBERS, UNKNOWN_CARD_NUMBER } from '../../sandbox/demo-data.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { Store } from '../store/store.js';
import { controlFetch } from '../../sandbox/control-client.js';
import { until } from '../../test/until.js';

let t: TestTerminal;
let sandbox: RunningSandbox;
let rt: Runtime;
const anna = DEMO_MEMBERS.anna;

beforeEach(async () => {
  t = await startTestTerminal({ manager: null, tuning: { postWaitMs: 3000, requestTimeoutMs: 1500, inDoubtMarginMs: 500, probeIntervalMs: 200 } });
  ({ sandbox, rt } = t);
});
afterEach(async () => {
  await t.close();
});

/** The first manager, signed in; returns an approval for the log. */
function manager(): ManagerApproval {
  const m = rt.people.createFirstManager('Marie', MANAGER_PIN);
  return { managerId: m.id, pin: MANAGER_PIN, reason: 'seen in the portal' };
}

const ledger = (userId: string) => sandbox.backends.whitelabel.state.ledger(userId);
const balance = (userId: string) => sandbox.backends.whitelabel.state.balances(userId)[userId];
const fault = async (spec: Record<string, unknown>) => {
  const res = await controlFetch(sandbox, 'POST', '/faults', spec);
  if (res.status !== 201) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
};

async function quoted(card: string, basketCents: number, points: number) {
  const svc = rt.service;
  const sale = await svc.startSale({ basketCents });
  await svc.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
  return svc.quote({ saleId: sale.id, pointsMilli: points * 1000 });
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};

describe('the counter, happy path', () => {
  it('a redemption leaves exactly one event at the backend, a paid sale, a done outbox row and the log entries', async () => {
    const svc = rt.service;
    const sale = await svc.startSale({ basketCents: 5000 });
    const identified = await svc.identifyMember({ saleId: sale.id, input: anna.cardNumber, source: 'scanner' });
    expect(identified.state).toBe('identified');
    expect(identified.member?.balanceMilli).toBe(2500_000);
    expect(identified.member?.balanceValue.cents).toBe(2500);
    expect(identified.member?.masked.endsWith(anna.cardNumber.slice(-4))).toBe(true);
    expect(identified.maxPointsMilli).toBe(2500_000);

    const q = await svc.quote({ saleId: sale.id, pointsMilli: 1000_000 });
    expect(q.quote).toMatchObject({ pointsMilli: 1000_000, balanceBeforeMilli: 2500_000, balanceAfterMilli: 1500_000 });
    expect(q.quote?.discount.cents).toBe(1000);
    expect(q.quote?.toPay.cents).toBe(4000);
    expect(q.paymentAllowed).toBe(false);

    const posted = await svc.confirmRedemption({ saleId: sale.id, pointsMilli: 1000_000 });
    expect(posted.state).toBe('posted');
    expect(posted.paymentAllowed).toBe(true);
    expect(posted.result?.balanceAfterMilli).toBe(1500_000);
    const paid = await svc.markPaid({ saleId: sale.id });
    expect(paid.state).toBe('paid');

    const events = ledger(anna.userId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'REDEEMED_POINTS' });
    expect(JSON.stringify(events[0])).toContain(`${sale.id}.r1`);
    expect(JSON.stringify(events[0])).not.toMatch(/name|email|phone/i);
    expect(balance(anna.userId)).toBe(1500);

    const rows = rt.store.outbox.forSale(sale.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'done', kind: 'redeem', attempts: 1 });
    const kinds = (await svc.listLog({ limit: 50, saleId: sale.id })).entries.map((e) => e.kind).reverse();
    expect(kinds).toEqual(['sale.started', 'member.identify', 'quote', 'redeem.confirmed', 'redeem.posted', 'sale.paid']);
    const logText = JSON.stringify((await svc.listLog({ limit: 50 })).entries);
    expect(logText).not.toContain(anna.cardNumber);
    expect(rt.store.journal.verify().intact).toBe(true);
    // The member's key is the one it had when White Label ids were read as card numbers: pending and
    // offline redemptions from before the change still count against the same member.
    const keys = rt.store.db.prepare('SELECT DISTINCT member_hash AS k FROM log WHERE sale_id = ? AND member_hash IS NOT NULL').all(sale.id) as { k: string }[];
    expect(keys.map((r) => r.k)).toEqual([rt.store.memberKey('card', anna.cardNumber)]);
  });

  it('the status reports training mode, the backend and an empty queue', async () => {
    const s = await rt.service.getStatus();
    expect(s).toMatchObject({ training: true, online: true, currency: 'EUR', queue: { waiting: 0, attention: 0 } });
    expect(s.backend.capabilities.redemption).toBe('points');
  });
});

describe('refusals: nothing is deducted', () => {
  it('points above the balance are refused at the quote and nothing reaches the backend', async () => {
    const svc = rt.service;
    const sale = await svc.startSale({ basketCents: 5000 });
    await svc.identifyMember({ saleId: sale.id, input: DEMO_MEMBERS.chloe.cardNumber, source: 'keyboard' });
    expect(await codeOf(svc.quote({ saleId: sale.id, pointsMilli: 301_000 }))).toBe('POINTS_ABOVE_BALANCE');
    expect(await codeOf(svc.confirmRedemption({ saleId: sale.id, pointsMilli: 301_000 }))).toBe('SALE_WRONG_STATE');
    expect(ledger(DEMO_MEMBERS.chloe.userId)).toHaveLength(0);
  });

  it('points worth more than the basket are refused', async () => {
    const svc = rt.service;
    const sale = await svc.startSale({ basketCents: 500 });
    await svc.identifyMember({ saleId: sale.id, input: DEMO_MEMBERS.bram.cardNumber, source: 'keyboard' });
    expect(await codeOf(svc.quote({ saleId: sale.id, pointsMilli: 501_000 }))).toBe('POINTS_ABOVE_BASKET');
  });

  it('a misread member id, an unknown member and garbage are refused and logged (White Label ids have no check digit: a misread one is unknown)', async () => {
    const svc = rt.service;
    const sale = await svc.startSale({ basketCents: 500 });
    const wrong = anna.cardNumber.slice(0, -1) + ((Number(anna.cardNumber.slice(-1)) + 1) % 10);
    expect(await codeOf(svc.identifyMember({ saleId: sale.id, input: wrong, source: 'scanner' }))).toBe('MEMBER_NOT_FOUND');
    expect(await codeOf(svc.identifyMember({ saleId: sale.id, input: UNKNOWN_CARD_NUMBER, source: 'scanner' }))).toBe('MEMBER_NOT_FOUND');
    expect(await codeOf(svc.identifyMember({ saleId: sale.id, input: '12 ab!', source: 'keyboard' }))).toBe('MEMBER_NUMBER_FORMAT');
    const outcomes = (await svc.listLog({ limit: 10, saleId: sale.id })).entries.filter((e) => e.kind === 'member.refused').map((e) => e.outcome);
    expect(outcomes.sort()).toEqual(['MEMBER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'MEMBER_NUMBER_FORMAT']);
  });

  it('a balance spent elsewhere between quote and post is refused by the adapter, never driven negative', async () => {
    const q = await quoted(DEMO_MEMBERS.chloe.cardNumber, 5000, 300);
    // Another till spends the points meanwhile.
    sandbox.backends.whitelabel.state.applyEvent(
      'REDEEMED_POINTS',
      DEMO_MEMBERS.chloe.userId,
      { points: 200, transactionId: 'elsewhere', storeId: 'S2', terminalId: 'T2' },
      200,
    );
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 300_000 });
    expect(r.state).toBe('refused');
    expect(r.error?.code).toBe('POINTS_ABOVE_BALANCE');
    expect(r.paymentAllowed).toBe(false);
    expect(balance(DEMO_MEMBERS.chloe.userId)).toBe(100);
  });
});

describe('backend failures: nothing confirmed is lost, nothing is doubled', () => {
  it('a 429 leaves the redemption queued; a retry posts it exactly once', async () => {
    const q = await quoted(anna.cardNumber, 5000, 500);
    await fault({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'rate-limit', retryAfterSec: 1, times: 1 });
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 500_000 });
    expect(r.state).toBe('queued');
    expect(r.paymentAllowed).toBe(false);
    expect(r.error?.code).toBe('BACKEND_RATE_LIMITED');
    const again = await rt.service.retryRedemption({ saleId: q.id });
    expect(again.state).toBe('posted');
    expect(ledger(anna.userId)).toHaveLength(1);
  });

  it('a 503 may come after a partial write: it is in doubt, not resent by "try now"; a manager who finds nothing sends it again, once', async () => {
    const approval = manager();
    const q = await quoted(anna.cardNumber, 5000, 500);
    await fault({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'status', status: 503, times: 1 });
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 500_000 });
    expect(r).toMatchObject({ state: 'queued', paymentAllowed: false, error: { code: 'BACKEND_UNAVAILABLE' } });
    expect((await rt.service.retryRedemption({ saleId: q.id })).state).toBe('queued');
    await until(() => rt.store.outbox.forSale(q.id)[0]?.state === 'attention');
    expect(ledger(anna.userId)).toHaveLength(0);
    await rt.service.resolveInDoubt({ item: `outbox:${rt.store.outbox.forSale(q.id)[0]!.id}`, decision: 'send-again', approval });
    await until(() => rt.store.sales.get(q.id).state === 'posted');
    expect(ledger(anna.userId)).toHaveLength(1);
  });

  it('a lost answer (applied, then the connection dropped) is never sent twice: after its deadline a manager decides, "it was applied"', async () => {
    const approval = manager();
    const q = await quoted(anna.cardNumber, 5000, 500);
    await fault({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'reset-after', times: 1 });
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 500_000 });
    expect(r.state).toBe('queued');
    expect(ledger(anna.userId)).toHaveLength(1); // it did land
    const again = await rt.service.retryRedemption({ saleId: q.id }); // "try now" before the deadline: nothing is sent
    expect(again.state).toBe('queued');
    expect(ledger(anna.userId)).toHaveLength(1);
    // After the deadline White Label cannot be asked: the row waits for a manager, with the evidence.
    await until(() => rt.store.outbox.forSale(q.id)[0]?.state === 'attention');
    const [item] = (await rt.desk.listAttention({})).items;
    expect(item?.inDoubt).toMatchObject({ reference: `${q.id}.r1`, balanceBeforeMilli: 2500_000, balanceAfterMilli: 2000_000 });
    expect(item?.inDoubt?.sends).toHaveLength(1);
    expect(item?.inDoubt?.lookups[0]).toMatchObject({ outcome: 'cannot-tell' });
    const v = await rt.service.resolveInDoubt({ item: item!.item, decision: 'applied', approval });
    expect(v.state).toBe('posted');
    expect(ledger(anna.userId)).toHaveLength(1); // and was not sent again
    const resolved = (await rt.service.listLog({ limit: 20, saleId: q.id })).entries.find((e) => e.kind === 'in-doubt.resolved');
    expect(resolved).toMatchObject({ outcome: 'applied', detail: { approvedBy: 'Marie', reason: 'seen in the portal' } });
  });

  it('a malformed answer is in doubt; a manager who does not find it at the backend has it sent again, once', async () => {
    const approval = manager();
    const q = await quoted(anna.cardNumber, 5000, 500);
    await fault({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'malformed', times: 1 });
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 500_000 });
    expect(r.state).toBe('queued');
    expect(r.error?.code).toBe('BACKEND_BAD_RESPONSE');
    await until(() => rt.store.outbox.forSale(q.id)[0]?.state === 'attention');
    // What the manager would see in the portal: the malformed answer came after the event was applied.
    expect(ledger(anna.userId)).toHaveLength(1);
    await rt.service.resolveInDoubt({ item: `outbox:${rt.store.outbox.forSale(q.id)[0]!.id}`, decision: 'applied', approval });
    expect((await rt.service.getSale({ saleId: q.id })).state).toBe('posted');
    // A second in-doubt redemption that never reached the ledger: "send again" posts it once.
    const q2 = await quoted(anna.cardNumber, 5000, 300);
    await fault({ backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'reset-before', times: 1 });
    await rt.service.confirmRedemption({ saleId: q2.id, pointsMilli: 300_000 });
    await until(() => rt.store.outbox.forSale(q2.id)[0]?.state === 'attention');
    expect(
      await codeOf(
        rt.service.resolveInDoubt({
          item: `outbox:${rt.store.outbox.forSale(q2.id)[0]!.id}`,
          decision: 'send-again',
          approval: { ...approval, pin: '999999' },
        }),
      ),
    ).toBe('PIN_WRONG');
    await rt.service.resolveInDoubt({ item: `outbox:${rt.store.outbox.forSale(q2.id)[0]!.id}`, decision: 'send-again', approval });
    await until(() => rt.store.sales.get(q2.id).state === 'posted');
    expect(ledger(anna.userId)).toHaveLength(2);
    expect(balance(anna.userId)).toBe(2500 - 500 - 300);
  });

  it('a timeout on identify says so plainly and the terminal goes offline', async () => {
    const sale = await rt.service.startSale({ basketCents: 500 });
    await fault({ backend: 'whitelabel', fault: 'timeout', times: 2 });
    expect(await codeOf(rt.service.identifyMember({ saleId: sale.id, input: anna.cardNumber, source: 'scanner' }))).toBe('BACKEND_TIMEOUT');
    expect((await rt.service.getStatus()).online).toBe(false);
  });
});

describe('crash between the local commit and the post', () => {
  it('the row is still there after reopening, and is sent once', async () => {
    const q = await quoted(anna.cardNumber, 5000, 700);
    await rt.service.worker.stop(); // nothing is sent: as if the process died right after the commit
    rt.service.commitRedemption(q.id, 700_000);
    await rt.close();
    expect(ledger(anna.userId)).toHaveLength(0);

    const reopened = Store.open(join(t.dataDir, 'terminal.db'));
    expect(reopened.outbox.counts().waiting).toBe(1);
    reopened.close();

    rt = await t.reopen(); // the next start drains what the last one left
    await until(() => rt.store.outbox.counts().waiting === 0);
    expect(ledger(anna.userId)).toHaveLength(1);
    expect(rt.store.sales.get(q.id).state).toBe('posted');
  });

  it('an attempt that was under way when the process died is neither decided nor resent before its stored deadline, after a restart too', async () => {
    const q = await quoted(anna.cardNumber, 5000, 700);
    await rt.service.worker.stop();
    const rowId = rt.service.commitRedemption(q.id, 700_000);
    // The attempt was marked as started (its deadline a minute away) and the process died before any answer.
    rt.store.outbox.markAttemptStarted(rowId, new Date().toISOString(), Date.now() + 60_000);
    await rt.close();
    rt = await t.reopen();
    await rt.service.retryRedemption({ saleId: q.id }).catch(() => undefined); // "try now" changes nothing
    await rt.service.worker.idle();
    expect(rt.store.outbox.get(rowId)).toMatchObject({ state: 'pending', attempts: 1, needs_check: 1 });
    expect(ledger(anna.userId)).toHaveLength(0); // nothing resent
    // The backend applies it late; once the deadline has passed, a manager is asked (never an automatic resend).
    sandbox.backends.whitelabel.state.applyEvent(
      'REDEEMED_POINTS',
      anna.userId,
      { points: 700, transactionId: `${q.id}.r1`, storeId: 'S', terminalId: 'T' },
      700,
    );
    rt.store.db.prepare('UPDATE outbox SET in_doubt_until = ?, next_attempt_at = ? WHERE id = ?').run(Date.now(), Date.now(), rowId);
    rt.service.worker.kick();
    await until(() => rt.store.outbox.get(rowId)?.state === 'attention');
    expect(ledger(anna.userId)).toHaveLength(1);
    expect(rt.store.outbox.get(rowId)?.attempts).toBe(2); // one send, one lookup
  });
});
