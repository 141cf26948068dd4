/**
 * The adapter contract for every program, on the live path: each adapter is
 * built from its program's connection values only (what a manager types or
 * a config file gives, here the values the emulator publishes), never from
 * the emulator's typed demo configuration. It answers the probe, finds the
 * emulator's sample member, declares what its descriptor says, and a wrong
 * value in any secret field is refused as an authentication failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM_IDS, programOf, secretKeys } from '../../shared/programs/index.js';
import { startSandbox, TRAINING_CONNECTIONS, TRAINING_SAMPLE_MEMBERS, type RunningSandbox } from '../../sandbox/training.js';
import { createAdapter } from './registry.js';

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
});

describe.each(PROGRAM_IDS)('%s adapter built from connection fields', (id) => {
  const values = () => TRAINING_CONNECTIONS[id](sb.url);

  it('answers the probe and declares its descriptor', async () => {
    const adapter = createAdapter(id, values(), { timeoutMs: 3000 });
    await adapter.probe();
    expect(adapter.info.id).toBe(id);
    expect(adapter.info.capabilities.balanceAtCounter).toBe(programOf(id).capabilities.balanceAtCounter);
  });

  it('finds the sample member with a balance where the program shows one', async () => {
    const sample = TRAINING_SAMPLE_MEMBERS[id];
    const adapter = createAdapter(id, values(), { timeoutMs: 3000 });
    if (!sample) {
      await expect(adapter.lookupMember({ kind: 'card', value: '4444000000004001' })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
      return;
    }
    const member = await adapter.lookupMember(sample);
    expect(member.backendMemberId).not.toBe('');
    expect(member.balanceMilli === null).toBe(!adapter.info.capabilities.balanceAtCounter);
  });

  // The secrets this connection uses (Capillary's training terminal signs in with its till, not OAuth).
  // An inbound secret (Pentadata's alert token) is checked on each incoming alert (offers/receiver.test.ts), not by a probe.
  const inbound = new Set<string>(
    programOf(id)
      .connection.filter((f) => 'inbound' in f && f.inbound)
      .map((f) => f.key),
  );
  const usedSecrets = secretKeys(programOf(id)).filter((k) => TRAINING_CONNECTIONS[id]('http://127.0.0.1:9')[k] && !inbound.has(k));
  it.each(usedSecrets)('refuses a wrong %s as an authentication failure', async (key) => {
    const adapter = createAdapter(id, { ...values(), [key]: `${values()[key]}-wrong` }, { timeoutMs: 3000 });
    await expect(adapter.probe()).rejects.toMatchObject({ code: 'BACKEND_AUTH' });
  });
});
