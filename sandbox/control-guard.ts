/**
 * Guards the control API (/_control/...) against web pages. The sandbox
 * listens on loopback without authentication, so any page open in any browser
 * on the machine could otherwise POST to it (a CORS "simple request" needs no
 * preflight) and, say, give a member 99,999 points. Every control request
 * must therefore:
 *   - name the sandbox itself in Host (loopback name + its own port): a
 *     DNS-rebinding page sends its own host name here;
 *   - carry no Origin, or the sandbox's own: browsers send Origin on
 *     cross-site POSTs, Node clients send none;
 *   - for calls that change state (POST/PUT/PATCH/DELETE), be
 *     `content-type: application/json`: a page can only send that cross-site
 *     after a CORS preflight, which the sandbox never grants;
 *   - carry the per-start random token in `x-sandbox-token`, which only the
 *     process that started the sandbox (or reads its banner) knows.
 * `GET /_control/health` needs no token (readiness probes) and reveals nothing
 * a page could use; Host and Origin still apply to it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { problem } from './http-util.js';
import type { SandboxResponse } from './types.js';

export const CONTROL_TOKEN_HEADER = 'x-sandbox-token';

/** Names a client on this machine may use for the loopback sandbox. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface ControlGuardConfig {
  token: string;
  /** The port the sandbox listens on (known only once it listens). */
  port(): number;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isOwnHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  const colon = h.lastIndexOf(':');
  if (colon < 0 || h.endsWith(']')) return false; // a port is always part of our own Host
  return LOOPBACK_NAMES.has(h.slice(0, colon)) && h.slice(colon + 1) === String(port);
}

function isOwnOrigin(origin: string, port: number): boolean {
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false; // includes the "null" origin of sandboxed frames and file: pages
  }
  return u.protocol === 'http:' && u.pathname === '/' && isOwnHost(u.host, port) && origin.replace(/\/$/, '') === `${u.protocol}//${u.host}`;
}

const forbidden = (detail: string): SandboxResponse => problem(403, 'Forbidden', detail);

/**
 * Null if the control request may go on; otherwise the refusal to send.
 * `path` is below /_control (e.g. '/health').
 */
export function refuseControlRequest(method: string, path: string, headers: IncomingHttpHeaders, cfg: ControlGuardConfig): SandboxResponse | null {
  const port = cfg.port();
  if (!isOwnHost(headers.host, port))
    return forbidden(`Control requests must be addressed to the sandbox itself (Host 127.0.0.1:${port}), not "${headers.host ?? ''}".`);
  const origin = headers.origin;
  if (origin !== undefined && !isOwnOrigin(origin, port)) return forbidden(`Control requests from a web page (Origin "${origin}") are refused.`);
  if (method === 'GET' && path === '/health') return null;
  if (STATE_CHANGING.has(method)) {
    const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return problem(415, 'Unsupported media type', `Control calls that change state must be sent as content-type: application/json, not "${type}".`);
  }
  const token = headers[CONTROL_TOKEN_HEADER];
  if (typeof token !== 'string' || !sameToken(token, cfg.token)) {
    return forbidden(
      `Missing or wrong ${CONTROL_TOKEN_HEADER} header: use the sandbox's control token (printed in its banner; RunningSandbox.controlToken in process).`,
    );
  }
  return null;
}
