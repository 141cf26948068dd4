/**
 * i18next + react-i18next for the renderer, with shared/i18n's catalogues.
 * One instance for the whole UI: changing its language re-renders every
 * component that uses `useTranslation()` (or `useFmt()`).
 *
 * The language the UI starts in: the one last chosen on this machine (kept in
 * localStorage), else the terminal's setting, else the browser's, else English.
 * Each person's own choice (the language menu) is kept per person and comes
 * back at their sign-in; opening the desk's settings never switches it.
 *
 * Catalogues load on demand (issue 18: the counter's initial JavaScript):
 * English (the fallback) is bundled without the desk's and offers' texts,
 * which load with those screens (`withDeskTexts`); Dutch and French are chunks
 * fetched when first used (about 15 KB gzipped each that a counter in one
 * language never needs). `loadLanguage` before showing a language;
 * `createI18nIn` and `switchLanguage` do it.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Catalogue } from '../../../shared/i18n/en';
import { enCounter } from '../../../shared/i18n/en-counter';
import { i18nextBaseOptions, LANGUAGES, type Language } from '../../../shared/i18n/locale';
import { LANGUAGE_STORAGE_KEY, personKey, pickLanguage, safeLocalStorage, type KeyValueStore } from './choice';

// Which language to start in needs no i18next: main.tsx reads it before the UI's code has loaded.
export { LANGUAGE_STORAGE_KEY, pickLanguage, safeLocalStorage, savedLanguage } from './choice';

/** What the counter's screens read from a catalogue (the desk's own sections load later). */
export type CounterTexts = Pick<Catalogue, keyof typeof enCounter>;

const loaded: Partial<Record<Language, CounterTexts>> = { en: enCounter };
const LOADERS: Record<Exclude<Language, 'en'>, () => Promise<Catalogue>> = {
  nl: () => import('../../../shared/i18n/nl').then((m) => m.nl),
  fr: () => import('../../../shared/i18n/fr').then((m) => m.fr),
};
const loading = new Map<Language, Promise<CounterTexts>>();
/** Every instance made here: texts loaded later are added to each. */
const instances = new Set<I18n>();

/** A loaded language's catalogue; English until that language has loaded (loadLanguage). */
export function catalogueFor(lang: Language): CounterTexts {
  return loaded[lang] ?? enCounter;
}

/** Loads a language's catalogue (once); a failed load is tried again next time. */
export async function loadLanguage(lang: Language): Promise<CounterTexts> {
  const have = loaded[lang];
  if (have) return have;
  let p = loading.get(lang);
  if (!p) {
    p = LOADERS[lang as Exclude<Language, 'en'>]().then((c) => (loaded[lang] = c));
    loading.set(lang, p);
    p.catch(() => loading.delete(lang));
  }
  return p;
}

let deskTexts: Promise<void> | null = null;

/** Loads the English desk and offers texts (once) into every instance. */
export function loadDeskTexts(): Promise<void> {
  deskTexts ??= import('../../../shared/i18n/en-desk').then(
    ({ enDesk }) => {
      loaded.en = { ...enCounter, ...enDesk };
      for (const instance of instances) instance.addResourceBundle('en', 'translation', enDesk, true, false);
    },
    (e: unknown) => {
      deskTexts = null;
      throw e;
    },
  );
  return deskTexts;
}

/** A lazy screen's loader that also loads the texts it shows (for React.lazy). */
export function withDeskTexts<T>(load: () => Promise<T>): () => Promise<T> {
  return () => Promise.all([load(), loadDeskTexts()]).then(([m]) => m);
}

/** An i18next instance in `lng`, with the catalogues loaded so far (English always; see createI18nIn). */
export function createI18n(lng: Language): I18n {
  const instance = i18next.createInstance();
  instance.use(initReactI18next);
  const resources = Object.fromEntries(Object.entries(loaded).map(([l, c]) => [l, { translation: c }]));
  // Resources are in memory: init completes synchronously.
  void instance.init({ ...i18nextBaseOptions, resources, lng, initAsync: false });
  instances.add(instance);
  return instance;
}

/** An i18next instance in `lng` once its catalogue has loaded (English if it cannot be). */
export async function createI18nIn(lng: Language): Promise<I18n> {
  await loadLanguage(lng).catch(() => {});
  return createI18n(lng);
}

/** Makes `lang`'s catalogue part of `instance` (loading it first). */
async function addLanguage(instance: I18n, lang: Language): Promise<void> {
  const catalogue = await loadLanguage(lang);
  if (!instance.hasResourceBundle(lang, 'translation')) instance.addResourceBundle(lang, 'translation', catalogue);
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
  await addLanguage(instance, lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (instance.language !== lang) await instance.changeLanguage(lang);
}

export { LANGUAGES, type Language };
