/**
 * Capillary adapter (Capillary's published v1.1 API): free-amount points with up to
 * three decimals at the program's points-to-currency ratio, a validation code
 * (OTP) the member reads out where the program requires one, and reversal of
 * a posted redemption, in full or in part, where the program has it switched on.
 *
 * How it talks to Capillary:
 *  - auth: Basic base64(tillId:md5(password)), or an OAuth token from
 *    POST /v3/oauth/token/generate sent as X-CAP-API-OAUTH-TOKEN (cached,
 *    renewed once on a 401);
 *  - member: GET /v2/customers/lookup (mobile, email, externalId, cardnumber),
 *    balance: GET /v2/customers/{id}/loyaltyDetails (totalAvailablePoints);
 *  - terms: the ratio from GET /v1.1/points/isredeemable; min, max and step are
 *    program settings Capillary does not expose, so they come from the
 *    configuration (and Capillary's own refusals 819/821/807 stay authoritative);
 *  - validation code: GET /v1.1/points/validationcode (validation-code.ts);
 *  - redeem: POST /v1.1/points/redeem with transaction_number = the sale's
 *    reference. Capillary does not deduplicate it and documents no lookup by
 *    it: after a lost answer findRedemption() reads a redemption history
 *    (GET /v1.1/customer/redemptions, the emulator's shape, not documented)
 *    which can only confirm this reference; anything else (absent, unreadable,
 *    404) is "cannot tell" and goes to a manager, never a blind retry;
 *  - reverse: POST /v2/points/reverse (partial allowed; 3802 already reversed;
 *    "not enabled" is REVERSAL_NOT_SUPPORTED: manual action needed).
 *
 * The v1.1 envelope's quirks (every value a string, refusals as item_status
 * codes inside an HTTP 200) are read in ONE place: readV11(). Every Capillary
 * code maps to the terminal's own in CAPILLARY_CODES, with plain words.
 */
import { requestIdHeader } from './request-id.js';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BackendInfo, BackendMessage, RedemptionTerms } from '../../shared/domain.js';
import { PosError, type ErrorCode } from '../../shared/errors.js';
import { luhnValid, type IdentifierKind, type MemberIdentifier } from '../../shared/member-number.js';
import {
  centsFromBackend,
  pointsFromBackend,
  pointsToDecimalString,
  rateFromCurrencyPerPoint,
  rateFromPair,
  type PointsMilli,
  type PointsRate,
} from '../../shared/money.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { flag, optional, required, transport, clock, type AdapterOptions } from './connection.js';
import { httpJson, notApplied, type HttpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest, ReverseReceipt, ReverseRequest } from './types.js';
import type { MemberRef, ValidationCodeAdapter, ValidationCodeSent } from './validation-code.js';

export type CapillaryAuth = { kind: 'basic'; tillId: string; password: string } | { kind: 'oauth'; key: string; secret: string };

export interface CapillaryConfig {
  /** The cluster's host, e.g. https://eu.api.capillarytech.com (no version: paths carry v1.1 / v2 / v3). */
  baseUrl: string;
  auth: CapillaryAuth;
  /** The loyalty program redemptions are posted to (program_id). */
  programId: string;
  /** ISO currency of the program's points_currency_ratio. */
  currency: string;
  /** Program setting: the member must give the validation code (OTP) they receive. */
  validationCode: boolean;
  /** Program setting Allow_points_redemption_reversal; false declares reversal 'none'. Default true. */
  reversalEnabled?: boolean;
  /** Program redemption rules, as decimal points figures (Capillary has no API for them). */
  minPoints?: string;
  maxPoints?: string | null;
  /** Redemptions must be a multiple of this ("0.001" = any three-decimal figure, the default). */
  multipleOf?: string;
  /** Used only when isredeemable sends no usable points_currency_ratio. */
  pointsCurrencyRatio?: string;
  /**
   * The organisation's time zone (IANA name, e.g. Asia/Kolkata; default UTC):
   * redemption_time "YYYY-MM-DD HH:MM:SS" carries no zone, and Capillary reads
   * it as the organisation's local time.
   */
  timeZone?: string;
  /** Lookup source, default INSTORE. */
  source?: string;
  /** Tolerance between the terminal's and Capillary's clocks when matching a reversal by time (default 300 s). */
  clockSkewSec?: number;
  timeoutMs?: number;
  now?: () => number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
}

const DEFAULT_TIMEOUT_MS = 10_000;

// ======================================================================
// Wire names: every path and field name the adapter relies on.
// ======================================================================

const paths = {
  token: '/v3/oauth/token/generate',
  lookup: '/v2/customers/lookup',
  loyaltyDetails: (id: string) => `/v2/customers/${encodeURIComponent(id)}/loyaltyDetails`,
  isRedeemable: '/v1.1/points/isredeemable',
  validationCode: '/v1.1/points/validationcode',
  redeem: '/v1.1/points/redeem',
  history: '/v1.1/customer/redemptions',
  reverse: '/v2/points/reverse',
  probe: '/v1.1/organization/get',
};

/** identifierName for /v2/customers/lookup. */
const LOOKUP_NAME: Partial<Record<IdentifierKind, string>> = { mobile: 'mobile', email: 'email', externalId: 'externalId', card: 'cardnumber' };
/** The v1.1 query / customer-object key for each identifier kind. */
const V11_KEY: Partial<Record<IdentifierKind, string>> = { mobile: 'mobile', email: 'email', externalId: 'external_id', card: 'card_number' };

// ======================================================================
// Capillary's codes -> the terminal's, in plain words.
// ======================================================================

interface CodeMapping {
  code: ErrorCode;
  message: string;
  /** The refusal is final and nothing was applied (default true). */
  notApplied?: boolean;
}

const NOT_ENOUGH: CodeMapping = { code: 'INSUFFICIENT_POINTS', message: 'The member does not have enough points for this.' };
const BLOCKED: CodeMapping = { code: 'MEMBER_BLOCKED', message: 'Capillary has marked this member as fraud: points cannot be used.' };
const NOT_FOUND: CodeMapping = { code: 'MEMBER_NOT_FOUND', message: 'No Capillary member with that number.' };
const NOT_ENROLLED: CodeMapping = { code: 'MEMBER_NOT_FOUND', message: 'This customer is not enrolled in the loyalty program.' };
const SETUP: CodeMapping = { code: 'BACKEND_REFUSED', message: "The loyalty program's points setup is incomplete at Capillary: call support." };
const BUSY: CodeMapping = {
  code: 'BACKEND_UNAVAILABLE',
  message: 'Capillary could not process points just now; the terminal will try again.',
  notApplied: false,
};
const NO_SUCH_REDEMPTION: CodeMapping = { code: 'BACKEND_REFUSED', message: 'Capillary has no such redemption to give points back on: a manager must check.' };
const REVERSAL_OFF: CodeMapping = {
  code: 'REVERSAL_NOT_SUPPORTED',
  message: 'Capillary has reversal switched off for this program: give the points back by hand in Capillary (manual action needed).',
};
const ALREADY: CodeMapping = { code: 'ALREADY_REVERSED', message: 'Capillary says these points were already given back.' };

/**
 * What Capillary's document does not fix, in ONE place. The emulator answers
 * each in its default form and, switched (POST /_control/capillary/forms), in
 * a plausible alternative: the adapter's tests prove it reads both or fails
 * safe (a refusal that changed nothing, never a money decision on a guess).
 */
export const CAPILLARY_GUESSES = {
  /** The OAuth answer's token and lifetime: looked for under `data`, then at the top, by each of these names. */
  oauthTokenFields: ['accessToken', 'access_token', 'token'],
  oauthTtlFields: ['expiresIn', 'expires_in'],
  /** A lifetime the answer does not give: short, so a wrong guess costs a renewal, not a refused sale. */
  oauthDefaultTtlSec: 300,
  /** The reverse API's "not enabled" refusal code; also recognised by its words (REVERSAL_OFF_WORDS). Any other unknown refusal is BACKEND_REFUSED: nothing given back, a manager sees it. */
  reversalNotEnabledCode: 3801,
  /** identifier.type sent with a reversal for Capillary's customer id; refused as another type, the reversal fails safe (nothing given back, notApplied). */
  reversalIdentifierType: 'ID',
  /**
   * Codes the issue names as "the document's" (828, 1632, 3316) but whose
   * meaning no source available here gives (Capillary's published code list has none of them).
   * Mapped conservatively: on a read they are a refusal that changed nothing;
   * on a redemption or reversal already sent they are "cannot tell" (the points
   * may have moved), never a refusal a resend could turn into a double charge.
   */
  unexplainedCodes: [828, 1632, 3316] as readonly number[],
} as const;

/** The reverse API's "not enabled" refusal code (CAPILLARY_GUESSES). */
const CAP_REVERSAL_NOT_ENABLED_CODE = CAPILLARY_GUESSES.reversalNotEnabledCode;
const REVERSAL_OFF_WORDS = /revers[a-z]*\b[^.]*\bnot\s+(enabled|allowed|configured)|\bnot\s+(enabled|allowed)\b[^.]*revers/i;

export const CAPILLARY_CODES: Readonly<Record<number, CodeMapping>> = {
  401: { code: 'BACKEND_AUTH', message: "Capillary refused the terminal's credentials: check the till id and password (or OAuth key) in settings." },
  618: BLOCKED,
  686: NOT_ENROLLED,
  801: { code: 'POINTS_INVALID', message: 'Capillary refused the points figure: it must be a number above zero.' },
  802: { code: 'MEMBER_NUMBER_FORMAT', message: 'Capillary did not accept that mobile number, e-mail, card number or id.' },
  803: NOT_ENOUGH,
  804: NOT_ENOUGH,
  805: { code: 'BACKEND_REFUSED', message: 'The member has not earned enough points over time to redeem yet.' },
  806: { code: 'BACKEND_REFUSED', message: 'The member has not spent enough yet to redeem points.' },
  807: { code: 'POINTS_NOT_MULTIPLE', message: 'The program only takes points in fixed steps: choose a multiple of the step.' },
  808: { code: 'VALIDATION_CODE_WRONG', message: 'The validation code is wrong or has expired. Ask the member to read it again, or send a new one.' },
  809: BLOCKED,
  810: { code: 'INVALID_INPUT', message: 'That is more points than are left to give back on this redemption.' },
  811: { code: 'BACKEND_REFUSED', message: 'Capillary did not accept the sale reference for these points.' },
  812: ALREADY,
  813: NOT_ENOUGH,
  814: NO_SUCH_REDEMPTION,
  815: BUSY,
  816: NOT_FOUND,
  817: { code: 'BACKEND_REFUSED', message: 'Capillary refused the redemption.' },
  818: NOT_ENOUGH,
  819: { code: 'POINTS_ABOVE_MAX', message: 'That is more points than the program allows in one redemption.' },
  820: BLOCKED,
  821: { code: 'POINTS_BELOW_MIN', message: "That is fewer points than the program's minimum for one redemption." },
  822: { code: 'BACKEND_REFUSED', message: 'Capillary found no missed call from the member to validate this redemption.' },
  823: { code: 'BACKEND_REFUSED', message: 'Missed-call validation is switched off for this program.' },
  824: { code: 'VALIDATION_CODE_REQUIRED', message: 'This program needs the validation code the member received: send it and ask for it first.' },
  825: SETUP,
  826: SETUP,
  827: { code: 'REDEMPTION_NOT_ACTIVE', message: 'Points redemption is switched off for this program at Capillary.' },
  859: { code: 'INVALID_INPUT', message: "Capillary refused the redemption time the terminal sent: check the terminal's clock." },
  860: { code: 'BACKEND_REFUSED', message: 'Capillary could not send the validation code. Check the mobile number or e-mail with the member.' },
  876: {
    code: 'BACKEND_REFUSED',
    message: 'The points can be used, but Capillary could not send the validation code. Check the mobile number or e-mail with the member.',
  },
  878: { code: 'POINTS_TOO_PRECISE', message: 'Capillary takes at most three decimals in a points figure.' },
  881: NOT_ENROLLED,
  886: BUSY,
  887: BUSY,
  888: SETUP,
  889: BUSY,
  894: BUSY,
  895: SETUP,
  898: BUSY,
  899: SETUP,
  901: { code: 'BACKEND_REFUSED', message: 'Capillary refused the points or redemption to give back.' },
  902: NO_SUCH_REDEMPTION,
  903: { code: 'BACKEND_REFUSED', message: 'Capillary refused the redemption.' },
  904: NOT_FOUND,
  3045: BLOCKED,
  [CAP_REVERSAL_NOT_ENABLED_CODE]: REVERSAL_OFF,
  3802: ALREADY,
  8015: NOT_FOUND,
};

/**
 * A code Capillary's document does not explain (CAPILLARY_GUESSES.unexplainedCodes) or that the
 * terminal does not know, answered to a call that moves points (`afterSend`): whether the points
 * moved cannot be told from it, so a manager checks before anything is sent again.
 */
function cannotTellMapping(backendCode: number | undefined): CodeMapping {
  const which = backendCode !== undefined ? `code ${backendCode}` : 'an answer';
  return {
    code: 'OUTCOME_UNKNOWN',
    message: `Capillary answered with ${which}, which its document does not explain: it is not known whether the points moved. A manager must check in Capillary before anything is sent again.`,
    notApplied: false,
  };
}

const UNEXPLAINED_ON_READ: CodeMapping = {
  code: 'BACKEND_REFUSED',
  message: "Capillary refused with a code its document does not explain. Nothing was taken: try again, or call Capillary's support if it repeats.",
};

/**
 * A Capillary refusal as the terminal's error, keeping Capillary's code and words in details.
 * `afterSend`: the call moves points (a redemption or reversal), so an answer whose meaning is
 * not documented is "cannot tell", never a refusal.
 */
export function capillaryError(backendCode: number | undefined, backendMessage: string | undefined, httpStatus: number, afterSend = false): PosError {
  const unexplained = backendCode !== undefined && CAPILLARY_GUESSES.unexplainedCodes.includes(backendCode);
  let m: CodeMapping | undefined = unexplained
    ? afterSend
      ? cannotTellMapping(backendCode)
      : UNEXPLAINED_ON_READ
    : backendCode !== undefined
      ? CAPILLARY_CODES[backendCode]
      : undefined;
  if (backendMessage && REVERSAL_OFF_WORDS.test(backendMessage)) m = REVERSAL_OFF;
  if (!m && httpStatus === 401) m = CAPILLARY_CODES[401];
  if (!m && httpStatus === 403) m = { code: 'BACKEND_AUTH', message: 'Capillary does not allow this terminal to do that: check its access group.' };
  // An unknown item code inside a 200 (v1.1) says nothing about what happened; an HTTP 4xx refused the request itself.
  if (!m && afterSend && httpStatus < 400) m = cannotTellMapping(backendCode);
  const mapping = m ?? {
    code: 'BACKEND_REFUSED' as const,
    message: `Capillary refused this${backendCode !== undefined ? ` (code ${backendCode})` : ''}${backendMessage ? `: ${backendMessage.slice(0, 200)}` : '.'}`,
  };
  const details: Record<string, unknown> = { status: httpStatus };
  if (mapping.notApplied !== false) details.notApplied = true;
  if (backendCode !== undefined) details.backendCode = backendCode;
  if (backendMessage) details.backendMessage = backendMessage.slice(0, 300);
  if (mapping.code === 'REVERSAL_NOT_SUPPORTED') details.manualAction = true;
  if (backendCode === 807 && backendMessage) {
    const step = /multiple of\s+(\d+(?:\.\d+)?)/i.exec(backendMessage);
    if (step) details.stepMilli = pointsFromBackend(step[1]);
  }
  return new PosError(mapping.code, mapping.message, { details });
}

// ======================================================================
// The envelope, read in one place.
// ======================================================================

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Capillary's "true"/"false" strings (and real booleans). */
export function capBool(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  return undefined;
}

/** Capillary's numeric codes, as strings or numbers. */
export function capInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** Text of a string-valued field ("" and non-strings are absent). */
function capText(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** XML-born lists arrive as an array, a single object, or nothing. */
function capList(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj);
  return isObj(v) ? [v] : [];
}

const SUCCESS_ITEM_CODES = new Set([800, 200]);

/**
 * The v1.1 envelope as zod reads it: {response: {status?: {success, code,
 * message}, ...items}}. Values inside are strings or numbers (capBool /
 * capInt read both); unknown fields are kept for `pick`.
 */
const v11EnvelopeSchema = z.object({
  response: z.looseObject({
    status: z.looseObject({ success: z.unknown().optional(), code: z.unknown().optional(), message: z.unknown().optional() }).optional().catch(undefined),
  }),
});
/** An item that carries its own item_status (a refusal may sit inside an HTTP 200). */
const v11ItemSchema = z.looseObject({
  item_status: z.looseObject({ success: z.unknown().optional(), code: z.unknown().optional(), message: z.unknown().optional() }),
});

/**
 * Reads a v1.1 answer. `pick` finds the item in `response` (the object under
 * the top-level "response"). An item whose item_status code is not a success
 * becomes the mapped refusal, whatever the HTTP status (usually 200); an
 * answer without an item falls back to response.status. With `tolerant`, a
 * refused item is returned rather than thrown (with its refusal), for callers
 * that read fields from it anyway.
 */
export function readV11(res: HttpJsonResponse, pick: (response: Obj) => unknown, afterSend = false): { item: Obj; refusal: PosError | null } {
  const env = v11EnvelopeSchema.safeParse(res.body);
  if (!env.success) {
    if (res.status >= 400) return { item: {}, refusal: capillaryError(undefined, undefined, res.status, afterSend) };
    throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary sent an answer without its response envelope.', { details: { status: res.status } });
  }
  const response = env.data.response;
  const status = env.data.response.status;
  const item = pick(response);
  const withStatus = v11ItemSchema.safeParse(item);
  if (withStatus.success) {
    const st = withStatus.data.item_status;
    const code = capInt(st.code);
    const ok = code !== undefined ? SUCCESS_ITEM_CODES.has(code) : capBool(st.success) === true;
    if (ok && res.status < 400) return { item: withStatus.data, refusal: null };
    return { item: withStatus.data, refusal: capillaryError(code, capText(st.message), res.status, afterSend) };
  }
  if (res.status >= 400 || capBool(status?.success) === false) {
    const code = capInt(status?.code) ?? (res.status >= 400 ? res.status : undefined);
    return { item: isObj(item) ? item : {}, refusal: capillaryError(code, capText(status?.message), res.status, afterSend) };
  }
  if (!isObj(item))
    throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary left out the part of its answer the terminal needs.', { details: { status: res.status } });
  return { item, refusal: null };
}

/** A v1.1 item or the refusal thrown. */
function v11ItemOrThrow(res: HttpJsonResponse, pick: (response: Obj) => unknown, afterSend = false): Obj {
  const { item, refusal } = readV11(res, pick, afterSend);
  if (refusal) throw refusal;
  return item;
}

/** A v2/v3 error answer ({errors: [{code, message}]}) as the terminal's error. */
export function readV2Error(res: HttpJsonResponse, afterSend = false): PosError {
  const b = res.body;
  const first = isObj(b) ? capList(b.errors)[0] : undefined;
  return capillaryError(capInt(first?.code), capText(first?.message), res.status, afterSend);
}

// ======================================================================
// The adapter.
// ======================================================================

function capabilities(config: CapillaryConfig): BackendInfo['capabilities'] {
  return {
    redemption: 'points',
    identifiers: ['mobile', 'email', 'card', 'externalId'],
    pointsDecimals: 3,
    validationCode: config.validationCode,
    reversal: config.reversalEnabled === false ? 'none' : 'partial',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  };
}

function pointsSetting(name: string, v: string | undefined | null, fallback: PointsMilli | null): PointsMilli | null {
  if (v === undefined || v === null) return fallback;
  const milli = pointsFromBackend(v);
  if (milli <= 0 && name !== 'minPoints') throw new PosError('INVALID_INPUT', `Capillary setting ${name} must be above zero.`);
  if (milli < 0) throw new PosError('INVALID_INPUT', `Capillary setting ${name} cannot be negative.`);
  return milli;
}

/** Decimals a step allows: a step of 0.5 allows 1, of 10 allows none. */
function decimalsOfStep(stepMilli: PointsMilli): number {
  if (stepMilli % 1000 === 0) return 0;
  if (stepMilli % 100 === 0) return 1;
  if (stepMilli % 10 === 0) return 2;
  return 3;
}

/** "YYYY-MM-DD HH:MM:SS" for redemption_time, as the wall clock reads in `timeZone` (the organisation's). */
export function capillaryTime(iso: string, timeZone = 'UTC'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new PosError('INVALID_INPUT', 'The redemption has no valid time.', { details: { notApplied: true } });
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** An IANA time zone the runtime knows, or a clear settings error. */
function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return tz;
  } catch {
    throw new PosError('INVALID_INPUT', `"${tz}" is not a time zone name (e.g. Europe/Brussels, Asia/Kolkata).`, { details: { field: 'timeZone' } });
  }
}

function parseCapTime(v: unknown): number | undefined {
  const s = capText(v);
  if (!s) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s) ? s.replace(' ', 'T') + 'Z' : s);
  return Number.isNaN(t) ? undefined : t;
}

export function createCapillaryAdapter(config: CapillaryConfig): LoyaltyAdapter & ValidationCodeAdapter {
  const http = config.http ?? httpJson;
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  if (!/^\d+$/.test(config.programId)) throw new PosError('INVALID_INPUT', 'The Capillary program id is a number.');
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = config.now ?? Date.now;
  const skewMs = (config.clockSkewSec ?? 300) * 1000;
  const stepMilli = pointsSetting('multipleOf', config.multipleOf, 1)!;
  const minMilli = pointsSetting('minPoints', config.minPoints, stepMilli)!;
  const maxMilli = pointsSetting('maxPoints', config.maxPoints, null);
  const fallbackRate = config.pointsCurrencyRatio ? rateFromCurrencyPerPoint(config.pointsCurrencyRatio) : null;
  const source = config.source ?? 'INSTORE';
  const timeZone = checkTimeZone(config.timeZone ?? 'UTC');
  const info: BackendInfo = { id: 'capillary', name: 'Capillary', capabilities: capabilities(config) };

  const basicHeader =
    config.auth.kind === 'basic'
      ? `Basic ${Buffer.from(`${config.auth.tillId}:${createHash('md5').update(config.auth.password, 'utf8').digest('hex')}`).toString('base64')}`
      : null;

  // ---- OAuth token: cached, shared by concurrent callers, dropped on a 401.
  let cachedToken: { token: string; expiresAt: number } | null = null;
  let tokenInFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const auth = config.auth as Extract<CapillaryAuth, { kind: 'oauth' }>;
    const res = await http({ method: 'POST', url: baseUrl + paths.token, body: { key: auth.key, secret: auth.secret }, timeoutMs });
    if (res.status >= 400) {
      const e = readV2Error(res);
      throw new PosError('BACKEND_AUTH', "Capillary refused the terminal's OAuth key and secret: check them in settings.", {
        details: { ...(e.details ?? {}), notApplied: true },
      });
    }
    // Field names are a guess (CAPILLARY_GUESSES): under data, then at the top.
    const places = [isObj(res.body) && isObj(res.body.data) ? res.body.data : undefined, isObj(res.body) ? res.body : undefined].filter(isObj);
    const firstOf = (names: readonly string[]) => places.flatMap((o) => names.map((n) => o[n])).find((v) => v !== undefined);
    const token = capText(firstOf(CAPILLARY_GUESSES.oauthTokenFields));
    if (!token) throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary sent no OAuth token the terminal can find.', { details: { notApplied: true } });
    const ttl = capInt(firstOf(CAPILLARY_GUESSES.oauthTtlFields)) ?? CAPILLARY_GUESSES.oauthDefaultTtlSec;
    cachedToken = { token, expiresAt: now() + Math.max(1, ttl - Math.min(60, ttl / 10)) * 1000 };
    return token;
  }

  async function authHeaders(): Promise<{ headers: Record<string, string>; token: string | null }> {
    if (basicHeader) return { headers: { authorization: basicHeader }, token: null };
    if (cachedToken && cachedToken.expiresAt > now()) return { headers: { 'X-CAP-API-OAUTH-TOKEN': cachedToken.token }, token: cachedToken.token };
    tokenInFlight ??= fetchToken().finally(() => {
      tokenInFlight = null;
    });
    const token = await tokenInFlight;
    return { headers: { 'X-CAP-API-OAUTH-TOKEN': token }, token };
  }

  /**
   * One authenticated call; returns 2xx and other 4xx answers for the caller to
   * read. A 401 is a refusal before anything happened: with OAuth, the token
   * is renewed once and the call sent again.
   */
  async function call(
    method: HttpMethod,
    path: string,
    query: Record<string, string | undefined>,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpJsonResponse> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    const url = `${baseUrl}${path}${q.size ? `?${q.toString()}` : ''}`;
    for (let attempt = 0; ; attempt++) {
      const { headers, token } = await notApplied(authHeaders());
      const res = await http({ method, url, headers: { ...extraHeaders, ...headers }, body, timeoutMs });
      if (res.status === 401) {
        if (token !== null && attempt === 0) {
          if (cachedToken?.token === token) cachedToken = null;
          continue;
        }
        throw new PosError('BACKEND_AUTH', CAPILLARY_CODES[401]!.message, { details: { status: 401, notApplied: true } });
      }
      return res;
    }
  }

  const v11Query = (extra: Record<string, string | undefined>) => ({ ...extra, program_id: config.programId, format: 'json' });

  function v11Identifier(identifier: MemberIdentifier): Record<string, string> {
    const key = V11_KEY[identifier.kind];
    if (!key) throw new PosError('INVALID_INPUT', `Capillary members are not found by ${identifier.kind}.`, { details: { notApplied: true } });
    return { [key]: identifier.value };
  }

  function checkPoints(milli: PointsMilli): void {
    if (!Number.isSafeInteger(milli) || milli <= 0) throw new PosError('POINTS_INVALID', undefined, { details: { notApplied: true } });
  }

  async function lookupBy(identifier: MemberIdentifier): Promise<Obj> {
    const name = LOOKUP_NAME[identifier.kind];
    if (!name)
      throw new PosError('INVALID_INPUT', `Capillary members are found by mobile number, e-mail, card number or external id, not by ${identifier.kind}.`);
    const res = await call('GET', paths.lookup, { source, identifierName: name, identifierValue: identifier.value });
    if (res.status >= 400) throw readV2Error(res);
    if (!isObj(res.body) || (typeof res.body.id !== 'number' && typeof res.body.id !== 'string')) {
      throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary sent a customer without an id.');
    }
    return res.body;
  }

  async function balanceOf(customerId: string): Promise<PointsMilli> {
    const res = await call('GET', paths.loyaltyDetails(customerId), {});
    if (res.status >= 400) throw readV2Error(res);
    const b = isObj(res.body) ? res.body : {};
    const entries = capList(b.loyaltyDetails);
    const entry = entries.find((e) => String(e.programId) === config.programId) ?? entries[0];
    const value = entry?.totalAvailablePoints ?? b.totalAvailablePoints;
    if (value === undefined) throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary sent no points balance for this program.');
    return pointsFromBackend(value);
  }

  /** The isredeemable answer's "redeemable" object, refused or not. */
  async function isRedeemable(
    member: MemberRef,
    pointsMilli: PointsMilli,
    extra: Record<string, string | undefined>,
  ): Promise<{ item: Obj; refusal: PosError | null }> {
    const res = await call('GET', paths.isRedeemable, v11Query({ ...v11Identifier(member.identifier), points: pointsToDecimalString(pointsMilli), ...extra }));
    return readV11(res, (r) => (isObj(r.points) ? r.points.redeemable : undefined));
  }

  async function redemptionHistory(member: { identifier: MemberIdentifier; backendMemberId: string }): Promise<Obj[]> {
    const res = await call('GET', paths.history, { ...v11Identifier(member.identifier), type: 'points', limit: '100', format: 'json' });
    const customer = v11ItemOrThrow(res, (r) => r.customer);
    const redemptions = isObj(customer.redemptions) ? customer.redemptions : undefined;
    if (!redemptions)
      throw new PosError('OUTCOME_UNKNOWN', "Capillary's redemption history could not be read: a manager must check.", {
        details: { reconciledBy: 'history' },
      });
    const points = isObj(redemptions.points) ? redemptions.points : {};
    return capList(points.point);
  }

  function rateFrom(item: Obj, pointsMilli: PointsMilli): PointsRate {
    const ratio = capText(item.points_currency_ratio);
    if (ratio && /^\d+(\.\d+)?$/.test(ratio) && !/^0+(\.0+)?$/.test(ratio)) return rateFromCurrencyPerPoint(ratio);
    const value = capText(item.points_redeem_value);
    if (value) {
      let cents = 0;
      try {
        cents = centsFromBackend(value);
      } catch {
        cents = 0; // unreadable: fall back to the configured ratio below
      }
      if (cents > 0) return rateFromPair(pointsMilli, cents);
    }
    if (fallbackRate) return fallbackRate;
    throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary sent no points-to-currency ratio for this program.');
  }

  const adapter: LoyaltyAdapter & ValidationCodeAdapter = {
    info,

    async probe() {
      const res = await call('GET', paths.probe, { format: 'json' });
      v11ItemOrThrow(res, (r) => r.organization);
    },

    async lookupMember(identifier: MemberIdentifier): Promise<MemberAccount> {
      let found: { customer: Obj; identifier: MemberIdentifier };
      try {
        found = { customer: await lookupBy(identifier), identifier };
      } catch (e) {
        // The scan decides: a digit string read as a mobile number may be a card with a good check digit.
        const digits = identifier.value.replace(/^\+/, '');
        if (!(e instanceof PosError && e.code === 'MEMBER_NOT_FOUND' && identifier.kind === 'mobile' && /^\d{8,19}$/.test(digits) && luhnValid(digits)))
          throw e;
        const asCard: MemberIdentifier = { kind: 'card', value: digits };
        const card = await lookupBy(asCard).catch((e2: unknown) => {
          throw e2 instanceof PosError && e2.code === 'MEMBER_NOT_FOUND' ? e : e2;
        });
        found = { customer: card, identifier: asCard };
      }
      const customerId = String(found.customer.id);
      const profile = capList(found.customer.profiles)[0];
      const messages: BackendMessage[] = [];
      const fraud = isObj(found.customer.fraudDetails) ? capText(found.customer.fraudDetails.status) : undefined;
      if (fraud && !/^(none|not_fraud|unmarked)$/i.test(fraud)) {
        messages.push({ level: 'ERROR', text: 'Capillary has marked this member as fraud: points cannot be used.' });
      }
      const balanceMilli = await balanceOf(customerId);
      return { identifier: found.identifier, backendMemberId: customerId, firstName: capText(profile?.firstName), balanceMilli, messages };
    },

    async getTerms(member: MemberAccount): Promise<RedemptionTerms> {
      const probePoints = minMilli > 0 ? minMilli : stepMilli;
      const { item, refusal } = await isRedeemable(member, probePoints, { issue_otp: 'false' });
      // A refusal of the probe figure (not enough points, fraud...) still carries the program's
      // ratio: the terms stand and the redemption itself will be refused in plain words.
      let rate: PointsRate;
      try {
        rate = rateFrom(item, probePoints);
      } catch (e) {
        throw refusal ?? e;
      }
      return { rate, currency: config.currency, decimals: decimalsOfStep(stepMilli), minPointsMilli: minMilli, maxPointsMilli: maxMilli, stepMilli };
    },

    async requestValidationCode(member: MemberRef, pointsMilli: PointsMilli): Promise<ValidationCodeSent> {
      checkPoints(pointsMilli);
      const requestedAt = new Date(now()).toISOString();
      const res = await call('GET', paths.validationCode, v11Query({ ...v11Identifier(member.identifier), points: pointsToDecimalString(pointsMilli) }));
      v11ItemOrThrow(res, (r) => (isObj(r.validation_code) ? r.validation_code.code : undefined));
      return { pointsMilli, channel: null, requestedAt };
    },

    async checkValidationCode(member: MemberRef, pointsMilli: PointsMilli, code: string): Promise<void> {
      checkPoints(pointsMilli);
      const typed = code.trim();
      if (typed === '') throw new PosError('VALIDATION_CODE_REQUIRED', undefined, { details: { notApplied: true } });
      const { refusal } = await isRedeemable(member, pointsMilli, { issue_otp: 'false', validation_code: typed });
      if (refusal) throw refusal;
    },

    async redeem(req: RedeemRequest): Promise<RedeemReceipt> {
      checkPoints(req.pointsMilli);
      const code = req.validationCode?.trim() ?? '';
      if (config.validationCode && code === '') {
        throw new PosError('VALIDATION_CODE_REQUIRED', CAPILLARY_CODES[824]!.message, { details: { notApplied: true } });
      }
      const customer = v11Identifier(req.member.identifier);
      const item: Obj = {
        // The document's Number, written from the exact decimal string ("12.5"), never computed in floating point.
        points_redeemed: Number(pointsToDecimalString(req.pointsMilli)),
        transaction_number: req.reference,
        customer,
        redemption_time: capillaryTime(req.requestedAt, timeZone),
        notes: `POS redemption, store ${req.storeId}, till ${req.terminalId}`,
      };
      if (code !== '') item.validation_code = code;
      const res = await call('POST', paths.redeem, v11Query({}), { root: { redeem: [item] } });
      const points = v11ItemOrThrow(res, (r) => (isObj(r.responses) ? r.responses.points : undefined), true);
      const redemptionId = capText(points.redemption_id);
      if (!redemptionId) throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary accepted the redemption but sent no redemption id.');
      const taken = points.points_redeemed === undefined ? req.pointsMilli : pointsFromBackend(points.points_redeemed);
      if (taken !== req.pointsMilli) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `Capillary redeemed ${pointsToDecimalString(taken)} points instead of ${pointsToDecimalString(req.pointsMilli)}: a manager must check.`,
          {
            details: { backendReference: redemptionId },
          },
        );
      }
      return {
        backendReference: redemptionId,
        pointsMilli: req.pointsMilli,
        balanceAfterMilli: points.balance === undefined || points.balance === '' ? null : pointsFromBackend(points.balance),
        detail: { transactionNumber: req.reference, ...(capText(points.redeemed_value) ? { redeemedValue: capText(points.redeemed_value) } : {}) },
      };
    },

    async findRedemption(req: RedeemRequest): Promise<RedeemReceipt | null> {
      const list = await redemptionHistory(req.member);
      const mine = list.filter((r) => capText(r.transaction_number) === req.reference || capText(r.bill_number) === req.reference);
      if (mine.length === 0) {
        // Capillary documents no lookup for redemptions (this history is the emulator's shape), so
        // not finding it proves nothing: a manager decides. Finding our own number confirms it.
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `Capillary's history (${list.length} entries) does not list transaction ${req.reference}, but Capillary documents no lookup for redemptions: that does not prove it was not applied. A manager must check.`,
          {
            details: { reconciledBy: 'history', read: list.length },
          },
        );
      }
      if (mine.length > 1) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `Capillary shows ${mine.length} redemptions for this one sale: a manager must check and give back the extra points.`,
          {
            details: { reconciledBy: 'history', backendReferences: mine.map((r) => capText(r.id)) },
          },
        );
      }
      const r = mine[0]!;
      const id = capText(r.id);
      if (!id) throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary listed the redemption without its id.');
      return {
        backendReference: id,
        pointsMilli: r.points_redeemed === undefined ? req.pointsMilli : pointsFromBackend(r.points_redeemed),
        balanceAfterMilli: null,
        detail: {
          transactionNumber: req.reference,
          reconciledBy: 'history',
          ...(capText(r.redeemed_value) ? { redeemedValue: capText(r.redeemed_value) } : {}),
        },
      };
    },
  };

  if (info.capabilities.reversal !== 'none') {
    adapter.reverse = async (req: ReverseRequest): Promise<ReverseReceipt> => {
      checkPoints(req.pointsMilli);
      if (req.pointsMilli > req.original.pointsMilli) {
        throw new PosError('INVALID_INPUT', 'Cannot give back more points than the sale took.', { details: { notApplied: true } });
      }
      const res = await call(
        'POST',
        paths.reverse,
        {},
        {
          redemptionId: req.original.receipt.backendReference,
          // A JSON number written from the exact decimal string ("12.5"), never computed in floating point.
          pointsToBeReversed: Number(pointsToDecimalString(req.pointsMilli)),
          identifier: { type: CAPILLARY_GUESSES.reversalIdentifierType, value: req.member.backendMemberId },
        },
        requestIdHeader(req.reference),
      );
      if (res.status >= 400) throw readV2Error(res, true);
      const b = isObj(res.body) ? res.body : {};
      const errors = capList(b.errors);
      if (errors.length > 0) throw capillaryError(capInt(errors[0]!.code), capText(errors[0]!.message), res.status, true);
      const reversalId = capText(b.reversalId);
      if (!reversalId) throw new PosError('BACKEND_BAD_RESPONSE', 'Capillary confirmed the reversal without a reversal id.');
      const given = b.pointsReversed === undefined ? req.pointsMilli : pointsFromBackend(b.pointsReversed);
      return { backendReference: reversalId, pointsMilli: given, balanceAfterMilli: null };
    };

    adapter.findReversal = async (req: ReverseRequest): Promise<ReverseReceipt | null> => {
      const list = await redemptionHistory(req.member);
      const r = list.find((x) => capText(x.id) === req.original.receipt.backendReference);
      if (!r)
        throw new PosError('OUTCOME_UNKNOWN', "The redemption is not in Capillary's recent history: a manager must check whether the points were given back.", {
          details: { reconciledBy: 'history' },
        });
      if (!isObj(r.reversals) && !Array.isArray(r.reversals)) {
        throw new PosError('OUTCOME_UNKNOWN', 'Capillary does not list reversals here: a manager must check whether the points were given back.', {
          details: { reconciledBy: 'history' },
        });
      }
      const reversals = Array.isArray(r.reversals) ? capList(r.reversals) : capList((r.reversals as Obj).reversal);
      const from = Date.parse(req.requestedAt) - skewMs;
      const candidates = reversals.filter((v) => {
        const at = parseCapTime(v.reversed_on);
        return v.points_reversed !== undefined && pointsFromBackend(v.points_reversed) === req.pointsMilli && at !== undefined && at >= from;
      });
      if (candidates.length === 0) return null;
      if (candidates.length > 1) {
        throw new PosError('OUTCOME_UNKNOWN', 'Capillary shows more than one matching reversal for this refund: a manager must check.', {
          details: { reconciledBy: 'history' },
        });
      }
      const v = candidates[0]!;
      return {
        backendReference: capText(v.reversal_id) ?? `reversal-of-${req.original.receipt.backendReference}`,
        pointsMilli: req.pointsMilli,
        balanceAfterMilli: null,
      };
    };
  }
  return adapter;
}

// ---- Built from the program's connection fields (shared/programs/capillary.ts): live and training alike.

export function capillaryFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): LoyaltyAdapter & ValidationCodeAdapter {
  const till = optional(values, 'tillId');
  const maxPoints = optional(values, 'maxPoints');
  const minPoints = optional(values, 'minPoints');
  const multipleOf = optional(values, 'multipleOf');
  return createCapillaryAdapter({
    baseUrl: required(values, 'baseUrl'),
    auth: till
      ? { kind: 'basic', tillId: till, password: required(values, 'tillPassword') }
      : { kind: 'oauth', key: required(values, 'oauthKey'), secret: required(values, 'oauthSecret') },
    programId: required(values, 'programId'),
    currency: optional(values, 'currency') ?? 'EUR',
    validationCode: flag(values, 'validationCode', true),
    reversalEnabled: flag(values, 'reversalEnabled', true),
    maxPoints: maxPoints ?? null,
    ...(optional(values, 'timeZone') ? { timeZone: optional(values, 'timeZone')! } : {}),
    ...(minPoints ? { minPoints } : {}),
    ...(multipleOf ? { multipleOf } : {}),
    ...transport(values, opts),
    ...clock(opts),
  });
}
