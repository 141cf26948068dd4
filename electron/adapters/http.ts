/**
 * The JSON HTTP client every adapter uses, over global fetch. Its one job is
 * to turn transport trouble into the terminal's PosError codes with the
 * conventions at the top of ./types.ts, so that each adapter only maps its
 * backend's own 4xx error shapes:
 *
 *  - connection refused, DNS failure, connect timeout, TLS failure: the request
 *    never left -> BACKEND_UNAVAILABLE, details.notApplied = true;
 *  - connection reset or closed after the request went out -> BACKEND_UNAVAILABLE
 *    without notApplied: the outcome is unknown and must be reconciled;
 *  - our own timeout -> BACKEND_TIMEOUT (outcome unknown);
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
 */
import { PosError } from '../../shared/errors.js';

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
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** undici's own timeouts after the request went out. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

export async function httpJson(req: HttpJsonRequest): Promise<HttpJsonResponse> {
  const where = describe(req);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
  let payload: string | undefined;
  if (req.body !== undefined) {
    payload = JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }

  let res: Response;
  let rawText: string;
  try {
    res = await fetch(req.url, { method: req.method, headers, body: payload, signal: controller.signal, redirect: 'manual' });
    rawText = await res.text();
  } catch (e) {
    throw classifyFetchFailure(e, controller.signal.aborted, where);
  } finally {
    clearTimeout(timer);
  }

  const out: HttpJsonResponse = { status: res.status, headers: headerRecord(res.headers), body: undefined, rawText };
  const status = res.status;

  if (status >= 200 && status < 300) {
    const expect = req.expect ?? 'json';
    if (expect === 'empty') return out;
    const parsed = tryParse(rawText);
    if (!parsed.ok) {
      if (expect === 'any') return out;
      throw new PosError('BACKEND_BAD_RESPONSE', `The loyalty program's answer to ${where.method} could not be read (not JSON).`, {
        details: { ...where, status },
      });
    }
    out.body = parsed.value;
    return out;
  }

  out.body = tryParse(rawText).value;
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

interface Where {
  method: string;
  host: string;
}

function describe(req: HttpJsonRequest): Where {
  let host = '?';
  try {
    host = new URL(req.url).host;
  } catch {
    // an unparseable URL fails in fetch and is reported as unavailable
  }
  return { method: req.method, host };
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof o.code === 'string') return o.code;
  // Happy-eyeballs connects fail with an AggregateError of per-address errors.
  if (Array.isArray(o.errors)) for (const inner of o.errors) {
    const c = errorCode(inner);
    if (c) return c;
  }
  return undefined;
}

/**
 * Turns what fetch threw into a PosError. Exported for a test that feeds it
 * the error shapes undici produces for failures a loopback test cannot cause
 * (DNS, TLS).
 */
export function classifyFetchFailure(e: unknown, timedOut: boolean, where: Where): PosError {
  if (timedOut) return new PosError('BACKEND_TIMEOUT', undefined, { details: { ...where } });
  const cause = (e as { cause?: unknown } | null)?.cause;
  const code = errorCode(cause) ?? errorCode(e);
  if (code && NOT_SENT_CODES.has(code)) {
    return new PosError('BACKEND_UNAVAILABLE', `The loyalty program cannot be reached (${code}).`, { details: { ...where, cause: code, notApplied: true } });
  }
  if (code && TIMEOUT_CODES.has(code)) return new PosError('BACKEND_TIMEOUT', undefined, { details: { ...where, cause: code } });
  if (code === 'ERR_INVALID_URL') {
    return new PosError('BACKEND_UNAVAILABLE', 'The loyalty program address in settings is not a valid URL.', { details: { ...where, notApplied: true } });
  }
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

function headerRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}
