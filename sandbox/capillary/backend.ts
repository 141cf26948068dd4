/**
 * Capillary emulator (v1.1 API), mounted at /capillary.
 *
 *   POST /capillary/v3/oauth/token/generate          {key, secret} -> {data: {accessToken, expiresIn}, errors: [], warnings: []}
 *   GET  /capillary/v1.1/organization/get?format=json -> the organisation (a cheap authenticated read)
 *   GET  /capillary/v2/customers/lookup?source=INSTORE&identifierName=mobile|email|externalId|cardnumber&identifierValue=
 *                                                     -> {id, profiles: [{firstName, lastName, identifiers}], ...}
 *   GET  /capillary/v2/customers/{id}/loyaltyDetails   -> {loyaltyDetails: [{programId, totalAvailablePoints, ...}]}
 *   GET  /capillary/v1.1/points/isredeemable?<identifier>=&points=&program_id=&issue_otp=&validation_code=&format=json
 *   GET  /capillary/v1.1/points/validationcode?<identifier>=&points=&program_id=&format=json
 *   POST /capillary/v1.1/points/redeem?program_id=&format=json   {"root": {"redeem": [{...}]}}
 *   GET  /capillary/v1.1/customer/redemptions?<identifier>=&type=points&format=json   (history, for reconciliation)
 *   POST /capillary/v2/points/reverse   {redemptionId, pointsToBeReversed?, identifier: {type, value}}
 *
 * <identifier> is one of mobile, email, external_id, card_number (and user_id
 * for validationcode). Auth on every call but the token one: Basic
 * base64(tillId:md5(password)) or an OAuth token in X-CAP-API-OAUTH-TOKEN;
 * 401 otherwise. Rate limit: about 1000 requests a minute per key (the till
 * or the OAuth key), 429 past it.
 *
 * The v1.1 envelope is Capillary's: every value a string ("success": "true",
 * "code": "800"), and a refused item comes back inside an HTTP 200 with its
 * own item_status code (801, 803, 807, 808, 816, 818, 819, 821, 824, 859,
 * 878...). The v2 APIs answer JSON numbers, and errors as HTTP 4xx with
 * {errors: [{status: false, code, message}], warnings: []}.
 *
 * Choices the documentation leaves open (see the report in
 * ../../adapters/capillary.ts): the OAuth answer's field names, the history
 * endpoint's shape, the reverse error codes other than 3802, and v2 error
 * HTTP statuses.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { json } from '../http-util.js';
import { RateLimiter, type RateLimitOptions } from '../rate-limit.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { handleCapillaryControl } from './control.js';
import { CAPILLARY_SANDBOX_CREDENTIALS } from './demo.js';
import { CapillaryState, milliToDecimal, pointsValue, readDecimal, type CapCustomer, type CapIdentifierName, type CapProgram } from './state.js';

export interface CapillaryBackendOptions {
  tills?: ReadonlyArray<{ tillId: string; password: string }>;
  oauthClients?: ReadonlyArray<{ key: string; secret: string }>;
  rateLimit?: RateLimitOptions;
  tokenTtlSec?: number;
}

/** About 1000 requests a minute per key (test clusters). */
export const CAP_DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 1000 / 60, burst: 1000 };

/** Item and error codes the emulator answers with (Capillary's published codes, plus two of its own: see below). */
export const CAP_CODES = {
  ok: 800,
  invalidPoints: 801,
  invalidIdentifier: 802,
  notEnoughPoints: 803,
  notMultiple: 807,
  wrongCode: 808,
  fraud: 809,
  reversalMismatch: 810,
  customerNotFound: 816,
  notEnoughCurrent: 818,
  aboveMax: 819,
  belowMin: 821,
  codeRequired: 824,
  badRedemptionTime: 859,
  otpNotIssued: 860,
  redeemableButOtpFailed: 876,
  tooManyDecimals: 878,
  programNotConfigured: 895,
  invalidReversePoints: 901,
  redemptionNotFound: 902,
  /** Emulator's choice: Capillary documents "reversal must be enabled" without publishing the refusal's code. */
  reversalNotEnabled: 3801,
  alreadyReversed: 3802,
  lookupNotFound: 8015,
  /** Emulator's choice for a bad identifierName / source on lookup. */
  lookupBadInput: 8003,
} as const;

const REDEMPTION_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function sameText(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const str = (n: number) => String(n);

// ------------------------------------------------------------------ envelopes

type V11Status = { success: 'true' | 'false'; code: string; message: string };

function status11(ok: boolean, code: number, message: string): V11Status {
  return { success: ok ? 'true' : 'false', code: str(code), message };
}

/** A v1.1 answer: {response: {status, ...rest}}; HTTP 200 unless told. */
function v11(httpStatus: number, st: V11Status, rest: Record<string, unknown> = {}, headers: Record<string, string> = {}): SandboxResponse {
  return json(httpStatus, { response: { status: st, ...rest } }, headers);
}

function itemStatus(code: number, message: string): { success: 'true' | 'false'; code: string; message: string } {
  return { success: code === CAP_CODES.ok || code === 200 ? 'true' : 'false', code: str(code), message };
}

/** A v2/v3 error: HTTP 4xx with {errors: [...], warnings: []}. */
function v2Error(httpStatus: number, code: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
  return json(httpStatus, { errors: [{ status: false, code, message }], warnings: [] }, headers);
}

const ITEM_MESSAGES: Record<number, string> = {
  800: 'Points Redeemed',
  801: 'Points you are trying to redeem are invalid',
  802: 'Mobile number/email id/external id you have entered is invalid',
  803: 'Unable to redeem. The points you are trying to redeem is more than the available points',
  807: 'Unable to redeem. Make sure that the points you are trying to redeem is a multiple of {x}. Check the points redemption configuration of your organization.',
  808: 'Unable to redeem. Validation code is invalid',
  809: 'Unable to process. Customer is marked as fraud',
  816: 'Unable to find customer in this organization',
  818: 'Current points are less than points requested for redemption.',
  819: 'Points you are trying to redeem are more than the maximum allowed redemption limit.',
  821: 'Points you are trying to redeem are less than the minimum redemption limit',
  824: 'Mobile number validation is mandatory for redeeming points',
  859: 'The redemption time you have passed is invalid',
  860: 'Unable to issue OTP',
  876: 'Points Redeemable but OTP Generation failed',
  878: 'Points can have at most 3 decimal places',
  895: 'Loyalty program is not configured for your organization',
};

/** The key under which v1.1 echoes the customer's identifier. */
const V11_IDENTIFIERS: ReadonlyArray<[string, CapIdentifierName]> = [
  ['mobile', 'mobile'],
  ['email', 'email'],
  ['external_id', 'externalId'],
  ['card_number', 'cardNumber'],
];

/**
 * The emulator's answers where Capillary's document is silent or loose, each
 * switchable to a plausible alternative (POST /_control/capillary/forms; the
 * README lists them): the OAuth answer's field names, the reverse API's
 * "not enabled" code and the identifier type it takes, whether
 * points_redeemed must be a JSON number as documented.
 */
export interface CapForms {
  /** 'data.accessToken': {data: {accessToken, expiresIn}} (default); 'access_token': {access_token, expires_in} at the top. */
  oauthAnswer: 'data.accessToken' | 'access_token';
  /** The code of "reversal not enabled": 3801 (default) or another number, words unchanged; 'no-words' also drops the words. */
  reversalNotEnabled: 'code-3801' | 'code-8017' | 'no-words';
  /** identifier.type the reverse API takes for Capillary's customer id: 'ID' (default) or only 'USER_ID'. */
  reversalIdType: 'ID' | 'USER_ID';
  /** points_redeemed: a string or a number accepted (default), or only the documented Number. */
  pointsRedeemed: 'lenient' | 'number-only';
}

/** Codes Capillary's document lists without saying what they mean (no source here gives it). */
export const CAP_UNEXPLAINED_CODES: readonly number[] = [828, 1632, 3316];

export const DEFAULT_CAP_FORMS: Readonly<CapForms> = {
  oauthAnswer: 'data.accessToken',
  reversalNotEnabled: 'code-3801',
  reversalIdType: 'ID',
  pointsRedeemed: 'lenient',
};

export class CapillaryBackend implements SandboxBackend {
  readonly id = 'capillary';
  readonly prefix = '/capillary';
  readonly state: CapillaryState;
  readonly limiter: RateLimiter;
  private readonly tills: ReadonlyArray<{ tillId: string; password: string }>;
  private readonly oauthClients: ReadonlyArray<{ key: string; secret: string }>;
  private readonly tokenTtlSec: number;
  forms: CapForms = { ...DEFAULT_CAP_FORMS };
  /**
   * The next redemption answers this item code (828, 1632, 3316: codes Capillary's
   * document lists without a meaning), after taking the points when `applied`.
   * Set with POST /_control/capillary/unexplained-code; used once.
   */
  nextUnexplainedCode: { code: number; applied: boolean } | null = null;

  constructor(now: () => number, opts: CapillaryBackendOptions = {}) {
    const c = CAPILLARY_SANDBOX_CREDENTIALS;
    this.state = new CapillaryState(now);
    this.limiter = new RateLimiter(opts.rateLimit ?? CAP_DEFAULT_RATE_LIMIT);
    this.tills = opts.tills ?? [{ tillId: c.tillId, password: c.password }];
    this.oauthClients = opts.oauthClients ?? [{ key: c.oauthKey, secret: c.oauthSecret }];
    this.tokenTtlSec = opts.tokenTtlSec ?? 1800;
  }

  reset(seedDemo: boolean): void {
    this.state.reset(seedDemo);
    this.limiter.reset();
    this.forms = { ...DEFAULT_CAP_FORMS };
    this.nextUnexplainedCode = null;
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    return v2Error(status, status, message, headers);
  }

  control(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
    return Promise.resolve(handleCapillaryControl(this, req, ctx));
  }

  async handle(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse> {
    const v11Path = req.path.startsWith('/v1.1/');
    if (req.path === '/v3/oauth/token/generate') {
      if (req.method !== 'POST') return v2Error(405, 405, 'Method not allowed');
      return this.tokenGenerate(req);
    }
    if (!v11Path && !req.path.startsWith('/v2/')) return v2Error(404, 404, `No route ${req.method} ${req.path}`);

    // Authentication, then the per-key rate limit.
    const auth = this.authenticate(req);
    if ('error' in auth) return v11Path ? v11(401, status11(false, 401, auth.error)) : v2Error(401, 401, auth.error);
    const taken = this.limiter.take(auth.key, ctx.now());
    if (!taken.ok) {
      const h = { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) };
      return v11Path ? v11(429, status11(false, 429, 'Rate limit exceeded'), {}, h) : v2Error(429, 429, 'Rate limit exceeded', h);
    }

    if (v11Path) {
      if (req.query.has('format') && req.query.get('format')!.toLowerCase() !== 'json') {
        return v11(400, status11(false, 400, 'The sandbox answers format=json only'));
      }
      const route = `${req.method} ${req.path}`;
      switch (route) {
        case 'GET /v1.1/organization/get':
          return v11(200, status11(true, 200, 'SUCCESS'), {
            organization: { id: '50123', name: 'Sandbox Retail', base_currency: CAPILLARY_SANDBOX_CREDENTIALS.currency },
          });
        case 'GET /v1.1/points/isredeemable':
          return this.isRedeemable(req);
        case 'GET /v1.1/points/validationcode':
          return this.validationCode(req);
        case 'POST /v1.1/points/redeem':
          return this.redeem(req);
        case 'GET /v1.1/customer/redemptions':
          return this.history(req);
      }
      return v11(404, status11(false, 404, `No route ${req.method} ${req.path}`));
    }

    if (req.path === '/v2/customers/lookup') {
      if (req.method !== 'GET') return v2Error(405, 405, 'Method not allowed');
      return this.lookup(req);
    }
    const loyalty = /^\/v2\/customers\/([^/]+)\/loyaltyDetails$/.exec(req.path);
    if (loyalty) {
      if (req.method !== 'GET') return v2Error(405, 405, 'Method not allowed');
      return this.loyaltyDetails(decodeURIComponent(loyalty[1]!));
    }
    if (req.path === '/v2/points/reverse') {
      if (req.method !== 'POST') return v2Error(405, 405, 'Method not allowed');
      return this.reverse(req);
    }
    return v2Error(404, 404, `No route ${req.method} ${req.path}`);
  }

  // ---------------------------------------------------------------- auth

  private tokenGenerate(req: SandboxRequest): SandboxResponse {
    const b = req.body as { key?: unknown; secret?: unknown } | undefined;
    if (req.bodyError || typeof b !== 'object' || b === null || typeof b.key !== 'string' || typeof b.secret !== 'string') {
      return v2Error(400, 400, 'key and secret are required');
    }
    const key = b.key;
    const secret = b.secret;
    const ok = this.oauthClients.some((c) => c.key === key && sameText(c.secret, secret));
    if (!ok) return v2Error(401, 401, 'Invalid key or secret');
    const token = this.state.issueToken(key, this.tokenTtlSec);
    if (this.forms.oauthAnswer === 'access_token') return json(200, { access_token: token, expires_in: this.tokenTtlSec, token_type: 'Bearer' });
    return json(200, { data: { accessToken: token, expiresIn: this.tokenTtlSec }, errors: [], warnings: [] });
  }

  private authenticate(req: SandboxRequest): { key: string } | { error: string } {
    const token = header(req, 'x-cap-api-oauth-token');
    if (token !== undefined) {
      const key = this.state.tokenKey(token.trim());
      return key ? { key } : { error: 'Invalid or expired OAuth token' };
    }
    const authz = header(req, 'authorization');
    if (!authz) return { error: 'Authentication required' };
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authz.trim());
    if (!m) return { error: 'Unsupported authorization' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    if (sep <= 0) return { error: 'Invalid credentials' };
    const tillId = decoded.slice(0, sep);
    const hash = decoded.slice(sep + 1).toLowerCase();
    const till = this.tills.find((t) => t.tillId === tillId);
    if (!till || !sameText(md5(till.password), hash)) return { error: 'Invalid till credentials' };
    return { key: tillId };
  }

  // ---------------------------------------------------------------- helpers

  private programFor(req: SandboxRequest): CapProgram | undefined {
    const id = req.query.get('program_id');
    if (id === null || id === '') return this.state.defaultProgram();
    return this.state.program(id);
  }

  /** The v1.1 identifier given in the query (or a redeem item's customer object). */
  private identifierFrom(
    get: (k: string) => unknown,
    extra: ReadonlyArray<[string, CapIdentifierName]> = [],
  ): { key: string; name: CapIdentifierName; value: string } | null {
    for (const [key, name] of [...V11_IDENTIFIERS, ...extra]) {
      const v = get(key);
      if (typeof v === 'string' && v.trim() !== '') return { key, name, value: v.trim() };
    }
    return null;
  }

  /** Checks a points figure against the program: the first failing rule's item code, or null. */
  private pointsRule(raw: unknown): { code: number } | { milli: number } {
    const p = readDecimal(raw);
    if (!p.ok) return { code: CAP_CODES.invalidPoints };
    if (p.decimals > 3) return { code: CAP_CODES.tooManyDecimals };
    if (p.negative || p.milli <= 0) return { code: CAP_CODES.invalidPoints };
    return { milli: p.milli };
  }

  private programRule(milli: number, program: CapProgram): { code: number; message?: string } | null {
    if (milli < program.minPointsMilli) return { code: CAP_CODES.belowMin };
    if (program.maxPointsMilli !== null && milli > program.maxPointsMilli) return { code: CAP_CODES.aboveMax };
    if (milli % program.multipleOfMilli !== 0) {
      return { code: CAP_CODES.notMultiple, message: ITEM_MESSAGES[807]!.replace('{x}', milliToDecimal(program.multipleOfMilli)) };
    }
    return null;
  }

  // ---------------------------------------------------------------- v2: customers

  private lookup(req: SandboxRequest): SandboxResponse {
    const source = req.query.get('source');
    if (!source) return v2Error(400, CAP_CODES.lookupBadInput, 'source is required (e.g. INSTORE)');
    const name = (req.query.get('identifierName') ?? '').toLowerCase();
    const value = req.query.get('identifierValue') ?? '';
    const map: Record<string, CapIdentifierName> = { mobile: 'mobile', email: 'email', externalid: 'externalId', cardnumber: 'cardNumber', id: 'id' };
    const kind = map[name];
    if (!kind || value.trim() === '')
      return v2Error(400, CAP_CODES.lookupBadInput, 'identifierName must be mobile, email, externalId or cardnumber, with an identifierValue');
    const c = this.state.find(kind, value);
    if (!c) return v2Error(400, CAP_CODES.lookupNotFound, 'Customer not found for given identifiers');
    return json(200, this.customerView(c, source));
  }

  private customerView(c: CapCustomer, source: string): Record<string, unknown> {
    const identifiers: Array<{ type: string; value: string }> = [];
    if (c.mobile) identifiers.push({ type: 'mobile', value: c.mobile });
    if (c.email) identifiers.push({ type: 'email', value: c.email });
    if (c.externalId) identifiers.push({ type: 'externalId', value: c.externalId });
    if (c.cardNumber) identifiers.push({ type: 'cardnumber', value: c.cardNumber });
    return {
      id: c.id,
      profiles: [{ firstName: c.firstName, lastName: c.lastName, identifiers, source, accountId: '' }],
      loyaltyInfo: { loyaltyType: 'loyalty' },
      fraudDetails: { status: c.fraud ? 'CONFIRMED' : 'NONE' },
      createdDate: c.createdAt,
      warnings: [],
    };
  }

  private loyaltyDetails(idText: string): SandboxResponse {
    const c = /^\d+$/.test(idText) ? this.state.customer(Number(idText)) : undefined;
    if (!c) return v2Error(400, CAP_CODES.lookupNotFound, 'Customer not found for given identifiers');
    // Points are kept per organisation in this emulator: every program shows the same balance.
    const points = Number(milliToDecimal(c.pointsMilli));
    return json(200, {
      customerId: c.id,
      loyaltyDetails: this.state.listPrograms().map((p) => ({
        programId: Number(p.id),
        programName: p.name,
        loyaltyPoints: points,
        totalAvailablePoints: points,
        currentSlab: 'Silver',
      })),
      warnings: [],
    });
  }

  // ---------------------------------------------------------------- v1.1: points

  private isRedeemable(req: SandboxRequest): SandboxResponse {
    const program = this.programFor(req);
    const ident = this.identifierFrom((k) => req.query.get(k));
    if (!ident || !req.query.has('points')) return v11(400, status11(false, 400, 'Input is invalid. Please check request parameters'));
    const pointsRaw = req.query.get('points')!;
    const answer = (code: number, extra: { message?: string; milli?: number } = {}) => {
      const ok = code === CAP_CODES.ok;
      const milli = extra.milli ?? 0;
      const redeemable: Record<string, unknown> = {
        [ident.key]: ident.value,
        points: pointsRaw,
        is_redeemable: ok ? 'true' : 'false',
        points_redeem_value: program ? pointsValue(milli, program.pointsCurrencyRatio) : '0',
        points_currency_ratio: program?.pointsCurrencyRatio ?? '0',
        item_status: itemStatus(code, extra.message ?? (ok ? 'Points can be redeemed' : (ITEM_MESSAGES[code] ?? 'Unable to redeem'))),
      };
      return v11(200, ok ? status11(true, 200, 'SUCCESS') : status11(false, 500, 'All requests have failed due to errors'), { points: { redeemable } });
    };
    if (!program) return answer(CAP_CODES.programNotConfigured);
    const c = this.state.find(ident.name, ident.value);
    if (!c) return answer(CAP_CODES.customerNotFound);
    const p = this.pointsRule(pointsRaw);
    if ('code' in p) return answer(p.code);
    if (c.fraud) return answer(CAP_CODES.fraud, { milli: p.milli });
    const rule = this.programRule(p.milli, program);
    if (rule) return answer(rule.code, { milli: p.milli, message: rule.message });
    if (p.milli > c.pointsMilli) return answer(CAP_CODES.notEnoughCurrent, { milli: p.milli });
    const given = req.query.get('validation_code');
    if (program.otpRequired && given && !/^(true|false|null)$/i.test(given)) {
      if (this.state.checkCode(c.id, program.id, p.milli, given) !== 'ok') return answer(CAP_CODES.wrongCode, { milli: p.milli });
    }
    if (req.query.get('issue_otp') === 'true' && program.otpRequired) {
      if (!this.canReach(c, program)) return answer(CAP_CODES.redeemableButOtpFailed, { milli: p.milli });
      this.state.issueCode(c.id, program, p.milli);
    }
    return answer(CAP_CODES.ok, { milli: p.milli });
  }

  private canReach(c: CapCustomer, program: CapProgram): boolean {
    if (program.otpChannel === 'SMS') return c.mobile !== null;
    if (program.otpChannel === 'EMAIL') return c.email !== null;
    return c.mobile !== null || c.email !== null;
  }

  private validationCode(req: SandboxRequest): SandboxResponse {
    const program = this.programFor(req);
    const ident = this.identifierFrom((k) => req.query.get(k), [['user_id', 'id']]);
    if (!ident || !req.query.has('points')) return v11(400, status11(false, 400, 'Input is invalid. Please check request parameters'));
    const answer = (code: number, c?: CapCustomer) => {
      const ok = code === 200;
      const body: Record<string, unknown> = {
        user_id: c ? str(c.id) : '',
        mobile: c?.mobile ?? '',
        email: c?.email ?? '',
        points: req.query.get('points')!,
        item_status: itemStatus(code, ok ? 'Validation Code Issued by SMS/Email' : (ITEM_MESSAGES[code] ?? 'Unable to issue OTP')),
      };
      return v11(200, ok ? status11(true, 200, 'Operation Successful') : status11(false, 500, 'All requests have failed due to errors'), {
        validation_code: { code: body },
      });
    };
    if (!program) return answer(CAP_CODES.programNotConfigured);
    const c = this.state.find(ident.name, ident.value);
    if (!c) return answer(CAP_CODES.customerNotFound);
    const p = this.pointsRule(req.query.get('points'));
    if ('code' in p) return answer(p.code, c);
    if (!this.canReach(c, program)) return answer(CAP_CODES.otpNotIssued, c);
    this.state.issueCode(c.id, program, p.milli);
    return answer(200, c);
  }

  private redeem(req: SandboxRequest): SandboxResponse {
    const program = this.programFor(req);
    const root = (req.body as { root?: { redeem?: unknown } } | undefined)?.root;
    const items = root?.redeem;
    if (req.bodyError || !Array.isArray(items) || items.length !== 1 || typeof items[0] !== 'object' || items[0] === null) {
      return v11(400, status11(false, 400, 'Input is invalid. Please check request parameters or input xml/json'));
    }
    const item = items[0] as Record<string, unknown>;
    const customerObj = (typeof item.customer === 'object' && item.customer !== null ? item.customer : {}) as Record<string, unknown>;
    const ident = this.identifierFrom((k) => customerObj[k]);
    const txn = typeof item.transaction_number === 'string' ? item.transaction_number : '';

    const fail = (code: number, c?: CapCustomer, message?: string) =>
      v11(200, status11(false, 500, 'All requests have failed due to errors'), {
        responses: {
          points: {
            mobile: c?.mobile ?? (ident?.key === 'mobile' ? ident.value : ''),
            email: c?.email ?? '',
            external_id: c?.externalId ?? '',
            points_redeemed: typeof item.points_redeemed === 'string' ? item.points_redeemed : String(item.points_redeemed ?? ''),
            transaction_number: txn,
            item_status: itemStatus(code, message ?? ITEM_MESSAGES[code] ?? 'Points redemption failed.'),
          },
        },
      });

    if (!program) return fail(CAP_CODES.programNotConfigured);
    if (!ident) return fail(CAP_CODES.invalidIdentifier);
    const c = this.state.find(ident.name, ident.value);
    if (!c) return fail(CAP_CODES.customerNotFound);
    if (this.forms.pointsRedeemed === 'number-only' && typeof item.points_redeemed !== 'number') return fail(CAP_CODES.invalidPoints, c);
    const p = this.pointsRule(item.points_redeemed);
    if ('code' in p) return fail(p.code, c);
    if (
      item.redemption_time !== undefined &&
      item.redemption_time !== '' &&
      (typeof item.redemption_time !== 'string' || !REDEMPTION_TIME.test(item.redemption_time))
    ) {
      return fail(CAP_CODES.badRedemptionTime, c);
    }
    if (c.fraud) return fail(CAP_CODES.fraud, c);
    const rule = this.programRule(p.milli, program);
    if (rule) return fail(rule.code, c, rule.message);
    const code = typeof item.validation_code === 'string' ? item.validation_code.trim() : '';
    if (program.otpRequired) {
      if (code === '') return fail(CAP_CODES.codeRequired, c);
      if (this.state.checkCode(c.id, program.id, p.milli, code) !== 'ok') return fail(CAP_CODES.wrongCode, c);
    }
    if (p.milli > c.pointsMilli) return fail(CAP_CODES.notEnoughPoints, c);

    // No deduplication on transaction_number: the same number twice deducts twice, as documented.
    const take = () =>
      this.state.redeem({
        customerId: c.id,
        program,
        pointsMilli: p.milli,
        transactionNumber: txn,
        redemptionTime: typeof item.redemption_time === 'string' ? item.redemption_time : '',
        validationCode: code || null,
        notes: typeof item.notes === 'string' ? item.notes.slice(0, 250) : null,
      });
    const odd = this.nextUnexplainedCode;
    if (odd) {
      // A code without a documented meaning: whether the points went is exactly what the terminal cannot know.
      this.nextUnexplainedCode = null;
      if (odd.applied) take();
      return fail(odd.code, c, 'Points redemption failed.');
    }
    const { redemption: r, balanceMilli } = take();
    if (program.otpRequired) this.state.consumeCode(c.id, program.id);
    return v11(200, status11(true, 200, 'Success'), {
      responses: {
        points: {
          mobile: c.mobile ?? '',
          email: c.email ?? '',
          external_id: c.externalId ?? '',
          user_id: str(c.id),
          redemption_id: r.id,
          points_redeemed: milliToDecimal(r.pointsMilli),
          redeemed_value: r.value,
          redeemed_local_value: r.value,
          balance: milliToDecimal(balanceMilli),
          side_effects: {
            effect: [
              {
                id: str(r.summaryId),
                case_value: 'true',
                num_points: milliToDecimal(r.pointsMilli),
                currency_value: r.value,
                validation_code: r.validationCode ?? '',
                points_redemption_summary_id: str(r.summaryId),
                redeemed_on_bill_number: r.transactionNumber,
                redeemed_on_bill_id: '-1',
                type: 'points',
              },
            ],
          },
          item_status: itemStatus(CAP_CODES.ok, ITEM_MESSAGES[800]!),
        },
      },
    });
  }

  private history(req: SandboxRequest): SandboxResponse {
    const ident = this.identifierFrom((k) => req.query.get(k), [['user_id', 'id']]);
    if (!ident) return v11(400, status11(false, 400, 'Input is invalid. Please check request parameters'));
    const type = (req.query.get('type') ?? 'points').toLowerCase();
    const c = this.state.find(ident.name, ident.value);
    if (!c) {
      return v11(200, status11(false, 500, 'All requests have failed due to errors'), {
        customer: { [ident.key]: ident.value, item_status: itemStatus(CAP_CODES.customerNotFound, ITEM_MESSAGES[816]!) },
      });
    }
    const limit = Math.min(Math.max(Number(req.query.get('limit') ?? '100') || 100, 1), 500);
    const list = type === 'points' ? this.state.redemptionsOf(c.id).reverse().slice(0, limit) : [];
    return v11(200, status11(true, 200, 'SUCCESS'), {
      customer: {
        user_id: str(c.id),
        mobile: c.mobile ?? '',
        email: c.email ?? '',
        external_id: c.externalId ?? '',
        redemptions: {
          points: {
            point: list.map((r) => ({
              id: r.id,
              program_id: r.programId,
              points_redeemed: milliToDecimal(r.pointsMilli),
              redeemed_value: r.value,
              transaction_number: r.transactionNumber,
              bill_number: r.transactionNumber,
              redeemed_time: r.redemptionTime || r.createdAt.replace('T', ' ').slice(0, 19),
              created_on: r.createdAt,
              points_reversed: milliToDecimal(r.reversedMilli),
              reversals: {
                reversal: r.reversals.map((v) => ({ reversal_id: v.reversalId, points_reversed: milliToDecimal(v.pointsMilli), reversed_on: v.createdAt })),
              },
            })),
          },
        },
        item_status: itemStatus(200, 'Redemptions retrieved'),
      },
    });
  }

  // ---------------------------------------------------------------- v2: reverse

  private reverse(req: SandboxRequest): SandboxResponse {
    const b = req.body as { redemptionId?: unknown; pointsToBeReversed?: unknown; identifier?: { type?: unknown; value?: unknown } } | undefined;
    if (req.bodyError || typeof b !== 'object' || b === null) return v2Error(400, 400, 'Invalid request body');
    if (typeof b.redemptionId !== 'string' || b.redemptionId === '')
      return v2Error(400, CAP_CODES.invalidReversePoints, 'Invalid points or points redemption Id passed.');
    const idType = typeof b.identifier?.type === 'string' ? b.identifier.type.toUpperCase() : '';
    const idValue = typeof b.identifier?.value === 'string' ? b.identifier.value : typeof b.identifier?.value === 'number' ? String(b.identifier.value) : '';
    const idTypeName = this.forms.reversalIdType;
    const map: Record<string, CapIdentifierName> = {
      [idTypeName]: 'id',
      PHONE: 'mobile',
      MOBILE: 'mobile',
      EMAIL: 'email',
      EXTERNAL_ID: 'externalId',
      CARD_NUMBER: 'cardNumber',
    };
    const kind = map[idType];
    if (!kind || idValue === '') return v2Error(400, 904, 'Invalid customer details passed.');
    const c = this.state.find(kind, idValue);
    if (!c) return v2Error(400, CAP_CODES.lookupNotFound, 'Customer not found for given identifiers');
    const r = this.state.redemption(b.redemptionId);
    if (!r || r.customerId !== c.id) return v2Error(400, CAP_CODES.redemptionNotFound, 'Redemption ID does not exist.');
    const program = this.state.program(r.programId);
    if (!program?.reversalEnabled) {
      const f = this.forms.reversalNotEnabled;
      if (f === 'no-words') return v2Error(400, 8017, 'Operation not permitted for this organization.');
      return v2Error(
        400,
        f === 'code-8017' ? 8017 : CAP_CODES.reversalNotEnabled,
        'Points redemption reversal is not enabled for the organization (Allow_points_redemption_reversal).',
      );
    }
    const left = r.pointsMilli - r.reversedMilli;
    if (left <= 0) return v2Error(400, CAP_CODES.alreadyReversed, 'Points for this redemption are already reversed.');
    let milli = left;
    if (b.pointsToBeReversed !== undefined && b.pointsToBeReversed !== null) {
      const p = readDecimal(b.pointsToBeReversed);
      if (!p.ok || p.negative || p.milli <= 0 || p.decimals > 3)
        return v2Error(400, CAP_CODES.invalidReversePoints, 'Invalid points or points redemption Id passed.');
      if (p.milli > left)
        return v2Error(400, CAP_CODES.reversalMismatch, `Mismatch in points for revert API call: at most ${milliToDecimal(left)} points are left to reverse.`);
      milli = p.milli;
    }
    const rid = req.headers['x-request-id'];
    // Kept with the reversal for the crash harness's ledger only (never used to decide anything).
    const { reversal } = this.state.reverse(r.id, milli, (Array.isArray(rid) ? rid[0] : rid)?.slice(0, 200));
    const pts = Number(milliToDecimal(milli));
    return json(200, {
      orgId: 50123,
      identifier: { type: idType, value: idValue },
      customerId: c.id,
      redemptionId: r.id,
      reversalId: reversal.reversalId,
      pointsToBeReversed: b.pointsToBeReversed === undefined ? pts : Number(milliToDecimal(milli)),
      pointsReversed: pts,
      pointsReversedDetails: { available: pts, expired: 0 },
      warnings: [],
      errors: [],
    });
  }
}
