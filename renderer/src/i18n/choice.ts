/**
 * Which language the UI starts in, and where choices are kept (localStorage).
 * Free of the catalogues and React: the page's first module (main.tsx) reads it
 * before the UI's own code has loaded (issue 18).
 */
import { isLanguage, type Language } from '../../../shared/i18n/locale';

export const LANGUAGE_STORAGE_KEY = 'pos.language';

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/** The first supported language among the candidates ('nl-BE' counts as 'nl'). */
export function pickLanguage(candidates: readonly (string | null | undefined)[], fallback: Language = 'en'): Language {
  for (const c of candidates) {
    const base = (c ?? '').toLowerCase().split(/[-_]/)[0];
    if (isLanguage(base)) return base;
  }
  return fallback;
}

/** Where one person's own choice is kept: it follows them across screens, sign-ins and restarts. */
export function personKey(personId: string): string {
  return `${LANGUAGE_STORAGE_KEY}.person.${personId}`;
}

/** The language last chosen on this machine, or (with `personId`) the one that person chose. */
export function savedLanguage(storage: KeyValueStore | null, personId?: string): Language | null {
  try {
    const v = storage?.getItem(personId ? personKey(personId) : LANGUAGE_STORAGE_KEY);
    return isLanguage(v) ? v : null;
  } catch {
    return null;
  }
}

export function safeLocalStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}
