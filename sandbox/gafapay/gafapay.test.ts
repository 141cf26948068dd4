/**
 * The GafaPay emulator over HTTP: the headers it insists on, the
 * {success, error, data} envelope, the cashback configuration, redemption
 * rules (min, max, decimals, balance), the wallet ledger, history paging,
 * no deduplication on requestid, and no reversal endpoint.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../server.js';
import { GAFAPAY_DEMO_USERS, GAFAPAY_SANDBOX, GAFAPAY_SANDBOX_TOKEN, GAFAPAY_UNKNOWN_USER_ID, gafapayCustomerToken, signGafapayToken } from './demo.js';
import { controlHeaders } from '../control-client.js';

type Json = Record<string, any>;
const S = GAFAPAY_SANDBOX;
const aisha = GAFAPAY_DEMO_USERS.aisha;
const API = '/gafapay/gafapay/v3';

describe('GafaPay emulator', () => {
  let sb: RunningSandbox;

  /** The documented flow: the customer's own token. */
  const goodHeaders = (userId: string = aisha.userId): Record<string, string> => ({
    authorization: `Token ${gafapayCustomerToken(userId)}`,
    companyid: S.companyId,
    requestid: randomUUID(),
  });
  async function req(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = opts.headers ?? goodHeaders();
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (path.startsWith('/_control')) Object.assign(headers, controlHeaders(sb));
    const res = await fetch(sb.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }
  const ctl = async (method: string, path: string, body?: unknown) => (await req(method, `/_control/gafapay${path}`, { body, headers: {} })).body;
  const redeemBody = (points: unknown, extra: Json = {}) => ({
    redeem_points: points,
    user_type: 2,
    user_id: aisha.userId,
    wallet_id: aisha.walletId,
    currency_id: S.currencyId,
    company_admin_user_info: {
      currency_id: S.currencyId,
      debit_type: S.companyAdmin.debitType,
      debit_type_id: extra.wallet_id ?? aisha.walletId,
      debit_account_type: S.companyAdmin.debitAccountType,
      debit_account_type_id: S.companyAdmin.debitAccountTypeId,
      username: S.companyAdmin.username,
    },
    ...extra,
  });
  const redeem = (body: unknown, headers?: Record<string, string>) => req('POST', `${API}/reward_promotion/redeem_user_reward_points`, { body, headers });
  const points = async (userId: string = aisha.userId) => (await ctl('GET', `/ledger?userId=${userId}`)).users[0].points as string;

  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await req('POST', '/_control/reset', { body: {}, headers: {} });
  });

  describe('headers', () => {
    const url = `${API}/reward_promotion/user_points?user_id=${aisha.userId}&currency_id=${S.currencyId}`;

    it('refuses a request without a token (401) or with a token that is not "Token <JWT>" or badly signed', async () => {
      const none = await req('GET', url, { headers: { companyid: S.companyId } });
      expect(none).toEqual({ status: 401, body: { success: 0, error: ['AUTHORIZATION_TOKEN_REQUIRED'], data: {} } });
      const bearer = await req('GET', url, { headers: { authorization: `Bearer ${GAFAPAY_SANDBOX_TOKEN}`, companyid: S.companyId } });
      expect(bearer.status).toBe(401);
      const forged = signGafapayToken({ sub: S.merchantUserId, roles: ['ROLE_MERCHANT'], exp: 4_102_444_800 }, 'another-key');
      const bad = await req('GET', url, { headers: { authorization: `Token ${forged}`, companyid: S.companyId } });
      expect(bad.body.error).toEqual(['INVALID_AUTHORIZATION_TOKEN']);
    });

    it('refuses an expired token', async () => {
      const { token } = await ctl('POST', '/tokens', { ttlSec: -10 });
      const r = await req('GET', url, { headers: { authorization: `Token ${token}`, companyid: S.companyId } });
      expect(r.status).toBe(401);
      expect(r.body.error).toEqual(['AUTHORIZATION_TOKEN_EXPIRED']);
    });

    it('refuses a request without companyid (400) or with another company (403)', async () => {
      const none = await req('GET', url, { headers: { authorization: `Token ${GAFAPAY_SANDBOX_TOKEN}` } });
      expect(none).toEqual({ status: 400, body: { success: 0, error: ['COMPANY_ID_REQUIRED'], data: {} } });
      const other = await req('GET', url, { headers: { authorization: `Token ${GAFAPAY_SANDBOX_TOKEN}`, companyid: 'f'.repeat(32) } });
      expect(other.status).toBe(403);
    });

    it("lets a customer's own token touch only that customer", async () => {
      const { token } = await ctl('POST', '/tokens', { sub: GAFAPAY_DEMO_USERS.bilal.userId, roles: ['ROLE_CUSTOMER'] });
      const r = await req('GET', url, { headers: { authorization: `Token ${token}`, companyid: S.companyId } });
      expect(r.status).toBe(403);
    });

    it('refuses a merchant token for a customer unless the merchantOnBehalf form is on', async () => {
      const merchant = { authorization: `Token ${GAFAPAY_SANDBOX_TOKEN}`, companyid: S.companyId };
      expect((await req('GET', url, { headers: merchant })).body.error).toEqual(['ACCESS_DENIED']);
      await ctl('POST', '/forms', { merchantOnBehalf: true });
      expect((await req('GET', url, { headers: merchant })).body).toMatchObject({ success: 1, data: { user_points: { points: 250 } } });
      expect((await ctl('POST', '/forms', { merchantOnBehalf: 'yes' })).detail).toMatch(/merchantOnBehalf must be one of/);
    });

    it('issues member app codes carrying the customer token, expired ones refused', async () => {
      const { code } = await ctl('POST', '/app-codes', { userId: aisha.userId });
      const [, user, wallet, token] = /^GP1:([^:]+):([^:]+):(.+)$/.exec(code)!;
      expect([user, wallet]).toEqual([aisha.userId, aisha.walletId]);
      expect((await req('GET', url, { headers: { authorization: `Token ${token}`, companyid: S.companyId } })).status).toBe(200);
      const old = await ctl('POST', '/app-codes', { userId: aisha.userId, ttlSec: -5 });
      const r = await req('GET', url, { headers: { authorization: `Token ${old.code.split(':')[3]}`, companyid: S.companyId } });
      expect(r.body.error).toEqual(['AUTHORIZATION_TOKEN_EXPIRED']);
    });
  });

  describe('reads', () => {
    it('gives the points as numbers in the envelope', async () => {
      const r = await req('GET', `${API}/reward_promotion/user_points?user_id=${GAFAPAY_DEMO_USERS.bilal.userId}&currency_id=${S.currencyId}`, {
        headers: goodHeaders(GAFAPAY_DEMO_USERS.bilal.userId),
      });
      expect(r.body).toMatchObject({ success: 1, error: [], data: { user_points: { user_id: GAFAPAY_DEMO_USERS.bilal.userId, user_type: 2, points: 30.5 } } });
      const miss = await req('GET', `${API}/reward_promotion/user_points?user_id=${GAFAPAY_UNKNOWN_USER_ID}&currency_id=${S.currencyId}`, {
        headers: goodHeaders(GAFAPAY_UNKNOWN_USER_ID),
      });
      expect(miss).toMatchObject({ status: 404, body: { success: 0, error: ['USER_NOT_FOUND'] } });
      const missing = await req('GET', `${API}/reward_promotion/user_points?user_id=${aisha.userId}`);
      expect(missing).toMatchObject({ status: 400, body: { success: 0, error: ['currency_id is required'] } });
    });

    it('gives the cashback configuration, is_active as a boolean or, switched, as 1/0', async () => {
      const c = await req('GET', `${API}/reward_promotion/points_redeem_config?user_type=2&currency_id=${S.currencyId}`);
      expect(c.body.data.points_redeem_configs[0]).toMatchObject({
        no_of_points: 100,
        points_value: 1,
        min_points_to_redeem: 10,
        max_points_to_redeem: 500,
        redeem_type: 1,
        is_active: true,
      });
      await ctl('POST', '/forms', { isActive: 'number' });
      const n = await req('GET', `${API}/reward_promotion/points_redeem_config?user_type=2&currency_id=${S.currencyId}`);
      expect(n.body.data.points_redeem_configs[0].is_active).toBe(1);
      // No wallet lookup is documented: the emulator has none.
      expect((await req('GET', `${API}/transaction/wallet?user_id=${aisha.userId}`)).status).toBe(404);
    });
  });

  describe('redeem', () => {
    it('turns points into wallet cashback, rounded down to the cent, and debits the company account', async () => {
      const r = await redeem(redeemBody(25.5));
      expect(r.status).toBe(200);
      expect(r.body.success).toBe(1);
      expect(r.body.data.message).toBe('REWARD_PROMOTION_REWARD_POINTS_REDEEM_SUCCESS');
      expect(r.body.data.redeem_points_detail).toMatchObject({ points: 25.5, amount: 0.25 });
      expect(r.body.data.redeem_points_detail.txn_id).toMatch(/^[0-9a-f]{32}$/);
      expect(r.body.data.redeem_points_detail.txn_number).toMatch(/^RPR\d+$/);
      const ledger = await ctl('GET', `/ledger?userId=${aisha.userId}`);
      expect(ledger.users[0].points).toBe('224.5');
      expect(ledger.wallets[0]).toMatchObject({ balanceCents: 1275 });
      expect(ledger.walletEntries).toEqual([expect.objectContaining({ amountCents: 25, txnNumber: r.body.data.redeem_points_detail.txn_number })]);
      expect(ledger.companyAccounts[S.companyAdmin.debitAccountTypeId]).toBe(-25);
    });

    it('refuses what breaks a rule, applying nothing', async () => {
      const cases: Array<[unknown, number, string]> = [
        [redeemBody(9.99), 400, 'REWARD_PROMOTION_REDEEM_POINTS_LESS_THAN_MIN_POINTS'],
        [redeemBody(500.01), 400, 'REWARD_PROMOTION_REDEEM_POINTS_MORE_THAN_MAX_POINTS'],
        [redeemBody(25.555), 400, 'REWARD_PROMOTION_REDEEM_POINTS_DECIMAL_LIMIT_EXCEEDED'],
        [redeemBody(0), 400, 'REWARD_PROMOTION_INVALID_REDEEM_POINTS'],
        [redeemBody(-10), 400, 'REWARD_PROMOTION_INVALID_REDEEM_POINTS'],
        [redeemBody('25'), 400, 'redeem_points must be a number'],
        [redeemBody(20, { wallet_id: GAFAPAY_DEMO_USERS.bilal.walletId }), 400, 'TRANSACTION_WALLET_NOT_FOUND'],
        [redeemBody(20, { user_id: GAFAPAY_UNKNOWN_USER_ID }), 403, 'ACCESS_DENIED'],
        [
          { ...redeemBody(20), company_admin_user_info: { ...redeemBody(20).company_admin_user_info, debit_type_id: 'c0ffee00c0ffee00c0ffee00c0ffee01' } },
          400,
          'company_admin_user_info.debit_type_id must be the wallet_id',
        ],
        [redeemBody(20, { company_admin_user_info: undefined }), 400, 'company_admin_user_info is required'],
      ];
      for (const [body, status, message] of cases) {
        const r = await redeem(body);
        expect(r.status, message).toBe(status);
        expect(r.body).toMatchObject({ success: 0, data: {} });
        expect(r.body.error).toContain(message);
      }
      const bilal = GAFAPAY_DEMO_USERS.bilal;
      const over = await redeem(redeemBody(30.51, { user_id: bilal.userId, wallet_id: bilal.walletId }), goodHeaders(bilal.userId));
      expect(over.body.error).toEqual(['REWARD_PROMOTION_INSUFFICIENT_REWARD_POINTS']);
      expect(await points()).toBe('250');
    });

    it('refuses every redemption while the configuration is inactive', async () => {
      await ctl('POST', '/config', { isActive: false });
      const r = await redeem(redeemBody(20));
      expect(r.body.error).toEqual(['REWARD_PROMOTION_POINTS_REDEEM_CONFIG_NOT_ACTIVE']);
      expect(await points()).toBe('250');
    });

    it('does not deduplicate on requestid: the same request twice redeems twice', async () => {
      const headers = goodHeaders();
      await redeem(redeemBody(10), { ...headers });
      await redeem(redeemBody(10), { ...headers });
      expect(await points()).toBe('230');
      expect((await ctl('GET', '/request-ids')).requestIds.filter((x: string) => x === headers.requestid)).toHaveLength(2);
      // The alternative form: a repeated requestid gets the first answer and redeems nothing more.
      await ctl('POST', '/forms', { requestIdDedupe: true });
      const first = await redeem(redeemBody(10), { ...headers, requestid: 'r-2' });
      const again = await redeem(redeemBody(10), { ...headers, requestid: 'r-2' });
      expect(again.body).toEqual(first.body);
      expect(await points()).toBe('220');
    });

    it('writes amounts exactly, or, switched, with floating-point noise', async () => {
      await ctl('POST', '/forms', { amounts: 'float-noise' });
      const r = await redeem(redeemBody(30));
      expect(r.body.data.redeem_points_detail.amount).toBe(0.30000000000000004);
    });

    it('has no reversal endpoint', async () => {
      for (const path of ['/reward_promotion/reverse_user_reward_points', '/reward_promotion/user_points_redeem/reverse', '/reward_promotion/refund']) {
        const r = await req('POST', API + path, { body: {} });
        expect(r.status).toBe(404);
        expect(r.body.success).toBe(0);
      }
    });
  });

  describe('history', () => {
    it('lists redemptions newest first with skip and limit; transaction_id is null as documented', async () => {
      for (const p of [10, 11, 12]) expect((await redeem(redeemBody(p))).status).toBe(200);
      const url = (skip: number, limit: number) =>
        `${API}/reward_promotion/user_points_redeem?user_id=${aisha.userId}&currency_id=${S.currencyId}&skip=${skip}&limit=${limit}`;
      const first = await req('GET', url(0, 2));
      expect(first.body.data.user_points_redeem.map((r: Json) => r.points)).toEqual([12, 11]);
      expect(first.body.data.user_points_redeem[0]).toMatchObject({ transaction_id: null, amount: 0.12, description: 'Reward points redeemed as cashback.' });
      expect(typeof first.body.data.user_points_redeem[0].created_date).toBe('number');
      const second = await req('GET', url(2, 2));
      expect(second.body.data.user_points_redeem.map((r: Json) => r.points)).toEqual([10]);
      const bad = await req('GET', url(0, 1000));
      expect(bad.status).toBe(400);
      await ctl('POST', '/forms', { historyOrder: 'oldest-first' });
      expect((await req('GET', url(0, 3))).body.data.user_points_redeem.map((r: Json) => r.points)).toEqual([10, 11, 12]);
    });
  });
});
