import { describe, expect, it } from 'vitest';
import {
  catalogueFor,
  createUiTextsIn,
  loadDeskTexts,
  loadLanguage,
  pickLanguage,
  savedLanguage,
  switchLanguage,
  LANGUAGE_STORAGE_KEY,
  UiTexts,
} from './index';
import { describeError, makeFmt } from './format';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

describe('renderer i18n', () => {
  it('carries the counter in English up front; the desk texts and other languages load on demand, into instances made before', async () => {
    // First in this file: nothing has been loaded yet (vitest isolates each file's modules).
    const i18n = new UiTexts('en');
    expect(i18n.t('desk.log')).toBe('Log');
    expect(i18n.t('verify.intact')).toBe('verify.intact'); // a desk text: not loaded with the counter
    expect(catalogueFor('nl')).toBe(catalogueFor('en')); // Dutch not loaded: English stands in
    await loadDeskTexts();
    expect(i18n.t('verify.intact')).not.toBe('verify.intact');
    await switchLanguage(i18n, 'nl', new MemoryStorage());
    expect(i18n.t('desk.log')).toBe('Logboek');
    expect(catalogueFor('nl').logKinds['redeem.posted']).toBe('Punten afgeschreven');
  });

  it('tells listeners of a change of language, and gives one `t` per language (React may keep it)', async () => {
    const texts = new UiTexts('en');
    const tEn = texts.t;
    const heard: string[] = [];
    const stop = texts.onLanguageChanged((lang) => heard.push(lang));
    await switchLanguage(texts, 'fr', new MemoryStorage());
    await switchLanguage(texts, 'fr', new MemoryStorage()); // no change: nobody is told
    expect(heard).toEqual(['fr']);
    expect(texts.t).not.toBe(tEn);
    expect(texts.getFixedT('en')).toBe(tEn);
    expect(texts.t('desk.log')).toBe('Journal');
    expect(texts.exists('desk.log')).toBe(true);
    expect(texts.exists('desk.nothing')).toBe(false);
    stop();
    await switchLanguage(texts, 'nl', new MemoryStorage());
    expect(heard).toEqual(['fr']);
  });

  it('starts in English when a language cannot be loaded, and says so', async () => {
    // the page's code and the catalogue's chunk out of step (an update half-installed): the UI still starts
    const texts = await createUiTextsIn('xx' as never);
    expect(texts.language).toBe('en');
    expect(texts.t('desk.log')).toBe('Log');
  });

  it('picks a supported language from tags', () => {
    expect(pickLanguage(['de-DE', 'fr-BE', 'nl'])).toBe('fr');
    expect(pickLanguage([null, 'NL_be'])).toBe('nl');
    expect(pickLanguage(['de'])).toBe('en');
    expect(pickLanguage([], 'nl')).toBe('nl');
  });

  it('switches the whole catalogue and remembers the choice', async () => {
    const i18n = new UiTexts('en');
    expect(i18n.t('desk.log')).toBe('Log');
    const storage = new MemoryStorage();
    await switchLanguage(i18n, 'nl', storage);
    expect(i18n.t('desk.log')).toBe('Logboek');
    expect(i18n.language).toBe('nl');
    expect(storage.getItem(LANGUAGE_STORAGE_KEY)).toBe('nl');
    expect(savedLanguage(storage)).toBe('nl');
    expect(savedLanguage({ getItem: () => 'xx', setItem: () => {} })).toBeNull();
    await switchLanguage(i18n, 'fr', storage);
    expect(i18n.t('sale.states.voided')).toBe('Annulée après paiement');
  });

  it('formats through shared/i18n for the language', async () => {
    await loadLanguage('nl');
    const nl = makeFmt('nl', 'Europe/Brussels');
    const fr = makeFmt('fr', 'Europe/Brussels');
    expect(nbsp(nl.amount(123456, 'EUR'))).toBe('€ 1.234,56');
    expect(nbsp(fr.amount(123456, 'EUR'))).toBe('1 234,56 €');
    expect(nl.points(1_250_500)).toBe('1.250,5');
    expect(nl.dateTime('2025-03-01T08:05:00Z')).toBe('1/03/2025, 09:05');
    expect(nl.kind('redeem.posted')).toBe('Punten afgeschreven');
    expect(nl.kind('something.new')).toBe('something.new');
    expect(nl.dateTime('not a date')).toBe('not a date');
  });

  it('describes refusals: tries left, locked until when, codes in the language', async () => {
    const i18n = await createUiTextsIn('nl');
    const fmt = makeFmt('nl', 'Europe/Brussels');
    expect(describeError({ code: 'PIN_WRONG', message: 'Wrong PIN. 2 tries left before a 5-minute lock.', details: { attemptsLeft: 2 } }, i18n.t, fmt)).toEqual(
      {
        text: 'Verkeerde pincode. Nog 2 pogingen voor een blokkering van 5 minuten.',
        detail: null,
      },
    );
    expect(describeError({ code: 'PIN_WRONG', message: 'x', details: { attemptsLeft: 1 } }, i18n.t, fmt).text).toContain('Nog 1 poging ');
    expect(describeError({ code: 'LOCKED_OUT', message: 'Too many', details: { until: '2025-03-01T08:10:00Z' } }, i18n.t, fmt).text).toBe(
      'Te veel verkeerde pincodes: geblokkeerd tot 09:10.',
    );
    // the service's English words are kept beside the translation when they say more
    expect(describeError({ code: 'FORBIDDEN', message: 'This is the last active manager: add another manager first.' }, i18n.t, fmt)).toEqual({
      text: 'Dit mag je niet doen.',
      detail: 'This is the last active manager: add another manager first.',
    });
    expect(describeError({ code: 'NOT_SIGNED_IN', message: 'Sign in first.' }, i18n.t, fmt)).toEqual({ text: 'Meld je eerst aan.', detail: null });
    expect(describeError({ code: 'WHAT' as never, message: '' }, i18n.t, fmt).text).toBe(
      'Er ging iets mis in de terminal. Er werd niets aangerekend; probeer opnieuw.',
    );
  });
});
