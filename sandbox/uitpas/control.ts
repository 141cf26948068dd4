/**
 * UiTPAS control routes, mounted by the router at /_control/uitpas:
 *
 *   POST /_control/uitpas/passholders      {uitpasNumber?, firstName?, points?, passType?, postalCode?, insz?,
 *                                            chipNumber?, cardStatus?, blocked?, socialTariff?, messages?,
 *                                            cardSystemIds?, membershipStatus?}
 *                                          -> 201 {passholderId, uitpasNumber, ...}  (a fresh Luhn-valid number when none given)
 *   POST /_control/uitpas/passholders/{uitpasNumber}/points {points} -> {uitpasNumber, points}
 *   POST /_control/uitpas/rewards          {id?, title?, type?, points?, organizerIds?, allCardSystems?,
 *                                            applicableCardSystemIds?, status?, maxAvailableUnits?, unitsTaken?,
 *                                            redeemPeriod?, publicationPeriod?, redeemConstraint?, redeemCodes?}
 *                                          -> 201 the Reward as the API shows it (organizer: the counter by default)
 *   GET  /_control/uitpas/redeemed?uitpasNumber=  -> {redeemed: [...]}  every redemption, cancelled ones with cancelledAt
 *   GET  /_control/uitpas/ledger?uitpasNumber=    -> {entries: [...in order], balances: {uitpasNumber: points}}
 *   GET  /_control/uitpas/token-scopes            -> {scopes: [...]} the scope of each token request (null: none sent)
 *   POST /_control/uitpas/expire-tokens           -> {expired: n}  every issued token is expired from now on
 *   GET  /_control/uitpas/tokens                  -> {issued, active}  tokens issued since the last reset, still valid
 *   POST /_control/uitpas/clients          {clientId, clientSecret, permissions: {organizerId: [perm...]}} -> 201
 *   GET  /_control/uitpas/forms            -> the emulator's answers where the document is silent (UitpasForms)
 *   POST /_control/uitpas/forms            {redeemedOrder?, cancelledInList?} -> the forms now in force
 *   POST /_control/uitpas/reset            {seedDemo?: true} -> {ok: true} (forms back to the defaults)
 *
 * Errors are problem+json, like the rest of the control API.
 */
import { randomUUID } from 'node:crypto';
import { inszValid, luhnValid } from '../../shared/member-number.js';
import { json, problem } from '../http-util.js';
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import type { UitpasBackend, UitpasForms } from './backend.js';
import { UITPAS_ORGANIZERS, type ConstraintPeriod, type DemoPassholder, type DemoReward, type UitpasPermission } from './demo-data.js';

const bad = (detail: string) => problem(400, 'Bad request', detail);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isIsoDate(v: unknown): v is string {
  return typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /T.*(Z|[+-]\d{2}:\d{2})$/.test(v);
}

function period(v: unknown, name: string): { ok: true; value?: { begin: string; end?: string } } | { ok: false; error: string } {
  if (v === undefined) return { ok: true };
  if (!isObject(v) || !isIsoDate(v.begin) || (v.end !== undefined && !isIsoDate(v.end))) {
    return { ok: false, error: `${name} must be {begin, end?} with ISO times carrying a zone (…Z).` };
  }
  return { ok: true, value: { begin: v.begin, ...(v.end !== undefined ? { end: v.end as string } : {}) } };
}

export function handleUitpasControl(ui: UitpasBackend, req: SandboxRequest, _ctx: SandboxContext): SandboxResponse | undefined {
  const route = `${req.method} ${req.path}`;
  const uitpasNumber = req.query.get('uitpasNumber') ?? undefined;
  switch (route) {
    case 'POST /passholders':
      return addPassholder(ui, req);
    case 'POST /rewards':
      return addReward(ui, req);
    case 'GET /redeemed': {
      const all = ui.state.allRedemptions().filter((r) => uitpasNumber === undefined || r.uitpasNumber === uitpasNumber);
      return json(200, { redeemed: all });
    }
    case 'GET /ledger':
      return json(200, { entries: ui.state.ledger(uitpasNumber), balances: ui.state.balances(uitpasNumber) });
    case 'GET /token-scopes':
      return json(200, { scopes: [...ui.tokenScopes] });
    case 'POST /expire-tokens':
      return json(200, { expired: ui.state.expireTokens() });
    case 'GET /tokens':
      return json(200, { issued: ui.state.tokensIssued, active: ui.state.activeTokens() });
    case 'POST /clients':
      return addClient(ui, req);
    case 'GET /forms':
      return json(200, ui.forms);
    case 'POST /forms':
      return setForms(ui, req);
    case 'POST /reset': {
      const seed = (req.body as { seedDemo?: unknown } | undefined)?.seedDemo;
      ui.reset(seed !== false);
      return json(200, { ok: true });
    }
  }
  const pts = /^\/passholders\/(\d{13})\/points$/.exec(req.path);
  if (pts && req.method === 'POST') {
    const b = req.body;
    if (!isObject(b) || typeof b.points !== 'number' || !Number.isSafeInteger(b.points) || b.points < 0)
      return bad('points must be a whole number of 0 or more.');
    if (!ui.state.setPoints(pts[1]!, b.points)) return problem(404, 'Not found', `No pass ${pts[1]}.`);
    return json(200, { uitpasNumber: pts[1], points: b.points });
  }
  return undefined;
}

function addPassholder(ui: UitpasBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body ?? {};
  if (!isObject(b)) return bad('Body must be a JSON object.');
  let n: string;
  if (b.uitpasNumber === undefined) {
    n = ui.state.newUitpasNumber();
  } else {
    if (typeof b.uitpasNumber !== 'string' || !/^\d{13}$/.test(b.uitpasNumber)) return bad('uitpasNumber must be 13 digits.');
    // The terminal refuses a wrong check digit before asking the backend: such a pass could never be scanned.
    if (!luhnValid(b.uitpasNumber)) return bad('uitpasNumber has a wrong Luhn check digit.');
    n = b.uitpasNumber;
  }
  if (ui.state.hasPass(n)) return problem(409, 'Conflict', `A pass with number ${n} exists.`);
  const points = b.points ?? 0;
  if (typeof points !== 'number' || !Number.isSafeInteger(points) || points < 0) return bad('points must be a whole number of 0 or more.');
  if (b.insz !== undefined && (typeof b.insz !== 'string' || !inszValid(b.insz))) return bad('insz must be a valid 11-digit INSZ.');
  if (b.chipNumber !== undefined && (typeof b.chipNumber !== 'string' || !/^[0-9A-Fa-f]{8,20}$/.test(b.chipNumber)))
    return bad('chipNumber must be 8 to 20 hex digits.');
  if (b.passType !== undefined && b.passType !== 'INDIVIDUAL' && b.passType !== 'GROUP') return bad('passType must be INDIVIDUAL or GROUP.');
  if (b.cardStatus !== undefined && !['ACTIVE', 'BLOCKED', 'LOST', 'DELETED'].includes(b.cardStatus as string))
    return bad('cardStatus must be ACTIVE, BLOCKED, LOST or DELETED.');
  let socialTariff: DemoPassholder['socialTariff'] = { status: 'NONE' };
  if (b.socialTariff !== undefined) {
    const st = b.socialTariff;
    if (!isObject(st) || !['ACTIVE', 'EXPIRED', 'NONE'].includes(st.status as string) || (st.endDate !== undefined && !isIsoDate(st.endDate))) {
      return bad('socialTariff must be {status: ACTIVE|EXPIRED|NONE, endDate?}.');
    }
    socialTariff = {
      status: st.status as 'ACTIVE' | 'EXPIRED' | 'NONE',
      ...(st.endDate !== undefined && st.status !== 'NONE' ? { endDate: st.endDate as string } : {}),
    };
  }
  const messages: DemoPassholder['messages'] = [];
  if (b.messages !== undefined) {
    if (!Array.isArray(b.messages)) return bad('messages must be an array.');
    for (const m of b.messages) {
      if (!isObject(m) || !['INFO', 'WARN', 'ERROR'].includes(m.level as string) || typeof m.text !== 'string')
        return bad('each message is {level: INFO|WARN|ERROR, text}.');
      messages.push({ level: m.level as 'INFO' | 'WARN' | 'ERROR', text: m.text });
    }
  }
  const cardSystemIds = b.cardSystemIds ?? [1];
  if (!Array.isArray(cardSystemIds) || !cardSystemIds.every((id) => typeof id === 'number' && ui.state.cardSystems.has(id)))
    return bad('cardSystemIds must list known card systems.');
  const membershipStatus = b.membershipStatus ?? 'ACTIVE';
  if (membershipStatus !== 'ACTIVE' && membershipStatus !== 'EXPIRED') return bad('membershipStatus must be ACTIVE or EXPIRED.');
  for (const k of ['firstName', 'postalCode'] as const) if (b[k] !== undefined && typeof b[k] !== 'string') return bad(`${k} must be a string.`);

  const p: DemoPassholder = {
    passholderId: randomUUID(),
    uitpasNumber: n,
    passType: (b.passType as DemoPassholder['passType']) ?? 'INDIVIDUAL',
    firstName: (b.firstName as string) ?? 'Test',
    postalCode: (b.postalCode as string) ?? '9300',
    points,
    ...(b.insz !== undefined ? { insz: b.insz as string } : {}),
    ...(b.chipNumber !== undefined ? { chipNumber: b.chipNumber as string } : {}),
    cardStatus: (b.cardStatus as DemoPassholder['cardStatus']) ?? 'ACTIVE',
    blocked: b.blocked === true,
    socialTariff,
    messages,
    memberships: (cardSystemIds as number[]).map((cardSystemId) => ({ cardSystemId, status: membershipStatus })),
    purpose: 'added through the control API',
  };
  try {
    return json(201, ui.state.addPassholder(p));
  } catch (e) {
    return problem(409, 'Conflict', (e as Error).message);
  }
}

const PERIODS: ConstraintPeriod[] = ['ABSOLUTE', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

function addReward(ui: UitpasBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body ?? {};
  if (!isObject(b)) return bad('Body must be a JSON object.');
  const type = b.type ?? 'POINTS';
  if (type !== 'POINTS' && type !== 'WELCOME') return bad('type must be POINTS or WELCOME.');
  if (b.points !== undefined && (typeof b.points !== 'number' || !Number.isSafeInteger(b.points) || b.points < 0))
    return bad('points must be a whole number of 0 or more.');
  if (type === 'POINTS' && b.points === undefined) return bad('A POINTS reward needs points.');
  const organizerIds = b.organizerIds ?? [UITPAS_ORGANIZERS.counter.id];
  if (!Array.isArray(organizerIds) || organizerIds.length === 0 || !organizerIds.every((o) => typeof o === 'string' && ui.state.organizers.has(o))) {
    return bad('organizerIds must list known organizers.');
  }
  const applicable = b.applicableCardSystemIds ?? [];
  if (!Array.isArray(applicable) || !applicable.every((id) => typeof id === 'number' && ui.state.cardSystems.has(id)))
    return bad('applicableCardSystemIds must list known card systems.');
  if (b.status !== undefined && !['ACTIVE', 'INACTIVE', 'DELETED'].includes(b.status as string)) return bad('status must be ACTIVE, INACTIVE or DELETED.');
  for (const k of ['maxAvailableUnits', 'unitsTaken'] as const) {
    if (b[k] !== undefined && (typeof b[k] !== 'number' || !Number.isSafeInteger(b[k]) || (b[k] as number) < 0))
      return bad(`${k} must be a whole number of 0 or more.`);
  }
  const redeemPeriod = period(b.redeemPeriod, 'redeemPeriod');
  if (!redeemPeriod.ok) return bad(redeemPeriod.error);
  const publicationPeriod = period(b.publicationPeriod, 'publicationPeriod');
  if (!publicationPeriod.ok) return bad(publicationPeriod.error);
  let redeemConstraint: DemoReward['redeemConstraint'];
  if (b.redeemConstraint !== undefined) {
    const c = b.redeemConstraint;
    if (!isObject(c) || typeof c.volume !== 'number' || !Number.isSafeInteger(c.volume) || c.volume < 1 || !PERIODS.includes(c.period as ConstraintPeriod)) {
      return bad(`redeemConstraint must be {volume >= 1, period: ${PERIODS.join('|')}}.`);
    }
    redeemConstraint = { volume: c.volume, period: c.period as ConstraintPeriod };
  }
  const id = b.id ?? randomUUID();
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) return bad('id must be 1 to 64 letters, digits or dashes.');
  if (ui.state.getReward(id, { includeDeleted: true })) return problem(409, 'Conflict', `A reward with id ${id} exists.`);
  const firstOrg = ui.state.organizers.get(organizerIds[0] as string)!;
  const r: DemoReward = {
    id,
    title: typeof b.title === 'string' ? b.title : `Testvoordeel ${id.slice(0, 8)}`,
    type,
    ...(type === 'POINTS' ? { points: b.points as number } : {}),
    organizerIds: organizerIds as string[],
    owningCardSystemId: firstOrg.cardSystemIds[0] ?? 1,
    allCardSystems: b.allCardSystems !== false,
    applicableCardSystemIds: applicable as number[],
    status: (b.status as DemoReward['status']) ?? 'ACTIVE',
    ...(b.maxAvailableUnits !== undefined ? { maxAvailableUnits: b.maxAvailableUnits as number } : {}),
    unitsTaken: (b.unitsTaken as number | undefined) ?? 0,
    publicationPeriod: publicationPeriod.value ?? { begin: '2024-01-01T00:00:00Z' },
    redeemPeriod: redeemPeriod.value ?? { begin: '2024-01-01T00:00:00Z' },
    ...(redeemConstraint ? { redeemConstraint } : {}),
    categories: ['Doen'],
    promotionalDescription: typeof b.promotionalDescription === 'string' ? b.promotionalDescription : 'Toegevoegd via de control API.',
    ...(b.redeemCodes === true ? { redeemCodes: true } : {}),
    featured: false,
    createdAt: new Date(ui.now()).toISOString(),
  };
  ui.state.addReward(r);
  return json(201, ui.rewardJson(r));
}

const PERMISSIONS: UitpasPermission[] = ['PASSES_READ', 'REWARDS_READ', 'REWARDS_REDEEM', 'REWARDS_PASSHOLDERS_READ', 'REWARDS_WRITE'];

function addClient(ui: UitpasBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body;
  if (!isObject(b) || typeof b.clientId !== 'string' || b.clientId === '' || typeof b.clientSecret !== 'string' || b.clientSecret === '') {
    return bad('Body must be {clientId, clientSecret, permissions}.');
  }
  const perms = b.permissions ?? {};
  if (!isObject(perms)) return bad('permissions must map organizer ids to permission lists.');
  const permissions: Record<string, UitpasPermission[]> = {};
  for (const [org, list] of Object.entries(perms)) {
    if (!ui.state.organizers.has(org)) return bad(`Unknown organizer ${org}.`);
    if (!Array.isArray(list) || !list.every((p) => PERMISSIONS.includes(p as UitpasPermission))) return bad(`Permissions are ${PERMISSIONS.join(', ')}.`);
    permissions[org] = list as UitpasPermission[];
  }
  ui.putClient({ clientId: b.clientId, clientSecret: b.clientSecret, permissions });
  return json(201, { clientId: b.clientId, permissions });
}

const FORM_VALUES: { [K in keyof UitpasForms]: readonly UitpasForms[K][] } = {
  redeemedOrder: ['newest-first', 'oldest-first'],
  cancelledInList: ['left-out', 'listed'],
};

function setForms(ui: UitpasBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body;
  if (!isObject(b)) return bad('Body must be a JSON object of forms.');
  const next: UitpasForms = { ...ui.forms };
  for (const [k, v] of Object.entries(b)) {
    const allowed = FORM_VALUES[k as keyof UitpasForms] as readonly unknown[] | undefined;
    if (!allowed) return bad(`Unknown form ${k}; the forms are ${Object.keys(FORM_VALUES).join(', ')}.`);
    if (!allowed.includes(v)) return bad(`${k} is one of ${allowed.join(', ')}.`);
    (next as unknown as Record<string, unknown>)[k] = v;
  }
  ui.forms = next;
  return json(200, ui.forms);
}
