/**
 * What may reach a log line, a crash note or a support bundle. Everything the
 * terminal logs goes through `redact` (values) or `redactText` (strings,
 * including error messages and stacks), so the rules live in one place:
 *
 * - secrets by name: a field called password, secret, token, apiKey,
 *   authorization, cookie, pin, cvv, signature, credentials... is replaced
 *   whole, whatever its value;
 * - secrets by shape inside any string: `Bearer x`, `Basic x`, JWTs,
 *   `token=x` / `"password":"x"` pairs (query strings, JSON and request dumps);
 * - member and card numbers by shape inside any string (8 to 19 digits, also
 *   grouped in fours or UiTPAS's 4-3-3-3) and any value of a member/card
 *   field: masked to the last four, as the sales log shows them;
 * - e-mail addresses: first letter and domain.
 *
 * WHY by shape as well as by name: an adapter's error message or a stack can
 * quote a request body or URL, and those carry no field names we control.
 * Masking an innocent long number (an epoch in a message) costs nothing;
 * printing a card number costs a PCI incident.
 */
import { maskIdentifier } from '../../shared/member-number.js';

export const REDACTED = '[redacted]';

/** Field names whose values are secrets, compared without case, `_` and `-`. */
const SECRET_NAMES = new Set([
  'password',
  'passwd',
  'pass',
  'secret',
  'clientsecret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'pin',
  'managerpin',
  'newpin',
  'oldpin',
  'pinhash',
  'cvv',
  'cvc',
  'cvv2',
  'signature',
  'xsignature',
  'credentials',
  'credential',
  'privatekey',
  'sessiontoken',
  'secrets',
  'webhooksecret',
  'sealed',
  'pan',
  'track2',
]);
/** Field names whose values are member or card numbers: masked, not removed (support needs the last four). */
const NUMBER_NAMES = /member(number|id|card)?$|cardnumber$|^card$|identifier$|^uitpasnumber$|^mobile$|^phone$|^email$|^insz$/;

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

export function isSecretKey(key: string): boolean {
  const k = normalise(key);
  return SECRET_NAMES.has(k) || k.endsWith('secret') || k.endsWith('token') || k.endsWith('password') || k.endsWith('apikey');
}

const TEXT_RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  // Authorization header values.
  [/\b(Bearer|Basic|Digest)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // JWTs anywhere (three base64url parts, the first a JSON header).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
  // name=value and "name": "value" pairs whose name is a secret (query strings, form bodies, JSON dumps, header dumps).
  [
    // Only names that end like a secret are matched, so a harmless pair ("Error: token=x") never swallows a secret one.
    /(["']?)\b([\w-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|authorization|cookie|pin|cvv2?|cvc|signature|credentials?|private[_-]?key|sealed|pan|track2))\1(\s*[:=](?!\/\/)\s*)("[^"]*"|'[^']*'|[^\s&#,;}"']+)/gi,
    (whole, q, name, sep, value) => (isSecretKey(name!) ? `${q}${name}${q}${sep}${value!.startsWith('"') ? `"${REDACTED}"` : REDACTED}` : whole!),
  ],
  // Card / member numbers grouped for display: 4-4-4-4(-3) and UiTPAS 4-3-3-3.
  [/(?<![\d])\d{4}(?: \d{4}){2,3}(?: \d{1,3})?(?![\d])/g, (m) => maskIdentifier(m.replace(/ /g, ''))],
  [/(?<![\d])\d{4} \d{3} \d{3} \d{3}(?![\d])/g, (m) => maskIdentifier(m.replace(/ /g, ''))],
  // Any other run of 8 to 19 digits (member numbers, phone numbers, card numbers, INSZ).
  [/(?<![\d])\+?\d{8,19}(?![\d])/g, (m) => maskIdentifier(m.replace(/^\+/, ''))],
  // E-mail addresses.
  [/\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g, '$1•••@$2'],
];

/** A string with every secret and member number in it masked. */
export function redactText(text: string): string {
  let out = text;
  for (const [re, replacement] of TEXT_RULES) out = out.replace(re, replacement as string);
  return out;
}

/** An error as a plain object (message, code, stack, cause, own fields), redacted. */
export function serializeError(e: Error, depth = 0, seen = new WeakSet<object>()): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.name, message: redactText(e.message) };
  if (e.stack) out.stack = redactText(e.stack);
  for (const [k, v] of Object.entries(e)) out[k] = redactEntry(k, v, depth + 1, seen);
  if (e.cause !== undefined && depth < 4) out.cause = redactValue(e.cause, depth + 1, seen);
  return out;
}

function redactEntry(key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  if (isSecretKey(key)) return REDACTED;
  if (NUMBER_NAMES.test(normalise(key)) && (typeof value === 'string' || typeof value === 'number')) {
    const s = String(value);
    return s.includes('@') ? redactText(s) : maskIdentifier(s);
  }
  return redactValue(value, depth, seen);
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return typeof value === 'bigint' ? String(value) : value;
  if (seen.has(value)) return '[circular]';
  if (depth > 8) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return serializeError(value, depth, seen);
    if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${(value as Uint8Array).byteLength} bytes]`;
    if (value instanceof Date) return value.toISOString();
    if (value instanceof URL) return redactText(value.href);
    if (value instanceof Map) return redactValue(Object.fromEntries(value), depth + 1, seen);
    if (Array.isArray(value)) return value.slice(0, 100).map((v) => redactValue(v, depth + 1, seen));
    // Headers objects (fetch) and anything iterable of pairs.
    if (
      typeof (value as { entries?: unknown }).entries === 'function' &&
      !(Symbol.iterator in value && typeof (value as { length?: unknown }).length === 'number')
    ) {
      try {
        return redactValue(Object.fromEntries((value as Map<string, unknown>).entries()), depth + 1, seen);
      } catch {
        /* not pairs: fall through to the own fields */
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactEntry(k, v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A copy of any value safe to log: see the module comment for the rules. */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}
