import { describe, expect, it } from 'vitest';
import { withLuhnDigit } from './member-number.js';
import { PROGRAMS } from './programs/index.js';
import { RE2JS } from 're2js';
import { compilePattern, DEFAULT_EXTRACT_PATTERNS, extractMemberNumber, MAX_SCAN_CHARS, patternFor, safeRead, type ScanRules } from './scan-content.js';

const JAN = '0930012345615'; // UiTPAS, Luhn-valid
const JAN_WRONG = '0930012345614'; // last digit changed
const JAN_INSZ = '85073012335'; // mod-97 valid (the demo passholder's)
const UITPAS: ScanRules = { accepted: ['uitpas', 'insz'], pattern: DEFAULT_EXTRACT_PATTERNS.uitpas };
const WHITELABEL: ScanRules = { accepted: ['card', 'externalId'] };
const CARD = withLuhnDigit('200000000001');

describe('extractMemberNumber: plain numbers', () => {
  it('takes a plain UiTPAS number, with or without separators and control characters', () => {
    expect(extractMemberNumber(JAN, UITPAS)).toEqual({ ok: true, input: JAN, identifier: { kind: 'uitpas', value: JAN }, via: 'plain' });
    expect(extractMemberNumber('0930 012 345 615', UITPAS)).toMatchObject({ ok: true, identifier: { value: JAN } });
    expect(extractMemberNumber(`\u001d${JAN}\r\n`, UITPAS)).toMatchObject({ ok: true, input: JAN });
  });

  it('takes a card number and an external id for White Label', () => {
    expect(extractMemberNumber(CARD, WHITELABEL)).toMatchObject({ ok: true, identifier: { kind: 'card', value: CARD } });
    expect(extractMemberNumber('cust_42-x', WHITELABEL)).toMatchObject({ ok: true, identifier: { kind: 'externalId' } });
  });

  it('refuses a wrong check digit, showing what was read', () => {
    const r = extractMemberNumber(JAN_WRONG, UITPAS);
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_CHECK_DIGIT', read: JAN_WRONG });
    if (!r.ok) expect(r.reason).toMatch(/check digit/);
  });
});

describe('extractMemberNumber: INSZ where accepted', () => {
  it('takes an INSZ when the backend accepts it', () => {
    expect(extractMemberNumber(JAN_INSZ, UITPAS)).toMatchObject({ ok: true, identifier: { kind: 'insz', value: JAN_INSZ } });
    expect(extractMemberNumber('85.07.30-123.35', UITPAS)).toMatchObject({ ok: true, identifier: { kind: 'insz', value: JAN_INSZ } });
  });
  it('refuses an INSZ with a wrong mod-97 check', () => {
    expect(extractMemberNumber('85073012336', UITPAS)).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_CHECK_DIGIT', read: '85073012336' });
  });
  it('does not take an INSZ where the backend does not accept one', () => {
    const r = extractMemberNumber(JAN_INSZ, { accepted: ['uitpas'] });
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT', read: JAN_INSZ });
    if (!r.ok) expect(r.reason).toMatch(/UiTPAS number \(13 digits\)/);
  });
});

describe('extractMemberNumber: URLs and text by the settings pattern', () => {
  it('finds a UiTPAS number in a URL by the default pattern', () => {
    const r = extractMemberNumber(`https://www.uitpas.be/pas/${JAN}?utm=app`, UITPAS);
    expect(r).toEqual({ ok: true, input: JAN, identifier: { kind: 'uitpas', value: JAN }, via: 'pattern' });
  });

  it('finds it in a line of text', () => {
    expect(extractMemberNumber(`UiTPAS ${JAN} - Jan`, UITPAS)).toMatchObject({ ok: true, input: JAN, via: 'pattern' });
  });

  it('uses a named group "number" from a manager-defined pattern', () => {
    const rules: ScanRules = { accepted: ['card', 'externalId'], pattern: 'member=(?<number>[0-9]{13})' };
    expect(extractMemberNumber(`https://loyalty.example.com/m?shop=12&member=${CARD}&sig=abc`, rules)).toMatchObject({ ok: true, input: CARD, via: 'pattern' });
  });

  it('uses the first group, else the whole match; case does not matter', () => {
    expect(extractMemberNumber(`LOYALTY:ID:${CARD}`, { accepted: ['card'], pattern: 'loyalty:id:(\\d+)' })).toMatchObject({ ok: true, input: CARD });
    expect(extractMemberNumber(`x ${CARD} y`, { accepted: ['card'], pattern: '\\d{13}' })).toMatchObject({ ok: true, input: CARD });
  });

  it('tries every match and takes the first that is a member number', () => {
    const text = `order 1234567890123 member ${JAN}`; // the first 13-digit run fails its check digit
    expect(extractMemberNumber(text, UITPAS)).toMatchObject({ ok: true, input: JAN });
  });

  it('says "wrong check digit" when the number found in the URL is misread', () => {
    const url = `https://www.uitpas.be/pas/${JAN_WRONG}`;
    const r = extractMemberNumber(url, UITPAS);
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_CHECK_DIGIT', read: url });
    if (!r.ok) expect(r.reason).toMatch(/check digit.*found in this code/);
  });

  it('says "no member number found" for a URL without one', () => {
    const r = extractMemberNumber('https://www.uitpas.be/over-uitpas', UITPAS);
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT', read: 'https://www.uitpas.be/over-uitpas' });
    if (!r.ok) expect(r.reason).toBe('No member number was found in this code.');
  });

  it('takes nothing out of a URL when no pattern is set', () => {
    const r = extractMemberNumber(`https://loyalty.example.com/m/${CARD}`, WHITELABEL);
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT' });
  });
});

describe('extractMemberNumber: garbage', () => {
  it('refuses empty and blank reads', () => {
    expect(extractMemberNumber('', UITPAS)).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT', reason: 'Nothing was read.' });
    expect(extractMemberNumber(' \r\n\u0002', UITPAS)).toMatchObject({ ok: false, reason: 'Nothing was read.' });
  });

  it('refuses noise with what was read, shortened', () => {
    const noise = 'ÿ#@!'.repeat(60);
    const r = extractMemberNumber(noise, UITPAS);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.read.length).toBeLessThanOrEqual(80);
      expect(r.read.endsWith('…')).toBe(true);
    }
  });

  it('refuses a too short number and a wrong length', () => {
    expect(extractMemberNumber('12345', UITPAS)).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT', read: '12345' });
    expect(extractMemberNumber('093001234561', UITPAS)).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT' });
  });

  it('never echoes a payment card number, plain or inside text', () => {
    const visa = '4111111111111111'; // the well-known Luhn-valid test card
    const plain = extractMemberNumber(visa, { accepted: ['uitpas'] });
    expect(plain.ok).toBe(false);
    if (!plain.ok) {
      expect(plain.read).not.toContain('411111111111');
      expect(plain.read.endsWith('1111')).toBe(true);
      expect(plain.reason).toMatch(/payment card/);
    }
    const inText = extractMemberNumber('https://pay.example.com/?pan=4111 1111 1111 1111&x=1', UITPAS);
    expect(inText.ok).toBe(false);
    if (!inText.ok) {
      expect(inText.read).not.toMatch(/4111.?1111.?1111/);
      expect(inText.read).toContain('pay.example.com');
    }
  });

  it('refuses everything for a program without member lookup', () => {
    expect(extractMemberNumber(JAN, { accepted: [] })).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT' });
  });

  it('cuts a very long read before any pattern runs', () => {
    const long = 'a'.repeat(100_000) + JAN;
    const r = extractMemberNumber(long, UITPAS);
    expect(r.ok).toBe(false); // the number lay beyond the first 512 characters
  });
});

describe('patterns', () => {
  it("the defaults are the descriptors' scanPattern, program by program", () => {
    const fromDescriptors = Object.fromEntries(PROGRAMS.flatMap((p) => ('scanPattern' in p && p.scanPattern ? [[p.id, p.scanPattern]] : [])));
    expect(DEFAULT_EXTRACT_PATTERNS).toEqual(fromDescriptors);
  });
  it('picks the settings pattern per backend, the default, or none', () => {
    expect(patternFor('uitpas', {})).toBe(DEFAULT_EXTRACT_PATTERNS.uitpas);
    expect(patternFor('uitpas', { uitpas: 'p=(\\d+)' })).toBe('p=(\\d+)');
    expect(patternFor('uitpas', { uitpas: '' })).toBeNull(); // turned off
    expect(patternFor('whitelabel', { uitpas: 'x' })).toBeNull();
    expect(patternFor(null, {})).toBeNull();
  });

  it('checks a pattern before it is saved', () => {
    expect(compilePattern('member=(\\d+)').ok).toBe(true);
    expect(compilePattern('member=(\\d+').ok).toBe(false);
    expect(compilePattern('\\d*')).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(compilePattern('x'.repeat(201)).ok).toBe(false);
  });

  it('an invalid saved pattern leaves plain numbers working', () => {
    expect(extractMemberNumber(JAN, { accepted: ['uitpas'], pattern: '(' })).toMatchObject({ ok: true });
  });

  it('safeRead flattens control characters', () => {
    expect(safeRead('ab\r\ncd\u001d')).toBe('ab cd');
  });
});

describe('manager-set patterns cannot freeze the till (issue 14)', () => {
  // Each of these takes seconds to years on a backtracking engine with the input beside it.
  const CATASTROPHIC: Array<{ pattern: string; input: string; matches: boolean; hit: string }> = [
    { pattern: '(\\d+)+x', input: '1'.repeat(2000), matches: false, hit: '123x' },
    { pattern: '(a+)+$', input: `${'a'.repeat(2000)}!`, matches: false, hit: '!aaa' },
    { pattern: '(a|aa)+$', input: `${'a'.repeat(2000)}!`, matches: false, hit: 'baaaa' },
    { pattern: '(.*a){12}', input: 'a'.repeat(11) + 'b'.repeat(1900), matches: false, hit: 'ba'.repeat(12) },
  ];

  it('compiles every pattern with RE2, which answers correctly', () => {
    for (const { pattern, input, matches, hit } of CATASTROPHIC) {
      const c = compilePattern(pattern);
      expect(c.ok).toBe(true);
      if (!c.ok) continue;
      expect(c.regex).toBeInstanceOf(RE2JS);
      expect(c.regex.matcher(input).find()).toBe(matches);
      expect(c.regex.matcher(hit).find()).toBe(true);
    }
    // And finds what it should: the `number` group, else the first group.
    expect(extractMemberNumber(`p=${JAN}x`, { accepted: ['uitpas'], pattern: '(\\d+)+x' })).toMatchObject({ ok: true, input: JAN, via: 'pattern' });
  });

  it('a scan of 2,000 characters against each catastrophic pattern is answered (the test timeout is the bound: a backtracking engine would never finish)', () => {
    for (const { pattern, input } of CATASTROPHIC) {
      const r = extractMemberNumber(input, { accepted: ['uitpas'], pattern });
      expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT' });
    }
  });

  it('refuses back-references and look-around when the pattern is checked, saying why', () => {
    for (const pattern of ['(\\d)\\1', '(?<n>\\d)\\k<n>', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b']) {
      expect(compilePattern(pattern)).toMatchObject({ ok: false, reason: expect.stringMatching(/back-references .* look-around .* freeze the till/) });
    }
    // An escaped backslash before a digit is a literal, not a back-reference.
    expect(compilePattern('id\\\\1(\\d+)').ok).toBe(true);
  });

  it('refuses an over-long scan before any pattern runs, with a clear message', () => {
    const long = `https://x.example/?p=${JAN}&t=${'a'.repeat(MAX_SCAN_CHARS)}`;
    const r = extractMemberNumber(long, UITPAS);
    expect(r).toMatchObject({ ok: false, code: 'MEMBER_NUMBER_FORMAT' });
    if (!r.ok) {
      expect(r.reason).toBe(`This code is too long to be a member code (${long.length} characters; at most ${MAX_SCAN_CHARS}).`);
      expect(r.read.length).toBeLessThanOrEqual(80);
    }
    // Exactly at the cap is still read.
    const atCap = `p=${JAN}&`.padEnd(MAX_SCAN_CHARS, 'a');
    expect(extractMemberNumber(atCap, UITPAS)).toMatchObject({ ok: true, input: JAN });
  });

  it('the default UiTPAS pattern (RE2, no look-around) takes 13-digit runs only, and the next one after a bad one', () => {
    expect(extractMemberNumber(`x${JAN}1`, { accepted: ['uitpas'], pattern: DEFAULT_EXTRACT_PATTERNS.uitpas })).toMatchObject({ ok: false });
    expect(extractMemberNumber(`a ${JAN_WRONG} ${JAN} b`, { accepted: ['uitpas'], pattern: DEFAULT_EXTRACT_PATTERNS.uitpas })).toMatchObject({
      ok: true,
      input: JAN,
    });
  });
});
