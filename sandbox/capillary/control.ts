/**
 * Capillary control routes, mounted by the router at /_control/capillary:
 *
 *   GET  /_control/capillary/messages?customerId=|mobile=|email=   -> {messages: [...]} what the member received (SMS/e-mail)
 *   GET  /_control/capillary/validation-code?customerId=|mobile=|email=|externalId=|cardNumber=
 *                                      -> {code, points, channel, to, sentAt, validUntil} the last code the member received (404 if none)
 *   GET  /_control/capillary/ledger?customerId=   -> {customers: [{id, points}], redemptions: [...]}
 *   POST /_control/capillary/customers  {firstName?, lastName?, mobile?, email?, externalId?, cardNumber?, points: "12.5", fraud?}
 *                                      -> 201 {id, ...}
 *   GET  /_control/capillary/programs   -> {programs: [...]}
 *   POST /_control/capillary/programs/{id}  {reversalEnabled?, otpRequired?, otpValiditySec?, otpChannel?,
 *                                           minPoints?, maxPoints? (null = none), multipleOf?, pointsCurrencyRatio?}
 *                                      -> the program after the change
 *   POST /_control/capillary/reset      {seedDemo?: true} -> {ok: true}
 *   GET|POST /_control/capillary/forms     the emulator's guesses (CapForms), switchable
 *   POST /_control/capillary/revoke-tokens -> {revoked: n}
 *   POST /_control/capillary/unexplained-code {code: 828|1632|3316, applied: boolean}
 *                                      -> the next redemption answers that item code, having taken the points when applied
 *
 * Errors are problem+json, like the rest of the control API.
 */
import { json, problem } from '../http-util.js';
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../types.js';
import { CAP_UNEXPLAINED_CODES, type CapForms, type CapillaryBackend } from './backend.js';
import { milliToDecimal, readDecimal, type CapCustomer, type CapIdentifierName, type CapProgram } from './state.js';

export function handleCapillaryControl(cap: CapillaryBackend, req: SandboxRequest, _ctx: SandboxContext): SandboxResponse | undefined {
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /messages': {
      const c = customerFromQuery(cap, req);
      if (c === 'none') return json(200, { messages: cap.state.messagesFor() });
      if (!c) return problem(404, 'Not found', 'No such customer.');
      return json(200, { messages: cap.state.messagesFor(c.id) });
    }
    case 'GET /validation-code': {
      const c = customerFromQuery(cap, req);
      if (!c || c === 'none') return problem(404, 'Not found', 'Name a customer: customerId, mobile, email, externalId or cardNumber.');
      const last = cap.state.messagesFor(c.id).at(-1);
      if (!last) return problem(404, 'Not found', 'This customer has received no validation code.');
      return json(200, {
        code: last.code,
        points: milliToDecimal(last.pointsMilli),
        channel: last.channel,
        to: last.to,
        sentAt: last.sentAt,
        validUntil: last.validUntil,
      });
    }
    case 'GET /ledger': {
      const id = req.query.get('customerId');
      const cid = id ? Number(id) : undefined;
      const customers = cid === undefined ? cap.state.listCustomers() : [cap.state.customer(cid)].filter((x): x is CapCustomer => !!x);
      return json(200, {
        customers: customers.map((c) => ({ id: c.id, points: milliToDecimal(c.pointsMilli), fraud: c.fraud })),
        redemptions: cap.state.redemptionsOf(cid).map((r) => ({
          ...r,
          points: milliToDecimal(r.pointsMilli),
          reversed: milliToDecimal(r.reversedMilli),
        })),
      });
    }
    case 'POST /customers':
      return addCustomer(cap, req);
    case 'GET /programs':
      return json(200, { programs: cap.state.listPrograms().map(programView) });
    case 'POST /reset': {
      const seed = (req.body as { seedDemo?: unknown } | undefined)?.seedDemo;
      cap.reset(seed !== false);
      return json(200, { ok: true });
    }
    case 'POST /revoke-tokens':
      return json(200, { revoked: cap.state.revokeTokens() });
    case 'POST /unexplained-code': {
      const b = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as { code?: unknown; applied?: unknown };
      if (!CAP_UNEXPLAINED_CODES.includes(b.code as number) || typeof b.applied !== 'boolean') {
        return problem(400, 'Bad request', `code must be one of ${CAP_UNEXPLAINED_CODES.join(', ')} and applied a boolean.`);
      }
      cap.nextUnexplainedCode = { code: b.code as number, applied: b.applied };
      return json(200, cap.nextUnexplainedCode);
    }
    case 'GET /forms':
      return json(200, cap.forms);
    case 'POST /forms':
      return setForms(cap, req);
  }
  const prog = /^\/programs\/([^/]+)$/.exec(req.path);
  if (prog && req.method === 'POST') return updateProgram(cap, decodeURIComponent(prog[1]!), req);
  return undefined;
}

function customerFromQuery(cap: CapillaryBackend, req: SandboxRequest): CapCustomer | undefined | 'none' {
  const pairs: Array<[string, CapIdentifierName]> = [
    ['customerId', 'id'],
    ['mobile', 'mobile'],
    ['email', 'email'],
    ['externalId', 'externalId'],
    ['cardNumber', 'cardNumber'],
  ];
  for (const [q, name] of pairs) {
    const v = req.query.get(q);
    if (v) return cap.state.find(name, v);
  }
  return 'none';
}

function programView(p: CapProgram): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    pointsCurrencyRatio: p.pointsCurrencyRatio,
    minPoints: milliToDecimal(p.minPointsMilli),
    maxPoints: p.maxPointsMilli === null ? null : milliToDecimal(p.maxPointsMilli),
    multipleOf: milliToDecimal(p.multipleOfMilli),
    otpRequired: p.otpRequired,
    otpValiditySec: p.otpValiditySec,
    otpChannel: p.otpChannel,
    reversalEnabled: p.reversalEnabled,
  };
}

function pointsField(v: unknown, allowZero = false): number | null {
  const r = readDecimal(v);
  if (!r.ok || r.negative || r.decimals > 3 || (!allowZero && r.milli === 0)) return null;
  return r.milli;
}

function updateProgram(cap: CapillaryBackend, id: string, req: SandboxRequest): SandboxResponse {
  const b = req.body as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const patch: Partial<Omit<CapProgram, 'id'>> = {};
  for (const k of ['reversalEnabled', 'otpRequired'] as const) {
    if (b[k] !== undefined) {
      if (typeof b[k] !== 'boolean') return problem(400, 'Bad request', `${k} must be true or false.`);
      patch[k] = b[k];
    }
  }
  if (b.otpValiditySec !== undefined) {
    if (typeof b.otpValiditySec !== 'number' || !Number.isInteger(b.otpValiditySec) || b.otpValiditySec < 1)
      return problem(400, 'Bad request', 'otpValiditySec must be a whole number of seconds.');
    patch.otpValiditySec = b.otpValiditySec;
  }
  if (b.otpChannel !== undefined) {
    if (b.otpChannel !== 'SMS' && b.otpChannel !== 'EMAIL' && b.otpChannel !== 'SMS_EMAIL')
      return problem(400, 'Bad request', 'otpChannel must be SMS, EMAIL or SMS_EMAIL.');
    patch.otpChannel = b.otpChannel;
  }
  if (b.minPoints !== undefined) {
    const v = pointsField(b.minPoints, true);
    if (v === null) return problem(400, 'Bad request', 'minPoints must be a points figure.');
    patch.minPointsMilli = v;
  }
  if (b.maxPoints !== undefined) {
    const v = b.maxPoints === null ? null : pointsField(b.maxPoints);
    if (v === null && b.maxPoints !== null) return problem(400, 'Bad request', 'maxPoints must be a points figure or null.');
    patch.maxPointsMilli = v;
  }
  if (b.multipleOf !== undefined) {
    const v = pointsField(b.multipleOf);
    if (v === null) return problem(400, 'Bad request', 'multipleOf must be a points figure above zero.');
    patch.multipleOfMilli = v;
  }
  if (b.pointsCurrencyRatio !== undefined) {
    if (typeof b.pointsCurrencyRatio !== 'string' || !/^\d+(\.\d+)?$/.test(b.pointsCurrencyRatio) || /^0+(\.0+)?$/.test(b.pointsCurrencyRatio)) {
      return problem(400, 'Bad request', 'pointsCurrencyRatio must be a decimal string above zero.');
    }
    patch.pointsCurrencyRatio = b.pointsCurrencyRatio;
  }
  const p = cap.state.updateProgram(id, patch);
  if (!p) return problem(404, 'Not found', `No program ${id}.`);
  return json(200, programView(p));
}

function addCustomer(cap: CapillaryBackend, req: SandboxRequest): SandboxResponse {
  const b = (req.body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const points = pointsField(b.points ?? '0', true);
  if (points === null) return problem(400, 'Bad request', 'points must be a points figure with at most 3 decimals, e.g. "12.5".');
  const text = (k: string): string | null | Error => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return null;
    return typeof v === 'string' ? v : new Error(`${k} must be a string`);
  };
  const fields = { mobile: text('mobile'), email: text('email'), externalId: text('externalId'), cardNumber: text('cardNumber') };
  for (const v of Object.values(fields)) if (v instanceof Error) return problem(400, 'Bad request', v.message);
  const f = fields as Record<keyof typeof fields, string | null>;
  if (!f.mobile && !f.email && !f.externalId && !f.cardNumber)
    return problem(400, 'Bad request', 'Give at least one identifier: mobile, email, externalId or cardNumber.');
  try {
    const c = cap.state.addCustomer({
      firstName: typeof b.firstName === 'string' ? b.firstName : 'Test',
      lastName: typeof b.lastName === 'string' ? b.lastName : 'Customer',
      mobile: f.mobile?.replace(/^\+/, '') ?? null,
      email: f.email,
      externalId: f.externalId,
      cardNumber: f.cardNumber,
      pointsMilli: points,
      fraud: b.fraud === true,
    });
    return json(201, { ...c, points: milliToDecimal(c.pointsMilli) });
  } catch (e) {
    return problem(409, 'Conflict', (e as Error).message);
  }
}

const FORM_VALUES: { [K in keyof CapForms]: readonly CapForms[K][] } = {
  oauthAnswer: ['data.accessToken', 'access_token'],
  reversalNotEnabled: ['code-3801', 'code-8017', 'no-words'],
  reversalIdType: ['ID', 'USER_ID'],
  pointsRedeemed: ['lenient', 'number-only'],
};

/** POST /forms {oauthAnswer?, reversalNotEnabled?, reversalIdType?, pointsRedeemed?}: switches the emulator's guesses (README). */
function setForms(cap: CapillaryBackend, req: SandboxRequest): SandboxResponse {
  const b = req.body as Record<string, unknown> | undefined;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return problem(400, 'Bad request', 'Body must be a JSON object.');
  const next: CapForms = { ...cap.forms };
  for (const [k, v] of Object.entries(b)) {
    const allowed = FORM_VALUES[k as keyof CapForms] as readonly unknown[] | undefined;
    if (!allowed) return problem(400, 'Bad request', `Unknown form "${k}": one of ${Object.keys(FORM_VALUES).join(', ')}.`);
    if (!allowed.includes(v)) return problem(400, 'Bad request', `${k} must be one of ${allowed.map((x) => JSON.stringify(x)).join(', ')}.`);
    (next as unknown as Record<string, unknown>)[k] = v;
  }
  cap.forms = next;
  return json(200, cap.forms);
}
