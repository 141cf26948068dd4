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
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { createPortal } from 'react-dom';
import { useStore } from 'zustand';
import type { ManagerApprovalInput } from '../../../shared/contract/approval';
import type { ScannerSettings as ScannerSetup } from '../../../shared/contract/manager';
import type { TerminalStatus } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';
import { scannerConfig, screenMemberRead, setScannerSettings } from '../scanner/scanner-config';
import { SCAN_TID } from '../scanner/scanner-testids';
import { formFromSettings, settingsFromForm, type SetupField, type SetupForm } from '../scanner/setup-form';
import { useApi } from '../screens/manager/api-context';
import { usePos } from '../state/context';
import { ManagerApproval } from './ManagerApproval';
import { ScannerTestPanel } from './ScannerTestPanel';
import './ScannerSettings.css';

export interface ScannerSettingsPanelProps {
  status: TerminalStatus | null;
  /** The signed-in person is a manager: saves without asking for a PIN. */
  isManager: boolean;
  managerId?: string | null;
}

export function ScannerSettingsPanel({ status, isManager, managerId }: ScannerSettingsPanelProps) {
  const api = useApi();
  const current = useStore(scannerConfig, (s) => s.settings);
  const backend = status?.backend.id ?? null;
  const [form, setForm] = useState<SetupForm>(() => formFromSettings(current, backend));
  const [problems, setProblems] = useState<Partial<Record<SetupField, string>>>({});
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
      <span className="scanner-hint">{problems[name] ? <strong className="scanner-problem">{problems[name]}</strong> : hint}</span>
    </label>
  );

  return (
    <div className="scanner-settings">
      <form className="card scanner-form" onSubmit={onSubmit} noValidate aria-label="Scanner set-up">
        <h3>Scanner set-up</h3>
        <div className="scanner-grid">
          {field('maxInterKeyMs', 'Longest gap between a scanner\'s keys (ms)', 'A USB scanner types 5–20 ms apart, a person 100 ms or more. 40 suits most scanners.', { inputMode: 'numeric' })}
          {field('minLength', 'Shortest code (characters)', 'Shorter bursts are left to the field that has the focus.', { inputMode: 'numeric' })}
          {field('prefix', 'Prefix characters', 'Sent by the scanner before a code (set up with its programming barcodes). Stripped.', { maxLength: 8 })}
          {field('suffixChars', 'Suffix characters', 'Sent after a code, before Enter. Tells a slow Bluetooth scanner from a person.', { maxLength: 8 })}
          {field('slowMaxGapMs', 'Longest gap with a prefix or suffix (ms)', 'For a slow (Bluetooth) scanner that sends a prefix or suffix.', { inputMode: 'numeric' })}
          <label className="scanner-field">
            <span className="scanner-label">End key</span>
            <select className="field" value={form.suffix} data-testid={SCAN_TID.field('suffix')} onChange={(e) => set('suffix', e.target.value as SetupForm['suffix'])}>
              <option value="Enter">Enter</option>
              <option value="Tab">Tab</option>
              <option value="none">None (the code ends when the keys stop)</option>
            </select>
            <span className="scanner-hint">What the scanner sends after a code.</span>
          </label>
          {field(
            'pattern',
            `Member number in a URL or text${backend ? ` (${status?.backend.name ?? backend})` : ''}`,
            'A regular expression; the group named "number", else the first group, is the number. Empty: plain numbers only.',
            { wide: true },
          )}
          <label className="scanner-check">
            <input type="checkbox" checked={form.cameraEnabled} data-testid={SCAN_TID.field('cameraEnabled')} onChange={(e) => set('cameraEnabled', e.target.checked)} /> Camera
            button at the counter
          </label>
        </div>

        <label className="scanner-field scanner-field-wide">
          <span className="scanner-label">Try a code</span>
          <input className="field" value={sample} data-testid={SCAN_TID.field('sample')} spellCheck={false} autoComplete="off" placeholder="Paste what a QR code holds, e.g. a URL" onChange={(e) => setSample(e.target.value)} />
          {tryIt && (
            <span className="scanner-hint" data-testid={SCAN_TID.field('sample-result')} data-ok={tryIt.ok}>
              {tryIt.ok ? `Member number: ${tryIt.input}` : `Refused: ${tryIt.error.message}`}
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
            Saved. The scanner works with this set-up from now on.
          </p>
        )}
        <div className="scanner-actions">
          <button type="submit" className="btn btn-primary" disabled={saving} data-testid={SCAN_TID.setupSave}>
            {saving ? 'Saving…' : isManager ? 'Save' : 'Save (manager PIN)'}
          </button>
        </div>
      </form>

      <ScannerTestPanel settings={testing} status={status} />

      {approve && (
        <ManagerApproval
          title="Change the scanner set-up"
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
      <div className="scanner-setup" role="dialog" aria-modal="true" aria-label="Scanner set-up and test" data-testid={SCAN_TID.setupDialog}>
        <div className="scanner-setup-head">
          <h2>Scanner</h2>
          <button type="button" className="btn" data-testid={SCAN_TID.setupClose} onClick={onClose}>
            Close
          </button>
        </div>
        <ScannerSettingsPanel status={status} isManager={person?.role === 'manager'} managerId={person?.role === 'manager' ? person.id : null} />
      </div>
    </div>,
    document.body,
  );
}
