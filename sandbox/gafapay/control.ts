/**
 * GafaPay control routes, mounted by the router at /_control/gafapay:
 *
 *   GET  /_control/gafapay/ledger?userId=   -> {users, wallets, walletEntries, redemptions (with requestId), companyAccounts}
 *   GET  /_control/gafapay/request-ids      -> {requestIds: [...]} every requestid header seen, in order
 *   POST /_control/gafapay/users            {userId?, walletId?, points: "12.5", walletCents?} -> 201 {userId, walletId, points}
 *   POST /_control/gafapay/config           {isActive?, noOfPoints?, pointsValue?, minPoints?, maxPoints?} -> the customers' cashback config
 *   POST /_control/gafapay/tokens           {ttlSec?, sub?, roles?} -> 201 {token, exp} a JWT signed with the sandbox key
 *   POST /_control/gafapay/app-codes        {userId, ttlSec?} -> 201 {code, exp} the member app code (GP1:<user>:<wallet>:<customer token>)
 *   GET  /_control/gafapay/forms            -> the emulator's current answers to the document's open questions (GfForms)
 *   POST /_control/gafapay/forms            {isActive?, amounts?, merchantOnBehalf?, requestIdDedupe?, historyOrder?} -> the forms now in force
 *   POST /_control/gafapay/reset            {seedDemo?: true} -> {ok: true}
 *
 * Errors are problem+json, like the rest of the control API.
 */
import { json, problem } from '../http-util.js';
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import type { GafapayBackend, GfForms } from './backend.js';
import { GAFAPAY_DEMO_CONFIG, GAFAPAY_SANDBOX, gafapayAppCode, gafapayCustomerToken, signGafapayToken } from './demo.js';
import { centsToDecimal, decimalToCents, milliToDecimal, readDecimal, type GfConfig } from './state.js';

export function handleGafapayControl(gf: GafapayBackend, req: SandboxRequest, ctx: SandboxContext): SandboxResponse | undefined {
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /ledger':
      return ledger(gf, req.query.get('userId') ?? undefined);
    case 'GET /request-ids':
      return json(200, { requestIds: [...gf.requestIds] });
    case 'POST /users':
      return addUser(gf, req);
    case 'POST /config':
      return updateConfig(gf, req);
    case 'POST /tokens':
      return token(req, ctx);
    case 'POST /app-codes':
      return appCode(gf, req, ctx);
    case 'GET /forms':
      return json(200, gf.forms);
    case 'POST /forms':
      return setForms(gf, req);
    case 'POST /reset': {
      const seed = (req.body as { seedDemo?: unknown } | undefined)?.seedDemo;
      gf.reset(seed !== false);
      return json(200, { ok: true });
    }
    default:
      return undefined;
  }
}

function ledger(gf: GafapayBackend, userId: string | undefined): SandboxResponse {
  const users = gf.state.listUsers().filter((u) => userId === undefined || u.userId === userId);
  const wallets = gf.state.walletsOf({ userId });
  return json(200, {
    users: users.map((u) => ({ userId: u.userId, userType: u.userType, points: milliToDecimal(u.pointsMilli) })),
    wallets: wallets.map((w) => ({ id: w.id, userId: w.userId, balance: centsToDecimal(w.poolCents), balanceCents: w.poolCents })),
    walletEntries: wallets.flatMap((w) => gf.state.walletLedger(w.id)),
    redemptions: gf.state
      .history(userId)
      .reverse()
      .map((r) => ({ ...r, points: milliToDecimal(r.pointsMilli), amount: centsToDecimal(r.amountCents) })),
    companyAccounts: gf.state.companyBalances(),
  });
}

function pointsField(v: unknown, allowZero = false): number | null {
  const r = readDecimal(v);
  if (!r.ok || r.negative || r.decimals > 3 || (!allowZero && r.milli === 0)) return null;
  return r.milli;
}

function addUser(gf: GafapayBackend, req: SandboxRequest): SandboxResponse {
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const points = pointsField(b.points ?? '0', true);
  if (points === null) return problem(400, 'Bad request', 'points must be a points figure, e.g. "25.5".');
  for (const k of ['userId', 'walletId'] as const) {
    if (b[k] !== undefined && (typeof b[k] !== 'string' || !/^[A-Za-z0-9_-]{3,64}$/.test(b[k] as string)))
      return problem(400, 'Bad request', `${k} must be 3 to 64 letters, digits, - or _.`);
  }
  if (b.walletCents !== undefined && (typeof b.walletCents !== 'number' || !Number.isSafeInteger(b.walletCents)))
    return problem(400, 'Bad request', 'walletCents must be a whole number.');
  try {
    const { user, wallet } = gf.state.addUser({
      userId: b.userId as string | undefined,
      walletId: b.walletId as string | undefined,
      pointsMilli: points,
      walletCents: b.walletCents as number | undefined,
    });
    return json(201, { userId: user.userId, walletId: wallet.id, points: milliToDecimal(user.pointsMilli) });
  } catch (e) {
    return problem(409, 'Conflict', (e as Error).message);
  }
}

function updateConfig(gf: GafapayBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const patch: Partial<Omit<GfConfig, 'id'>> = {};
  if (b.isActive !== undefined) {
    if (typeof b.isActive !== 'boolean') return problem(400, 'Bad request', 'isActive must be true or false.');
    patch.isActive = b.isActive;
  }
  const pts: Array<['noOfPoints' | 'minPoints' | 'maxPoints', 'noOfPointsMilli' | 'minPointsMilli' | 'maxPointsMilli']> = [
    ['noOfPoints', 'noOfPointsMilli'],
    ['minPoints', 'minPointsMilli'],
    ['maxPoints', 'maxPointsMilli'],
  ];
  for (const [k, field] of pts) {
    if (b[k] === undefined) continue;
    const v = pointsField(b[k], k === 'minPoints');
    if (v === null) return problem(400, 'Bad request', `${k} must be a points figure.`);
    patch[field] = v;
  }
  if (b.pointsValue !== undefined) {
    const c = decimalToCents(b.pointsValue);
    if (c === null || c <= 0) return problem(400, 'Bad request', 'pointsValue must be an amount above zero with at most 2 decimals.');
    patch.pointsValueCents = c;
  }
  const cfg = gf.state.updateConfig(GAFAPAY_DEMO_CONFIG.id, patch);
  if (!cfg) return problem(404, 'Not found', 'No configuration.');
  return json(200, {
    ...cfg,
    noOfPoints: milliToDecimal(cfg.noOfPointsMilli),
    pointsValue: centsToDecimal(cfg.pointsValueCents),
    minPoints: milliToDecimal(cfg.minPointsMilli),
    maxPoints: milliToDecimal(cfg.maxPointsMilli),
  });
}

function token(req: SandboxRequest, ctx: SandboxContext): SandboxResponse {
  const b = (req.body ?? {}) as { ttlSec?: unknown; sub?: unknown; roles?: unknown };
  const ttl = b.ttlSec === undefined ? 3600 : b.ttlSec;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl))
    return problem(400, 'Bad request', 'ttlSec must be a whole number of seconds (may be negative for an expired token).');
  const sub = typeof b.sub === 'string' ? b.sub : GAFAPAY_SANDBOX.merchantUserId;
  const roles = Array.isArray(b.roles) && b.roles.every((r) => typeof r === 'string') ? (b.roles as string[]) : ['ROLE_MERCHANT'];
  const exp = Math.floor(ctx.now() / 1000) + ttl;
  return json(201, { token: signGafapayToken({ sub, roles, exp }), exp });
}

function appCode(gf: GafapayBackend, req: SandboxRequest, ctx: SandboxContext): SandboxResponse {
  const b = (req.body ?? {}) as { userId?: unknown; ttlSec?: unknown };
  const ttl = b.ttlSec === undefined ? 3600 : b.ttlSec;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl))
    return problem(400, 'Bad request', 'ttlSec must be a whole number of seconds (may be negative for an expired code).');
  if (typeof b.userId !== 'string') return problem(400, 'Bad request', 'userId is required.');
  const wallet = gf.state.walletsOf({ userId: b.userId })[0];
  if (!wallet) return problem(404, 'Not found', 'No such user (or the user has no wallet).');
  const exp = Math.floor(ctx.now() / 1000) + ttl;
  return json(201, { code: gafapayAppCode({ userId: b.userId, walletId: wallet.id }, gafapayCustomerToken(b.userId, exp)), exp });
}

const FORM_VALUES: { [K in keyof GfForms]: readonly GfForms[K][] } = {
  isActive: ['boolean', 'number'],
  amounts: ['exact', 'float-noise'],
  merchantOnBehalf: [false, true],
  requestIdDedupe: [false, true],
  historyOrder: ['newest-first', 'oldest-first'],
};

function setForms(gf: GafapayBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const next: GfForms = { ...gf.forms };
  for (const [k, v] of Object.entries(b)) {
    const allowed = FORM_VALUES[k as keyof GfForms] as readonly unknown[] | undefined;
    if (!allowed) return problem(400, 'Bad request', `Unknown form "${k}": one of ${Object.keys(FORM_VALUES).join(', ')}.`);
    if (!allowed.includes(v)) return problem(400, 'Bad request', `${k} must be one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}.`);
    (next as unknown as Record<string, unknown>)[k] = v;
  }
  gf.forms = next;
  return json(200, gf.forms);
}
