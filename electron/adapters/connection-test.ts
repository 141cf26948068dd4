/**
 * "Test connection": read-only calls that prove a program's connection
 * values work before a terminal goes live (and at every live start). Each
 * program's checks run in order and stop at the first failure, which is
 * named as a step a manager or the store's IT can act on: the host name did
 * not resolve, the proxy refused, nothing answered, the certificate is not
 * trusted, the token/key was refused, a permission is missing (named as the
 * program names it), the organizer/merchant id is unknown.
 *
 * Nothing here writes at the program: no redemption, no event, no customer.
 */
import type { ConnectionStep, ConnectionStepResult, ConnectionTestResult } from '../../shared/connection-test.js';
import { PosError } from '../../shared/errors.js';
import { environmentOf, programOf, type ConnectionValues, type ProgramId } from '../../shared/programs/index.js';
import { httpFor, required, type AdapterOptions } from './connection.js';
import type { HttpJson } from './http.js';
import { permissionsSchema } from './uitpas-wire.js';
import { createTokenSource } from './oauth-token.js';
import { createAdapter } from './registry.js';
import { UITPAS_AUDIENCE } from './uitpas.js';
import { wlTokenRequestBody } from './whitelabel-wire.js';

const DEFAULT_TIMEOUT_MS = 10_000;

/** The permissions a UiTPAS counter needs, as UiTPAS names them (its client permissions in the API 4.0 document). */
export const UITPAS_REQUIRED_PERMISSIONS = ['PASSES_READ', 'REWARDS_READ', 'REWARDS_REDEEM'] as const;

interface Check {
  step: ConnectionStep;
  /** Said when the check passes. */
  passed: string;
  run(): Promise<void>;
}

/** A failure the check itself recognised (not a transport error): already in plain words. */
class StepFailure extends Error {
  constructor(
    readonly step: ConnectionStep,
    message: string,
  ) {
    super(message);
  }
}

// Node's codes, and Chromium's (net::ERR_*, from Electron's net.fetch).
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ERR_NAME_NOT_RESOLVED', 'ERR_NAME_RESOLUTION_FAILED']);
const TLS_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);
const isTlsCode = (c: string) => TLS_CODES.has(c) || c.startsWith('ERR_CERT_');
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'CONNECT_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_CONNECTION_REFUSED',
  'ERR_CONNECTION_TIMED_OUT',
  'ERR_ADDRESS_UNREACHABLE',
  'ERR_INTERNET_DISCONNECTED',
]);

/** The proxy's own failure in plain words: it said no (an HTTP status), or it could not be reached. */
function proxyMessage(host: string, cause: string | undefined): string {
  const status = /^PROXY_HTTP_(\d+)$/.exec(cause ?? '')?.[1];
  if (status === '407') {
    return `The proxy wants a sign-in before it lets the terminal reach ${host} (HTTP 407): give its user and password in HTTPS_PROXY (http://user:password@proxy:port), or ask the store's IT to let the terminal through.`;
  }
  if (status) return `The proxy refused the connection to ${host} (HTTP ${status}): ask the store's IT to allow ${host.replace(/:\d+$/, '')}.`;
  if (cause === 'ERR_TUNNEL_CONNECTION_FAILED') return `The proxy refused or failed the connection to ${host}: ask the store's IT to allow it.`;
  return `The proxy cannot be reached${cause ? ` (${cause})` : ''}: check the proxy settings (HTTPS_PROXY / NO_PROXY, or the system's proxy) and that the proxy is running.`;
}

/** Names a transport or program failure as the step it shows. `during` is the check that was running. */
export function stepOfFailure(e: unknown, during: ConnectionStep): ConnectionStepResult {
  if (e instanceof StepFailure) return { step: e.step, ok: false, message: e.message };
  const d = (e instanceof PosError ? e.details : undefined) as { cause?: string; host?: string; status?: number; proxy?: boolean } | undefined;
  const host = d?.host ?? 'the program';
  const cause = d?.cause;
  if (d?.proxy) return { step: 'proxy', ok: false, message: proxyMessage(host, cause) };
  if (cause && DNS_CODES.has(cause))
    return {
      step: 'name-resolution',
      ok: false,
      message: `The name ${host.replace(/:\d+$/, '')} could not be resolved (DNS): check the address and this machine's network.`,
    };
  if (cause && isTlsCode(cause))
    return {
      step: 'tls',
      ok: false,
      message: `The certificate of ${host} is not trusted (${cause}): if the store's firewall inspects TLS, install its certificate authority (NODE_EXTRA_CA_CERTS or the "extra CA" field).`,
    };
  if (cause && CONNECT_CODES.has(cause))
    return { step: 'connect', ok: false, message: `Nothing answers at ${host} (${cause}): check the address, the port and the firewall.` };
  if (e instanceof PosError && e.code === 'BACKEND_AUTH') {
    return {
      step: during === 'permission' || during === 'account' ? during : 'token',
      ok: false,
      message: `The program refused the terminal's credentials at ${host}${d?.status ? ` (HTTP ${d.status})` : ''}: check the client id, secret, key or token.`,
    };
  }
  if (e instanceof PosError && e.code === 'BACKEND_TIMEOUT') return { step: 'connect', ok: false, message: `${host} did not answer in time.` };
  const text = e instanceof Error ? e.message : String(e);
  return { step: during, ok: false, message: text };
}

function checksFor(program: ProgramId, values: ConnectionValues, opts: AdapterOptions): Check[] {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const http = httpFor(values, opts);
  const adapter = () => createAdapter(program, values, opts);
  const probe = (step: ConnectionStep, passed: string): Check => ({ step, passed, run: () => adapter().probe() });
  switch (program) {
    case 'whitelabel': {
      const tokens = createTokenSource({
        http,
        tokenUrl: required(values, 'tokenUrl'),
        requestBody: wlTokenRequestBody(required(values, 'clientId'), required(values, 'clientSecret')),
        timeoutMs,
      });
      return [
        { step: 'token', passed: 'The token service accepted client_id and client_secret.', run: () => tokens.get().then(() => undefined) },
        probe('api', 'The API accepted the X-Api-Key and the token.'),
      ];
    }
    case 'uitpas': {
      const tokens = createTokenSource({
        http,
        tokenUrl: required(values, 'tokenUrl'),
        requestBody: {
          client_id: required(values, 'clientId'),
          client_secret: required(values, 'clientSecret'),
          audience: UITPAS_AUDIENCE,
          grant_type: 'client_credentials',
        },
        timeoutMs,
      });
      return [
        { step: 'token', passed: 'UiTiD accepted client_id and client_secret.', run: () => tokens.get().then(() => undefined) },
        {
          step: 'permission',
          passed: `The client has ${UITPAS_REQUIRED_PERMISSIONS.join(', ')} for the organizer.`,
          run: () => uitpasPermissions(values, tokens, timeoutMs, http),
        },
        probe('api', "The organizer's reward catalogue can be read."),
      ];
    }
    default:
      // The adapter's probe is an authenticated read: it proves the key, token or till credentials.
      return [probe('token', `${programOf(program).name} accepted the terminal's credentials and answered a read.`)];
  }
}

/**
 * UiTPAS: GET /permissions lists the client's permissions per organizer. The
 * organizer must be there (else it is unknown to UiTPAS or not this
 * client's), with every permission the counter needs.
 */
async function uitpasPermissions(values: ConnectionValues, tokens: ReturnType<typeof createTokenSource>, timeoutMs: number, http: HttpJson): Promise<void> {
  const organizerId = required(values, 'organizerId');
  const token = await tokens.get();
  const res = await http({
    method: 'GET',
    url: `${required(values, 'apiUrl').replace(/\/+$/, '')}/permissions`,
    headers: { authorization: `Bearer ${token}` },
    timeoutMs,
  });
  if (res.status === 401) throw new PosError('BACKEND_AUTH', undefined, { details: { status: 401, host: new URL(values.apiUrl!).host } });
  const list = res.status === 200 ? permissionsSchema.safeParse(res.body) : null;
  if (!list?.success)
    throw new StepFailure(
      'api',
      `UiTPAS answered GET /permissions with HTTP ${res.status}${res.status === 200 ? ' and a list the terminal cannot read' : ''}.`,
    );
  const entry = list.data.find((e) => e.organizer?.id === organizerId);
  if (!entry)
    throw new StepFailure(
      'account',
      `Unknown organizer ${organizerId}: UiTPAS gives this client no permission for it (check the organizerId, or ask publiq to link the client to it).`,
    );
  const granted = new Set<string>([...entry.permissions, ...entry.permissionDetails]);
  const missing = UITPAS_REQUIRED_PERMISSIONS.filter((p) => !granted.has(p));
  if (missing.length)
    throw new StepFailure(
      'permission',
      `The client lacks ${missing.join(', ')} for organizer ${organizerId}: ask publiq to grant ${missing.length > 1 ? 'them' : 'it'}.`,
    );
}

export async function testConnection(
  program: ProgramId,
  values: ConnectionValues,
  opts: AdapterOptions = {},
  now: () => number = Date.now,
): Promise<ConnectionTestResult> {
  const steps: ConnectionStepResult[] = [];
  let failed: ConnectionStepResult | null = null;
  let checks: Check[];
  try {
    checks = checksFor(program, values, opts);
  } catch (e) {
    checks = [];
    failed = stepOfFailure(e, 'api');
    steps.push(failed);
  }
  for (const c of checks) {
    try {
      await c.run();
      steps.push({ step: c.step, ok: true, message: c.passed });
    } catch (e) {
      failed = stepOfFailure(e, c.step);
      steps.push(failed);
      break;
    }
  }
  return { ok: failed === null, program, environment: environmentOf(programOf(program), values), steps, failed, at: new Date(now()).toISOString() };
}
