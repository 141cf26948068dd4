/**
 * White Label Loyalty ("Loyalty Engine") emulator, mounted at /whitelabel.
 *
 *   POST /whitelabel/auth/oauth/token     {client_id, client_secret, grant_type: "client_credentials", audience: "wlloyalty.net"}
 *                                          -> {access_token, expires_in, token_type: "Bearer"}   (the auth host: no API key)
 *   GET  /whitelabel/v1/users/{id}/wallet  -> {id, userId, pointsBalance, pendingPoints, updatedAt}
 *   POST /whitelabel/v1/events             {type, userId, payload: {points, transactionId, storeId?, terminalId?}}
 *                                          -> 200 the event echoed with id and createdAt
 *   GET  /whitelabel/v1/event-types        -> {items: [{type, description}]}   (cheap authenticated read)
 *
 * Every /v1 request needs `X-Api-Key` (checked first, 401) and then is rate
 * limited per key (token bucket, 100/s, burst 400, 429 with Retry-After); the
 * POS's calls are admin calls, so they also need `Authorization: Bearer` with
 * a token from the auth endpoint (401 when missing, unknown or expired).
 * Errors are JSON: {statusCode, error, code, message}.
 *
 * The wallet and event field names are the emulator's own choice: White Label
 * documents the endpoints, not every field. The adapter keeps its copy of them in one module
 * (electron/adapters/whitelabel-wire.ts); this file deliberately does not
 * import it, so a mismatch shows up in the contract tests.
 */
import { STATUS_CODES } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { json } from '../http-util.js';
import { RateLimiter, type RateLimitOptions } from '../rate-limit.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { SANDBOX_CREDENTIALS } from '../demo-data.js';
import { REACTORS, WhiteLabelState, type WlEventType } from './state.js';
import { handleWhiteLabelControl } from './control.js';

export interface WhiteLabelBackendOptions {
  apiKeys?: readonly string[];
  clients?: ReadonlyArray<{ clientId: string; clientSecret: string }>;
  rateLimit?: RateLimitOptions;
  tokenTtlSec?: number;
}

export const WL_AUDIENCE = 'wlloyalty.net';

/**
 * The emulator's answers where White Label's document is silent, each
 * switchable (POST /_control/whitelabel/forms; README "guesses"):
 *  - eventTypes: the program owner's event type names: REDEEMED_POINTS /
 *    POINTS_REFUND (default) or POS_POINTS_REDEEMED / POS_POINTS_REFUNDED;
 *  - wallet: {userId, pointsBalance} (default) or {user_id, balance: {points}};
 *  - echo: the whole event echoed (default) or only {eventId, status}.
 */
export interface WlForms {
  eventTypes: 'default' | 'renamed';
  wallet: 'pointsBalance' | 'balance.points';
  echo: 'full' | 'minimal';
}
export const DEFAULT_WL_FORMS: Readonly<WlForms> = { eventTypes: 'default', wallet: 'pointsBalance', echo: 'full' };
/** The renamed form's names, for the canonical reactors. */
export const WL_RENAMED_EVENT_TYPES: Readonly<Record<WlEventType, string>> = {
  REDEEMED_POINTS: 'POS_POINTS_REDEEMED',
  POINTS_REFUND: 'POS_POINTS_REFUNDED',
} as Record<WlEventType, string>;
export const WL_DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 100, burst: 400 };

/** Keys that look like personal data: the engine must never receive them in an event. */
const PERSONAL_KEY = /(name|e-?mail|phone|mobile)/i;

export function wlError(status: number, code: string, message: string, headers: Record<string, string> = {}): SandboxResponse {
  return json(status, { statusCode: status, error: STATUS_CODES[status] ?? 'Error', code, message }, headers);
}

function defaultCode(status: number): string {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  return 'BAD_REQUEST';
}

function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function findPersonalKey(value: unknown, path = ''): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPersonalKey(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      if (PERSONAL_KEY.test(k)) return here;
      const hit = findPersonalKey(v, here);
      if (hit) return hit;
    }
  }
  return null;
}

export class WhiteLabelBackend implements SandboxBackend {
  readonly id = 'whitelabel';
  readonly prefix = '/whitelabel';
  readonly state: WhiteLabelState;
  forms: WlForms = { ...DEFAULT_WL_FORMS };
  readonly limiter: RateLimiter;
  private readonly apiKeys: readonly string[];
  private readonly clients: ReadonlyArray<{ clientId: string; clientSecret: string }>;
  private readonly tokenTtlSec: number;

  constructor(now: () => number, opts: WhiteLabelBackendOptions = {}) {
    const c = SANDBOX_CREDENTIALS.whitelabel;
    this.state = new WhiteLabelState(now);
    this.limiter = new RateLimiter(opts.rateLimit ?? WL_DEFAULT_RATE_LIMIT);
    this.apiKeys = opts.apiKeys ?? [c.apiKey];
    this.clients = opts.clients ?? [{ clientId: c.clientId, clientSecret: c.clientSecret }];
    this.tokenTtlSec = opts.tokenTtlSec ?? 3600;
  }

  reset(seedDemo: boolean): void {
    this.state.reset(seedDemo);
    this.limiter.reset();
    this.forms = { ...DEFAULT_WL_FORMS };
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    return wlError(status, defaultCode(status), message, headers);
  }

  control(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
    return Promise.resolve(handleWhiteLabelControl(this, req, ctx));
  }

  async handle(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse> {
    if (req.path === '/auth/oauth/token') {
      if (req.method !== 'POST') return wlError(405, 'METHOD_NOT_ALLOWED', 'Use POST.');
      return this.token(req);
    }
    if (req.path === '/v1' || req.path.startsWith('/v1/')) return this.api(req, ctx);
    return wlError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`);
  }

  private token(req: SandboxRequest): SandboxResponse {
    const b = req.body as Record<string, unknown> | undefined;
    if (req.bodyError || typeof b !== 'object' || b === null) {
      return json(400, { error: 'invalid_request', error_description: 'Body must be a JSON object.' });
    }
    if (b.grant_type !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' });
    }
    if (b.audience !== WL_AUDIENCE) {
      return json(403, { error: 'access_denied', error_description: `Unknown audience; use "${WL_AUDIENCE}".` });
    }
    const ok = this.clients.some(
      (c) =>
        typeof b.client_id === 'string' && typeof b.client_secret === 'string' && c.clientId === b.client_id && sameSecret(c.clientSecret, b.client_secret),
    );
    if (!ok) return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
    return json(200, { access_token: this.state.issueToken(this.tokenTtlSec), expires_in: this.tokenTtlSec, token_type: 'Bearer' });
  }

  private api(req: SandboxRequest, ctx: SandboxContext): SandboxResponse {
    const key = header(req, 'x-api-key');
    if (!key) return wlError(401, 'MISSING_API_KEY', 'The X-Api-Key header is required.');
    if (!this.apiKeys.some((k) => sameSecret(k, key))) return wlError(401, 'INVALID_API_KEY', 'The API key is not valid.');

    const taken = this.limiter.take(key, ctx.now());
    if (!taken.ok) {
      return wlError(429, 'RATE_LIMITED', 'Too many requests for this API key.', { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) });
    }

    const auth = header(req, 'authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return wlError(401, 'MISSING_TOKEN', 'An Authorization: Bearer token is required for this call.');
    if (!this.state.tokenValid(m[1]!)) return wlError(401, 'INVALID_TOKEN', 'The access token is invalid or expired.');

    const wallet = /^\/v1\/users\/([^/]+)\/wallet$/.exec(req.path);
    if (wallet) {
      if (req.method !== 'GET') return wlError(405, 'METHOD_NOT_ALLOWED', 'Use GET.');
      return this.wallet(decodeURIComponent(wallet[1]!));
    }
    if (req.path === '/v1/events') {
      if (req.method !== 'POST') return wlError(405, 'METHOD_NOT_ALLOWED', 'Use POST.');
      return this.event(req);
    }
    if (req.path === '/v1/event-types') {
      if (req.method !== 'GET') return wlError(405, 'METHOD_NOT_ALLOWED', 'Use GET.');
      return json(200, {
        items: [
          { type: 'REDEEMED_POINTS', description: 'Points spent at a store: adds $.points * -1 to the balance.' },
          { type: 'POINTS_REFUND', description: 'Points given back for a voided sale: adds $.points to the balance.' },
        ],
      });
    }
    return wlError(404, 'NOT_FOUND', `No route ${req.method} ${req.path}`);
  }

  private wallet(userId: string): SandboxResponse {
    const u = this.state.getUser(userId);
    if (!u) return wlError(404, 'USER_NOT_FOUND', 'User not found.');
    if (this.forms.wallet === 'balance.points')
      return json(200, { id: `wal_${u.id}`, user_id: u.id, balance: { points: u.points, pending: 0 }, updated_at: u.updatedAt });
    return json(200, { id: `wal_${u.id}`, userId: u.id, pointsBalance: u.points, pendingPoints: 0, updatedAt: u.updatedAt });
  }

  private event(req: SandboxRequest): SandboxResponse {
    if (req.bodyError) return wlError(400, 'INVALID_JSON', 'The body is not valid JSON.');
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return wlError(400, 'VALIDATION_ERROR', 'The body must be an event object.');
    const ev = b as Record<string, unknown>;
    const personal = findPersonalKey(ev);
    if (personal) return wlError(400, 'PERSONAL_DATA_NOT_ALLOWED', `Events must not carry personal data (field "${personal}").`);
    const names: Record<string, WlEventType> = Object.fromEntries(
      (Object.keys(REACTORS) as WlEventType[]).map((t) => [this.forms.eventTypes === 'renamed' ? WL_RENAMED_EVENT_TYPES[t] : t, t]),
    );
    const canonical = typeof ev.type === 'string' && Object.prototype.hasOwnProperty.call(names, ev.type) ? names[ev.type] : undefined;
    if (!canonical) {
      return wlError(400, 'UNKNOWN_EVENT_TYPE', `Unknown event type; this program defines ${Object.keys(names).join(', ')}.`);
    }
    if (typeof ev.userId !== 'string' || ev.userId === '') return wlError(400, 'VALIDATION_ERROR', 'userId is required.');
    const p = ev.payload;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return wlError(400, 'VALIDATION_ERROR', 'payload must be an object.');
    const payload = p as Record<string, unknown>;
    if (typeof payload.points !== 'number' || !Number.isSafeInteger(payload.points) || payload.points <= 0) {
      return wlError(400, 'VALIDATION_ERROR', 'payload.points must be a whole number above zero.');
    }
    if (typeof payload.transactionId !== 'string' || payload.transactionId === '' || payload.transactionId.length > 128) {
      return wlError(400, 'VALIDATION_ERROR', 'payload.transactionId must be a string of 1 to 128 characters.');
    }
    for (const k of ['storeId', 'terminalId'] as const) {
      if (payload[k] !== undefined && typeof payload[k] !== 'string') return wlError(400, 'VALIDATION_ERROR', `payload.${k} must be a string.`);
    }
    if (!this.state.hasUser(ev.userId)) return wlError(404, 'USER_NOT_FOUND', 'User not found.');
    const applied = this.state.applyEvent(canonical, ev.userId, payload, payload.points);
    if (this.forms.echo === 'minimal') return json(200, { eventId: applied.id, status: 'ACCEPTED' });
    return json(200, { id: applied.id, type: ev.type, userId: applied.userId, payload: applied.payload, createdAt: applied.createdAt });
  }
}
