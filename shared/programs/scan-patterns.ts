/**
 * Each program's default pattern for the member number inside a scanned URL
 * or text (RE2 syntax, which is JavaScript's without back-references or
 * look-around). In a module of its own so the counter's first paint reads them
 * without the programs' descriptors (connection fields, help texts: issue 18);
 * the descriptors name the same constants (`scanPattern`), and a test checks
 * the two agree.
 */
import type { BackendId } from '../domain.js';

/** UiTPAS: a run of exactly 13 digits anywhere in the text (a URL or a line from the app); the non-digit on either side is outside the group. */
export const UITPAS_SCAN_PATTERN = '(?:^|\\D)(\\d{13})(?:\\D|$)';

export const SCAN_PATTERNS: Readonly<Partial<Record<BackendId, string>>> = { uitpas: UITPAS_SCAN_PATTERN };
