/**
 * shared/scan-read.ts with the RE2 pattern engine built in: what the service,
 * the contract's settings check, the renderer's scanner set-up and the tests
 * use. The renderer's counter uses scan-read.ts and loads this engine after
 * its first paint (renderer/src/scanner/pattern-engine.ts).
 */
import { RE2JS } from 're2js';
import { MAX_PATTERN_CHARS, readMemberNumber, type PatternEngine, type ScanContent, type ScanRules } from './scan-read.js';

export * from './scan-read.js';

/**
 * Compiles an extraction pattern, or says why it cannot be used (for the
 * settings form, the contract and every scan).
 *
 * WHY RE2 and not RegExp: a manager-set pattern such as `(\d+)+x` makes the
 * backtracking engine take seconds on a 26-digit scan (doubling per digit),
 * freezing the till. RE2 (re2js, pure JS) runs in time linear in the scan, and
 * refuses the features that need backtracking (back-references, look-around),
 * so such a pattern is refused when it is saved, not discovered at the counter.
 */
export function compilePattern(source: string): { ok: true; regex: RE2JS } | { ok: false; reason: string } {
  if (source.length > MAX_PATTERN_CHARS) return { ok: false, reason: `at most ${MAX_PATTERN_CHARS} characters` };
  if (/(?:^|[^\\])(?:\\\\)*\\(?:[1-9]|k<)|\(\?<?[=!]/.test(source)) {
    return { ok: false, reason: 'back-references (\\1, \\k<name>) and look-around ((?=, (?!, (?<=, (?<!) are not supported: they can freeze the till' };
  }
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    return { ok: false, reason: `not a valid pattern (${(e as Error).message.replace(/^error parsing regexp: /, '').slice(0, 120)})` };
  }
  if (regex.matcher('').find()) return { ok: false, reason: 'the pattern matches empty text: it must match the number itself' };
  return { ok: true, regex };
}

/** A pattern's matches in `text`, at most `limit` of them: the `number` group, else the first group, else the whole match. */
function candidatesOf(regex: RE2JS, text: string, limit: number): string[] {
  const found: string[] = [];
  const named = 'number' in regex.namedGroups();
  const group = named ? 'number' : regex.groupCount() >= 1 ? 1 : 0;
  const m = regex.matcher(text);
  let from = 0;
  while (found.length < limit && from <= text.length && m.find(from)) {
    const g = m.group(group);
    found.push(g ?? m.group() ?? '');
    // Go on from the end of the number, not of the match: a pattern may take the separator
    // after a number (RE2 has no look-ahead), which is also the one before the next.
    from = Math.max(g !== null && g !== '' ? m.end(group) : m.end(), m.start() + 1);
  }
  return found;
}

/** The last pattern compiled: a terminal has one pattern, so each scan does not compile it again. */
let lastCompiled: { source: string; result: ReturnType<typeof compilePattern> } | null = null;

/** The RE2 engine for readMemberNumber. */
export const RE2_ENGINE: PatternEngine = {
  candidates(source, text, limit) {
    if (lastCompiled?.source !== source) lastCompiled = { source, result: compilePattern(source) };
    const c = lastCompiled.result;
    return c.ok ? candidatesOf(c.regex, text, limit) : null;
  },
};

/** Reads a member number out of a scan or a typed entry (readMemberNumber with RE2). */
export function extractMemberNumber(raw: string, rules: ScanRules): ScanContent {
  return readMemberNumber(raw, rules, RE2_ENGINE);
}
