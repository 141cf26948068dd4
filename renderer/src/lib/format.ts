/** Display helpers: thin wrappers over shared/money.ts, so no arithmetic lives here. Amounts: useFmt().money (the UI's locale). */
import type { EndUserMessage, ErrorInfo } from '../../../shared/errors';
import { formatPoints, type PointsMilli } from '../../../shared/money';

export type UiLanguage = keyof EndUserMessage;
const LANGS: readonly UiLanguage[] = ['nl', 'fr', 'de', 'en'];

/** The UI language: the document's lang, else the browser's, else English. */
export function detectUiLanguage(candidates: readonly (string | undefined | null)[]): UiLanguage {
  for (const c of candidates) {
    const base = (c ?? '').toLowerCase().split('-')[0] as UiLanguage;
    if (LANGS.includes(base)) return base;
  }
  return 'en';
}

/**
 * The backend's words for the member: in the UI language when it sent that
 * variant, else English, else whichever variant it sent. Null when it sent
 * none, or only a repeat of the message.
 */
export function endUserText(error: ErrorInfo, lang: UiLanguage): { text: string; lang: UiLanguage } | null {
  const m = error.endUserMessage;
  if (!m) return null;
  const order: UiLanguage[] = [lang, 'en', ...LANGS.filter((l) => l !== lang && l !== 'en')];
  for (const l of order) {
    const text = m[l]?.trim();
    if (text && text !== error.message.trim()) return { text, lang: l };
  }
  return null;
}

export function showPoints(milli: PointsMilli, decimals = 3): string {
  return formatPoints(milli, decimals);
}
