/**
 * The offers screen's texts: the `offers` section of the shared catalogues
 * (shared/i18n/offers-en.ts and its nl/fr), through the renderer's texts.
 */
import { useMemo } from 'react';
import type { Catalogue } from '../../../../shared/i18n/en';
import { withPrefix, type TFunction } from '../../../../shared/i18n/translate';
import { useTranslation } from '../../i18n/react';

/** A key of the offers texts. */
export type OffersKey = keyof Catalogue['offers'];

/** `t` for the offers texts: 'title' reads 'offers.title'. */
export type OffersT = TFunction;

/** The offers texts in the UI's language (re-renders when it changes). */
export function useOffersT(): OffersT {
  const { t } = useTranslation();
  return useMemo(() => withPrefix(t, 'offers'), [t]);
}
