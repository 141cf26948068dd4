import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from '../i18n/react';
import type { ManagerApprovalInput } from '../../../shared/contract/approval';
import type { PersonView } from '../../../shared/contract/manager';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';
import { LocalizedError } from '../i18n/LocalizedError';
import { useFmt } from '../i18n/useFmt';
import { MTID } from '../manager-testids';
import { useApi } from '../screens/manager/api-context';
import { approvalProblem, approvers, buildApproval, defaultApprover, isLocked, type ReasonRule } from '../screens/manager/pin';
import { PinPad } from './PinPad';
import './ManagerApproval.css';

export interface ManagerApprovalProps {
  /** What is being approved, in a few words ("Void sale …"). */
  title?: string;
  /** More about it: amounts, what happens next. */
  children?: ReactNode;
  /** 'required' where the log must explain the action (voids, refunds, overrides). */
  reason: ReasonRule;
  /** A manager to preselect (the one signed in, if any). */
  preferManagerId?: string | null;
  approveLabel?: string;
  /**
   * Runs the action with the approval. A refusal (wrong PIN, locked, the sale
   * moved on) is shown in the dialog, which stays open; it closes when this resolves.
   */
  onApprove: (approval: ManagerApprovalInput) => Promise<void>;
  onCancel: () => void;
}

/**
 * The one approval dialog: pick the manager from the people list, the PIN on
 * a big keypad, and the reason when the log needs one. Enter approves, Escape
 * cancels. The counter's void and override screens use it too.
 */
export function ManagerApproval(props: ManagerApprovalProps) {
  const { title, children, reason: rule, preferManagerId, approveLabel, onApprove, onCancel } = props;
  const api = useApi();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [managers, setManagers] = useState<PersonView[] | null>(null);
  const [managerId, setManagerId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  const loadManagers = useCallback(async () => {
    try {
      const { people } = await api.listPeople({});
      const list = approvers(people, preferManagerId);
      setManagers(list);
      setManagerId((current) => current ?? defaultApprover(list, preferManagerId, Date.now()));
    } catch (e) {
      setManagers([]);
      setError(asErrorInfo(e));
    }
  }, [api, preferManagerId]);

  useEffect(() => {
    void loadManagers();
  }, [loadManagers]);

  // The PIN field takes the keyboard once a manager is chosen.
  useEffect(() => {
    if (managerId) pinRef.current?.focus();
  }, [managerId]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) {
        e.preventDefault();
        onCancel();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [busy, onCancel]);

  const submit = async () => {
    if (busy) return;
    const p = approvalProblem({ managerId, pin, reason }, rule);
    if (p) {
      setProblem(p === 'chooseManager' ? t('approval.chooseManager') : p === 'pinFormat' ? t('pin.format') : t('approval.reasonTooShort'));
      if (p === 'reasonTooShort') reasonRef.current?.focus();
      else if (p === 'pinFormat') pinRef.current?.focus();
      return;
    }
    setProblem(null);
    setError(null);
    setBusy(true);
    try {
      await onApprove(buildApproval({ managerId: managerId!, pin, reason }, rule));
    } catch (e) {
      const info = asErrorInfo(e);
      setError(info);
      setPin('');
      if (info.code === 'LOCKED_OUT') void loadManagers();
    } finally {
      setBusy(false);
      // after the field is enabled again
      setTimeout(() => pinRef.current?.focus(), 0);
    }
  };

  const now = Date.now();
  return (
    <div className="backdrop approval-backdrop">
      <form
        className="dialog approval"
        role="dialog"
        aria-modal="true"
        aria-labelledby="approval-title"
        data-testid={MTID.approval}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="approval-top">
          <h2 id="approval-title">{t('approval.title')}</h2>
          {title && <p className="approval-what">{title}</p>}
          {children}
        </div>
        <div className="approval-side">
          <fieldset className="approval-managers" disabled={busy}>
            <legend>{t('approval.manager')}</legend>
            {managers === null && <p className="hint">{t('common.loading')}</p>}
            {managers?.length === 0 && <p className="message message-warning">{t('approval.noManagers')}</p>}
            <div className="approval-manager-list">
              {managers?.map((m) => {
                const locked = isLocked(m, now);
                return (
                  <button
                    key={m.id}
                    type="button"
                    className={`person-chip ${managerId === m.id ? 'person-chip-on' : ''}`}
                    aria-pressed={managerId === m.id}
                    disabled={locked}
                    data-testid={MTID.approvalManager}
                    data-person-id={m.id}
                    onClick={() => {
                      setManagerId(m.id);
                      setProblem(null);
                    }}
                  >
                    <span className="person-chip-name">{m.name}</span>
                    {locked && m.lockedUntil && <span className="person-chip-note">{t('people.locked', { time: fmt.time(m.lockedUntil) })}</span>}
                  </button>
                );
              })}
            </div>
          </fieldset>
          {rule !== 'none' && (
            <label className="approval-reason">
              <span>{rule === 'required' ? t('approval.reason') : t('approval.reasonOptional')}</span>
              <textarea
                ref={reasonRef}
                className="field approval-reason-field"
                rows={2}
                maxLength={200}
                value={reason}
                disabled={busy}
                data-testid={MTID.approvalReason}
                onChange={(e) => setReason(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !e.shiftKey) {
                    e.preventDefault();
                    void submit();
                  }
                }}
              />
            </label>
          )}
        </div>
        <PinPad
          value={pin}
          onChange={setPin}
          onSubmit={() => void submit()}
          label={t('approval.pin')}
          disabled={busy || !managerId}
          inputRef={pinRef}
          testId={MTID.approvalPin}
        />
        <div className="approval-top" aria-live="polite">
          {problem && (
            <p className="message message-warning" data-testid={MTID.approvalError} data-code="FORM">
              {problem}
            </p>
          )}
          {error && <LocalizedError error={error} testId={MTID.approvalError} />}
        </div>
        <div className="button-row approval-top">
          <button type="submit" className="btn btn-primary" disabled={busy || !managers?.length} data-testid={MTID.approvalSubmit}>
            {busy ? t('approval.checking') : (approveLabel ?? t('signIn.approve'))}
          </button>
          <button type="button" className="btn btn-secondary" disabled={busy} data-testid={MTID.approvalCancel} onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}
