/**
 * The GafaPay adapter against the real sandbox over loopback (no HTTP
 * mocks): balances, wallets and the redemption history are checked in the
 * emulator's ledger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError, type ErrorCode } from '../../shared/errors.js';
import { parseMemberIdentifier, type MemberIdentifier } from '../../shared/member-number.js';
import {
  GAFAPAY_DEMO_USERS,
  GAFAPAY_SANDBOX_TOKEN,
  GAFAPAY_UNKNOWN_USER_ID,
  gafapayAppCode,
  gafapayCustomerToken,
  gafapaySandboxConfig,
  type GfDemoUser,
} from '../../sandbox/gafapay/demo.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { createGafapayAdapter, gafapayError, type GafapayConfig } from './gafapay.js';
import { parseAppCode, requestIdFor } from './gafapay-wire.js';
import type { LoyaltyAdapter, RedeemRequest } from './types.js';
import { supportsValidationCode } from './validation-code.js';
import { controlFetch } from '../../sandbox/control-client.js';

type Json = Record<string, any>;
const aisha = GAFAPAY_DEMO_USERS.aisha;
const bilal = GAFAPAY_DEMO_USERS.bilal;
const ext = (u: { userId: string }): MemberIdentifier => ({ kind: 'externalId', value: u.userId });
const code = (u: { userId: string; walletId: string }, token?: string | null): MemberIdentifier => ({
  kind: 'appCode',
  value: gafapayAppCode(u, token === undefined ? gafapayCustomerToken(u.userId) : token),
});
let seq = 0;

function redeemRequest(u: { userId: string }, pointsMilli: number, requestedAt = new Date().toISOString()): RedeemRequest {
  const saleId = `sale-${++seq}-${Date.now()}`;
  return {
    reference: `${saleId}.r1`,
    saleId,
    member: { identifier: ext(u), backendMemberId: u.userId },
    pointsMilli,
    terminalId: 'till-7',
    storeId: 'store-3',
    requestedAt,
    balanceBeforeMilli: null,
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

describe('GafaPay adapter: envelope and mapping', () => {
  it('reads the member app code; the requestid is a UUID derived from the attempt reference', () => {
    const token = gafapayCustomerToken(aisha.userId);
    expect(parseAppCode(gafapayAppCode(aisha, token))).toEqual({ userId: aisha.userId, walletId: aisha.walletId, token });
    expect(parseAppCode(gafapayAppCode(aisha, null))).toEqual({ userId: aisha.userId, walletId: aisha.walletId, token: null });
    expect(parseAppCode(aisha.userId)).toBeNull();
    expect(parseAppCode(`GP1:${aisha.userId}:${aisha.walletId}:not-a-jwt`)).toBeNull();
    const id = requestIdFor('sale-1.r1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor('sale-1.r1')).toBe(id);
    expect(requestIdFor('sale-1.r2')).not.toBe(id);
    // A refused read of an app code never echoes it.
    const r = parseMemberIdentifier(`GP1:${aisha.userId}:${aisha.walletId}:${token}x!`, ['appCode']);
    expect(r).toMatchObject({ ok: false, read: 'GP1:…' });
  });

  it("a customer's refused token is the member's app code, in plain words; a merchant's is the settings", () => {
    const mine = gafapayError(['AUTHORIZATION_TOKEN_EXPIRED'], 401, 'customer');
    expect(mine).toMatchObject({ code: 'MEMBER_CODE_EXPIRED', details: { notApplied: true } });
    expect(mine.message).toMatch(/ask the member to refresh their app code/);
    expect(gafapayError(['INVALID_AUTHORIZATION_TOKEN'], 401, 'customer').code).toBe('MEMBER_CODE_EXPIRED');
    expect(gafapayError(['AUTHORIZATION_TOKEN_EXPIRED'], 401, 'merchant').code).toBe('BACKEND_AUTH');
  });

  it('maps GafaPay refusals to the terminal codes, in plain words', () => {
    const cases: Array<[string, ErrorCode]> = [
      ['REWARD_PROMOTION_INSUFFICIENT_REWARD_POINTS', 'INSUFFICIENT_POINTS'],
      ['REWARD_PROMOTION_REDEEM_POINTS_LESS_THAN_MIN_POINTS', 'POINTS_BELOW_MIN'],
      ['REWARD_PROMOTION_REDEEM_POINTS_MORE_THAN_MAX_POINTS', 'POINTS_ABOVE_MAX'],
      ['REWARD_PROMOTION_REDEEM_POINTS_DECIMAL_LIMIT_EXCEEDED', 'POINTS_TOO_PRECISE'],
      ['REWARD_PROMOTION_INVALID_REDEEM_POINTS', 'POINTS_INVALID'],
      ['REWARD_PROMOTION_POINTS_REDEEM_CONFIG_NOT_ACTIVE', 'REDEMPTION_NOT_ACTIVE'],
      ['REWARD_PROMOTION_POINTS_REDEEM_CONFIG_NOT_FOUND', 'REDEMPTION_NOT_ACTIVE'],
      ['USER_NOT_FOUND', 'MEMBER_NOT_FOUND'],
      ['AUTHORIZATION_TOKEN_REQUIRED', 'BACKEND_AUTH'],
      ['AUTHORIZATION_TOKEN_EXPIRED', 'BACKEND_AUTH'],
      ['COMPANY_ID_REQUIRED', 'BACKEND_AUTH'],
      ['TRANSACTION_WALLET_NOT_FOUND', 'BACKEND_REFUSED'],
    ];
    for (const [message, code] of cases) {
      const e = gafapayError([message], 400);
      expect(e.code, message).toBe(code);
      expect(e.message, message).not.toContain('_');
      expect(e.details).toMatchObject({ notApplied: true, backendMessage: message });
    }
    expect(gafapayError(['Something new'], 400)).toMatchObject({ code: 'BACKEND_REFUSED', message: expect.stringContaining('Something new') });
  });
});

describe('GafaPay adapter against the sandbox', () => {
  let sb: RunningSandbox;
  let config: GafapayConfig;
  let adapter: LoyaltyAdapter;

  async function ctl(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await controlFetch(sb, method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  const ledger = (u: { userId: string }) => ctl('GET', `/gafapay/ledger?userId=${u.userId}`);
  const forms = (f: Json) => ctl('POST', '/gafapay/forms', f);
  /** Scans the member's app code, as the counter does before a redemption. */
  const scan = (a: LoyaltyAdapter, u: { userId: string; walletId: string }, token?: string | null) => a.lookupMember(code(u, token));

  beforeAll(async () => {
    sb = await startSandbox();
    config = { ...gafapaySandboxConfig(sb.url), timeoutMs: 1500 };
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await ctl('POST', '/reset', {});
    adapter = createGafapayAdapter(config);
  });

  it('declares its capabilities honestly: app code, decimals, no validation code, no reversal', () => {
    expect(adapter.info).toEqual({
      id: 'gafapay',
      name: 'GafaPay',
      capabilities: {
        redemption: 'points',
        identifiers: ['appCode'],
        pointsDecimals: 2,
        validationCode: false,
        reversal: 'none',
        retrySafety: 'lookup-before-retry',
        balanceAtCounter: true,
      },
    });
    expect(adapter.reverse).toBeUndefined();
    expect(adapter.findReversal).toBeUndefined();
    expect(supportsValidationCode(adapter)).toBe(false);
  });

  it("finds the member from their app code, keeping only the user id; the code's token stays in memory", async () => {
    const parsed = parseMemberIdentifier(gafapayAppCode(bilal), adapter.info.capabilities.identifiers);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const plain = adapter.acceptAppCode!(parsed.identifier);
    expect(plain).toEqual(ext(bilal));
    expect(await adapter.lookupMember(plain)).toEqual({ identifier: ext(bilal), backendMemberId: bilal.userId, balanceMilli: 30_500, messages: [] });
    const unknown = { userId: GAFAPAY_UNKNOWN_USER_ID, walletId: 'w-unknown' };
    expect((await caught(scan(adapter, unknown))).code).toBe('MEMBER_NOT_FOUND');
    // A typed user id carries no token: GafaPay's own flow cannot use it.
    expect((await caught(createGafapayAdapter(config).lookupMember(ext(aisha)))).code).toBe('INVALID_INPUT');
    expect(() => adapter.acceptAppCode!(code(aisha, null))).toThrow(/carries no session/);
  });

  it('takes rate, minimum and maximum from the redemption configuration; is_active as true or 1', async () => {
    const terms = {
      rate: { pointsMilli: 1000, cents: 1 },
      currency: 'EUR',
      decimals: 2,
      minPointsMilli: 10_000,
      maxPointsMilli: 500_000,
      stepMilli: 10,
      benefit: 'cashback',
    };
    expect(await adapter.getTerms(await scan(adapter, aisha))).toEqual(terms);
    await forms({ isActive: 'number' });
    expect(await adapter.getTerms(await scan(adapter, aisha))).toEqual(terms);
    await ctl('POST', '/gafapay/config', { isActive: false }); // now is_active: 0
    expect((await caught(adapter.getTerms(await scan(adapter, aisha)))).code).toBe('REDEMPTION_NOT_ACTIVE');
  });

  it('an inactive configuration means no redemption, with that reason', async () => {
    await ctl('POST', '/gafapay/config', { isActive: false });
    const m = await scan(adapter, aisha);
    const e = await caught(adapter.getTerms(m));
    expect(e.code).toBe('REDEMPTION_NOT_ACTIVE');
    expect(e.message).toMatch(/switched off/);
    const r = await caught(adapter.redeem(redeemRequest(aisha, 20_000)));
    expect(r.code).toBe('REDEMPTION_NOT_ACTIVE');
    expect((await ledger(aisha)).users[0].points).toBe('250');
  });

  it("redeems with the customer's own token into their wallet, debit_type_id = wallet id, amount and transaction number on the receipt", async () => {
    await scan(adapter, aisha);
    const receipt = await adapter.redeem(redeemRequest(aisha, 25_500));
    expect(receipt).toMatchObject({ pointsMilli: 25_500, balanceAfterMilli: null, detail: { cashbackCents: 25 } });
    expect(receipt.detail!.txnNumber).toMatch(/^RPR\d+$/);
    const l = await ledger(aisha);
    expect(l.users[0].points).toBe('224.5');
    expect(l.wallets[0].balanceCents).toBe(1250 + 25);
    expect(l.walletEntries).toEqual([expect.objectContaining({ txnId: receipt.backendReference, txnNumber: receipt.detail!.txnNumber, amountCents: 25 })]);
    // The sale is over: the token is gone from memory.
    expect((await caught(adapter.redeem(redeemRequest(aisha, 10_000)))).code).toBe('MEMBER_CODE_EXPIRED');
  });

  it('reads a cashback amount with floating-point noise exactly (0.30000000000000004 -> 30 cents)', async () => {
    await forms({ amounts: 'float-noise' });
    await scan(adapter, aisha);
    expect((await adapter.redeem(redeemRequest(aisha, 30_000))).detail).toMatchObject({ cashbackCents: 30 });
  });

  it("sends the attempt's stable reference as requestid, the same on a retry", async () => {
    await scan(adapter, aisha);
    const req = redeemRequest(aisha, 10_000);
    await ctl('POST', '/faults', { backend: 'gafapay', method: 'POST', path: '/redeem_user_reward_points', fault: 'reset-before', times: 1 });
    expect((await caught(adapter.redeem(req))).code).toBe('BACKEND_UNAVAILABLE');
    await adapter.redeem(req);
    const ids = (await ctl('GET', '/gafapay/request-ids')).requestIds as string[];
    expect(ids.filter((x) => x === requestIdFor(req.reference))).toHaveLength(1); // reset-before: the first never reached it
    const l = await ledger(aisha);
    expect(l.redemptions).toEqual([expect.objectContaining({ requestId: requestIdFor(req.reference) })]);
    // Reads get fresh ids of their own.
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('an expired app code is refused in plain words, deducting nothing, and its token is never echoed', async () => {
    const { code: expired } = await ctl('POST', '/gafapay/app-codes', { userId: aisha.userId, ttlSec: -60 });
    const e = await caught(adapter.lookupMember({ kind: 'appCode', value: expired }));
    expect(e.code).toBe('MEMBER_CODE_EXPIRED');
    expect(e.message).toMatch(/ask the member to refresh their app code/);
    const token = (expired as string).split(':')[3]!;
    expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(token);
    // Expiring between the scan and the confirmation: refused at the redeem, certainly not applied.
    const late = createGafapayAdapter(config);
    late.acceptAppCode!({ kind: 'appCode', value: gafapayAppCode(aisha, gafapayCustomerToken(aisha.userId, Math.floor(Date.now() / 1000) - 1)) });
    const r = await caught(late.redeem(redeemRequest(aisha, 20_000)));
    expect(r).toMatchObject({ code: 'MEMBER_CODE_EXPIRED', details: { notApplied: true } });
    // The terminal itself keeps a code for one sale at most (appCodeTtlMs, injected clock).
    let t = 1_000_000;
    const brief = createGafapayAdapter({ ...config, appCodeTtlMs: 60_000, now: () => t });
    await scan(brief, aisha);
    t += 60_001;
    expect(await caught(brief.redeem(redeemRequest(aisha, 20_000)))).toMatchObject({ code: 'MEMBER_CODE_EXPIRED', details: { notApplied: true } });
    expect((await ledger(aisha)).users[0].points).toBe('250');
  });

  it('maps every refusal to the terminal code, deducting nothing', async () => {
    const cases: Array<[GfDemoUser, RedeemRequest, ErrorCode]> = [
      [aisha, redeemRequest(aisha, 9_990), 'POINTS_BELOW_MIN'],
      [aisha, redeemRequest(aisha, 500_010), 'POINTS_ABOVE_MAX'],
      [bilal, redeemRequest(bilal, 30_510), 'INSUFFICIENT_POINTS'],
    ];
    for (const [u, req, code] of cases) {
      await scan(adapter, u);
      const e = await caught(adapter.redeem(req));
      expect(e.code, code).toBe(code);
      expect(e.details?.notApplied, code).toBe(true);
    }
    // More decimals than the company allows never leave the terminal...
    const local = await caught(adapter.redeem(redeemRequest(aisha, 25_555)));
    expect(local).toMatchObject({ code: 'POINTS_TOO_PRECISE', details: { notApplied: true } });
    // ...and GafaPay refuses them too, when the terminal is set for more than it allows.
    const lax = createGafapayAdapter({ ...config, pointsDecimals: 3 });
    await scan(lax, aisha);
    expect((await caught(lax.redeem(redeemRequest(aisha, 25_555)))).code).toBe('POINTS_TOO_PRECISE');
    expect((await ledger(aisha)).users[0].points).toBe('250');
    expect((await ledger(bilal)).users[0].points).toBe('30.5');
  });

  it('an unreadable answer after the redeem was sent is "cannot tell", never a refusal; the history then confirms it', async () => {
    await scan(adapter, aisha);
    await ctl('POST', '/faults', { backend: 'gafapay', method: 'POST', path: '/redeem_user_reward_points', fault: 'malformed', times: 1 });
    const req = redeemRequest(aisha, 40_000);
    const e = await caught(adapter.redeem(req));
    expect(e.code).toBe('BACKEND_BAD_RESPONSE');
    expect(e.details?.notApplied).toBeUndefined();
    expect(await adapter.findRedemption(req)).toMatchObject({ pointsMilli: 40_000, detail: { reconciledBy: 'history' } });
  });

  describe("merchant token on the member's behalf (a connection setting, off by default)", () => {
    it('works only where GafaPay allows it, and needs no token in the code', async () => {
      const onBehalf = createGafapayAdapter({ ...config, merchantToken: GAFAPAY_SANDBOX_TOKEN });
      // GafaPay (this emulator's default) does not let a merchant act for a customer:
      expect((await caught(scan(onBehalf, aisha, null))).code).toBe('BACKEND_AUTH');
      await forms({ merchantOnBehalf: true });
      await scan(onBehalf, aisha, null);
      expect((await onBehalf.redeem(redeemRequest(aisha, 20_000))).pointsMilli).toBe(20_000);
      expect((await ledger(aisha)).users[0].points).toBe('230');
    });

    it('no companyid: BACKEND_AUTH', async () => {
      const a = createGafapayAdapter({ ...config, companyId: '' });
      const e = await caught(scan(a, aisha));
      expect(e).toMatchObject({ code: 'BACKEND_AUTH', details: { status: 400 } });
    });

    it('probe works with no merchant token (GafaPay answers), and with one', async () => {
      await adapter.probe();
      await createGafapayAdapter({ ...config, merchantToken: GAFAPAY_SANDBOX_TOKEN }).probe();
      const { token } = await ctl('POST', '/gafapay/tokens', { ttlSec: -1 });
      const e = await caught(createGafapayAdapter({ ...config, merchantToken: token }).probe());
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.message).toMatch(/expired/);
    });
  });

  describe('a lost answer', () => {
    it('finds the redemption in the history instead of redeeming twice', async () => {
      await scan(adapter, aisha);
      await ctl('POST', '/faults', { backend: 'gafapay', method: 'POST', path: '/redeem_user_reward_points', fault: 'reset-after', times: 1 });
      const req = redeemRequest(aisha, 40_000);
      const e = await caught(adapter.redeem(req));
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.details?.notApplied).toBeUndefined();
      const found = await adapter.findRedemption(req);
      expect(found).toMatchObject({ pointsMilli: 40_000, detail: { cashbackCents: 40, reconciledBy: 'history' } });
      const l = await ledger(aisha);
      expect(l.redemptions).toHaveLength(1);
      expect(l.users[0].points).toBe('210');
    });

    it('the history can confirm, never prove absence: nothing found is OUTCOME_UNKNOWN, so nothing is sent again', async () => {
      await scan(adapter, aisha);
      await ctl('POST', '/faults', { backend: 'gafapay', method: 'POST', path: '/redeem_user_reward_points', fault: 'reset-before', times: 1 });
      const req = redeemRequest(aisha, 40_000);
      await caught(adapter.redeem(req));
      expect(await caught(adapter.findRedemption(req))).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { reconciledBy: 'history' } });
      expect((await ledger(aisha)).redemptions).toHaveLength(0);
    });

    it("without the member's app code in memory (a restart), the history cannot be read: cannot tell", async () => {
      const req = redeemRequest(aisha, 40_000);
      expect((await caught(createGafapayAdapter(config).findRedemption(req))).code).toBe('OUTCOME_UNKNOWN');
    });

    it('ignores redemptions from before the sale, and reads every page in no assumed order (oldest first, three pages)', async () => {
      const paged = createGafapayAdapter({ ...config, historyPageSize: 2 });
      for (const p of [12_000, 13_000, 14_000, 15_000]) {
        await scan(paged, aisha);
        await paged.redeem(redeemRequest(aisha, p, new Date(Date.now() - 3_600_000).toISOString()));
      }
      await scan(paged, aisha);
      await paged.redeem(redeemRequest(aisha, 11_000));
      await scan(paged, aisha);
      await forms({ historyOrder: 'oldest-first' }); // the newest is on the third page
      // A sale committed an hour after those redemptions: none of them can be its own.
      const old = redeemRequest(aisha, 11_000, new Date(Date.now() + 3_600_000).toISOString());
      expect((await caught(paged.findRedemption(old))).code).toBe('OUTCOME_UNKNOWN');
      // Within the window, found on the last page:
      const recent = redeemRequest(aisha, 11_000, new Date(Date.now() - 60_000).toISOString());
      expect(await paged.findRedemption(recent)).toMatchObject({ pointsMilli: 11_000 });
    });

    // The crash harness found it in UiTPAS; GafaPay matches on points and time the same way: a
    // redemption of the same points made before this one was sent (another sale's) is not this one.
    it('a redemption of the same points from before this one was sent is never taken for it: cannot tell, or excluded when another sale holds it', async () => {
      await scan(adapter, aisha);
      const other = await adapter.redeem(redeemRequest(aisha, 20_000)); // another sale, answered
      await scan(adapter, aisha);
      const req = redeemRequest(aisha, 20_000, new Date(Date.now() - 60_000).toISOString()); // committed earlier, queued
      const firstSentAt = new Date(Date.now() + 30_000).toISOString(); // sent after the other one applied
      expect((await caught(adapter.findRedemption(req, { firstSentAt, claimed: new Set() }))).code).toBe('OUTCOME_UNKNOWN');
      const historyId = (await ledger(aisha)).redemptions[0].id as string;
      expect(other.backendReference).toBeTruthy();
      await scan(adapter, aisha);
      // Held by the other sale (a history id this terminal already holds): nothing else matches, still only "cannot tell".
      const e = await caught(adapter.findRedemption(req, { firstSentAt, claimed: new Set([historyId]) }));
      expect(e.code).toBe('OUTCOME_UNKNOWN');
      expect(e.message).toMatch(/shows no redemption/);
    });

    it('hands an ambiguous history to the manager', async () => {
      for (let i = 0; i < 2; i++) {
        await scan(adapter, aisha);
        await adapter.redeem(redeemRequest(aisha, 10_000));
      }
      await scan(adapter, aisha);
      expect((await caught(adapter.findRedemption(redeemRequest(aisha, 10_000, new Date(Date.now() - 60_000).toISOString())))).code).toBe('OUTCOME_UNKNOWN');
    });
  });
});
