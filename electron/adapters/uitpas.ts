/**
 * UiTPAS adapter (publiq, UiTPAS API 4.0): a reward catalogue with a fixed
 * points price per reward (the part of the official OpenAPI document it uses is kept in
 * sandbox/uitpas/openapi-subset.json and every request this adapter
 * sends is validated against it in the conformance test).
 *
 *   auth        OAuth2 client credentials (token cached; on a 401 a new token once, then BACKEND_AUTH)
 *   lookup      GET /passes?identifier=<uitpasNumber|INSZ>
 *   catalogue   GET /rewards?organizerId=&type=ANY&subset=ALL&status=ACTIVE&start=&limit=
 *               + GET /rewards/{id}/redeem-status?uitpasNumber= per reward (the passholder's standing)
 *   check       GET /rewards/{id} + GET /rewards/{id}/redeem-status?uitpasNumber=
 *   redeem      POST /rewards/redeemed {rewardId, uitpasNumber}; then GET /passes for the new balance
 *   lost answer GET /rewards/redeemed?uitpasNumber= (all pages), matched on reward and time
 *   void        DELETE /rewards/redeemed/{id} (the whole reward; a 404 means it is already cancelled)
 *
 * The member's backend id is the UiTPAS number (every write names the pass by
 * it), also when the member was found by INSZ.
 *
 * Retry safety ("lookup-before-retry"): UiTPAS has no idempotency key and the
 * request carries nothing of the terminal's. findRedemption() lists the
 * passholder's redeemed rewards and looks for this reward redeemed no earlier
 * than the request was committed (minus `clockSkewMs`, since the terminal's
 * clock and the backend's differ), leaving out redemptions this process
 * already matched to another sale. One candidate: that is it. None: it did
 * not take effect. Several: the one strictly after `requestedAt` if it is
 * alone, else OUTCOME_UNKNOWN (the manager decides; nothing is re-sent).
 * Limits: two sales redeeming the same reward for the same passholder within
 * the skew window, across a restart, can only be told apart by the manager.
 *
 * Reversal: cancelling is by the redeemed reward's id, so repeating it cannot
 * give points back twice; a 404 on cancel means it is no longer redeemed
 * (cancelled by an earlier attempt whose answer was lost, or at the UiTPAS
 * desk) and counts as done.
 *
 * getTerms(): UiTPAS has no points-to-money rate. The terms returned make the
 * free-amount path impossible (maxPointsMilli 0: every amount is refused); the
 * service must use the reward flow (./rewards.ts) when
 * capabilities.redemption === 'reward'.
 */
import { requestIdHeader } from './request-id.js';
import type { BackendInfo, BackendMessage, RedemptionTerms } from '../../shared/domain.js';
import { DEFAULT_MESSAGES, PosError, type EndUserMessage, type ErrorCode } from '../../shared/errors.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import { MAX_CENTS, MILLI_PER_POINT, money, pointsFromBackend, type PointsMilli } from '../../shared/money.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { optional, required, transport, clock, type AdapterOptions } from './connection.js';
import { httpJson, notApplied, type HttpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import { createTokenSource } from './oauth-token.js';
import { createRewardDesk, type UitpasRewardDesk } from './uitpas-reward-desk.js';
import { pagedSchema, problemSchema, passMessageSchema, passSchema, redeemedSchema, redeemStatusSchema, rewardSchema } from './uitpas-wire.js';
import type {
  Redeemability,
  Reward,
  RewardCatalogAdapter,
  RewardCheck,
  RewardMemberAccount,
  RewardOffer,
  RewardPage,
  RewardPageRequest,
  RewardRefusalReason,
} from './rewards.js';
import type { LookupContext, MemberAccount, RedeemReceipt, RedeemRequest, ReverseReceipt, ReverseRequest } from './types.js';

export interface UitpasConfig {
  /** API root: https://api-test.uitpas.be (test) or https://api.uitpas.be (production). */
  apiUrl: string;
  /** https://account-test.uitid.be/oauth/token (test) or https://account.uitid.be/oauth/token. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The organizer this counter belongs to (UiTdatabank id): the catalogue is filtered on it. */
  organizerId: string;
  /** Discount each reward gives at this counter, in cents of `currency` (the API has no euro value). */
  rewardDiscounts: Record<string, number>;
  currency: string;
  timeoutMs?: number;
  /** OAuth audience; the real service wants https://api.publiq.be. */
  audience?: string;
  /** OAuth scope: the document's token request has none, so it is sent only when set here. */
  scope?: string;
  /** Tolerated difference between the terminal's clock and the backend's, for reconciliation. Default 2 min. */
  clockSkewMs?: number;
  /** Catalogue subset (GET /rewards `subset`): ALL (default: every ACTIVE reward, with reasons) or ENDUSERS... */
  rewardSubset?: 'ALL' | 'ENDUSERS' | 'REDEEMABLE' | 'REDEEMABLE-FUTURE' | 'ENDUSER-FUTURE';
  /** How many redeem-status checks listRewards runs at once. Default 4. */
  checkConcurrency?: number;
  now?: () => number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
}

export const UITPAS_INFO: BackendInfo = {
  id: 'uitpas',
  name: 'UiTPAS',
  capabilities: {
    redemption: 'reward',
    identifiers: ['uitpas', 'insz'],
    pointsDecimals: 0,
    validationCode: false,
    reversal: 'full',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
};

export const UITPAS_AUDIENCE = 'https://api.publiq.be';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SKEW_MS = 120_000;
/** A Date header counts whole seconds: a redemption up to this long before the send's time may still be it. */
const DATE_GRAIN_MS = 2_000;
const PAGE_LIMIT_DEFAULT = 20;
const PAGE_LIMIT_MAX = 500;
const RECONCILE_PAGE = 100;
/** The problem types of a DELETE 404 that do say the redeemed reward is no longer redeemed. */
const ALREADY_CANCELLED_PROBLEM = /\/probs\/uitpas\/(redeemed-reward-not-found|redeemed-reward-cancelled|reward-already-cancelled)$/;
const RECONCILE_MAX_PAGES = 20;
const KNOWN_IDS_MEMORY = 1000;

/** Dutch texts for a refusal the backend sent without a message (it should always send one). */
const REASON_FALLBACK_NL: Record<RewardRefusalReason, string> = {
  INVALID_CARD: 'Deze UiTPAS is niet geldig.',
  PASSHOLDER_VOLUME: 'Dit voordeel werd al het maximum aantal keer omgeruild.',
  PASSHOLDER_POINTS: 'Niet genoeg punten voor dit voordeel.',
  REWARD_PERIOD: 'Dit voordeel valt buiten de omruilperiode.',
  REWARD_VOLUME: 'Dit voordeel is uitgeput.',
  PASSHOLDER_APPLICABLE_CARDSYSTEMS: 'Dit voordeel geldt niet voor deze UiTPAS-regio.',
  PASSHOLDER_NO_ACTIVE_CARDSYSTEMS: 'Deze UiTPAS heeft geen actief lidmaatschap.',
  UNKNOWN: 'Dit voordeel kan nu niet omgeruild worden.',
};

/** redeem-status reasons as UiTPAS spells them (both spellings of the card-system ones) -> the terminal's. */
export function normalizeReason(raw: unknown): RewardRefusalReason {
  switch (raw) {
    case 'INVALID_CARD':
    case 'PASSHOLDER_VOLUME':
    case 'PASSHOLDER_POINTS':
    case 'REWARD_PERIOD':
    case 'REWARD_VOLUME':
      return raw;
    case 'PASSHOLDER_APPLICABLE_CARDSYSTEM':
    case 'PASSHOLDER_APPLICABLE_CARDSYSTEMS':
      return 'PASSHOLDER_APPLICABLE_CARDSYSTEMS';
    case 'PASSHOLDER_NO_ACTIVE_CARDSYSTEM':
    case 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS':
      return 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS';
    default:
      return 'UNKNOWN';
  }
}

interface ProblemMapping {
  code: ErrorCode;
  message?: string;
  reason?: RewardRefusalReason;
}

/** Problem types (after https://api.publiq.be/probs/) -> the terminal's codes. */
export const PROBLEM_CODES: Record<string, ProblemMapping> = {
  'uitpas/invalid-uitpas-number': { code: 'MEMBER_NUMBER_FORMAT', message: 'UiTPAS does not accept this number.' },
  'uitpas/invalid-uitpasnumber': { code: 'MEMBER_NUMBER_FORMAT', message: 'UiTPAS does not accept this number.' },
  'uitpas/invalid-insz-number': { code: 'MEMBER_NUMBER_FORMAT', message: 'UiTPAS does not accept this national number.' },
  'uitpas/pass-not-found': { code: 'MEMBER_NOT_FOUND', message: 'No UiTPAS with this number.' },
  'uitpas/passholder-not-found': { code: 'MEMBER_NOT_FOUND', message: 'No UiTPAS passholder with this number.' },
  'uitpas/card-blocked': { code: 'MEMBER_BLOCKED', message: 'This UiTPAS card is blocked.' },
  'uitpas/invalid-card-status': { code: 'MEMBER_BLOCKED', message: 'This UiTPAS card is not active.' },
  'uitpas/passholder-blocked': { code: 'MEMBER_BLOCKED', message: 'This UiTPAS passholder is blocked.' },
  'uitpas/invalid-card': { code: 'MEMBER_BLOCKED', message: 'This UiTPAS card cannot be used for rewards.', reason: 'INVALID_CARD' },
  'uitpas/reward-not-found': { code: 'REWARD_NOT_FOUND' },
  'uitpas/reward-passholder-points-constraint': { code: 'INSUFFICIENT_POINTS', reason: 'PASSHOLDER_POINTS' },
  'uitpas/reward-period-constraint': { code: 'REWARD_NOT_REDEEMABLE', message: 'This reward is outside its redeem period.', reason: 'REWARD_PERIOD' },
  'uitpas/reward-volume-constraint': { code: 'REWARD_NOT_REDEEMABLE', message: 'This reward has run out.', reason: 'REWARD_VOLUME' },
  'uitpas/reward-passholder-volume-constraint': {
    code: 'REWARD_NOT_REDEEMABLE',
    message: 'The passholder has redeemed this reward the maximum number of times.',
    reason: 'PASSHOLDER_VOLUME',
  },
  'uitpas/reward-passholder-no-applicable-cardsystems': {
    code: 'REWARD_NOT_REDEEMABLE',
    message: "This reward does not apply to the passholder's card system.",
    reason: 'PASSHOLDER_APPLICABLE_CARDSYSTEMS',
  },
  'uitpas/passholder-no-active-cardsystems': {
    code: 'REWARD_NOT_REDEEMABLE',
    message: 'The passholder has no active card system membership.',
    reason: 'PASSHOLDER_NO_ACTIVE_CARDSYSTEMS',
  },
  'uitpas/reward-not-editable': {
    code: 'BACKEND_REFUSED',
    message: 'This reward was redeemed already: UiTPAS no longer lets its points or the start of its redeem period change.',
  },
  'uitpas/invalid-card-system': { code: 'BACKEND_REFUSED', message: 'UiTPAS does not know a card system the reward names.' },
  'uitpas/organizer-not-found': { code: 'BACKEND_REFUSED', message: 'UiTPAS does not know the organizer id in settings.' },
  'uitpas/rate-limited': { code: 'BACKEND_RATE_LIMITED' },
  'auth/unauthorized': { code: 'BACKEND_AUTH' },
  'auth/forbidden': { code: 'FORBIDDEN', message: "The terminal's UiTPAS client is not allowed to do this for this organizer: ask publiq for the permission." },
  'body/missing': { code: 'BACKEND_REFUSED', message: 'UiTPAS refused the request the terminal sent (body missing).' },
  'body/invalid-syntax': { code: 'BACKEND_REFUSED', message: 'UiTPAS refused the request the terminal sent (invalid JSON).' },
  'body/invalid-data': { code: 'BACKEND_REFUSED', message: 'UiTPAS refused the request the terminal sent (invalid data).' },
  'url/query-limit-exceeded': { code: 'BACKEND_REFUSED', message: 'UiTPAS refused the request the terminal sent (page too large).' },
  'url/not-found': { code: 'BACKEND_BAD_RESPONSE', message: 'UiTPAS does not know this address: check the API address in settings.' },
};

const BY_LAST_SEGMENT = new Map(Object.entries(PROBLEM_CODES).map(([k, v]) => [k.split('/').pop()!, v]));

function endUserMessageOf(v: { nl?: string; fr?: string; de?: string; en?: string } | undefined): EndUserMessage | undefined {
  if (!v) return undefined;
  const out: EndUserMessage = {};
  for (const lang of ['nl', 'fr', 'de', 'en'] as const) if (v[lang] !== undefined) out[lang] = v[lang];
  return Object.keys(out).length ? out : undefined;
}

/**
 * Maps a UiTPAS error answer (4xx; 429 and 5xx are mapped by http.ts) to a
 * PosError: the code from the problem type, the end-user message kept, and
 * details {status, problemType, reason?, cardStatus?, notApplied: true}
 * (UiTPAS refuses a request before applying anything).
 */
export function mapUitpasError(status: number, body: unknown): PosError {
  const parsed = problemSchema.safeParse(body);
  const problem = parsed.success ? parsed.data : undefined;
  const type = problem?.type;
  const endUserMessage = endUserMessageOf(problem?.endUserMessage);
  const details: Record<string, unknown> = { status, notApplied: true };
  if (type) details.problemType = type;
  if (problem?.cardStatus !== undefined) details.cardStatus = problem.cardStatus;
  if (problem?.detail !== undefined) details.backendDetail = problem.detail.slice(0, 300);
  if (problem?.schemaErrors) details.schemaErrors = problem.schemaErrors.slice(0, 5);

  let mapping: ProblemMapping | undefined;
  if (type) {
    const key = type.split(/[?#]/)[0]!.replace(/^.*\/probs\//, '');
    mapping = PROBLEM_CODES[key] ?? BY_LAST_SEGMENT.get(key.split('/').pop()!);
  }
  if (!mapping) {
    if (status === 401) mapping = PROBLEM_CODES['auth/unauthorized'];
    else if (status === 403) mapping = PROBLEM_CODES['auth/forbidden'];
    else if (!problem) mapping = { code: 'BACKEND_BAD_RESPONSE', message: `UiTPAS answered HTTP ${status} without an error document.` };
    else mapping = { code: 'BACKEND_REFUSED', message: `UiTPAS refused the request (HTTP ${status}).` };
  }
  if (mapping!.reason) details.reason = mapping!.reason;
  return new PosError(mapping!.code, mapping!.message ?? DEFAULT_MESSAGES[mapping!.code], { ...(endUserMessage ? { endUserMessage } : {}), details });
}

function bad(what: string): PosError {
  return new PosError('BACKEND_BAD_RESPONSE', `UiTPAS sent ${what} the terminal cannot read.`);
}

/** Reads a Pass (GET /passes) into the terminal's account. */
export function parsePass(body: unknown, identifier: MemberIdentifier): RewardMemberAccount {
  const r = passSchema.safeParse(body);
  if (!r.success) {
    const field = r.error.issues[0]?.path[0];
    throw bad(
      field === 'uitpasNumber'
        ? 'a pass without a UiTPAS number'
        : field === 'passholderId'
          ? 'a pass without a passholder id'
          : field === 'points'
            ? 'a points balance'
            : 'a pass',
    );
  }
  const { uitpasNumber, passholderId, passType, firstName, points, socialTariff, messages } = r.data;
  const stStatus = socialTariff?.status === 'ACTIVE' || socialTariff?.status === 'EXPIRED' ? socialTariff.status : 'NONE';
  const msgs: BackendMessage[] = [];
  for (const raw of messages ?? []) {
    const m = passMessageSchema.safeParse(raw);
    if (!m.success) continue;
    // An unknown level is shown as a warning: a message the backend sends must be seen.
    const level = m.data.level === 'INFO' || m.data.level === 'WARN' || m.data.level === 'ERROR' ? m.data.level : 'WARN';
    msgs.push({ level, text: m.data.text.slice(0, 500) });
  }
  return {
    identifier,
    backendMemberId: uitpasNumber,
    ...(firstName ? { firstName } : {}),
    balanceMilli: points * MILLI_PER_POINT,
    messages: msgs,
    passholder: {
      passholderId,
      passType: passType === 'GROUP' ? 'GROUP' : 'INDIVIDUAL',
      socialTariff: { status: stStatus, ...(stStatus !== 'NONE' && socialTariff?.endDate !== undefined ? { endDate: socialTariff.endDate } : {}) },
    },
  };
}

/** Reads a Reward into the terminal's shape, with this counter's discount. */
export function parseReward(body: unknown, discounts: Record<string, number>, currency: string): Reward {
  const r = rewardSchema.safeParse(body);
  if (!r.success) {
    const field = r.error.issues[0]?.path[0];
    throw bad(field === 'id' ? 'a reward without an id' : field === 'title' ? 'a reward without a title' : 'a reward');
  }
  const { id, title, type, points, promotionalDescription, redeemPeriod, maxAvailableUnits, unitsTaken, redeemConstraint } = r.data;
  const kind = type === 'WELCOME' ? 'WELCOME' : 'POINTS';
  let pointsMilli = 0;
  if (points !== undefined && points !== null) {
    pointsMilli = pointsFromBackend(points);
    if (pointsMilli < 0 || pointsMilli % MILLI_PER_POINT !== 0) throw bad('a reward price that is not a whole number of points');
  } else if (kind === 'POINTS') {
    throw bad('a points reward without a price');
  }
  const cents = Object.prototype.hasOwnProperty.call(discounts, id) ? discounts[id]! : null;
  const reward: Reward = {
    id,
    title,
    kind,
    pointsMilli,
    discount: cents === null ? null : money(cents, currency),
    unitsLeft: typeof maxAvailableUnits === 'number' && maxAvailableUnits > 0 ? Math.max(0, maxAvailableUnits - (unitsTaken ?? 0)) : null,
  };
  if (promotionalDescription) reward.description = promotionalDescription;
  if (redeemPeriod) reward.redeemPeriod = { begin: redeemPeriod.begin, ...(redeemPeriod.end !== undefined ? { end: redeemPeriod.end } : {}) };
  if (redeemConstraint) reward.perMemberLimit = { volume: redeemConstraint.volume, period: redeemConstraint.period };
  return reward;
}

/** Reads a redeem-status answer. */
export function parseRedeemStatus(body: unknown): Redeemability {
  const r = redeemStatusSchema.safeParse(body);
  if (!r.success) throw bad('a redeem status');
  if (r.data.redeemable) return { redeemable: true };
  const backendReason = r.data.reason ?? '';
  const reason = normalizeReason(backendReason);
  const text = r.data.message !== undefined && r.data.message.trim() !== '' ? r.data.message : REASON_FALLBACK_NL[reason];
  return { redeemable: false, reason, message: { nl: text }, backendReason };
}

interface RedeemedRewardWire {
  id: string;
  rewardId: string;
  rewardPoints: number | null;
  redeemDate: string;
  redeemDateMs: number;
  redeemCode?: string;
  redeemInfo?: Record<string, unknown>;
}

function parseRedeemed(body: unknown): RedeemedRewardWire {
  const r = redeemedSchema.safeParse(body);
  if (!r.success) throw bad(r.error.issues[0]?.path[0] === 'redeemDate' ? 'a redeemed reward without a date' : 'a redeemed reward');
  const b = r.data;
  const p = b.reward.points;
  return {
    id: b.id,
    rewardId: b.reward.id,
    rewardPoints: typeof p === 'number' && Number.isSafeInteger(p) && p >= 0 ? p : b.reward.type === 'WELCOME' ? 0 : null,
    redeemDate: b.redeemDate,
    redeemDateMs: Date.parse(b.redeemDate),
    ...(b.redeemCode !== undefined ? { redeemCode: b.redeemCode } : {}),
    ...(b.redeemInfo !== undefined ? { redeemInfo: b.redeemInfo } : {}),
  };
}

function parsePaged(body: unknown, what: string): { totalItems: number; member: unknown[] } {
  const r = pagedSchema.safeParse(body);
  if (!r.success) throw bad(what);
  return { totalItems: r.data.totalItems ?? r.data.member.length, member: r.data.member };
}

function requireUitpasNumber(id: string): string {
  if (!/^\d{13}$/.test(id)) throw new PosError('INVALID_INPUT', 'A UiTPAS redemption needs the UiTPAS number of the pass.', { details: { notApplied: true } });
  return id;
}

function requireRewardId(rewardId: string | undefined): string {
  if (typeof rewardId !== 'string' || rewardId === '') {
    throw new PosError('INVALID_INPUT', 'A UiTPAS redemption needs a reward: choose one first.', { details: { notApplied: true } });
  }
  return rewardId;
}

export type UitpasAdapter = RewardCatalogAdapter &
  Required<Pick<RewardCatalogAdapter, 'listRewards' | 'checkReward' | 'reverse' | 'findReversal'>> & {
    /** The manager's rewards desk: the organizer's rewards and this counter's discount for each (./uitpas-reward-desk.ts). */
    rewardDesk: UitpasRewardDesk;
  };

export function isUitpasAdapter(a: unknown): a is UitpasAdapter {
  return typeof a === 'object' && a !== null && (a as { info?: { id?: unknown } }).info?.id === 'uitpas' && 'rewardDesk' in a;
}

export function createUitpasAdapter(config: UitpasConfig): UitpasAdapter {
  const http = config.http ?? httpJson;
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  for (const [id, cents] of Object.entries(config.rewardDiscounts)) {
    if (!Number.isSafeInteger(cents) || cents < 0 || cents > MAX_CENTS)
      throw new PosError('INVALID_INPUT', `The discount for reward ${id} is not a whole number of cents.`);
  }
  if (!config.organizerId) throw new PosError('INVALID_INPUT', 'The UiTPAS organizer id is missing in settings.');
  const apiUrl = config.apiUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const skewMs = config.clockSkewMs ?? DEFAULT_SKEW_MS;
  const concurrency = Math.max(1, config.checkConcurrency ?? 4);
  const discounts = { ...config.rewardDiscounts };
  const tokens = createTokenSource({
    http,
    tokenUrl: config.tokenUrl,
    requestBody: {
      client_id: config.clientId,
      client_secret: config.clientSecret,
      audience: config.audience ?? UITPAS_AUDIENCE,
      grant_type: 'client_credentials',
      ...(config.scope?.trim() ? { scope: config.scope.trim() } : {}),
    },
    timeoutMs,
    ...(config.now ? { now: config.now } : {}),
  });
  /** Redeemed-reward ids this process matched to a reference: never matched to another one. */
  const known = new Map<string, string>();

  function remember(id: string, reference: string): void {
    known.delete(id);
    known.set(id, reference);
    if (known.size > KNOWN_IDS_MEMORY) known.delete(known.keys().next().value!);
  }

  /**
   * One authenticated call. A 401 is a refusal before anything happened, so
   * fetching a fresh token once and sending again is safe; a second 401
   * means the credentials are wrong (BACKEND_AUTH).
   */
  async function call(
    method: HttpMethod,
    path: string,
    query?: Array<[string, string]>,
    body?: unknown,
    expect?: 'json' | 'empty',
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpJsonResponse> {
    const qs = query && query.length ? '?' + new URLSearchParams(query).toString() : '';
    for (let attempt = 0; ; attempt++) {
      const token = await notApplied(tokens.get());
      const res = await http({
        method,
        url: apiUrl + path + qs,
        headers: { ...extraHeaders, authorization: `Bearer ${token}` },
        body,
        timeoutMs,
        ...(expect ? { expect } : {}),
      });
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      throw mapUitpasError(res.status, res.body);
    }
  }

  const enc = encodeURIComponent;

  async function readPass(identifier: MemberIdentifier): Promise<RewardMemberAccount> {
    return parsePass((await call('GET', '/passes', [['identifier', identifier.value]])).body, identifier);
  }

  /** The balance after a write, for the receipt; null when it cannot be read now (the write stands). */
  async function balanceNow(uitpasNumber: string): Promise<PointsMilli | null> {
    try {
      return (await readPass({ kind: 'uitpas', value: uitpasNumber })).balanceMilli;
    } catch {
      return null;
    }
  }

  async function redeemStatus(rewardId: string, uitpasNumber: string): Promise<Redeemability> {
    return parseRedeemStatus((await call('GET', `/rewards/${enc(rewardId)}/redeem-status`, [['uitpasNumber', uitpasNumber]])).body);
  }

  /**
   * Every redeemed reward of a passholder (all pages, bounded, in no assumed
   * order), with UiTPAS's clock at the first page (its Date header; null when
   * absent) so windows are taken on the server's clock, not the terminal's.
   */
  async function allRedeemed(uitpasNumber: string): Promise<RedeemedRewardWire[] & { serverNowMs?: number | null }> {
    const out: RedeemedRewardWire[] & { serverNowMs?: number | null } = [];
    for (let page = 0; page < RECONCILE_MAX_PAGES; page++) {
      const res = await call('GET', '/rewards/redeemed', [
        ['uitpasNumber', uitpasNumber],
        ['start', String(page * RECONCILE_PAGE)],
        ['limit', String(RECONCILE_PAGE)],
      ]);
      if (page === 0) {
        const date = res.headers.date ? Date.parse(res.headers.date) : NaN;
        out.serverNowMs = Number.isNaN(date) ? null : date;
      }
      const { totalItems, member } = parsePaged(res.body, 'a list of redeemed rewards');
      for (const m of member) out.push(parseRedeemed(m));
      if ((page + 1) * RECONCILE_PAGE >= totalItems) return out;
      // A short page before the total is a partial answer: nobody can tell from it.
      if (member.length < RECONCILE_PAGE) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          `UiTPAS listed ${out.length} of ${totalItems} redeemed rewards: a partial list cannot tell whether this one was applied; a manager must check.`,
          {
            details: { reconciledBy: 'redeemed-list', read: out.length, totalItems },
          },
        );
      }
    }
    throw new PosError('OUTCOME_UNKNOWN', 'This passholder has too many redeemed rewards to check whether this one was applied; a manager must check.', {
      details: { reconciledBy: 'redeemed-list', pagesRead: RECONCILE_MAX_PAGES },
    });
  }

  async function mapConcurrent<T, R>(items: T[], fn: (t: T) => Promise<R>): Promise<R[]> {
    const out = new Array<R>(items.length);
    let next = 0;
    const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    });
    await Promise.all(workers);
    return out;
  }

  const adapter: UitpasAdapter = {
    info: UITPAS_INFO,
    rewardDesk: createRewardDesk({ call, organizerId: config.organizerId, currency: config.currency, discounts }),

    async probe() {
      await call('GET', '/rewards', [
        ['organizerId', config.organizerId],
        ['limit', '1'],
      ]);
    },

    async lookupMember(identifier: MemberIdentifier): Promise<MemberAccount> {
      if (!UITPAS_INFO.capabilities.identifiers.includes(identifier.kind)) {
        throw new PosError('INVALID_INPUT', `UiTPAS passholders are found by UiTPAS number or INSZ, not by ${identifier.kind}.`);
      }
      return readPass(identifier);
    },

    async getTerms(): Promise<RedemptionTerms> {
      // No rate in this API: a free amount of points is never allowed (max 0); use the reward flow.
      return {
        rate: { pointsMilli: MILLI_PER_POINT, cents: 1 },
        currency: config.currency,
        decimals: 0,
        minPointsMilli: 0,
        maxPointsMilli: 0,
        stepMilli: MILLI_PER_POINT,
      };
    },

    async listRewards(member: MemberAccount, page: RewardPageRequest = {}): Promise<RewardPage> {
      const start = Math.max(0, Math.floor(page.start ?? 0));
      const limit = Math.min(PAGE_LIMIT_MAX, Math.max(1, Math.floor(page.limit ?? PAGE_LIMIT_DEFAULT)));
      const uitpasNumber = requireUitpasNumber(member.backendMemberId);
      const res = await call('GET', '/rewards', [
        ['organizerId', config.organizerId],
        ['type', 'ANY'],
        ['subset', config.rewardSubset ?? 'ALL'],
        ['status', 'ACTIVE'],
        ['sort', 'points'],
        ['start', String(start)],
        ['limit', String(limit)],
      ]);
      const { totalItems, member: items } = parsePaged(res.body, 'a list of rewards');
      const rewards = items.map((r) => parseReward(r, discounts, config.currency));
      const offers = await mapConcurrent(rewards, async (r): Promise<RewardOffer> => ({ ...r, availability: await redeemStatus(r.id, uitpasNumber) }));
      return { offers, totalItems, start, limit };
    },

    async checkReward(member: MemberAccount, rewardId: string): Promise<RewardCheck> {
      const uitpasNumber = requireUitpasNumber(member.backendMemberId);
      const id = requireRewardId(rewardId);
      const [rewardRes, availability] = await Promise.all([call('GET', `/rewards/${enc(id)}`), redeemStatus(id, uitpasNumber)]);
      return { reward: parseReward(rewardRes.body, discounts, config.currency), availability };
    },

    async redeem(req: RedeemRequest): Promise<RedeemReceipt> {
      const rewardId = requireRewardId(req.rewardId);
      const uitpasNumber = requireUitpasNumber(req.member.backendMemberId);
      const res = await call('POST', '/rewards/redeemed', undefined, { rewardId, uitpasNumber }, undefined, requestIdHeader(req.reference));
      let redeemed: RedeemedRewardWire;
      try {
        redeemed = parseRedeemed(res.body);
      } catch (e) {
        // It was accepted (2xx) but the answer is unreadable: the outcome is known to be applied
        // but not its id, so the outbox must reconcile, not re-send.
        throw new PosError('BACKEND_BAD_RESPONSE', (e as Error).message, { details: { status: res.status } });
      }
      remember(redeemed.id, req.reference);
      const pointsMilli = redeemed.rewardPoints !== null ? redeemed.rewardPoints * MILLI_PER_POINT : req.pointsMilli;
      return {
        backendReference: redeemed.id,
        pointsMilli,
        balanceAfterMilli: await balanceNow(uitpasNumber),
        detail: {
          rewardId,
          redeemDate: redeemed.redeemDate,
          ...(redeemed.redeemCode ? { redeemCode: redeemed.redeemCode } : {}),
          ...(redeemed.redeemInfo ? { redeemInfo: redeemed.redeemInfo } : {}),
          ...(pointsMilli !== req.pointsMilli ? { quotedPointsMilli: req.pointsMilli } : {}),
        },
      };
    },

    async findRedemption(req: RedeemRequest, context?: LookupContext): Promise<RedeemReceipt | null> {
      const rewardId = requireRewardId(req.rewardId);
      const uitpasNumber = requireUitpasNumber(req.member.backendMemberId);
      // Nothing of it can have been applied before it was first sent (the commit, before that, when unknown).
      const sentMs = Date.parse(context?.firstSentAt ?? req.requestedAt);
      if (Number.isNaN(sentMs)) throw new PosError('OUTCOME_UNKNOWN', 'The redemption has no usable time to match on; a manager must check.');
      const localNow = (config.now ?? Date.now)();
      const all = await allRedeemed(uitpasNumber);
      // The send's time on UiTPAS's clock: as long before the server's now as it was before ours.
      const sinceMs = (all.serverNowMs ?? localNow) - (localNow - sentMs);
      // Every redemption of this reward that could be this one: from the send, less the skew allowance,
      // and not one this terminal's other sales already hold.
      const mine = all.filter(
        (r) =>
          r.rewardId === rewardId && r.redeemDateMs >= sinceMs - skewMs && !context?.claimed.has(r.id) && (known.get(r.id) ?? req.reference) === req.reference,
      );
      if (mine.length === 0) return null;
      // Applied only by exactly one from after the send (to the Date header's second); one that is
      // only inside the skew allowance, or several, could be another sale's: a manager decides.
      const afterSend = mine.filter((r) => r.redeemDateMs >= sinceMs - DATE_GRAIN_MS);
      if (afterSend.length !== 1) {
        throw new PosError(
          'OUTCOME_UNKNOWN',
          afterSend.length === 0
            ? 'UiTPAS lists a redemption of this reward from just before this sale was sent, which could be another sale’s; a manager must check in UiTPAS.'
            : 'Several redemptions of this reward could be this sale’s; a manager must check in UiTPAS.',
          { details: { reconciledBy: 'redeemed-list', candidates: mine.map((r) => ({ id: r.id, redeemDate: r.redeemDate })) } },
        );
      }
      const match: RedeemedRewardWire = afterSend[0]!;
      remember(match.id, req.reference);
      return {
        backendReference: match.id,
        pointsMilli: match.rewardPoints !== null ? match.rewardPoints * MILLI_PER_POINT : req.pointsMilli,
        balanceAfterMilli: await balanceNow(uitpasNumber),
        detail: { rewardId, redeemDate: match.redeemDate, reconciledBy: 'redeemed-list', ...(match.redeemCode ? { redeemCode: match.redeemCode } : {}) },
      };
    },

    async reverse(req: ReverseRequest): Promise<ReverseReceipt> {
      const id = req.original.receipt.backendReference;
      const taken = req.original.receipt.pointsMilli;
      if (req.pointsMilli !== taken) {
        throw new PosError('REVERSAL_NOT_SUPPORTED', 'UiTPAS can only cancel the whole reward, not part of its points.', {
          details: { notApplied: true, pointsMilli: req.pointsMilli, takenMilli: taken },
        });
      }
      const uitpasNumber = requireUitpasNumber(req.member.backendMemberId);
      try {
        await call('DELETE', `/rewards/redeemed/${enc(id)}`, undefined, undefined, 'empty', requestIdHeader(req.reference));
      } catch (e) {
        // A 404 is "already cancelled" only when its problem type says so; any other 404 (no
        // problem document, url/not-found, a type about something else) leaves it for a manager.
        if (!(e instanceof PosError && e.details?.status === 404)) throw e;
        const type = typeof e.details.problemType === 'string' ? e.details.problemType : '';
        if (!ALREADY_CANCELLED_PROBLEM.test(type)) {
          throw new PosError(
            'OUTCOME_UNKNOWN',
            `UiTPAS answered 404 to cancelling redeemed reward ${id}${type ? ` (${type})` : ''}, which does not say it was cancelled already: a manager must check.`,
            {
              details: { status: 404, problemType: type || null },
            },
          );
        }
      }
      return { backendReference: id, pointsMilli: taken, balanceAfterMilli: await balanceNow(uitpasNumber) };
    },

    async findReversal(req: ReverseRequest): Promise<ReverseReceipt | null> {
      const id = req.original.receipt.backendReference;
      const uitpasNumber = requireUitpasNumber(req.member.backendMemberId);
      const all = await allRedeemed(uitpasNumber);
      if (all.some((r) => r.id === id)) return null; // still redeemed: the cancel did not take effect
      // Gone from the list is not proof it was cancelled (the list's filters are not documented).
      throw new PosError('OUTCOME_UNKNOWN', `UiTPAS no longer lists redeemed reward ${id}, which does not prove it was cancelled: a manager must check.`, {
        details: { reconciledBy: 'redeemed-list', read: all.length },
      });
    },
  };
  return adapter;
}

// ---- Built from the program's connection fields (shared/programs/uitpas.ts): live and training alike.

export function uitpasFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): UitpasAdapter {
  return createUitpasAdapter({
    apiUrl: required(values, 'apiUrl'),
    tokenUrl: required(values, 'tokenUrl'),
    clientId: required(values, 'clientId'),
    clientSecret: required(values, 'clientSecret'),
    organizerId: required(values, 'organizerId'),
    rewardDiscounts: JSON.parse(optional(values, 'rewardDiscounts') ?? '{}') as Record<string, number>,
    currency: optional(values, 'currency') ?? 'EUR',
    ...(optional(values, 'scope') ? { scope: optional(values, 'scope')! } : {}),
    ...transport(values, opts),
    ...clock(opts),
  });
}
