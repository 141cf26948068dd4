import { describe, expect, it } from 'vitest';
import { makeFmt } from '../../i18n/format';
import { createUiTextsIn, loadDeskTexts } from '../../i18n/index';
import { withPrefix } from '../../../../shared/i18n/translate';
import { cardNumberProblem, cardText, parseExpiry, timeText } from './format';

describe('offers formatting through the shared catalogues', () => {
  it('says a card in English and in Dutch, and leaves an unreadable time as it came', async () => {
    // The offers' texts load with the offers screen (i18n/index.ts withDeskTexts), as they do in the app.
    await loadDeskTexts();
    const en = withPrefix((await createUiTextsIn('en')).t, 'offers');
    expect(cardText({ scheme: 'visa', last4: '4001' }, en)).toBe('Visa •••• 4001');
    expect(cardText({ scheme: null, last4: null }, en)).toBe('— •••• ????');
    const nl = withPrefix((await createUiTextsIn('nl')).t, 'offers');
    expect(cardText({ scheme: 'mastercard', last4: '5007' }, nl)).toContain('Mastercard');
    expect(timeText('not a date', makeFmt('nl'))).toBe('not a date');
  });

  it('checks what the customer typed before anything leaves the screen', () => {
    expect(cardNumberProblem('4444 0000 0000 4001')).toBeNull();
    expect(cardNumberProblem('4444 0000')).toBe('numberProblem');
    const now = new Date(2026, 5, 15);
    expect(parseExpiry('7', '30', now)).toEqual({ expMonth: 7, expYear: 2030 });
    expect(parseExpiry('5', '26', now)).toEqual({ problem: 'expiredProblem' });
    expect(parseExpiry('13', '30', now)).toEqual({ problem: 'monthProblem' });
  });
});
