/** Review item 5: what a cashier's log shows is decided in the service: sales and their own session. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Runtime } from '../runtime.js';
import { startTestTerminal, type TestTerminal } from '../../test/test-terminal.js';

let t: TestTerminal;
let rt: Runtime;
beforeEach(async () => {
  // The embedded emulator, nobody yet: the test signs people up through the contract.
  t = await startTestTerminal({ sandbox: false, manager: null });
  rt = t.rt;
});
afterEach(async () => {
  await t.close();
});

async function ok<T>(method: string, input: unknown): Promise<T> {
  const r = await rt.call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

it('a cashier sees sales and their own sign-ins; settings, approvals and people stay with managers', async () => {
  const ann = await ok<{ id: string }>('createFirstManager', { name: 'Ann', pin: '135790' });
  const bo = await ok<{ id: string }>('createPerson', { name: 'Bo', role: 'cashier', pin: '2468' });
  const cy = await ok<{ id: string }>('createPerson', { name: 'Cy', role: 'cashier', pin: '1357' });
  await ok('updateSettings', { patch: { storeName: 'Gent Korenmarkt' } });
  await ok('signIn', { personId: cy.id, pin: '1357' });
  await ok('signIn', { personId: bo.id, pin: '2468' });
  const sale = await ok<{ id: string }>('startSale', { basketCents: 1000 });
  await ok('retryQueue', { approval: { managerId: ann.id, pin: '135790' } }); // an approval, at Bo's till

  const seen = (await ok<{ entries: { kind: string; actor: string; saleId: string | null }[] }>('listLog', { limit: 200 })).entries;
  expect(seen.length).toBeGreaterThan(0);
  for (const e of seen) {
    const allowed = e.saleId !== null || (e.actor === bo.id && (e.kind === 'person.signin' || e.kind === 'person.signout'));
    expect(allowed, `${e.kind} by ${e.actor}`).toBe(true);
  }
  expect(seen.some((e) => e.saleId === sale.id)).toBe(true);
  expect(seen.some((e) => e.kind === 'person.signin' && e.actor === bo.id)).toBe(true);
  // one sale's entries still filter
  expect((await ok<{ entries: { saleId: string }[] }>('listLog', { limit: 50, saleId: sale.id })).entries.every((e) => e.saleId === sale.id)).toBe(true);

  await ok('signIn', { personId: ann.id, pin: '135790' });
  const all = (await ok<{ entries: { kind: string }[] }>('listLog', { limit: 200 })).entries.map((e) => e.kind);
  for (const kind of ['settings.changed', 'person.created', 'manager.approval']) expect(all).toContain(kind);
});
