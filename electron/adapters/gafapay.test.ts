/**
 * The GafaPay adapter against the real sandbox over loopback (no HTTP
 * mocks): balances, wallets and the redemption history are checked in the
 * emulator's ledger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError, type ErrorCode } from '../../shared/errors.js';
import { parseMemberIdentifier, type MemberIdentifier } from '../../shared/member-number.js';
import { GAFAPAY_DEMO_USERS, GAFAPAY_UNKNOWN_USER_ID, gafapaySandboxConfig, type GfDemoUser } from '../../sandbox/gafapay/demo.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { centsFromBackend, createGafapayAdapter, gafapayError, type GafapayConfig } from './gafapay.js';
import type { LoyaltyAdapter, RedeemRequest } from './types.js';
import { supportsValidationCode } from './validation-code.js';

type Json = Record<string, any>;
const aisha = GAFAPAY_DEMO_USERS.aisha;
const bilal = GAFAPAY_DEMO_USERS.bilal;
const ext = (u: GfDemoUser): MemberIdentifier => ({ kind: 'externalId', value: u.userId });
let seq = 0;

function redeemRequest(u: GfDemoUser, pointsMilli: number, requestedAt = new Date().toISOString()): RedeemRequest {
  const saleId = `sale-${++seq}-${Date.now()}`;
  return {
    reference: saleId,
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
  it('reads amounts exactly', () => {
    expect(centsFromBackend(0.25)).toBe(25);
    expect(centsFromBackend(10.0)).toBe(1000);
    expect(centsFromBackend('12.5')).toBe(1250);
    expect(() => centsFromBackend(0.255)).toThrow(PosError);
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
    const res = await fetch(`${sb.url}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  const ledger = (u: GfDemoUser) => ctl('GET', `/gafapay/ledger?userId=${u.userId}`);

  beforeAll(async () => {
    sb = await startSandbox();
    config = { ...gafapaySandboxConfig(sb.url), timeoutMs: 1500 };
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await ctl('POST', '/reset', {});
    adapter = createGafapayAdapter(config);
  });

  it('declares its capabilities honestly: decimals, no validation code, no reversal', () => {
    expect(adapter.info).toEqual({
      id: 'gafapay',
      name: 'GafaPay',
      capabilities: {
        redemption: 'points',
        identifiers: ['externalId'],
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

  it('finds a member by the GafaPay id the app shows, with the balance in thousandths', async () => {
    const parsed = parseMemberIdentifier(bilal.userId, adapter.info.capabilities.identifiers);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(await adapter.lookupMember(parsed.identifier)).toEqual({ identifier: ext(bilal), backendMemberId: bilal.userId, balanceMilli: 30_500, messages: [] });
    expect((await caught(adapter.lookupMember({ kind: 'externalId', value: GAFAPAY_UNKNOWN_USER_ID }))).code).toBe('MEMBER_NOT_FOUND');
    expect((await caught(adapter.lookupMember({ kind: 'mobile', value: '32470123456' }))).code).toBe('INVALID_INPUT');
  });

  it('takes rate, minimum and maximum from the redemption configuration', async () => {
    const m = await adapter.lookupMember(ext(aisha));
    expect(await adapter.getTerms(m)).toEqual({ rate: { pointsMilli: 1000, cents: 1 }, currency: 'EUR', decimals: 2, minPointsMilli: 10_000, maxPointsMilli: 500_000, stepMilli: 10, benefit: 'cashback' });
  });

  it('an inactive configuration means no redemption, with that reason', async () => {
    await ctl('POST', '/gafapay/config', { isActive: false });
    const m = await adapter.lookupMember(ext(aisha));
    const e = await caught(adapter.getTerms(m));
    expect(e.code).toBe('REDEMPTION_NOT_ACTIVE');
    expect(e.message).toMatch(/switched off/);
    const r = await caught(adapter.redeem(redeemRequest(aisha, 20_000)));
    expect(r.code).toBe('REDEMPTION_NOT_ACTIVE');
    expect((await ledger(aisha)).users[0].points).toBe('250');
  });

  it('redeems decimal points into wallet cashback, with the amount and transaction number on the receipt', async () => {
    const receipt = await adapter.redeem(redeemRequest(aisha, 25_500));
    expect(receipt).toMatchObject({ pointsMilli: 25_500, balanceAfterMilli: null, detail: { cashbackCents: 25 } });
    expect(receipt.detail!.txnNumber).toMatch(/^RPR\d+$/);
    const l = await ledger(aisha);
    expect(l.users[0].points).toBe('224.5');
    expect(l.wallets[0].balanceCents).toBe(1250 + 25);
    expect(l.walletEntries).toEqual([expect.objectContaining({ txnId: receipt.backendReference, txnNumber: receipt.detail!.txnNumber, amountCents: 25 })]);
  });

  it('sends a fresh requestid with each request', async () => {
    await adapter.lookupMember(ext(aisha));
    await adapter.redeem(redeemRequest(aisha, 10_000));
    const ids = (await ctl('GET', '/gafapay/request-ids')).requestIds as string[];
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('maps every refusal to the terminal code, deducting nothing', async () => {
    const cases: Array<[RedeemRequest, ErrorCode]> = [
      [redeemRequest(aisha, 9_990), 'POINTS_BELOW_MIN'],
      [redeemRequest(aisha, 500_010), 'POINTS_ABOVE_MAX'],
      [redeemRequest(bilal, 30_510), 'INSUFFICIENT_POINTS'],
    ];
    for (const [req, code] of cases) {
      const e = await caught(adapter.redeem(req));
      expect(e.code, code).toBe(code);
      expect(e.details?.notApplied, code).toBe(true);
    }
    // More decimals than the company allows never leave the terminal...
    const local = await caught(adapter.redeem(redeemRequest(aisha, 25_555)));
    expect(local).toMatchObject({ code: 'POINTS_TOO_PRECISE', details: { notApplied: true } });
    // ...and GafaPay refuses them too, when the terminal is set for more than it allows.
    const lax = createGafapayAdapter({ ...config, pointsDecimals: 3 });
    expect((await caught(lax.redeem(redeemRequest(aisha, 25_555)))).code).toBe('POINTS_TOO_PRECISE');
    const unknown = { ...redeemRequest(aisha, 20_000), member: { identifier: ext(aisha), backendMemberId: GAFAPAY_UNKNOWN_USER_ID } };
    expect((await caught(adapter.redeem(unknown))).code).toBe('BACKEND_REFUSED'); // no wallet for that id
    expect((await ledger(aisha)).users[0].points).toBe('250');
    expect((await ledger(bilal)).users[0].points).toBe('30.5');
  });

  describe('refused without a token or companyid, as the real one would', () => {
    it('no token: BACKEND_AUTH, certainly not applied', async () => {
      const a = createGafapayAdapter({ ...config, token: '' });
      const e = await caught(a.redeem(redeemRequest(aisha, 20_000)));
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.details).toMatchObject({ status: 401, notApplied: true });
    });

    it('no companyid: BACKEND_AUTH', async () => {
      const a = createGafapayAdapter({ ...config, companyId: '' });
      const e = await caught(a.lookupMember(ext(aisha)));
      expect(e).toMatchObject({ code: 'BACKEND_AUTH', details: { status: 400 } });
    });

    it('an expired token: BACKEND_AUTH saying so', async () => {
      const { token } = await ctl('POST', '/gafapay/tokens', { ttlSec: -1 });
      const e = await caught(createGafapayAdapter({ ...config, token }).probe());
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.message).toMatch(/expired/);
    });
  });

  describe('a lost answer', () => {
    it('finds the redemption in the history instead of redeeming twice', async () => {
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
      await ctl('POST', '/faults', { backend: 'gafapay', method: 'POST', path: '/redeem_user_reward_points', fault: 'reset-before', times: 1 });
      const req = redeemRequest(aisha, 40_000);
      await caught(adapter.redeem(req));
      expect(await caught(adapter.findRedemption(req))).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { reconciledBy: 'history' } });
      expect((await ledger(aisha)).redemptions).toHaveLength(0);
    });

    it('ignores redemptions from before the sale, and reads every page in no assumed order (oldest first, three pages)', async () => {
      const paged = createGafapayAdapter({ ...config, historyPageSize: 2 });
      for (const p of [12_000, 13_000, 14_000, 15_000]) await paged.redeem(redeemRequest(aisha, p, new Date(Date.now() - 3_600_000).toISOString()));
      await paged.redeem(redeemRequest(aisha, 11_000));
      sb.backends.gafapay.state.historyOldestFirst = true; // the newest is on the third page
      // A sale committed an hour after those redemptions: none of them can be its own.
      const old = redeemRequest(aisha, 11_000, new Date(Date.now() + 3_600_000).toISOString());
      expect((await caught(paged.findRedemption(old))).code).toBe('OUTCOME_UNKNOWN');
      // Within the window, found on the last page:
      const recent = redeemRequest(aisha, 11_000, new Date(Date.now() - 60_000).toISOString());
      expect(await paged.findRedemption(recent)).toMatchObject({ pointsMilli: 11_000 });
    });

    it('hands an ambiguous history to the manager', async () => {
      await adapter.redeem(redeemRequest(aisha, 10_000));
      await adapter.redeem(redeemRequest(aisha, 10_000));
      expect((await caught(adapter.findRedemption(redeemRequest(aisha, 10_000, new Date(Date.now() - 60_000).toISOString())))).code).toBe('OUTCOME_UNKNOWN');
    });
  });
});
