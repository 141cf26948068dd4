/**
 * The UiTPAS rewards desk through the runtime's dispatcher (the gate both
 * transports use), against the sandbox's UiTPAS emulator, with a real SQLite
 * file: a manager creates a reward with a counter discount, the counter
 * offers it with that discount, the manager edits it, the discount survives a
 * restart, every write is in the log with who made it, a cashier cannot
 * write, and a client without REWARDS_WRITE is refused in UiTPAS's words
 * (logged with who tried).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrganizerRewardView } from '../../shared/contract/reward-desk.js';
import type { Runtime } from '../runtime.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { startTestTerminal, type TestTerminal } from '../../test/test-terminal.js';
import { createUitpasControl } from '../../sandbox/uitpas/control-client.js';
import { UITPAS_ORGANIZERS, UITPAS_SANDBOX_CLIENTS } from '../../sandbox/uitpas/demo-data.js';

const MANAGER_PIN = '24681357';
const reward = {
  title: 'Gratis soep',
  promotionalDescription: 'Een kom soep voor 12 punten.',
  points: 12,
  categories: ['Eten en drinken'],
  moreInfoURL: 'https://www.example.be/soep',
  publicationPeriod: { begin: '2026-01-01T00:00:00Z' },
};

describe('the UiTPAS rewards desk, end to end', () => {
  let t: TestTerminal;
  let sandbox: RunningSandbox;
  let rt: Runtime;
  let managerId: string;

  async function call<T = any>(method: string, input: unknown): Promise<T> {
    const env = await rt.call(method, input);
    if (!env.ok) throw Object.assign(new Error(env.error.message), { info: env.error });
    return env.value as T;
  }
  async function refusal(method: string, input: unknown) {
    const env = await rt.call(method, input);
    if (env.ok) throw new Error(`${method} was accepted`);
    return env.error;
  }
  const logOf = async (kind: string) => (await call('queryLog', { filter: { kind }, limit: 20 })).entries as Array<Record<string, any>>;

  beforeAll(async () => {
    // Nobody yet: the manager signs up through the contract, as at the screen.
    t = await startTestTerminal({ backend: 'uitpas', manager: null, tempPrefix: 'reward-desk', tuning: { requestTimeoutMs: 3000 } });
    ({ sandbox, rt } = t);
    managerId = (await call('createFirstManager', { name: 'Mia Manager', pin: MANAGER_PIN })).id;
    await call('signIn', { personId: managerId, pin: MANAGER_PIN });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('create with a discount, offered at the counter with it, edited, kept over a restart, logged with who', async () => {
    const { reward: made } = await call<{ reward: OrganizerRewardView }>('createOrganizerReward', { reward, discountCents: 350 });
    expect(made).toMatchObject({ title: 'Gratis soep', points: 12, discountCents: 350, status: 'ACTIVE' });

    // The counter offers it to a passholder with this counter's discount.
    const pass = await createUitpasControl(sandbox).addPassholder({ points: 40 });
    const sale = await call('startSale', { basketCents: 1000 });
    await call('identifyMember', { saleId: sale.id, input: pass.uitpasNumber, source: 'keyboard' });
    const { offers } = await call('listRewards', { saleId: sale.id, limit: 100 });
    expect(offers.find((o: { id: string }) => o.id === made.id)).toMatchObject({ discount: { cents: 350, currency: 'EUR' }, pointsMilli: 12_000 });
    await call('cancelSale', { saleId: sale.id });

    await call('updateOrganizerReward', { rewardId: made.id, reward: { ...reward, title: 'Gratis soep (groot)', points: 15 }, discountCents: 400 });
    await rt.close();
    rt = await t.reopen();
    await call('signIn', { personId: managerId, pin: MANAGER_PIN });
    const listed = (await call('listOrganizerRewards', {})) as { organizerId: string; rewards: OrganizerRewardView[] };
    expect(listed.organizerId).toBe(UITPAS_ORGANIZERS.counter.id);
    expect(listed.rewards.find((r) => r.id === made.id)).toMatchObject({ title: 'Gratis soep (groot)', points: 15, discountCents: 400 });

    const [update] = await logOf('reward.update');
    expect(update).toMatchObject({ actor: managerId, outcome: 'ok', detail: { rewardId: made.id, points: 15, discountCentsBefore: 350, discountCents: 400 } });
    const [create] = await logOf('reward.create');
    expect(create).toMatchObject({ actor: managerId, outcome: 'ok', detail: { rewardId: made.id, discountCents: 350 } });
  });

  it('a cashier cannot write; a client without REWARDS_WRITE is refused naming it, and the attempt is logged with who', async () => {
    const cashier = await call('createPerson', { name: 'Cas Cashier', role: 'cashier', pin: '1357' });
    await call('signIn', { personId: cashier.id, pin: '1357' });
    expect((await refusal('createOrganizerReward', { reward, discountCents: 100 })).code).toBe('MANAGER_REQUIRED');
    await call('signIn', { personId: managerId, pin: MANAGER_PIN });

    // The terminal's client loses REWARDS_WRITE at UiTPAS.
    await createUitpasControl(sandbox).addClient({
      ...UITPAS_SANDBOX_CLIENTS.pos,
      permissions: { [UITPAS_ORGANIZERS.counter.id]: ['PASSES_READ', 'REWARDS_READ', 'REWARDS_REDEEM'] },
    });
    const e = await refusal('createOrganizerReward', { reward, discountCents: 100 });
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain('REWARDS_WRITE');
    const [denied] = await logOf('reward.create');
    expect(denied).toMatchObject({ actor: managerId, outcome: 'FORBIDDEN', detail: { permission: 'REWARDS_WRITE', title: 'Gratis soep' } });
  });
});
