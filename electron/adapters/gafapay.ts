/**
 * GafaPay adapter (GafaPay's published v3 API): free-amount points (decimals
 * allowed) within the company's min/max, converted into cashback credited to
 * the member's GafaPay wallet. There is no reversal API: the adapter declares
 * reversal 'none' and has no reverse(), so a void after posting ends in
 * "manual action needed at GafaPay" with the transaction number from the
 * receipt (detail.txnNumber).
 *
 *  - whose token (the documented flow, the default): the redeem call carries
 *    the CUSTOMER's own token, user_id and wallet_id, with debit_type_id equal
 *    to that wallet id. They arrive in the member's app code
 *    (shared/member-number.ts, "GP1:<user_id>:<wallet_id>:<token>"), read by
 *    acceptAppCode(): the token is kept in this adapter's memory for that
 *    sale only (dropped once the redemption has its answer, or after
 *    appCodeTtlMs), never stored, logged or put in an error. An expired or
 *    refused customer token is MEMBER_CODE_EXPIRED: "ask the member to
 *    refresh their app code". There is no documented wallet lookup, so none
 *    is made;
 *  - a merchant token allowed to redeem on a customer's behalf is a
 *    deployment option the document does not promise: connection setting
 *    `merchantToken`, off (absent) by default;
 *  - headers on every call: authorization: Token <JWT>, companyid, requestid.
 *    The redeem call's requestid is derived from the attempt's stable
 *    reference (the same on every retry); reads get a fresh one. Whether
 *    GafaPay deduplicates on it is unconfirmed, so nothing relies on it;
 *  - every answer is read through the zod schemas of ./gafapay-wire.ts;
 *    money and points through shared/money.ts (float noise such as
 *    0.30000000000000004 reads as 30 cents). After the redeem call was sent,
 *    an answer that cannot be read is "cannot tell" (BACKEND_BAD_RESPONSE
 *    without notApplied: the outbox reconciles), never a refusal;
 *  - terms from points_redeem_config (the cashback configuration for the user
 *    type and currency): rate no_of_points : points_value, min, max; an
 *    inactive configuration (is_active false or 0) means no redemption;
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
import { centsFromBackend, pointsFromBackend, pointsStep, pointsToDecimalString, rateFromPair, type PointsMilli } from '../../shared/money.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { integer, optional, required, transport, clock, type AdapterOptions } from './connection.js';
import {
  envelopeSchema,
  historySchema,
  parseAppCode,
  readData,
  redeemAnswerSchema,
  redeemConfigSchema,
  requestIdFor,
  userPointsSchema,
} from './gafapay-wire.js';
import { httpJson, type HttpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import type { LookupContext, LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest } from './types.js';

export interface GafapayCompanyAdmin {
  debitType: number;
  debitAccountType: number;
  debitAccountTypeId: string;
  username: string;
}

export interface GafapayConfig {
  /** API base including the version, e.g. https://api.gafapay.com:8443/gafapay/v3 */
  baseUrl: string;
  /**
   * A merchant token GafaPay allowed to redeem on customers' behalf (not a
   * documented promise: a deployment option). Absent (the default): every
   * member call uses the customer's own token from their app code.
   */
  merchantToken?: string | null;
  companyId: string;
  /** GafaPay's id of the currency the points and wallet are in. */
  currencyId: string;
  /** The same currency as an ISO code, for the terminal. */
  currency: string;
  /** The company account that funds the cashback (company_admin_user_info; debit_type_id is the member's wallet). */
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
  /** Longest time a member's app code (and its token) stays in memory (default 15 minutes: one sale). */
  appCodeTtlMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_APP_CODE_TTL_MS = 15 * 60_000;
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
  {
    test: /CONFIG.*(NOT_ACTIVE|INACTIVE|DISABLED)|(NOT_ACTIVE|INACTIVE|DISABLED).*CONFIG/i,
    code: 'REDEMPTION_NOT_ACTIVE',
    message: "Points redemption is switched off in GafaPay's configuration.",
  },
  { test: /CONFIG.*NOT_FOUND/i, code: 'REDEMPTION_NOT_ACTIVE', message: 'GafaPay has no cashback configuration for these points: redemption is not possible.' },
  { test: /INSUFFICIENT|NOT_ENOUGH/i, code: 'INSUFFICIENT_POINTS', message: 'The member does not have enough GafaPay points for this.' },
  { test: /LESS_THAN_MIN|BELOW_MIN|MIN_POINTS/i, code: 'POINTS_BELOW_MIN', message: "That is fewer points than GafaPay's minimum for one redemption." },
  {
    test: /MORE_THAN_MAX|ABOVE_MAX|MAX_POINTS|EXCEEDS?_MAX/i,
    code: 'POINTS_ABOVE_MAX',
    message: "That is more points than GafaPay's maximum for one redemption.",
  },
  { test: /DECIMAL/i, code: 'POINTS_TOO_PRECISE', message: 'GafaPay does not take that many decimals in a points figure.' },
  { test: /INVALID_REDEEM_POINTS|INVALID_POINTS/i, code: 'POINTS_INVALID', message: 'GafaPay refused the points figure: it must be a number above zero.' },
  { test: /USER.*NOT_FOUND|NOT_FOUND.*USER/i, code: 'MEMBER_NOT_FOUND', message: 'No GafaPay member with that id.' },
  { test: /WALLET/i, code: 'BACKEND_REFUSED', message: "The member's GafaPay wallet was not found or is not active: the cashback cannot be credited." },
  {
    test: / is required| must be /i,
    code: 'BACKEND_REFUSED',
    message: 'GafaPay refused the request as incomplete: check the GafaPay settings (currency, company account).',
  },
];

/** Whose token a call carried: a refused customer token is the member's app code, not the terminal's settings. */
export type TokenOwner = 'customer' | 'merchant';

const CUSTOMER_TOKEN_EXPIRED = "The member's GafaPay app code has expired: ask the member to refresh their app code and scan it again.";
const CUSTOMER_TOKEN_REFUSED = "GafaPay did not accept the member's app code: ask the member to refresh their app code and scan it again.";

/** A GafaPay refusal as the terminal's error (nothing was applied). */
export function gafapayError(messages: string[], httpStatus: number, owner: TokenOwner = 'merchant'): PosError {
  const text = messages.join('; ');
  const details: Record<string, unknown> = { status: httpStatus, notApplied: true };
  if (text) details.backendMessage = text.slice(0, 300);
  if (owner === 'customer' && (httpStatus === 401 || messages.some((t) => /TOKEN/i.test(t)))) {
    const expired = messages.some((t) => /TOKEN.*EXPIRED|EXPIRED.*TOKEN/i.test(t));
    return new PosError('MEMBER_CODE_EXPIRED', expired ? CUSTOMER_TOKEN_EXPIRED : CUSTOMER_TOKEN_REFUSED, { details });
  }
  const found = GAFAPAY_MESSAGES.find((m) => messages.some((t) => m.test.test(t)));
  if (found) return new PosError(found.code, found.message, { details });
  if (httpStatus === 401 || httpStatus === 403)
    return new PosError('BACKEND_AUTH', "GafaPay refused the terminal's credentials: check the token and company id in settings.", { details });
  if (httpStatus === 404 && !text)
    return new PosError('BACKEND_BAD_RESPONSE', 'GafaPay does not know this address: check the API address in settings.', { details });
  return new PosError('BACKEND_REFUSED', `GafaPay refused this${text ? `: ${text.slice(0, 200)}` : '.'}`, { details });
}

/**
 * Reads the envelope of any answer: data on success (success 1 on a 2xx),
 * the mapped refusal otherwise. 5xx and 429 never get here (http.ts). An
 * answer without a readable envelope is BACKEND_BAD_RESPONSE without
 * notApplied, whatever its status: nothing says it was refused.
 */
export function readEnvelope(res: HttpJsonResponse, owner: TokenOwner = 'merchant'): unknown {
  const env = envelopeSchema.safeParse(res.body);
  if (!env.success) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay sent an answer without its envelope.', { details: { status: res.status } });
  }
  const messages = env.data.error.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
  if (res.status >= 200 && res.status < 300 && env.data.success) {
    if (typeof env.data.data !== 'object' || env.data.data === null)
      throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay answered without its data.', { details: { status: res.status } });
    return env.data.data;
  }
  if (messages.length === 0 && res.status >= 200 && res.status < 300) {
    throw new PosError('BACKEND_BAD_RESPONSE', 'GafaPay answered "not successful" without saying why.', { details: { status: res.status } });
  }
  throw gafapayError(messages, res.status, owner);
}

/** A JSON number for a points figure, written from the exact decimal string ("25.5"): never computed in floating point. */
const pointsNumber = (milli: PointsMilli): number => Number(pointsToDecimalString(milli));

/** A cashback amount in an answer, or null where it cannot be read: the points are taken by then, so it is a fact to keep, not a reason to refuse. */
function cashbackOf(v: unknown): number | null {
  try {
    return centsFromBackend(v);
  } catch {
    return null;
  }
}

/** What the terminal holds of a member's app code, for one sale. */
interface HeldCode {
  walletId: string;
  token: string | null;
  expiresAt: number;
}

// ======================================================================
// The adapter.
// ======================================================================

export function createGafapayAdapter(config: GafapayConfig): LoyaltyAdapter {
  const http = config.http ?? httpJson;
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  const decimals = config.pointsDecimals ?? 2;
  const step = pointsStep(decimals);
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userType = config.userType ?? 2;
  const skewMs = (config.clockSkewSec ?? 300) * 1000;
  const pageSize = config.historyPageSize ?? 50;
  const maxPages = config.historyMaxPages ?? 20;
  const codeTtlMs = config.appCodeTtlMs ?? DEFAULT_APP_CODE_TTL_MS;
  const now = config.now ?? Date.now;
  const merchantToken = config.merchantToken?.trim() ? config.merchantToken.trim() : null;
  /** user id -> the member's app code, in memory only, for the sale under way. */
  const held = new Map<string, HeldCode>();

  const info: BackendInfo = {
    id: 'gafapay',
    name: 'GafaPay',
    capabilities: {
      redemption: 'points',
      identifiers: ['appCode'],
      pointsDecimals: decimals,
      validationCode: false,
      reversal: 'none',
      retrySafety: 'lookup-before-retry',
      balanceAtCounter: true,
    },
  };

  interface Credentials {
    token: string | null;
    owner: TokenOwner;
  }

  async function call(
    method: HttpMethod,
    path: string,
    query: Record<string, string>,
    cred: Credentials,
    body?: unknown,
    requestId: string = randomUUID(),
  ): Promise<unknown> {
    return (await callWithClock(method, path, query, cred, body, requestId)).data;
  }

  /** One call, with GafaPay's clock at the answer (its Date header; null when absent or unreadable): lookups window on it. */
  async function callWithClock(
    method: HttpMethod,
    path: string,
    query: Record<string, string>,
    cred: Credentials,
    body?: unknown,
    requestId: string = randomUUID(),
  ): Promise<{ data: unknown; backendNowMs: number | null }> {
    const q = new URLSearchParams(query);
    const headers: Record<string, string> = { companyid: config.companyId, requestid: requestId };
    if (cred.token) headers.authorization = `Token ${cred.token}`;
    const res = await http({ method, url: `${baseUrl}${path}${q.size ? `?${q.toString()}` : ''}`, headers, body, timeoutMs });
    const date = res.headers.date ? Date.parse(res.headers.date) : NaN;
    return { data: readEnvelope(res, cred.owner), backendNowMs: Number.isNaN(date) ? null : date };
  }

  function heldCode(userId: string): HeldCode {
    const h = held.get(userId);
    if (!h || h.expiresAt <= now()) {
      held.delete(userId);
      throw new PosError(
        'MEMBER_CODE_EXPIRED',
        "This terminal no longer holds the member's GafaPay app code: ask the member to refresh their app code and scan it again.",
        {
          details: { notApplied: true },
        },
      );
    }
    return h;
  }

  /** The token a member's calls carry: theirs (the documented flow) or the merchant's where the setting allows it. */
  function credentialsFor(userId: string): Credentials {
    if (merchantToken) return { token: merchantToken, owner: 'merchant' };
    return { token: heldCode(userId).token, owner: 'customer' };
  }

  async function balanceOf(userId: string): Promise<PointsMilli> {
    const data = readData(
      userPointsSchema,
      await call('GET', paths.userPoints, { user_id: userId, currency_id: config.currencyId }, credentialsFor(userId)),
      'the balance',
    );
    if (!data.user_points) throw new PosError('MEMBER_NOT_FOUND', 'GafaPay has no points account for this member.');
    return pointsFromBackend(data.user_points.points);
  }

  function checkPoints(milli: PointsMilli): void {
    if (!Number.isSafeInteger(milli) || milli <= 0) throw new PosError('POINTS_INVALID', undefined, { details: { notApplied: true } });
    if (milli % step !== 0) {
      throw new PosError(
        'POINTS_TOO_PRECISE',
        decimals === 0 ? 'GafaPay points are whole numbers here.' : `GafaPay points have at most ${decimals} decimals here.`,
        { details: { notApplied: true } },
      );
    }
  }

  function acceptAppCode(identifier: MemberIdentifier): MemberIdentifier {
    const code = identifier.kind === 'appCode' ? parseAppCode(identifier.value) : null;
    if (!code)
      throw new PosError('MEMBER_NUMBER_FORMAT', "Scan the code the member's GafaPay app shows for paying with points.", { details: { read: 'GP1:…' } });
    if (!code.token && !merchantToken) {
      throw new PosError('MEMBER_NUMBER_FORMAT', "That GafaPay code carries no session: ask the member to open the app's pay-with-points code.", {
        details: { read: 'GP1:…' },
      });
    }
    for (const [k, v] of held) if (v.expiresAt <= now()) held.delete(k);
    held.set(code.userId, { walletId: code.walletId, token: code.token, expiresAt: now() + codeTtlMs });
    return { kind: 'externalId', value: code.userId };
  }

  async function redemptionConfig(cred: Credentials) {
    return readData(
      redeemConfigSchema,
      await call('GET', paths.redeemConfig, { user_type: String(userType), currency_id: config.currencyId }, cred),
      'the redemption configuration',
    );
  }

  return {
    info,
    acceptAppCode,

    async probe() {
      try {
        await redemptionConfig({ token: merchantToken, owner: 'merchant' });
      } catch (e) {
        // Without a merchant token there is nobody's token to probe with: an
        // envelope refusing the missing token still proves GafaPay answers.
        if (!merchantToken && e instanceof PosError && e.code === 'BACKEND_AUTH' && e.details?.status === 401) return;
        throw e;
      }
    },

    async lookupMember(identifier: MemberIdentifier): Promise<MemberAccount> {
      const plain = identifier.kind === 'appCode' ? acceptAppCode(identifier) : identifier;
      if (plain.kind !== 'externalId' || !held.has(plain.value)) {
        throw new PosError('INVALID_INPUT', 'GafaPay members are identified by the code their GafaPay app shows: scan it.');
      }
      const balanceMilli = await balanceOf(plain.value);
      return { identifier: plain, backendMemberId: plain.value, balanceMilli, messages: [] };
    },

    async getTerms(member: MemberAccount): Promise<RedemptionTerms> {
      const data = await redemptionConfig(credentialsFor(member.backendMemberId));
      const cashback = data.points_redeem_configs.filter(
        (c) => c.redeem_type === REDEEM_TYPE_CASHBACK && (c.currency_id === undefined || c.currency_id === null || c.currency_id === config.currencyId),
      );
      if (cashback.length === 0)
        throw new PosError('REDEMPTION_NOT_ACTIVE', 'GafaPay has no cashback configuration for these points: redemption is not possible.');
      const cfg = cashback.find((c) => c.is_active);
      if (!cfg) throw new PosError('REDEMPTION_NOT_ACTIVE', "Points redemption is switched off in GafaPay's configuration.");
      const rate = rateFromPair(pointsFromBackend(cfg.no_of_points), centsFromBackend(cfg.points_value));
      const min = cfg.min_points_to_redeem === undefined || cfg.min_points_to_redeem === null ? step : pointsFromBackend(cfg.min_points_to_redeem);
      const max = cfg.max_points_to_redeem === undefined || cfg.max_points_to_redeem === null ? null : pointsFromBackend(cfg.max_points_to_redeem);
      return {
        rate,
        currency: config.currency,
        decimals,
        minPointsMilli: Math.max(min, step),
        maxPointsMilli: max !== null && max > 0 ? max : null,
        stepMilli: step,
        benefit: 'cashback',
      };
    },

    async redeem(req: RedeemRequest): Promise<RedeemReceipt> {
      checkPoints(req.pointsMilli);
      const userId = req.member.backendMemberId;
      // Everything before the POST cannot have redeemed anything.
      const code = heldCode(userId);
      const cred = credentialsFor(userId);
      const a = config.companyAdmin;
      let data: unknown;
      try {
        data = await call(
          'POST',
          paths.redeem,
          {},
          cred,
          {
            redeem_points: pointsNumber(req.pointsMilli),
            user_type: userType,
            user_id: userId,
            wallet_id: code.walletId,
            currency_id: config.currencyId,
            company_admin_user_info: {
              currency_id: config.currencyId,
              debit_type: a.debitType,
              // The document: debit_type_id equals the member's wallet id.
              debit_type_id: code.walletId,
              debit_account_type: a.debitAccountType,
              debit_account_type_id: a.debitAccountTypeId,
              username: a.username,
            },
          },
          requestIdFor(req.reference),
        );
      } catch (e) {
        // A clear refusal ends this sale's use of the code; anything in doubt keeps it for the retry.
        if (e instanceof PosError && e.details?.notApplied === true) held.delete(userId);
        throw e;
      }
      const answer = redeemAnswerSchema.safeParse(data);
      if (!answer.success || (answer.data.message !== undefined && answer.data.message !== GAFAPAY_REDEEM_SUCCESS)) {
        // Sent, and GafaPay said "success" but not in a form we can read: cannot tell.
        throw new PosError(
          'BACKEND_BAD_RESPONSE',
          'GafaPay confirmed the redemption in a form the terminal cannot read: it will check before anything is sent again.',
        );
      }
      held.delete(userId);
      const d = answer.data.redeem_points_detail;
      let points: PointsMilli;
      try {
        points = d.points === undefined ? req.pointsMilli : pointsFromBackend(d.points);
      } catch {
        points = Number.NaN;
      }
      if (points !== req.pointsMilli) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `GafaPay redeemed ${Number.isNaN(points) ? 'an unreadable number of' : pointsToDecimalString(points)} points instead of ${pointsToDecimalString(req.pointsMilli)}: a manager must check.`,
          {
            details: { backendReference: d.txn_id },
          },
        );
      }
      return {
        backendReference: d.txn_id,
        pointsMilli: points,
        balanceAfterMilli: null,
        detail: { cashbackCents: cashbackOf(d.amount), txnNumber: d.txn_number ?? null },
      };
    },

    async findRedemption(req: RedeemRequest, context?: LookupContext): Promise<RedeemReceipt | null> {
      checkPoints(req.pointsMilli);
      // Nothing of it can have been applied before it was first sent (the commit, when that is unknown).
      const requested = Date.parse(context?.firstSentAt ?? req.requestedAt);
      if (Number.isNaN(requested)) throw new PosError('OUTCOME_UNKNOWN', 'The redemption has no valid time to look it up by: a manager must check.');
      let cred: Credentials;
      try {
        cred = credentialsFor(req.member.backendMemberId);
      } catch {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          "GafaPay's history can only be read with the member's app code, which this terminal no longer holds: a manager must check.",
          { details: { reconciledBy: 'history' } },
        );
      }
      const localNow = now();
      const candidates: Array<{ id: string; transaction_id?: string | null; amount?: unknown; created_date: number }> = [];
      let backendNow: number | null = null;
      let read = 0;
      let complete = false;
      for (let page = 0; page < maxPages; page++) {
        const res = await callWithClock(
          'GET',
          paths.history,
          { user_id: req.member.backendMemberId, currency_id: config.currencyId, skip: String(page * pageSize), limit: String(pageSize) },
          cred,
        );
        backendNow ??= res.backendNowMs;
        const parsed = historySchema.safeParse(res.data);
        if (!parsed.success)
          throw new PosError('OUTCOME_UNKNOWN', "GafaPay's redemption history could not be read: a manager must check.", {
            details: { reconciledBy: 'history' },
          });
        const list = parsed.data.user_points_redeem;
        read += list.length;
        for (const r of list) {
          let pts: PointsMilli | null;
          try {
            pts = pointsFromBackend(r.points);
          } catch {
            pts = null;
          }
          if (pts === req.pointsMilli) candidates.push(r);
        }
        // No order is assumed: only a short page ends the history.
        if (list.length < pageSize) {
          complete = true;
          break;
        }
      }
      // The window on GafaPay's clock: as long ago as the redemption was sent by this terminal's clock
      // (a terminal clock minutes off cancels out), less the skew allowance; never one this terminal's
      // other sales already hold.
      const sentOnBackendMs = (backendNow ?? localNow) - (localNow - requested);
      const fromSec = Math.floor((sentOnBackendMs - skewMs) / 1000);
      const matches = candidates.filter(
        (r) =>
          Number.isFinite(r.created_date) &&
          r.created_date >= fromSec &&
          !context?.claimed.has(r.id) &&
          !(typeof r.transaction_id === 'string' && context?.claimed.has(r.transaction_id)),
      );
      // Applied only by one from after the send (to the second); one only inside the skew allowance
      // could be another sale's of the same points.
      const afterSend = matches.filter((r) => r.created_date >= Math.floor((sentOnBackendMs - 2_000) / 1000));
      if (!complete)
        throw new PosError('OUTCOME_UNKNOWN', `GafaPay's redemption history is too long to search (${read} entries read): a manager must check.`, {
          details: { reconciledBy: 'history', read },
        });
      if (matches.length === 0) {
        // The history carries no reference of ours: it can confirm, never prove absence.
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `GafaPay's history (${read} entries, read whole) shows no redemption of these points since this sale; it carries no reference of ours, so that does not prove it was not applied: a manager must check.`,
          {
            details: { reconciledBy: 'history', read },
          },
        );
      }
      if (matches.length > 1 || afterSend.length !== 1) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          afterSend.length === 0
            ? `GafaPay shows a redemption of these points from just before this sale was sent, which could be another sale's: a manager must check.`
            : `GafaPay shows ${matches.length} redemptions of these points since this sale: a manager must check which is this sale's.`,
          {
            details: { reconciledBy: 'history', historyIds: matches.map((m) => m.id) },
          },
        );
      }
      const r = matches[0]!;
      const ref = typeof r.transaction_id === 'string' && r.transaction_id !== '' ? r.transaction_id : r.id;
      held.delete(req.member.backendMemberId);
      return {
        backendReference: ref,
        pointsMilli: req.pointsMilli,
        balanceAfterMilli: null,
        detail: { cashbackCents: cashbackOf(r.amount), txnNumber: null, historyId: r.id, reconciledBy: 'history' },
      };
    },
  };
}
// ---- Built from the program's connection fields (shared/programs/gafapay.ts): live and training alike.

export function gafapayFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): LoyaltyAdapter {
  const decimals = optional(values, 'pointsDecimals');
  return createGafapayAdapter({
    baseUrl: required(values, 'baseUrl'),
    // Off (absent) by default: the documented flow uses the member's own token.
    ...(optional(values, 'merchantToken') ? { merchantToken: optional(values, 'merchantToken')! } : {}),
    companyId: required(values, 'companyId'),
    currencyId: required(values, 'currencyId'),
    currency: optional(values, 'currency') ?? 'EUR',
    companyAdmin: {
      debitType: integer(values, 'debitType'),
      debitAccountType: integer(values, 'debitAccountType'),
      debitAccountTypeId: required(values, 'debitAccountTypeId'),
      username: required(values, 'username'),
    },
    userType: 2,
    ...(decimals ? { pointsDecimals: Number(decimals) } : {}),
    ...transport(values, opts),
    ...clock(opts),
  });
}
