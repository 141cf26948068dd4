/**
 * One exchange through a fetch: in Electron, `net.fetch` (Chromium's network
 * stack, so the system's proxy settings, PAC files and certificate store
 * apply); in tests, Node's own fetch, which has the same shape.
 *
 * What the outbox relies on is kept as far as a fetch lets us see:
 *  - our timeout aborts the request; since a fetch does not tell whether the
 *    socket had connected, a timeout is always "outcome unknown"
 *    (BACKEND_TIMEOUT), the safe reading;
 *  - Chromium's errors (`net::ERR_*`) are read: name resolution, refused
 *    connection, proxy and tunnel failures and certificate errors happen before
 *    the request is written, so they are "not applied"; a reset, a closed or
 *    empty response is "outcome unknown";
 *  - redirects are never followed (redirect: 'manual');
 *  - keep-alive is Chromium's own pooling.
 *
 * A difference to know (README "Real networks"): Chromium itself resends a
 * request once when a reused keep-alive socket fails before any answer, as
 * browsers do. The outbox's lookups before a retry (did the backend apply it?
 * asked before anything is sent again) are what protect a redemption either way.
 */
import { PosError } from '../../shared/errors.js';
import { classifyFetchFailure, type Exchange, type ExchangeFn } from './http.js';

export interface FetchLikeInit {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  redirect: 'manual';
  signal: AbortSignal;
}

export interface FetchLikeResponse {
  status: number;
  headers: { forEach(cb: (value: string, key: string) => void): void };
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;

/** Chromium errors raised before anything of the request was written. */
const CHROMIUM_NOT_SENT = new Set([
  'ERR_NAME_NOT_RESOLVED',
  'ERR_NAME_RESOLUTION_FAILED',
  'ERR_CONNECTION_REFUSED',
  'ERR_CONNECTION_TIMED_OUT',
  'ERR_ADDRESS_UNREACHABLE',
  'ERR_ADDRESS_INVALID',
  'ERR_INTERNET_DISCONNECTED',
  'ERR_PROXY_CONNECTION_FAILED',
  'ERR_TUNNEL_CONNECTION_FAILED',
  'ERR_PROXY_AUTH_UNSUPPORTED',
  'ERR_PROXY_CERTIFICATE_INVALID',
  'ERR_MANDATORY_PROXY_CONFIGURATION_FAILED',
  'ERR_SSL_PROTOCOL_ERROR',
  'ERR_SSL_VERSION_OR_CIPHER_MISMATCH',
  'ERR_BAD_SSL_CLIENT_AUTH_CERT',
]);

/** Headers Chromium sets itself and refuses from a caller. */
const CHROMIUM_OWN_HEADERS = new Set(['content-length', 'host', 'connection']);

/** `net::ERR_CERT_AUTHORITY_INVALID` -> 'ERR_CERT_AUTHORITY_INVALID'; undefined for other errors. */
export function chromiumErrorCode(e: unknown): string | undefined {
  const text = e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
  return /net::(ERR_[A-Z0-9_]+)/.exec(text)?.[1];
}

export function isProxyError(code: string): boolean {
  return /^ERR_(PROXY_|TUNNEL_|MANDATORY_PROXY_)/.test(code);
}

/** A failed fetch as the terminal's PosError. */
export function classifyChromiumFailure(e: unknown, where: { method: string; host: string }): PosError {
  const code = chromiumErrorCode(e);
  if (!code) return classifyFetchFailure(e, false, where); // Node's fetch: undici's shapes, read by http.ts
  const notSent = CHROMIUM_NOT_SENT.has(code) || code.startsWith('ERR_CERT_');
  return classifyFetchFailure(Object.assign(new Error(code), { code }), false, where, notSent, isProxyError(code));
}

export function fetchExchange(fetch: FetchLike): ExchangeFn {
  return async (req, url, headers, payload, where, requestTimer): Promise<Exchange> => {
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw classifyFetchFailure(Object.assign(new TypeError('invalid URL'), { code: 'ERR_INVALID_URL' }), false, where);
    }
    const sent: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (!CHROMIUM_OWN_HEADERS.has(k)) sent[k] = v;
    const abort = new AbortController();
    let timedOut = false;
    const cancelTimer = requestTimer({ method: req.method, url: req.url }, req.timeoutMs, () => {
      timedOut = true;
      abort.abort();
    });
    try {
      const res = await fetch(url.href, {
        method: req.method,
        headers: sent,
        ...(payload ? { body: new Uint8Array(payload) } : {}),
        redirect: 'manual',
        signal: abort.signal,
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      let text = bytes.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const out: Record<string, string> = {};
      res.headers.forEach((value, key) => {
        out[key.toLowerCase()] = value;
      });
      return { status: res.status, headers: out, text };
    } catch (e) {
      // A fetch cannot tell whether the socket had connected: our timeout is "outcome unknown".
      if (timedOut) throw classifyFetchFailure(e, true, where);
      throw classifyChromiumFailure(e, where);
    } finally {
      cancelTimer();
    }
  };
}
