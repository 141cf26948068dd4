/**
 * The UiTPAS rewards desk (POST /rewards, PUT /rewards/{id}) against the real
 * sandbox over loopback. Every request body the desk sends is also checked
 * here against the official document's Reward schema with ajv (the same
 * validator the conformance test uses), and the emulator's own refusals are
 * compared with ajv's verdict on the same body.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardDraft } from '../../shared/contract/reward-desk.js';
import { PosError } from '../../shared/errors.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { createUitpasControl, type UitpasControl } from '../../sandbox/uitpas/control-client.js';
import { UITPAS_ORGANIZERS, UITPAS_SANDBOX_CLIENTS, uitpasSandboxConfig } from '../../sandbox/uitpas/demo-data.js';
import { OpenApiValidator, type OpenApiDocument } from '../../sandbox/uitpas/openapi-validate.js';
import { httpJson, type HttpJson } from './http.js';
import { createUitpasAdapter, type UitpasAdapter } from './uitpas.js';
import { draftFields, editBody } from './uitpas-reward-desk.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const doc = JSON.parse(readFileSync(path.join(HERE, '../../sandbox/uitpas/openapi-subset.json'), 'utf8')) as OpenApiDocument;
const validator = new OpenApiValidator(doc);
const rewardSchema = { $ref: '#/components/schemas/Reward' };

const draft = (over: Partial<RewardDraft> = {}): RewardDraft => ({
  title: 'Gratis soep',
  promotionalDescription: 'Een kom soep voor 12 punten.',
  points: 12,
  categories: ['Eten en drinken'],
  moreInfoURL: 'https://www.example.be/soep',
  publicationPeriod: { begin: '2026-01-01T00:00:00Z' },
  redeemPeriod: { begin: '2026-01-01T00:00:00Z', end: '2030-12-31T22:59:59Z' },
  maxAvailableUnits: 200,
  perMemberLimit: { volume: 2, period: 'WEEK' },
  ...over,
});

async function caught(p: Promise<unknown>): Promise<PosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    return e as PosError;
  }
  throw new Error('expected a PosError');
}

describe('UiTPAS rewards desk against the sandbox', () => {
  let sb: RunningSandbox;
  let ui: UitpasControl;
  let adapter: UitpasAdapter;
  /** The bodies of the desk's writes, as sent. */
  const writes: Array<{ method: string; body: unknown }> = [];
  const recording: HttpJson = async (req) => {
    if ((req.method === 'POST' || req.method === 'PUT') && /\/uitpas\/rewards(\/(?!redeemed)[^/?]+)?$/.test(req.url))
      writes.push({ method: req.method, body: req.body });
    return httpJson(req);
  };

  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    ui = createUitpasControl(sb);
    adapter = createUitpasAdapter({ ...uitpasSandboxConfig(sb.url), timeoutMs: 3000, http: recording });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('creates a points reward for the organizer, lists it, and the counter gives the discount set for it', async () => {
    const made = await adapter.rewardDesk.create(draft());
    expect(made).toMatchObject({
      title: 'Gratis soep',
      points: 12,
      status: 'ACTIVE',
      unitsTaken: 0,
      perMemberLimit: { volume: 2, period: 'WEEK' },
      discountCents: null,
    });
    adapter.rewardDesk.setDiscount(made.id, 275);
    const listed = (await adapter.rewardDesk.list()).find((r) => r.id === made.id);
    expect(listed).toMatchObject({ title: 'Gratis soep', maxAvailableUnits: 200, discountCents: 275 });
    // The counter's catalogue carries the new reward with this counter's discount.
    const jan = await ui.addPassholder({ points: 50 });
    const m = await adapter.lookupMember({ kind: 'uitpas', value: jan.uitpasNumber });
    const check = await adapter.checkReward(m, made.id);
    expect(check.reward.discount).toEqual({ cents: 275, currency: 'EUR' });
    expect(check.availability.redeemable).toBe(true);
    expect(writes.at(-1)).toMatchObject({ method: 'POST', body: { type: 'POINTS', organizers: [{ id: UITPAS_ORGANIZERS.counter.id }] } });
  });

  it('an edit keeps what UiTPAS holds that the desk does not edit, and removes an optional field the form cleared', async () => {
    const own = await ui.addReward({ title: 'Fietsles', points: 30, allCardSystems: false, applicableCardSystemIds: [1], maxAvailableUnits: 9 });
    const { perMemberLimit: _drop, maxAvailableUnits: _drop2, ...rest } = draft({ title: 'Fietsles (nieuw)', points: 25 });
    const edited = await adapter.rewardDesk.update(own.id, rest);
    expect(edited).toMatchObject({ title: 'Fietsles (nieuw)', points: 25, maxAvailableUnits: null, perMemberLimit: null });
    const after = (await adapter.rewardDesk.list()).find((r) => r.id === own.id)!;
    expect(after.title).toBe('Fietsles (nieuw)');
    const put = writes.at(-1)!;
    expect(put.method).toBe('PUT');
    // Kept as UiTPAS had it: the card-system restriction and the organizer.
    expect(put.body).toMatchObject({ allCardSystems: false, applicableCardSystems: [{ id: 1 }], organizers: [{ id: UITPAS_ORGANIZERS.counter.id }] });
    expect(put.body).not.toHaveProperty('maxAvailableUnits');
    expect(put.body).not.toHaveProperty('unitsTaken');
  });

  it('every body the desk sent fits the official Reward schema (ajv, readOnly refused)', () => {
    expect(writes.length).toBeGreaterThanOrEqual(2);
    for (const w of writes) expect(validator.validate(rewardSchema, w.body, 'request')).toEqual([]);
    // The builders on their own, with every optional field left out.
    const { redeemPeriod: _r, maxAvailableUnits: _m, perMemberLimit: _p, ...bare } = draft();
    expect(validator.validate(rewardSchema, { ...draftFields(bare), type: 'POINTS' }, 'request')).toEqual([]);
    expect(
      validator.validate(rewardSchema, editBody({ id: 'x', status: 'ACTIVE', unitsTaken: 3, lastChance: false, type: 'POINTS' }, bare), 'request'),
    ).toEqual([]);
  });

  it("the emulator refuses a body the document's schema refuses, as body/invalid-data with the field", async () => {
    const bad = { title: 'Zonder periode', type: 'POINTS', promotionalDescription: 'x', points: 3, categories: ['Snoep'], moreInfoURL: 'https://e.be' };
    expect(validator.validate(rewardSchema, bad, 'request').join()).toMatch(/publicationPeriod|categories/);
    const token = await (
      await fetch(`${sb.url}/uitpas/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: UITPAS_SANDBOX_CLIENTS.pos.clientId,
          client_secret: UITPAS_SANDBOX_CLIENTS.pos.clientSecret,
          audience: 'https://api.publiq.be',
          grant_type: 'client_credentials',
        }),
      })
    ).json();
    const r = await fetch(`${sb.url}/uitpas/rewards`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${(token as { access_token: string }).access_token}` },
      body: JSON.stringify({ ...bad, organizers: [{ id: UITPAS_ORGANIZERS.counter.id }] }),
    });
    expect(r.status).toBe(400);
    const problem = (await r.json()) as { type: string; schemaErrors: Array<{ jsonPointer: string }> };
    expect(problem.type).toMatch(/body\/invalid-data$/);
    expect(problem.schemaErrors.map((e) => e.jsonPointer).sort()).toEqual(['/categories/0', '/publicationPeriod']);
  });

  it('after a redemption, UiTPAS refuses a new price in plain words; the title may still change', async () => {
    const made = await adapter.rewardDesk.create(draft({ title: 'Bon', points: 5, perMemberLimit: undefined }));
    const p = await ui.addPassholder({ points: 20 });
    const m = await adapter.lookupMember({ kind: 'uitpas', value: p.uitpasNumber });
    await adapter.redeem({
      reference: 'desk-1.r1',
      saleId: 'desk-1',
      member: { identifier: m.identifier, backendMemberId: m.backendMemberId },
      pointsMilli: 5000,
      rewardId: made.id,
      terminalId: 't',
      storeId: 's',
      requestedAt: new Date().toISOString(),
      balanceBeforeMilli: m.balanceMilli,
    });
    const e = await caught(adapter.rewardDesk.update(made.id, draft({ title: 'Bon', points: 6, perMemberLimit: undefined })));
    expect(e.code).toBe('BACKEND_REFUSED');
    expect(e.message).toMatch(/redeemed already/);
    expect((await adapter.rewardDesk.update(made.id, draft({ title: 'Bon (herfst)', points: 5, perMemberLimit: undefined }))).title).toBe('Bon (herfst)');
  });

  it('a client without REWARDS_WRITE: refused, naming the permission and the organizer as UiTPAS does', async () => {
    const ro = createUitpasAdapter({
      ...uitpasSandboxConfig(sb.url),
      clientId: UITPAS_SANDBOX_CLIENTS.readOnly.clientId,
      clientSecret: UITPAS_SANDBOX_CLIENTS.readOnly.clientSecret,
      timeoutMs: 3000,
    });
    const e = await caught(ro.rewardDesk.create(draft()));
    expect(e.code).toBe('FORBIDDEN');
    expect(e.message).toContain(`REWARDS_WRITE for organizer ${UITPAS_ORGANIZERS.counter.id}`);
    expect(e.details).toMatchObject({ permission: 'REWARDS_WRITE', notApplied: true });
    // Reading the organizer's rewards needs no write permission.
    expect((await ro.rewardDesk.list()).length).toBeGreaterThan(0);
  });
});
