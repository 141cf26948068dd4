import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { validateCall } from '../../shared/contract.js';
import { settingsPatch } from '../../shared/contract/manager.js';
import { PosError } from '../../shared/errors.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { Store } from '../store/store.js';
import { DEFAULT_SCANNER, SettingsStore } from './settings-store.js';

describe('scanner settings (issue 6): suffix characters, slow gap, extraction patterns', () => {
  const tmp = makeTempDir('pwp-settings-');
  let store: Store | null = null;
  afterEach(() => store?.close());
  afterAll(() => tmp.cleanup());

  it("start from the defaults, and keep each backend's pattern when one is changed", () => {
    store = Store.open(join(tmp.dir, `a-${Date.now()}.db`));
    const settings = new SettingsStore(store, null);
    expect(settings.view().scanner).toEqual(DEFAULT_SCANNER);
    settings.update({ scanner: { suffixChars: '/', slowMaxGapMs: 250, extractPatterns: { uitpas: 'p=(\\d{13})' } } });
    settings.update({ scanner: { extractPatterns: { whitelabel: 'member=(?<number>\\d+)' } } });
    expect(settings.view().scanner).toMatchObject({
      suffixChars: '/',
      slowMaxGapMs: 250,
      maxInterKeyMs: DEFAULT_SCANNER.maxInterKeyMs,
      extractPatterns: { uitpas: 'p=(\\d{13})', whitelabel: 'member=(?<number>\\d+)' },
    });
  });

  it('the contract refuses an unusable pattern, an unknown backend and out-of-range gaps', () => {
    expect(settingsPatch.safeParse({ scanner: { extractPatterns: { uitpas: '(' } } }).success).toBe(false);
    expect(settingsPatch.safeParse({ scanner: { extractPatterns: { uitpas: '\\d*' } } }).success).toBe(false); // matches empty text
    expect(settingsPatch.safeParse({ scanner: { extractPatterns: { nope: 'x' } } }).success).toBe(false);
    expect(settingsPatch.safeParse({ scanner: { slowMaxGapMs: 5000 } }).success).toBe(false);
    expect(settingsPatch.safeParse({ scanner: { extractPatterns: { uitpas: '' }, suffixChars: '/', slowMaxGapMs: 300 } }).success).toBe(true);
  });

  it('refuses at save a pattern the linear-time engine (RE2) cannot run, naming the field (issue 14)', () => {
    for (const pattern of ['(\\d)\\1', 'member=(\\d+)(?=&)', '(?<!\\d)(\\d{13})']) {
      let error: unknown = null;
      try {
        validateCall('updateSettings', { patch: { scanner: { extractPatterns: { uitpas: pattern } } } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PosError);
      const posError = error as PosError;
      expect(posError.code).toBe('INVALID_INPUT');
      expect(posError.message).toMatch(/^Invalid patch\.scanner\.extractPatterns\.uitpas: not a usable pattern: .*(back-references|look-around)/);
      expect(posError.details).toMatchObject({ field: 'patch.scanner.extractPatterns.uitpas' });
    }
    // The catastrophic-backtracking shape itself is fine under RE2 (linear time), so it may be saved.
    expect(() => validateCall('updateSettings', { patch: { scanner: { extractPatterns: { uitpas: '(\\d+)+x' } } } })).not.toThrow();
  });
});
