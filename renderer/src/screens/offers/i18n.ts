/**
 * The offers screen's texts: the `offers` section of the shared catalogues
 * (shared/i18n/offers-en.ts and its nl/fr), through the renderer's i18next.
 */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { Catalogue } from '../../../../shared/i18n/en';

/** A key of the offers texts. */
export type OffersKey = keyof Catalogue['offers'];

/** i18next's `t` with the `offers` key prefix. */
export type OffersT = TFunction<'translation', 'offers'>;

/** The offers texts in the UI's language (re-renders when it changes). */
export function useOffersT(): OffersT {
  return useTranslation(undefined, { keyPrefix: 'offers' }).t;
}
