import { afterEach, describe, expect, it } from 'vitest';
import type { TerminalApi } from '../../../shared/contract';
import type { SaleView, TerminalStatus } from '../../../shared/domain';
import { PosError } from '../../../shared/errors';
import { createPosStore } from '../state/store';
import { catalogues } from '../../../shared/i18n';
import { CAMERA_PROBLEM_KEYS, classifyCameraError } from './camera-errors';
import { pauseGlobalWedge, SCANNER_DEFAULTS, scannerConfig, screenMemberRead, setScannerSettings, wedgeOptionsFrom } from './scanner-config';
import { formFromSettings, settingsFromForm } from './setup-form';

const JAN = '0930012345615';
const JAN_WRONG = '0930012345614';

const uitpasStatus: TerminalStatus = {
  training: true,
  backend: {
    id: 'uitpas',
    name: 'UiTPAS',
    capabilities: {
      redemption: 'reward',
      identifiers: ['uitpas', 'insz'],
      pointsDecimals: 0,
      validationCode: false,
      reversal: 'full',
      retrySafety: 'lookup-before-retry',
      balanceAtCounter: true,
    },
  },
  terminalId: 'T1',
  storeName: 'CC De Werf',
  currency: 'EUR',
  online: true,
  lastContactAt: null,
  queue: { waiting: 0, attention: 0 },
};

/** Just enough terminal for identify: records what the service was asked. */
function terminal() {
  const asked: string[] = [];
  const sale: SaleView = {
    id: 'sale_00000001',
    state: 'open',
    createdAt: new Date(0).toISOString(),
    basket: { cents: 1000, currency: 'EUR' },
    paymentAllowed: false,
    offlineAccepted: false,
    voidPending: false,
    refunded: { cents: 0, pointsMilli: 0 },
  };
  const api = {
    getStatus: async () => uitpasStatus,
    whoAmI: async () => ({ person: null, needsFirstManager: false }),
    startSale: async () => sale,
    getSale: async () => sale,
    identifyMember: async ({ input }: { input: string }) => {
      asked.push(input);
      throw new PosError('MEMBER_NOT_FOUND', 'No member with that number.');
    },
  } as unknown as TerminalApi;
  const store = createPosStore({ api });
  return { store, asked };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => scannerConfig.setState({ settings: SCANNER_DEFAULTS, loaded: false, paused: 0 }));

describe("identify screens every read (the store's one way in)", () => {
  it('sends the number found in a URL to the service, not the URL', async () => {
    const { store, asked } = terminal();
    store.getState().start();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(`https://www.uitpas.be/pas/${JAN}`, 'camera');
    expect(asked).toEqual([JAN]);
  });

  it('refuses a wrong check digit without asking the service, with what was read and where from', async () => {
    const { store, asked } = terminal();
    store.getState().start();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(JAN_WRONG, 'camera');
    expect(asked).toEqual([]);
    expect(store.getState().error).toMatchObject({
      step: 'member',
      info: { code: 'MEMBER_NUMBER_CHECK_DIGIT', details: { read: JAN_WRONG, source: 'camera' } },
    });
  });

  it("uses the pattern from the settings for the terminal's backend", async () => {
    setScannerSettings({ ...SCANNER_DEFAULTS, extractPatterns: { uitpas: 'card:(?<number>\\d{13})' } });
    const { store, asked } = terminal();
    store.getState().start();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(`member card:${JAN};v=2`, 'scanner');
    expect(asked).toEqual([JAN]);
  });

  it('lets a typed entry through as typed while the terminal status is unknown (the service checks)', () => {
    expect(screenMemberRead(' 123 ', null, 'keyboard')).toEqual({ ok: true, input: '123' });
  });
});

describe('wedge options from the settings', () => {
  it('maps the set-up onto the detector', () => {
    expect(wedgeOptionsFrom({ ...SCANNER_DEFAULTS, prefix: '*', suffixChars: '/', suffix: 'none', slowMaxGapMs: 250 })).toEqual({
      maxInterKeyMs: 40,
      minLength: 6,
      prefix: '*',
      suffix: '/',
      markedMaxGapMs: 250,
      endOnSilence: true,
    });
  });

  it('keeps the settings object when the same set-up is read again, so the page keeps its wedge (and the keys it holds)', () => {
    const read = () => ({ ...SCANNER_DEFAULTS, maxInterKeyMs: 30, extractPatterns: { uitpas: 'card:(?<number>\\d{13})' } });
    setScannerSettings(read());
    const first = scannerConfig.getState().settings;
    setScannerSettings(read()); // a sign-in, or the counter shown again: the terminal answers the same
    expect(scannerConfig.getState().settings).toBe(first);
    setScannerSettings({ ...read(), extractPatterns: { uitpas: 'other:(?<number>\\d{13})' } });
    expect(scannerConfig.getState().settings).not.toBe(first);
    expect(scannerConfig.getState().settings.extractPatterns).toEqual({ uitpas: 'other:(?<number>\\d{13})' });
  });

  it('pauses and resumes the global wedge (the test panel)', () => {
    const resume = pauseGlobalWedge();
    expect(scannerConfig.getState().paused).toBe(1);
    resume();
    resume();
    expect(scannerConfig.getState().paused).toBe(0);
  });
});

describe('the set-up form', () => {
  it("round-trips the settings and keeps other backends' patterns", () => {
    const base = { ...SCANNER_DEFAULTS, extractPatterns: { whitelabel: 'm=(\\d+)' } };
    const form = formFromSettings(base, 'uitpas');
    expect(form.pattern).toMatch(/13/); // the UiTPAS default
    const r = settingsFromForm({ ...form, suffixChars: '/', maxInterKeyMs: '30' }, base, 'uitpas');
    expect(r.ok && r.settings).toMatchObject({ maxInterKeyMs: 30, suffixChars: '/', extractPatterns: { whitelabel: 'm=(\\d+)', uitpas: form.pattern } });
  });

  it('says what is wrong per field', () => {
    const form = formFromSettings(SCANNER_DEFAULTS, 'uitpas');
    const r = settingsFromForm({ ...form, maxInterKeyMs: '2', minLength: 'x', suffixChars: '#', pattern: '(' }, SCANNER_DEFAULTS, 'uitpas');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.problems).sort()).toEqual(['maxInterKeyMs', 'minLength', 'pattern', 'suffixChars']);
      expect(r.problems.suffixChars).toEqual({ code: 'unreadable-keys', keys: '"#"' });
    }
  });
});

describe('camera problems', () => {
  it('sorts what getUserMedia and the camera library report', () => {
    expect(classifyCameraError('Error getting userMedia, error = NotAllowedError: Permission denied').kind).toBe('denied');
    expect(classifyCameraError(new DOMException('Requested device not found', 'NotFoundError')).kind).toBe('no-camera');
    expect(classifyCameraError('Error getting userMedia, error = NotReadableError: Could not start video source').kind).toBe('busy');
    expect(classifyCameraError('Camera streaming not supported by the browser.').kind).toBe('unsupported');
    expect(classifyCameraError(new Error('boom')).kind).toBe('failed');
    expect(classifyCameraError('NotAllowedError').detail).toBe('NotAllowedError');
  });

  it('has a title and what to do for every kind, in every language', () => {
    for (const lang of ['en', 'nl', 'fr'] as const) {
      const words = catalogues[lang].counter.scanner.cameraProblem as Record<string, string>;
      for (const keys of Object.values(CAMERA_PROBLEM_KEYS)) {
        expect(words[keys.title], `${lang} ${keys.title}`).toBeTruthy();
        expect(words[keys.help], `${lang} ${keys.help}`).toBeTruthy();
      }
    }
  });
});
