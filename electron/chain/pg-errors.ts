/**
 * What went wrong talking to the chain's PostgreSQL, in words a store manager
 * can act on. Never repeats the password: addresses are shown as
 * user@host:port/database.
 */
/** A problem with the chain database that a person must fix; `kind` lets the desk and tests tell them apart. */
export class ChainError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'auth' | 'no-database' | 'no-schema' | 'old-schema' | 'permission' | 'tls' | 'bad-url' | 'conflict' | 'other',
    message: string,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

/** user@host:port/database, without the password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.username) || '?'}@${u.hostname || '?'}:${u.port || 5432}/${decodeURIComponent(u.pathname.slice(1)) || '?'}`;
  } catch {
    return '(unreadable address)';
  }
}

/** Checks a postgres:// URL before any connection; throws ChainError('bad-url'). */
export function checkPostgresUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ChainError('bad-url', 'The chain database address is not a URL (expected postgres://user:password@host:5432/database).');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ChainError('bad-url', `The chain database address must start with postgres:// (got ${u.protocol}).`);
  }
  if (!u.hostname) throw new ChainError('bad-url', 'The chain database address has no host.');
  if (!u.pathname || u.pathname === '/') throw new ChainError('bad-url', 'The chain database address names no database (postgres://user@host:5432/database).');
  return url;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);
const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** Turns whatever pg or the socket threw into a ChainError with a clear message. */
export function toChainError(e: unknown, url: string): ChainError {
  if (e instanceof ChainError) return e;
  const err = e as { code?: string; message?: string; errors?: unknown[] };
  const target = describeTarget(url);
  const code = err?.code ?? '';
  const raw = String(err?.message ?? e);
  if (NETWORK_CODES.has(code) || /connect ECONNREFUSED|getaddrinfo|Connection terminated|timeout expired/i.test(raw)) {
    return new ChainError(
      'unreachable',
      `Cannot reach the chain database at ${target} (${code || raw.slice(0, 120)}). The terminal keeps selling and ships when it is back.`,
    );
  }
  if (code === '28P01')
    return new ChainError('auth', `The chain database refused the password for ${target}. Check the user and password in the shipping address.`);
  if (code === '28000') return new ChainError('auth', `The chain database refused the login for ${target}: ${raw.slice(0, 160)}`);
  if (code === '3D000') return new ChainError('no-database', `The database in ${target} does not exist.`);
  if (code === '42501') return new ChainError('permission', `The chain database refused this terminal's role (${target}): ${raw.slice(0, 160)}.`);
  if (TLS_CODES.has(code) || /certificate|self[- ]signed|SSL|TLS/i.test(raw)) {
    return new ChainError('tls', `The chain database's TLS connection could not be verified (${target}): ${raw.slice(0, 160)}`);
  }
  return new ChainError('other', `The chain database (${target}) answered: ${raw.slice(0, 200)}`);
}
