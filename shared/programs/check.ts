/**
 * Checks a program's connection values before anything is stored: required
 * fields present, URLs that cannot leak credentials, numbers and JSON that
 * parse. The go-live screen, the config file and the service all use it, so
 * a value refused in one place is refused in all. Each problem names the
 * field (`path` is relative: the caller prefixes it, e.g. "connection.").
 */
import { allFields, type ConnectionField, type ProgramDescriptor } from './index.js';

export interface FieldProblem {
  /** The field's key, prefixed by its section: "connection.clientSecret", "program.currency". */
  path: string;
  message: string;
}

/**
 * The WHATWG URL parser: every runtime this code runs in has it (the browser,
 * Node), but shared/ compiles without DOM or Node types, so it is declared here.
 */
declare const URL: new (input: string) => { protocol: string; username: string; password: string; hostname: string; host: string };

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Why a URL may not carry credentials: null when it is fine. */
export function urlProblem(raw: string): string | null {
  let url: InstanceType<typeof URL>;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL (expected e.g. https://api.example.com)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must start with https:// (got ${url.protocol})`;
  if (url.username || url.password) return 'must not contain a user name or password (enter credentials in their own fields)';
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) return `plain http is only allowed to this machine; use https:// for ${url.host}`;
  return null;
}

/** Room for a CA chain of a dozen certificates; the contract's limit on a value is the same. */
export const MAX_PEM_CHARS = 32_768;

/**
 * Why a 'pem' value is not one or more PEM certificates: null when it looks
 * like them. Only the shape is checked here (no X.509 parser in shared/); the
 * service reads each certificate before using it (electron/adapters/extra-ca.ts).
 * Text between blocks (openssl's "subject=" lines) is allowed, as openssl does.
 */
export function pemProblem(v: string): string | null {
  if (v.length > MAX_PEM_CHARS) return `is too long (${MAX_PEM_CHARS} characters at most)`;
  const blocks = [...v.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g)];
  if (blocks.length === 0) return 'is not a PEM certificate (paste it from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----)';
  for (const [i, [, begin, body, end]] of blocks.entries()) {
    if (/PRIVATE KEY/.test(begin!)) return 'holds a private key: never paste a key here, only the CA certificate';
    if (begin !== 'CERTIFICATE' || end !== 'CERTIFICATE') return `block ${i + 1} is a ${begin!.toLowerCase()}, not a certificate`;
    const b64 = body!.replace(/\s+/g, '');
    // A DER certificate is an ASN.1 SEQUENCE: its base64 starts with "MI".
    if (!/^MI[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0)
      return `certificate ${i + 1} is damaged (its base64 text does not read as a certificate)`;
  }
  return null;
}

function valueProblem(f: ConnectionField, v: string): string | null {
  switch (f.kind) {
    case 'pem':
      return pemProblem(v);
    case 'url':
      return urlProblem(v);
    case 'integer':
      return /^-?\d{1,9}$/.test(v) ? null : 'must be a whole number';
    case 'boolean':
      return v === 'true' || v === 'false' ? null : 'must be true or false';
    case 'json':
      try {
        const parsed: unknown = JSON.parse(v);
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? null : 'must be a JSON object';
      } catch {
        return 'is not valid JSON';
      }
    default:
      if (v.length > 4096) return 'is too long (4096 characters at most)';
      if (f.choices && !f.choices.includes(v)) return `must be one of ${f.choices.join(', ')}`;
      return null;
  }
}

/**
 * Fills defaults and checks every field. `values` holds connection fields
 * and program settings together (keys are distinct within a program).
 */
export function checkConnection(
  p: ProgramDescriptor,
  values: Readonly<Record<string, string | undefined>>,
): { values: Record<string, string>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out: Record<string, string> = {};
  const inAlternative = new Set((p.alternatives ?? []).flat());
  const sectionOf = (f: ConnectionField) => (p.connection.includes(f) ? 'connection' : 'program');
  const known = new Set(allFields(p).map((f) => f.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) problems.push({ path: `connection.${key}`, message: `is not a field of ${p.name} (known: ${[...known].join(', ')})` });
  }
  for (const f of allFields(p)) {
    const given = values[f.key];
    const v = given === undefined || given === '' ? f.default : given;
    const path = `${sectionOf(f)}.${f.key}`;
    if (v === undefined || v === '') {
      if (f.required && !inAlternative.has(f.key)) problems.push({ path, message: `is missing (${f.label}: ${f.help})` });
      continue;
    }
    const problem = valueProblem(f, v);
    if (problem) problems.push({ path, message: `${problem}` });
    else out[f.key] = v;
  }
  if (p.alternatives?.length) {
    const complete = p.alternatives.some((group) => group.every((k) => out[k]));
    if (!complete) {
      problems.push({
        path: 'connection',
        message: `needs one of: ${p.alternatives.map((g) => g.join(' + ')).join(', or ')}`,
      });
    }
  }
  return { values: out, problems };
}
