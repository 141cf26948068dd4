/**
 * Going live through the contract, over a real SQLite file per mode and a
 * loyalty emulator started apart from the terminal (as a store's program
 * would be): a wrong secret is named as the token step and refused; the
 * right one takes the terminal live; the redemption lands in that
 * emulator's ledger; live's end of day holds only live sales while
 * training's are still there after going back; switching with a queued row
 * is refused; a restart stays live and tests the connection, and a failing
 * test keeps it offline with the reason, never in training.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '../shared/connection-test.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { startSandbox, TRAINING_CONNECTIONS, type RunningSandbox } from '../sandbox/training.js';
import type { Runtime } from './runtime.js';
import { startTestTerminal, type TestTerminal } from '../test/test-terminal.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { controlFetch } from '../sandbox/control-client.js';

let t: TestTerminal;
let store: RunningSandbox; // the "store's program", started apart from the terminal
let rt: Runtime;

beforeEach(async () => {
  store = await startSandbox({ port: 0 });
  // Training on its embedded emulator; nobody yet (the test signs the manager up through the contract).
  t = await startTestTerminal({ sandbox: false, manager: null, tuning: { requestTimeoutMs: 1500, probeIntervalMs: 100, postWaitMs: 2000 } });
  rt = t.rt;
});
afterEach(async () => {
  await t.close();
  await store.close();
});

async function ok<T>(method: string, input: unknown): Promise<T> {
  const r = await rt.call(method, input);
  if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code} ${r.error.message}`), { info: r.error });
  return r.value as T;
}

async function sell(points: number): Promise<string> {
  const sale = await ok<{ id: string }>('startSale', { basketCents: 5000 });
  await ok('identifyMember', { saleId: sale.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'scanner' });
  await ok('quote', { saleId: sale.id, pointsMilli: points * 1000 });
  const s = await ok<{ state: string }>('confirmRedemption', { saleId: sale.id, pointsMilli: points * 1000 });
  expect(s.state).toBe('posted');
  return sale.id;
}

const day = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), utcOffsetMinutes: 0 });

describe('go live', () => {
  it('wrong secret named as the token step, right one goes live, ledgers and days never mix, back to training', async () => {
    const manager = await ok<{ id: string }>('createFirstManager', { name: 'Marie', pin: '246813' });
    const approval = { managerId: manager.id, pin: '246813' };
    expect(await ok('getStatus', {})).toMatchObject({ mode: 'training', training: true });
    const trainingSale = await sell(100);

    const values = { ...TRAINING_CONNECTIONS.whitelabel(store.url) };
    const wrong = await ok<ConnectionTestResult>('testConnection', { program: 'whitelabel', values: { ...values, clientSecret: 'not-the-secret' } });
    expect(wrong).toMatchObject({ ok: false, failed: { step: 'token' } });
    const refused = await rt.call('goLive', { program: 'whitelabel', values: { ...values, clientSecret: 'not-the-secret' }, approval });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONNECTION_NOT_TESTED' } });
    expect(rt.mode).toBe('training');
    // A missing field is named before anything is called.
    expect(await rt.call('testConnection', { program: 'whitelabel', values: { ...values, apiKey: '' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { field: 'apiKey' } },
    });
    // A wrong PIN takes nothing live.
    expect(await rt.call('goLive', { program: 'whitelabel', values, approval: { ...approval, pin: '000000' } })).toMatchObject({
      ok: false,
      error: { code: 'PIN_WRONG' },
    });

    const passed = await ok<ConnectionTestResult>('testConnection', { program: 'whitelabel', values });
    expect(passed.ok).toBe(true);
    const live = await ok<{ mode: string; connection: { values: Record<string, string>; secretsSet: string[] } }>('goLive', {
      program: 'whitelabel',
      values,
      approval,
    });
    expect(live.mode).toBe('live');
    // Secrets are never sent back: only which are set.
    expect(JSON.stringify(live)).not.toContain(values.clientSecret);
    expect(JSON.stringify(live)).not.toContain(values.apiKey);
    expect(live.connection.secretsSet).toEqual(['apiKey', 'clientSecret']);
    expect(existsSync(join(t.dataDir, 'terminal-live.db'))).toBe(true);

    // Still signed in, now live: no training flag, mode live.
    expect(await ok('getStatus', {})).toMatchObject({ mode: 'live', training: false, backend: { id: 'whitelabel' }, connectionProblem: null });
    const before = store.backends.whitelabel.state.ledger(DEMO_MEMBERS.anna.userId).length;
    const liveSale = await sell(200);
    expect(store.backends.whitelabel.state.ledger(DEMO_MEMBERS.anna.userId).length).toBe(before + 1);

    const liveDay = await ok<{ totals: { redemptions: number; pointsMilli: number } }>('getEndOfDay', day());
    expect(liveDay.totals).toMatchObject({ redemptions: 1, pointsMilli: 200_000 });
    const liveSales = JSON.stringify(await ok('listSales', { limit: 100 }));
    expect(liveSales).toContain(liveSale);
    expect(liveSales).not.toContain(trainingSale);
    const liveLog = JSON.stringify(await ok('listLog', { limit: 200 }));
    expect(liveLog).not.toContain(trainingSale);
    expect(liveLog).toContain('mode.switch');

    await ok('backToTraining', { approval });
    expect(await ok('getStatus', {})).toMatchObject({ mode: 'training', training: true });
    const trainingDay = await ok<{ totals: { redemptions: number; pointsMilli: number } }>('getEndOfDay', day());
    expect(trainingDay.totals).toMatchObject({ redemptions: 1, pointsMilli: 100_000 });
    expect(JSON.stringify(await ok('listSales', { limit: 100 }))).not.toContain(liveSale);
  });

  it('refuses to switch while the queue holds rows; a restart stays live, and a failing start test keeps it offline with the reason', async () => {
    const manager = await ok<{ id: string }>('createFirstManager', { name: 'Marie', pin: '246813' });
    const approval = { managerId: manager.id, pin: '246813' };
    const values = { ...TRAINING_CONNECTIONS.whitelabel(store.url) };
    await ok('goLive', { program: 'whitelabel', values, approval });

    // A row waits in the queue: the store's program answers 503 to the event.
    const f = await controlFetch(store, 'POST', '/faults', {
      backend: 'whitelabel',
      method: 'POST',
      path: '/v1/events',
      fault: 'status',
      status: 503,
      times: 1,
    });
    expect(f.status).toBe(201);
    const sale = await ok<{ id: string }>('startSale', { basketCents: 5000 });
    await ok('identifyMember', { saleId: sale.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'scanner' });
    await ok('quote', { saleId: sale.id, pointsMilli: 100_000 });
    expect(await ok('confirmRedemption', { saleId: sale.id, pointsMilli: 100_000 })).toMatchObject({ state: 'queued' });
    expect(await rt.call('backToTraining', { approval })).toMatchObject({ ok: false, error: { code: 'QUEUE_NOT_EMPTY' } });
    expect(rt.mode).toBe('live');

    // Restart: live again, connection tested at start (logged).
    await rt.close();
    rt = await t.reopen();
    expect(rt.mode).toBe('live');
    expect(rt.connectionTest).toMatchObject({ ok: true });

    // The program is gone: the start test fails, the terminal stays live and offline, with the reason.
    await rt.close();
    await store.close();
    rt = await t.reopen();
    expect(rt.mode).toBe('live');
    expect(rt.sandboxUrl).toBeUndefined();
    const status = await ok<{ mode: string; training: boolean; connectionProblem: { step: string; message: string } | null }>('getStatus', {});
    expect(status).toMatchObject({ mode: 'live', training: false, connectionProblem: { step: 'connect' } });
    await ok('signIn', { personId: manager.id, pin: '246813' });
    const log = JSON.stringify(await ok('listLog', { limit: 50 }));
    expect(log).toContain('connection.test');
    expect(log).toContain('failed');
    store = await startSandbox({ port: 0 }); // for afterEach
  });
});
