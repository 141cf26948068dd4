import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from './index';
import { makeFmt, type Fmt } from './format';

/** Formatting for the UI's current language (re-renders when it changes). */
export function useFmt(): Fmt {
  const { i18n } = useTranslation();
  const lang = currentLanguage(i18n);
  return useMemo(() => makeFmt(lang), [lang]);
}
