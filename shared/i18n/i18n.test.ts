import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors.js';
import { catalogues, errorText, formatAmount, formatDateTime, formatPointsFor, formatAge, i18nextOptions, LANGUAGES } from './index.js';

/** Every leaf as its path (some keys hold dots, e.g. logKinds['redeem.posted']). */
function keys(o: unknown, prefix: string[] = []): string[][] {
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => (typeof v === 'string' ? [[...prefix, k]] : keys(v, [...prefix, k])));
}
function placeholders(s: string): string[] {
  return [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!).sort();
}

describe('message catalogues', () => {
  it('nl, fr and en have the same keys, no empty text, the same placeholders', () => {
    const ref = keys(catalogues.en);
    const names = (ks: string[][]) => ks.map((k) => k.join(' > ')).sort();
    for (const lang of LANGUAGES) {
      expect(names(keys(catalogues[lang])), lang).toEqual(names(ref));
      for (const k of ref) {
        const get = (l: typeof lang) => k.reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], catalogues[l]) as string;
        expect(get(lang).trim().length, `${lang} ${k}`).toBeGreaterThan(0);
        expect(placeholders(get(lang)), `${lang} ${k}`).toEqual(placeholders(get('en')));
      }
    }
  });

  it('covers every error code', () => {
    for (const lang of LANGUAGES) for (const code of ERROR_CODES) expect(errorText(code, lang)).toBeTruthy();
    expect(errorText('PIN_WRONG', 'nl')).toBe('Verkeerde pincode.');
  });

  it('works with i18next, plurals included', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ ...i18nextOptions, lng: 'fr' });
    expect(i18n.t('pin.wrongTriesLeft', { count: 1 })).toBe('Code PIN erroné. Encore 1 essai avant un blocage de 5 minutes.');
    expect(i18n.t('pin.wrongTriesLeft', { count: 3 })).toBe('Code PIN erroné. Encore 3 essais avant un blocage de 5 minutes.');
    await i18n.changeLanguage('nl');
    expect(i18n.t('signIn.signedInAs', { name: 'Zoë' })).toBe('Aangemeld: Zoë');
    // keys that hold dots resolve too (i18next falls back to the flat key)
    expect(i18n.t('logKinds.redeem.posted')).toBe('Punten afgeschreven');
  });

  it('has both plural forms wherever a text has one', () => {
    for (const lang of LANGUAGES) {
      const names = new Set(keys(catalogues[lang]).map((k) => k.join(' > ')));
      for (const name of names) if (name.endsWith('_one')) expect(names.has(name.replace(/_one$/, '_other')), `${lang} ${name}`).toBe(true);
    }
  });

  it('resolves every offers text through i18next with the offers key prefix (plurals and dotted keys)', async () => {
    const i18n = i18next.createInstance();
    await i18n.init({ ...i18nextOptions, lng: 'en' });
    for (const lang of LANGUAGES) {
      const t = i18n.getFixedT(lang, null, 'offers');
      for (const [key, text] of Object.entries(catalogues[lang].offers)) {
        const plural = /_(one|other)$/.exec(key);
        const got = plural
          ? t(key.slice(0, plural.index), { count: plural[1] === 'one' ? 1 : 2, skipInterpolation: true })
          : t(key, { skipInterpolation: true });
        expect(got, `${lang} ${key}`).toBe(text);
      }
    }
    const nl = i18n.getFixedT('nl', null, 'offers');
    expect(nl('catchUpFailed', { count: 1 })).toBe('1 kaart kon niet gelezen worden (volgende keer opnieuw).');
    expect(nl('catchUpFailed', { count: 3 })).toBe('3 kaarten konden niet gelezen worden (volgende keer opnieuw).');
    expect(i18n.getFixedT('fr', null, 'offers')('catchUpFailed', { count: 0 })).toBe("0 carte n'a pas pu être lue (nouvel essai la prochaine fois)."); // French: 0 is singular
    expect(i18n.getFixedT('en', null, 'offers')('cardMasked', { scheme: 'Visa', last4: '4001' })).toBe('Visa •••• 4001');
  });
});

describe('Intl formatting', () => {
  it('formats amounts, points and dates per language', () => {
    const nbsp = /[\u00a0\u202f]/g;
    expect(formatAmount(123456, 'EUR', 'nl').replace(nbsp, ' ')).toBe('€ 1.234,56');
    expect(formatAmount(123456, 'EUR', 'fr').replace(nbsp, ' ')).toBe('1 234,56 €');
    expect(formatAmount(-5, 'EUR', 'en')).toMatch(/-€0\.05|€-0\.05/);
    expect(formatPointsFor(1_250_500, 'nl', 3)).toBe('1.250,5');
    expect(formatPointsFor(1_250_500, 'en', 0)).toBe('1,251'); // en-GB: one convention for points and money
    expect(formatDateTime('2025-03-01T08:05:00Z', 'nl', 'Europe/Brussels')).toBe('1/03/2025, 09:05');
    expect(formatAge(180, 'en')).toBe('3 minutes');
    expect(formatAge(7200, 'nl')).toBe('2 uur');
  });
});
