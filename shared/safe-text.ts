/**
 * Text a person types that ends up on screens, receipts, exports and in the
 * hash-chained log: names of people, the store, the terminal, offer customers.
 * Refused (never silently cleaned, so nobody is surprised by what was stored):
 * - control characters (C0, DEL, C1): NUL truncates in C tools, CR/LF forge
 *   lines in CSV exports and logs;
 * - bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): they
 *   make "Ann" display as something else (a name that reads backwards);
 * - unpaired UTF-16 surrogates: not text at all; SQLite stores them as U+FFFD,
 *   so what was hashed and what was stored would differ.
 */
import { z } from './zod.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why this text cannot be used as a name, or null when it can. */
export function unsafeTextReason(s: string): string | null {
  if (CONTROL.test(s)) return 'must not contain control characters';
  if (BIDI_CONTROL.test(s)) return 'must not contain text-direction override characters';
  if (LONE_SURROGATE.test(s)) return 'contains a broken character (unpaired surrogate)';
  return null;
}

/** A zod refinement for names: refuses what unsafeTextReason names, saying why. */
export function safeName(schema: z.ZodString): z.ZodString {
  return schema.superRefine((s, ctx) => {
    const reason = unsafeTextReason(s);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });
}

/**
 * The path of the first object key named `__proto__` anywhere in a value (a
 * JSON body can carry one as an own key), or null. Such a key is refused
 * rather than dropped: copied into a plain object it would set the prototype
 * instead of a field (`setCredentials({"__proto__": ...})` stored nothing and
 * removed the stored credentials).
 */
export function protoKeyPath(value: unknown, path: string[] = [], depth = 0): string | null {
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = protoKeyPath(value[i], [...path, String(i)], depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...path, key].join('.');
    const p = protoKeyPath((value as Record<string, unknown>)[key], [...path, key], depth + 1);
    if (p) return p;
  }
  return null;
}
