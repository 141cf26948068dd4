/**
 * The UiTPAS emulator's reward writes, as the official document has them
 * (../shared/specs/uitpas.json, kept in ./openapi-subset.json):
 *
 *   POST /uitpas/rewards              a Reward (no id)  -> 200 the Reward with its id   REWARDS_WRITE for its organizers
 *   PUT  /uitpas/rewards/{rewardId}   a Reward, overwrites the previous details -> 200   REWARDS_WRITE for its organizers
 *
 * The body is read against the document's Reward schema: `title`, `type`,
 * `promotionalDescription` and `publicationPeriod` are required, and the
 * descriptions make `points`, `categories` and `moreInfoURL` required for a
 * POINTS reward. Refusals are the document's problem types: body/missing,
 * body/invalid-syntax, body/invalid-data (with schemaErrors),
 * uitpas/invalid-card-system, uitpas/reward-not-editable (points or
 * redeemPeriod.begin changed after a redemption), uitpas/reward-not-found
 * (404 on PUT). readOnly fields (id, status, unitsTaken, lastChance) in a
 * request are ignored, as a server does.
 *
 * Guesses where the document is silent (README "Guesses"): the organizer a new
 * reward belongs to is the one its `organizers` names (required here: the
 * document says only "for the given organizer"); a POINTS reward's points must
 * be a whole number of 0 or more; `categories` must not be empty; a new reward
 * is ACTIVE; a PUT without `organizers` keeps the reward's organizers.
 */
import { randomUUID } from 'node:crypto';
import { json } from '../http-util.js';
import type { SandboxRequest, SandboxResponse } from '../types.js';
import type { ConstraintPeriod, DemoReward, RewardCategory, UitpasClient } from './demo-data.js';
import { uitpasProblem } from './problems.js';
import type { UitpasState } from './state.js';

const CATEGORIES: readonly RewardCategory[] = ['Eten en drinken', 'Doen', 'Gadget of item', 'Goede doel'];
const PERIODS: readonly ConstraintPeriod[] = ['ABSOLUTE', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];
/** RFC 3339 date-time, as ajv-formats checks the document's `format: date-time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

type SchemaError = { jsonPointer: string; error: string };

export interface RewardWriteDeps {
  state: UitpasState;
  now: () => number;
  allowed(client: UitpasClient, organizerIds: readonly string[]): boolean;
  forbidden(organizerIds: readonly string[]): SandboxResponse;
  rewardJson(r: DemoReward): Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isUri(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    return new URL(v).protocol.length > 1;
  } catch {
    return false;
  }
}

/** Reads the body into a reward's writable fields, or the problem to answer. */
function readBody(req: SandboxRequest, deps: RewardWriteDeps): { ok: true; body: Record<string, unknown> } | { ok: false; response: SandboxResponse } {
  if (req.rawBody.trim() === '') return { ok: false, response: uitpasProblem(400, 'body/missing', 'The request body is missing.') };
  if (req.bodyError) return { ok: false, response: uitpasProblem(400, 'body/invalid-syntax', 'The request body is not valid JSON.') };
  if (!isObject(req.body)) {
    return {
      ok: false,
      response: uitpasProblem(400, 'body/invalid-data', 'The request body must be an object.', {
        schemaErrors: [{ jsonPointer: '/', error: 'must be an object' }],
      }),
    };
  }
  const b = req.body;
  const errors: SchemaError[] = [];
  const err = (p: string, e: string) => errors.push({ jsonPointer: p, error: e });
  for (const k of ['title', 'type', 'promotionalDescription', 'publicationPeriod']) if (!(k in b)) err(`/${k}`, 'The property is required.');
  for (const k of ['title', 'promotionalDescription', 'practicalInfo']) if (k in b && typeof b[k] !== 'string') err(`/${k}`, 'The value must be a string.');
  if ('type' in b && b.type !== 'POINTS' && b.type !== 'WELCOME') err('/type', 'The value must be one of POINTS, WELCOME.');
  for (const k of ['publicationPeriod', 'redeemPeriod', 'grantingPeriod']) {
    if (!(k in b)) continue;
    const p = b[k];
    if (!isObject(p)) err(`/${k}`, 'The value must be an object.');
    else {
      if (typeof p.begin !== 'string' || !DATE_TIME.test(p.begin)) err(`/${k}/begin`, 'A date-time is required.');
      if (p.end !== undefined && (typeof p.end !== 'string' || !DATE_TIME.test(p.end))) err(`/${k}/end`, 'The value must be a date-time.');
      if (typeof p.begin === 'string' && typeof p.end === 'string' && Date.parse(p.end) < Date.parse(p.begin))
        err(`/${k}/end`, 'The end lies before the begin.');
    }
  }
  if (b.type === 'POINTS') {
    if (!('points' in b)) err('/points', 'Required for a reward of type POINTS.');
    if (!('categories' in b)) err('/categories', 'Required for a reward of type POINTS.');
    if (!('moreInfoURL' in b)) err('/moreInfoURL', 'Required for a reward of type POINTS.');
  }
  if ('points' in b && (typeof b.points !== 'number' || !Number.isSafeInteger(b.points) || b.points < 0))
    err('/points', 'The value must be a whole number of 0 or more.');
  if ('categories' in b) {
    if (!Array.isArray(b.categories) || b.categories.length === 0) err('/categories', 'The value must be a non-empty array.');
    else
      b.categories.forEach((c, i) => CATEGORIES.includes(c as RewardCategory) || err(`/categories/${i}`, `The value must be one of ${CATEGORIES.join(', ')}.`));
  }
  if ('moreInfoURL' in b && !isUri(b.moreInfoURL)) err('/moreInfoURL', 'The value must be a URI.');
  if ('maxAvailableUnits' in b && (typeof b.maxAvailableUnits !== 'number' || !Number.isSafeInteger(b.maxAvailableUnits) || b.maxAvailableUnits < 0))
    err('/maxAvailableUnits', 'The value must be a whole number of 0 or more.');
  if ('allCardSystems' in b && typeof b.allCardSystems !== 'boolean') err('/allCardSystems', 'The value must be a boolean.');
  if ('redeemConstraint' in b) {
    const c = b.redeemConstraint;
    if (!isObject(c)) err('/redeemConstraint', 'The value must be an object.');
    else {
      if (typeof c.volume !== 'number' || !Number.isSafeInteger(c.volume) || c.volume < 1)
        err('/redeemConstraint/volume', 'The value must be a whole number of 1 or more.');
      if (!PERIODS.includes(c.period as ConstraintPeriod)) err('/redeemConstraint/period', `The value must be one of ${PERIODS.join(', ')}.`);
    }
  }
  if ('organizers' in b) {
    if (!Array.isArray(b.organizers) || b.organizers.length === 0) err('/organizers', 'The value must be a non-empty array.');
    else
      b.organizers.forEach((o, i) => {
        if (!isObject(o) || typeof o.id !== 'string') err(`/organizers/${i}/id`, 'The property is required.');
        else if (!deps.state.organizers.has(o.id)) err(`/organizers/${i}/id`, `Organizer ${o.id} not found.`);
      });
  }
  if (errors.length) return { ok: false, response: uitpasProblem(400, 'body/invalid-data', 'The request body is not valid.', { schemaErrors: errors }) };
  return { ok: true, body: b };
}

function cardSystemIds(b: Record<string, unknown>, state: UitpasState): { ok: true; owning?: number; applicable: number[] } | { ok: false } {
  const id = (v: unknown) => (isObject(v) && typeof v.id === 'number' && state.cardSystems.has(v.id) ? v.id : null);
  let owning: number | undefined;
  if (b.owningCardSystem !== undefined) {
    const o = id(b.owningCardSystem);
    if (o === null) return { ok: false };
    owning = o;
  }
  const applicable: number[] = [];
  if (b.applicableCardSystems !== undefined) {
    if (!Array.isArray(b.applicableCardSystems)) return { ok: false };
    for (const c of b.applicableCardSystems) {
      const a = id(c);
      if (a === null) return { ok: false };
      applicable.push(a);
    }
  }
  return { ok: true, ...(owning !== undefined ? { owning } : {}), applicable };
}

/** The writable fields of a body, applied over `base` (a PUT overwrites: what the body leaves out is gone). */
function toReward(b: Record<string, unknown>, base: DemoReward): DemoReward {
  const period = (v: unknown) => {
    const p = v as { begin: string; end?: string };
    return { begin: p.begin, ...(p.end !== undefined ? { end: p.end } : {}) };
  };
  const r: DemoReward = {
    id: base.id,
    title: b.title as string,
    type: b.type as DemoReward['type'],
    organizerIds: base.organizerIds,
    owningCardSystemId: base.owningCardSystemId,
    allCardSystems: b.allCardSystems === undefined ? true : (b.allCardSystems as boolean),
    applicableCardSystemIds: base.applicableCardSystemIds,
    status: base.status,
    unitsTaken: base.unitsTaken,
    publicationPeriod: period(b.publicationPeriod),
    // No redeem period given: redeemable from publication on (the emulator's choice).
    redeemPeriod: b.redeemPeriod !== undefined ? period(b.redeemPeriod) : period(b.publicationPeriod),
    categories: (b.categories as RewardCategory[] | undefined) ?? [],
    promotionalDescription: b.promotionalDescription as string,
    featured: base.featured,
    createdAt: base.createdAt,
  };
  if (r.type === 'POINTS') r.points = b.points as number;
  if (b.maxAvailableUnits !== undefined) r.maxAvailableUnits = b.maxAvailableUnits as number;
  if (isObject(b.redeemConstraint)) r.redeemConstraint = { volume: b.redeemConstraint.volume as number, period: b.redeemConstraint.period as ConstraintPeriod };
  if (typeof b.practicalInfo === 'string') r.practicalInfo = b.practicalInfo;
  if (typeof b.moreInfoURL === 'string') r.moreInfoURL = b.moreInfoURL;
  if (base.redeemInfo) r.redeemInfo = base.redeemInfo;
  if (base.redeemCodes) r.redeemCodes = base.redeemCodes;
  return r;
}

function organizersOf(b: Record<string, unknown>): string[] | undefined {
  return Array.isArray(b.organizers) ? (b.organizers as Array<{ id: string }>).map((o) => o.id) : undefined;
}

/** POST /rewards */
export function createReward(req: SandboxRequest, client: UitpasClient, deps: RewardWriteDeps): SandboxResponse {
  const read = readBody(req, deps);
  if (!read.ok) return read.response;
  const b = read.body;
  const organizerIds = organizersOf(b);
  if (!organizerIds)
    return uitpasProblem(400, 'body/invalid-data', 'The request body is not valid.', {
      schemaErrors: [{ jsonPointer: '/organizers', error: 'Name the organizer the reward is for.' }],
    });
  if (!deps.allowed(client, organizerIds)) return deps.forbidden(organizerIds);
  const cs = cardSystemIds(b, deps.state);
  if (!cs.ok) return uitpasProblem(400, 'uitpas/invalid-card-system', 'A card system in the request does not exist.');
  const firstOrg = deps.state.organizers.get(organizerIds[0]!)!;
  const base: DemoReward = {
    id: randomUUID(),
    title: '',
    type: 'POINTS',
    organizerIds,
    owningCardSystemId: cs.owning ?? firstOrg.cardSystemIds[0] ?? 1,
    allCardSystems: true,
    applicableCardSystemIds: cs.applicable,
    status: 'ACTIVE',
    unitsTaken: 0,
    publicationPeriod: { begin: new Date(deps.now()).toISOString() },
    redeemPeriod: { begin: new Date(deps.now()).toISOString() },
    categories: [],
    promotionalDescription: '',
    featured: false,
    createdAt: new Date(deps.now()).toISOString(),
  };
  const r = toReward(b, base);
  deps.state.addReward(r);
  return json(200, deps.rewardJson(r));
}

/** PUT /rewards/{rewardId} */
export function updateReward(id: string, req: SandboxRequest, client: UitpasClient, deps: RewardWriteDeps): SandboxResponse {
  const old = deps.state.getReward(id);
  if (!old) return uitpasProblem(404, 'uitpas/reward-not-found', `Reward ${id} not found.`);
  if (!deps.allowed(client, old.organizerIds)) return deps.forbidden(old.organizerIds);
  const read = readBody(req, deps);
  if (!read.ok) return read.response;
  const b = read.body;
  const organizerIds = organizersOf(b) ?? old.organizerIds;
  if (!deps.allowed(client, organizerIds)) return deps.forbidden(organizerIds);
  const cs = cardSystemIds(b, deps.state);
  if (!cs.ok) return uitpasProblem(400, 'uitpas/invalid-card-system', 'A card system in the request does not exist.');
  const next = toReward(b, {
    ...old,
    organizerIds,
    owningCardSystemId: cs.owning ?? old.owningCardSystemId,
    applicableCardSystemIds: b.applicableCardSystems !== undefined ? cs.applicable : old.applicableCardSystemIds,
  });
  // The document: points and redeemPeriod.begin are not editable once the reward was redeemed.
  if (deps.state.everRedeemed(id) && (next.points !== old.points || next.redeemPeriod.begin !== old.redeemPeriod.begin)) {
    return uitpasProblem(400, 'uitpas/reward-not-editable', `Reward ${id} was redeemed already: its points and redeem period start can no longer change.`);
  }
  deps.state.replaceReward(next);
  return json(200, deps.rewardJson(next));
}
