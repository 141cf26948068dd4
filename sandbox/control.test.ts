/** The control API over real HTTP: health, members, ledger, reset, faults. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { luhnValid } from '../shared/member-number.js';
import { controlHeaders, createControlClient, type ControlClient } from './control-client.js';
import { DEMO_MEMBERS } from './demo-data.js';
import { startSandbox, type RunningSandbox } from './server.js';

describe('control API', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  const raw = async (method: string, path: string, body?: string) => {
    const r = await fetch(`${sb.url}/_control${path}`, { method, headers: controlHeaders(sb), body });
    return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
  };

  beforeAll(async () => {
    sb = await startSandbox();
    control = createControlClient(sb);
  });
  afterAll(() => sb.close());
  beforeEach(() => control.reset());

  it('reports health and the mounted backends', async () => {
    expect(await control.health()).toEqual({ ok: true, backends: ['whitelabel', 'capillary', 'gafapay', 'uitpas', 'pentadata'], faults: 0 });
  });

  it('seeds the demo members with Luhn-valid 13-digit cards', async () => {
    const { balances } = await control.whitelabel.ledger();
    for (const m of Object.values(DEMO_MEMBERS)) {
      expect(m.cardNumber).toMatch(/^\d{13}$/);
      expect(luhnValid(m.cardNumber)).toBe(true);
      expect(balances[m.userId]).toBe(m.points);
    }
  });

  it("adds a member with a generated member id, not a card number: the program's ids are its own", async () => {
    const m = await control.whitelabel.addMember({ points: 777 });
    expect(m.userId).toMatch(/^wlm_[0-9a-f]{12}$/);
    expect((await control.whitelabel.ledger(m.userId)).balances).toEqual({ [m.userId]: 777 });
  });

  it('adds a member with a given member id (any id, no check digit); refuses duplicates and bad ids', async () => {
    expect(await control.whitelabel.addMember({ memberId: '79927398710', points: 5 })).toEqual({ userId: '79927398710', points: 5 });
    expect((await raw('POST', '/whitelabel/members', JSON.stringify({ memberId: '79927398710', points: 1 }))).status).toBe(409);
    const bad = await raw('POST', '/whitelabel/members', JSON.stringify({ memberId: 'no spaces', points: 1 }));
    expect(bad.status).toBe(400);
    expect(bad.type).toContain('application/problem+json');
    expect((await raw('POST', '/whitelabel/members', JSON.stringify({ points: 1.5 }))).status).toBe(400);
  });

  it('reset brings the demo data back, clears faults; seedDemo false empties', async () => {
    await control.whitelabel.addMember({ points: 1 });
    await control.addFault({ fault: 'status', path: '/never' });
    await control.reset();
    expect(Object.keys((await control.whitelabel.ledger()).balances)).toHaveLength(Object.keys(DEMO_MEMBERS).length);
    expect(await control.listFaults()).toEqual([]);
    await control.reset(false);
    expect((await control.whitelabel.ledger()).balances).toEqual({});
  });

  it('adds, lists and deletes faults; refuses a bad one', async () => {
    const a = await control.addFault({ fault: 'latency', ms: 5 });
    const b = await control.addFault({ fault: 'status', status: 500, backend: 'whitelabel' });
    expect((await control.listFaults()).map((f) => f.id)).toEqual([a.id, b.id]);
    expect((await raw('DELETE', `/faults/${a.id}`)).body).toEqual({ cleared: 1 });
    expect((await raw('DELETE', `/faults/${a.id}`)).status).toBe(404);
    expect((await raw('DELETE', '/faults')).body).toEqual({ cleared: 1 });
    const bad = await raw('POST', '/faults', JSON.stringify({ fault: 'status', backend: 'nobody' }));
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/backend must be one of whitelabel/);
    expect((await raw('POST', '/faults', '{not json')).status).toBe(400);
  });

  it('a hold parks a real request until released over the control API: applied only then, answered for real', async () => {
    const c = DEMO_MEMBERS.anna;
    const hold = await control.addFault({ fault: 'hold', backend: 'whitelabel', path: '/wallet', times: 1 });
    const answered = fetch(`${sb.url}/whitelabel/v1/users/${c.userId}/wallet`).then((r) => r.status);
    await sb.faults.whenHeld(hold.id, 1);
    expect((await control.listFaults()).length).toBe(0); // its one use is taken; the parked request stays releasable
    expect((await raw('POST', `/faults/${hold.id}/release`, JSON.stringify({ count: 0 }))).status).toBe(400);
    expect((await raw('POST', `/faults/${hold.id}/release`, '{}')).body).toEqual({ released: 1 });
    expect(await answered).toBe(401); // the real answer (no API key), only after the release
  });

  it('answers 404 for unknown control routes', async () => {
    expect((await raw('GET', '/nope')).status).toBe(404);
    expect((await raw('GET', '/whitelabel/nope')).status).toBe(404);
  });
});
