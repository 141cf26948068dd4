/**
 * What a scan (USB scanner, camera) or a typed entry carries, turned into the
 * member number the service is asked about.
 *
 * A code may hold:
 *  - a plain member number (the kinds the backend accepts, in its order:
 *    parseMemberIdentifier in member-number.ts);
 *  - a URL or text that carries one: the number is found by a regular
 *    expression the settings define per backend (scanner.extractPatterns), or
 *    by the backend's default below; a named group `number`, else the first
 *    group, else the whole match, is the number;
 *  - an INSZ, only where the backend accepts that kind.
 *
 * A refusal says what was read and why, never echoing a payment card number
 * (card-shaped digit runs are masked in `read`). The renderer checks here for
 * speed and a clear message; the service checks the number again.
 *
 * WHY the pattern engine is a parameter: the engine (RE2, re2js: about 45 KB
 * gzipped) is only needed for a read that is not a plain number, so the
 * renderer loads it after the counter's first paint (renderer/src/scanner/
 * pattern-engine.ts) instead of in its initial JavaScript. `scan-content.ts`
 * is this module with the RE2 engine built in, for everything else.
 */
import type { BackendId } from './domain.js';
import { SCAN_PATTERNS } from './programs/scan-patterns.js';
import { looksLikePaymentCard, maskIdentifier, parseMemberIdentifier, type IdentifierKind, type MemberIdentifier } from './member-number.js';

/** Longer reads are refused before any pattern runs (a member code is far shorter). */
export const MAX_SCAN_CHARS = 2048; // room for a member app code with its session token (member-number.ts)
/** Longest extraction pattern the settings accept. */
export const MAX_PATTERN_CHARS = 200;

/**
 * Patterns used when the settings name none for the backend. UiTPAS: a run of
 * exactly 13 digits anywhere in the text (a URL or a line of text from the
 * app). The others accept free-form ids, so no pattern unless set.
 */
export const DEFAULT_EXTRACT_PATTERNS: Readonly<Partial<Record<BackendId, string>>> = SCAN_PATTERNS;

export interface ScanRules {
  /** Identifier kinds the backend accepts, in the order a read is tried. */
  accepted: readonly IdentifierKind[];
  /**
   * The extraction pattern (RE2 syntax, which is JavaScript's without back-references
   * or look-around; no slashes); empty or null: plain numbers only.
   */
  pattern?: string | null;
}

/** Finds a pattern's candidate numbers in a text; null when the pattern cannot be used (not valid RE2). */
export interface PatternEngine {
  candidates(source: string, text: string, limit: number): string[] | null;
}

export type ScanContent =
  | {
      ok: true;
      /** What to send to the service (the number as found, before normalisation). */
      input: string;
      identifier: MemberIdentifier;
      /** 'plain': the whole read was the number; 'pattern': it was found inside a URL or text. */
      via: 'plain' | 'pattern';
    }
  | {
      ok: false;
      code: 'MEMBER_NUMBER_FORMAT' | 'MEMBER_NUMBER_CHECK_DIGIT';
      /** What was read, shortened and with any payment-card-like number masked: safe to show and log. */
      read: string;
      /** Why it was refused, in plain words. */
      reason: string;
    };

/** The pattern for a backend: the settings' own (an empty string turns extraction off), else the default. */
export function patternFor(backend: BackendId | null | undefined, configured?: Partial<Record<string, string>> | null): string | null {
  if (!backend) return null;
  const own = configured?.[backend];
  if (own !== undefined) return own.trim() === '' ? null : own;
  return DEFAULT_EXTRACT_PATTERNS[backend] ?? null;
}

/** Control characters a scanner may add (GS separators, CR/LF, AIM prefixes' controls). */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to remove
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** What was read, made safe to show: controls shown as spaces, shortened, card-like numbers masked. */
export function safeRead(raw: string, max = 80): string {
  const flat = raw.replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  // A member app code may carry the member's session token: never shown (member-number.ts).
  const noSecrets = flat.replace(/GP1:\S*/gi, 'GP1:…');
  // A digit run (spaces or dashes between groups allowed) that has the shape of a payment card is masked.
  const masked = noSecrets.replace(/\d(?:[ -]?\d){12,22}/g, (run) => {
    const digits = run.replace(/[ -]/g, '');
    return looksLikePaymentCard(digits) ? maskIdentifier(digits) : run;
  });
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}

/**
 * True when reading `raw` would run the extraction pattern: a read that is
 * not a plain number the backend accepts, with a pattern set. The renderer
 * waits for the pattern engine only then (most scans are plain numbers).
 */
export function needsPattern(raw: string, rules: ScanRules): boolean {
  if (raw.length > MAX_SCAN_CHARS || rules.accepted.length === 0 || !rules.pattern?.trim()) return false;
  const read = raw.replace(CONTROLS, '').trim();
  return read !== '' && !parseMemberIdentifier(read, rules.accepted).ok;
}

/**
 * Reads a member number out of a scan or a typed entry. Tries the whole read
 * as a number first, then the pattern; a refusal carries the safe `read` and
 * the reason (the closest one: a wrong check digit beats "not found").
 */
export function readMemberNumber(raw: string, rules: ScanRules, engine: PatternEngine): ScanContent {
  // Refused, not cut: a cut read could yield a wrong number, and the cap bounds every pattern's work.
  if (raw.length > MAX_SCAN_CHARS) {
    return {
      ok: false,
      code: 'MEMBER_NUMBER_FORMAT',
      read: safeRead(raw.slice(0, MAX_SCAN_CHARS)),
      reason: `This code is too long to be a member code (${raw.length} characters; at most ${MAX_SCAN_CHARS}).`,
    };
  }
  const read = raw.replace(CONTROLS, '').trim();
  if (read === '') return { ok: false, code: 'MEMBER_NUMBER_FORMAT', read: '', reason: 'Nothing was read.' };
  if (rules.accepted.length === 0) {
    return { ok: false, code: 'MEMBER_NUMBER_FORMAT', read: safeRead(read), reason: 'This loyalty program does not look members up at the counter.' };
  }
  const plain = parseMemberIdentifier(read, rules.accepted);
  if (plain.ok) return { ok: true, input: read, identifier: plain.identifier, via: 'plain' };

  const source = rules.pattern?.trim() ? rules.pattern : null;
  const candidates = source ? engine.candidates(source, read, 20) : null;
  if (candidates) {
    let firstRefusal: Extract<ReturnType<typeof parseMemberIdentifier>, { ok: false }> | null = null;
    for (const found of candidates) {
      const candidate = found.trim();
      if (candidate === '') continue;
      const parsed = parseMemberIdentifier(candidate, rules.accepted);
      if (parsed.ok) return { ok: true, input: candidate, identifier: parsed.identifier, via: 'pattern' };
      if (!firstRefusal || (parsed.code === 'MEMBER_NUMBER_CHECK_DIGIT' && firstRefusal.code !== 'MEMBER_NUMBER_CHECK_DIGIT')) firstRefusal = parsed;
    }
    if (firstRefusal) {
      return { ok: false, code: firstRefusal.code, read: safeRead(read), reason: reasonOf(firstRefusal.code, firstRefusal.message, true) };
    }
    if (plain.code === 'MEMBER_NUMBER_CHECK_DIGIT') return { ok: false, code: plain.code, read: safeRead(read), reason: plain.message };
    return {
      ok: false,
      code: 'MEMBER_NUMBER_FORMAT',
      read: safeRead(read),
      reason: looksLikeText(read) ? 'No member number was found in this code.' : notAccepted(rules.accepted),
    };
  }
  return { ok: false, code: plain.code, read: safeRead(read), reason: reasonOf(plain.code, plain.message, false, rules.accepted) };
}

function reasonOf(code: 'MEMBER_NUMBER_FORMAT' | 'MEMBER_NUMBER_CHECK_DIGIT', message: string, found: boolean, accepted?: readonly IdentifierKind[]): string {
  if (code === 'MEMBER_NUMBER_CHECK_DIGIT') return found ? `${message} (in the number found in this code)` : message;
  if (/payment card/.test(message)) return 'That looks like a payment card, not a member card.';
  return accepted ? notAccepted(accepted) : 'The number found in this code is not a member number this program accepts.';
}

const KIND_WORDS: Record<IdentifierKind, string> = {
  uitpas: 'a UiTPAS number (13 digits)',
  insz: 'a national number (INSZ, 11 digits)',
  card: 'a card number (8 to 19 digits)',
  mobile: 'a mobile number',
  email: 'an e-mail address',
  externalId: 'a member id',
  memberId: "the member id from the program's app (its QR code) or as the member reads it out",
  appCode: "the member's app code",
};

function notAccepted(accepted: readonly IdentifierKind[]): string {
  const words = accepted.map((k) => KIND_WORDS[k]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : (words[0] ?? 'a member number');
  return `This is not a member number this program accepts (expected ${list}).`;
}

function looksLikeText(read: string): boolean {
  return /[^\d\s\-./]/.test(read);
}
