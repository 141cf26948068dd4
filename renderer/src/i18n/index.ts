/**
 * The UI's texts: one `UiTexts` for the whole UI, with shared/i18n's
 * catalogues and its `makeT` (shared/i18n/translate.ts says why not i18next).
 * Changing its language re-renders every component that uses
 * `useTranslation()` (or `useFmt()`; ./react.tsx).
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
 * `createUiTextsIn` and `switchLanguage` do it.
 */
import type { Catalogue } from '../../../shared/i18n/en';
import { enCounter } from '../../../shared/i18n/en-counter';
import { LANGUAGES, type Language } from '../../../shared/i18n/locale';
import { hasText, makeT, type TextTree, type TFunction } from '../../../shared/i18n/translate';
import { LANGUAGE_STORAGE_KEY, personKey, safeLocalStorage, type KeyValueStore } from './choice';

// Which language to start in needs no catalogue: main.tsx reads it before the UI's code has loaded.
export { LANGUAGE_STORAGE_KEY, pickLanguage, safeLocalStorage, savedLanguage } from './choice';

/** What the counter's screens read from a catalogue (the desk's own sections load later). */
export type CounterTexts = Pick<Catalogue, keyof typeof enCounter>;

const loaded: Partial<Record<Language, CounterTexts>> = { en: enCounter };
const LOADERS: Record<Exclude<Language, 'en'>, () => Promise<Catalogue>> = {
  nl: () => import('../../../shared/i18n/nl').then((m) => m.nl),
  fr: () => import('../../../shared/i18n/fr').then((m) => m.fr),
};
const loading = new Map<Language, Promise<CounterTexts>>();

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

/** Loads the English desk and offers texts (once); every `t` reads them from then on. */
export function loadDeskTexts(): Promise<void> {
  deskTexts ??= import('../../../shared/i18n/en-desk').then(
    ({ enDesk }) => {
      loaded.en = { ...enCounter, ...enDesk };
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

/** The catalogue each `t` reads: a language's once it has loaded (a language not loaded reads English). */
const loadedCatalogue = (lang: Language): TextTree | undefined => loaded[lang] as TextTree | undefined;

/**
 * The UI's language and its `t`. One per page (main.tsx, through createUiTextsIn); what it reads
 * are the catalogues loaded so far, English always.
 */
export class UiTexts {
  private lang: Language;
  private readonly fixed = new Map<Language, TFunction>();
  private readonly listeners = new Set<(lang: Language) => void>();

  constructor(lang: Language) {
    this.lang = lang;
  }

  get language(): Language {
    return this.lang;
  }

  /** The current language's `t`: the same function until the language changes (safe in React's dependencies). */
  get t(): TFunction {
    return this.getFixedT(this.lang);
  }

  /** A language's `t`, whatever the UI's language. */
  getFixedT(lang: Language): TFunction {
    let t = this.fixed.get(lang);
    if (!t) this.fixed.set(lang, (t = makeT(loadedCatalogue, lang, 'en')));
    return t;
  }

  /** Whether `key` has a text (in the language, or in English). */
  exists(key: string): boolean {
    return hasText(loadedCatalogue, this.lang, 'en', key);
  }

  /** Shows `lang` from now on (its catalogue loaded first: `switchLanguage`) and tells every listener. */
  changeLanguage(lang: Language): void {
    if (lang === this.lang) return;
    this.lang = lang;
    for (const listener of this.listeners) listener(lang);
  }

  /** Called after each change of language; returns how to stop (a bound function: React's useSyncExternalStore takes it as it is). */
  readonly onLanguageChanged = (listener: (lang: Language) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** The UI's texts in `lang` once its catalogue has loaded (in English if it cannot be). */
export async function createUiTextsIn(lang: Language): Promise<UiTexts> {
  const ok = await loadLanguage(lang).then(
    () => true,
    () => false,
  );
  return new UiTexts(ok ? lang : 'en');
}

/**
 * Switches the whole UI and remembers the choice on this machine (the sign-in
 * screen opens in it), and as `personId`'s own choice when a person made it.
 */
export async function switchLanguage(texts: UiTexts, lang: Language, storage: KeyValueStore | null = safeLocalStorage(), personId?: string): Promise<void> {
  try {
    storage?.setItem(LANGUAGE_STORAGE_KEY, lang);
    if (personId) storage?.setItem(personKey(personId), lang);
  } catch {
    // storage disabled: the choice lasts until the page reloads
  }
  await loadLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  texts.changeLanguage(lang);
}

export type { TFunction };
export { LANGUAGES, type Language };
