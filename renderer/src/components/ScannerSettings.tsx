/**
 * The scanner set-up: timing thresholds, prefix and suffix, minimum length,
 * the end key, the camera, and the pattern that finds a member number in a
 * URL or text for this terminal's backend; with the "test your scanner" panel
 * running on the values being edited, and a box to try a code against the
 * pattern.
 *
 * `ScannerSettingsPanel` is mountable in the manager's settings; the default
 * export is the dialog the counter opens ("Test the scanner"). Saving needs a
 * manager: signed in, or approving with their PIN.
 */
import type { TFunction } from '../../../shared/i18n/translate';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from '../i18n/react';
import { useStore } from 'zustand';
import type { ManagerApprovalInput } from '../../../shared/contract/approval';
import type { ScannerSettings as ScannerSetup } from '../../../shared/contract/manager';
import type { TerminalStatus } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';
import { scannerConfig, screenMemberRead, setScannerSettings } from '../scanner/scanner-config';
import { SCAN_TID } from '../scanner/scanner-testids';
import { formFromSettings, settingsFromForm, type SetupField, type SetupForm, type SetupProblem } from '../scanner/setup-form';
import { useApi } from '../screens/manager/api-context';
import { usePos } from '../state/context';
import { ManagerApproval } from './ManagerApproval';
import { ScannerTestPanel } from './ScannerTestPanel';
import { RE2_ENGINE } from '../../../shared/scan-content';
import { setPatternEngine } from '../scanner/pattern-engine';
import './ScannerSettings.css';

// The set-up checks patterns as they are typed (setup-form.ts bundles RE2): the counter's reads use the same engine from now on.
setPatternEngine(RE2_ENGINE);

export interface ScannerSettingsPanelProps {
  status: TerminalStatus | null;
  /** The signed-in person is a manager: saves without asking for a PIN. */
  isManager: boolean;
  managerId?: string | null;
}

export function ScannerSettingsPanel({ status, isManager, managerId }: ScannerSettingsPanelProps) {
  const { t } = useTranslation();
  const api = useApi();
  const current = useStore(scannerConfig, (s) => s.settings);
  const backend = status?.backend.id ?? null;
  const [form, setForm] = useState<SetupForm>(() => formFromSettings(current, backend));
  const [problems, setProblems] = useState<Partial<Record<SetupField, SetupProblem>>>({});
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [approve, setApprove] = useState<Required<ScannerSetup> | null>(null);
  const [sample, setSample] = useState('');

  // The terminal's own values, fresh (another window or the desk may have changed them).
  useEffect(() => {
    let alive = true;
    api
      .getPreferences({})
      .then((p) => {
        if (!alive) return;
        setScannerSettings(p.scanner);
        setForm(formFromSettings(p.scanner, backend));
      })
      .catch(() => {});
    return () => {
      alive = false;
    };
  }, [api, backend]);

  const edited = useMemo(() => settingsFromForm(form, current, backend), [form, current, backend]);
  // The test panel runs with the values being edited while they are valid.
  const testing: ScannerSetup = edited.ok ? edited.settings : current;

  const set = <K extends SetupField>(k: K, v: SetupForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setSaved(false);
    setProblems((p) => ({ ...p, [k]: undefined }));
  };

  async function save(settings: Required<ScannerSetup>, approval?: ManagerApprovalInput): Promise<void> {
    setSaving(true);
    setError(null);
    try {
      const view = await api.updateSettings(approval ? { patch: { scanner: settings }, approval } : { patch: { scanner: settings } });
      setScannerSettings(view.scanner);
      setForm(formFromSettings(view.scanner, backend));
      setSaved(true);
    } catch (e) {
      setError(asErrorInfo(e));
      throw e;
    } finally {
      setSaving(false);
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation(); // a form inside the counter's member form (through a portal): not the member's submit
    const r = settingsFromForm(form, current, backend);
    if (!r.ok) {
      setProblems(r.problems);
      return;
    }
    if (isManager) void save(r.settings).catch(() => {});
    else setApprove(r.settings);
  };

  const tryIt = sample.trim() ? screenMemberRead(sample, status, 'test', testing) : null;

  const field = (name: SetupField, label: string, hint: string, props: { inputMode?: 'numeric' | 'text'; maxLength?: number; wide?: boolean } = {}) => (
    <label className={`scanner-field ${props.wide ? 'scanner-field-wide' : ''}`}>
      <span className="scanner-label">{label}</span>
      <input
        className="field"
        value={form[name] as string}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        spellCheck={false}
        autoComplete="off"
        data-testid={SCAN_TID.field(name)}
        aria-invalid={problems[name] ? true : undefined}
        onChange={(e) => set(name, e.target.value as never)}
      />
      <span className="scanner-hint">{problems[name] ? <strong className="scanner-problem">{problemText(problems[name], t)}</strong> : hint}</span>
    </label>
  );

  return (
    <div className="scanner-settings">
      <form className="card scanner-form" onSubmit={onSubmit} noValidate aria-label={t('counter.scanner.setupTitle')}>
        <h3>{t('counter.scanner.setupTitle')}</h3>
        <div className="scanner-grid">
          {field('maxInterKeyMs', t('counter.scanner.maxInterKeyMs'), t('counter.scanner.maxInterKeyMsHint'), { inputMode: 'numeric' })}
          {field('minLength', t('counter.scanner.minLength'), t('counter.scanner.minLengthHint'), { inputMode: 'numeric' })}
          {field('prefix', t('counter.scanner.prefix'), t('counter.scanner.prefixHint'), { maxLength: 8 })}
          {field('suffixChars', t('counter.scanner.suffixChars'), t('counter.scanner.suffixCharsHint'), { maxLength: 8 })}
          {field('slowMaxGapMs', t('counter.scanner.slowMaxGapMs'), t('counter.scanner.slowMaxGapMsHint'), { inputMode: 'numeric' })}
          <label className="scanner-field">
            <span className="scanner-label">{t('counter.scanner.endKey')}</span>
            <select
              className="field"
              value={form.suffix}
              data-testid={SCAN_TID.field('suffix')}
              onChange={(e) => set('suffix', e.target.value as SetupForm['suffix'])}
            >
              <option value="Enter">{t('settings.suffixEnter')}</option>
              <option value="Tab">{t('settings.suffixTab')}</option>
              <option value="none">{t('counter.scanner.endKeyNone')}</option>
            </select>
            <span className="scanner-hint">{t('counter.scanner.endKeyHint')}</span>
          </label>
          {field(
            'pattern',
            backend ? t('counter.scanner.patternFor', { backend: status?.backend.name ?? backend }) : t('counter.scanner.pattern'),
            t('counter.scanner.patternHint'),
            { wide: true },
          )}
          <label className="scanner-check">
            <input
              type="checkbox"
              checked={form.cameraEnabled}
              data-testid={SCAN_TID.field('cameraEnabled')}
              onChange={(e) => set('cameraEnabled', e.target.checked)}
            />{' '}
            {t('counter.scanner.cameraButton')}
          </label>
        </div>

        <label className="scanner-field scanner-field-wide">
          <span className="scanner-label">{t('counter.scanner.tryCode')}</span>
          <input
            className="field"
            value={sample}
            data-testid={SCAN_TID.field('sample')}
            spellCheck={false}
            autoComplete="off"
            placeholder={t('counter.scanner.tryCodePlaceholder')}
            onChange={(e) => setSample(e.target.value)}
          />
          {tryIt && (
            <span className="scanner-hint" data-testid={SCAN_TID.field('sample-result')} data-ok={tryIt.ok}>
              {tryIt.ok ? t('counter.scanner.memberNumber', { number: tryIt.input }) : t('counter.scanner.refused', { reason: tryIt.error.message })}
            </span>
          )}
        </label>

        {error && (
          <p className="message message-error" role="alert" data-testid={SCAN_TID.setupError}>
            {error.message}
          </p>
        )}
        {saved && (
          <p className="scan-good" role="status" data-testid={SCAN_TID.setupSaved}>
            {t('counter.scanner.saved')}
          </p>
        )}
        <div className="scanner-actions">
          <button type="submit" className="btn btn-primary" disabled={saving} data-testid={SCAN_TID.setupSave}>
            {saving ? t('counter.scanner.saving') : isManager ? t('settings.save') : t('counter.scanner.saveWithPin')}
          </button>
        </div>
      </form>

      <ScannerTestPanel settings={testing} status={status} />

      {approve && (
        <ManagerApproval
          title={t('counter.scanner.approveTitle')}
          reason="none"
          preferManagerId={managerId ?? null}
          onApprove={async (approval) => {
            await save(approve, approval);
            setApprove(null);
          }}
          onCancel={() => setApprove(null)}
        />
      )}
    </div>
  );
}

/** The dialog the counter opens: the set-up and the test panel. */
export default function ScannerSetupDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const status = usePos((s) => s.status);
  const person = usePos((s) => s.session.person);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role="dialog"][aria-modal="true"]:not(.scanner-setup)')) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return createPortal(
    <div className="scanner-backdrop" role="presentation">
      <div className="scanner-setup" role="dialog" aria-modal="true" aria-label={t('counter.scanner.dialogLabel')} data-testid={SCAN_TID.setupDialog}>
        <div className="scanner-setup-head">
          <h2>{t('settings.scanner')}</h2>
          <button type="button" className="btn" data-testid={SCAN_TID.setupClose} onClick={onClose}>
            {t('common.close')}
          </button>
        </div>
        <ScannerSettingsPanel status={status} isManager={person?.role === 'manager'} managerId={person?.role === 'manager' ? person.id : null} />
      </div>
    </div>,
    document.body,
  );
}

/** A field's problem in the cashier's language. */
function problemText(p: SetupProblem, t: TFunction): string {
  switch (p.code) {
    case 'whole-number':
      return t('counter.scanner.problemWholeNumber');
    case 'between':
      return t('counter.scanner.problemBetween', { min: p.min, max: p.max });
    case 'too-long':
      return t('counter.scanner.problemTooLong', { max: p.max });
    case 'unreadable-keys':
      return t('counter.scanner.problemUnreadableKeys', { keys: p.keys });
    case 'pattern':
      return t('counter.scanner.problemPattern', { detail: p.detail });
    default:
      return t('counter.scanner.problemBelowGap', { gap: p.gap });
  }
}
