/**
 * White Label Loyalty adapter: free-amount points at a rate set in the
 * terminal's configuration, posted as custom events to an event-driven ledger.
 *
 * Two facts of the engine, as White Label documents it, shape this adapter:
 *  - it does not stop a balance going negative, so redeem() reads the wallet
 *    and refuses to send more points than it just read;
 *  - it documents no idempotency key (whether it dedupes transactionId is
 *    unconfirmed) and no way to look an event up, so after a lost answer
 *    nobody can tell whether the event was applied: findRedemption() and
 *    findReversal() always answer OUTCOME_UNKNOWN, with the balance read just
 *    before the event was sent and the balance now as evidence for the
 *    manager. The balance is evidence, not proof: another till, a purchase
 *    elsewhere or a movement of the same size would make it lie.
 * All field names live in ./whitelabel-wire.ts.
 */
import type { BackendInfo, RedemptionTerms } from '../../shared/domain.js';
import { PosError } from '../../shared/errors.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import { MILLI_PER_POINT, rateFromCurrencyPerPoint, type PointsMilli, type PointsRate } from '../../shared/money.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import { optional, required, transport, type AdapterOptions } from './connection.js';
import { httpJson, notApplied, type HttpJson, type HttpJsonResponse, type HttpMethod } from './http.js';
import { RequestPacer, type RateLimit } from './request-pacer.js';
import { createTokenSource } from './oauth-token.js';
import type { LoyaltyAdapter, MemberAccount, RedeemReceipt, RedeemRequest, ReverseReceipt, ReverseRequest } from './types.js';
import {
  WL_API_KEY_HEADER,
  WL_EVENT,
  buildEvent,
  mapWhiteLabelError,
  parseEventEcho,
  parseWallet,
  wlPaths,
  wlTokenRequestBody,
  type WlEventKind,
  type WlEventTypes,
  type WlOperation,
  type WlWallet,
} from './whitelabel-wire.js';

export interface WhiteLabelConfig {
  /** API base including the version, e.g. https://api.rewards.wlloyalty.net/v1 */
  baseUrl: string;
  /** Token endpoint, e.g. https://auth.wlloyalty.net/oauth/token */
  authUrl: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
  /** The program's value of one point in `currency`, as a decimal string ("0.01"). */
  pointsCurrencyValue: string;
  /** A rate set at the terminal (settings: redemption rate), overriding pointsCurrencyValue. */
  rate?: PointsRate;
  currency: string;
  /** The program owner's event type names (defaults REDEEMED_POINTS / POINTS_REFUND). */
  eventTypes?: Partial<WlEventTypes>;
  timeoutMs?: number;
  /** The connection's HTTP client (its proxy, CA, Chromium's stack in Electron); default: httpJson. */
  http?: HttpJson;
  /** The rate limit to keep (default the published one); null: no pacing. */
  rateLimit?: RateLimit | null;
}

/** White Label's published limit: 100 requests/s per API key, burst 400; 429 past it. */
export const WHITE_LABEL_RATE_LIMIT: RateLimit = { perSecond: 100, burst: 400 };

export const WHITE_LABEL_INFO: BackendInfo = {
  id: 'whitelabel',
  name: 'White Label Loyalty',
  capabilities: {
    redemption: 'points',
    identifiers: ['memberId'],
    pointsDecimals: 0,
    validationCode: false,
    reversal: 'partial',
    retrySafety: 'lookup-before-retry',
    balanceAtCounter: true,
  },
};

const DEFAULT_TIMEOUT_MS = 10_000;
/** How many pre-post balances are remembered for reconciliation (oldest dropped first). */
const BASELINE_MEMORY = 1000;

export function createWhiteLabelAdapter(config: WhiteLabelConfig): LoyaltyAdapter {
  const http = config.http ?? httpJson;
  // Fail at configuration time, not at the first sale.
  // The program's points value, or the rate the store's manager set at the terminal (settings).
  const rate = config.rate ?? rateFromCurrencyPerPoint(config.pointsCurrencyValue);
  if (!/^[A-Z]{3}$/.test(config.currency)) throw new PosError('INVALID_INPUT', `Not an ISO currency code: ${config.currency}`);
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Every call to the API is paced to the key's limit: a drain after an outage must not take the counter's share.
  const limit = config.rateLimit === undefined ? WHITE_LABEL_RATE_LIMIT : config.rateLimit;
  const pacer = limit ? new RequestPacer(limit) : null;
  const tokens = createTokenSource({ http, tokenUrl: config.authUrl, requestBody: wlTokenRequestBody(config.clientId, config.clientSecret), timeoutMs });
  const baselines = new Map<string, PointsMilli>();
  const eventTypes: WlEventTypes = {
    redeem: config.eventTypes?.redeem?.trim() || WL_EVENT.redeem,
    refund: config.eventTypes?.refund?.trim() || WL_EVENT.refund,
  };
  if (eventTypes.redeem === eventTypes.refund)
    throw new PosError('INVALID_INPUT', 'The redemption and refund event types must differ.', { details: { field: 'refundEventType' } });

  function rememberBaseline(reference: string, balance: PointsMilli): void {
    baselines.delete(reference);
    baselines.set(reference, balance);
    if (baselines.size > BASELINE_MEMORY) baselines.delete(baselines.keys().next().value!);
  }

  /**
   * One authenticated call. A 401 is a refusal before anything happened, so
   * it is safe to fetch a fresh token once and send again (tokens expire or
   * are rotated); a second 401 means the credentials are wrong.
   */
  async function call(method: HttpMethod, path: string, op: WlOperation, body?: unknown): Promise<HttpJsonResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await notApplied(tokens.get());
      await pacer?.admit();
      const res = await http({
        method,
        url: baseUrl + path,
        headers: { [WL_API_KEY_HEADER]: config.apiKey, authorization: `Bearer ${token}` },
        body,
        timeoutMs,
      }).catch((e: unknown) => {
        if (e instanceof PosError && e.code === 'BACKEND_RATE_LIMITED')
          pacer?.refused(typeof e.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : undefined);
        throw e;
      });
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      throw mapWhiteLabelError(res.status, res.body, op);
    }
  }

  async function readWallet(userId: string): Promise<WlWallet> {
    return parseWallet((await call('GET', wlPaths.wallet(userId), 'wallet')).body, userId);
  }

  async function postEvent(kind: WlEventKind, userId: string, facts: Parameters<typeof buildEvent>[3]): Promise<string | null> {
    const res = await call('POST', wlPaths.events, 'event', buildEvent(eventTypes, kind, userId, facts));
    return parseEventEcho(res.body, eventTypes, kind, facts).eventId;
  }

  /**
   * After a lost answer: White Label has no lookup, so the answer is always
   * "cannot tell" (OUTCOME_UNKNOWN). The balances before and now go with it
   * as the manager's evidence; a failed read travels on as it is (the outbox
   * makes any failed lookup "cannot tell" too).
   */
  async function cannotTell(userId: string, baseline: PointsMilli | null | undefined, deltaMilli: PointsMilli, what: string): Promise<never> {
    const { balanceMilli } = await readWallet(userId);
    const before = baseline === null || baseline === undefined ? null : baseline;
    const seen =
      before === null
        ? `the balance is now ${balanceMilli / MILLI_PER_POINT}`
        : `the balance was ${before / MILLI_PER_POINT} before and is ${balanceMilli / MILLI_PER_POINT} now (${(before + deltaMilli) / MILLI_PER_POINT} if it was applied)`;
    throw new PosError(
      'OUTCOME_UNKNOWN',
      `White Label cannot be asked whether the ${what} was applied; ${seen}. The balance is evidence, not proof: a manager decides.`,
      {
        details: { reconciledBy: 'none', balanceMilli, balanceBeforeMilli: before, expectedIfAppliedMilli: before === null ? null : before + deltaMilli },
      },
    );
  }

  const adapter: LoyaltyAdapter = {
    info: WHITE_LABEL_INFO,

    async probe() {
      await call('GET', wlPaths.eventTypes, 'probe');
    },

    async lookupMember(identifier: MemberIdentifier): Promise<MemberAccount> {
      if (!WHITE_LABEL_INFO.capabilities.identifiers.includes(identifier.kind)) {
        throw new PosError('INVALID_INPUT', `White Label members are found by the member id from their app's QR code or typed in, not by ${identifier.kind}.`);
      }
      const wallet = await readWallet(identifier.value);
      return { identifier, backendMemberId: wallet.userId, balanceMilli: wallet.balanceMilli, messages: [] };
    },

    async getTerms(): Promise<RedemptionTerms> {
      return { rate, currency: config.currency, decimals: 0, minPointsMilli: MILLI_PER_POINT, maxPointsMilli: null, stepMilli: MILLI_PER_POINT };
    },

    async redeem(req: RedeemRequest): Promise<RedeemReceipt> {
      const points = wholePoints(req.pointsMilli);
      const userId = req.member.backendMemberId;
      // Everything before the POST is sent cannot have deducted anything.
      const { balanceMilli } = await notApplied(readWallet(userId));
      if (req.pointsMilli > balanceMilli) {
        // The engine would let the balance go negative: the terminal must not.
        throw new PosError('POINTS_ABOVE_BALANCE', undefined, { details: { balanceMilli, pointsMilli: req.pointsMilli, notApplied: true } });
      }
      rememberBaseline(req.reference, balanceMilli);
      const eventId = await postEvent('redeem', userId, { points, transactionId: req.reference, storeId: req.storeId, terminalId: req.terminalId });
      // The engine has no conditional write: another till may have spent the same points between
      // our read and our post. Read again; if the two together overdrew the wallet, give ours back
      // at once (a POINTS_REFUND named `<reference>.undo`) and refuse, so the member is never left
      // below zero. A failed read leaves the receipt as it is (the read before the post allowed it).
      let afterMilli = balanceMilli - req.pointsMilli;
      try {
        afterMilli = (await readWallet(userId)).balanceMilli;
      } catch {
        return { backendReference: req.reference, pointsMilli: req.pointsMilli, balanceAfterMilli: afterMilli, detail: { eventId } };
      }
      if (afterMilli < 0) {
        // If this refund fails the error travels on without notApplied: the outbox reconciles, and
        // an ambiguous balance puts the redemption in front of a manager.
        await postEvent('refund', userId, { points, transactionId: undoReference(req.reference), storeId: req.storeId, terminalId: req.terminalId });
        throw new PosError('INSUFFICIENT_POINTS', 'Another till used these points at the same moment: nothing was taken. Read the balance again.', {
          // raced: the checkout sends it again as a new attempt after a random pause (service/checkout/race.ts).
          details: { notApplied: true, undone: true, raced: true },
        });
      }
      return { backendReference: req.reference, pointsMilli: req.pointsMilli, balanceAfterMilli: afterMilli, detail: { eventId } };
    },

    async findRedemption(req: RedeemRequest): Promise<RedeemReceipt | null> {
      wholePoints(req.pointsMilli);
      return cannotTell(req.member.backendMemberId, baselines.get(req.reference) ?? req.balanceBeforeMilli, -req.pointsMilli, 'redemption');
    },

    async reverse(req: ReverseRequest): Promise<ReverseReceipt> {
      const points = wholePoints(req.pointsMilli);
      if (req.pointsMilli > req.original.pointsMilli) {
        throw new PosError('INVALID_INPUT', 'Cannot give back more points than the sale took.', { details: { notApplied: true } });
      }
      const userId = req.member.backendMemberId;
      const { balanceMilli } = await notApplied(readWallet(userId));
      rememberBaseline(req.reference, balanceMilli);
      await postEvent('refund', userId, { points, transactionId: req.reference, storeId: req.storeId, terminalId: req.terminalId });
      return { backendReference: req.reference, pointsMilli: req.pointsMilli, balanceAfterMilli: balanceMilli + req.pointsMilli };
    },

    async findReversal(req: ReverseRequest): Promise<ReverseReceipt | null> {
      wholePoints(req.pointsMilli);
      // Without a read from this process, the best baseline is the balance right after the original redemption.
      return cannotTell(req.member.backendMemberId, baselines.get(req.reference) ?? req.original.receipt.balanceAfterMilli, req.pointsMilli, 'refund');
    },
  };
  return adapter;
}

/** The program's points are whole: a fraction or a non-positive figure never reaches the engine. */
/** The transactionId of the refund that undoes an overdrawing redemption (see redeem). */
export const undoReference = (reference: string): string => `${reference}.undo`;

function wholePoints(milli: PointsMilli): number {
  if (!Number.isSafeInteger(milli) || milli <= 0) throw new PosError('POINTS_INVALID', undefined, { details: { notApplied: true } });
  if (milli % MILLI_PER_POINT !== 0) throw new PosError('POINTS_TOO_PRECISE', 'Points are whole numbers here.', { details: { notApplied: true } });
  return milli / MILLI_PER_POINT;
}

// ---- Built from the program's connection fields (shared/programs/whitelabel.ts): live and training alike.

export function whiteLabelFromConnection(values: ConnectionValues, opts: AdapterOptions = {}): LoyaltyAdapter {
  return createWhiteLabelAdapter({
    baseUrl: required(values, 'baseUrl'),
    authUrl: required(values, 'tokenUrl'),
    apiKey: required(values, 'apiKey'),
    clientId: required(values, 'clientId'),
    clientSecret: required(values, 'clientSecret'),
    pointsCurrencyValue: required(values, 'pointsCurrencyValue'),
    currency: optional(values, 'currency') ?? 'EUR',
    eventTypes: { redeem: optional(values, 'redeemEventType') ?? WL_EVENT.redeem, refund: optional(values, 'refundEventType') ?? WL_EVENT.refund },
    ...(opts.rate ? { rate: opts.rate } : {}),
    ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    ...transport(values, opts),
  });
}
