/**
 * The Capillary adapter against the real sandbox over loopback (no HTTP
 * mocks): every outcome is checked in the emulator's ledger, so "nothing
 * deducted" and "exactly one redemption" are facts.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PosError, type ErrorCode } from '../../shared/errors.js';
import { parseMemberIdentifier, type MemberIdentifier } from '../../shared/member-number.js';
import { CAPILLARY_DEMO_CUSTOMERS, CAPILLARY_UNKNOWN_MOBILE, capillarySandboxConfig, type CapDemoCustomer } from '../../sandbox/capillary/demo.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { capBool, capInt, capillaryError, capillaryTime, CAPILLARY_CODES, createCapillaryAdapter, readV11, type CapillaryConfig } from './capillary.js';
import type { LoyaltyAdapter, RedeemReceipt, RedeemRequest, ReverseRequest } from './types.js';
import { normalizeValidationCode, supportsValidationCode, type ValidationCodeAdapter } from './validation-code.js';
import { controlFetch } from '../../sandbox/control-client.js';

type Json = Record<string, any>;
const priya = CAPILLARY_DEMO_CUSTOMERS.priya;
const tom = CAPILLARY_DEMO_CUSTOMERS.tom;
const mobile = (c: CapDemoCustomer): MemberIdentifier => ({ kind: 'mobile', value: c.mobile });
let seq = 0;

function redeemRequest(c: CapDemoCustomer, pointsMilli: number, validationCode?: string, identifier: MemberIdentifier = mobile(c)): RedeemRequest {
  const saleId = `sale-${++seq}-${Date.now()}`;
  return {
    reference: saleId,
    saleId,
    member: { identifier, backendMemberId: String(c.id) },
    pointsMilli,
    ...(validationCode !== undefined ? { validationCode } : {}),
    terminalId: 'till-7',
    storeId: 'store-3',
    requestedAt: new Date().toISOString(),
    balanceBeforeMilli: null,
  };
}

function reverseRequest(original: RedeemRequest, receipt: RedeemReceipt, pointsMilli: number, n = 1): ReverseRequest {
  return {
    reference: `${original.reference}.r${n}`,
    saleId: original.saleId,
    member: original.member,
    pointsMilli,
    original: { ...original, receipt },
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

describe('Capillary adapter: the envelope, read in one place', () => {
  const res = (status: number, body: unknown) => ({ status, headers: {}, body, rawText: JSON.stringify(body) });

  it('parses string-valued booleans and codes', () => {
    expect(capBool('true')).toBe(true);
    expect(capBool('false')).toBe(false);
    expect(capBool('maybe')).toBeUndefined();
    expect(capInt('800')).toBe(800);
    expect(capInt(808)).toBe(808);
    expect(capInt('8.5')).toBeUndefined();
  });

  it('turns an item_status refusal inside a 200 into the mapped error; a success into the item', () => {
    const ok = readV11(
      res(200, { response: { status: { success: 'true', code: '200' }, x: { a: '1', item_status: { success: 'true', code: '800' } } } }),
      (r) => r.x,
    );
    expect(ok.refusal).toBeNull();
    expect(ok.item.a).toBe('1');
    const refused = readV11(
      res(200, {
        response: { status: { success: 'false', code: '500' }, x: { item_status: { success: 'false', code: '803', message: 'more than available' } } },
      }),
      (r) => r.x,
    );
    expect(refused.refusal?.code).toBe('INSUFFICIENT_POINTS');
    expect(refused.refusal?.details).toMatchObject({ backendCode: 803, notApplied: true });
    const noItem = readV11(res(400, { response: { status: { success: 'false', code: '400', message: 'Input is invalid' } } }), (r) => r.x);
    expect(noItem.refusal?.code).toBe('BACKEND_REFUSED');
    expect(() => readV11(res(200, { nothing: true }), (r) => r.x)).toThrow(/envelope/);
  });

  it('maps every code Capillary documents, in plain words', () => {
    const expected: Array<[number, ErrorCode]> = [
      [878, 'POINTS_TOO_PRECISE'],
      [801, 'POINTS_INVALID'],
      [803, 'INSUFFICIENT_POINTS'],
      [818, 'INSUFFICIENT_POINTS'],
      [808, 'VALIDATION_CODE_WRONG'],
      [819, 'POINTS_ABOVE_MAX'],
      [821, 'POINTS_BELOW_MIN'],
      [807, 'POINTS_NOT_MULTIPLE'],
      [3802, 'ALREADY_REVERSED'],
      [812, 'ALREADY_REVERSED'],
      [824, 'VALIDATION_CODE_REQUIRED'],
      [816, 'MEMBER_NOT_FOUND'],
      [8015, 'MEMBER_NOT_FOUND'],
      [809, 'MEMBER_BLOCKED'],
    ];
    for (const [code, terminal] of expected) {
      const e = capillaryError(code, 'whatever', 200);
      expect(e.code, String(code)).toBe(terminal);
      expect(e.message, String(code)).not.toMatch(/\d{3}/); // words, not numbers
    }
    for (const m of Object.values(CAPILLARY_CODES)) expect(m.message.length).toBeGreaterThan(20);
    expect(capillaryError(9999, 'Reversal of points is not enabled for this org', 400).code).toBe('REVERSAL_NOT_SUPPORTED');
    const unknown = capillaryError(9999, 'Something odd', 200);
    expect(unknown.code).toBe('BACKEND_REFUSED');
    expect(unknown.message).toContain('Something odd');
    expect(capillaryError(807, 'Make sure that the points you are trying to redeem is a multiple of 10. Check', 200).details).toMatchObject({
      stepMilli: 10000,
    });
    expect(capillaryError(886, 'try later', 200)).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(capillaryError(886, 'try later', 200).details?.notApplied).toBeUndefined();
  });

  it("writes redemption_time as YYYY-MM-DD HH:MM:SS in the organisation's time zone", () => {
    expect(capillaryTime('2025-03-13T18:02:34.123Z')).toBe('2025-03-13 18:02:34');
    expect(capillaryTime('2025-03-13T18:02:34.123Z', 'Asia/Kolkata')).toBe('2025-03-13 23:32:34');
    expect(capillaryTime('2025-03-13T23:30:00Z', 'Europe/Brussels')).toBe('2025-03-14 00:30:00');
    expect(capillaryTime('2025-07-01T00:00:00Z', 'Europe/Brussels')).toBe('2025-07-01 02:00:00'); // summer time
  });
});

describe('Capillary adapter against the sandbox', () => {
  let sb: RunningSandbox;
  let clockOffset = 0;
  let config: CapillaryConfig;
  let adapter: LoyaltyAdapter & ValidationCodeAdapter;

  async function ctl(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await controlFetch(sb, method, path, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  const codeFor = async (c: CapDemoCustomer) => (await ctl('GET', `/capillary/validation-code?customerId=${c.id}`)).code as string;
  const balance = async (c: CapDemoCustomer) => (await ctl('GET', `/capillary/ledger?customerId=${c.id}`)).customers[0].points as string;
  const redemptions = async (c: CapDemoCustomer) => (await ctl('GET', `/capillary/ledger?customerId=${c.id}`)).redemptions as Json[];
  const basicAdapter = () => createCapillaryAdapter({ ...capillarySandboxConfig(sb.url, 'basic'), timeoutMs: 1500 });

  beforeAll(async () => {
    sb = await startSandbox({ now: () => Date.now() + clockOffset });
    config = { ...capillarySandboxConfig(sb.url), timeoutMs: 1500 };
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    clockOffset = 0;
    await ctl('POST', '/reset', {});
    adapter = createCapillaryAdapter(config);
  });

  it('declares its capabilities honestly, and offers the validation-code step', () => {
    expect(adapter.info).toEqual({
      id: 'capillary',
      name: 'Capillary',
      capabilities: {
        redemption: 'points',
        identifiers: ['mobile', 'email', 'card', 'externalId'],
        pointsDecimals: 3,
        validationCode: true,
        reversal: 'partial',
        retrySafety: 'lookup-before-retry',
        balanceAtCounter: true,
      },
    });
    expect(supportsValidationCode(adapter)).toBe(true);
    expect(typeof adapter.reverse).toBe('function');
    const noOtp = basicAdapter();
    expect(noOtp.info.capabilities.validationCode).toBe(false);
    expect(supportsValidationCode(noOtp)).toBe(false);
    const noReversal = createCapillaryAdapter({ ...config, reversalEnabled: false });
    expect(noReversal.info.capabilities.reversal).toBe('none');
    expect(noReversal.reverse).toBeUndefined();
    expect(noReversal.findReversal).toBeUndefined();
  });

  describe('members', () => {
    it('finds a member by mobile, e-mail, card number and external id, with the balance in thousandths', async () => {
      const kinds = adapter.info.capabilities.identifiers;
      for (const raw of [priya.mobile, '+' + priya.mobile, priya.email, priya.cardNumber, priya.externalId]) {
        const parsed = parseMemberIdentifier(raw, kinds);
        expect(parsed.ok, raw).toBe(true);
        if (!parsed.ok) continue;
        const m = await adapter.lookupMember(parsed.identifier);
        expect(m, raw).toMatchObject({ backendMemberId: String(priya.id), firstName: 'Priya', balanceMilli: 2_500_500, messages: [] });
      }
    });

    it('tries a card when a scanned digit string is no mobile number but has a good check digit', async () => {
      const card13 = '6001000000044'; // Luhn-valid, 13 digits: parses as a mobile number first
      await ctl('POST', '/capillary/customers', { cardNumber: card13, points: '7.5' });
      const parsed = parseMemberIdentifier(card13, adapter.info.capabilities.identifiers);
      expect(parsed).toMatchObject({ ok: true, identifier: { kind: 'mobile' } });
      const m = await adapter.lookupMember({ kind: 'mobile', value: card13 });
      expect(m.identifier).toEqual({ kind: 'card', value: card13 });
      expect(m.balanceMilli).toBe(7500);
    });

    it('says plainly when there is no such member', async () => {
      const e = await caught(adapter.lookupMember({ kind: 'mobile', value: CAPILLARY_UNKNOWN_MOBILE }));
      expect(e.code).toBe('MEMBER_NOT_FOUND');
      expect(e.details).toMatchObject({ backendCode: 8015 });
      expect((await caught(adapter.lookupMember({ kind: 'uitpas', value: '0930012345615' }))).code).toBe('INVALID_INPUT');
    });

    it('warns about a member marked as fraud', async () => {
      const m = await adapter.lookupMember({ kind: 'email', value: CAPILLARY_DEMO_CUSTOMERS.felix.email });
      expect(m.messages).toEqual([{ level: 'ERROR', text: expect.stringContaining('fraud') }]);
    });
  });

  describe('terms', () => {
    it("takes the rate from isredeemable's points_currency_ratio and min/max/step from the program settings", async () => {
      const m = await adapter.lookupMember(mobile(priya));
      expect(await adapter.getTerms(m)).toEqual({
        rate: { pointsMilli: 100, cents: 1 },
        currency: 'EUR',
        decimals: 3,
        minPointsMilli: 1000,
        maxPointsMilli: 2_000_000,
        stepMilli: 1,
      });
      const basic = basicAdapter();
      const t = await basic.getTerms(await basic.lookupMember(mobile(priya)));
      expect(t).toMatchObject({ decimals: 0, stepMilli: 10_000, minPointsMilli: 10_000, maxPointsMilli: null, rate: { pointsMilli: 200, cents: 1 } });
    });

    it('still gives the terms for a member who cannot redeem the minimum', async () => {
      const zoe = CAPILLARY_DEMO_CUSTOMERS.zoe;
      const m = await adapter.lookupMember(mobile(zoe));
      expect(m.balanceMilli).toBe(0);
      expect((await adapter.getTerms(m)).rate).toEqual({ pointsMilli: 100, cents: 1 }); // 1 point = 0.10
    });
  });

  describe('validation code and redeem', () => {
    it('sends a code, says a wrong one is wrong, redeems with the right one (three decimals)', async () => {
      const m = await adapter.lookupMember(mobile(priya));
      const sent = await adapter.requestValidationCode(m, 12_345);
      expect(sent).toMatchObject({ pointsMilli: 12_345, channel: null });
      const code = await codeFor(priya);
      expect((await caught(adapter.checkValidationCode(m, 12_345, 'WRONG1'))).code).toBe('VALIDATION_CODE_WRONG');
      await adapter.checkValidationCode(m, 12_345, code.toLowerCase());

      const wrong = await caught(adapter.redeem(redeemRequest(priya, 12_345, 'WRONG1')));
      expect(wrong.code).toBe('VALIDATION_CODE_WRONG');
      expect(wrong.message).toMatch(/wrong or has expired/);
      expect(wrong.details).toMatchObject({ notApplied: true, backendCode: 808 });
      expect(await balance(priya)).toBe('2500.5');

      const req = redeemRequest(priya, 12_345, normalizeValidationCode(` ${code.slice(0, 3)} ${code.slice(3)} `));
      const receipt = await adapter.redeem(req);
      expect(receipt).toMatchObject({
        pointsMilli: 12_345,
        balanceAfterMilli: 2_488_155,
        detail: { transactionNumber: req.reference, redeemedValue: '1.2345' },
      });
      expect(receipt.backendReference).toMatch(/^[A-Za-z0-9]{6}$/);
      const list = await redemptions(priya);
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ transactionNumber: req.reference, points: '12.345', id: receipt.backendReference });
    });

    it('"send again" within the validity gives the member the same code', async () => {
      const m = await adapter.lookupMember(mobile(priya));
      await adapter.requestValidationCode(m, 20_000);
      const first = await codeFor(priya);
      await adapter.requestValidationCode(m, 20_000);
      expect(await codeFor(priya)).toBe(first);
      expect((await ctl('GET', `/capillary/messages?customerId=${priya.id}`)).messages).toHaveLength(2);
    });

    it('an expired code is wrong', async () => {
      const m = await adapter.lookupMember(mobile(priya));
      await adapter.requestValidationCode(m, 20_000);
      const code = await codeFor(priya);
      clockOffset = 16 * 60_000;
      expect((await caught(adapter.redeem(redeemRequest(priya, 20_000, code)))).code).toBe('VALIDATION_CODE_WRONG');
    });

    it('refuses without a code before sending anything, where the program needs one', async () => {
      const e = await caught(adapter.redeem(redeemRequest(priya, 20_000)));
      expect(e.code).toBe('VALIDATION_CODE_REQUIRED');
      expect(e.details?.notApplied).toBe(true);
      // Capillary's own refusal (824), when the terminal was not told the program needs a code:
      const unaware = createCapillaryAdapter({ ...config, validationCode: false });
      expect((await caught(unaware.redeem(redeemRequest(priya, 20_000)))).code).toBe('VALIDATION_CODE_REQUIRED');
    });

    it('maps every refusal of a redemption to the terminal code, in plain words, deducting nothing', async () => {
      const m = await adapter.lookupMember(mobile(priya));
      await adapter.requestValidationCode(m, 500);
      const cases: Array<[LoyaltyAdapter, RedeemRequest, ErrorCode, number]> = [
        [adapter, redeemRequest(priya, 500, await codeFor(priya)), 'POINTS_BELOW_MIN', 821],
        [adapter, redeemRequest(priya, 2_000_001, 'ABCDEF'), 'POINTS_ABOVE_MAX', 819],
        [basicAdapter(), redeemRequest(priya, 15_000), 'POINTS_NOT_MULTIPLE', 807],
        [basicAdapter(), redeemRequest(tom, 50_000), 'INSUFFICIENT_POINTS', 803],
        [basicAdapter(), redeemRequest(CAPILLARY_DEMO_CUSTOMERS.felix, 10_000), 'MEMBER_BLOCKED', 809],
        [basicAdapter(), redeemRequest(priya, 10_000, undefined, { kind: 'mobile', value: CAPILLARY_UNKNOWN_MOBILE }), 'MEMBER_NOT_FOUND', 816],
      ];
      for (const [a, req, code, backendCode] of cases) {
        const e = await caught(a.redeem(req));
        expect(e.code, String(backendCode)).toBe(code);
        expect(e.details, String(backendCode)).toMatchObject({ backendCode, notApplied: true });
        expect(e.message).not.toMatch(/\b8\d\d\b/);
      }
      expect((await caught(basicAdapter().redeem(redeemRequest(priya, 0)))).code).toBe('POINTS_INVALID');
      expect(await balance(priya)).toBe('2500.5');
      expect(await balance(tom)).toBe('42.125');
      expect(await redemptions(priya)).toHaveLength(0);
    });

    it("maps Capillary's 878 and 801 (a figure the terminal itself never sends) through the same table", async () => {
      // The adapter only ever sends thousandths, so these come from the emulator directly through readV11.
      const r = await fetch(`${sb.url}/capillary/v1.1/points/isredeemable?format=json&program_id=973&mobile=${priya.mobile}&points=1.0001`, {
        headers: {
          authorization: `Basic ${Buffer.from(`sandbox.till.01:${createHash('md5').update('sandbox-till-password').digest('hex')}`).toString('base64')}`,
        },
      });
      const body = await r.json();
      const { refusal } = readV11({ status: r.status, headers: {}, body, rawText: '' }, (x: Json) => x.points?.redeemable);
      expect(refusal?.code).toBe('POINTS_TOO_PRECISE');
    });
  });

  describe('a lost answer', () => {
    it('after a redemption whose answer was lost, finds it instead of redeeming twice', async () => {
      const basic = basicAdapter();
      await ctl('POST', '/faults', { backend: 'capillary', method: 'POST', path: '/v1.1/points/redeem', fault: 'reset-after', times: 1 });
      const req = redeemRequest(priya, 100_000);
      const e = await caught(basic.redeem(req));
      expect(e.code).toBe('BACKEND_UNAVAILABLE');
      expect(e.details?.notApplied).toBeUndefined(); // outcome unknown: reconcile first
      expect(await redemptions(priya)).toHaveLength(1);

      const found = await basic.findRedemption(req);
      expect(found).toMatchObject({ pointsMilli: 100_000, detail: { reconciledBy: 'history', transactionNumber: req.reference } });
      expect(found!.backendReference).toBe((await redemptions(priya))[0]!.id);
      // The outbox stops here: no second redemption.
      expect(await redemptions(priya)).toHaveLength(1);
      expect(await balance(priya)).toBe('2400.5');
    });

    it('never says "not applied": Capillary documents no redemption lookup, so absence from the history is OUTCOME_UNKNOWN', async () => {
      const basic = basicAdapter();
      await ctl('POST', '/faults', { backend: 'capillary', method: 'POST', path: '/v1.1/points/redeem', fault: 'reset-before', times: 1 });
      const req = redeemRequest(priya, 100_000);
      await caught(basic.redeem(req));
      expect(await caught(basic.findRedemption(req))).toMatchObject({ code: 'OUTCOME_UNKNOWN', details: { reconciledBy: 'history' } });
      expect(await redemptions(priya)).toHaveLength(0);
    });

    it("codes 828, 1632 and 3316 (no source gives their meaning) after a redemption was sent are 'cannot tell', taken or not; on a read, a refusal", async () => {
      const basic = basicAdapter();
      let taken = 0;
      for (const [code, applied] of [
        [828, true],
        [1632, false],
        [3316, true],
      ] as const) {
        await ctl('POST', '/capillary/unexplained-code', { code, applied });
        const e = await caught(basic.redeem(redeemRequest(priya, 10_000)));
        expect(e.code, String(code)).toBe('OUTCOME_UNKNOWN');
        expect(e.details?.notApplied, String(code)).toBeUndefined(); // never "not applied": a resend could take the points twice
        expect(e.details?.backendCode).toBe(code);
        if (applied) taken++;
        expect(await redemptions(priya)).toHaveLength(taken);
      }
      // An unknown code on a call that moves points is "cannot tell" too; on a read it changed nothing.
      expect(capillaryError(4242, undefined, 200, true)).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
      expect(capillaryError(828, undefined, 200, false)).toMatchObject({ code: 'BACKEND_REFUSED', details: { notApplied: true } });
      expect(capillaryError(4242, undefined, 200, false)).toMatchObject({ code: 'BACKEND_REFUSED', details: { notApplied: true } });
    });

    it('refuses to guess when the history shows the same sale twice', async () => {
      const basic = basicAdapter();
      const req = redeemRequest(priya, 10_000);
      await basic.redeem(req);
      await basic.redeem(req); // Capillary takes the same transaction_number twice
      const e = await caught(basic.findRedemption(req));
      expect(e.code).toBe('OUTCOME_UNKNOWN');
    });

    it('treats a garbled success as unknown, then finds it', async () => {
      const basic = basicAdapter();
      await ctl('POST', '/faults', { backend: 'capillary', path: '/v1.1/points/redeem', fault: 'malformed', times: 1 });
      const req = redeemRequest(priya, 10_000);
      expect((await caught(basic.redeem(req))).code).toBe('BACKEND_BAD_RESPONSE');
      expect(await basic.findRedemption(req)).not.toBeNull();
    });
  });

  describe('reverse', () => {
    async function posted(points: number): Promise<{ req: RedeemRequest; receipt: RedeemReceipt }> {
      const m = await adapter.lookupMember(mobile(priya));
      await adapter.requestValidationCode(m, points);
      const req = redeemRequest(priya, points, await codeFor(priya));
      return { req, receipt: await adapter.redeem(req) };
    }

    it('gives back part of a redemption for a partial refund, then the rest, then says already reversed', async () => {
      const { req, receipt } = await posted(100_500);
      expect(await balance(priya)).toBe('2400');
      const part = await adapter.reverse!(reverseRequest(req, receipt, 40_250, 1));
      expect(part).toMatchObject({ pointsMilli: 40_250 });
      expect(part.backendReference).toMatch(/^rev_/);
      expect(await balance(priya)).toBe('2440.25');
      const tooMuch = await caught(adapter.reverse!(reverseRequest(req, receipt, 70_000, 2)));
      expect(tooMuch.code).toBe('INVALID_INPUT');
      const rest = await adapter.reverse!(reverseRequest(req, receipt, 60_250, 2));
      expect(rest.pointsMilli).toBe(60_250);
      expect(await balance(priya)).toBe('2500.5');
      const again = await caught(adapter.reverse!(reverseRequest(req, receipt, 1_000, 3)));
      expect(again.code).toBe('ALREADY_REVERSED');
      expect(again.details).toMatchObject({ backendCode: 3802, notApplied: true });
    });

    it('finds a reversal whose answer was lost, and not one that never happened', async () => {
      const { req, receipt } = await posted(50_000);
      const rev = reverseRequest(req, receipt, 20_000);
      expect(await adapter.findReversal!(rev)).toBeNull();
      await ctl('POST', '/faults', { backend: 'capillary', path: '/v2/points/reverse', fault: 'reset-after', times: 1 });
      expect((await caught(adapter.reverse!(rev))).code).toBe('BACKEND_UNAVAILABLE');
      const found = await adapter.findReversal!(rev);
      expect(found).toMatchObject({ pointsMilli: 20_000 });
      expect(found!.backendReference).toMatch(/^rev_/);
      expect(await balance(priya)).toBe('2470.5');
    });

    it('ends in REVERSAL_NOT_SUPPORTED, manual action needed, where the program has reversal off', async () => {
      const basic = basicAdapter();
      const req = redeemRequest(priya, 30_000);
      const receipt = await basic.redeem(req);
      const e = await caught(basic.reverse!(reverseRequest(req, receipt, 30_000)));
      expect(e.code).toBe('REVERSAL_NOT_SUPPORTED');
      expect(e.message).toMatch(/manual action needed/);
      expect(e.details).toMatchObject({ manualAction: true, notApplied: true });
      expect(await balance(priya)).toBe('2470.5');
    });
  });

  describe("the document's open questions, against the emulator's default and alternative forms", () => {
    const forms = (f: Json) => ctl('POST', '/capillary/forms', f);
    async function posted(a: LoyaltyAdapter & ValidationCodeAdapter, points: number): Promise<{ req: RedeemRequest; receipt: RedeemReceipt }> {
      const m = await a.lookupMember(mobile(priya));
      await a.requestValidationCode(m, points);
      const req = redeemRequest(priya, points, await codeFor(priya));
      return { req, receipt: await a.redeem(req) };
    }

    it('reads the OAuth answer under either field naming', async () => {
      for (const oauthAnswer of ['data.accessToken', 'access_token']) {
        await forms({ oauthAnswer });
        const oauth = createCapillaryAdapter({ ...capillarySandboxConfig(sb.url, 'main', 'oauth'), timeoutMs: 1500 });
        expect((await oauth.lookupMember(mobile(tom))).balanceMilli, oauthAnswer).toBe(42_125);
      }
    });

    it("sends points_redeemed as the document's Number (accepted where only a Number is), redemption_time in the organisation's zone", async () => {
      await forms({ pointsRedeemed: 'number-only' });
      const kolkata = createCapillaryAdapter({ ...config, timeZone: 'Asia/Kolkata' });
      const m = await kolkata.lookupMember(mobile(priya));
      await kolkata.requestValidationCode(m, 12_500);
      const req = { ...redeemRequest(priya, 12_500, await codeFor(priya)), requestedAt: '2026-01-01T00:00:00.000Z' };
      await kolkata.redeem(req);
      const [r] = await redemptions(priya);
      expect(r).toMatchObject({ points: '12.5', redemptionTime: '2026-01-01 05:30:00' });
      expect(() => createCapillaryAdapter({ ...config, timeZone: 'Mars/Olympus' })).toThrow(/not a time zone/);
    });

    it('"reversal not enabled" under another code is still recognised by its words; without words it fails safe', async () => {
      const basic = basicAdapter();
      const req = redeemRequest(priya, 30_000);
      const receipt = await basic.redeem(req);
      await forms({ reversalNotEnabled: 'code-8017' });
      expect((await caught(basic.reverse!(reverseRequest(req, receipt, 30_000)))).code).toBe('REVERSAL_NOT_SUPPORTED');
      await forms({ reversalNotEnabled: 'no-words' });
      const e = await caught(basic.reverse!(reverseRequest(req, receipt, 30_000, 2)));
      expect(e).toMatchObject({ code: 'BACKEND_REFUSED', details: { notApplied: true, backendCode: 8017 } });
      expect(await balance(priya)).toBe('2470.5'); // nothing given back by a guess
    });

    it('a reversal identifier type the program does not take fails safe: refused, nothing given back, nothing guessed', async () => {
      const { req, receipt } = await posted(adapter, 50_000);
      await forms({ reversalIdType: 'USER_ID' });
      const e = await caught(adapter.reverse!(reverseRequest(req, receipt, 50_000)));
      expect(e.details?.notApplied).toBe(true);
      expect(['BACKEND_REFUSED', 'MEMBER_NOT_FOUND']).toContain(e.code);
      expect(await balance(priya)).toBe('2450.5');
      await forms({ reversalIdType: 'ID' });
      expect((await adapter.reverse!(reverseRequest(req, receipt, 50_000, 2))).pointsMilli).toBe(50_000);
    });
  });

  describe('transport and auth', () => {
    it('works with OAuth, renewing a revoked token once', async () => {
      const oauth = createCapillaryAdapter({ ...capillarySandboxConfig(sb.url, 'main', 'oauth'), timeoutMs: 1500 });
      await oauth.probe();
      await ctl('POST', '/capillary/revoke-tokens');
      const m = await oauth.lookupMember(mobile(tom));
      expect(m.balanceMilli).toBe(42_125);
    });

    it('says the credentials are wrong (BACKEND_AUTH), for Basic and OAuth', async () => {
      const badBasic = createCapillaryAdapter({ ...config, auth: { kind: 'basic', tillId: 'sandbox.till.01', password: 'wrong' } });
      expect((await caught(badBasic.probe())).code).toBe('BACKEND_AUTH');
      const badOauth = createCapillaryAdapter({ ...config, auth: { kind: 'oauth', key: 'cap-sandbox-key', secret: 'wrong' } });
      const e = await caught(badOauth.redeem(redeemRequest(priya, 10_000, 'ABCDEF')));
      expect(e.code).toBe('BACKEND_AUTH');
      expect(e.details?.notApplied).toBe(true);
    });

    it('passes on a rate limit as transient and certainly not applied', async () => {
      await ctl('POST', '/faults', { backend: 'capillary', fault: 'rate-limit', retryAfterSec: 3, times: 1 });
      const e = await caught(adapter.lookupMember(mobile(priya)));
      expect(e.code).toBe('BACKEND_RATE_LIMITED');
      expect(e.details).toMatchObject({ notApplied: true, retryAfterMs: 3000 });
    });
  });
});
