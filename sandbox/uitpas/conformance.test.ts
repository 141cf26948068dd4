/**
 * Schema conformance against the official UiTPAS OpenAPI document (the part
 * the terminal uses, kept in ./openapi-subset.json by
 * scripts/extract-uitpas-spec.mjs):
 *
 *  - every response the sandbox gives, on every path the terminal uses, for
 *    success and for each error it produces, must be one the document allows
 *    (documented status, media type, schema; no field the document does not
 *    declare);
 *  - every request the adapter sends must be one the document allows
 *    (documented path, method, parameters, body, credentials);
 *  - each operation must have been seen with each status the document lists
 *    for it, except the few listed below with the reason the sandbox does not
 *    produce them.
 *
 * Traffic is captured by a small recording proxy between the clients and the
 * real sandbox (both on ephemeral loopback ports): it forwards every byte and
 * keeps a copy. Requests made by this test on purpose (some deliberately
 * invalid, to provoke errors) carry `x-probe` and are checked only for their
 * responses; everything else comes from the adapter.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUitpasAdapter } from '../../electron/adapters/uitpas.js';
import { testConnection } from '../../electron/adapters/connection-test.js';
import type { MemberAccount, RedeemRequest } from '../../electron/adapters/types.js';
import { startSandbox, type RunningSandbox } from '../server.js';
import { createUitpasControl, type UitpasControl } from './control-client.js';
import {
  UITPAS_AUDIENCE,
  UITPAS_DEMO_PASSHOLDERS as PH,
  UITPAS_DEMO_REWARDS as RW,
  UITPAS_ORGANIZERS,
  UITPAS_SANDBOX_CLIENTS,
  UITPAS_UNKNOWN_NUMBER,
  uitpasSandboxConfig,
  uitpasTrainingConnection,
} from './demo-data.js';
import { OpenApiValidator, type OpenApiDocument } from './openapi-validate.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const subset = JSON.parse(readFileSync(path.join(HERE, 'openapi-subset.json'), 'utf8')) as OpenApiDocument & {
  'x-subset-of': { title: string; version: string };
};
const validator = new OpenApiValidator(subset);

/** A points reward as the manager's desk creates it (shared/contract/reward-desk.ts). */
const DESK_DRAFT = {
  title: 'Gratis soep',
  promotionalDescription: 'Een kom soep voor 12 punten.',
  points: 12,
  categories: ['Eten en drinken' as const],
  moreInfoURL: 'https://www.example.be/soep',
  publicationPeriod: { begin: '2026-01-01T00:00:00Z' },
  redeemPeriod: { begin: '2026-01-01T00:00:00Z', end: '2030-12-31T22:59:59Z' },
  maxAvailableUnits: 200,
  perMemberLimit: { volume: 2, period: 'WEEK' as const },
};

interface Exchange {
  probe: boolean;
  method: string;
  pathname: string;
  query: URLSearchParams;
  reqHeaders: Record<string, string | undefined>;
  reqBody: string;
  status: number;
  resHeaders: Record<string, string | undefined>;
  resBody: string;
}

const FORWARD_RESPONSE_HEADERS = ['content-type', 'retry-after', 'deprecation', 'link', 'allow'];

function flat(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function startRecorder(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const reqBody = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', target);
      const reqHeaders = flat(req.headers);
      const probe = reqHeaders['x-probe'] !== undefined;
      const forward: Record<string, string> = {};
      for (const [k, v] of Object.entries(reqHeaders)) {
        if (v !== undefined && !['host', 'connection', 'content-length', 'x-probe', 'transfer-encoding', 'keep-alive'].includes(k)) forward[k] = v;
      }
      try {
        const up = await fetch(url, { method: req.method, headers: forward, body: reqBody === '' ? undefined : reqBody, redirect: 'manual' });
        const resBody = await up.text();
        const resHeaders: Record<string, string | undefined> = {};
        up.headers.forEach((v, k) => (resHeaders[k.toLowerCase()] = v));
        exchanges.push({
          probe,
          method: req.method ?? 'GET',
          pathname: url.pathname,
          query: url.searchParams,
          reqHeaders,
          reqBody,
          status: up.status,
          resHeaders,
          resBody,
        });
        const out: Record<string, string> = {};
        for (const k of FORWARD_RESPONSE_HEADERS) if (resHeaders[k] !== undefined) out[k] = resHeaders[k]!;
        res.writeHead(up.status, out);
        res.end(resBody);
      } catch (e) {
        res.destroy(e as Error);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Operation key of a recorded API exchange, or null for the token endpoint. */
function operationOf(x: Exchange): string | null {
  const p = x.pathname.replace(/^\/uitpas/, '');
  if (p === '/oauth/token') return null;
  const op = validator.findOperation(x.method, p);
  return op ? `${x.method.toUpperCase()} ${op.template}` : `${x.method.toUpperCase()} ${p} (undocumented)`;
}

/** Documented statuses this sandbox does not produce, and why. */
const NOT_PRODUCED: Record<string, string> = {
  'GET /permissions 403': 'every client may read its own permissions in the sandbox (the document does not say who may not)',
  'GET /rewards 404': 'url/not-found on a search: the sandbox answers 404 only for unknown paths, which are not this operation',
  'POST /rewards/redeemed 404': 'reward-not-found is documented both as 400 and 404 for a redeem; the sandbox answers 400 (the id is in the body)',
};

describe('UiTPAS sandbox and adapter conform to the official OpenAPI document', () => {
  let sb: RunningSandbox;
  let rec: Awaited<ReturnType<typeof startRecorder>>;
  let ui: UitpasControl;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    rec = await startRecorder(sb.url);
    ui = createUitpasControl(sb);
  });
  afterAll(async () => {
    await rec?.close();
    await sb?.close();
  });

  async function token(
    clientId: string = UITPAS_SANDBOX_CLIENTS.pos.clientId,
    clientSecret: string = UITPAS_SANDBOX_CLIENTS.pos.clientSecret,
  ): Promise<string> {
    const r = await fetch(`${sb.url}/uitpas/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: clientId, client_secret: clientSecret, audience: UITPAS_AUDIENCE, grant_type: 'client_credentials' }),
    });
    return ((await r.json()) as { access_token: string }).access_token;
  }

  async function probe(method: string, p: string, opts: { token?: string | null; body?: string; headers?: Record<string, string> } = {}): Promise<number> {
    const headers: Record<string, string> = { 'x-probe': '1', ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const r = await fetch(`${rec.url}/uitpas${p}`, { method, headers, body: opts.body });
    await r.text();
    return r.status;
  }

  it('runs the adapter through every operation it uses (requests recorded)', async () => {
    const config = { ...uitpasSandboxConfig(rec.url), timeoutMs: 3000 };
    const a = createUitpasAdapter(config);
    await a.probe();
    // "Test connection": GET /permissions (the three permissions for the organizer).
    expect((await testConnection('uitpas', uitpasTrainingConnection(rec.url), { timeoutMs: 3000 })).ok).toBe(true);
    const jan = await a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
    await a.lookupMember({ kind: 'insz', value: PH.jan.insz });
    await a.lookupMember({ kind: 'uitpas', value: PH.lotte.uitpasNumber });
    await a.lookupMember({ kind: 'uitpas', value: PH.groep.uitpasNumber });
    for (const n of [PH.pieter.uitpasNumber, PH.sofie.uitpasNumber, UITPAS_UNKNOWN_NUMBER])
      await a.lookupMember({ kind: 'uitpas', value: n }).catch(() => undefined);
    await a.listRewards(jan, { start: 0, limit: 5 });
    await a.listRewards(jan, { start: 5, limit: 5 });
    const fresh = await ui.addPassholder({ points: 200 });
    const m = await a.lookupMember({ kind: 'uitpas', value: fresh.uitpasNumber });
    for (const r of Object.values(RW)) await a.checkReward(m, r.id).catch(() => undefined);
    await a.checkReward(m, 'no-such-reward').catch(() => undefined);
    const req: RedeemRequest = {
      reference: 'sale-conf-1.r1',
      saleId: 'sale-conf-1',
      member: { identifier: m.identifier, backendMemberId: m.backendMemberId },
      pointsMilli: 50_000,
      rewardId: RW.ticket.id,
      terminalId: 't',
      storeId: 's',
      requestedAt: new Date().toISOString(),
      balanceBeforeMilli: m.balanceMilli,
    };
    const receipt = await a.redeem(req);
    await a.redeem({ ...req, rewardId: RW.summerBar.id }).catch(() => undefined);
    await a.redeem({ ...req, rewardId: RW.otherOrganizer.id }).catch(() => undefined);
    await a.findRedemption(req);
    const ghost: MemberAccount = { ...m, identifier: { kind: 'uitpas', value: UITPAS_UNKNOWN_NUMBER }, backendMemberId: UITPAS_UNKNOWN_NUMBER };
    await a.findRedemption({ ...req, member: ghost }).catch(() => undefined);
    const rev = {
      reference: 'sale-conf-1.v1',
      saleId: req.saleId,
      member: req.member,
      pointsMilli: receipt.pointsMilli,
      original: { ...req, receipt },
      terminalId: 't',
      storeId: 's',
      requestedAt: new Date().toISOString(),
    };
    await a.findReversal(rev);
    await a.reverse(rev);
    // A second cancel answers 404; the document gives no problem type that says "already cancelled",
    // so the adapter does not guess: a manager checks.
    await expect(a.reverse(rev)).rejects.toThrow(/a manager must check/);
    // Nor is a reward missing from GET /rewards/redeemed proof of a cancellation.
    await expect(a.findReversal(rev)).rejects.toThrow(/does not prove it was cancelled/);
    // The rewards desk: create, list, edit (GET then PUT).
    const made = await a.rewardDesk.create(DESK_DRAFT);
    await a.rewardDesk.list();
    await a.rewardDesk.update(made.id, { ...DESK_DRAFT, title: 'Gratis soep (winter)', perMemberLimit: undefined });
    // Token expiry: the adapter's retry after a 401 is recorded too.
    await ui.expireTokens();
    await a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });

    const adapterCalls = rec.exchanges.filter((x) => !x.probe);
    expect(adapterCalls.length).toBeGreaterThan(20);
    expect(adapterCalls.some((x) => x.status === 401)).toBe(true);
  });

  it('provokes each response the sandbox gives on each path (probes recorded)', async () => {
    const pos = await token();
    await ui.addClient({ clientId: 'nobody', clientSecret: 'nobody-secret', permissions: {} });
    await ui.addClient({
      clientId: 'curious',
      clientSecret: 'curious-secret',
      permissions: { [UITPAS_ORGANIZERS.counter.id]: ['REWARDS_PASSHOLDERS_READ', 'REWARDS_READ'] },
    });
    const nobody = await token('nobody', 'nobody-secret');
    const curious = await token('curious', 'curious-secret');
    const org = UITPAS_ORGANIZERS.counter.id;
    const rich = await ui.addPassholder({ points: 500 });
    const n = rich.uitpasNumber;
    const body = (rewardId: string, uitpasNumber = n) => JSON.stringify({ rewardId, uitpasNumber });

    const expectations: Array<[string, string, Parameters<typeof probe>[2], number]> = [
      // GET /permissions
      ['GET', `/permissions`, { token: curious }, 200],
      ['GET', `/permissions`, { token: null }, 401],
      // GET /passes
      ['GET', `/passes?identifier=${PH.fatima.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/passes?identifier=${PH.jan.insz}`, { token: pos }, 200],
      ['GET', `/passes?identifier=${PH.jan.chipNumber}`, { token: pos }, 200],
      ['GET', `/passes?identifier=${PH.groep.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/passes?identifier=${PH.lotte.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/passes?identifier=${PH.pieter.uitpasNumber}`, { token: pos }, 400],
      ['GET', `/passes?identifier=${PH.sofie.uitpasNumber}`, { token: pos }, 400],
      ['GET', `/passes`, { token: pos }, 400],
      ['GET', `/passes?identifier=${PH.jan.uitpasNumber}`, { token: null }, 401],
      ['GET', `/passes?identifier=${PH.jan.uitpasNumber}`, { token: 'not-a-token' }, 401],
      ['GET', `/passes?identifier=${PH.jan.uitpasNumber}`, { token: nobody }, 403],
      ['GET', `/passes?identifier=${UITPAS_UNKNOWN_NUMBER}`, { token: pos }, 404],
      // GET /passes/{uitpasNumber} (deprecated)
      ['GET', `/passes/${PH.wout.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/passes/${PH.pieter.uitpasNumber}`, { token: pos }, 400],
      ['GET', `/passes/${PH.sofie.uitpasNumber}`, { token: pos }, 400],
      ['GET', `/passes/${PH.jan.uitpasNumber}`, { token: null }, 401],
      ['GET', `/passes/${PH.jan.uitpasNumber}`, { token: nobody }, 403],
      ['GET', `/passes/${UITPAS_UNKNOWN_NUMBER}`, { token: pos }, 404],
      // GET /rewards
      ['GET', `/rewards?organizerId=${org}&type=ANY&subset=ALL&limit=50`, { token: pos }, 200],
      ['GET', `/rewards?limit=3&sort=-points,name&type=ANY`, { token: null, headers: { 'x-client-id': UITPAS_SANDBOX_CLIENTS.pos.clientId } }, 200],
      ['GET', `/rewards?organizerId=${org}&isRedeemableByPassholderId=${PH.jan.passholderId}`, { token: curious }, 200],
      ['GET', `/rewards?featured=true&categories=Doen&pointsFrom=10&pointsTo=60&text=korting`, { token: pos }, 200],
      ['GET', `/rewards?organizerId=unknown-organizer`, { token: pos }, 400],
      ['GET', `/rewards?limit=501`, { token: pos }, 400],
      ['GET', `/rewards?type=FREE`, { token: pos }, 400],
      ['GET', `/rewards`, { token: null }, 401],
      ['GET', `/rewards?isRedeemableByPassholderId=${PH.jan.passholderId}`, { token: pos }, 403],
      // GET /rewards/{rewardId}
      ['GET', `/rewards/${RW.welcome.id}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.ticket.id}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.coffee.id}`, { token: null }, 401],
      ['GET', `/rewards/${RW.otherOrganizer.id}`, { token: pos }, 403],
      ['GET', `/rewards/no-such-reward`, { token: pos }, 404],
      // GET /rewards/{rewardId}/redeem-status
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${n}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.exhibition.id}/redeem-status?uitpasNumber=${PH.fatima.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${PH.wout.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${PH.pieter.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.denderOnly.id}/redeem-status?uitpasNumber=${PH.elif.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.summerBar.id}/redeem-status?uitpasNumber=${n}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.toteBag.id}/redeem-status?uitpasNumber=${n}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.welcome.id}/redeem-status?uitpasNumber=${PH.noah.uitpasNumber}`, { token: pos }, 200],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=1234`, { token: pos }, 400],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${UITPAS_UNKNOWN_NUMBER}`, { token: pos }, 400],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${n}`, { token: null }, 401],
      ['GET', `/rewards/${RW.coffee.id}/redeem-status?uitpasNumber=${n}`, { token: curious }, 403],
      ['GET', `/rewards/no-such-reward/redeem-status?uitpasNumber=${n}`, { token: pos }, 404],
      // POST /rewards/redeemed
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.ticket.id) }, 201],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id) }, 201],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id) }, 400], // passholder volume (once a day)
      ['POST', `/rewards/redeemed`, { token: pos, body: '' }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: '{"rewardId":' }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: JSON.stringify({ rewardId: 7 }) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id, '0930012345616') }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body('no-such-reward') }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id, UITPAS_UNKNOWN_NUMBER) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.summerBar.id) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.toteBag.id) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.exhibition.id, PH.fatima.uitpasNumber) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.denderOnly.id, PH.elif.uitpasNumber) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id, PH.wout.uitpasNumber) }, 400],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.coffee.id, PH.pieter.uitpasNumber) }, 400],
      ['POST', `/rewards/redeemed`, { token: null, body: body(RW.coffee.id) }, 401],
      ['POST', `/rewards/redeemed`, { token: pos, body: body(RW.otherOrganizer.id) }, 403],
      // GET /rewards/redeemed
      ['GET', `/rewards/redeemed?uitpasNumber=${n}`, { token: pos }, 200],
      ['GET', `/rewards/redeemed?uitpasNumber=${PH.noah.uitpasNumber}&rewardType=WELCOME&start=0&limit=10`, { token: pos }, 200],
      ['GET', `/rewards/redeemed?uitpasNumber=${UITPAS_UNKNOWN_NUMBER}`, { token: pos }, 200],
      ['GET', `/rewards/redeemed?uitpasNumber=abc`, { token: pos }, 400],
      ['GET', `/rewards/redeemed?uitpasNumber=${n}&limit=600`, { token: pos }, 400],
      ['GET', `/rewards/redeemed?uitpasNumber=${n}`, { token: null }, 401],
      ['GET', `/rewards/redeemed?uitpasNumber=${n}`, { token: nobody }, 403],
    ];
    // POST /rewards, PUT /rewards/{rewardId}
    const rewardBody = (over: Record<string, unknown> = {}) =>
      JSON.stringify({
        title: 'Probe',
        type: 'POINTS',
        promotionalDescription: 'probe',
        publicationPeriod: { begin: '2026-01-01T00:00:00Z' },
        points: 4,
        categories: ['Doen'],
        moreInfoURL: 'https://example.org/probe',
        organizers: [{ id: org }],
        ...over,
      });
    const probeReward = await ui.addReward({ title: 'For PUT probes', points: 4 });
    expectations.push(
      ['POST', `/rewards`, { token: pos, body: rewardBody() }, 200],
      ['POST', `/rewards`, { token: pos, body: rewardBody({ points: 'four' }) }, 400],
      ['POST', `/rewards`, { token: pos, body: '' }, 400],
      ['POST', `/rewards`, { token: pos, body: rewardBody({ owningCardSystem: { id: 999 } }) }, 400],
      ['POST', `/rewards`, { token: null, body: rewardBody() }, 401],
      ['POST', `/rewards`, { token: curious, body: rewardBody() }, 403],
      ['PUT', `/rewards/${probeReward.id}`, { token: pos, body: rewardBody({ title: 'Probe (edited)' }) }, 200],
      ['PUT', `/rewards/${probeReward.id}`, { token: pos, body: '{"title":' }, 400],
      ['PUT', `/rewards/${probeReward.id}`, { token: null, body: rewardBody() }, 401],
      ['PUT', `/rewards/${probeReward.id}`, { token: curious, body: rewardBody() }, 403],
      ['PUT', `/rewards/no-such-reward`, { token: pos, body: rewardBody() }, 404],
    );
    for (const [method, p, opts, status] of expectations) {
      expect(`${method} ${p} -> ${await probe(method, p, opts)}`).toBe(`${method} ${p} -> ${status}`);
    }

    // DELETE /rewards/redeemed/{id}
    const [first] = await ui.redeemed(n);
    expect(await probe('DELETE', `/rewards/redeemed/${first!.id}`, { token: null })).toBe(401);
    expect(await probe('DELETE', `/rewards/redeemed/${first!.id}`, { token: curious })).toBe(403);
    expect(await probe('DELETE', `/rewards/redeemed/${first!.id}`, { token: pos })).toBe(204);
    expect(await probe('DELETE', `/rewards/redeemed/${first!.id}`, { token: pos })).toBe(404);
    expect(await probe('DELETE', `/rewards/redeemed/no-such-id`, { token: pos })).toBe(404);
  });

  it('every recorded response is one the document allows', () => {
    const api = rec.exchanges.filter((x) => operationOf(x) !== null);
    expect(api.length).toBeGreaterThan(80);
    const errors = api.flatMap((x) =>
      validator
        .validateResponse({ method: x.method, path: x.pathname.replace(/^\/uitpas/, ''), status: x.status, headers: x.resHeaders, body: x.resBody })
        .map((e) => `${e}\n    body: ${x.resBody.slice(0, 300)}`),
    );
    expect(errors).toEqual([]);
  });

  it('every request the adapter sent is one the document allows', () => {
    const sent = rec.exchanges.filter((x) => !x.probe && operationOf(x) !== null);
    expect(sent.length).toBeGreaterThan(20);
    const errors = sent.flatMap((x) =>
      validator.validateRequest({ method: x.method, path: x.pathname.replace(/^\/uitpas/, ''), query: x.query, headers: x.reqHeaders, body: x.reqBody }),
    );
    expect(errors).toEqual([]);
  });

  it("the adapter's token requests and the token answers have the documented shape", () => {
    const tokenCalls = rec.exchanges.filter((x) => !x.probe && x.pathname === '/uitpas/oauth/token');
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2); // the first one and the refresh after expiry
    for (const x of tokenCalls) {
      expect(x.method).toBe('POST');
      expect(x.reqHeaders['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(JSON.parse(x.reqBody)).sort()).toEqual(['audience', 'client_id', 'client_secret', 'grant_type']);
      expect(JSON.parse(x.reqBody)).toMatchObject({ audience: 'https://api.publiq.be', grant_type: 'client_credentials' });
      expect(x.status).toBe(200);
      const t = JSON.parse(x.resBody);
      expect(t).toEqual({ access_token: expect.any(String), expires_in: 86400, token_type: 'Bearer' });
    }
  });

  it('each operation was seen with each status the document lists (except those the sandbox does not produce)', () => {
    const seen = new Set(rec.exchanges.map((x) => `${operationOf(x)} ${x.status}`));
    const missing: string[] = [];
    for (const [template, item] of Object.entries(subset.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
        for (const status of Object.keys((op as { responses: Record<string, unknown> }).responses)) {
          const key = `${method.toUpperCase()} ${template} ${status}`;
          if (!seen.has(key) && !NOT_PRODUCED[key]) missing.push(key);
        }
      }
    }
    expect(missing).toEqual([]);
    // Nothing outside the document was answered either.
    expect([...seen].filter((k) => k.includes('undocumented'))).toEqual([]);
  });

  describe('the validator refuses what the document does not allow', () => {
    const pass = {
      passholderId: 'p1',
      passType: 'INDIVIDUAL',
      uitpasNumber: '0930012345615',
      firstName: 'Jan',
      points: 12,
      postalCode: '1000',
      socialTariff: { status: 'NONE' },
    };
    const ok = (body: unknown, status = 200, contentType = 'application/json', p = '/passes', method = 'GET') =>
      validator.validateResponse({
        method,
        path: p,
        status,
        headers: { 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    it('accepts the document’s own example', () => {
      expect(ok(pass)).toEqual([]);
    });

    it.each([
      ['a missing required field', { ...pass, points: undefined }],
      ['points as a string', { ...pass, points: '12' }],
      ['points with decimals', { ...pass, points: 1.5 }],
      ['an unknown pass type', { ...pass, passType: 'FAMILY' }],
      ['a field the document does not declare', { ...pass, balance: 12 }],
      ['a message without a level', { ...pass, messages: [{ text: 'hi' }] }],
      ['a message with an unknown level', { ...pass, messages: [{ level: 'DEBUG', text: 'hi' }] }],
      ['an endDate that is not a date-time', { ...pass, socialTariff: { status: 'EXPIRED', endDate: '30/04/2024' } }],
    ])('a Pass with %s', (_what, body) => {
      expect(ok(body).length).toBeGreaterThan(0);
    });

    it('an undocumented status, a wrong media type, a body where none is documented', () => {
      expect(ok(pass, 418).length).toBeGreaterThan(0);
      expect(ok(pass, 200, 'text/plain').length).toBeGreaterThan(0);
      expect(ok({ type: 'x', title: 'x', status: 404 }, 404, 'application/json').length).toBeGreaterThan(0); // errors are problem+json
      expect(ok('{"ok":true}', 204, 'application/json', '/rewards/redeemed/abc', 'DELETE').length).toBeGreaterThan(0);
    });

    it('a redeem-status with a reason outside the enum, a problem without title', () => {
      expect(ok({ redeemable: false, reason: 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS' }, 200, 'application/json', '/rewards/x/redeem-status').length).toBeGreaterThan(
        0,
      );
      expect(
        ok({ type: 'https://api.publiq.be/probs/uitpas/reward-not-found', status: 404 }, 404, 'application/problem+json', '/rewards/x').length,
      ).toBeGreaterThan(0);
      expect(
        ok({ type: 'x', title: 'x', status: 400, endUserMessage: { fr: 'seulement' } }, 400, 'application/problem+json', '/rewards/x/redeem-status').length,
      ).toBeGreaterThan(0);
    });

    it('requests: an undeclared body field, a missing field, no credentials, an undocumented parameter or path', () => {
      const req = (body: unknown, headers: Record<string, string> = { authorization: 'Bearer t', 'content-type': 'application/json' }) =>
        validator.validateRequest({ method: 'POST', path: '/rewards/redeemed', query: new URLSearchParams(), headers, body: JSON.stringify(body) });
      expect(req({ rewardId: 'r', uitpasNumber: '0930012345615' })).toEqual([]);
      expect(req({ rewardId: 'r', uitpasNumber: '0930012345615', amount: 5 }).length).toBeGreaterThan(0);
      expect(req({ rewardId: 'r' }).length).toBeGreaterThan(0);
      expect(req({ rewardId: 'r', uitpasNumber: '0930012345615' }, { 'content-type': 'application/json' }).length).toBeGreaterThan(0);
      const get = (p: string, q: string) =>
        validator.validateRequest({ method: 'GET', path: p, query: new URLSearchParams(q), headers: { authorization: 'Bearer t' } });
      expect(get('/rewards', 'organizerId=a&type=ANY&limit=5')).toEqual([]);
      expect(get('/rewards', 'limit=-1').length).toBeGreaterThan(0);
      expect(get('/rewards', 'type=FREE').length).toBeGreaterThan(0);
      expect(get('/rewards', 'colour=blue').length).toBeGreaterThan(0);
      expect(get('/rewards/x/redeem-status', '').length).toBeGreaterThan(0); // uitpasNumber is required
      expect(get('/passholders', '').length).toBeGreaterThan(0); // not a path the terminal uses
    });
  });

  it.skipIf(!existsSync(path.resolve(ROOT, '../shared/specs/uitpas.json')))('the committed subset is what the script extracts from ../shared now', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/extract-uitpas-spec.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the subset names its source', () => {
    expect(subset['x-subset-of']).toMatchObject({ title: 'UiTPAS API', version: '4.0', source: '../shared/specs/uitpas.json' });
    expect(readFileSync(path.join(HERE, 'openapi-subset.SOURCE.md'), 'utf8')).toMatch(/UiTPAS API, version 4\.0/);
  });
});
