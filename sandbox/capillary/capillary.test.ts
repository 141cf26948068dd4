/**
 * The Capillary emulator over HTTP, as a client sees it: auth, rate limit,
 * the string-valued v1.1 envelope with item codes inside a 200, validation
 * codes and their validity, no deduplication of transaction_number, reversal
 * rules, and the control routes tests rely on.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../server.js';
import { CAPILLARY_DEMO_CUSTOMERS, CAPILLARY_PROGRAMS, CAPILLARY_SANDBOX_CREDENTIALS, CAPILLARY_UNKNOWN_MOBILE } from './demo.js';
import { pointsValue, readDecimal } from './state.js';
import { controlHeaders } from '../control-client.js';

const creds = CAPILLARY_SANDBOX_CREDENTIALS;
const priya = CAPILLARY_DEMO_CUSTOMERS.priya;
const basic = (till: string = creds.tillId, password: string = creds.password) =>
  'Basic ' + Buffer.from(`${till}:${createHash('md5').update(password).digest('hex')}`).toString('base64');

type Json = Record<string, any>;

describe('Capillary emulator', () => {
  let sb: RunningSandbox;
  let clockOffset = 0;
  /** Set: the emulator's clock stands still there (a rate limit that must not refill while the test fills it). */
  let frozenAt: number | null = null;

  async function req(
    method: string,
    path: string,
    opts: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    const headers: Record<string, string> = { authorization: basic(), ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (path.startsWith('/_control')) Object.assign(headers, controlHeaders(sb));
    const res = await fetch(sb.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  }
  const ctl = async (method: string, path: string, body?: unknown) => (await req(method, `/_control/capillary${path}`, { body })).body;
  const redeemBody = (points: unknown, extra: Json = {}) => ({
    root: {
      redeem: [{ points_redeemed: points, transaction_number: 'T-1', customer: { mobile: priya.mobile }, redemption_time: '2025-03-13 18:02:34', ...extra }],
    },
  });
  const balance = async (id: number = priya.id) => (await ctl('GET', `/ledger?customerId=${id}`)).customers[0].points as string;
  const code = async (mobile: string = priya.mobile) => (await ctl('GET', `/validation-code?mobile=${mobile}`)).code as string;

  beforeAll(async () => {
    sb = await startSandbox({ now: () => (frozenAt ?? Date.now()) + clockOffset });
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    clockOffset = 0;
    frozenAt = null;
    await req('POST', '/_control/reset', { body: {} });
  });

  describe('decimals', () => {
    it('reads points exactly and counts decimals', () => {
      expect(readDecimal('12.345')).toEqual({ ok: true, negative: false, milli: 12345, decimals: 3 });
      expect(readDecimal(1.2345)).toMatchObject({ ok: true, decimals: 4 });
      expect(readDecimal('12.50')).toMatchObject({ milli: 12500, decimals: 1 });
      expect(readDecimal('-3')).toMatchObject({ negative: true, milli: 3000 });
      expect(readDecimal('1e3')).toEqual({ ok: false });
      expect(pointsValue(12345, '0.1')).toBe('1.2345');
      expect(pointsValue(2500500, '0.1')).toBe('250.05');
    });
  });

  describe('auth and rate limit', () => {
    it("refuses a call without or with wrong credentials, in each API family's shape", async () => {
      const none = await fetch(`${sb.url}/capillary/v1.1/organization/get?format=json`);
      expect(none.status).toBe(401);
      expect((await none.json()).response.status).toMatchObject({ success: 'false', code: '401' });
      const wrong = await req('GET', `/capillary/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=${priya.mobile}`, {
        headers: { authorization: basic(creds.tillId, 'nope') },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.errors[0]).toMatchObject({ status: false, code: 401 });
    });

    it('accepts an OAuth token from /v3/oauth/token/generate in X-CAP-API-OAUTH-TOKEN, until revoked', async () => {
      const bad = await req('POST', '/capillary/v3/oauth/token/generate', { body: { key: creds.oauthKey, secret: 'x' }, headers: { authorization: '' } });
      expect(bad.status).toBe(401);
      const t = await req('POST', '/capillary/v3/oauth/token/generate', { body: { key: creds.oauthKey, secret: creds.oauthSecret } });
      expect(t.status).toBe(200);
      const token = t.body.data.accessToken as string;
      expect(t.body.data.expiresIn).toBeGreaterThan(0);
      const ok = await fetch(`${sb.url}/capillary/v1.1/organization/get?format=json`, { headers: { 'X-CAP-API-OAUTH-TOKEN': token } });
      expect(ok.status).toBe(200);
      await ctl('POST', '/revoke-tokens');
      const after = await fetch(`${sb.url}/capillary/v1.1/organization/get?format=json`, { headers: { 'X-CAP-API-OAUTH-TOKEN': token } });
      expect(after.status).toBe(401);
    });

    it('expires OAuth tokens', async () => {
      const token = (await req('POST', '/capillary/v3/oauth/token/generate', { body: { key: creds.oauthKey, secret: creds.oauthSecret } })).body.data
        .accessToken;
      clockOffset = 31 * 60_000;
      const r = await fetch(`${sb.url}/capillary/v1.1/organization/get?format=json`, { headers: { 'X-CAP-API-OAUTH-TOKEN': token } });
      expect(r.status).toBe(401);
    });

    it('limits each key to about 1000 requests a minute (429 with Retry-After)', async () => {
      const cap = sb.backends.capillary;
      for (let i = 0; i < 1000; i++) expect(cap.limiter.take('other-key', 1_000_000).ok).toBe(true);
      const r = cap.limiter.take('other-key', 1_000_000);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.retryAfterMs).toBeGreaterThanOrEqual(60);
      // Over HTTP, for our own till, on a clock that stands still (nothing refills while the loop runs on a slow machine):
      frozenAt = Date.now();
      for (let i = 0; i < 1000; i++) cap.limiter.take(creds.tillId, frozenAt + clockOffset);
      const res = await req('GET', '/capillary/v1.1/organization/get?format=json');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    });
  });

  describe('customers', () => {
    it('looks a customer up by mobile, email, externalId and cardnumber; 8015 otherwise', async () => {
      for (const [name, value] of [
        ['mobile', priya.mobile],
        ['email', priya.email.toUpperCase()],
        ['externalId', priya.externalId],
        ['cardnumber', priya.cardNumber],
      ]) {
        const r = await req('GET', `/capillary/v2/customers/lookup?source=INSTORE&identifierName=${name}&identifierValue=${encodeURIComponent(value!)}`);
        expect(r.status, name).toBe(200);
        expect(r.body).toMatchObject({ id: priya.id, profiles: [{ firstName: 'Priya' }] });
      }
      const miss = await req('GET', `/capillary/v2/customers/lookup?source=INSTORE&identifierName=mobile&identifierValue=${CAPILLARY_UNKNOWN_MOBILE}`);
      expect(miss.status).toBe(400);
      expect(miss.body.errors[0].code).toBe(8015);
      const noSource = await req('GET', `/capillary/v2/customers/lookup?identifierName=mobile&identifierValue=${priya.mobile}`);
      expect(noSource.status).toBe(400);
    });

    it('gives totalAvailablePoints per program as JSON numbers', async () => {
      const r = await req('GET', `/capillary/v2/customers/${priya.id}/loyaltyDetails`);
      expect(r.body.loyaltyDetails.find((d: Json) => String(d.programId) === CAPILLARY_PROGRAMS.main.id).totalAvailablePoints).toBe(2500.5);
    });
  });

  describe('isredeemable', () => {
    const isr = (q: string) => req('GET', `/capillary/v1.1/points/isredeemable?format=json&program_id=973&${q}`);

    it('answers in strings, with the ratio and the value of the points', async () => {
      const r = await isr(`mobile=${priya.mobile}&points=12.5`);
      expect(r.status).toBe(200);
      expect(r.body.response.status).toEqual({ success: 'true', code: '200', message: 'SUCCESS' });
      expect(r.body.response.points.redeemable).toMatchObject({
        is_redeemable: 'true',
        points_redeem_value: '1.25',
        points_currency_ratio: '0.1',
        item_status: { success: 'true', code: '800' },
      });
    });

    it('puts each refusal in item_status inside a 200', async () => {
      const cases: Array<[string, string]> = [
        [`mobile=${priya.mobile}&points=0`, '801'],
        [`mobile=${priya.mobile}&points=1.2345`, '878'],
        [`mobile=${priya.mobile}&points=0.5`, '821'],
        [`mobile=${priya.mobile}&points=2000.001`, '819'],
        [`mobile=${CAPILLARY_DEMO_CUSTOMERS.tom.mobile}&points=50`, '818'],
        [`mobile=${CAPILLARY_UNKNOWN_MOBILE}&points=5`, '816'],
        [`mobile=${CAPILLARY_DEMO_CUSTOMERS.felix.mobile}&points=5`, '809'],
      ];
      for (const [q, code] of cases) {
        const r = await isr(q);
        expect(r.status, q).toBe(200);
        expect(r.body.response.points.redeemable.item_status, q).toMatchObject({ success: 'false', code });
        expect(r.body.response.points.redeemable.is_redeemable).toBe('false');
      }
      const steps = await req('GET', `/capillary/v1.1/points/isredeemable?format=json&program_id=974&mobile=${priya.mobile}&points=15`);
      expect(steps.body.response.points.redeemable.item_status).toMatchObject({ code: '807' });
      expect(steps.body.response.points.redeemable.item_status.message).toContain('multiple of 10');
    });

    it('issues a code with issue_otp=true and checks a given validation_code', async () => {
      await isr(`mobile=${priya.mobile}&points=20&issue_otp=true`);
      const c = await code();
      expect(c).toMatch(/^[A-Z0-9]{6}$/);
      expect((await isr(`mobile=${priya.mobile}&points=20&validation_code=WRONG1`)).body.response.points.redeemable.item_status.code).toBe('808');
      expect((await isr(`mobile=${priya.mobile}&points=20&validation_code=${c}`)).body.response.points.redeemable.item_status.code).toBe('800');
    });
  });

  describe('validation codes', () => {
    const ask = (points: string) => req('GET', `/capillary/v1.1/points/validationcode?format=json&mobile=${priya.mobile}&points=${points}`);

    it('sends a code; asking again within its validity sends the same; after it, a new one', async () => {
      const r = await ask('20');
      expect(r.body.response.validation_code.code.item_status).toMatchObject({ success: 'true', code: '200' });
      expect(JSON.stringify(r.body)).not.toContain(await code()); // the code only goes to the member
      const first = await code();
      await ask('20');
      expect(await code()).toBe(first);
      const msgs = (await ctl('GET', `/messages?mobile=${priya.mobile}`)).messages;
      expect(msgs).toHaveLength(2);
      expect(msgs[0]).toMatchObject({ channel: 'SMS', to: priya.mobile });
      clockOffset = 16 * 60_000;
      await ask('20');
      expect(await code()).not.toBe(first);
    });

    it('binds the code to the points: other points get a new code', async () => {
      await ask('20');
      const first = await code();
      await ask('30');
      expect(await code()).not.toBe(first);
    });
  });

  describe('redeem', () => {
    const redeem = (body: unknown, program = '973') => req('POST', `/capillary/v1.1/points/redeem?program_id=${program}&format=json`, { body });

    it('redeems with the right code, answering in strings, and uses the code up', async () => {
      await req('GET', `/capillary/v1.1/points/validationcode?format=json&mobile=${priya.mobile}&points=12.345`);
      const c = await code();
      const r = await redeem(redeemBody('12.345', { validation_code: c }));
      expect(r.status).toBe(200);
      const p = r.body.response.responses.points;
      expect(p).toMatchObject({ points_redeemed: '12.345', redeemed_value: '1.2345', balance: '2488.155', item_status: { success: 'true', code: '800' } });
      expect(p.redemption_id).toMatch(/^[A-Za-z0-9]{6}$/);
      expect(await balance()).toBe('2488.155');
      const again = await redeem(redeemBody('12.345', { validation_code: c }));
      expect(again.body.response.responses.points.item_status.code).toBe('808');
    });

    it('refuses a missing code (824), a wrong code (808), and each rule, inside a 200, deducting nothing', async () => {
      await req('GET', `/capillary/v1.1/points/validationcode?format=json&mobile=${priya.mobile}&points=10`);
      const c = await code();
      const cases: Array<[unknown, string]> = [
        [redeemBody('10'), '824'],
        [redeemBody('10', { validation_code: 'ZZZZZZ' }), '808'],
        [redeemBody('11', { validation_code: c }), '808'],
        [redeemBody('0', { validation_code: c }), '801'],
        [redeemBody('-5', { validation_code: c }), '801'],
        [redeemBody('1.0001', { validation_code: c }), '878'],
        [redeemBody(1.2345, { validation_code: c }), '878'],
        [redeemBody('0.999', { validation_code: c }), '821'],
        [redeemBody('2001', { validation_code: c }), '819'],
        [redeemBody('10', { validation_code: c, redemption_time: '13/03/2025' }), '859'],
        [redeemBody('10', { validation_code: c, customer: { mobile: CAPILLARY_UNKNOWN_MOBILE } }), '816'],
        [redeemBody('10', { validation_code: c, customer: {} }), '802'],
      ];
      for (const [body, code] of cases) {
        const r = await redeem(body);
        expect(r.status).toBe(200);
        expect(r.body.response.status).toMatchObject({ success: 'false' });
        expect(r.body.response.responses.points.item_status, JSON.stringify(body)).toMatchObject({ success: 'false', code });
      }
      expect(await balance()).toBe('2500.5');
    });

    it('refuses more than the balance (803) and a fraud customer (809)', async () => {
      const tom = CAPILLARY_DEMO_CUSTOMERS.tom;
      await req('GET', `/capillary/v1.1/points/validationcode?format=json&mobile=${tom.mobile}&points=50`);
      const r = await redeem(redeemBody('50', { validation_code: await code(tom.mobile), customer: { mobile: tom.mobile } }));
      expect(r.body.response.responses.points.item_status.code).toBe('803');
      const f = await redeem(redeemBody('10', { customer: { email: CAPILLARY_DEMO_CUSTOMERS.felix.email } }), '974');
      expect(f.body.response.responses.points.item_status.code).toBe('809');
    });

    it('does not deduplicate transaction_number: the same number twice deducts twice', async () => {
      const body = redeemBody('10', { customer: { external_id: priya.externalId }, transaction_number: 'SALE-42' });
      expect((await redeem(body, '974')).body.response.responses.points.item_status.code).toBe('800');
      expect((await redeem(body, '974')).body.response.responses.points.item_status.code).toBe('800');
      expect(await balance()).toBe('2480.5');
      const hist = await req('GET', `/capillary/v1.1/customer/redemptions?format=json&type=points&external_id=${priya.externalId}`);
      const list = hist.body.response.customer.redemptions.points.point as Json[];
      expect(list.filter((r) => r.transaction_number === 'SALE-42')).toHaveLength(2);
    });

    it('refuses a body that is not the root.redeem envelope with a 400', async () => {
      const r = await redeem({ points_redeemed: 10 });
      expect(r.status).toBe(400);
      expect(r.body.response.status).toMatchObject({ success: 'false', code: '400' });
    });
  });

  describe('reverse', () => {
    async function redeemed(program = '974', points = '100'): Promise<string> {
      const r = await req('POST', `/capillary/v1.1/points/redeem?program_id=${program}&format=json`, {
        body: redeemBody(points, { transaction_number: `S-${program}-${points}` }),
      });
      return r.body.response.responses.points.redemption_id;
    }
    const reverse = (body: unknown) => req('POST', '/capillary/v2/points/reverse', { body });

    it('reverses in parts, refuses more than is left (810), then says already reversed (3802)', async () => {
      await ctl('POST', '/programs/974', { reversalEnabled: true });
      const id = await redeemed();
      const part = await reverse({ redemptionId: id, pointsToBeReversed: 30.5, identifier: { type: 'ID', value: String(priya.id) } });
      expect(part.status).toBe(200);
      expect(part.body).toMatchObject({ redemptionId: id, pointsReversed: 30.5, customerId: priya.id });
      expect(await balance()).toBe('2431');
      const tooMuch = await reverse({ redemptionId: id, pointsToBeReversed: 70, identifier: { type: 'MOBILE', value: priya.mobile } });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors[0].code).toBe(810);
      const rest = await reverse({ redemptionId: id, identifier: { type: 'EMAIL', value: priya.email } });
      expect(rest.body.pointsReversed).toBe(69.5);
      expect(await balance()).toBe('2500.5');
      const again = await reverse({ redemptionId: id, identifier: { type: 'ID', value: String(priya.id) } });
      expect(again.status).toBe(400);
      expect(again.body.errors[0].code).toBe(3802);
    });

    it('refuses where the program has reversal switched off, and unknown redemptions', async () => {
      const id = await redeemed();
      const off = await reverse({ redemptionId: id, identifier: { type: 'ID', value: String(priya.id) } });
      expect(off.status).toBe(400);
      expect(off.body.errors[0]).toMatchObject({ code: 3801 });
      expect(off.body.errors[0].message).toMatch(/not enabled/);
      const unknown = await reverse({ redemptionId: 'nope12', identifier: { type: 'ID', value: String(priya.id) } });
      expect(unknown.body.errors[0].code).toBe(902);
      const otherCustomer = await reverse({ redemptionId: id, identifier: { type: 'ID', value: String(CAPILLARY_DEMO_CUSTOMERS.tom.id) } });
      expect(otherCustomer.body.errors[0].code).toBe(902);
    });
  });

  describe('control', () => {
    it('adds customers and changes program settings', async () => {
      const c = await req('POST', '/_control/capillary/customers', { body: { mobile: '+3247000111', points: '10.5' } });
      expect(c.status).toBe(201);
      expect(c.body.points).toBe('10.5');
      const dup = await req('POST', '/_control/capillary/customers', { body: { mobile: '3247000111', points: '1' } });
      expect(dup.status).toBe(409);
      const p = await ctl('POST', '/programs/973', { otpRequired: false, maxPoints: null });
      expect(p).toMatchObject({ otpRequired: false, maxPoints: null });
      expect((await req('POST', '/_control/capillary/programs/999', { body: {} })).status).toBe(404);
    });

    it('answers injected faults in its own error shape', async () => {
      await req('POST', '/_control/faults', { body: { backend: 'capillary', fault: 'status', status: 503, times: 1 } });
      const r = await req('GET', '/capillary/v1.1/organization/get?format=json');
      expect(r.status).toBe(503);
      expect(r.body.errors[0].code).toBe(503);
    });
  });
});
