/**
 * The UiTPAS adapter against the real sandbox over loopback (no HTTP mocks):
 * every outcome is checked in the sandbox's own records, so "exactly one
 * redemption" and "points given back once" are facts, not assumptions.
 * Each test makes its own passholders through the control API.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildQuote } from '../../shared/quote.js';
import { money } from '../../shared/money.js';
import { PosError } from '../../shared/errors.js';
import { controlFetch, createControlClient, type ControlClient } from '../../sandbox/control-client.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { createUitpasControl, type NewPassholder, type UitpasControl } from '../../sandbox/uitpas/control-client.js';
import {
  UITPAS_DEMO_PASSHOLDERS as PH,
  UITPAS_DEMO_REWARDS as RW,
  UITPAS_ORGANIZERS,
  UITPAS_SANDBOX_CLIENTS,
  UITPAS_UNKNOWN_NUMBER,
  uitpasSandboxConfig,
} from '../../sandbox/uitpas/demo-data.js';
import { endUserText, isRewardCatalog, type RewardMemberAccount } from './rewards.js';
import type { MemberAccount, RedeemRequest, ReverseRequest } from './types.js';
import { createUitpasAdapter, mapUitpasError, normalizeReason, parseRedeemStatus, type UitpasAdapter, type UitpasConfig } from './uitpas.js';

let seq = 0;

async function caught(p: Promise<unknown>): Promise<PosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    return e as PosError;
  }
  throw new Error('expected a PosError');
}

function redeemRequest(member: MemberAccount, rewardId: string, points: number, requestedAt = new Date().toISOString()): RedeemRequest {
  const saleId = `sale-${++seq}-${Date.now()}`;
  return {
    reference: `${saleId}.r1`,
    saleId,
    member: { identifier: member.identifier, backendMemberId: member.backendMemberId },
    pointsMilli: points * 1000,
    rewardId,
    terminalId: 'till-7',
    storeId: 'store-3',
    requestedAt,
    balanceBeforeMilli: member.balanceMilli,
  };
}

function reverseRequest(
  original: RedeemRequest,
  receipt: { backendReference: string; pointsMilli: number; balanceAfterMilli: number | null },
  pointsMilli = receipt.pointsMilli,
): ReverseRequest {
  return {
    reference: `${original.saleId}.v1`,
    saleId: original.saleId,
    member: original.member,
    pointsMilli,
    original: { ...original, receipt },
    terminalId: original.terminalId,
    storeId: original.storeId,
    requestedAt: new Date().toISOString(),
  };
}

describe('UiTPAS adapter against the sandbox', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  let ui: UitpasControl;
  let config: UitpasConfig;
  let adapter: UitpasAdapter;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0 });
    control = createControlClient(sb);
    ui = createUitpasControl(sb);
    config = { ...uitpasSandboxConfig(sb.url), timeoutMs: 3000 };
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await control.clearFaults();
    adapter = createUitpasAdapter(config);
  });

  async function member(p: NewPassholder = {}): Promise<RewardMemberAccount> {
    const created = await ui.addPassholder({ points: 100, ...p });
    return (await adapter.lookupMember({ kind: 'uitpas', value: created.uitpasNumber })) as RewardMemberAccount;
  }

  describe('capabilities and terms', () => {
    it('declares a reward backend and offers the catalogue methods', () => {
      expect(adapter.info.capabilities).toEqual({
        redemption: 'reward',
        identifiers: ['uitpas', 'insz'],
        pointsDecimals: 0,
        validationCode: false,
        reversal: 'full',
        retrySafety: 'lookup-before-retry',
        balanceAtCounter: true,
      });
      expect(isRewardCatalog(adapter)).toBe(true);
    });

    it('gives terms under which no free amount of points can be quoted', async () => {
      const m = await adapter.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      const terms = await adapter.getTerms(m);
      for (const points of [1000, 10_000, 120_000]) {
        expect(() => buildQuote(money(10_000, 'EUR'), m.balanceMilli!, points, terms)).toThrow(PosError);
      }
    });

    it('refuses a configuration with a bad discount or currency', () => {
      expect(() => createUitpasAdapter({ ...config, rewardDiscounts: { x: 2.5 } })).toThrow(/whole number of cents/);
      expect(() => createUitpasAdapter({ ...config, currency: 'euro' })).toThrow(/ISO currency/);
    });
  });

  describe('lookupMember', () => {
    it('keeps first name, points, social tariff and pass type', async () => {
      const m = (await adapter.lookupMember({ kind: 'uitpas', value: PH.fatima.uitpasNumber })) as RewardMemberAccount;
      expect(m).toMatchObject({
        backendMemberId: PH.fatima.uitpasNumber,
        firstName: 'Fatima',
        balanceMilli: 25_000,
        messages: [{ level: 'INFO', text: PH.fatima.messages[0]!.text }],
        passholder: { passType: 'INDIVIDUAL', socialTariff: { status: 'ACTIVE', endDate: PH.fatima.socialTariff.endDate } },
      });
    });

    it('keeps WARN and ERROR messages with their level', async () => {
      const lotte = await adapter.lookupMember({ kind: 'uitpas', value: PH.lotte.uitpasNumber });
      expect(lotte.messages).toEqual([{ level: 'WARN', text: 'Je sociaal tarief is verlopen. Contacteer je UiTPAS balie.' }]);
      expect((lotte as RewardMemberAccount).passholder?.socialTariff.status).toBe('EXPIRED');
      const wout = await adapter.lookupMember({ kind: 'uitpas', value: PH.wout.uitpasNumber });
      expect(wout.messages.map((x) => x.level)).toEqual(['ERROR']);
    });

    it('finds a passholder by INSZ, and uses the UiTPAS number as the member id', async () => {
      const m = await adapter.lookupMember({ kind: 'insz', value: PH.jan.insz });
      expect(m.backendMemberId).toBe(PH.jan.uitpasNumber);
      expect(m.identifier).toEqual({ kind: 'insz', value: PH.jan.insz });
    });

    it('reads a group pass', async () => {
      const m = (await adapter.lookupMember({ kind: 'uitpas', value: PH.groep.uitpasNumber })) as RewardMemberAccount;
      expect(m.passholder?.passType).toBe('GROUP');
      expect(m.balanceMilli).toBe(0);
    });

    it.each([
      ['unknown pass', UITPAS_UNKNOWN_NUMBER, 'MEMBER_NOT_FOUND', 'uitpas/pass-not-found'],
      ['blocked card', PH.pieter.uitpasNumber, 'MEMBER_BLOCKED', 'uitpas/invalid-card-status'],
      ['blocked passholder', PH.sofie.uitpasNumber, 'MEMBER_BLOCKED', 'uitpas/passholder-blocked'],
    ])('maps %s to %s and keeps the end-user message in four languages', async (_what, number, code, type) => {
      const e = await caught(adapter.lookupMember({ kind: 'uitpas', value: number }));
      expect(e.code).toBe(code);
      expect(e.details).toMatchObject({ problemType: `https://api.publiq.be/probs/${type}`, notApplied: true });
      expect(Object.keys(e.endUserMessage ?? {}).sort()).toEqual(['de', 'en', 'fr', 'nl']);
      expect(endUserText(e.endUserMessage, 'fr')).toBe(e.endUserMessage!.fr);
    });

    it('keeps the card status of a blocked card', async () => {
      const e = await caught(adapter.lookupMember({ kind: 'uitpas', value: PH.pieter.uitpasNumber }));
      expect(e.details?.cardStatus).toBe('BLOCKED');
    });

    it('refuses identifier kinds UiTPAS does not know, without a call', async () => {
      expect((await caught(adapter.lookupMember({ kind: 'email', value: 'a@b.be' }))).code).toBe('INVALID_INPUT');
    });
  });

  describe('listRewards', () => {
    beforeAll(async () => {
      await ui.reset(); // the demo catalogue only, whatever other tests added
    });

    it("lists the counter's rewards with price, discount and each one's standing for this passholder", async () => {
      const fatima = await adapter.lookupMember({ kind: 'uitpas', value: PH.fatima.uitpasNumber });
      const page = await adapter.listRewards(fatima, { limit: 50 });
      const byId = new Map(page.offers.map((o) => [o.id, o]));
      // Only this organizer's active rewards; the other organizer's and the inactive one are left out.
      expect(byId.has(RW.otherOrganizer.id)).toBe(false);
      expect(byId.has(RW.retired.id)).toBe(false);
      expect(page.totalItems).toBe(8);
      expect(byId.get(RW.coffee.id)).toMatchObject({
        pointsMilli: 10_000,
        kind: 'POINTS',
        discount: { cents: 250, currency: 'EUR' },
        availability: { redeemable: true },
      });
      expect(byId.get(RW.welcome.id)).toMatchObject({ pointsMilli: 0, kind: 'WELCOME', availability: { redeemable: true } });
      expect(byId.get(RW.exhibition.id)?.availability).toMatchObject({
        redeemable: false,
        reason: 'PASSHOLDER_POINTS',
        message: { nl: expect.stringContaining('punten') },
      });
      expect(byId.get(RW.summerBar.id)?.availability).toMatchObject({ redeemable: false, reason: 'REWARD_PERIOD' });
      expect(byId.get(RW.toteBag.id)).toMatchObject({ unitsLeft: 0, availability: { redeemable: false, reason: 'REWARD_VOLUME' } });
      expect(byId.get(RW.poster.id)?.discount).toBeNull();
      // Sorted by price: the welcome reward first.
      expect(page.offers[0]!.kind).toBe('WELCOME');
    });

    it('pages with start and limit', async () => {
      const jan = await adapter.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      const first = await adapter.listRewards(jan, { start: 0, limit: 3 });
      const second = await adapter.listRewards(jan, { start: 3, limit: 3 });
      const third = await adapter.listRewards(jan, { start: 6, limit: 3 });
      expect(first.offers).toHaveLength(3);
      expect(third.offers).toHaveLength(2);
      const ids = [...first.offers, ...second.offers, ...third.offers].map((o) => o.id);
      expect(new Set(ids).size).toBe(8);
      expect(first.totalItems).toBe(8);
    });
  });

  describe('checkReward: each redeem-status reason', () => {
    it('redeemable', async () => {
      const m = await member({ points: 60 });
      expect(await adapter.checkReward(m, RW.ticket.id)).toMatchObject({
        reward: { id: RW.ticket.id, pointsMilli: 50_000, discount: { cents: 500 } },
        availability: { redeemable: true },
      });
    });

    it('PASSHOLDER_POINTS', async () => {
      const m = await member({ points: 5 });
      const c = await adapter.checkReward(m, RW.coffee.id);
      expect(c.availability).toEqual({
        redeemable: false,
        reason: 'PASSHOLDER_POINTS',
        backendReason: 'PASSHOLDER_POINTS',
        message: { nl: 'Je hebt niet genoeg punten om dit voordeel om te ruilen.' },
      });
    });

    it('PASSHOLDER_VOLUME (per passholder per period)', async () => {
      const m = await member({ points: 100 });
      await adapter.redeem(redeemRequest(m, RW.coffee.id, 10)); // once a day
      expect((await adapter.checkReward(m, RW.coffee.id)).availability).toMatchObject({ redeemable: false, reason: 'PASSHOLDER_VOLUME' });
      const noah = await adapter.lookupMember({ kind: 'uitpas', value: PH.noah.uitpasNumber });
      expect((await adapter.checkReward(noah, RW.welcome.id)).availability).toMatchObject({ redeemable: false, reason: 'PASSHOLDER_VOLUME' });
    });

    it('REWARD_PERIOD', async () => {
      const m = await member();
      expect((await adapter.checkReward(m, RW.summerBar.id)).availability).toMatchObject({
        redeemable: false,
        reason: 'REWARD_PERIOD',
        message: { nl: expect.stringMatching(/omruilperiode/) },
      });
    });

    it('REWARD_VOLUME (overall)', async () => {
      const r = await ui.addReward({ points: 1, maxAvailableUnits: 1 });
      const a = await member();
      const b = await member();
      expect((await adapter.checkReward(a, r.id)).availability.redeemable).toBe(true);
      await adapter.redeem(redeemRequest(a, r.id, 1));
      expect((await adapter.checkReward(b, r.id)).availability).toMatchObject({ redeemable: false, reason: 'REWARD_VOLUME' });
    });

    it('PASSHOLDER_APPLICABLE_CARDSYSTEMS', async () => {
      const elif = await adapter.lookupMember({ kind: 'uitpas', value: PH.elif.uitpasNumber });
      expect((await adapter.checkReward(elif, RW.denderOnly.id)).availability).toMatchObject({
        redeemable: false,
        reason: 'PASSHOLDER_APPLICABLE_CARDSYSTEMS',
      });
      expect((await adapter.checkReward(elif, RW.coffee.id)).availability.redeemable).toBe(true);
    });

    it('PASSHOLDER_NO_ACTIVE_CARDSYSTEM(S): the enum spelling comes back as the terminal reason', async () => {
      const wout = await adapter.lookupMember({ kind: 'uitpas', value: PH.wout.uitpasNumber });
      expect((await adapter.checkReward(wout, RW.coffee.id)).availability).toMatchObject({
        redeemable: false,
        reason: 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS',
        backendReason: 'PASSHOLDER_NO_ACTIVE_CARDSYSTEM',
      });
    });

    it('INVALID_CARD (blocked card or passholder)', async () => {
      // A card blocked after the lookup (the lookup itself would refuse it): the check finds out.
      for (const p of [{ cardStatus: 'BLOCKED' as const }, { blocked: true }]) {
        const created = await ui.addPassholder({ points: 100, ...p });
        const m: MemberAccount = {
          identifier: { kind: 'uitpas', value: created.uitpasNumber },
          backendMemberId: created.uitpasNumber,
          balanceMilli: 100_000,
          messages: [],
        };
        expect((await adapter.checkReward(m, RW.coffee.id)).availability).toMatchObject({ redeemable: false, reason: 'INVALID_CARD' });
      }
    });

    it('accepts both spellings of the card-system reasons, and an unknown reason', () => {
      expect(normalizeReason('PASSHOLDER_APPLICABLE_CARDSYSTEM')).toBe('PASSHOLDER_APPLICABLE_CARDSYSTEMS');
      expect(normalizeReason('PASSHOLDER_APPLICABLE_CARDSYSTEMS')).toBe('PASSHOLDER_APPLICABLE_CARDSYSTEMS');
      expect(normalizeReason('PASSHOLDER_NO_ACTIVE_CARDSYSTEM')).toBe('PASSHOLDER_NO_ACTIVE_CARDSYSTEMS');
      expect(normalizeReason('PASSHOLDER_NO_ACTIVE_CARDSYSTEMS')).toBe('PASSHOLDER_NO_ACTIVE_CARDSYSTEMS');
      expect(parseRedeemStatus({ redeemable: false, reason: 'SOMETHING_NEW' })).toMatchObject({
        reason: 'UNKNOWN',
        backendReason: 'SOMETHING_NEW',
        message: { nl: expect.any(String) },
      });
    });

    it('an unknown reward is REWARD_NOT_FOUND', async () => {
      const m = await member();
      expect((await caught(adapter.checkReward(m, 'no-such-reward'))).code).toBe('REWARD_NOT_FOUND');
    });
  });

  describe('redeem', () => {
    it('posts the redemption, returns its id and the new balance', async () => {
      const m = await member({ points: 70 });
      const r = await adapter.redeem(redeemRequest(m, RW.ticket.id, 50));
      expect(r.pointsMilli).toBe(50_000);
      expect(r.balanceAfterMilli).toBe(20_000);
      expect(r.detail).toMatchObject({ rewardId: RW.ticket.id, redeemCode: expect.stringMatching(/^UIT-/) });
      const records = await ui.redeemed(m.backendMemberId);
      expect(records.map((x) => x.id)).toEqual([r.backendReference]);
    });

    it('redeems a welcome reward for 0 points', async () => {
      const m = await member({ points: 0 });
      const r = await adapter.redeem(redeemRequest(m, RW.welcome.id, 0));
      expect(r).toMatchObject({ pointsMilli: 0, balanceAfterMilli: 0 });
    });

    it.each([
      ['not enough points', { points: 3 }, () => RW.coffee.id, 'INSUFFICIENT_POINTS', 'PASSHOLDER_POINTS'],
      ['outside the period', {}, () => RW.summerBar.id, 'REWARD_NOT_REDEEMABLE', 'REWARD_PERIOD'],
      ['run out', {}, () => RW.toteBag.id, 'REWARD_NOT_REDEEMABLE', 'REWARD_VOLUME'],
      ['another card system', { cardSystemIds: [8] }, () => RW.denderOnly.id, 'REWARD_NOT_REDEEMABLE', 'PASSHOLDER_APPLICABLE_CARDSYSTEMS'],
      ['no active card system', { membershipStatus: 'EXPIRED' as const }, () => RW.coffee.id, 'REWARD_NOT_REDEEMABLE', 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS'],
      ['blocked passholder', { blocked: true }, () => RW.coffee.id, 'MEMBER_BLOCKED', 'INVALID_CARD'],
    ])('%s: refused with the code, the reason and the end-user message; nothing taken', async (_what, p, reward, code, reason) => {
      const created = await ui.addPassholder({ points: 100, ...p });
      const m: MemberAccount = {
        identifier: { kind: 'uitpas', value: created.uitpasNumber },
        backendMemberId: created.uitpasNumber,
        balanceMilli: created.points * 1000,
        messages: [],
      };
      const e = await caught(adapter.redeem(redeemRequest(m, reward(), 10)));
      expect(e.code).toBe(code);
      expect(e.details).toMatchObject({ reason, notApplied: true, status: 400 });
      expect(e.endUserMessage?.nl).toBeTruthy();
      expect(e.endUserMessage?.en).toBeTruthy();
      expect(await ui.redeemed(created.uitpasNumber)).toEqual([]);
    });

    it('passholder volume reached: refused on the second try', async () => {
      const m = await member();
      await adapter.redeem(redeemRequest(m, RW.coffee.id, 10));
      const e = await caught(adapter.redeem(redeemRequest(m, RW.coffee.id, 10)));
      expect(e.code).toBe('REWARD_NOT_REDEEMABLE');
      expect(e.details?.reason).toBe('PASSHOLDER_VOLUME');
    });

    it('unknown reward, unknown passholder', async () => {
      const m = await member();
      expect((await caught(adapter.redeem(redeemRequest(m, 'no-such-reward', 10)))).code).toBe('REWARD_NOT_FOUND');
      const ghost: MemberAccount = { ...m, backendMemberId: UITPAS_UNKNOWN_NUMBER, identifier: { kind: 'uitpas', value: UITPAS_UNKNOWN_NUMBER } };
      expect((await caught(adapter.redeem(redeemRequest(ghost, RW.coffee.id, 10)))).code).toBe('MEMBER_NOT_FOUND');
    });

    it('a reward of another organizer: FORBIDDEN (the client lacks REWARDS_REDEEM there)', async () => {
      const m = await member();
      const e = await caught(adapter.redeem(redeemRequest(m, RW.otherOrganizer.id, 10)));
      expect(e.code).toBe('FORBIDDEN');
      expect(e.details).toMatchObject({ status: 403, problemType: 'https://api.publiq.be/probs/auth/forbidden', notApplied: true });
    });

    it('a client without REWARDS_REDEEM may look but not redeem', async () => {
      const ro = createUitpasAdapter({
        ...config,
        clientId: UITPAS_SANDBOX_CLIENTS.readOnly.clientId,
        clientSecret: UITPAS_SANDBOX_CLIENTS.readOnly.clientSecret,
      });
      const m = await ro.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      expect((await caught(ro.checkReward(m, RW.coffee.id))).code).toBe('FORBIDDEN');
      expect((await caught(ro.redeem(redeemRequest(m, RW.coffee.id, 10)))).code).toBe('FORBIDDEN');
    });

    it('a number UiTPAS refuses (wrong check digit): MEMBER_NUMBER_FORMAT with the end-user message', async () => {
      const m = await member();
      const wrong: MemberAccount = { ...m, backendMemberId: '0930012345616', identifier: { kind: 'uitpas', value: '0930012345616' } };
      const e = await caught(adapter.redeem(redeemRequest(wrong, RW.coffee.id, 10)));
      expect(e.code).toBe('MEMBER_NUMBER_FORMAT');
      expect(e.endUserMessage?.nl).toBe('Dit UiTPAS-nummer is ongeldig.');
    });

    it('a redemption without a reward never reaches the backend', async () => {
      const m = await member();
      const e = await caught(adapter.redeem({ ...redeemRequest(m, RW.coffee.id, 10), rewardId: undefined }));
      expect(e.code).toBe('INVALID_INPUT');
      expect(e.details?.notApplied).toBe(true);
    });
  });

  describe('errors mapped from problem+json and from the transport', () => {
    it('an organizer id UiTPAS does not know', async () => {
      const bad = createUitpasAdapter({ ...config, organizerId: 'not-an-organizer' });
      const e = await caught(bad.listRewards(await member()));
      expect(e.code).toBe('BACKEND_REFUSED');
      expect(e.endUserMessage).toEqual({ nl: 'Deze organisator is niet gekend bij UiTPAS.' });
      expect(endUserText(e.endUserMessage, 'de')).toBe('Deze organisator is niet gekend bij UiTPAS.'); // falls back to nl
    });

    it('a wrong API address', async () => {
      const bad = createUitpasAdapter({ ...config, apiUrl: `${sb.url}/uitpas/v9` });
      expect((await caught(bad.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber }))).code).toBe('BACKEND_BAD_RESPONSE');
    });

    it('an injected 503 and 429', async () => {
      await control.addFault({ backend: 'uitpas', path: '/uitpas/passes', fault: 'status', status: 503, times: 1 });
      expect((await caught(adapter.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber }))).code).toBe('BACKEND_UNAVAILABLE');
      await control.addFault({ backend: 'uitpas', path: '/uitpas/passes', fault: 'rate-limit', retryAfterSec: 2, times: 1 });
      const e = await caught(adapter.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber }));
      expect(e.code).toBe('BACKEND_RATE_LIMITED');
      expect(e.details).toMatchObject({ retryAfterMs: 2000, notApplied: true });
    });

    it('maps every problem type it knows by its last segment too', () => {
      expect(mapUitpasError(404, { type: 'https://api.publiq.be/probs/uitpas/pass-not-found', title: 'x', status: 404 }).code).toBe('MEMBER_NOT_FOUND');
      expect(mapUitpasError(404, { type: 'pass-not-found', title: 'x', status: 404 }).code).toBe('MEMBER_NOT_FOUND');
      expect(
        mapUitpasError(400, { type: 'https://api.publiq.be/probs/uitpas/card-blocked', title: 'x', status: 400, endUserMessage: { nl: 'geblokkeerd' } }),
      ).toMatchObject({
        code: 'MEMBER_BLOCKED',
        endUserMessage: { nl: 'geblokkeerd' },
      });
      expect(mapUitpasError(400, { type: 'https://api.publiq.be/probs/uitpas/something-new', title: 'x', status: 400 }).code).toBe('BACKEND_REFUSED');
      expect(mapUitpasError(400, { type: 'https://api.publiq.be/probs/body/invalid-data', title: 'x', status: 400, schemaErrors: [] }).code).toBe(
        'BACKEND_REFUSED',
      );
      expect(mapUitpasError(400, { type: 'https://api.publiq.be/probs/url/query-limit-exceeded', title: 'x', status: 400 }).code).toBe('BACKEND_REFUSED');
      expect(mapUitpasError(400, { type: 'https://api.publiq.be/probs/uitpas/invalid-uitpasnumber', title: 'x', status: 400 }).code).toBe(
        'MEMBER_NUMBER_FORMAT',
      );
      expect(mapUitpasError(404, undefined).code).toBe('BACKEND_BAD_RESPONSE');
      expect(mapUitpasError(403, { title: 'Forbidden', status: 403 }).code).toBe('FORBIDDEN');
    });
  });

  describe('tokens', () => {
    it("sends the token request's scope only when one is configured", async () => {
      const scopes = async () => ((await (await controlFetch(sb, 'GET', '/uitpas/token-scopes')).json()) as { scopes: (string | null)[] }).scopes;
      await ui.reset();
      await createUitpasAdapter(config).probe();
      expect(await scopes()).toEqual([null]);
      await createUitpasAdapter({ ...config, scope: 'uitpas:read uitpas:write' }).probe();
      expect(await scopes()).toEqual([null, 'uitpas:read uitpas:write']);
    });

    it('fetches one token and reuses it', async () => {
      await ui.reset();
      const a = createUitpasAdapter(config);
      await a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      await a.lookupMember({ kind: 'uitpas', value: PH.fatima.uitpasNumber });
      await a.probe();
      expect((await ui.tokens()).issued).toBe(1);
    });

    it('after the token expires, fetches a new one once and the call succeeds', async () => {
      await ui.reset();
      const a = createUitpasAdapter(config);
      await a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      expect(await ui.expireTokens()).toBe(1);
      const m = await a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber });
      expect(m.firstName).toBe('Jan');
      expect(await ui.tokens()).toEqual({ issued: 2, active: 1 });
    });

    it('an expired token during a redeem: refreshed, redeemed exactly once', async () => {
      const m = await member();
      await adapter.probe();
      await ui.expireTokens();
      const r = await adapter.redeem(redeemRequest(m, RW.coffee.id, 10));
      expect((await ui.redeemed(m.backendMemberId)).map((x) => x.id)).toEqual([r.backendReference]);
    });

    it('refreshes only once: a second 401 is BACKEND_AUTH, nothing applied', async () => {
      await ui.reset();
      const a = createUitpasAdapter(config);
      await control.addFault({ backend: 'uitpas', path: '/uitpas/passes', fault: 'status', status: 401, times: 3 });
      const e = await caught(a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber }));
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.details?.notApplied).toBe(true);
      expect((await ui.tokens()).issued).toBe(2);
      const faults = await control.listFaults();
      expect(faults[0]?.hits).toBe(2); // two API calls, not three
    });

    it('wrong client secret: BACKEND_AUTH before any API call', async () => {
      const a = createUitpasAdapter({ ...config, clientSecret: 'wrong' });
      const e = await caught(a.lookupMember({ kind: 'uitpas', value: PH.jan.uitpasNumber }));
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.details?.notApplied).toBe(true);
    });

    it('wrong audience: BACKEND_AUTH', async () => {
      const a = createUitpasAdapter({ ...config, audience: 'https://example.org' });
      expect((await caught(a.probe())).code).toBe('BACKEND_AUTH');
    });
  });

  describe('lost answers', () => {
    it('a redeem whose answer is lost is found by findRedemption, and not sent twice', async () => {
      const m = await member({ points: 100 });
      const req = redeemRequest(m, RW.exhibition.id, 100);
      await control.addFault({ backend: 'uitpas', method: 'POST', path: '/uitpas/rewards/redeemed', fault: 'reset-after', times: 1 });
      const e = await caught(adapter.redeem(req));
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.details?.notApplied).not.toBe(true); // outcome unknown: the outbox must reconcile

      // What the outbox does before any retry: look first.
      const found = await adapter.findRedemption(req);
      expect(found).not.toBeNull();
      expect(found).toMatchObject({ pointsMilli: 100_000, balanceAfterMilli: 0, detail: { reconciledBy: 'redeemed-list' } });
      const records = await ui.redeemed(m.backendMemberId);
      expect(records.map((x) => x.id)).toEqual([found!.backendReference]);
      const ledger = await ui.ledger(m.backendMemberId);
      expect(ledger.entries.filter((x) => x.kind === 'redeem')).toHaveLength(1);
      expect(ledger.balances[m.backendMemberId]).toBe(0);

      // A fresh adapter (after a restart) finds the same one.
      const again = await createUitpasAdapter(config).findRedemption(req);
      expect(again?.backendReference).toBe(found!.backendReference);
    });

    it('a redeem that times out unanswered (nothing applied): BACKEND_TIMEOUT, then reconciled as not applied', async () => {
      const m = await member({ points: 100 });
      const req = redeemRequest(m, RW.exhibition.id, 100);
      await control.addFault({ backend: 'uitpas', method: 'POST', path: '/uitpas/rewards/redeemed', fault: 'timeout', ms: 2000, times: 1 });
      const quick = createUitpasAdapter({ ...config, timeoutMs: 250 });
      const e = await caught(quick.redeem(req));
      expect(e.code).toBe('BACKEND_TIMEOUT');
      expect(e.details?.notApplied).not.toBe(true);
      expect(await quick.findRedemption(req)).toBeNull();
      expect(await ui.redeemed(m.backendMemberId)).toEqual([]);
    });

    it('a redeem lost before it was applied: findRedemption says not applied, the retry redeems once', async () => {
      const m = await member({ points: 100 });
      const req = redeemRequest(m, RW.exhibition.id, 100);
      await control.addFault({ backend: 'uitpas', method: 'POST', path: '/uitpas/rewards/redeemed', fault: 'reset-before', times: 1 });
      await caught(adapter.redeem(req));
      expect(await adapter.findRedemption(req)).toBeNull();
      const r = await adapter.redeem(req);
      expect((await ui.redeemed(m.backendMemberId)).map((x) => x.id)).toEqual([r.backendReference]);
    });

    it('an earlier redemption of the same reward (another sale, before this one) is not taken for this one', async () => {
      const m = await member({ points: 100 });
      await adapter.redeem(redeemRequest(m, RW.ticket.id, 50)); // sale 1, answered
      const req2 = redeemRequest(m, RW.ticket.id, 50, new Date(Date.now() + 5 * 60_000).toISOString()); // committed later
      expect(await adapter.findRedemption(req2)).toBeNull();
    });

    it('two candidates that cannot be told apart: OUTCOME_UNKNOWN, never a second redemption', async () => {
      const m = await member({ points: 200 });
      const before = new Date(Date.now() + 60_000).toISOString(); // this terminal's clock runs a minute ahead
      const other = createUitpasAdapter(config);
      await other.redeem(redeemRequest(m, RW.ticket.id, 50));
      await other.redeem(redeemRequest(m, RW.ticket.id, 50));
      const fresh = createUitpasAdapter(config); // knows neither
      const e = await caught(fresh.findRedemption(redeemRequest(m, RW.ticket.id, 50, before)));
      expect(e.code).toBe('OUTCOME_UNKNOWN');
      expect((await ui.redeemed(m.backendMemberId)).length).toBe(2);
    });

    // Found by the crash harness: after a restart the lookup took an earlier sale's redeemed reward
    // (same member, same reward, inside the window counted from the sale's commit) for this one, so
    // the terminal held it as posted while UiTPAS never redeemed it.
    it("after a restart, another sale's redemption from just before this one was sent is never taken for it", async () => {
      const m = await member({ points: 200 });
      const committed = new Date(Date.now() - 60_000).toISOString(); // queued a minute ago, sent only now
      const sale1 = await createUitpasAdapter(config).redeem(redeemRequest(m, RW.ticket.id, 50)); // another sale, answered
      const req = redeemRequest(m, RW.ticket.id, 50, committed);
      const firstSentAt = new Date(Date.now() + 30_000).toISOString(); // sent after sale 1's redemption
      const fresh = createUitpasAdapter(config); // remembers nothing
      // The terminal's records hold sale 1's redeemed reward: not this one's, and nothing else is.
      expect(await fresh.findRedemption(req, { firstSentAt, claimed: new Set([sale1.backendReference]) })).toBeNull();
      // Not held by any sale of this terminal, but from before the send: it could be another's; a manager decides.
      const e = await caught(fresh.findRedemption(req, { firstSentAt, claimed: new Set() }));
      expect(e.code).toBe('OUTCOME_UNKNOWN');
      expect((await ui.redeemed(m.backendMemberId)).length).toBe(1);
    });

    it('the same adapter does not match a redemption it already gave to another sale', async () => {
      const m = await member({ points: 200 });
      const t = new Date().toISOString();
      const sale1 = redeemRequest(m, RW.ticket.id, 50, t);
      await adapter.redeem(sale1);
      const sale2 = redeemRequest(m, RW.ticket.id, 50, t);
      expect(await adapter.findRedemption(sale2)).toBeNull();
    });
  });

  // The document says neither in which order GET /rewards/redeemed lists nor whether a cancelled
  // redemption stays in it: the emulator's other answers (sandbox/uitpas/README.md, "Guesses").
  describe("under the emulator's alternative forms: redeemed listed oldest first, cancelled ones still listed", () => {
    beforeAll(async () => {
      await ui.forms({ redeemedOrder: 'oldest-first', cancelledInList: 'listed' });
    });
    afterAll(async () => {
      await ui.forms({ redeemedOrder: 'newest-first', cancelledInList: 'left-out' });
    });

    it('a lost redeem is found whatever the order, and another sale’s redemption this terminal holds is not taken for it', async () => {
      const m = await member({ points: 300 });
      const other = await adapter.redeem(redeemRequest(m, RW.ticket.id, 50)); // another sale of this terminal, answered
      const req = redeemRequest(m, RW.ticket.id, 50);
      await control.addFault({ backend: 'uitpas', method: 'POST', path: '/uitpas/rewards/redeemed', fault: 'reset-after', times: 1 });
      await caught(adapter.redeem(req));
      const found = await createUitpasAdapter(config).findRedemption(req, { firstSentAt: req.requestedAt, claimed: new Set([other.backendReference]) });
      const records = await ui.redeemed(m.backendMemberId);
      expect(records).toHaveLength(2);
      expect(found?.backendReference).toBe(records.find((r) => r.id !== other.backendReference)!.id);
    });

    it('a cancel whose answer was lost, still listed: sent again by id, which UiTPAS cannot apply twice (a manager is asked)', async () => {
      const m = await member({ points: 100 });
      const req = redeemRequest(m, RW.exhibition.id, 100);
      const receipt = await adapter.redeem(req);
      const rev = reverseRequest(req, receipt);
      await control.addFault({ backend: 'uitpas', method: 'DELETE', path: '/uitpas/rewards/redeemed/', fault: 'reset-after', times: 1 });
      await caught(adapter.reverse(rev));
      expect(await adapter.findReversal(rev)).toBeNull(); // listed: the lookup cannot see the cancel
      expect((await caught(adapter.reverse(rev))).code).toBe('OUTCOME_UNKNOWN');
      const ledger = await ui.ledger(m.backendMemberId);
      expect(ledger.entries.filter((x) => x.kind === 'cancel')).toHaveLength(1);
      expect(ledger.balances[m.backendMemberId]).toBe(100);
    });
  });

  describe('cancel (void)', () => {
    async function redeemed(points = 100) {
      const m = await member({ points });
      const req = redeemRequest(m, RW.exhibition.id, 100);
      const receipt = await adapter.redeem(req);
      return { m, req, receipt };
    }

    it('cancels the redeemed reward: the points come back', async () => {
      const { m, req, receipt } = await redeemed();
      const back = await adapter.reverse(reverseRequest(req, receipt));
      expect(back).toEqual({ backendReference: receipt.backendReference, pointsMilli: 100_000, balanceAfterMilli: 100_000 });
      const records = await ui.redeemed(m.backendMemberId);
      expect(records[0]?.cancelledAt).toBeTruthy();
      // Gone from the list is not proof of a cancel: a lookup cannot confirm it.
      expect((await caught(adapter.findReversal(reverseRequest(req, receipt)))).code).toBe('OUTCOME_UNKNOWN');
    });

    it('cancelling twice gives the points back once; a 404 whose problem type does not say "cancelled" goes to a manager', async () => {
      const { m, req, receipt } = await redeemed();
      await adapter.reverse(reverseRequest(req, receipt));
      // The emulator's 404 names no problem type: that is not "already cancelled".
      expect((await caught(adapter.reverse(reverseRequest(req, receipt)))).code).toBe('OUTCOME_UNKNOWN');
      const ledger = await ui.ledger(m.backendMemberId);
      expect(ledger.entries.filter((x) => x.kind === 'cancel')).toHaveLength(1);
      expect(ledger.balances[m.backendMemberId]).toBe(100);
    });

    it('a cancel whose answer is lost: still listed = not applied (safe to send again); gone = cannot tell', async () => {
      const { m, req, receipt } = await redeemed();
      const rev = reverseRequest(req, receipt);
      expect(await adapter.findReversal(rev)).toBeNull(); // not cancelled yet
      await control.addFault({ backend: 'uitpas', method: 'DELETE', path: '/uitpas/rewards/redeemed/', fault: 'reset-after', times: 1 });
      expect((await caught(adapter.reverse(rev))).code).toBe('BACKEND_UNAVAILABLE');
      expect(await caught(adapter.findReversal(rev))).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { reconciledBy: 'redeemed-list' } });
      expect((await ui.ledger(m.backendMemberId)).entries.filter((x) => x.kind === 'cancel')).toHaveLength(1);
    });

    it('only the whole reward can be cancelled', async () => {
      const { req, receipt } = await redeemed();
      const e = await caught(adapter.reverse(reverseRequest(req, receipt, 40_000)));
      expect(e.code).toBe('REVERSAL_NOT_SUPPORTED');
      expect(e.details?.notApplied).toBe(true);
    });

    it("another organizer's client cannot cancel it", async () => {
      const { req, receipt } = await redeemed();
      await ui.addClient({
        clientId: 'gent-pos',
        clientSecret: 'gent-secret',
        permissions: { [UITPAS_ORGANIZERS.other.id]: ['PASSES_READ', 'REWARDS_READ', 'REWARDS_REDEEM'] },
      });
      const gent = createUitpasAdapter({ ...config, clientId: 'gent-pos', clientSecret: 'gent-secret', organizerId: UITPAS_ORGANIZERS.other.id });
      expect((await caught(gent.reverse(reverseRequest(req, receipt)))).code).toBe('FORBIDDEN');
    });
  });
});
