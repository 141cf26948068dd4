/**
 * The UiTPAS emulator's own rules, over HTTP through the real sandbox server:
 * the token endpoint, identifiers, catalogue filters and paging, volume limits
 * per calendar period (with an injected clock), cancellation, the control API
 * and the demo data. Shapes are checked in conformance.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inszValid, luhnValid } from '../../shared/member-number.js';
import { startSandbox, type RunningSandbox } from '../server.js';
import { createUitpasControl, type UitpasControl } from './control-client.js';
import { UITPAS_AUDIENCE, UITPAS_DEMO_PASSHOLDERS as PH, UITPAS_DEMO_REWARDS as RW, UITPAS_ORGANIZERS, UITPAS_SANDBOX_CLIENTS } from './demo-data.js';
import { periodKey } from './state.js';

const ORG = UITPAS_ORGANIZERS.counter.id;
/** Long enough for the clock jumps below; the expiry test jumps past it. */
const TTL = 90 * 86_400;
let clock = Date.parse('2026-03-11T10:00:00Z'); // a Wednesday

describe('UiTPAS emulator', () => {
  let sb: RunningSandbox;
  let ui: UitpasControl;
  let tok: string;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, now: () => clock, uitpas: { tokenTtlSec: TTL } });
    ui = createUitpasControl(sb);
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    clock = Date.parse('2026-03-11T10:00:00Z');
    await ui.reset();
    tok = await token();
  });

  async function tokenCall(body: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(`${sb.url}/uitpas/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  async function token(c: { clientId: string; clientSecret: string } = UITPAS_SANDBOX_CLIENTS.pos): Promise<string> {
    const r = await tokenCall({ client_id: c.clientId, client_secret: c.clientSecret, audience: UITPAS_AUDIENCE, grant_type: 'client_credentials' });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  }

  async function api(method: string, p: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
    const r = await fetch(`${sb.url}/uitpas${p}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
  }

  describe('token endpoint', () => {
    it('issues a Bearer token for the configured lifetime and accepts a form body too', async () => {
      const form = await tokenCall(
        new URLSearchParams({
          client_id: UITPAS_SANDBOX_CLIENTS.pos.clientId,
          client_secret: UITPAS_SANDBOX_CLIENTS.pos.clientSecret,
          audience: UITPAS_AUDIENCE,
          grant_type: 'client_credentials',
        }).toString(),
        'application/x-www-form-urlencoded',
      );
      expect(form).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: TTL } });
    });

    it.each([
      [
        'a wrong secret',
        { client_id: UITPAS_SANDBOX_CLIENTS.pos.clientId, client_secret: 'x', audience: UITPAS_AUDIENCE, grant_type: 'client_credentials' },
        401,
        'access_denied',
      ],
      ['an unknown client', { client_id: 'who', client_secret: 'x', audience: UITPAS_AUDIENCE, grant_type: 'client_credentials' }, 401, 'access_denied'],
      [
        'a wrong audience',
        {
          client_id: UITPAS_SANDBOX_CLIENTS.pos.clientId,
          client_secret: UITPAS_SANDBOX_CLIENTS.pos.clientSecret,
          audience: 'https://x',
          grant_type: 'client_credentials',
        },
        403,
        'access_denied',
      ],
      ['another grant', { client_id: 'a', client_secret: 'b', audience: UITPAS_AUDIENCE, grant_type: 'password' }, 400, 'unsupported_grant_type'],
      ['no body', '', 400, 'invalid_request'],
    ])('refuses %s', async (_what, body, status, error) => {
      const r = await tokenCall(body);
      expect(r.status).toBe(status);
      expect(r.body.error).toBe(error);
    });

    it('a token expires with the clock, and on the expire-tokens control call', async () => {
      expect((await api('GET', `/passes?identifier=${PH.jan.uitpasNumber}`)).status).toBe(200);
      clock += TTL * 1000;
      expect((await api('GET', `/passes?identifier=${PH.jan.uitpasNumber}`)).body.type).toBe('https://api.publiq.be/probs/auth/unauthorized');
      tok = await token();
      expect(await ui.expireTokens()).toBeGreaterThanOrEqual(1);
      expect((await api('GET', `/passes?identifier=${PH.jan.uitpasNumber}`)).status).toBe(401);
    });
  });

  describe('passes', () => {
    it('finds a pass by UiTPAS number, INSZ and chip number (any case)', async () => {
      for (const id of [PH.jan.uitpasNumber, PH.jan.insz, PH.jan.chipNumber, PH.jan.chipNumber.toLowerCase()]) {
        expect((await api('GET', `/passes?identifier=${id}`)).body.uitpasNumber).toBe(PH.jan.uitpasNumber);
      }
    });

    it('shows messages only when there are some, and social tariff always', async () => {
      const jan = (await api('GET', `/passes?identifier=${PH.jan.uitpasNumber}`)).body;
      expect(jan.messages).toBeUndefined();
      expect(jan.socialTariff).toEqual({ status: 'NONE' });
      const lotte = (await api('GET', `/passes?identifier=${PH.lotte.uitpasNumber}`)).body;
      expect(lotte.socialTariff).toEqual({ status: 'EXPIRED', endDate: '2025-04-30T21:59:00Z' });
      expect(lotte.messages).toEqual([{ level: 'WARN', text: 'Je sociaal tarief is verlopen. Contacteer je UiTPAS balie.' }]);
    });

    it('a card that is not active: invalid-card-status with the card status and passholder', async () => {
      const r = await api('GET', `/passes?identifier=${PH.pieter.uitpasNumber}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({
        type: 'https://api.publiq.be/probs/uitpas/invalid-card-status',
        cardStatus: 'BLOCKED',
        passholderId: PH.pieter.passholderId,
        passType: 'INDIVIDUAL',
      });
      expect(Object.keys(r.body.endUserMessage).sort()).toEqual(['de', 'en', 'fr', 'nl']);
    });

    it('the deprecated GET /passes/{uitpasNumber} still answers, with a Deprecation header', async () => {
      const r = await api('GET', `/passes/${PH.jan.uitpasNumber}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('deprecation')).toBe('true');
      expect((await api('GET', `/passes/${PH.pieter.uitpasNumber}`)).body.type).toBe('https://api.publiq.be/probs/uitpas/card-blocked');
    });
  });

  describe('rewards search', () => {
    const ids = (r: { body: { member: Array<{ id: string }> } }) => r.body.member.map((x) => x.id);

    it('defaults to POINTS rewards in the ENDUSERS subset (active, published, in their redeem period)', async () => {
      const r = await api('GET', `/rewards?organizerId=${ORG}&limit=50`);
      expect(ids(r)).not.toContain(RW.welcome.id);
      expect(ids(r)).not.toContain(RW.summerBar.id);
      expect(ids(r)).not.toContain(RW.retired.id);
      expect(ids(r)).toContain(RW.coffee.id);
      const any = await api('GET', `/rewards?organizerId=${ORG}&type=ANY&limit=50`);
      expect(ids(any)).toContain(RW.welcome.id);
      const welcome = await api('GET', `/rewards?organizerId=${ORG}&type=WELCOME`);
      expect(ids(welcome)).toEqual([RW.welcome.id]);
      expect(welcome.body.member[0].points).toBeUndefined(); // welcome rewards cost nothing
    });

    it('subset=ALL shows rewards outside their period; status filters', async () => {
      const all = await api('GET', `/rewards?organizerId=${ORG}&subset=ALL&type=ANY&limit=50`);
      expect(ids(all)).toEqual(expect.arrayContaining([RW.summerBar.id, RW.retired.id]));
      const active = await api('GET', `/rewards?organizerId=${ORG}&subset=ALL&status=ACTIVE&type=ANY&limit=50`);
      expect(ids(active)).toContain(RW.summerBar.id);
      expect(ids(active)).not.toContain(RW.retired.id);
    });

    it('filters on organizer, card systems, points, text and category; sorts; pages', async () => {
      expect(ids(await api('GET', `/rewards?organizerId=${UITPAS_ORGANIZERS.other.id}`))).toEqual([RW.otherOrganizer.id]);
      expect(ids(await api('GET', `/rewards?applicableCardSystemId=8&organizerId=${ORG}&limit=50`))).not.toContain(RW.denderOnly.id);
      expect(ids(await api('GET', `/rewards?pointsFrom=50&pointsTo=100&sort=points`))).toEqual([RW.ticket.id, RW.exhibition.id]);
      expect(ids(await api('GET', `/rewards?text=tentoonstelling`))).toEqual([RW.exhibition.id]);
      expect(ids(await api('GET', `/rewards?categories=Gadget%20of%20item&sort=-points`))).toEqual([RW.toteBag.id, RW.poster.id]);
      const p1 = await api('GET', `/rewards?organizerId=${ORG}&sort=points&start=0&limit=2`);
      const p2 = await api('GET', `/rewards?organizerId=${ORG}&sort=points&start=2&limit=2`);
      expect(p1.body.totalItems).toBe(p2.body.totalItems);
      expect(ids(p1)).toHaveLength(2);
      expect(ids(p1).some((id: string) => ids(p2).includes(id))).toBe(false);
    });

    it('isRedeemableByPassholderId needs REWARDS_PASSHOLDERS_READ and keeps only what the passholder can redeem now', async () => {
      expect((await api('GET', `/rewards?isRedeemableByPassholderId=${PH.fatima.passholderId}`)).status).toBe(403);
      await ui.addClient({ clientId: 'c2', clientSecret: 's2', permissions: { [ORG]: ['REWARDS_PASSHOLDERS_READ'] } });
      tok = await token({ clientId: 'c2', clientSecret: 's2' });
      const r = await api('GET', `/rewards?organizerId=${ORG}&type=ANY&isRedeemableByPassholderId=${PH.fatima.passholderId}&limit=50`);
      expect(ids(r).sort()).toEqual([RW.coffee.id, RW.denderOnly.id, RW.poster.id, RW.welcome.id].sort());
    });
  });

  describe('redeem rules', () => {
    const redeem = (rewardId: string, uitpasNumber: string) => api('POST', '/rewards/redeemed', { rewardId, uitpasNumber });
    const status = async (rewardId: string, n: string) => (await api('GET', `/rewards/${rewardId}/redeem-status?uitpasNumber=${n}`)).body;

    it('takes the points and a unit; the RedeemedReward carries the reward, date, code and info', async () => {
      const p = await ui.addPassholder({ points: 60 });
      const r = await redeem(RW.ticket.id, p.uitpasNumber);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        reward: { id: RW.ticket.id, points: 50, unitsTaken: 1 },
        redeemDate: new Date(clock).toISOString(),
        redeemCode: expect.stringMatching(/^UIT-[0-9A-F]{8}$/),
        redeemInfo: { text: expect.any(String) },
      });
      expect((await ui.ledger(p.uitpasNumber)).balances[p.uitpasNumber]).toBe(10);
    });

    it('a per-passholder volume counts per calendar period in Belgian time', async () => {
      const p = await ui.addPassholder({ points: 100 });
      expect((await redeem(RW.coffee.id, p.uitpasNumber)).status).toBe(201); // 1 per DAY
      expect(await status(RW.coffee.id, p.uitpasNumber)).toMatchObject({ redeemable: false, reason: 'PASSHOLDER_VOLUME' });
      clock = Date.parse('2026-03-11T22:59:00Z'); // 23:59 in Brussels: same day
      expect((await status(RW.coffee.id, p.uitpasNumber)).redeemable).toBe(false);
      clock = Date.parse('2026-03-11T23:00:00Z'); // midnight in Brussels: a new day
      expect((await status(RW.coffee.id, p.uitpasNumber)).redeemable).toBe(true);
    });

    it('MONTH volume: two in March, the third refused, April again', async () => {
      const p = await ui.addPassholder({ points: 500 });
      expect((await redeem(RW.ticket.id, p.uitpasNumber)).status).toBe(201);
      expect((await redeem(RW.ticket.id, p.uitpasNumber)).status).toBe(201);
      expect((await redeem(RW.ticket.id, p.uitpasNumber)).body.type).toBe('https://api.publiq.be/probs/uitpas/reward-passholder-volume-constraint');
      clock = Date.parse('2026-04-01T08:00:00Z');
      expect((await redeem(RW.ticket.id, p.uitpasNumber)).status).toBe(201);
    });

    it('a cancelled redemption gives the points and the unit back and no longer counts', async () => {
      const r = await ui.addReward({ points: 5, maxAvailableUnits: 1, redeemConstraint: { volume: 1, period: 'ABSOLUTE' } });
      const p = await ui.addPassholder({ points: 10 });
      const done = await redeem(r.id, p.uitpasNumber);
      expect((await status(r.id, p.uitpasNumber)).reason).toBe('REWARD_VOLUME');
      expect((await api('DELETE', `/rewards/redeemed/${done.body.id}`)).status).toBe(204);
      expect(await status(r.id, p.uitpasNumber)).toEqual({ redeemable: true });
      expect((await ui.ledger(p.uitpasNumber)).balances[p.uitpasNumber]).toBe(10);
      expect((await api('GET', `/rewards/redeemed?uitpasNumber=${p.uitpasNumber}`)).body).toEqual({ totalItems: 0, member: [] });
      expect((await ui.redeemed(p.uitpasNumber))[0]?.cancelledAt).toBe(new Date(clock).toISOString());
    });

    it('a redeem period has inclusive bounds', async () => {
      const r = await ui.addReward({ points: 1, redeemPeriod: { begin: '2026-03-11T10:00:00Z', end: '2026-03-11T12:00:00Z' } });
      const p = await ui.addPassholder({ points: 10 });
      expect((await status(r.id, p.uitpasNumber)).redeemable).toBe(true);
      clock = Date.parse('2026-03-11T12:00:00Z');
      expect((await status(r.id, p.uitpasNumber)).redeemable).toBe(true);
      clock += 1;
      expect((await status(r.id, p.uitpasNumber)).reason).toBe('REWARD_PERIOD');
    });

    it('redeemed rewards: newest first, paged, filtered by type', async () => {
      const p = await ui.addPassholder({ points: 100 });
      await redeem(RW.welcome.id, p.uitpasNumber);
      clock += 1000;
      await redeem(RW.coffee.id, p.uitpasNumber);
      const all = (await api('GET', `/rewards/redeemed?uitpasNumber=${p.uitpasNumber}`)).body;
      expect(all.member.map((x: { reward: { id: string } }) => x.reward.id)).toEqual([RW.coffee.id, RW.welcome.id]);
      expect((await api('GET', `/rewards/redeemed?uitpasNumber=${p.uitpasNumber}&limit=1&start=1`)).body).toMatchObject({
        totalItems: 2,
        member: [{ reward: { id: RW.welcome.id } }],
      });
      expect((await api('GET', `/rewards/redeemed?uitpasNumber=${p.uitpasNumber}&rewardType=WELCOME`)).body.totalItems).toBe(1);
    });
  });

  describe('control API and demo data', () => {
    it('refuses a passholder with a wrong check digit or INSZ, or a taken number', async () => {
      await expect(ui.addPassholder({ uitpasNumber: '0930012345616' })).rejects.toThrow(/Luhn/);
      await expect(ui.addPassholder({ insz: '85073012336' })).rejects.toThrow(/INSZ/);
      await expect(ui.addPassholder({ uitpasNumber: PH.jan.uitpasNumber })).rejects.toThrow(/409/);
    });

    it('sets points, lists the ledger and the redeemed rewards', async () => {
      const p = await ui.addPassholder({ points: 1 });
      await ui.setPoints(p.uitpasNumber, 42);
      expect((await ui.ledger(p.uitpasNumber)).balances).toEqual({ [p.uitpasNumber]: 42 });
    });

    it('every demo number passes its check; the documented numbers are there', () => {
      for (const p of Object.values(PH)) {
        expect(luhnValid(p.uitpasNumber)).toBe(true);
        const insz: string | undefined = (p as { insz?: string }).insz;
        if (insz !== undefined) expect(inszValid(insz)).toBe(true);
      }
      expect(Object.values(PH).map((p) => p.uitpasNumber)).toEqual(expect.arrayContaining(['0930012345615', '0900000672312', '1000000520006']));
    });

    it('period keys follow Belgian calendar days, Monday weeks, quarters', () => {
      expect(periodKey('DAY', Date.parse('2026-03-11T22:59:59Z'))).toBe(periodKey('DAY', Date.parse('2026-03-11T00:00:00Z')));
      expect(periodKey('DAY', Date.parse('2026-03-11T23:00:00Z'))).not.toBe(periodKey('DAY', Date.parse('2026-03-11T22:59:59Z')));
      expect(periodKey('WEEK', Date.parse('2026-03-09T08:00:00Z'))).toBe(periodKey('WEEK', Date.parse('2026-03-15T20:00:00Z'))); // Mon..Sun
      expect(periodKey('WEEK', Date.parse('2026-03-15T23:30:00Z'))).not.toBe(periodKey('WEEK', Date.parse('2026-03-15T20:00:00Z'))); // Monday 00:30 in Brussels
      expect(periodKey('QUARTER', Date.parse('2026-06-30T12:00:00Z'))).toBe('2026-Q2');
      expect(periodKey('ABSOLUTE', 0)).toBe(periodKey('ABSOLUTE', Date.now()));
    });
  });
});
