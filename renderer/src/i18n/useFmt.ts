import { useMemo } from 'react';
import { useTranslation } from './react';
import { makeFmt, type Fmt } from './format';

/** Formatting for the UI's current language (re-renders when it changes). */
export function useFmt(): Fmt {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return useMemo(() => makeFmt(lang), [lang]);
}
