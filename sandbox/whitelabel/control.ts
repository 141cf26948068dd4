/**
 * White Label control routes, mounted by the router at /_control/whitelabel:
 *
 *   POST /_control/whitelabel/members        {memberId?, points}  -> 201 {userId, points}
 *   GET  /_control/whitelabel/ledger?userId= -> {events: [...in order], balances: {userId: points}}
 *   POST /_control/whitelabel/reset          {seedDemo?: true}      -> {ok: true}
 *   POST /_control/whitelabel/revoke-tokens                         -> {revoked: n}
 *   GET|POST /_control/whitelabel/forms      {eventTypes?, wallet?, echo?} -> the emulator's guesses now in force (WlForms)
 *   GET  /_control/whitelabel/rate-limit     -> {perSecond, burst, taken, refused} (requests let through / answered 429)
 *
 * Errors are problem+json, like the rest of the control API.
 */
import { json, problem } from '../http-util.js';
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import type { WhiteLabelBackend, WlForms } from './backend.js';

export function handleWhiteLabelControl(wl: WhiteLabelBackend, req: SandboxRequest, _ctx: SandboxContext): SandboxResponse | undefined {
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'POST /members':
      return addMember(wl, req);
    case 'GET /ledger': {
      const userId = req.query.get('userId') ?? undefined;
      return json(200, { events: wl.state.ledger(userId), balances: wl.state.balances(userId) });
    }
    case 'POST /reset': {
      const seed = (req.body as { seedDemo?: unknown } | undefined)?.seedDemo;
      wl.reset(seed !== false);
      return json(200, { ok: true });
    }
    case 'POST /revoke-tokens':
      return json(200, { revoked: wl.state.revokeTokens() });
    case 'GET /forms':
      return json(200, wl.forms);
    case 'GET /rate-limit':
      return json(200, { ...wl.limiter.options, ...wl.limiter.counts });
    case 'POST /forms':
      return setForms(wl, req);
    default:
      return undefined;
  }
}

function addMember(wl: WhiteLabelBackend, req: SandboxRequest): SandboxResponse {
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (req.bodyError || typeof b !== 'object' || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  if (typeof b.points !== 'number' || !Number.isSafeInteger(b.points)) return problem(400, 'Bad request', 'points must be a whole number.');
  let id: string;
  if (b.memberId === undefined) {
    id = wl.state.newMemberId();
  } else {
    // The program's member id, as its app's QR code would carry it: any id, no card-number rule.
    if (typeof b.memberId !== 'string' || !/^[A-Za-z0-9_-]{3,64}$/.test(b.memberId))
      return problem(400, 'Bad request', 'memberId must be 3 to 64 letters, digits, - or _.');
    id = b.memberId;
  }
  if (wl.state.hasUser(id)) return problem(409, 'Conflict', `A member with id ${id} exists.`);
  const u = wl.state.addUser(id, b.points);
  return json(201, { userId: u.id, points: u.points });
}

const FORM_VALUES: { [K in keyof WlForms]: readonly WlForms[K][] } = {
  eventTypes: ['default', 'renamed'],
  wallet: ['pointsBalance', 'balance.points'],
  echo: ['full', 'minimal'],
};

function setForms(wl: WhiteLabelBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const next: WlForms = { ...wl.forms };
  for (const [k, v] of Object.entries(b)) {
    const allowed = FORM_VALUES[k as keyof WlForms] as readonly unknown[] | undefined;
    if (!allowed) return problem(400, 'Bad request', `Unknown form "${k}": one of ${Object.keys(FORM_VALUES).join(', ')}.`);
    if (!allowed.includes(v)) return problem(400, 'Bad request', `${k} must be one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}.`);
    (next as unknown as Record<string, unknown>)[k] = v;
  }
  wl.forms = next;
  return json(200, wl.forms);
}
