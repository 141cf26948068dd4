/**
 * GafaPay emulator, mounted at /gafapay; the API base is /gafapay/gafapay/v3
 * (the real one: https://api.gafapay.com:8443/gafapay/v3).
 *
 *   GET  .../reward_promotion/user_points?user_id=&currency_id=            -> data.user_points {id, user_id, user_type, points, currency_id}
 *   GET  .../reward_promotion/points_redeem_config?user_type=&currency_id= -> data.points_redeem_configs [{no_of_points, points_value,
 *                                                                             min_points_to_redeem, max_points_to_redeem, redeem_type, is_active, ...}]
 *   POST .../reward_promotion/redeem_user_reward_points  {redeem_points, user_type, user_id, wallet_id, currency_id, company_admin_user_info{...}}
 *                                                      -> data {message: "REWARD_PROMOTION_REWARD_POINTS_REDEEM_SUCCESS",
 *                                                               redeem_points_detail {points, amount, txn_id, txn_number}}
 *   GET  .../reward_promotion/user_points_redeem?user_id=&currency_id=&skip=&limit=  -> data.user_points_redeem [...] newest first
 *
 * Every request needs `authorization: Token <JWT>` (HS256, {sub, roles, exp})
 * and `companyid`. A ROLE_CUSTOMER token (the documented flow) touches only
 * its own user; the redeem call's debit_type_id must be the wallet id. Every
 * answer is the envelope {success: 1|0, error: [messages], data: {...}}.
 * There is no reversal endpoint, and no wallet lookup (none is documented).
 *
 * Where the document is silent the emulator picks a default and can be
 * switched to the plausible alternatives (GfForms, POST /_control/gafapay/forms):
 * is_active as true/false or 1/0, amounts exact or with floating-point noise,
 * merchant tokens refused or allowed on a customer's behalf, requestid
 * ignored or deduplicated, history newest or oldest first. The error message
 * keys and HTTP statuses of refusals are not published either: the ones here
 * are the emulator's choice (GF_ERRORS), kept in one table.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { json } from '../http-util.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { handleGafapayControl } from './control.js';
import { GAFAPAY_SANDBOX } from './demo.js';
import { centsToDecimal, GafapayState, milliToDecimal, readDecimal, type GfConfig } from './state.js';

export interface GafapayBackendOptions {
  companyIds?: readonly string[];
  jwtSecret?: string;
  /** Decimals a points figure may carry (default 2). */
  pointsDecimals?: number;
}

export const GF_API_BASE = '/gafapay/v3';

/** The emulator's answers to what the document leaves open; each switchable (README "guesses"). */
export interface GfForms {
  /** is_active in the configuration: JSON booleans (default) or 1/0. */
  isActive: 'boolean' | 'number';
  /** Money in answers: exact decimals (default) or computed in floating point (0.30000000000000004). */
  amounts: 'exact' | 'float-noise';
  /** Whether a merchant token may act on a customer's behalf (default: no, only the customer's own token). */
  merchantOnBehalf: boolean;
  /** Whether a repeated requestid on a redeem returns the first answer instead of redeeming again (default: no). */
  requestIdDedupe: boolean;
  /** Order of the redemption history (default newest first). */
  historyOrder: 'newest-first' | 'oldest-first';
}

export const DEFAULT_GF_FORMS: Readonly<GfForms> = {
  isActive: 'boolean',
  amounts: 'exact',
  merchantOnBehalf: false,
  requestIdDedupe: false,
  historyOrder: 'newest-first',
};

/** Error message keys the emulator answers with (the emulator's choice: GafaPay does not publish them). */
export const GF_ERRORS = {
  tokenRequired: 'AUTHORIZATION_TOKEN_REQUIRED',
  tokenInvalid: 'INVALID_AUTHORIZATION_TOKEN',
  tokenExpired: 'AUTHORIZATION_TOKEN_EXPIRED',
  companyRequired: 'COMPANY_ID_REQUIRED',
  companyInvalid: 'INVALID_COMPANY_ID',
  accessDenied: 'ACCESS_DENIED',
  userNotFound: 'USER_NOT_FOUND',
  walletNotFound: 'TRANSACTION_WALLET_NOT_FOUND',
  configNotFound: 'REWARD_PROMOTION_POINTS_REDEEM_CONFIG_NOT_FOUND',
  configInactive: 'REWARD_PROMOTION_POINTS_REDEEM_CONFIG_NOT_ACTIVE',
  invalidPoints: 'REWARD_PROMOTION_INVALID_REDEEM_POINTS',
  tooManyDecimals: 'REWARD_PROMOTION_REDEEM_POINTS_DECIMAL_LIMIT_EXCEEDED',
  belowMin: 'REWARD_PROMOTION_REDEEM_POINTS_LESS_THAN_MIN_POINTS',
  aboveMax: 'REWARD_PROMOTION_REDEEM_POINTS_MORE_THAN_MAX_POINTS',
  insufficient: 'REWARD_PROMOTION_INSUFFICIENT_REWARD_POINTS',
  notFound: 'NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  invalidJson: 'INVALID_REQUEST_BODY',
  debitTypeNotWallet: 'company_admin_user_info.debit_type_id must be the wallet_id',
} as const;

export const GF_REDEEM_SUCCESS = 'REWARD_PROMOTION_REWARD_POINTS_REDEEM_SUCCESS';

function gfError(status: number, messages: string[], headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { success: 0, error: messages, data: {} }, headers);
}

function gfOk(data: Record<string, unknown>): SandboxResponse {
  return json(200, { success: 1, error: [], data });
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** A JSON number for an exact decimal string (how the API writes 25.5 or 10.0). */
const num = (decimal: string) => Number(decimal);

interface Caller {
  sub: string;
  roles: string[];
}

export class GafapayBackend implements SandboxBackend {
  readonly id = 'gafapay';
  readonly prefix = '/gafapay';
  readonly state: GafapayState;
  private readonly companyIds: readonly string[];
  private readonly jwtSecret: string;
  readonly pointsDecimals: number;
  /** Every requestid seen, in order. */
  readonly requestIds: string[] = [];
  forms: GfForms = { ...DEFAULT_GF_FORMS };
  /** requestid -> the redeem answer given (only used when forms.requestIdDedupe). */
  private readonly answered = new Map<string, SandboxResponse>();

  constructor(
    private readonly now: () => number,
    opts: GafapayBackendOptions = {},
  ) {
    this.state = new GafapayState(now);
    this.companyIds = opts.companyIds ?? [GAFAPAY_SANDBOX.companyId];
    this.jwtSecret = opts.jwtSecret ?? GAFAPAY_SANDBOX.jwtSecret;
    this.pointsDecimals = opts.pointsDecimals ?? GAFAPAY_SANDBOX.pointsDecimals;
  }

  reset(seedDemo: boolean): void {
    this.state.reset(seedDemo);
    this.requestIds.length = 0;
    this.forms = { ...DEFAULT_GF_FORMS };
    this.answered.clear();
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    return gfError(status, [message], headers);
  }

  control(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
    return Promise.resolve(handleGafapayControl(this, req, ctx));
  }

  async handle(req: SandboxRequest, _ctx: SandboxContext): Promise<SandboxResponse> {
    if (!req.path.startsWith(GF_API_BASE + '/')) return gfError(404, [GF_ERRORS.notFound]);
    const path = req.path.slice(GF_API_BASE.length);

    const caller = this.authenticate(req);
    if ('response' in caller) return caller.response;
    const rid = header(req, 'requestid');
    if (rid) this.requestIds.push(rid);

    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /reward_promotion/user_points':
        return this.userPoints(req, caller);
      case 'GET /reward_promotion/points_redeem_config':
        return this.redeemConfig(req);
      case 'POST /reward_promotion/redeem_user_reward_points':
        return this.redeem(req, caller, rid ?? null);
      case 'GET /reward_promotion/user_points_redeem':
        return this.history(req, caller);
    }
    const known = [
      '/reward_promotion/user_points',
      '/reward_promotion/points_redeem_config',
      '/reward_promotion/redeem_user_reward_points',
      '/reward_promotion/user_points_redeem',
    ];
    if (known.includes(path)) return gfError(405, [GF_ERRORS.methodNotAllowed]);
    return gfError(404, [GF_ERRORS.notFound]);
  }

  // ---------------------------------------------------------------- auth

  /** Token first (401), then the company (400 missing, 403 unknown). */
  private authenticate(req: SandboxRequest): Caller | { response: SandboxResponse } {
    const authz = header(req, 'authorization');
    if (!authz || authz.trim() === '') return { response: gfError(401, [GF_ERRORS.tokenRequired]) };
    const m = /^Token\s+(\S+)$/.exec(authz.trim());
    if (!m) return { response: gfError(401, [GF_ERRORS.tokenInvalid]) };
    const verified = this.verifyJwt(m[1]!);
    if (verified === 'expired') return { response: gfError(401, [GF_ERRORS.tokenExpired]) };
    if (verified === null) return { response: gfError(401, [GF_ERRORS.tokenInvalid]) };
    const company = header(req, 'companyid');
    if (!company || company.trim() === '') return { response: gfError(400, [GF_ERRORS.companyRequired]) };
    if (!this.companyIds.includes(company.trim())) return { response: gfError(403, [GF_ERRORS.companyInvalid]) };
    return verified;
  }

  private verifyJwt(token: string): Caller | 'expired' | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [head, body, sig] = parts as [string, string, string];
    const expected = createHmac('sha256', this.jwtSecret).update(`${head}.${body}`).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const h = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
      if (h.alg !== 'HS256') return null;
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { sub?: unknown; roles?: unknown; exp?: unknown };
      if (typeof p.sub !== 'string' || !Array.isArray(p.roles) || typeof p.exp !== 'number') return null;
      if (p.exp * 1000 <= this.now()) return 'expired';
      return { sub: p.sub, roles: p.roles.filter((r): r is string => typeof r === 'string') };
    } catch {
      return null;
    }
  }

  /** A customer's own token may only touch that customer; a merchant token others only where forms.merchantOnBehalf allows it. */
  private mayActFor(caller: Caller, userId: string): boolean {
    if (caller.sub === userId) return true;
    return this.forms.merchantOnBehalf && caller.roles.some((r) => r === 'ROLE_MERCHANT' || r === 'ROLE_ADMIN' || r === 'ROLE_COMPANY_ADMIN');
  }

  /** A money figure as this emulator's form writes it. */
  private amount(cents: number): number {
    if (this.forms.amounts === 'float-noise' && cents >= 10) return (cents - 10) / 100 + 0.1; // 30 -> 0.30000000000000004
    return num(centsToDecimal(cents));
  }

  private required(req: SandboxRequest, names: string[]): string[] {
    return names.filter((n) => !req.query.get(n)).map((n) => `${n} is required`);
  }

  // ---------------------------------------------------------------- reads

  private userPoints(req: SandboxRequest, caller: Caller): SandboxResponse {
    const missing = this.required(req, ['user_id', 'currency_id']);
    if (missing.length) return gfError(400, missing);
    const userId = req.query.get('user_id')!;
    if (!this.mayActFor(caller, userId)) return gfError(403, [GF_ERRORS.accessDenied]);
    const u = this.state.user(userId);
    if (!u || u.currencyId !== req.query.get('currency_id')) return gfError(404, [GF_ERRORS.userNotFound]);
    return gfOk({
      user_points: {
        id: `up${u.userId.slice(2)}`,
        user_id: u.userId,
        user_type: u.userType,
        points: num(milliToDecimal(u.pointsMilli)),
        currency_id: u.currencyId,
      },
    });
  }

  private configView(c: GfConfig): Record<string, unknown> {
    return {
      id: c.id,
      user_type: c.userType,
      no_of_points: num(milliToDecimal(c.noOfPointsMilli)),
      redeem_type: c.redeemType,
      points_value: num(centsToDecimal(c.pointsValueCents)),
      voucher_details: null,
      min_points_to_redeem: num(milliToDecimal(c.minPointsMilli)),
      max_points_to_redeem: num(milliToDecimal(c.maxPointsMilli)),
      redeem_cycle: c.redeemCycle,
      currency_id: c.currencyId,
      is_active: this.forms.isActive === 'number' ? (c.isActive ? 1 : 0) : c.isActive,
    };
  }

  private redeemConfig(req: SandboxRequest): SandboxResponse {
    const missing = this.required(req, ['user_type', 'currency_id']);
    if (missing.length) return gfError(400, missing);
    const userType = Number(req.query.get('user_type'));
    if (![2, 3, 5].includes(userType)) return gfError(400, ['user_type must be 2, 3 or 5']);
    return gfOk({ points_redeem_configs: this.state.configsFor(userType, req.query.get('currency_id')!).map((c) => this.configView(c)) });
  }

  private history(req: SandboxRequest, caller: Caller): SandboxResponse {
    const missing = this.required(req, ['user_id', 'currency_id']);
    if (missing.length) return gfError(400, missing);
    const userId = req.query.get('user_id')!;
    if (!this.mayActFor(caller, userId)) return gfError(403, [GF_ERRORS.accessDenied]);
    const skip = Number(req.query.get('skip') ?? '0');
    const limit = Number(req.query.get('limit') ?? '10');
    if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(limit) || limit < 1 || limit > 100)
      return gfError(400, ['skip and limit must be whole numbers (limit 1 to 100)']);
    const all = this.state.history(userId, req.query.get('currency_id')!);
    if (this.forms.historyOrder === 'oldest-first') all.reverse();
    const page = all.slice(skip, skip + limit);
    return gfOk({
      user_points_redeem: page.map((r) => ({
        id: r.id,
        user_id: r.userId,
        points: num(milliToDecimal(r.pointsMilli)),
        transaction_id: r.transactionId,
        amount: this.amount(r.amountCents),
        description: r.description,
        currency_id: r.currencyId,
        created_date: r.createdDate,
      })),
    });
  }

  // ---------------------------------------------------------------- redeem

  private redeem(req: SandboxRequest, caller: Caller, requestId: string | null): SandboxResponse {
    if (req.bodyError) return gfError(400, [GF_ERRORS.invalidJson]);
    const b = req.body as Record<string, unknown> | undefined;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return gfError(400, [GF_ERRORS.invalidJson]);
    const problems: string[] = [];
    if (b.redeem_points === undefined || b.redeem_points === null) problems.push('redeem_points is required');
    else if (typeof b.redeem_points !== 'number') problems.push('redeem_points must be a number');
    if (![2, 3, 5].includes(b.user_type as number)) problems.push('user_type must be 2, 3 or 5');
    for (const k of ['user_id', 'wallet_id', 'currency_id'] as const) if (typeof b[k] !== 'string' || b[k] === '') problems.push(`${k} is required`);
    const admin = b.company_admin_user_info as Record<string, unknown> | undefined;
    if (typeof admin !== 'object' || admin === null) problems.push('company_admin_user_info is required');
    else {
      for (const k of ['currency_id', 'debit_type_id', 'debit_account_type_id', 'username'])
        if (typeof admin[k] !== 'string' || admin[k] === '') problems.push(`company_admin_user_info.${k} is required`);
      for (const k of ['debit_type', 'debit_account_type']) if (typeof admin[k] !== 'number') problems.push(`company_admin_user_info.${k} is required`);
    }
    if (problems.length) return gfError(400, problems);
    if (admin!.debit_type_id !== b.wallet_id) return gfError(400, [GF_ERRORS.debitTypeNotWallet]);
    if (this.forms.requestIdDedupe && requestId && this.answered.has(requestId)) return this.answered.get(requestId)!;

    const userId = b.user_id as string;
    if (!this.mayActFor(caller, userId)) return gfError(403, [GF_ERRORS.accessDenied]);
    const user = this.state.user(userId);
    if (!user || user.userType !== b.user_type || user.currencyId !== b.currency_id) return gfError(404, [GF_ERRORS.userNotFound]);
    const wallet = this.state.wallet(b.wallet_id as string);
    if (!wallet || wallet.userId !== user.userId || wallet.currencyId !== user.currencyId || !wallet.isActive) return gfError(400, [GF_ERRORS.walletNotFound]);
    const cfgs = this.state.configsFor(user.userType, user.currencyId).filter((c) => c.redeemType === 1);
    if (cfgs.length === 0) return gfError(400, [GF_ERRORS.configNotFound]);
    const cfg = cfgs.find((c) => c.isActive);
    if (!cfg) return gfError(400, [GF_ERRORS.configInactive]);

    const p = readDecimal(b.redeem_points);
    if (!p.ok || p.negative || p.milli <= 0) return gfError(400, [GF_ERRORS.invalidPoints]);
    if (p.decimals > this.pointsDecimals) return gfError(400, [GF_ERRORS.tooManyDecimals]);
    if (p.milli < cfg.minPointsMilli) return gfError(400, [GF_ERRORS.belowMin]);
    if (p.milli > cfg.maxPointsMilli) return gfError(400, [GF_ERRORS.aboveMax]);
    if (p.milli > user.pointsMilli) return gfError(400, [GF_ERRORS.insufficient]);

    const r = this.state.redeem({ user, wallet, cfg, pointsMilli: p.milli, debitAccountTypeId: admin!.debit_account_type_id as string, requestId });
    const answer = gfOk({
      message: GF_REDEEM_SUCCESS,
      redeem_points_detail: { points: num(milliToDecimal(r.pointsMilli)), amount: this.amount(r.amountCents), txn_id: r.txnId, txn_number: r.txnNumber },
    });
    if (this.forms.requestIdDedupe && requestId) this.answered.set(requestId, answer);
    return answer;
  }
}
