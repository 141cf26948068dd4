import { describe, expect, it } from 'vitest';
import { groupForDisplay, inszValid, luhnValid, maskIdentifier, parseMemberIdentifier, withLuhnDigit } from './member-number.js';

describe('Luhn', () => {
  it('accepts the documented UiTPAS numbers', () => {
    for (const n of ['0930012345615', '0900000672312', '1000000520006']) expect(luhnValid(n)).toBe(true);
  });
  it('refuses a changed digit and a swap of neighbours', () => {
    expect(luhnValid('0930012345614')).toBe(false);
    expect(luhnValid('0390012345615')).toBe(false);
    expect(luhnValid('12a4')).toBe(false);
  });
  it('withLuhnDigit produces valid numbers', () => {
    expect(luhnValid(withLuhnDigit('200000000001'))).toBe(true);
  });
});

describe('INSZ mod 97', () => {
  it('accepts numbers of people born before and after 2000', () => {
    const before = '850101001';
    const check = String(97 - (Number(before) % 97)).padStart(2, '0');
    expect(inszValid(before + check)).toBe(true);
    const after = '050101001';
    const check2 = String(97 - (Number('2' + after) % 97)).padStart(2, '0');
    expect(inszValid(after + check2)).toBe(true);
  });
  it('refuses a wrong check number', () => {
    expect(inszValid('85010100100')).toBe(false);
  });
});

describe('parseMemberIdentifier', () => {
  it('reads a UiTPAS number with spaces or dashes', () => {
    const r = parseMemberIdentifier('0930 012 345 615', ['uitpas']);
    expect(r).toEqual({ ok: true, identifier: { kind: 'uitpas', value: '0930012345615' } });
    expect(parseMemberIdentifier('0930-012-345-615', ['uitpas']).ok).toBe(true);
  });
  it('says "check digit" for a misread number, not "unknown format"', () => {
    const r = parseMemberIdentifier('0930012345614', ['uitpas', 'insz']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('MEMBER_NUMBER_CHECK_DIGIT');
      expect(r.read).toBe('0930012345614');
    }
  });
  it('strips control characters a scanner may add', () => {
    expect(parseMemberIdentifier('\u00020930012345615\r\n', ['uitpas']).ok).toBe(true);
  });
  it('a misread card is not taken for a phone number', () => {
    const r = parseMemberIdentifier('2000000000012', ['card', 'mobile']);
    expect(r.ok).toBe(false);
    const ok = parseMemberIdentifier('+32470123456', ['card', 'mobile']);
    expect(ok).toEqual({ ok: true, identifier: { kind: 'mobile', value: '32470123456' } });
  });
  it('reads e-mail and external ids where accepted', () => {
    expect(parseMemberIdentifier('Ann@Example.org', ['email'])).toEqual({ ok: true, identifier: { kind: 'email', value: 'ann@example.org' } });
    expect(parseMemberIdentifier('cust_42-x', ['externalId']).ok).toBe(true);
  });
  it('never echoes a payment card number it does not accept', () => {
    const r = parseMemberIdentifier('4444 0000 0000 4001', ['uitpas']);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.read).not.toContain('4444000000004001');
      expect(r.message).not.toContain('4444000000004001');
      expect(r.read.endsWith('4001')).toBe(true);
    }
  });
  it('refuses garbage and empty reads', () => {
    for (const g of ['', '   ', 'hello world', '12', '<script>']) {
      const r = parseMemberIdentifier(g, ['uitpas', 'card']);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe('MEMBER_NUMBER_FORMAT');
    }
  });
});

describe('display', () => {
  it('groups a UiTPAS number 4-3-3-3 and masks all but the last four', () => {
    expect(groupForDisplay({ kind: 'uitpas', value: '0930012345615' })).toBe('0930 012 345 615');
    expect(maskIdentifier('0930012345615')).toBe('••••••••5615');
    expect(maskIdentifier('12345')).toBe('•2345');
  });
});
