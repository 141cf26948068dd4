/**
 * The UI's languages (nl, fr, en), their message catalogues as i18next
 * resources, and `Intl` formatting of amounts, points and dates for the
 * chosen language (locale.ts). Pure TypeScript (no DOM, no Node): the service
 * and the tests use the catalogues here; the renderer loads each language's
 * catalogue on demand (renderer/src/i18n) with locale.ts's options.
 */
import type { ErrorCode } from '../errors.js';
import { en, type Catalogue } from './en.js';
import { fr } from './fr.js';
import { nl } from './nl.js';
import { i18nextBaseOptions, type Language } from './locale.js';

export * from './locale.js';
export type { Catalogue };
export const catalogues: Record<Language, Catalogue> = { nl, fr, en };

/** i18next resources: one namespace, 'translation'. */
export const resources = {
  nl: { translation: nl },
  fr: { translation: fr },
  en: { translation: en },
} as const;

/** i18next options with every catalogue bundled. */
export const i18nextOptions = { ...i18nextBaseOptions, resources } as const;

/** The plain-words text of an error code in a language (fallback: English). */
export function errorText(code: ErrorCode, lang: Language): string {
  return catalogues[lang].errors[code] ?? en.errors[code];
}
