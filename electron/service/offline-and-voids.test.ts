/**
 * The offline policy and voids/refunds, against the real sandbox and a real
 * SQLite file. Each test checks the backend's ledger: nothing applied that
 * was not confirmed, nothing applied twice, nothing given back twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime.js';
import { DEMO_MEMBERS } from '../../sandbox/demo-data.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { startTestTerminal, type ManagerApproval, type TestTerminal } from '../../test/test-terminal.js';
import { OFFLINE_POLICY_SETTING } from './offline-policy.js';
import { controlFetch } from '../../sandbox/control-client.js';
import { until } from '../../test/until.js';
import { heldWaits, type HeldWaits } from '../../test/held-waits.js';

let t: TestTerminal;
let sandbox: RunningSandbox;
/** The sandbox's injected latency and held sockets last until the test releases them. */
let held: HeldWaits;
let rt: Runtime;
let manager: ManagerApproval;
const anna = DEMO_MEMBERS.anna;

beforeEach(async () => {
  held = heldWaits();
  t = await startTestTerminal({
    sandbox: { faultWait: held.faultWait },
    // requestTimeoutMs: the client's patience with a held request; generous, so a loaded machine is never mistaken for a timeout.
    tuning: { postWaitMs: 3000, requestTimeoutMs: 2000, inDoubtMarginMs: 300, probeIntervalMs: 100 },
  });
  ({ sandbox, rt, manager } = t);
});
afterEach(async () => {
  held.releaseAll();
  await t.close();
});

const ledger = (userId: string) => sandbox.backends.whitelabel.state.ledger(userId);
const balance = (userId: string) => sandbox.backends.whitelabel.state.balances(userId)[userId];
async function control(method: string, path: string, body?: unknown) {
  const res = await controlFetch(sandbox, method, path, body);
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
}
const down = () => control('POST', '/faults', { backend: 'whitelabel', fault: 'down' });
const up = () => control('DELETE', '/faults');
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
};
async function quoted(card: string, basketCents: number, points: number) {
  const sale = await rt.service.startSale({ basketCents });
  await rt.service.identifyMember({ saleId: sale.id, input: card, source: 'scanner' });
  return rt.service.quote({ saleId: sale.id, pointsMilli: points * 1000 });
}
async function paidSale(card: string, basketCents: number, points: number) {
  const q = await quoted(card, basketCents, points);
  const posted = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: points * 1000 });
  expect(posted.state).toBe('posted');
  return rt.service.markPaid({ saleId: q.id });
}
/** Seeds the last known balance by identifying once while online. */
async function seen(card: string) {
  const s = await rt.service.startSale({ basketCents: 100 });
  await rt.service.identifyMember({ saleId: s.id, input: card, source: 'scanner' });
  await rt.service.cancelSale({ saleId: s.id });
}

describe('offline', () => {
  it('serves the last known balance, queues within limits, and drains exactly once when the backend is back', async () => {
    await seen(anna.cardNumber);
    await down();
    const q = await quoted(anna.cardNumber, 5000, 400);
    expect(q.member?.lastKnown).toBe(true);
    expect((await rt.service.getStatus()).online).toBe(false);
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 400_000 });
    expect(r).toMatchObject({ state: 'queued', offlineAccepted: true, paymentAllowed: true, redemption: 'waiting' });
    expect((await rt.service.markPaid({ saleId: q.id })).state).toBe('paid');
    expect((await rt.service.getStatus()).queue.waiting).toBe(1);
    expect(ledger(anna.userId)).toHaveLength(0);

    await up();
    await until(async () => (await rt.service.getStatus()).queue.waiting === 0);
    expect((await rt.service.getStatus()).online).toBe(true);
    expect(ledger(anna.userId)).toHaveLength(1);
    expect(balance(anna.userId)).toBe(2100);
    expect((await rt.service.getSale({ saleId: q.id })).redemption).toBe('posted');
    const kinds = (await rt.service.listLog({ limit: 50, saleId: q.id })).entries.map((e) => e.kind);
    expect(kinds).toContain('offline.accepted');
  });

  it('takes queued points off the last known balance: a second offline redemption cannot spend them again', async () => {
    await seen(anna.cardNumber); // 2500 points
    await down();
    const first = await quoted(anna.cardNumber, 5000, 2000);
    await rt.service.confirmRedemption({ saleId: first.id, pointsMilli: 2000_000 });
    const second = await rt.service.startSale({ basketCents: 5000 });
    const v = await rt.service.identifyMember({ saleId: second.id, input: anna.cardNumber, source: 'scanner' });
    expect(v.member).toMatchObject({ balanceMilli: 500_000, queuedMilli: 2000_000, lastKnown: true });
    expect(await codeOf(rt.service.quote({ saleId: second.id, pointsMilli: 600_000 }))).toBe('POINTS_ABOVE_BALANCE');
  });

  it('refuses past a manager limit, says which, and a manager override lets it through (logged with who and why)', async () => {
    rt.store.setSetting(OFFLINE_POLICY_SETTING, JSON.stringify({ maxPointsPerRedemptionMilli: 300_000 }));
    await seen(anna.cardNumber);
    await down();
    const q = await quoted(anna.cardNumber, 5000, 400);
    let err: { code?: string; details?: { overridable?: boolean; breaches?: { limit: string }[] } } = {};
    try {
      await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 400_000 });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('OFFLINE_LIMIT');
    expect(err.details?.overridable).toBe(true);
    expect(err.details?.breaches?.map((b) => b.limit)).toEqual(['perRedemption']);
    expect(rt.store.outbox.counts().waiting).toBe(0); // nothing committed

    expect(await codeOf(rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 400_000, approval: { ...manager, pin: '0000' } }))).toBe('PIN_WRONG');
    const r = await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 400_000, approval: manager });
    expect(r).toMatchObject({ state: 'queued', offlineAccepted: true });
    const override = (await rt.service.listLog({ limit: 50, saleId: q.id })).entries.find((e) => e.kind === 'offline.override');
    expect(override?.detail).toMatchObject({ manager: 'Marie', reason: 'approved at the counter', limits: ['perRedemption'] });
  });

  it('a member never seen on this terminal cannot redeem offline, with a plain reason', async () => {
    await down();
    const s = await rt.service.startSale({ basketCents: 500 });
    const code = await codeOf(rt.service.identifyMember({ saleId: s.id, input: anna.cardNumber, source: 'scanner' }));
    expect(['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT']).toContain(code);
  });

  it('a queued redemption the backend later refuses is flagged for the manager with the amount at risk', async () => {
    await seen(DEMO_MEMBERS.chloe.cardNumber); // 300 points
    await down();
    const q = await quoted(DEMO_MEMBERS.chloe.cardNumber, 5000, 300);
    await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 300_000 });
    await rt.service.markPaid({ saleId: q.id });
    // Meanwhile the member spent the points elsewhere.
    sandbox.backends.whitelabel.state.applyEvent(
      'REDEEMED_POINTS',
      DEMO_MEMBERS.chloe.userId,
      { points: 250, transactionId: 'other-shop', storeId: 'S9', terminalId: 'T9' },
      250,
    );
    await up();
    await until(() => rt.store.outbox.counts().waiting === 0);
    expect(rt.store.outbox.counts().attention).toBe(1);
    const v = await rt.service.getSale({ saleId: q.id });
    expect(v).toMatchObject({ state: 'paid', redemption: 'attention' });
    const atRisk = (await rt.service.listLog({ limit: 50, saleId: q.id })).entries.find((e) => e.kind === 'redeem.at-risk' || e.kind === 'redeem.attention');
    expect(atRisk).toBeDefined();
    expect(ledger(DEMO_MEMBERS.chloe.userId).filter((e) => e.payload.transactionId !== 'other-shop')).toHaveLength(0);
  });
});

describe('voids and refunds', () => {
  it('a void before posting cancels: nothing reaches the backend', async () => {
    const q = await quoted(anna.cardNumber, 5000, 500);
    expect((await rt.service.cancelSale({ saleId: q.id })).state).toBe('cancelled');
    expect(await codeOf(rt.service.cancelSale({ saleId: q.id }))).toBe('ALREADY_VOIDED');
    expect(ledger(anna.userId)).toHaveLength(0);
  });

  it('a void while the redemption is still queued withdraws it in the same transaction', async () => {
    await seen(anna.cardNumber);
    await down();
    const q = await quoted(anna.cardNumber, 5000, 500);
    await rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 500_000 });
    await rt.service.markPaid({ saleId: q.id });
    const v = await rt.service.voidSale({ saleId: q.id, approval: manager });
    expect(v).toMatchObject({ state: 'voided', redemption: 'cancelled' });
    await up();
    // The terminal notices the backend is back and drains its queue: after that drain, still nothing was sent.
    await until(() => rt.service.connectivity.online);
    await rt.service.worker.idle();
    expect(ledger(anna.userId)).toHaveLength(0);
    expect(rt.store.outbox.counts()).toEqual({ waiting: 0, attention: 0 });
  });

  it('a void after payment gives the points back exactly once, and a second void is refused', async () => {
    const paid = await paidSale(anna.cardNumber, 5000, 800);
    expect(balance(anna.userId)).toBe(1700);
    expect(await codeOf(rt.service.voidSale({ saleId: paid.id, approval: { ...manager, pin: '1111' } }))).toBe('PIN_WRONG');
    const v = await rt.service.voidSale({ saleId: paid.id, approval: manager });
    expect(v.state).toBe('voided');
    await until(async () => (await rt.service.getSale({ saleId: paid.id })).compensation?.state === 'done');
    expect(balance(anna.userId)).toBe(2500);
    expect(ledger(anna.userId).map((e) => e.type)).toEqual(['REDEEMED_POINTS', 'POINTS_REFUND']);
    expect(JSON.stringify(ledger(anna.userId)[1])).toContain(paid.id);
    expect(await codeOf(rt.service.voidSale({ saleId: paid.id, approval: manager }))).toBe('ALREADY_VOIDED');
    expect(await codeOf(rt.service.refundSale({ saleId: paid.id, amountCents: 100, approval: manager }))).toBe('ALREADY_VOIDED');
    const voided = (await rt.service.listLog({ limit: 50, saleId: paid.id })).entries.find((e) => e.kind === 'sale.voided');
    expect(voided?.detail).toMatchObject({ approvedBy: 'Marie' });
  });

  it('partial refunds give back points in proportion, rounded in the member favour, summing to what was taken', async () => {
    const paid = await paidSale(anna.cardNumber, 1000, 333); // 333 points on a 10.00 basket
    const r1 = await rt.service.refundSale({ saleId: paid.id, amountCents: 100, approval: manager }); // 10% -> 33.3 -> 34
    expect(r1.refunded).toEqual({ cents: 100, pointsMilli: 34_000 });
    expect(await codeOf(rt.service.refundSale({ saleId: paid.id, amountCents: 901, approval: manager }))).toBe('AMOUNT_INVALID');
    const r2 = await rt.service.refundSale({ saleId: paid.id, amountCents: 900, approval: manager }); // the rest
    expect(r2.refunded).toEqual({ cents: 1000, pointsMilli: 333_000 });
    expect(r2.state).toBe('voided');
    await until(() => rt.store.outbox.counts().waiting === 0);
    expect(balance(anna.userId)).toBe(2500);
    const refunds = ledger(anna.userId).filter((e) => e.type === 'POINTS_REFUND');
    expect(refunds.map((e) => e.payload.points)).toEqual([34, 299]);
  });

  it('ten 1-cent refunds on a 10.00 sale paid with 10 points give back 1 point in total; refunding the rest returns exactly the other 9', async () => {
    const paid = await paidSale(anna.cardNumber, 1000, 10);
    let last = paid;
    for (let i = 0; i < 10; i++) last = await rt.service.refundSale({ saleId: paid.id, amountCents: 1, approval: manager });
    // Cumulative, member-favourable: ceil(10 points × 0.10 / 10.00) = 1 point after all ten.
    expect(last.refunded).toEqual({ cents: 10, pointsMilli: 1000 });
    expect(last.state).toBe('paid');
    await until(() => rt.store.outbox.counts().waiting === 0);
    expect(balance(anna.userId)).toBe(2491);
    const rest = await rt.service.refundSale({ saleId: paid.id, amountCents: 990, approval: manager });
    expect(rest.refunded).toEqual({ cents: 1000, pointsMilli: 10_000 });
    expect(rest.state).toBe('voided');
    await until(() => rt.store.outbox.counts().waiting === 0);
    expect(balance(anna.userId)).toBe(2500);
    const refunds = ledger(anna.userId).filter((e) => e.type === 'POINTS_REFUND');
    expect(refunds.map((e) => e.payload.points)).toEqual([1, 9]);
  }, 60_000); // twelve approved refunds and their sends: a ceiling for a hang on a loaded machine, not a figure

  it('a void racing an in-flight post: the post lands, then the refund follows', async () => {
    await control('POST', '/faults', { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'latency', ms: 500, times: 1 });
    const q = await quoted(anna.cardNumber, 5000, 600);
    const confirming = rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 600_000 });
    const post = await held.next(); // the post has reached the backend and is held there: in flight
    const v = await rt.service.cancelSale({ saleId: q.id });
    expect(v.voidPending).toBe(true);
    post.release();
    await confirming;
    await until(async () => (await rt.service.getSale({ saleId: q.id })).compensation?.state === 'done');
    expect((await rt.service.getSale({ saleId: q.id })).state).toBe('voided');
    expect(ledger(anna.userId).map((e) => e.type)).toEqual(['REDEEMED_POINTS', 'POINTS_REFUND']);
    expect(balance(anna.userId)).toBe(2500);
  });

  it('a void racing an in-flight post that times out: in doubt until a manager finds it was not applied, then withdrawn, never sent again', async () => {
    await control('POST', '/faults', { backend: 'whitelabel', method: 'POST', path: '/v1/events', fault: 'timeout', times: 1 });
    const q = await quoted(anna.cardNumber, 5000, 600);
    const confirming = rt.service.confirmRedemption({ saleId: q.id, pointsMilli: 600_000 });
    await until(() => rt.service.worker.isInFlight(rt.store.outbox.forSale(q.id)[0]?.id ?? -1));
    await rt.service.cancelSale({ saleId: q.id });
    await confirming;
    await until(() => rt.store.outbox.forSale(q.id)[0]?.state === 'attention', 8000);
    expect((await rt.service.getSale({ saleId: q.id })).voidPending).toBe(true);
    await rt.service.resolveInDoubt({ item: `outbox:${rt.store.outbox.forSale(q.id)[0]!.id}`, decision: 'send-again', approval: manager });
    await until(async () => (await rt.service.getSale({ saleId: q.id })).state === 'cancelled', 8000);
    expect(ledger(anna.userId)).toHaveLength(0);
    expect(balance(anna.userId)).toBe(2500);
  });
});
