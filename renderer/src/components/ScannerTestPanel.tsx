/**
 * "Test your scanner": what the terminal receives from the scanner, key by
 * key (the physical key, the character the layout made of it, the gap since
 * the key before), and what the set-up makes of it: a scan (and the member
 * number found in it) or not a scan, and why. Runs with the set-up being
 * edited (not yet saved), so a manager can try thresholds before saving.
 *
 * While it is open the counter's own wedge is paused: a test scan does not
 * start a sale. Mountable anywhere (the settings screen): it needs only the
 * set-up and, for the number check, the terminal's status.
 */
import type { TFunction } from '../../../shared/i18n/translate';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from '../i18n/react';
import type { ScannerSettings } from '../../../shared/contract/manager';
import type { TerminalStatus } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { pauseGlobalWedge, screenMemberRead, wedgeOptionsFrom } from '../scanner/scanner-config';
import { SCAN_TID } from '../scanner/scanner-testids';
import { charForKey, createWedge, type NotScanWhy } from '../scanner/wedge';
import { describeError } from '../i18n/format';
import { useFmt } from '../i18n/useFmt';

interface KeyRow {
  n: number;
  code: string;
  key: string;
  /** What the wedge reads from the key position (null: a control key). */
  char: string | null;
  gapMs: number | null;
  mods: string;
}

type Result =
  | { verdict: 'scan'; code: string; durationMs: number; number: { ok: true; input: string } | { ok: false; read: string; error: ErrorInfo } }
  | { verdict: 'not-scan'; text: string; why: NotScanWhy };

export interface ScannerTestPanelProps {
  settings: ScannerSettings;
  /** For the member number check (what the backend accepts, its pattern); null: not checked. */
  status: TerminalStatus | null;
}

const MAX_ROWS = 60;

export function ScannerTestPanel({ settings, status }: ScannerTestPanelProps) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const [rows, setRows] = useState<KeyRow[]>([]);
  const [result, setResult] = useState<Result | null>(null);
  const last = useRef<number | null>(null);
  const count = useRef(0);
  const latest = useRef({ settings, status });
  latest.current = { settings, status };
  // The keys, kept here as they arrive (the wedge's verdict comes in the same event, before React renders).
  const rowsRef = useRef<KeyRow[]>([]);

  // The counter's wedge stays out of the way while the panel listens.
  useEffect(() => pauseGlobalWedge(), []);

  // Every key as it arrives (on window, before the wedge on the document may hold it back).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.timeStamp;
      const gap = last.current === null ? null : t - last.current;
      last.current = t;
      const mods = [e.shiftKey && 'Shift', e.ctrlKey && 'Ctrl', e.altKey && 'Alt', e.metaKey && 'Meta'].filter(Boolean).join('+');
      const row: KeyRow = { n: ++count.current, code: e.code, key: e.key, char: charForKey(e), gapMs: gap, mods };
      rowsRef.current = [...rowsRef.current.slice(-(MAX_ROWS - 1)), row];
      setRows(rowsRef.current);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  const options = useMemo(() => wedgeOptionsFrom(settings), [settings]);
  useEffect(() => {
    const wedge = createWedge({
      ...options,
      onScan: (scan) => {
        const { settings: s, status: st } = latest.current;
        const screened = screenMemberRead(scan.code, st, 'scanner', s);
        setResult({
          verdict: 'scan',
          code: scan.code,
          durationMs: scan.durationMs,
          number: screened.ok ? screened : { ok: false, read: String(screened.error.details?.read ?? ''), error: screened.error },
        });
      },
      onNotScan: (n) => {
        // The wedge only keeps keys close enough to belong together; the panel shows everything typed since the last pause.
        const typed = typedSincePause(rowsRef.current);
        const slow = typed.gaps.length > 0 && median(typed.gaps) >= 90;
        setResult({ verdict: 'not-scan', text: typed.text.length > n.text.length ? typed.text : n.text, why: slow ? { code: 'person-pace' } : n.why });
      },
    });
    return wedge.attach(document);
  }, [options]);

  const clear = () => {
    rowsRef.current = [];
    setRows([]);
    setResult(null);
    last.current = null;
  };

  const burst = lastBurst(rows);
  return (
    <section className="card scanner-test" data-testid={SCAN_TID.testPanel} aria-label={t('counter.scanner.testTitle')}>
      <h3>{t('counter.scanner.testTitle')}</h3>
      <p className="hint">{t('counter.scanner.testHelp')}</p>
      <input
        className="field"
        data-testid={SCAN_TID.field('test-input')}
        data-scan-field=""
        placeholder={t('counter.scanner.testPlaceholder')}
        autoComplete="off"
        spellCheck={false}
      />
      {result && (
        <div
          className={`message ${result.verdict === 'scan' && result.number.ok ? 'message-good' : 'message-warning'}`}
          role="status"
          data-testid={SCAN_TID.testResult}
          data-verdict={result.verdict}
          data-code={result.verdict === 'scan' ? result.code : result.text}
        >
          {result.verdict === 'scan' ? (
            <>
              <p className="message-text">
                {t('counter.scanner.isScan')} <code className="scan-read">{result.code}</code>{' '}
                {t('counter.scanner.scanTook', { ms: Math.round(result.durationMs) })}
              </p>
              <p>
                {result.number.ok
                  ? t('counter.scanner.memberNumber', { number: result.number.input })
                  : t('counter.scanner.refused', { reason: describeError(result.number.error, t, fmt).text })}
              </p>
            </>
          ) : (
            <>
              <p className="message-text">
                {t('counter.scanner.notScan')} <code className="scan-read">{result.text}</code>
              </p>
              <p>{whyText(result.why, t)}.</p>
            </>
          )}
        </div>
      )}
      {burst && (
        <p className="hint" data-testid={SCAN_TID.field('test-summary')}>
          {describeBurst(burst, settings, t)}
        </p>
      )}
      <div className="scanner-test-keys" data-testid={SCAN_TID.testKeys}>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('counter.scanner.colKey')}</th>
              <th>{t('counter.scanner.colLayout')}</th>
              <th>{t('counter.scanner.colRead')}</th>
              <th>{t('counter.scanner.colGap')}</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .slice()
              .reverse()
              .map((r) => (
                <tr key={r.n} className={r.gapMs !== null && r.gapMs > settings.maxInterKeyMs ? 'gap-slow' : undefined}>
                  <td>{r.n}</td>
                  <td>
                    {r.mods && `${r.mods} `}
                    {r.code || '—'}
                  </td>
                  <td>{r.key === ' ' ? t('counter.scanner.keySpace') : r.key}</td>
                  <td>{r.char === null ? t('counter.scanner.keyControl') : r.char}</td>
                  <td>{r.gapMs === null ? '' : `${Math.round(r.gapMs)} ms`}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      <button type="button" className="btn" data-testid={SCAN_TID.testClear} onClick={clear}>
        {t('common.keypadClear')}
      </button>
    </section>
  );
}

/** The characters typed since the last pause over a second (the terminator left out), and the gaps between them. */
function typedSincePause(rows: KeyRow[]): { text: string; gaps: number[] } {
  let start = rows.length - 1;
  while (start > 0 && (rows[start]!.gapMs ?? Infinity) <= 1000) start--;
  const keys = rows.slice(start).filter((r) => r.char !== null);
  return { text: keys.map((r) => r.char).join(''), gaps: keys.slice(1).map((r) => r.gapMs ?? 0) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The keys since the last pause over a second, without modifier keys. */
function lastBurst(rows: KeyRow[]): number[] | null {
  const gaps: number[] = [];
  for (let i = rows.length - 1; i > 0; i--) {
    const g = rows[i]!.gapMs;
    if (g === null || g > 1000) break;
    if (rows[i]!.key === 'Shift') continue;
    gaps.push(g);
  }
  return gaps.length >= 3 ? gaps : null;
}

function describeBurst(gaps: number[], s: ScannerSettings, t: TFunction): string {
  const sorted = [...gaps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const max = sorted[sorted.length - 1]!;
  const base = t('counter.scanner.burst', { keys: gaps.length + 1, min: Math.round(sorted[0]!), max: Math.round(max), median: Math.round(median) });
  if (median <= s.maxInterKeyMs) return `${base} ${t('counter.scanner.burstFits', { ms: s.maxInterKeyMs })}`;
  if (median < 90) return `${base} ${t('counter.scanner.burstSlow', { ms: s.maxInterKeyMs, suggested: Math.min(200, Math.ceil((median * 1.5) / 5) * 5) })}`;
  return `${base} ${t('counter.scanner.burstPerson')}`;
}

/** Why a burst was not a scan, in the cashier's language. */
function whyText(why: NotScanWhy, t: TFunction): string {
  switch (why.code) {
    case 'person-pace':
      return t('counter.scanner.personPace');
    case 'end-key-late':
      return why.ms === undefined ? t('counter.scanner.whyEndKeyLate') : t('counter.scanner.whyEndKeyLateMs', { ms: why.ms });
    case 'too-short':
      return t('counter.scanner.whyTooShort', { length: why.length, minLength: why.minLength });
    case 'prefix-missing':
      return t('counter.scanner.whyPrefixMissing');
    case 'suffix-missing':
      return t('counter.scanner.whySuffixMissing');
    case 'no-marker':
      return t('counter.scanner.whyNoMarker');
    default:
      return t('counter.scanner.whyNoKeys');
  }
}
