/**
 * Which way a node:http(s) request to a program goes, and whom it trusts:
 *
 *  - the proxy from the environment (HTTPS_PROXY for https://, HTTP_PROXY for
 *    http://, ALL_PROXY, upper or lower case), unless NO_PROXY names the host
 *    (proxy-from-env's reading, as curl and most tools). This machine itself
 *    (localhost, 127.x, ::1) is never proxied, as in Chromium: the training
 *    emulators live there;
 *  - the certificate authorities: Node's own (with NODE_EXTRA_CA_CERTS, which
 *    Node reads at start) unless the connection names an extra CA; then Node's
 *    bundled roots, the NODE_EXTRA_CA_CERTS file and that CA, in one TLS
 *    context built once per CA.
 *
 * Keep-alive agents are pooled per (protocol, proxy, CA), shared by every
 * adapter; idle sockets are unref'd by node, so the pool never keeps the
 * process alive.
 */
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createHash } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { parseExtraCa } from './extra-ca.js';

export interface TrustAnchors {
  /** The connection's extra CA (PEM, one or more certificates). */
  extraCa?: string;
}

export interface Route {
  /** The proxy's URL, or null for a direct connection. */
  proxy: string | null;
  agent: HttpAgent;
  /** Added to the request's options: the TLS context holding the extra CA. */
  requestOptions: { secureContext?: SecureContext };
  /** Plain http through a proxy: the request goes to the proxy, its request line carrying the whole URL (RFC 9112 3.2.2). */
  httpProxy: { host: string; port: number; authorization?: string } | null;
}

const MAX_SOCKETS = 32;
/**
 * The agent's socket timeout closes an idle socket after this long (or a
 * second before the server's announced Keep-Alive timeout, if shorter), so we
 * rarely write into a socket the server is about to close.
 */
const IDLE_SOCKET_MS = 4000;
const POOL = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS } as const;

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

const agents = new Map<string, HttpAgent>();
const contexts = new Map<string, SecureContext>();

/** The proxy for `url` from the environment, or null (NO_PROXY, loopback, none set). */
export function proxyFor(url: URL): string | null {
  if (LOOPBACK.test(url.hostname)) return null;
  const proxy = getProxyForUrl(url.href);
  return proxy ? proxy : null;
}

export function routeFor(url: URL, trust: TrustAnchors): Route {
  const https = url.protocol === 'https:';
  const proxy = proxyFor(url);
  const context = https && trust.extraCa ? contextFor(trust.extraCa) : undefined;
  const requestOptions = context ? { secureContext: context.context } : {};
  const key = `${url.protocol}|${proxy ?? 'direct'}|${context?.id ?? 'node-ca'}`;
  let agent = agents.get(key);
  if (!agent) {
    if (proxy && https) agent = new HttpsProxyAgent(proxy, { ...POOL });
    else if (https) agent = new HttpsAgent({ ...POOL });
    else agent = new HttpAgent({ ...POOL });
    agents.set(key, agent);
  }
  if (proxy && !https) {
    const p = new URL(proxy);
    const user = p.username ? `${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}` : '';
    const httpProxy = {
      host: p.hostname.replace(/^\[|\]$/g, ''),
      port: Number(p.port || 80),
      ...(user ? { authorization: `Basic ${Buffer.from(user).toString('base64')}` } : {}),
    };
    return { proxy, agent, requestOptions, httpProxy };
  }
  return { proxy, agent, requestOptions, httpProxy: null };
}

/**
 * The TLS context that trusts Node's bundled roots, NODE_EXTRA_CA_CERTS and
 * the extra CA (passing `ca` replaces Node's default store, so all three are
 * given). Built once per CA and NODE_EXTRA_CA_CERTS file. Throws the field error for a bad PEM.
 */
function contextFor(extraCa: string): { id: string; context: SecureContext } {
  const extraFile = process.env.NODE_EXTRA_CA_CERTS ?? '';
  const id = createHash('sha256').update(extraCa).update('\0').update(extraFile).digest('hex').slice(0, 16);
  let context = contexts.get(id);
  if (!context) {
    const ca = [...rootCertificates, ...nodeExtraCaCerts(extraFile), ...parseExtraCa(extraCa)];
    context = createSecureContext({ ca });
    contexts.set(id, context);
  }
  return { id, context };
}

/** The file NODE_EXTRA_CA_CERTS names, as PEM blocks; none when unset or unreadable (Node warned at start). */
function nodeExtraCaCerts(file: string): string[] {
  if (!file) return [];
  try {
    return readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  } catch {
    return [];
  }
}

export function closeIdleRouteSockets(): void {
  for (const agent of agents.values()) {
    for (const list of Object.values(agent.freeSockets)) for (const s of list ?? []) s.destroy();
  }
}
