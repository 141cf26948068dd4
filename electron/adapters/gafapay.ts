/**
 * GafaPay adapter (PROVIDERS.md section 4): free-amount points (decimals
 * allowed) within the company's min/max, converted into cashback credited to
 * the member's GafaPay wallet. There is no reversal API: the adapter declares
 * reversal 'none' and has no reverse(), so a void after posting ends in
 * "manual action needed at GafaPay" with the transaction number from the
 * receipt (detail.txnNumber).
 *
 *  - headers on every call: authorization: Token <JWT>, companyid, and a
 *    fresh UUID requestid per request (whether GafaPay deduplicates on it is
 *    unconfirmed, so nothing relies on it);
 *  - envelope {success: 1|0, error: [messages], data}: read in one place,
 *    readEnvelope(), whatever the HTTP status;
 *  - member: the GafaPay user id (the app's QR); balance from user_points;
 *    the wallet the cashback goes to from transaction/wallet (is_default);
 *  - terms from points_redeem_config (the cashback configuration for the user
 *    type and currency): rate no_of_points : points_value, min, max; an
 *    inactive configuration means no redemption (REDEMPTION_NOT_ACTIVE);
 *  - after a lost answer the redemption history (user_points_redeem) is read
 *    whole (every page, in no assumed order) for a redemption of the same
 *    points made since the sale was committed, the window taken on GafaPay's
 *    clock (its Date header): one match = it took effect. The history can
 *    confirm, never prove absence (it carries no reference of ours:
 *    transaction_id is null, hence points + time), so none, several, or a
 *    history too long to read = OUTCOME_UNKNOWN: a manager decides.
 */
import { randomUUID } from 'node:crypto';
import type { BackendInfo, RedemptionTerms } from '../../shared/domain.js';
import { PosError, type ErrorCode } from '../../shared/errors.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import { pointsFromBackend, pointsStep, pointsToDecimalString, rateFromPair, type PointsMilli } from '../../shared/money.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { integer, optional, required, timeout, type AdapterOptions } from './connection.js';
import { httpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest } from './types.js';

export interface GafapayCompanyAdmin {
  debitType: number;
  debitTypeId: string;
  debitAccountType: number;
  debitAccountTypeId: string;
  username: string;
}

export interface GafapayConfig {
  /** API base including the version, e.g. https://api.gafapay.com:8443/gafapay/v3 */
  baseUrl: string;
  /** The merchant's JWT, sent as "authorization: Token <JWT>". */
  token: string;
  companyId: string;
  /** GafaPay's id of the currency the points and wallet are in. */
  currencyId: string;
  /** The same currency as an ISO code, for the terminal. */
  currency: string;
  /** The company account that funds the cashback (company_admin_user_info). */
  companyAdmin: GafapayCompanyAdmin;
  /** 2 customer (default), 3 merchant, 5 agent. */
  userType?: 2 | 3 | 5;
  /** Decimals the company allows in a points figure (0..3, default 2). */
  pointsDecimals?: number;
  /** Tolerance between the terminal's and GafaPay's clocks when matching history by time (default 300 s). */
  clockSkewSec?: number;
  /** History page size and how many pages findRedemption reads at most (defaults 50 and 20). */
  historyPageSize?: number;
  historyMaxPages?: number;
  timeoutMs?: number;
  /** requestid generator (default crypto.randomUUID). */
  newRequestId?: () => string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
export const GAFAPAY_REDEEM_SUCCESS = 'REWARD_PROMOTION_REWARD_POINTS_REDEEM_SUCCESS';
/** redeem_type of a cashback configuration (the points become wallet money). */
const REDEEM_TYPE_CASHBACK = 1;

// ======================================================================
// Wire names.
// ======================================================================

const paths = {
  userPoints: '/reward_promotion/user_points',
  redeemConfig: '/reward_promotion/points_redeem_config',
  redeem: '/reward_promotion/redeem_user_reward_points',
  history: '/reward_promotion/user_points_redeem',
  wallets: '/transaction/wallet',
};

// ======================================================================
// GafaPay's error messages -> the terminal's codes, in plain words.
// GafaPay does not publish its message keys: they are matched by the words
// they contain, so close variants map the same way.
// ======================================================================

interface MessageMapping {
  test: RegExp;
  code: ErrorCode;
  message: string;
}

export const GAFAPAY_MESSAGES: readonly MessageMapping[] = [
  { test: /TOKEN.*EXPIRED|EXPIRED.*TOKEN/i, code: 'BACKEND_AUTH', message: "GafaPay says the terminal's token has expired: renew it in settings." },
  { test: /TOKEN|UNAUTHORI[SZ]ED|AUTHENTICATION/i, code: 'BACKEND_AUTH', message: "GafaPay refused the terminal's token: check it in settings." },
  { test: /COMPANY/i, code: 'BACKEND_AUTH', message: 'GafaPay refused the company id in settings.' },
  { test: /ACCESS_DENIED|FORBIDDEN|PERMISSION/i, code: 'BACKEND_AUTH', message: "GafaPay does not let this terminal's account do that for this member." },
  { test: /CONFIG.*(NOT_ACTIVE|INACTIVE|DISABLED)|(NOT_ACTIVE|INACTIVE|DISABLED).*CONFIG/i, code: 'REDEMPTION_NOT_ACTIVE', message: "Points redemption is switched off in GafaPay's configuration." },
  { test: /CONFIG.*NOT_FOUND/i, code: 'REDEMPTION_NOT_ACTIVE', message: 'GafaPay has no cashback configuration for these points: redemption is not possible.' },
  { test: /INSUFFICIENT|NOT_ENOUGH/i, code: 'INSUFFICIENT_POINTS', message: 'The member does not have enough GafaPay points for this.' },
  { test: /LESS_THAN_MIN|BELOW_MIN|MIN_POINTS/i, code: 'POINTS_BELOW_MIN', message: "That is fewer points than GafaPay's minimum for one redemption." },
  { test: /MORE_THAN_MAX|ABOVE_MAX|MAX_POINTS|EXCEEDS?_MAX/i, code: 'POINTS_ABOVE_MAX', message: "That is more points than GafaPay's maximum for one redemption." },
  { test: /DECIMAL/i, code: 'POINTS_TOO_PRECISE', message: 'GafaPay does not take that many decimals in a points figure.' },
  { test: /INVALID_REDEEM_POINTS|INVALID_POINTS/i, code: 'POINTS_INVALID', message: 'GafaPay refused the points figure: it must be a number above zero.' },
  { test: /USER.*NOT_FOUND|NOT_FOUND.*USER/i, code: 'MEMBER_NOT_FOUND', message: 'No GafaPay member with that id.' },
  { test: /WALLET/i, code: 'BACKEND_REFUSED', message: "The member's GafaPay wallet was not found or is not active: the cashback cannot be credited." },
  { test: / is required| must be /i, code: 'BACKEND_REFUSED', message: 'GafaPay refused the request as incomplete: check the GafaPay settings (currency, company account).' },
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A GafaPay refusal as the terminal's error (nothing was applied). */
export function gafapayError(messages: string[], httpStatus: number): PosError {
  const text = messages.join('; ');
  const found = GAFAPAY_MESSAGES.find((m) => messages.some((t) => m.test.test(t)));
  const details: Record<string, unknown> = { status: httpStatus, notApplied: true };
  if (text) details.backendMessage = text.slice(0, 300);
  if (found) return new PosError(found.code, found.message, { details });
  if (httpStatus === 401 || httpStatus === 403) return new PosError('BACKEND_AUTH', "GafaPay refused the terminal's credentials: check the token and company id in settings.", { details });
  if (httpStatus === 404 && !text) return new PosError('BACKEND_BAD_RESPONSE', 'GafaPay does not know this address: check the API address in settings.', { details });
  return new PosError('BACKEND_REFUSED', `GafaPay refused this${text ? `: ${text.slice(0, 200)}` : '.'}`, { details });
}

/**
 * Reads the envelope of any answer: data on success (success 1 on a 2xx),
 * the mapped refusal otherwise. 5xx and 429 never get here (http.ts).
 */
export function readEnvelope(res: HttpJsonResponse): Obj {
  const b = res.body;
  const env = isObj(b) ? b : undefined;
  const messages = env && Array.isArray(env.error) ? env.error.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))) : [];
  const success = env?.success === 1 || env?.success === true || env?.success === '1';
  if (res.status >= 200 && res.status < 300 && success) {
    if (!isObj(env!.data)) throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay answered without its data.', { details: { status: res.status } });
    return env!.data;
  }
  if (res.status >= 200 && res.status < 300 && !env) throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay sent an answer without its envelope.', { details: { status: res.status } });
  throw gafapayError(messages, res.status);
}

/** A money figure GafaPay sends as a JSON number (10.0, 0.25) as cents, exactly. */
export function centsFromBackend(v: unknown): number {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) throw new PosError('BACKEND_BAD_RESPONSE', `GafaPay sent an amount that is not a number: ${JSON.stringify(v)}`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > 2) throw new PosError('BACKEND_BAD_RESPONSE', `GafaPay sent an amount with more than 2 decimals: ${s}`);
  const cents = Number(m[1]) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) throw new PosError('BACKEND_BAD_RESPONSE', `GafaPay sent an amount out of range: ${s}`);
  return cents;
}

/** A JSON number for a points figure, written from the exact decimal string ("25.5"): never computed in floating point. */
const pointsNumber = (milli: PointsMilli): number => Number(pointsToDecimalString(milli));

// ======================================================================
// The adapter.
// ======================================================================

export function createGafapayAdapter(config: GafapayConfig): LoyaltyAdapter {
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  const decimals = config.pointsDecimals ?? 2;
  const step = pointsStep(decimals);
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userType = config.userType ?? 2;
  const skewMs = (config.clockSkewSec ?? 300) * 1000;
  const pageSize = config.historyPageSize ?? 50;
  const maxPages = config.historyMaxPages ?? 20;
  const newRequestId = config.newRequestId ?? randomUUID;
  /** user id -> wallet id (the member's default wallet in this currency). */
  const walletIds = new Map<string, string>();

  const info: BackendInfo = {
    id: 'gafapay',
    name: 'GafaPay',
    capabilities: {
      redemption: 'points',
      identifiers: ['externalId'],
      pointsDecimals: decimals,
      validationCode: false,
      reversal: 'none',
      retrySafety: 'lookup-before-retry',
      balanceAtCounter: true,
    },
  };

  async function call(method: HttpMethod, path: string, query: Record<string, string>, body?: unknown): Promise<Obj> {
    return (await callWithClock(method, path, query, body)).data;
  }

  /** One call, with GafaPay's clock at the answer (its Date header; null when absent or unreadable). */
  async function callWithClock(method: HttpMethod, path: string, query: Record<string, string>, body?: unknown): Promise<{ data: Obj; backendNowMs: number | null }> {
    const q = new URLSearchParams(query);
    const res = await httpJson({
      method,
      url: `${baseUrl}${path}${q.size ? `?${q.toString()}` : ''}`,
      headers: { authorization: `Token ${config.token}`, companyid: config.companyId, requestid: newRequestId() },
      body,
      timeoutMs,
    });
    const date = res.headers.date ? Date.parse(res.headers.date) : NaN;
    return { data: readEnvelope(res), backendNowMs: Number.isNaN(date) ? null : date };
  }

  async function walletOf(userId: string): Promise<string> {
    const known = walletIds.get(userId);
    if (known) return known;
    const data = await call('GET', paths.wallets, { user_id: userId, currency_id: config.currencyId, is_default: 'true' });
    const wallets = Array.isArray(data.wallets) ? data.wallets.filter(isObj) : [];
    const w = wallets.find((x) => x.user_id === userId && x.is_active !== false && (x.currency_id === undefined || x.currency_id === config.currencyId));
    if (!w || typeof w.id !== 'string') {
      throw new PosError('BACKEND_REFUSED', 'This member has no active GafaPay wallet in this currency: the cashback cannot be credited.', { details: { notApplied: true } });
    }
    walletIds.set(userId, w.id);
    return w.id;
  }

  async function balanceOf(userId: string): Promise<PointsMilli> {
    const data = await call('GET', paths.userPoints, { user_id: userId, currency_id: config.currencyId });
    const up = isObj(data.user_points) ? data.user_points : undefined;
    if (!up) throw new PosError('MEMBER_NOT_FOUND', 'GafaPay has no points account for this member.');
    return pointsFromBackend(up.points);
  }

  function checkPoints(milli: PointsMilli): void {
    if (!Number.isSafeInteger(milli) || milli <= 0) throw new PosError('POINTS_INVALID', undefined, { details: { notApplied: true } });
    if (milli % step !== 0) {
      throw new PosError('POINTS_TOO_PRECISE', decimals === 0 ? 'GafaPay points are whole numbers here.' : `GafaPay points have at most ${decimals} decimals here.`, { details: { notApplied: true } });
    }
  }

  return {
    info,

    async probe() {
      await call('GET', paths.redeemConfig, { user_type: String(userType), currency_id: config.currencyId });
    },

    async lookupMember(identifier: MemberIdentifier): Promise<MemberAccount> {
      if (!info.capabilities.identifiers.includes(identifier.kind)) {
        throw new PosError('INVALID_INPUT', `GafaPay members are found by their GafaPay id (the app's code), not by ${identifier.kind}.`);
      }
      const balanceMilli = await balanceOf(identifier.value);
      await walletOf(identifier.value);
      return { identifier, backendMemberId: identifier.value, balanceMilli, messages: [] };
    },

    async getTerms(): Promise<RedemptionTerms> {
      const data = await call('GET', paths.redeemConfig, { user_type: String(userType), currency_id: config.currencyId });
      const all = Array.isArray(data.points_redeem_configs) ? data.points_redeem_configs.filter(isObj) : [];
      const cashback = all.filter((c) => c.redeem_type === REDEEM_TYPE_CASHBACK && (c.currency_id === undefined || c.currency_id === config.currencyId));
      if (cashback.length === 0) throw new PosError('REDEMPTION_NOT_ACTIVE', 'GafaPay has no cashback configuration for these points: redemption is not possible.');
      const cfg = cashback.find((c) => c.is_active === true);
      if (!cfg) throw new PosError('REDEMPTION_NOT_ACTIVE', "Points redemption is switched off in GafaPay's configuration.");
      const rate = rateFromPair(pointsFromBackend(cfg.no_of_points), centsFromBackend(cfg.points_value));
      const min = cfg.min_points_to_redeem === undefined || cfg.min_points_to_redeem === null ? step : pointsFromBackend(cfg.min_points_to_redeem);
      const max = cfg.max_points_to_redeem === undefined || cfg.max_points_to_redeem === null ? null : pointsFromBackend(cfg.max_points_to_redeem);
      return { rate, currency: config.currency, decimals, minPointsMilli: Math.max(min, step), maxPointsMilli: max !== null && max > 0 ? max : null, stepMilli: step, benefit: 'cashback' };
    },

    async redeem(req: RedeemRequest): Promise<RedeemReceipt> {
      checkPoints(req.pointsMilli);
      const userId = req.member.backendMemberId;
      // Everything before the POST cannot have redeemed anything.
      const walletId = await notApplied(walletOf(userId));
      const a = config.companyAdmin;
      const data = await call('POST', paths.redeem, {}, {
        redeem_points: pointsNumber(req.pointsMilli),
        user_type: userType,
        user_id: userId,
        wallet_id: walletId,
        currency_id: config.currencyId,
        company_admin_user_info: {
          currency_id: config.currencyId,
          debit_type: a.debitType,
          debit_type_id: a.debitTypeId,
          debit_account_type: a.debitAccountType,
          debit_account_type_id: a.debitAccountTypeId,
          username: a.username,
        },
      });
      const d = isObj(data.redeem_points_detail) ? data.redeem_points_detail : undefined;
      if (data.message !== GAFAPAY_REDEEM_SUCCESS && !d) throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay answered the redemption without saying it succeeded.');
      if (!d || typeof d.txn_id !== 'string' || d.txn_id === '') throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay confirmed the redemption without its transaction.');
      const points = d.points === undefined ? req.pointsMilli : pointsFromBackend(d.points);
      if (points !== req.pointsMilli) {
        throw new PosError('OUTCOME_UNKNOWN', `GafaPay redeemed ${pointsToDecimalString(points)} points instead of ${pointsToDecimalString(req.pointsMilli)}: a manager must check.`, {
          details: { backendReference: d.txn_id },
        });
      }
      return {
        backendReference: d.txn_id,
        pointsMilli: points,
        balanceAfterMilli: null,
        detail: { cashbackCents: centsFromBackend(d.amount), txnNumber: typeof d.txn_number === 'string' ? d.txn_number : null },
      };
    },

    async findRedemption(req: RedeemRequest): Promise<RedeemReceipt | null> {
      checkPoints(req.pointsMilli);
      const requested = Date.parse(req.requestedAt);
      if (Number.isNaN(requested)) throw new PosError('OUTCOME_UNKNOWN', 'The redemption has no valid time to look it up by: a manager must check.');
      const localNow = Date.now();
      const candidates: Obj[] = [];
      let backendNow: number | null = null;
      let read = 0;
      let complete = false;
      for (let page = 0; page < maxPages; page++) {
        const res = await callWithClock('GET', paths.history, { user_id: req.member.backendMemberId, currency_id: config.currencyId, skip: String(page * pageSize), limit: String(pageSize) });
        backendNow ??= res.backendNowMs;
        if (!Array.isArray(res.data.user_points_redeem)) throw new PosError('BACKEND_BAD_RESPONSE', "GafaPay's redemption history could not be read (no list).");
        const list = res.data.user_points_redeem.filter(isObj);
        read += list.length;
        for (const r of list) if (pointsFromBackend(r.points) === req.pointsMilli) candidates.push(r);
        // No order is assumed: only a short page ends the history.
        if (list.length < pageSize) {
          complete = true;
          break;
        }
      }
      // The window on GafaPay's clock: as long ago as the sale was committed by this terminal's clock
      // (a terminal clock minutes off cancels out), less the skew allowance.
      const fromSec = Math.floor(((backendNow ?? localNow) - (localNow - requested) - skewMs) / 1000);
      const matches = candidates.filter((r) => {
        const at = typeof r.created_date === 'number' ? r.created_date : Number(r.created_date);
        return Number.isFinite(at) && at >= fromSec;
      });
      if (!complete) throw new PosError('OUTCOME_UNKNOWN', `GafaPay's redemption history is too long to search (${read} entries read): a manager must check.`, { details: { reconciledBy: 'history', read } });
      if (matches.length === 0) {
        throw new PosError('OUTCOME_UNKNOWN', `GafaPay's history (${read} entries, read whole) shows no redemption of these points since this sale; it carries no reference of ours, so that does not prove it was not applied: a manager must check.`, {
          details: { reconciledBy: 'history', read },
        });
      }
      if (matches.length > 1) {
        throw new PosError('OUTCOME_UNKNOWN', `GafaPay shows ${matches.length} redemptions of these points since this sale: a manager must check which is this sale's.`, {
          details: { reconciledBy: 'history', historyIds: matches.map((m) => m.id) },
        });
      }
      const r = matches[0]!;
      const ref = typeof r.transaction_id === 'string' && r.transaction_id !== '' ? r.transaction_id : String(r.id);
      return {
        backendReference: ref,
        pointsMilli: req.pointsMilli,
        balanceAfterMilli: null,
        detail: { cashbackCents: centsFromBackend(r.amount), txnNumber: null, historyId: r.id, reconciledBy: 'history' },
      };
    },
  };
}

/** Marks any failure of a step that runs before the write as "certainly not applied". */
async function notApplied<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof PosError && e.details?.notApplied !== true) {
      throw new PosError(e.code, e.message, { endUserMessage: e.endUserMessage, details: { ...(e.details ?? {}), notApplied: true } });
    }
    throw e;
  }
}

// ---- Built from the program's connection fields (shared/programs/gafapay.ts): live and training alike.

export function gafapayFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): LoyaltyAdapter {
  const decimals = optional(values, 'pointsDecimals');
  return createGafapayAdapter({
    baseUrl: required(values, 'baseUrl'),
    token: required(values, 'token'),
    companyId: required(values, 'companyId'),
    currencyId: required(values, 'currencyId'),
    currency: optional(values, 'currency') ?? 'EUR',
    companyAdmin: {
      debitType: integer(values, 'debitType'),
      debitTypeId: required(values, 'debitTypeId'),
      debitAccountType: integer(values, 'debitAccountType'),
      debitAccountTypeId: required(values, 'debitAccountTypeId'),
      username: required(values, 'username'),
    },
    userType: 2,
    ...(decimals ? { pointsDecimals: Number(decimals) } : {}),
    ...timeout(opts),
  });
}
