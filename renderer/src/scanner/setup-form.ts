/**
 * The scanner set-up form's logic (ScannerSettings.tsx): text fields in,
 * a validated scanner set-up out, or the problem per field. Bounds follow the
 * contract (shared/contract/manager.ts scannerSettings).
 */
import type { ScannerSettings } from '../../../shared/contract/manager';
import type { BackendId } from '../../../shared/domain';
import { compilePattern, DEFAULT_EXTRACT_PATTERNS } from '../../../shared/scan-content';
import { SCANNER_DEFAULTS } from './scanner-config';
import { canWedgeRead } from './wedge';

export interface SetupForm {
  maxInterKeyMs: string;
  slowMaxGapMs: string;
  minLength: string;
  prefix: string;
  suffixChars: string;
  suffix: ScannerSettings['suffix'];
  cameraEnabled: boolean;
  /** The extraction pattern for the terminal's backend ('' = none). */
  pattern: string;
}

export type SetupField = keyof SetupForm;

export function formFromSettings(s: ScannerSettings, backend: BackendId | null): SetupForm {
  const own = backend ? s.extractPatterns?.[backend] : undefined;
  return {
    maxInterKeyMs: String(s.maxInterKeyMs),
    slowMaxGapMs: String(s.slowMaxGapMs ?? SCANNER_DEFAULTS.slowMaxGapMs),
    minLength: String(s.minLength),
    prefix: s.prefix,
    suffixChars: s.suffixChars ?? '',
    suffix: s.suffix,
    cameraEnabled: s.cameraEnabled,
    pattern: own ?? (backend ? (DEFAULT_EXTRACT_PATTERNS[backend] ?? '') : ''),
  };
}

/**
 * What is wrong with a field, as a code with its figures: the set-up says it
 * in the cashier's language (counter.scanner.problem.*). `pattern` carries
 * the pattern checker's own words.
 */
export type SetupProblem =
  | { code: 'whole-number' }
  | { code: 'between'; min: number; max: number }
  | { code: 'too-long'; max: number }
  | { code: 'unreadable-keys'; keys: string }
  | { code: 'pattern'; detail: string }
  | { code: 'below-gap'; gap: number };

function int(text: string, min: number, max: number): number | SetupProblem {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { code: 'whole-number' };
  const n = Number(t);
  if (n < min || n > max) return { code: 'between', min, max };
  return n;
}

function markers(text: string): SetupProblem | null {
  if (text.length > 8) return { code: 'too-long', max: 8 };
  const bad = [...text].filter((c) => !canWedgeRead(c));
  if (bad.length) return { code: 'unreadable-keys', keys: bad.map((c) => `"${c}"`).join(' ') };
  return null;
}

/** The set-up the form describes (the other backends' patterns kept), or the problems. */
export function settingsFromForm(
  form: SetupForm,
  base: ScannerSettings,
  backend: BackendId | null,
): { ok: true; settings: Required<ScannerSettings> } | { ok: false; problems: Partial<Record<SetupField, SetupProblem>> } {
  const problems: Partial<Record<SetupField, SetupProblem>> = {};
  const gap = int(form.maxInterKeyMs, 5, 200);
  if (typeof gap !== 'number') problems.maxInterKeyMs = gap;
  const slow = int(form.slowMaxGapMs, 50, 1000);
  if (typeof slow !== 'number') problems.slowMaxGapMs = slow;
  const min = int(form.minLength, 3, 64);
  if (typeof min !== 'number') problems.minLength = min;
  const p = markers(form.prefix);
  if (p) problems.prefix = p;
  const s = markers(form.suffixChars);
  if (s) problems.suffixChars = s;
  if (form.pattern.trim() !== '') {
    const c = compilePattern(form.pattern.trim());
    if (!c.ok) problems.pattern = { code: 'pattern', detail: c.reason };
  }
  if (typeof gap === 'number' && typeof slow === 'number' && slow < gap) problems.slowMaxGapMs = { code: 'below-gap', gap };
  if (Object.keys(problems).length) return { ok: false, problems };
  const extractPatterns = { ...(base.extractPatterns ?? {}) };
  if (backend) extractPatterns[backend] = form.pattern.trim();
  return {
    ok: true,
    settings: {
      maxInterKeyMs: gap as number,
      slowMaxGapMs: slow as number,
      minLength: min as number,
      prefix: form.prefix,
      suffixChars: form.suffixChars,
      suffix: form.suffix,
      cameraEnabled: form.cameraEnabled,
      extractPatterns,
    },
  };
}
