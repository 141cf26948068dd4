/**
 * The scanner set-up the renderer runs with (the terminal's settings, read
 * through getPreferences: no secrets, open to every screen), and the one
 * check every member read goes through before the service is asked:
 * `screenMemberRead` (shared/scan-content.ts with the backend's pattern).
 *
 * A module-level store: there is one terminal, one wedge and one set-up per
 * window. The wedge hook (useScannerWedge) loads it; the store's identify
 * action and the camera read it.
 */
import { createStore } from 'zustand/vanilla';
import type { ScannerSettings } from '../../../shared/contract/manager';
import type { TerminalStatus } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { needsPattern, patternFor, readMemberNumber, type ScanRules } from '../../../shared/scan-read';
import { loadedPatternEngine, loadPatternEngine } from './pattern-engine';
import type { WedgeOptions } from './wedge';

/** The terminal's defaults (electron/service/settings-store.ts DEFAULT_SCANNER), used until the settings arrive. */
export const SCANNER_DEFAULTS: Required<ScannerSettings> = {
  maxInterKeyMs: 40,
  minLength: 6,
  suffix: 'Enter',
  prefix: '',
  cameraEnabled: true,
  suffixChars: '',
  slowMaxGapMs: 300,
  extractPatterns: {},
};

export interface ScannerConfigState {
  settings: Required<ScannerSettings>;
  /** True once the terminal's own settings were read. */
  loaded: boolean;
  /** The global wedge is paused while the "test your scanner" panel listens. */
  paused: number;
}

export const scannerConfig = createStore<ScannerConfigState>()(() => ({ settings: SCANNER_DEFAULTS, loaded: false, paused: 0 }));

/**
 * Takes the terminal's scanner set-up. The same set-up read again (each sign-in, each return to the
 * counter) keeps the settings object as it is: the page's wedge is made anew only when they change
 * (useScannerWedge), not in the middle of someone's typing or a scan.
 */
export function setScannerSettings(settings: ScannerSettings): void {
  const next = { ...SCANNER_DEFAULTS, ...settings };
  const { settings: now } = scannerConfig.getState();
  // Plain JSON from the terminal, its keys in the same order each time: equal text is the same set-up.
  scannerConfig.setState({ settings: JSON.stringify(now) === JSON.stringify(next) ? now : next, loaded: true });
}

/** Pauses the global wedge (its scans would start a sale); returns the resume function. */
export function pauseGlobalWedge(): () => void {
  scannerConfig.setState((s) => ({ paused: s.paused + 1 }));
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    scannerConfig.setState((s) => ({ paused: Math.max(0, s.paused - 1) }));
  };
}

/** The wedge's options for a set-up. */
export function wedgeOptionsFrom(s: ScannerSettings): Omit<WedgeOptions, 'onScan'> {
  return {
    maxInterKeyMs: s.maxInterKeyMs,
    minLength: s.minLength,
    prefix: s.prefix,
    suffix: s.suffixChars ?? '',
    markedMaxGapMs: s.slowMaxGapMs ?? SCANNER_DEFAULTS.slowMaxGapMs,
    endOnSilence: s.suffix === 'none',
  };
}

/** What the backend accepts and the pattern to find a number in a URL or text. */
export function scanRulesFor(status: TerminalStatus | null, settings: ScannerSettings = scannerConfig.getState().settings): ScanRules | null {
  if (!status) return null;
  return { accepted: status.backend.capabilities.identifiers, pattern: patternFor(status.backend.id, settings.extractPatterns) };
}

export type ScreenedRead = { ok: true; input: string } | { ok: false; error: ErrorInfo };

/**
 * The check every member read goes through (scanner, camera, typed): the
 * number to send to the service, or the refusal to show, with what was read
 * (details.read, safe to show) and where from (details.source). Before the
 * terminal's status is known, the read goes through as typed (the service checks).
 */
export function screenMemberRead(raw: string, status: TerminalStatus | null, source: string, settings?: ScannerSettings): ScreenedRead {
  const rules = scanRulesFor(status, settings);
  if (!rules || raw.trim() === '') return { ok: true, input: raw.trim() };
  const engine = loadedPatternEngine();
  if (!engine) {
    if (needsPattern(raw, rules)) {
      // Callers wait for the engine first (patternEngineFor); this is the fallback if one did not.
      void loadPatternEngine().catch(() => {});
      return {
        ok: false,
        error: { code: 'MEMBER_NUMBER_FORMAT', message: 'The scan reader is still starting: scan again in a moment.', details: { read: '', source } },
      };
    }
    const plain = readMemberNumber(raw, rules, NO_PATTERNS);
    return plain.ok
      ? { ok: true, input: plain.input }
      : { ok: false, error: { code: plain.code, message: plain.reason, details: { read: plain.read, source } } };
  }
  const r = readMemberNumber(raw, rules, engine);
  if (r.ok) return { ok: true, input: r.input };
  return { ok: false, error: { code: r.code, message: r.reason, details: { read: r.read, source } } };
}

/** Never used for a read that needs a pattern (screenMemberRead checks needsPattern first). */
const NO_PATTERNS = { candidates: () => null };

/**
 * Resolves once `raw` can be screened: at once for a plain number, after the
 * pattern engine has loaded for a URL or text (pattern-engine.ts).
 */
export async function readyToScreen(raw: string, status: TerminalStatus | null, settings?: ScannerSettings): Promise<void> {
  const rules = scanRulesFor(status, settings);
  if (!loadedPatternEngine() && rules && needsPattern(raw, rules)) await loadPatternEngine();
}

/** True when screening `raw` must wait for the pattern engine (readyToScreen). */
export function mustWaitToScreen(raw: string, status: TerminalStatus | null, settings?: ScannerSettings): boolean {
  const rules = scanRulesFor(status, settings);
  return !loadedPatternEngine() && !!rules && needsPattern(raw, rules);
}
