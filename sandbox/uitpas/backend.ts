/**
 * UiTPAS API 4.0 emulator, mounted at /uitpas (API root `${sandboxUrl}/uitpas`).
 * Built from the official OpenAPI document (the part used is kept in
 * ./openapi-subset.json, with where it came from in openapi-subset.SOURCE.md).
 *
 *   POST   /uitpas/oauth/token                    stands in for account(-test).uitid.be/oauth/token:
 *          {client_id, client_secret, audience: "https://api.publiq.be", grant_type: "client_credentials"}
 *          -> {access_token, expires_in: 86400, token_type: "Bearer"}; Auth0-style {error, error_description} on failure
 *   GET    /uitpas/passes?identifier=              Pass by UiTPAS number, INSZ or chip number        PASSES_READ
 *   GET    /uitpas/passes/{uitpasNumber}           the same, deprecated (answers a Deprecation header)  PASSES_READ
 *   GET    /uitpas/rewards                         search: organizerId, type (POINTS default|WELCOME|ANY),
 *          subset (ENDUSERS default|REDEEMABLE|ENDUSER-FUTURE|REDEEMABLE-FUTURE|ALL), status, text,
 *          owningCardSystemId, applicableCardSystemId, categories, pointsFrom/To, featured/forKids/sport/
 *          online/lastChance, isRedeemableByPassholderId (REWARDS_PASSHOLDERS_READ), sort, start/limit (<= 500)
 *          -> {totalItems, member: [Reward]}                                    (bearer token or x-client-id)
 *   GET    /uitpas/rewards/{rewardId}              Reward                      REWARDS_READ for its organizer
 *   GET    /uitpas/rewards/{rewardId}/redeem-status?uitpasNumber=
 *          -> {redeemable: true} | {redeemable: false, reason, message (nl)}   REWARDS_REDEEM for its organizer
 *   POST   /uitpas/rewards/redeemed  {rewardId, uitpasNumber} -> 201 RedeemedReward   REWARDS_REDEEM
 *   GET    /uitpas/rewards/redeemed?uitpasNumber=&rewardType=&start=&limit=
 *          -> {totalItems, member: [RedeemedReward]}, newest first, cancelled ones left out   REWARDS_READ
 *   DELETE /uitpas/rewards/redeemed/{id}          cancel: points and unit back -> 204        REWARDS_REDEEM
 *   POST   /uitpas/rewards                         create a reward -> 200 Reward           REWARDS_WRITE (./reward-writes.ts)
 *   PUT    /uitpas/rewards/{rewardId}              overwrite a reward -> 200 Reward        REWARDS_WRITE
 *
 * Where the document is silent, the emulator's answer is one of the forms in
 * `UitpasForms` (switched by POST /_control/uitpas/forms; README "Guesses"),
 * so the adapter's tests run against each plausible alternative.
 *
 * Every API call needs `Authorization: Bearer <token>` (401 auth/unauthorized
 * when missing, unknown or expired); permissions are per organizer (403
 * auth/forbidden). Errors are application/problem+json (./problems.ts) with
 * an endUserMessage in nl/fr/de/en for domain errors. The redeem rules and
 * their order are in ./state.ts.
 */
import { timingSafeEqual } from 'node:crypto';
import { luhnValid } from '../../shared/member-number.js';
import { json } from '../http-util.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { handleUitpasControl } from './control.js';
import { UITPAS_AUDIENCE, UITPAS_SANDBOX_CLIENTS, type DemoPassholder, type DemoReward, type UitpasClient, type UitpasPermission } from './demo-data.js';
import { plainProblem, REDEEM_REASON_MESSAGES, REDEEM_REASON_PROBLEMS, uitpasProblem } from './problems.js';
import { createReward, updateReward, type RewardWriteDeps } from './reward-writes.js';
import { UitpasState, type PassLookup, type RedemptionRecord } from './state.js';

/** The emulator's answers where the document is silent (README "Guesses"). */
export interface UitpasForms {
  /** The order of GET /rewards/redeemed. */
  redeemedOrder: 'newest-first' | 'oldest-first';
  /** Whether a cancelled redemption still appears in GET /rewards/redeemed. */
  cancelledInList: 'left-out' | 'listed';
}

export const DEFAULT_UITPAS_FORMS: UitpasForms = { redeemedOrder: 'newest-first', cancelledInList: 'left-out' };

export interface UitpasBackendOptions {
  clients?: readonly UitpasClient[];
  /** Lifetime of an access token; the real service gives 86400 s. */
  tokenTtlSec?: number;
}

export const UITPAS_DEFAULT_TOKEN_TTL_SEC = 86_400;
export const UITPAS_MAX_LIMIT = 500;

const REWARD_TYPES = ['POINTS', 'WELCOME', 'ANY'] as const;
const SUBSETS = ['ALL', 'ENDUSERS', 'REDEEMABLE', 'REDEEMABLE-FUTURE', 'ENDUSER-FUTURE'] as const;
const STATUSES = ['ACTIVE', 'INACTIVE', 'DELETED'] as const;
const SORT_FIELDS = ['name', 'creationdate', 'redeemCount', 'featured', 'points'] as const;
const LAST_CHANCE_MS = 14 * 86_400_000;

function header(req: SandboxRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** A UiTPAS number as the API checks it: 13 digits with a Luhn check digit. */
export function validUitpasNumber(n: string | null | undefined): n is string {
  return typeof n === 'string' && /^\d{13}$/.test(n) && luhnValid(n);
}

function inPeriod(p: { begin: string; end?: string }, ms: number): boolean {
  return Date.parse(p.begin) <= ms && (p.end === undefined || ms <= Date.parse(p.end));
}

type Parsed<T> = { ok: true; value: T } | { ok: false; response: SandboxResponse };

export class UitpasBackend implements SandboxBackend {
  /** The scope of each token request, null where none was sent (the document asks for none: the terminal sends one only when configured). */
  readonly tokenScopes: (string | null)[] = [];
  readonly id = 'uitpas';
  readonly prefix = '/uitpas';
  readonly state: UitpasState;
  forms: UitpasForms = { ...DEFAULT_UITPAS_FORMS };
  private readonly clients: UitpasClient[];
  private readonly tokenTtlSec: number;

  constructor(
    /** The sandbox clock (injectable in tests). */
    readonly now: () => number,
    opts: UitpasBackendOptions = {},
  ) {
    this.state = new UitpasState(now);
    this.writeDeps.state = this.state;
    this.clients = [...(opts.clients ?? Object.values(UITPAS_SANDBOX_CLIENTS))].map((c) => structuredClone(c) as UitpasClient);
    this.tokenTtlSec = opts.tokenTtlSec ?? UITPAS_DEFAULT_TOKEN_TTL_SEC;
  }

  reset(seedDemo: boolean): void {
    this.state.reset(seedDemo);
    this.tokenScopes.length = 0;
    this.forms = { ...DEFAULT_UITPAS_FORMS };
  }

  /** Adds (or replaces) an API client, e.g. one without REWARDS_REDEEM (control API). */
  putClient(c: UitpasClient): void {
    const i = this.clients.findIndex((x) => x.clientId === c.clientId);
    if (i >= 0) this.clients[i] = c;
    else this.clients.push(c);
  }

  errorResponse(status: number, message: string, headers: Record<string, string> = {}): SandboxResponse {
    if (status === 401) return uitpasProblem(401, 'auth/unauthorized', message, {}, headers);
    if (status === 403) return uitpasProblem(403, 'auth/forbidden', message, {}, headers);
    if (status === 404) return uitpasProblem(404, 'url/not-found', message, {}, headers);
    if (status === 429) return uitpasProblem(429, 'uitpas/rate-limited', message, {}, headers);
    return plainProblem(status, message, headers);
  }

  control(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined> {
    return Promise.resolve(handleUitpasControl(this, req, ctx));
  }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (path === '/oauth/token') return req.method === 'POST' ? this.token(req) : this.methodNotAllowed('POST');

    if (path === '/permissions') return this.only(req, 'GET', () => this.withClient(req, (c) => this.permissions(c)));
    if (path === '/passes') return this.only(req, 'GET', () => this.withClient(req, (c) => this.getPasses(req, c)));
    let m = /^\/passes\/([^/]+)$/.exec(path);
    if (m) {
      const n = decodeURIComponent(m[1]!);
      return this.only(req, 'GET', () => this.withClient(req, (c) => this.getPassByNumber(n, c)));
    }
    if (path === '/rewards') {
      if (req.method === 'POST') return this.withClient(req, (c) => createReward(req, c, this.writeDeps));
      return this.only(req, 'GET', () => this.withClient(req, (c) => this.searchRewards(req, c), { allowClientId: true }));
    }
    if (path === '/rewards/redeemed') {
      if (req.method === 'GET') return this.withClient(req, (c) => this.listRedeemed(req, c));
      if (req.method === 'POST') return this.withClient(req, (c) => this.redeem(req, c));
      return this.methodNotAllowed('GET, POST');
    }
    m = /^\/rewards\/redeemed\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      return this.only(req, 'DELETE', () => this.withClient(req, (c) => this.cancel(id, c, requestIdOf(req))));
    }
    m = /^\/rewards\/([^/]+)\/redeem-status$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      return this.only(req, 'GET', () => this.withClient(req, (c) => this.redeemStatus(id, req, c)));
    }
    m = /^\/rewards\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (req.method === 'PUT') return this.withClient(req, (c) => updateReward(id, req, c, this.writeDeps));
      return this.only(req, 'GET', () => this.withClient(req, (c) => this.getReward(id, c)));
    }
    return uitpasProblem(404, 'url/not-found', `No resource at ${req.method} ${req.path}.`);
  }

  private readonly writeDeps: RewardWriteDeps = {
    state: undefined as unknown as UitpasState,
    now: () => this.now(),
    allowed: (client, organizerIds) => organizerIds.every((o) => this.allowed(client, 'REWARDS_WRITE', [o])),
    forbidden: (organizerIds) => this.forbidden('REWARDS_WRITE', organizerIds),
    rewardJson: (r) => this.rewardJson(r),
  };

  // ---- auth ----------------------------------------------------------------------

  /** GET /permissions: the calling client's permissions per organizer (OrganizerPermissions[]). */
  private permissions(client: UitpasClient): SandboxResponse {
    const labels: Record<UitpasPermission, string> = {
      PASSES_READ: 'Pashouders opzoeken',
      REWARDS_READ: 'Voordelen opvragen',
      REWARDS_REDEEM: 'Voordelen omruilen',
      REWARDS_PASSHOLDERS_READ: 'Omgeruilde voordelen van pashouders opvragen',
      REWARDS_WRITE: 'Voordelen aanmaken en wijzigen',
    };
    return json(
      200,
      Object.entries(client.permissions).map(([id, perms]) => ({
        organizer: { id, name: this.state.organizers.get(id)?.name ?? id },
        permissions: [...perms],
        permissionDetails: perms.map((p) => ({ id: p, label: { nl: labels[p] } })),
      })),
    );
  }

  private token(req: SandboxRequest): SandboxResponse {
    let b: Record<string, unknown> | undefined;
    const ct = (header(req, 'content-type') ?? '').toLowerCase();
    if (ct.startsWith('application/x-www-form-urlencoded')) {
      b = Object.fromEntries(new URLSearchParams(req.rawBody));
    } else if (!req.bodyError && typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body)) {
      b = req.body as Record<string, unknown>;
    }
    if (!b) return json(400, { error: 'invalid_request', error_description: 'The request body must be a JSON object.' });
    if (b.grant_type !== 'client_credentials') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type: only client_credentials is allowed here.' });
    }
    if (typeof b.client_id !== 'string' || typeof b.client_secret !== 'string') {
      return json(400, { error: 'invalid_request', error_description: 'Missing required parameter: client_id and client_secret.' });
    }
    const client = this.clients.find((c) => c.clientId === b.client_id);
    if (!client || !sameSecret(client.clientSecret, b.client_secret)) return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
    if (b.audience !== UITPAS_AUDIENCE) {
      return json(403, { error: 'access_denied', error_description: `Service not enabled within domain: ${String(b.audience ?? '(none)')}` });
    }
    if (b.scope !== undefined && typeof b.scope !== 'string')
      return json(400, { error: 'invalid_scope', error_description: 'scope must be a space-separated string.' });
    this.tokenScopes.push(typeof b.scope === 'string' ? b.scope : null);
    return json(200, { access_token: this.state.issueToken(client.clientId, this.tokenTtlSec), expires_in: this.tokenTtlSec, token_type: 'Bearer' });
  }

  private withClient(req: SandboxRequest, fn: (c: UitpasClient) => SandboxResponse, opts: { allowClientId?: boolean } = {}): SandboxResponse {
    const auth = header(req, 'authorization');
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const clientId = m ? this.state.tokenClient(m[1]!) : undefined;
      const client = clientId ? this.clients.find((c) => c.clientId === clientId) : undefined;
      if (!client) return uitpasProblem(401, 'auth/unauthorized', 'The access token is invalid or has expired.');
      return fn(client);
    }
    if (opts.allowClientId) {
      const id = header(req, 'x-client-id');
      const client = id ? this.clients.find((c) => c.clientId === id) : undefined;
      if (client) return fn(client);
    }
    return uitpasProblem(401, 'auth/unauthorized', 'No access token: send Authorization: Bearer <token>.');
  }

  private allowed(client: UitpasClient, perm: UitpasPermission, organizerIds?: readonly string[]): boolean {
    return Object.entries(client.permissions).some(([org, perms]) => perms.includes(perm) && (organizerIds === undefined || organizerIds.includes(org)));
  }

  private forbidden(perm: UitpasPermission, organizerIds?: readonly string[]): SandboxResponse {
    const where = organizerIds?.length ? ` for organizer ${organizerIds.join(' or ')}` : '';
    return uitpasProblem(403, 'auth/forbidden', `The client must have ${perm} permission${where}.`);
  }

  private only(req: SandboxRequest, method: string, fn: () => SandboxResponse): SandboxResponse {
    return req.method === method ? fn() : this.methodNotAllowed(method);
  }

  private methodNotAllowed(allow: string): SandboxResponse {
    return plainProblem(405, `Allowed: ${allow}.`, { allow });
  }

  // ---- passes ----------------------------------------------------------------------

  private passJson(h: DemoPassholder): Record<string, unknown> {
    const out: Record<string, unknown> = {
      passholderId: h.passholderId,
      passType: h.passType,
      uitpasNumber: h.uitpasNumber,
      firstName: h.firstName,
      points: h.points,
      postalCode: h.postalCode,
      socialTariff: h.socialTariff.status === 'NONE' ? { status: 'NONE' } : { ...h.socialTariff },
    };
    if (h.messages.length > 0) out.messages = h.messages.map((m) => ({ ...m }));
    return out;
  }

  private getPasses(req: SandboxRequest, client: UitpasClient): SandboxResponse {
    if (!this.allowed(client, 'PASSES_READ')) return this.forbidden('PASSES_READ');
    const identifier = req.query.get('identifier');
    if (identifier === null || identifier.trim() === '') return plainProblem(400, 'The query parameter identifier is required.');
    const found = this.state.lookup(identifier);
    if (!found.ok) {
      if (found.problem === 'not-found') return uitpasProblem(404, 'uitpas/pass-not-found', 'No pass found for this identifier.');
      if (found.problem === 'card-status') {
        return uitpasProblem(400, 'uitpas/invalid-card-status', `The card is ${found.cardStatus}.`, {
          cardStatus: found.cardStatus,
          passholderId: found.holder.passholderId,
          passType: found.holder.passType,
        });
      }
      return uitpasProblem(400, 'uitpas/passholder-blocked', 'The passholder of this pass is blocked.');
    }
    return json(200, this.passJson(found.holder));
  }

  private getPassByNumber(uitpasNumber: string, client: UitpasClient): SandboxResponse {
    if (!this.allowed(client, 'PASSES_READ')) return this.forbidden('PASSES_READ');
    const found = this.state.byNumber(uitpasNumber);
    const deprecation = { deprecation: 'true', link: '</passes>; rel="successor-version"' };
    if (!found.ok) {
      if (found.problem === 'not-found' || (found.problem === 'card-status' && found.cardStatus === 'DELETED')) {
        return uitpasProblem(404, 'uitpas/pass-not-found', 'No pass with this UiTPAS number.', {}, deprecation);
      }
      if (found.problem === 'card-status') return uitpasProblem(400, 'uitpas/card-blocked', `The card is ${found.cardStatus}.`, {}, deprecation);
      return uitpasProblem(400, 'uitpas/passholder-blocked', 'The passholder of this pass is blocked.', {}, deprecation);
    }
    return json(200, this.passJson(found.holder), deprecation);
  }

  // ---- rewards ---------------------------------------------------------------------

  rewardJson(r: DemoReward): Record<string, unknown> {
    const cs = (id: number) => ({ id, name: this.state.cardSystems.get(id)?.name ?? `Card system ${id}` });
    const applicable = r.allCardSystems ? [...this.state.cardSystems.keys()] : r.applicableCardSystemIds;
    const out: Record<string, unknown> = {
      id: r.id,
      title: r.title,
      type: r.type,
      promotionalDescription: r.promotionalDescription,
      publicationPeriod: { ...r.publicationPeriod },
    };
    if (r.type === 'POINTS') out.points = r.points ?? 0;
    out.categories = [...r.categories];
    if (r.moreInfoURL) out.moreInfoURL = r.moreInfoURL;
    out.owningCardSystem = cs(r.owningCardSystemId);
    out.applicableCardSystems = applicable.map(cs);
    out.allCardSystems = r.allCardSystems;
    out.organizers = r.organizerIds.map((id) => ({ id, name: this.state.organizers.get(id)?.name ?? id }));
    out.status = r.status;
    if (r.maxAvailableUnits !== undefined) out.maxAvailableUnits = r.maxAvailableUnits;
    out.unitsTaken = r.unitsTaken;
    if (r.practicalInfo) out.practicalInfo = r.practicalInfo;
    out.redeemPeriod = { ...r.redeemPeriod };
    if (r.redeemConstraint) out.redeemConstraint = { ...r.redeemConstraint };
    out.featured = r.featured;
    out.forKids = false;
    out.sport = false;
    out.online = false;
    const end = r.redeemPeriod.end ? Date.parse(r.redeemPeriod.end) : Infinity;
    out.lastChance = end >= this.now() && end - this.now() <= LAST_CHANCE_MS;
    return out;
  }

  private intParam(req: SandboxRequest, name: string, def: number): Parsed<number> {
    const raw = req.query.get(name);
    if (raw === null) return { ok: true, value: def };
    if (!/^\d+$/.test(raw)) return { ok: false, response: plainProblem(400, `The query parameter ${name} must be a whole number of 0 or more.`) };
    return { ok: true, value: Number(raw) };
  }

  private paging(req: SandboxRequest): Parsed<{ start: number; limit: number }> {
    const start = this.intParam(req, 'start', 0);
    if (!start.ok) return start;
    const limit = this.intParam(req, 'limit', 20);
    if (!limit.ok) return limit;
    if (limit.value > UITPAS_MAX_LIMIT) {
      return { ok: false, response: uitpasProblem(400, 'url/query-limit-exceeded', `limit may be at most ${UITPAS_MAX_LIMIT}.`) };
    }
    return { ok: true, value: { start: start.value, limit: limit.value } };
  }

  private enumParam<T extends string>(req: SandboxRequest, name: string, allowed: readonly T[]): Parsed<T | undefined> {
    const raw = req.query.get(name);
    if (raw === null) return { ok: true, value: undefined };
    if (!(allowed as readonly string[]).includes(raw))
      return { ok: false, response: plainProblem(400, `The query parameter ${name} must be one of ${allowed.join(', ')}.`) };
    return { ok: true, value: raw as T };
  }

  private boolParam(req: SandboxRequest, name: string): Parsed<boolean | undefined> {
    const raw = req.query.get(name);
    if (raw === null) return { ok: true, value: undefined };
    if (raw !== 'true' && raw !== 'false') return { ok: false, response: plainProblem(400, `The query parameter ${name} must be true or false.`) };
    return { ok: true, value: raw === 'true' };
  }

  private searchRewards(req: SandboxRequest, client: UitpasClient): SandboxResponse {
    const paging = this.paging(req);
    if (!paging.ok) return paging.response;
    const type = this.enumParam(req, 'type', REWARD_TYPES);
    if (!type.ok) return type.response;
    const subset = this.enumParam(req, 'subset', SUBSETS);
    if (!subset.ok) return subset.response;
    const status = this.enumParam(req, 'status', STATUSES);
    if (!status.ok) return status.response;
    const bools: Array<['featured' | 'forKids' | 'sport' | 'online' | 'lastChance', boolean]> = [];
    for (const name of ['featured', 'forKids', 'sport', 'online', 'lastChance'] as const) {
      const b = this.boolParam(req, name);
      if (!b.ok) return b.response;
      if (b.value !== undefined) bools.push([name, b.value]);
    }
    const pointsFrom = req.query.has('pointsFrom') ? this.intParam(req, 'pointsFrom', 0) : undefined;
    if (pointsFrom && !pointsFrom.ok) return pointsFrom.response;
    const pointsTo = req.query.has('pointsTo') ? this.intParam(req, 'pointsTo', 0) : undefined;
    if (pointsTo && !pointsTo.ok) return pointsTo.response;

    const organizerIds = req.query.getAll('organizerId');
    for (const id of organizerIds) {
      if (!this.state.organizers.has(id)) return uitpasProblem(400, 'uitpas/organizer-not-found', `Organizer ${id} not found.`);
    }
    const cardSystemFilter = (name: string): Parsed<number[]> => {
      const vals = req.query.getAll(name);
      for (const v of vals) {
        if (!/^\d+$/.test(v) || !this.state.cardSystems.has(Number(v))) {
          return { ok: false, response: plainProblem(400, `Card system ${v} not found.`) };
        }
      }
      return { ok: true, value: vals.map(Number) };
    };
    const owning = cardSystemFilter('owningCardSystemId');
    if (!owning.ok) return owning.response;
    const applicable = cardSystemFilter('applicableCardSystemId');
    if (!applicable.ok) return applicable.response;

    let sortKeys: Array<{ field: (typeof SORT_FIELDS)[number]; desc: boolean }> = [];
    const sortRaw = req.query.get('sort');
    if (sortRaw !== null && sortRaw !== '') {
      sortKeys = [];
      for (const part of sortRaw.split(',')) {
        const desc = part.startsWith('-');
        const field = (desc ? part.slice(1) : part) as (typeof SORT_FIELDS)[number];
        if (!SORT_FIELDS.includes(field)) return plainProblem(400, `Cannot sort on "${part}"; use ${SORT_FIELDS.join(', ')}.`);
        sortKeys.push({ field, desc });
      }
    }

    let redeemableBy: DemoPassholder | undefined;
    const phId = req.query.get('isRedeemableByPassholderId');
    if (phId !== null) {
      if (!this.allowed(client, 'REWARDS_PASSHOLDERS_READ')) return this.forbidden('REWARDS_PASSHOLDERS_READ');
      redeemableBy = this.state.byPassholderId(phId);
      if (!redeemableBy) return uitpasProblem(400, 'uitpas/passholder-not-found', `Passholder ${phId} not found.`);
    }

    const now = this.now();
    const wantedType = type.value ?? 'POINTS';
    const sub = subset.value ?? 'ENDUSERS';
    const text = req.query.get('text')?.toLowerCase();
    const categories = req.query.getAll('categories');

    let list = this.state.allRewards().filter((r) => {
      if (wantedType !== 'ANY' && r.type !== wantedType) return false;
      if (organizerIds.length && !r.organizerIds.some((o) => organizerIds.includes(o))) return false;
      if (sub !== 'ALL') {
        if (r.status !== 'ACTIVE') return false;
        const permanent = this.state.cardSystems.get(r.owningCardSystemId)?.permanent ?? false;
        if (!permanent) return false;
        const published = inPeriod(r.publicationPeriod, now);
        const redeemNow = inPeriod(r.redeemPeriod, now);
        const redeemLater = r.redeemPeriod.end === undefined || Date.parse(r.redeemPeriod.end) >= now;
        if (sub === 'ENDUSERS' && !(published && redeemNow)) return false;
        if (sub === 'REDEEMABLE' && !redeemNow) return false;
        if (sub === 'ENDUSER-FUTURE' && !(published && redeemLater)) return false;
        if (sub === 'REDEEMABLE-FUTURE' && !redeemLater) return false;
      }
      if (status.value && r.status !== status.value) return false;
      if (owning.value.length && !owning.value.includes(r.owningCardSystemId)) return false;
      if (applicable.value.length && !r.allCardSystems && !r.applicableCardSystemIds.some((id) => applicable.value.includes(id))) return false;
      if (categories.length && !r.categories.some((c) => categories.includes(c))) return false;
      if (pointsFrom?.ok && (r.points ?? 0) < pointsFrom.value) return false;
      if (pointsTo?.ok && (r.points ?? 0) > pointsTo.value) return false;
      if (text) {
        const orgNames = r.organizerIds.map((id) => this.state.organizers.get(id)?.name ?? '').join(' ');
        if (!`${r.title} ${orgNames}`.toLowerCase().includes(text)) return false;
      }
      if (redeemableBy && this.state.refusal(r, redeemableBy) !== null) return false;
      return true;
    });
    if (bools.length) {
      list = list.filter((r) => {
        const j = this.rewardJson(r);
        return bools.every(([k, v]) => j[k] === v);
      });
    }
    if (sortKeys.length) {
      const value = (r: DemoReward, f: (typeof SORT_FIELDS)[number]): string | number => {
        switch (f) {
          case 'name':
            return r.title.toLowerCase();
          case 'creationdate':
            return Date.parse(r.createdAt);
          case 'redeemCount':
            return r.unitsTaken;
          case 'featured':
            return r.featured ? 1 : 0;
          case 'points':
            return r.points ?? 0;
        }
      };
      list.sort((a, b) => {
        for (const k of sortKeys) {
          const va = value(a, k.field);
          const vb = value(b, k.field);
          if (va < vb) return k.desc ? 1 : -1;
          if (va > vb) return k.desc ? -1 : 1;
        }
        return 0;
      });
    }
    const { start, limit } = paging.value;
    return json(200, { totalItems: list.length, member: list.slice(start, start + limit).map((r) => this.rewardJson(r)) });
  }

  private getReward(id: string, client: UitpasClient): SandboxResponse {
    const r = this.state.getReward(id);
    if (!r) return uitpasProblem(404, 'uitpas/reward-not-found', `Reward ${id} not found.`);
    if (!this.allowed(client, 'REWARDS_READ', r.organizerIds)) return this.forbidden('REWARDS_READ', r.organizerIds);
    return json(200, this.rewardJson(r));
  }

  private redeemStatus(id: string, req: SandboxRequest, client: UitpasClient): SandboxResponse {
    const n = req.query.get('uitpasNumber');
    if (!validUitpasNumber(n)) return uitpasProblem(400, 'uitpas/invalid-uitpas-number', 'uitpasNumber must be a 13-digit UiTPAS number.');
    const r = this.state.getReward(id);
    if (!r) return uitpasProblem(404, 'uitpas/reward-not-found', `Reward ${id} not found.`);
    if (!this.allowed(client, 'REWARDS_REDEEM', r.organizerIds)) return this.forbidden('REWARDS_REDEEM', r.organizerIds);
    const holder = this.holderForRedeem(this.state.byNumber(n));
    if (!holder) return uitpasProblem(400, 'uitpas/passholder-not-found', `No passholder with UiTPAS number ${n}.`);
    const reason = this.state.refusal(r, holder);
    return json(200, reason === null ? { redeemable: true } : { redeemable: false, reason, message: REDEEM_REASON_MESSAGES[reason] });
  }

  /** Blocked cards and passholders still exist for the redeem rules (they answer INVALID_CARD). */
  private holderForRedeem(found: PassLookup): DemoPassholder | undefined {
    return found.ok || found.problem !== 'not-found' ? found.holder : undefined;
  }

  private redeemedJson(rec: RedemptionRecord): Record<string, unknown> {
    const reward = this.state.getReward(rec.rewardId, { includeDeleted: true });
    const out: Record<string, unknown> = {
      id: rec.id,
      reward: reward
        ? this.rewardJson(reward)
        : { id: rec.rewardId, title: '(deleted)', type: 'POINTS', promotionalDescription: '', publicationPeriod: { begin: rec.redeemDate } },
      redeemDate: rec.redeemDate,
    };
    if (reward?.redeemInfo) out.redeemInfo = { ...reward.redeemInfo };
    if (rec.redeemCode) out.redeemCode = rec.redeemCode;
    return out;
  }

  private redeem(req: SandboxRequest, client: UitpasClient): SandboxResponse {
    if (req.rawBody.trim() === '') return uitpasProblem(400, 'body/missing', 'The request body is missing.');
    if (req.bodyError) return uitpasProblem(400, 'body/invalid-syntax', 'The request body is not valid JSON.');
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      return uitpasProblem(400, 'body/invalid-data', 'The request body must be an object.', {
        schemaErrors: [{ jsonPointer: '/', error: 'must be an object' }],
      });
    }
    const body = b as Record<string, unknown>;
    const schemaErrors: Array<{ jsonPointer: string; error: string }> = [];
    for (const k of ['rewardId', 'uitpasNumber'] as const) {
      if (!(k in body)) schemaErrors.push({ jsonPointer: `/${k}`, error: 'The property is required.' });
      else if (typeof body[k] !== 'string') schemaErrors.push({ jsonPointer: `/${k}`, error: 'The value must be a string.' });
    }
    if (schemaErrors.length) return uitpasProblem(400, 'body/invalid-data', 'The request body is not valid.', { schemaErrors });
    const rewardId = body.rewardId as string;
    const n = body.uitpasNumber as string;
    if (!validUitpasNumber(n)) return uitpasProblem(400, 'uitpas/invalid-uitpas-number', 'uitpasNumber must be a 13-digit UiTPAS number.');
    const r = this.state.getReward(rewardId);
    if (!r) return uitpasProblem(400, 'uitpas/reward-not-found', `Reward ${rewardId} not found.`);
    if (!this.allowed(client, 'REWARDS_REDEEM', r.organizerIds)) return this.forbidden('REWARDS_REDEEM', r.organizerIds);
    const holder = this.holderForRedeem(this.state.byNumber(n));
    if (!holder) return uitpasProblem(400, 'uitpas/passholder-not-found', `No passholder with UiTPAS number ${n}.`);
    const reason = this.state.refusal(r, holder);
    if (reason !== null) return uitpasProblem(400, REDEEM_REASON_PROBLEMS[reason], `Reward ${rewardId} is not redeemable: ${reason}.`);
    const rec = this.state.redeem(rewardId, n, client.clientId, requestIdOf(req));
    return json(201, this.redeemedJson(rec));
  }

  private listRedeemed(req: SandboxRequest, client: UitpasClient): SandboxResponse {
    if (!this.allowed(client, 'REWARDS_READ')) return this.forbidden('REWARDS_READ');
    const n = req.query.get('uitpasNumber');
    if (!validUitpasNumber(n)) return uitpasProblem(400, 'uitpas/invalid-uitpas-number', 'uitpasNumber must be a 13-digit UiTPAS number.');
    const rewardType = this.enumParam(req, 'rewardType', ['POINTS', 'WELCOME'] as const);
    if (!rewardType.ok) return rewardType.response;
    const paging = this.paging(req);
    if (!paging.ok) return paging.response;
    const holder = this.holderForRedeem(this.state.byNumber(n));
    let list = holder ? this.state.redemptionsFor(holder.passholderId, { includeCancelled: this.forms.cancelledInList === 'listed' }) : [];
    if (this.forms.redeemedOrder === 'oldest-first') list.reverse();
    if (rewardType.value) list = list.filter((x) => this.state.getReward(x.rewardId, { includeDeleted: true })?.type === rewardType.value);
    const { start, limit } = paging.value;
    return json(200, { totalItems: list.length, member: list.slice(start, start + limit).map((x) => this.redeemedJson(x)) });
  }

  private cancel(id: string, client: UitpasClient, requestId: string | undefined): SandboxResponse {
    const rec = this.state.getRedemption(id);
    if (!rec || rec.cancelledAt) return plainProblem(404, `No redeemed reward ${id} (or it was already cancelled).`);
    const reward = this.state.getReward(rec.rewardId, { includeDeleted: true });
    const orgs = reward?.organizerIds ?? [];
    if (!this.allowed(client, 'REWARDS_REDEEM', orgs)) return this.forbidden('REWARDS_REDEEM', orgs);
    this.state.cancel(id, requestId);
    return { status: 204 };
  }
}

/** The client's x-request-id, kept with the change for the crash harness's ledger (never used to decide anything). */
function requestIdOf(req: SandboxRequest): string | undefined {
  const v = req.headers['x-request-id'];
  const id = Array.isArray(v) ? v[0] : v;
  return id ? id.slice(0, 200) : undefined;
}
