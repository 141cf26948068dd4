import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors.js';
import { catalogues, errorText, formatAmount, formatDateTime, formatPointsFor, formatAge, LANGUAGES, type Language } from './index.js';
import { fillPlaceholders, hasText, makeT, withPrefix, type TextTree } from './translate.js';

/** Every catalogue loaded, as the service has them. */
const all = (lang: Language): TextTree => catalogues[lang];
const tIn = (lang: Language) => makeT(all, lang, 'en');

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

  it("translates: plurals by the language's rule, placeholders, keys that hold dots", () => {
    const fr = tIn('fr');
    expect(fr('pin.wrongTriesLeft', { count: 1 })).toBe('Code PIN erroné. Encore 1 essai avant un blocage de 5 minutes.');
    expect(fr('pin.wrongTriesLeft', { count: 3 })).toBe('Code PIN erroné. Encore 3 essais avant un blocage de 5 minutes.');
    // French's rule says 'many' for a million; the catalogue has no such form: 'other', in French
    expect(fr('pin.wrongTriesLeft', { count: 1_000_000 })).toBe('Code PIN erroné. Encore 1000000 essais avant un blocage de 5 minutes.');
    expect(tIn('nl')('signIn.signedInAs', { name: 'Zoë' })).toBe('Aangemeld: Zoë');
    // keys that hold dots resolve too (logKinds['redeem.posted'])
    expect(tIn('nl')('logKinds.redeem.posted')).toBe('Punten afgeschreven');
    // a key nowhere reads as itself; a key the language lacks reads the fallback's text
    expect(tIn('nl')('no.such.text')).toBe('no.such.text');
    const partial = (lang: Language): TextTree | undefined => (lang === 'en' ? catalogues.en : { signIn: { title: 'Wie?' } });
    expect(makeT(partial, 'nl', 'en')('signIn.title')).toBe('Wie?');
    expect(makeT(partial, 'nl', 'en')('signIn.signedInAs', { name: 'An' })).toBe('Signed in: An');
    expect(hasText(partial, 'nl', 'en', 'pin.wrongTriesLeft')).toBe(true);
    expect(hasText(partial, 'nl', 'en', 'pin.nothing')).toBe(false);
  });

  it('fills placeholders once, as given: a value cannot inject another; one not given stays to be seen', () => {
    expect(fillPlaceholders('Signed in: {{name}} ({{ role }})', { name: '{{role}}', role: 'manager' })).toBe('Signed in: {{role}} (manager)');
    expect(fillPlaceholders('{{count}} left, {{missing}}.', { count: 0 })).toBe('0 left, {{missing}}.');
    expect(fillPlaceholders('no placeholders', undefined)).toBe('no placeholders');
  });

  it('has both plural forms wherever a text has one', () => {
    for (const lang of LANGUAGES) {
      const names = new Set(keys(catalogues[lang]).map((k) => k.join(' > ')));
      for (const name of names) if (name.endsWith('_one')) expect(names.has(name.replace(/_one$/, '_other')), `${lang} ${name}`).toBe(true);
    }
  });

  it('resolves every offers text with the offers key prefix (plurals and dotted keys)', () => {
    for (const lang of LANGUAGES) {
      const t = withPrefix(tIn(lang), 'offers');
      for (const [key, text] of Object.entries(catalogues[lang].offers)) {
        const plural = /_(one|other)$/.exec(key);
        const count = plural?.[1] === 'one' ? 1 : 2;
        const got = plural ? t(key.slice(0, plural.index), { count }) : t(key);
        expect(got, `${lang} ${key}`).toBe(plural ? text.replaceAll('{{count}}', String(count)) : text);
      }
    }
    const nl = withPrefix(tIn('nl'), 'offers');
    expect(nl('catchUpFailed', { count: 1 })).toBe('1 kaart kon niet gelezen worden (volgende keer opnieuw).');
    expect(nl('catchUpFailed', { count: 3 })).toBe('3 kaarten konden niet gelezen worden (volgende keer opnieuw).');
    expect(withPrefix(tIn('fr'), 'offers')('catchUpFailed', { count: 0 })).toBe("0 carte n'a pas pu être lue (nouvel essai la prochaine fois)."); // French: 0 is singular
    expect(withPrefix(tIn('en'), 'offers')('cardMasked', { scheme: 'Visa', last4: '4001' })).toBe('Visa •••• 4001');
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
