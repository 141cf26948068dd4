/**
 * The UI's texts in React: `TextsProvider` at the root (main.tsx), and
 * `useTranslation()` in each component that shows a text, as react-i18next's
 * hook of that name did: `{ t, i18n }`, re-rendered when the language changes.
 *
 * WHY one context value per language, not a subscription per component: a
 * counter screen has dozens of components that show texts; each reads the
 * context once (issue 18: react-i18next's hook, with its own subscription and
 * state in each component, was up to 58 ms of a slow counter PC's first
 * render). A change of language changes the value, and React re-renders them.
 */
import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { TFunction } from '../../../shared/i18n/translate';
import type { UiTexts } from './index';

export interface Translation {
  /** The current language's `t` (the same function until the language changes). */
  t: TFunction;
  /** The UI's texts: its language, `exists`, and what `switchLanguage` takes. */
  i18n: UiTexts;
}

const TranslationContext = createContext<Translation | null>(null);

export function TextsProvider({ texts, children }: { texts: UiTexts; children: ReactNode }) {
  const lang = useSyncExternalStore(texts.onLanguageChanged, () => texts.language);
  const value = useMemo(() => ({ t: texts.getFixedT(lang), i18n: texts }), [texts, lang]);
  return <TranslationContext.Provider value={value}>{children}</TranslationContext.Provider>;
}

/** The texts in the UI's language; the component re-renders when it changes. */
export function useTranslation(): Translation {
  const translation = useContext(TranslationContext);
  if (!translation) throw new Error('useTranslation() outside <TextsProvider>: main.tsx puts it at the root');
  return translation;
}
