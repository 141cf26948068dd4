/**
 * The UI's languages. Zod-free on purpose: the renderer imports this, and
 * zod in the renderer's bundle probes `new Function` at load, which the
 * app's Content-Security-Policy refuses (a violation on every screen).
 */
export const LANGUAGES = ['nl', 'fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
