/**
 * The UiTPAS reward flow through the service and the real sandbox: a reward
 * from the catalogue instead of an amount of points.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../runtime.js';
import { startTestTerminal, type ManagerApproval, type TestTerminal } from '../../test/test-terminal.js';
import { UITPAS_DEMO_PASSHOLDERS, UITPAS_DEMO_REWARDS } from '../../sandbox/uitpas/demo-data.js';
import { until } from '../../test/until.js';

let t: TestTerminal;
let rt: Runtime;
let approval: ManagerApproval;

beforeEach(async () => {
  t = await startTestTerminal({ backend: 'uitpas', reason: 'visit cancelled', tuning: { postWaitMs: 3000, requestTimeoutMs: 1500 } });
  ({ rt, manager: approval } = t);
});
afterEach(async () => {
  await t.close();
});
const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as { code: string; endUserMessage?: Record<string, string> };
  }
  throw new Error('expected a refusal');
};
describe('UiTPAS at the counter', () => {
  it('shows the passholder, lists rewards with reasons, redeems one before payment, and a void cancels it', async () => {
    const jan = UITPAS_DEMO_PASSHOLDERS.jan;
    const sale = await rt.service.startSale({ basketCents: 2000 });
    const v = await rt.service.identifyMember({ saleId: sale.id, input: '0930 012 345 615', source: 'scanner' });
    expect(v.member).toMatchObject({ firstName: 'Jan', balanceMilli: 120_000, identifierKind: 'uitpas' });
    expect(await errorOf(rt.service.quote({ saleId: sale.id, pointsMilli: 10_000 }))).toMatchObject({ code: 'NOT_SUPPORTED' });

    const page = await rt.service.listRewards({ saleId: sale.id, limit: 50 });
    expect(page.offers.length).toBeGreaterThan(3);
    const welcome = page.offers.find((o) => o.id === UITPAS_DEMO_REWARDS.welcome.id);
    expect(welcome?.pointsMilli).toBe(0);
    expect(page.offers.some((o) => !o.availability.redeemable)).toBe(true);

    const q = await rt.service.chooseReward({ saleId: sale.id, rewardId: UITPAS_DEMO_REWARDS.ticket.id });
    expect(q.reward).toMatchObject({ id: UITPAS_DEMO_REWARDS.ticket.id, pointsMilli: 50_000 });
    expect(q.quote).toMatchObject({ pointsMilli: 50_000, balanceBeforeMilli: 120_000, balanceAfterMilli: 70_000 });
    const posted = await rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 50_000 });
    expect(posted.state).toBe('posted');
    await rt.service.markPaid({ saleId: sale.id });

    const again = await rt.service.startSale({ basketCents: 100 });
    expect((await rt.service.identifyMember({ saleId: again.id, input: jan.uitpasNumber, source: 'scanner' })).member?.balanceMilli).toBe(70_000);
    await rt.service.cancelSale({ saleId: again.id });

    await rt.service.voidSale({ saleId: sale.id, approval });
    await until(async () => (await rt.service.getSale({ saleId: sale.id })).compensation?.state === 'done');
    const after = await rt.service.startSale({ basketCents: 100 });
    expect((await rt.service.identifyMember({ saleId: after.id, input: jan.uitpasNumber, source: 'scanner' })).member?.balanceMilli).toBe(120_000);
  });

  it('an unredeemable reward is refused with the Dutch reason and nothing is committed', async () => {
    const fatima = UITPAS_DEMO_PASSHOLDERS.fatima; // 25 points
    const sale = await rt.service.startSale({ basketCents: 2000 });
    const v = await rt.service.identifyMember({ saleId: sale.id, input: fatima.uitpasNumber, source: 'scanner' });
    expect(v.member?.socialTariff?.status).toBe('ACTIVE');
    expect(v.member?.messages.length).toBeGreaterThan(0);
    const e = await errorOf(rt.service.chooseReward({ saleId: sale.id, rewardId: UITPAS_DEMO_REWARDS.exhibition.id }));
    expect(e.code).toBe('REWARD_NOT_REDEEMABLE');
    expect(e.endUserMessage?.nl).toBeTruthy();
    expect(rt.store.outbox.forSale(sale.id)).toHaveLength(0);
  });

  it('a welcome reward (0 points) is redeemed too', async () => {
    const sale = await rt.service.startSale({ basketCents: 500 });
    await rt.service.identifyMember({ saleId: sale.id, input: UITPAS_DEMO_PASSHOLDERS.jan.uitpasNumber, source: 'scanner' });
    const q = await rt.service.chooseReward({ saleId: sale.id, rewardId: UITPAS_DEMO_REWARDS.welcome.id });
    expect(q.quote?.pointsMilli).toBe(0);
    expect((await rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 0 })).state).toBe('posted');
  });
});
