/**
 * The default pattern (RE2 syntax) that finds a program's member number in a
 * scanned URL or text, per program that has one; the descriptors take theirs
 * from here.
 *
 * WHY apart from the descriptors: the counter reads scans from its first
 * paint, and importing PROGRAMS for one pattern would put every program's
 * connection fields and help texts in the renderer's initial JavaScript
 * (issue 18: < 120 KB gzipped).
 */
export const SCAN_PATTERNS = {
  // A run of exactly 13 digits anywhere in the text (a URL or a line from the app).
  // RE2 syntax (no look-around): the non-digit on either side is outside the group.
  uitpas: '(?:^|\\D)(\\d{13})(?:\\D|$)',
} as const satisfies Readonly<Record<string, string>>; // keys: program ids (test/programs.test.ts checks them against the descriptors)
