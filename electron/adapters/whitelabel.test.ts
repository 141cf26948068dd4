/**
 * The White Label adapter against the real sandbox over loopback: every
 * outcome is checked in the sandbox's ledger, so "exactly one event" and
 * "nothing sent" are facts, not assumptions.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { parseMemberIdentifier, type MemberIdentifier } from '../../shared/member-number.js';
import { DEMO_MEMBERS, UNKNOWN_CARD_NUMBER, whiteLabelSandboxConfig, type DemoMember } from '../../sandbox/demo-data.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import type { LoyaltyAdapter, RedeemRequest, ReverseRequest } from './types.js';
import { createWhiteLabelAdapter, WHITE_LABEL_INFO, type WhiteLabelConfig } from './whitelabel.js';
import { controlFetch, createControlClient, type ControlClient } from '../../sandbox/control-client.js';

/** The demo member's id as their QR code carries it. */
const card = (m: DemoMember): MemberIdentifier => ({ kind: 'memberId', value: m.userId });
let seq = 0;

function redeemRequest(m: DemoMember, points: number, balanceBefore: number | null = m.points): RedeemRequest {
  const saleId = `sale-${++seq}-${Date.now()}`;
  return {
    reference: saleId,
    saleId,
    member: { identifier: card(m), backendMemberId: m.userId },
    pointsMilli: points * 1000,
    terminalId: 'till-7',
    storeId: 'store-3',
    requestedAt: new Date().toISOString(),
    balanceBeforeMilli: balanceBefore === null ? null : balanceBefore * 1000,
  };
}

function reverseRequest(original: RedeemRequest, balanceAfterMilli: number, points: number, n = 1): ReverseRequest {
  return {
    reference: `${original.reference}.r${n}`,
    saleId: original.saleId,
    member: original.member,
    pointsMilli: points * 1000,
    original: { ...original, receipt: { backendReference: original.reference, pointsMilli: original.pointsMilli, balanceAfterMilli } },
    terminalId: original.terminalId,
    storeId: original.storeId,
    requestedAt: new Date().toISOString(),
  };
}

async function caught(p: Promise<unknown>): Promise<PosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    return e as PosError;
  }
  throw new Error('expected a PosError');
}

describe('White Label adapter against the sandbox', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  let config: WhiteLabelConfig;
  let adapter: LoyaltyAdapter;
  const anna = DEMO_MEMBERS.anna;
  const events = async (m: DemoMember) => (await control.whitelabel.ledger(m.userId)).events;
  const balance = async (m: DemoMember) => (await control.whitelabel.ledger(m.userId)).balances[m.userId];

  beforeAll(async () => {
    sb = await startSandbox();
    control = createControlClient(sb);
    config = { ...whiteLabelSandboxConfig(sb.url), timeoutMs: 1500 };
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await control.reset();
    adapter = createWhiteLabelAdapter(config);
  });

  // The counter acts on the declared capabilities only (never on the program's name): each
  // declaration is checked against what the adapter does with the emulator, not restated.
  it('does what its declared capabilities say: identifiers, balance, points precision, code, partial refund', async () => {
    const caps = adapter.info.capabilities;
    const otherKinds = (['uitpas', 'insz', 'card', 'mobile', 'email', 'externalId', 'memberId', 'appCode'] as const).filter(
      (k) => !caps.identifiers.includes(k),
    );
    for (const kind of caps.identifiers) expect((await adapter.lookupMember({ kind, value: anna.userId })).backendMemberId).toBe(anna.userId);
    for (const kind of otherKinds) expect((await caught(adapter.lookupMember({ kind, value: anna.userId }))).code).toBe('INVALID_INPUT');
    expect((await adapter.lookupMember(card(anna))).balanceMilli !== null).toBe(caps.balanceAtCounter);
    // One step finer than the declared decimals is refused before anything is sent.
    const finer = { ...redeemRequest(anna, 1), pointsMilli: 1000 + 10 ** (2 - caps.pointsDecimals) };
    expect((await caught(adapter.redeem(finer))).code).toBe('POINTS_TOO_PRECISE');
    // A redemption at the declared precision, without a validation code, goes through exactly when none is declared needed.
    const smallest = caps.pointsDecimals > 0 ? 10 ** (3 - caps.pointsDecimals) : 0;
    const req = { ...redeemRequest(anna, 300), pointsMilli: 300_000 + smallest };
    const receipt = await adapter.redeem(req).catch((e: unknown) => e as PosError);
    expect(receipt instanceof PosError).toBe(caps.validationCode);
    if (receipt instanceof PosError) return;
    // Part of the points given back: offered at the counter exactly when reversal is 'partial'.
    const partial = await adapter.reverse?.(reverseRequest(req, receipt.balanceAfterMilli!, 100)).catch((e: unknown) => e);
    expect(partial !== undefined && !(partial instanceof PosError) ? 'partial' : 'not partial').toBe(caps.reversal === 'partial' ? 'partial' : 'not partial');
    expect(await balance(anna)).toBe(anna.points - 300 - smallest / 1000 + (caps.reversal === 'partial' ? 100 : 0));
  });

  it('probes with an authenticated read', async () => {
    await expect(adapter.probe()).resolves.toBeUndefined();
    await control.addFault({ fault: 'down', backend: 'whitelabel' });
    expect((await caught(adapter.probe())).code).toBe('BACKEND_UNAVAILABLE');
  });

  describe('lookup and terms', () => {
    it('reads the wallet balance in milli-points', async () => {
      const acc = await adapter.lookupMember(card(anna));
      expect(acc).toEqual({ identifier: card(anna), backendMemberId: anna.userId, balanceMilli: 2_500_000, messages: [] });
      expect((await adapter.lookupMember(card(DEMO_MEMBERS.emma))).balanceMilli).toBe(-150_000);
    });

    it('takes the member id from the QR code or typed input as given: letters, or digits with no check digit (no card-number rule)', async () => {
      const appUser = await control.whitelabel.addMember({ points: 900 }); // an id the emulator makes up, like the program's app would show
      const noCheckDigit = await control.whitelabel.addMember({ memberId: '1234567890', points: 40 }); // fails a Luhn check: still a member id
      for (const [typed, points] of [
        [appUser.userId, 900],
        [noCheckDigit.userId, 40],
      ] as const) {
        const parsed = parseMemberIdentifier(` ${typed} `, WHITE_LABEL_INFO.capabilities.identifiers);
        expect(parsed).toEqual({ ok: true, identifier: { kind: 'memberId', value: typed } });
        if (!parsed.ok) throw new Error('unreachable');
        expect(await adapter.lookupMember(parsed.identifier)).toMatchObject({ backendMemberId: typed, balanceMilli: points * 1000 });
      }
    });

    it('an unknown member is MEMBER_NOT_FOUND', async () => {
      expect((await caught(adapter.lookupMember({ kind: 'memberId', value: UNKNOWN_CARD_NUMBER }))).code).toBe('MEMBER_NOT_FOUND');
    });

    it('refuses identifier kinds it does not support without calling the backend', async () => {
      expect((await caught(adapter.lookupMember({ kind: 'email', value: 'a@b.be' }))).code).toBe('INVALID_INPUT');
    });

    it('gives whole-point terms at the configured rate', async () => {
      const acc = await adapter.lookupMember(card(anna));
      expect(await adapter.getTerms(acc)).toEqual({
        rate: { pointsMilli: 1000, cents: 1 },
        currency: 'EUR',
        decimals: 0,
        minPointsMilli: 1000,
        maxPointsMilli: null,
        stepMilli: 1000,
      });
      const fancy = createWhiteLabelAdapter({ ...config, pointsCurrencyValue: '0.005' });
      expect((await fancy.getTerms(acc)).rate).toEqual({ pointsMilli: 2000, cents: 1 });
    });

    it('refuses a bad points value at configuration time', () => {
      expect(() => createWhiteLabelAdapter({ ...config, pointsCurrencyValue: '1,5' })).toThrow(PosError);
    });
  });

  describe('redeem', () => {
    it('posts exactly one REDEEMED_POINTS event with the reference and no personal data', async () => {
      const req = redeemRequest(anna, 500);
      const receipt = await adapter.redeem(req);
      expect(receipt).toMatchObject({ backendReference: req.reference, pointsMilli: 500_000, balanceAfterMilli: 2_000_000 });
      expect(receipt.detail?.eventId).toMatch(/^evt_/);
      const evs = await events(anna);
      expect(evs).toHaveLength(1);
      expect(evs[0]).toMatchObject({ type: 'REDEEMED_POINTS', userId: anna.userId, pointsDelta: -500 });
      expect(evs[0]!.payload).toEqual({ points: 500, transactionId: req.reference, storeId: 'store-3', terminalId: 'till-7' });
      expect(await balance(anna)).toBe(2000);
    });

    it('refuses more points than the balance it just read, sending nothing', async () => {
      const chloe = DEMO_MEMBERS.chloe;
      const e = await caught(adapter.redeem(redeemRequest(chloe, 301)));
      expect(e).toMatchObject({ code: 'POINTS_ABOVE_BALANCE', details: { balanceMilli: 300_000, notApplied: true } });
      expect(await events(chloe)).toEqual([]);
      // The balance it checks is the one read now, not the quoted one.
      sb.backends.whitelabel.state.applyEvent('REDEEMED_POINTS', chloe.userId, { points: 100, transactionId: 'elsewhere' }, 100);
      expect((await caught(adapter.redeem(redeemRequest(chloe, 250)))).code).toBe('POINTS_ABOVE_BALANCE');
      expect(await events(chloe)).toHaveLength(1);
    });

    it('refuses fractional or zero points without calling the backend', async () => {
      expect((await caught(adapter.redeem({ ...redeemRequest(anna, 1), pointsMilli: 1500 }))).code).toBe('POINTS_TOO_PRECISE');
      expect((await caught(adapter.redeem({ ...redeemRequest(anna, 1), pointsMilli: 0 }))).code).toBe('POINTS_INVALID');
      expect(await events(anna)).toEqual([]);
    });

    it('an unknown member is MEMBER_NOT_FOUND, not applied', async () => {
      const ghost: DemoMember = { ...anna, cardNumber: UNKNOWN_CARD_NUMBER, userId: UNKNOWN_CARD_NUMBER };
      expect(await caught(adapter.redeem(redeemRequest(ghost, 1)))).toMatchObject({ code: 'MEMBER_NOT_FOUND', details: { notApplied: true } });
    });

    it('a failure while reading the wallet first is marked not applied, even a reset', async () => {
      await control.addFault({ fault: 'reset-after', method: 'GET', path: '/wallet', times: 1 });
      expect(await caught(adapter.redeem(redeemRequest(anna, 10)))).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true } });
      expect(await events(anna)).toEqual([]);
    });
  });

  describe("the document's open questions, against the emulator's default and alternative forms", () => {
    const forms = async (f: Record<string, string>) => {
      const res = await controlFetch(sb, 'POST', '/whitelabel/forms', f);
      expect(res.status).toBe(200);
    };

    it("posts the program owner's event type names, set in the connection", async () => {
      await forms({ eventTypes: 'renamed' });
      // With the default names, the program refuses the event: nothing taken.
      const e = await caught(adapter.redeem(redeemRequest(anna, 100)));
      expect(e).toMatchObject({ code: 'REDEMPTION_NOT_ACTIVE', details: { notApplied: true } });
      expect(await balance(anna)).toBe(2500);
      const named = createWhiteLabelAdapter({ ...config, eventTypes: { redeem: 'POS_POINTS_REDEEMED', refund: 'POS_POINTS_REFUNDED' } });
      const req = redeemRequest(anna, 100);
      const receipt = await named.redeem(req);
      expect(await balance(anna)).toBe(2400);
      await named.reverse!(reverseRequest(req, receipt.balanceAfterMilli!, 100));
      expect((await events(anna)).map((x) => x.pointsDelta)).toEqual([-100, 100]);
      expect(() => createWhiteLabelAdapter({ ...config, eventTypes: { redeem: 'X', refund: 'X' } })).toThrow(/must differ/);
    });

    it('reads the wallet under either naming, and a minimal echo as the success the 200 is', async () => {
      await forms({ wallet: 'balance.points', echo: 'minimal' });
      expect((await adapter.lookupMember(card(anna))).balanceMilli).toBe(2_500_000);
      const receipt = await adapter.redeem(redeemRequest(anna, 500));
      expect(receipt).toMatchObject({ pointsMilli: 500_000, balanceAfterMilli: 2_000_000 });
      expect(receipt.detail?.eventId).toMatch(/^evt_/);
      expect(await balance(anna)).toBe(2000);
    });
  });

  describe('auth', () => {
    it('a wrong API key is BACKEND_AUTH, not applied', async () => {
      const bad = createWhiteLabelAdapter({ ...config, apiKey: 'wrong-key' });
      const e = await caught(bad.lookupMember(card(anna)));
      expect(e).toMatchObject({ code: 'BACKEND_AUTH', details: { notApplied: true } });
      expect(e.message + JSON.stringify(e.details)).not.toContain('wrong-key');
    });

    it('wrong client credentials are BACKEND_AUTH, not applied', async () => {
      const bad = createWhiteLabelAdapter({ ...config, clientSecret: 'nope' });
      expect(await caught(bad.redeem(redeemRequest(anna, 10)))).toMatchObject({ code: 'BACKEND_AUTH', details: { notApplied: true } });
      expect(await events(anna)).toEqual([]);
    });

    it('fetches a new token once when the engine stops accepting the cached one', async () => {
      await adapter.lookupMember(card(anna));
      await control.whitelabel.revokeTokens();
      await adapter.redeem(redeemRequest(anna, 5));
      expect(await events(anna)).toHaveLength(1);
    });
  });

  describe('transient failures', () => {
    it('429 is BACKEND_RATE_LIMITED with retryAfterMs, not applied', async () => {
      await control.addFault({ fault: 'rate-limit', path: '/v1/events', retryAfterSec: 3 });
      const e = await caught(adapter.redeem(redeemRequest(anna, 10)));
      expect(e).toMatchObject({ code: 'BACKEND_RATE_LIMITED', details: { retryAfterMs: 3000, notApplied: true } });
      expect(await events(anna)).toEqual([]);
    });

    it('5xx, a timeout and a malformed 200 leave the outcome unknown (never marked not applied)', async () => {
      await control.addFault({ fault: 'status', status: 503, path: '/v1/events', times: 1 });
      const e = await caught(adapter.redeem(redeemRequest(anna, 10)));
      expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { status: 503 } });
      expect(e.details?.notApplied).toBeUndefined();
      await control.addFault({ fault: 'timeout', path: '/v1/events', times: 1 });
      const fast = createWhiteLabelAdapter({ ...config, timeoutMs: 300 });
      const t = await caught(fast.redeem(redeemRequest(anna, 10)));
      expect(t.code).toBe('BACKEND_TIMEOUT');
      expect(t.details?.notApplied).toBeUndefined();
      await control.addFault({ fault: 'malformed', path: '/v1/events', times: 1 });
      const m = await caught(adapter.redeem(redeemRequest(anna, 40)));
      expect(m.code).toBe('BACKEND_BAD_RESPONSE');
      expect(m.details?.notApplied).toBeUndefined();
    });
  });

  describe('findRedemption after a lost answer: White Label has no lookup, so always "cannot tell"', () => {
    it('applied (reset-after) or not (reset-before), the answer is OUTCOME_UNKNOWN with the balances as evidence; nothing is sent', async () => {
      await control.addFault({ fault: 'reset-after', method: 'POST', path: '/v1/events', times: 1 });
      const req = redeemRequest(anna, 700);
      const e = await caught(adapter.redeem(req));
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.details?.notApplied).toBeUndefined();
      expect(await caught(adapter.findRedemption(req))).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        details: { reconciledBy: 'none', balanceBeforeMilli: 2_500_000, balanceMilli: 1_800_000, expectedIfAppliedMilli: 1_800_000 },
      });
      await control.addFault({ fault: 'reset-before', method: 'POST', path: '/v1/events', times: 1 });
      const other = redeemRequest(anna, 100);
      await caught(adapter.redeem(other));
      // The balance says "not applied", but it is evidence, not proof: still a manager's decision.
      expect(await caught(adapter.findRedemption(other))).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        details: { balanceBeforeMilli: 1_800_000, balanceMilli: 1_800_000 },
      });
      expect(await events(anna)).toHaveLength(1);
    });

    it('after a restart (a fresh adapter) the quoted balance is the evidence; without one, the balance now', async () => {
      const req = redeemRequest(anna, 100);
      expect(await caught(createWhiteLabelAdapter(config).findRedemption(req))).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        details: { balanceBeforeMilli: req.balanceBeforeMilli },
      });
      expect(await caught(createWhiteLabelAdapter(config).findRedemption(redeemRequest(anna, 100, null)))).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        details: { balanceBeforeMilli: null, balanceMilli: 2_500_000 },
      });
    });
  });

  describe('reverse', () => {
    async function redeemed(points: number): Promise<{ req: RedeemRequest; after: number }> {
      const req = redeemRequest(anna, points);
      const r = await adapter.redeem(req);
      return { req, after: r.balanceAfterMilli! };
    }

    it('posts a POINTS_REFUND for part of the points', async () => {
      const { req, after } = await redeemed(600);
      const rev = reverseRequest(req, after, 250);
      expect(await adapter.reverse!(rev)).toEqual({ backendReference: rev.reference, pointsMilli: 250_000, balanceAfterMilli: 2_150_000 });
      const evs = await events(anna);
      expect(evs.map((e) => [e.type, e.pointsDelta, e.payload.transactionId])).toEqual([
        ['REDEEMED_POINTS', -600, req.reference],
        ['POINTS_REFUND', 250, rev.reference],
      ]);
    });

    it('refuses to give back more than was taken, sending nothing', async () => {
      const { req, after } = await redeemed(100);
      expect((await caught(adapter.reverse!(reverseRequest(req, after, 101)))).code).toBe('INVALID_INPUT');
      expect(await events(anna)).toHaveLength(1);
    });

    it('findReversal cannot tell either: OUTCOME_UNKNOWN with the balances, never a second event', async () => {
      const { req, after } = await redeemed(600);
      await control.addFault({ fault: 'reset-after', method: 'POST', path: '/v1/events', times: 1 });
      const rev = reverseRequest(req, after, 600);
      await caught(adapter.reverse!(rev));
      expect(await caught(adapter.findReversal!(rev))).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        details: { balanceBeforeMilli: 1_900_000, balanceMilli: 2_500_000 },
      });
      expect(await events(anna)).toHaveLength(2);
    });
  });
});
