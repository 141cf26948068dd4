import { describe, expect, it } from 'vitest';
import type { OfferView } from '../../../../shared/contract/offers';
import { makeFmt } from '../../i18n/format';
import { createI18nIn, loadDeskTexts } from '../../i18n/index';
import { cardText, datesText, daysText, discountText, spendText, timeText } from './format';

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');
const offer: OfferView = {
  id: 'o1',
  brandId: 'b1',
  brandName: null,
  name: 'Ten percent',
  discount: { kind: 'percent', basisPoints: 1000 },
  currency: 'EUR',
  minSpend: { cents: 1000, currency: 'EUR' },
  maxSpend: null,
  startsAt: '2025-03-01T12:00:00Z',
  endsAt: null,
  daysOfWeek: [],
  counterText: '',
  live: true,
};

describe('offers formatting through the shared catalogues', () => {
  it('says an offer in English and in Dutch', async () => {
    // The offers' texts load with the offers screen (i18n/index.ts withDeskTexts), as they do in the app.
    await loadDeskTexts();
    const en = (await createI18nIn('en')).getFixedT('en', null, 'offers');
    const fmt = makeFmt('en');
    expect(discountText(offer, en, fmt)).toBe('10% back');
    expect(spendText(offer, en, fmt)).toEqual(['From €10.00 spent']);
    expect(daysText(offer.daysOfWeek, en, fmt)).toBe('Every day');
    expect(daysText([1, 2, 3, 4, 5], en, fmt)).toBe('Monday to Friday');
    expect(datesText(offer, en, fmt)).toBe('From 1 Mar 2025, no end date'); // en-GB
    expect(cardText({ scheme: 'visa', last4: '4001' }, en)).toBe('Visa •••• 4001');

    const nl = (await createI18nIn('nl')).getFixedT('nl', null, 'offers');
    const nlFmt = makeFmt('nl');
    expect(nbsp(discountText({ ...offer, discount: { kind: 'amount', amount: { cents: 250, currency: 'EUR' } } }, nl, nlFmt))).toBe('€ 2,50 terug');
    expect(daysText([6, 0], nl, nlFmt)).toBe('zaterdag, zondag');
    expect(timeText('not a date', nlFmt)).toBe('not a date');
  });
});
