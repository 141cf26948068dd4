/**
 * "Test connection" against the emulators, over real loopback HTTP: every
 * program passes with the values its emulator publishes; a wrong secret is
 * named as the token step; UiTPAS names a missing permission as UiTPAS does
 * and an unknown organizer; an unresolvable host and a closed port are named
 * as such. Nothing is written at the program.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM_IDS } from '../../shared/programs/index.js';
import { startSandbox, TRAINING_CONNECTIONS, type RunningSandbox } from '../../sandbox/training.js';
import { createUitpasControl } from '../../sandbox/uitpas/control-client.js';
import { testConnection } from './connection-test.js';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
});

describe('test connection', () => {
  it.each(PROGRAM_IDS)('%s passes with the values its emulator publishes', async (id) => {
    const r = await testConnection(id, TRAINING_CONNECTIONS[id](sb.url), { timeoutMs: 3000 });
    expect(r.failed).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.steps.length).toBeGreaterThan(0);
    // A local emulator is not one of the program's published hosts.
    expect(r.environment).toBeNull();
  });

  it('names the token step for a wrong client secret (White Label)', async () => {
    const r = await testConnection('whitelabel', { ...TRAINING_CONNECTIONS.whitelabel(sb.url), clientSecret: 'wrong' }, { timeoutMs: 3000 });
    expect(r.ok).toBe(false);
    expect(r.failed).toMatchObject({ step: 'token' });
    expect(r.failed!.message).toMatch(/refused/);
  });

  it('names a wrong X-Api-Key as refused credentials after a good token (White Label)', async () => {
    const r = await testConnection('whitelabel', { ...TRAINING_CONNECTIONS.whitelabel(sb.url), apiKey: 'wrong' }, { timeoutMs: 3000 });
    expect(r.steps[0]).toMatchObject({ step: 'token', ok: true });
    expect(r.failed).toMatchObject({ ok: false });
    expect(r.failed!.message).toMatch(/refused/);
  });

  it('UiTPAS: names each missing permission as UiTPAS does, and an unknown organizer', async () => {
    const base = TRAINING_CONNECTIONS.uitpas(sb.url);
    const ui = createUitpasControl(sb);
    await ui.addClient({ clientId: 'no-redeem', clientSecret: 'no-redeem-secret', permissions: { [base.organizerId!]: ['PASSES_READ', 'REWARDS_READ'] } });
    const r = await testConnection('uitpas', { ...base, clientId: 'no-redeem', clientSecret: 'no-redeem-secret' }, { timeoutMs: 3000 });
    expect(r.failed).toMatchObject({ step: 'permission' });
    expect(r.failed!.message).toContain('REWARDS_REDEEM');
    expect(r.failed!.message).not.toContain('PASSES_READ');

    const unknown = await testConnection('uitpas', { ...base, organizerId: '00000000-0000-4000-8000-000000000000' }, { timeoutMs: 3000 });
    expect(unknown.failed).toMatchObject({ step: 'account' });
    expect(unknown.failed!.message).toMatch(/Unknown organizer 00000000-0000-4000-8000-000000000000/);
  });

  it('names an unresolvable host and a port where nothing listens', async () => {
    const dns = await testConnection('cardlinked', { ...TRAINING_CONNECTIONS.cardlinked(sb.url), baseUrl: 'https://pwp-test.invalid/v1' }, { timeoutMs: 3000 });
    expect(dns.failed).toMatchObject({ step: 'name-resolution' });
    expect(dns.failed!.message).toContain('pwp-test.invalid');
    const closed = await testConnection('cardlinked', { ...TRAINING_CONNECTIONS.cardlinked('http://127.0.0.1:9') }, { timeoutMs: 3000 });
    expect(closed.failed).toMatchObject({ step: 'connect' });
  });
});
