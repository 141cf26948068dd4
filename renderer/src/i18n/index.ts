/**
 * i18next + react-i18next for the renderer, with shared/i18n's catalogues.
 * One instance for the whole UI: changing its language re-renders every
 * component that uses `useTranslation()` (or `useFmt()`).
 *
 * The language the UI starts in: the one last chosen on this machine (kept in
 * localStorage), else the terminal's setting, else the browser's, else English.
 * Each person's own choice (the language menu) is kept per person and comes
 * back at their sign-in; opening the desk's settings never switches it.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { i18nextOptions, isLanguage, LANGUAGES, type Language } from '../../../shared/i18n';

export const LANGUAGE_STORAGE_KEY = 'pos.language';

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/** The first supported language among the candidates ('nl-BE' counts as 'nl'). */
export function pickLanguage(candidates: readonly (string | null | undefined)[], fallback: Language = 'en'): Language {
  for (const c of candidates) {
    const base = (c ?? '').toLowerCase().split(/[-_]/)[0];
    if (isLanguage(base)) return base;
  }
  return fallback;
}

/** Where one person's own choice is kept: it follows them across screens, sign-ins and restarts. */
function personKey(personId: string): string {
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

export function createI18n(lng: Language): I18n {
  const instance = i18next.createInstance();
  instance.use(initReactI18next);
  // Resources are bundled: init completes synchronously.
  void instance.init({ ...i18nextOptions, lng, initAsync: false });
  return instance;
}

/** The UI's language as a Language (i18next may report 'en-BE' style tags or a fallback). */
export function currentLanguage(instance: Pick<I18n, 'language'>): Language {
  return pickLanguage([instance.language]);
}

/**
 * Switches the whole UI and remembers the choice on this machine (the sign-in
 * screen opens in it), and as `personId`'s own choice when a person made it.
 */
export async function switchLanguage(instance: I18n, lang: Language, storage: KeyValueStore | null = safeLocalStorage(), personId?: string): Promise<void> {
  try {
    storage?.setItem(LANGUAGE_STORAGE_KEY, lang);
    if (personId) storage?.setItem(personKey(personId), lang);
  } catch {
    // storage disabled: the choice lasts until the page reloads
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (instance.language !== lang) await instance.changeLanguage(lang);
}

export function safeLocalStorage(): Storage | null {
  try {
    return typeof window !== 'undefined' ? window.localStorage : null;
  } catch {
    return null;
  }
}

export { LANGUAGES, type Language };
