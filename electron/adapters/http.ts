/**
 * The JSON HTTP client every adapter uses, over node:http / node:https with
 * one shared keep-alive agent per protocol (global fetch, undici, cost about
 * 0.4 ms more per loopback request than this). Its one job is
 * to turn transport trouble into the terminal's PosError codes with the
 * conventions at the top of ./types.ts, so that each adapter only maps its
 * backend's own 4xx error shapes:
 *
 *  - connection refused, DNS failure, connect timeout, TLS failure: the request
 *    never left -> BACKEND_UNAVAILABLE, details.notApplied = true. "Never
 *    left" is decided by the socket: any failure before it connected (TCP
 *    connect for http, TLS handshake for https) is not applied, including our
 *    own timeout running out during the connect (cause CONNECT_TIMEOUT);
 *  - connection reset or closed after the socket connected -> BACKEND_UNAVAILABLE
 *    without notApplied: the outcome is unknown and must be reconciled. That
 *    includes a reset on a reused keep-alive socket (the server closing an idle
 *    socket as we write): we cannot tell it from a reset after the server took
 *    the request, and httpJson never retries by itself;
 *  - our own timeout once connected -> BACKEND_TIMEOUT (outcome unknown); it
 *    covers connect, response and body, and destroys the request;
 *  - 408 -> BACKEND_TIMEOUT (the server did not take the request: notApplied);
 *  - 429 -> BACKEND_RATE_LIMITED, notApplied, details.retryAfterMs from Retry-After;
 *  - 5xx -> BACKEND_UNAVAILABLE with details.status (outcome unknown: a 500 may
 *    come after a partial write), details.retryAfterMs when given;
 *  - 3xx -> BACKEND_BAD_RESPONSE (redirects are never followed: they could carry
 *    credentials to another host);
 *  - 2xx whose body is not what `expect` promised -> BACKEND_BAD_RESPONSE;
 *  - other 4xx are returned for the adapter to map.
 *
 * Messages and details never carry headers, bodies sent, or full URLs (a path
 * may hold a member number; a query may hold a key): only method and host.
 *
 * Which way a request goes (net-route.ts): through HTTPS_PROXY/HTTP_PROXY
 * unless NO_PROXY or loopback says otherwise, trusting Node's CAs plus
 * NODE_EXTRA_CA_CERTS plus the connection's extra CA; or, in Electron,
 * through Chromium's stack (net.fetch: the system's proxy and certificate
 * store; fetch-exchange.ts). A failure at the proxy is marked
 * details.proxy, so "Test connection" names the proxy step.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { PosError } from '../../shared/errors.js';
import { fetchExchange, type FetchLike } from './fetch-exchange.js';
import { closeIdleRouteSockets, routeFor, type TrustAnchors } from './net-route.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpJsonRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  timeoutMs: number;
  /**
   * What a 2xx body must be: 'json' (default) a JSON document, 'empty' nothing
   * (a body is ignored), 'any' JSON if it parses, else undefined.
   */
  expect?: 'json' | 'empty' | 'any';
}

export interface HttpJsonResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON, or undefined when empty / not JSON (on a 4xx) / not expected. */
  body: unknown;
  rawText: string;
}

/** One JSON exchange with a program: what every adapter calls. */
export type HttpJson = (req: HttpJsonRequest) => Promise<HttpJsonResponse>;

export interface HttpClientOptions {
  /** Extra certificate authorities (PEM) to trust besides Node's own and NODE_EXTRA_CA_CERTS: the connection's `extraCa`. */
  extraCaPem?: string;
  /**
   * Electron's net.fetch (Chromium's network stack: the system's proxy
   * settings and certificate store) instead of node:http(s). Not used when
   * the connection names an extra CA: Chromium would not trust it, so such a
   * connection goes through node:https, which does (and HTTPS_PROXY).
   */
  fetch?: FetchLike;
  /** Starts each request's own timeout (default: a real timer); tests hold it (test/held-timeouts.ts). */
  timer?: RequestTimer;
}

/**
 * Starts the timeout of one request: calls `onTimeout` after `ms` unless the
 * returned cancel runs first. Tests pass one that fires only when the test
 * says so (test/held-timeouts.ts): whether a request timed out is then an
 * event the test chose, never a race between a loaded machine and a clock.
 */
export type RequestTimer = (request: { method: string; url: string }, ms: number, onTimeout: () => void) => () => void;

/** The real thing: a timer of `ms`. */
export const realRequestTimer: RequestTimer = (_request, ms, onTimeout) => {
  const t = setTimeout(onTimeout, ms);
  return () => clearTimeout(t);
};

/** The raw exchange, before status codes are judged: node:http(s) or a fetch. */
export interface Exchange {
  status: number;
  headers: Record<string, string>;
  text: string;
}
export type ExchangeFn = (
  req: HttpJsonRequest,
  url: URL | null,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  where: Where,
  timer: RequestTimer,
) => Promise<Exchange>;

/**
 * Marks any failure of a step that runs before a write (a token, a balance read, a check) as
 * "certainly not applied": nothing was sent that could change the member's points, so the
 * outbox may decide at once (PROVIDERS.md "Making a retry safe", rule 2 needs proof; this is it).
 * The one copy every adapter uses.
 */
export async function notApplied<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof PosError && e.details?.notApplied !== true) {
      throw new PosError(e.code, e.message, { endUserMessage: e.endUserMessage, details: { ...(e.details ?? {}), notApplied: true } });
    }
    throw e;
  }
}

/** A client for one connection: its extra CA, and Chromium's stack where the host gives one. */
export function createHttpClient(opts: HttpClientOptions = {}): HttpJson {
  const extraCa = opts.extraCaPem?.trim() ? opts.extraCaPem : undefined;
  const exchange: ExchangeFn =
    opts.fetch && !extraCa
      ? fetchExchange(opts.fetch)
      : (req, url, headers, payload, where, timer) => nodeExchange(req, url, headers, payload, where, timer, { extraCa });
  const timer = opts.timer ?? realRequestTimer;
  return (req) => jsonOver(exchange, req, timer);
}

/** Connect-phase failures: the request was never sent, so it certainly did not take effect. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Timeouts below us (undici's, or the OS's on a connected socket) after the request went out. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** The default client: node:http(s), Node's CAs (NODE_EXTRA_CA_CERTS included), the environment's proxy. */
export const httpJson: HttpJson = createHttpClient();

async function jsonOver(exchange: ExchangeFn, req: HttpJsonRequest, timer: RequestTimer): Promise<HttpJsonResponse> {
  const url = parseUrl(req.url);
  const where: Where = { method: req.method, host: url?.host ?? '?' };
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'node', ...lowerCaseKeys(req.headers ?? {}) };
  let payload: Buffer | undefined;
  if (req.body !== undefined) {
    payload = Buffer.from(JSON.stringify(req.body), 'utf8');
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }

  const res = await exchange(req, url, headers, payload, where, timer);
  const out: HttpJsonResponse = { status: res.status, headers: res.headers, body: undefined, rawText: res.text };
  const status = res.status;

  if (status >= 200 && status < 300) {
    const expect = req.expect ?? 'json';
    if (expect === 'empty') return out;
    const parsed = tryParse(out.rawText);
    if (!parsed.ok) {
      if (expect === 'any') return out;
      throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program's answer to ${where.method} could not be read (not JSON).`, {
        details: { ...where, status },
      });
    }
    out.body = parsed.value;
    return out;
  }

  out.body = tryParse(out.rawText).value;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(out.headers['retry-after']);
    throw new PosError('BACKEND_RATE_LIMITED', undefined, {
      details: { ...where, status, notApplied: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    });
  }
  if (status === 408) throw new PosError('BACKEND_TIMEOUT', undefined, { details: { ...where, status, notApplied: true } });
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(out.headers['retry-after']);
    throw new PosError('BACKEND_UNAVAILABLE', `The loyalty program had a problem (HTTP ${status}).`, {
      details: { ...where, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    });
  }
  if (status >= 300 && status < 400) {
    throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program answered with a redirect (HTTP ${status}); check its address in settings.`, {
      details: { ...where, status },
    });
  }
  return out; // 1xx never reach here; other 4xx: the adapter knows the backend's error shape
}

/**
 * Closes the idle pooled keep-alive sockets; requests in flight (another
 * runtime's, in a test or benchmark process) are left alone, and later requests
 * open new sockets. Runtime close calls it; the process never needs it to exit.
 */
export function closeIdleHttpSockets(): void {
  closeIdleRouteSockets();
}

/** A connect that did not complete within our timeout: nothing was sent. */
const CONNECT_TIMEOUT = 'CONNECT_TIMEOUT';

/**
 * One request/response over node:http(s), body read in full. Rejects with a
 * PosError. Tracks whether the socket ever connected (TCP connect for http,
 * TLS handshake for https), because until then nothing of the request can
 * have reached the server: only such failures are "not applied". A reused
 * keep-alive socket counts as connected, so a reset on one (a server closing
 * an idle socket as we write) stays outcome-unknown. No retry here.
 */
function nodeExchange(
  req: HttpJsonRequest,
  url: URL | null,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  where: Where,
  requestTimer: RequestTimer,
  trust: TrustAnchors,
): Promise<Exchange> {
  if (!url) return Promise.reject(classifyFetchFailure(Object.assign(new TypeError('invalid URL'), { code: 'ERR_INVALID_URL' }), false, where));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(classifyFetchFailure(Object.assign(new TypeError('unsupported protocol'), { code: 'ERR_INVALID_URL' }), false, where));
  }
  const protocol = url.protocol;
  let route: ReturnType<typeof routeFor>;
  try {
    route = routeFor(url, trust);
  } catch (e) {
    return Promise.reject(e);
  }
  // Until the proxy has said yes to the tunnel (or, for http, until the socket to it connected), a failure is the proxy's.
  let proxyPassed = route.proxy === null;

  return new Promise<Exchange>((resolve, reject) => {
    let settled = false;
    let connected = false;
    let cancelTimer = () => {};
    let creq: ClientRequest | undefined;
    let response: IncomingMessage | undefined;

    const fail = (e: unknown, timedOut: boolean) => {
      if (settled) return;
      settled = true;
      cancelTimer();
      reject(classifyFetchFailure(e, timedOut, where, !connected, !proxyPassed && !timedOut));
      response?.destroy();
      creq?.destroy();
    };

    cancelTimer = requestTimer({ method: req.method, url: req.url }, req.timeoutMs, () => {
      // Our timeout while the socket never connected is a connect timeout: nothing went out.
      if (!connected) fail(Object.assign(new Error('connect timeout'), { code: CONNECT_TIMEOUT }), false);
      else fail(new Error('timeout'), true);
    });

    try {
      const request = protocol === 'https:' ? httpsRequest : httpRequest;
      const options: RequestOptions & { secureContext?: unknown } = { method: req.method, headers, agent: route.agent, ...route.requestOptions };
      const hp = route.httpProxy;
      creq = hp
        ? httpRequest({
            ...options,
            host: hp.host,
            port: hp.port,
            path: url.href,
            headers: { ...headers, host: url.host, ...(hp.authorization ? { 'proxy-authorization': hp.authorization } : {}) },
          })
        : request(url, options);
    } catch (e) {
      // Thrown before anything was written (an invalid header value, say).
      fail(e, false);
      return;
    }

    // https-proxy-agent's answer to CONNECT: anything but 200 is the proxy refusing (its own
    // response would otherwise be read as the program's).
    creq.once('proxyConnect', (answer: { statusCode?: number }) => {
      if (answer.statusCode === 200) proxyPassed = true;
      else fail(Object.assign(new Error('proxy refused the tunnel'), { code: `PROXY_HTTP_${answer.statusCode ?? 0}` }), false);
    });
    creq.once('socket', (socket: Socket) => {
      if (creq!.reusedSocket || !socket.connecting) {
        connected = true; // a pooled socket, or one we cannot prove unconnected
        if (route.httpProxy) proxyPassed = true;
        return;
      }
      socket.once(protocol === 'https:' && !route.httpProxy ? 'secureConnect' : 'connect', () => {
        connected = true;
        if (route.httpProxy) proxyPassed = true; // plain http through a proxy: the proxy now owns the request
      });
    });
    creq.on('error', (e) => fail(e, false));
    creq.on('response', (res) => {
      response = res;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => fail(e, false));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        cancelTimer();
        let text = Buffer.concat(chunks).toString('utf8');
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // as fetch's text() does
        resolve({ status: res.statusCode ?? 0, headers: headerRecord(res.rawHeaders), text });
      });
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('the response was cut short'), { code: 'ECONNRESET' }), false);
      });
    });
    creq.end(payload);
  });
}

/**
 * Retry-After as milliseconds from now: delay-seconds or an HTTP date
 * (RFC 9110 10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined | null, nowMs = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "-5", "1.5": not a valid Retry-After
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface Where {
  method: string;
  host: string;
}

/** The request's URL, parsed once; null when it cannot be (exchange() reports it as unavailable). */
function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof o.code === 'string') return o.code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  if (Array.isArray(o.errors))
    for (const inner of o.errors) {
      const c = errorCode(inner);
      if (c) return c;
    }
  return undefined;
}

/**
 * Turns a transport failure into a PosError: `e` is what node:http emitted
 * (or fetch threw: the undici shapes, error in `cause`, are still read),
 * `timedOut` whether our own timer fired, `neverConnected` whether the socket
 * provably never connected (nothing can have been sent), `atProxy` whether it
 * failed at the proxy (before the tunnel to the program was open). Exported for a test
 * that feeds it the error shapes a loopback test cannot cause (DNS, TLS).
 */
export function classifyFetchFailure(e: unknown, timedOut: boolean, where: Where, neverConnected = false, atProxy = false): PosError {
  if (timedOut) return new PosError('BACKEND_TIMEOUT', undefined, { details: { ...where } });
  const cause = (e as { cause?: unknown } | null)?.cause;
  const code = errorCode(cause) ?? errorCode(e);
  if (atProxy) {
    // The proxy refused, failed or could not be reached: the program never saw the request.
    return new PosError('BACKEND_UNAVAILABLE', `The proxy did not connect the terminal to the loyalty program${code ? ` (${code})` : ''}.`, {
      details: { ...where, ...(code ? { cause: code } : {}), proxy: true, notApplied: true },
    });
  }
  if (code === 'ERR_INVALID_URL') {
    return new PosError('BACKEND_UNAVAILABLE', 'The loyalty program address in settings is not a valid URL.', { details: { ...where, notApplied: true } });
  }
  if ((code && NOT_SENT_CODES.has(code)) || neverConnected) {
    return new PosError('BACKEND_UNAVAILABLE', `The loyalty program cannot be reached${code ? ` (${code})` : ''}.`, {
      details: { ...where, ...(code ? { cause: code } : {}), notApplied: true },
    });
  }
  if (code && TIMEOUT_CODES.has(code)) return new PosError('BACKEND_TIMEOUT', undefined, { details: { ...where, cause: code } });
  // Reset, closed socket, anything else after the request may have gone out: outcome unknown.
  return new PosError('BACKEND_UNAVAILABLE', `The connection to the loyalty program broke${code ? ` (${code})` : ''}.`, {
    details: { ...where, ...(code ? { cause: code } : {}) },
  });
}

function tryParse(text: string): { ok: boolean; value: unknown } {
  if (text.trim() === '') return { ok: false, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: undefined };
  }
}

/** Response headers by lower-case name; repeated ones joined with ', ' as fetch's Headers does. */
function headerRecord(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const v = raw[i + 1]!;
    out[k] = Object.hasOwn(out, k) ? `${out[k]}, ${v}` : v;
  }
  return out;
}

function lowerCaseKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
