/**
 * The UI's languages (nl, fr, en), their message catalogues (read by
 * translate.ts's `makeT`), and `Intl` formatting of amounts, points and dates for the
 * chosen language (locale.ts). Pure TypeScript (no DOM, no Node): the service
 * and the tests use the catalogues here; the renderer loads each language's
 * catalogue on demand (renderer/src/i18n), with locale.ts's formatting.
 */
import type { ErrorCode } from '../errors.js';
import { en, type Catalogue } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';
import type { Language } from './locale.js';

export * from './locale.js';
export type { Catalogue };
export const catalogues: Record<Language, Catalogue> = { nl, fr, en };

/** The plain-words text of an error code in a language (fallback: English). */
export function errorText(code: ErrorCode, lang: Language): string {
  return catalogues[lang].errors[code] ?? en.errors[code];
}
