/**
 * The languages the terminal speaks, in a module without zod: the renderer's
 * i18n imports it, and zod in the renderer's bundle trips its content
 * security policy (zod probes `new Function` at load: a 'script-src eval'
 * violation, which every e2e page fails on).
 */
export const LANGUAGES = ['nl', 'fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
