/**
 * OAuth2 client-credentials tokens (White Label, UiTPAS): fetched once,
 * cached until shortly before expiry, shared by concurrent callers, and
 * dropped when the API says it is no longer valid. The token is opaque: it is
 * never parsed, logged, or put in an error.
 */
import { PosError } from '../../shared/errors.js';
import { httpJson, type HttpJson } from './http.js';

export interface TokenSourceOptions {
  tokenUrl: string;
  /** The JSON body of the token request (client_id, client_secret, grant_type, audience...). */
  requestBody: Record<string, string>;
  timeoutMs: number;
  now?: () => number;
  /** The connection's HTTP client (default: httpJson). */
  http?: HttpJson;
}

export interface TokenSource {
  get(): Promise<string>;
  /** Forgets `token` if it is the cached one (the API refused it). */
  invalidate(token: string): void;
}

/** Renew this long before the stated expiry, so a token never dies in flight. */
const EXPIRY_MARGIN_SEC = 60;

export function createTokenSource(opts: TokenSourceOptions): TokenSource {
  const now = opts.now ?? Date.now;
  let cached: { token: string; expiresAt: number } | null = null;
  let inFlight: Promise<string> | null = null;

  async function fetchToken(): Promise<string> {
    const res = await (opts.http ?? httpJson)({ method: 'POST', url: opts.tokenUrl, body: opts.requestBody, timeoutMs: opts.timeoutMs });
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new PosError('BACKEND_AUTH', undefined, { details: { status: res.status, notApplied: true } });
    }
    if (res.status >= 400) {
      throw new PosError('BACKEND_AUTH', `The loyalty program's sign-in service refused the terminal (HTTP ${res.status}).`, {
        details: { status: res.status, notApplied: true },
      });
    }
    const b = res.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof b?.access_token !== 'string' || b.access_token === '') {
      throw new PosError('BACKEND_BAD_RESPONSE', 'The sign-in service sent no access token.', { details: { notApplied: true } });
    }
    const ttl = typeof b.expires_in === 'number' && b.expires_in > 0 ? b.expires_in : 300;
    const margin = Math.min(EXPIRY_MARGIN_SEC, ttl / 10);
    cached = { token: b.access_token, expiresAt: now() + (ttl - margin) * 1000 };
    return b.access_token;
  }

  return {
    get() {
      if (cached && cached.expiresAt > now()) return Promise.resolve(cached.token);
      inFlight ??= fetchToken().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}
