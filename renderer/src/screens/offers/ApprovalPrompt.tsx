import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type { PersonView } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { problemOf, type OffersApi } from './api';
import { OffersError } from './OffersError';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';

/**
 * A manager's approval for one action: which manager, and their PIN. A
 * minimal prompt of this screen's own until the shared approval dialog
 * (components/ManagerApproval) exists. The PIN lives in this dialog's state
 * only while it is open, and is emptied after every attempt.
 */
export function ApprovalPrompt({
  api,
  why,
  onApprove,
  onCancel,
}: {
  api: OffersApi;
  why: string;
  /** Runs the action with the approval; answers the refusal to show, or null when done. */
  onApprove: (approval: ManagerApprovalInput) => Promise<ErrorInfo | null>;
  onCancel: () => void;
}) {
  const t = useOffersT();
  const [managers, setManagers] = useState<PersonView[] | null>(null);
  const [managerId, setManagerId] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [pinProblem, setPinProblem] = useState(false);
  const pinRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    api.listPeople({}).then(
      ({ people }) => {
        if (!live) return;
        const list = people.filter((p) => p.role === 'manager' && p.active);
        setManagers(list);
        if (list.length === 1) setManagerId(list[0]!.id);
      },
      (e) => live && setError(problemOf(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

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

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!managerId || busy) return;
    if (!/^\d{4,8}$/.test(pin)) {
      setPinProblem(true);
      pinRef.current?.focus();
      return;
    }
    setPinProblem(false);
    setBusy(true);
    setError(null);
    const typed = pin;
    setPin('');
    try {
      const refusal = await onApprove({ managerId, pin: typed });
      if (refusal) setError(refusal);
    } catch (err) {
      setError(problemOf(err));
    } finally {
      setBusy(false);
      queueMicrotask(() => pinRef.current?.focus());
    }
  }

  return (
    <div className="backdrop" onClick={() => !busy && onCancel()}>
      <div className="dialog offers-approval" role="dialog" aria-modal="true" aria-labelledby="offers-approval-title" data-testid={OFFERS_TID.approval} onClick={(e) => e.stopPropagation()}>
        <h2 id="offers-approval-title">{t('approvalTitle')}</h2>
        <p>{why}</p>
        <form onSubmit={(e) => void submit(e)} noValidate autoComplete="off">
          {managers && managers.length === 0 && <p className="offers-problem">{t('noManagers')}</p>}
          {managers && managers.length > 0 && (
            <div className="offers-managers" role="group" aria-label={t('manager')}>
              {managers.map((m) => (
                <button
                  key={m.id}
                  type="button"
                  className={`seg ${managerId === m.id ? 'seg-on' : ''}`}
                  aria-pressed={managerId === m.id}
                  data-testid={OFFERS_TID.approvalManager}
                  data-person-id={m.id}
                  onClick={() => setManagerId(m.id)}
                >
                  {m.name}
                </button>
              ))}
            </div>
          )}
          <label className="offers-label">
            {t('pin')}
            <input
              ref={pinRef}
              className="field offers-field mono"
              type="password"
              inputMode="numeric"
              autoComplete="off"
              maxLength={8}
              data-testid={OFFERS_TID.approvalPin}
              value={pin}
              disabled={busy || !managerId}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
              aria-invalid={pinProblem}
            />
          </label>
          {pinProblem && (
            <p className="offers-problem" role="alert">
              {t('pinProblem')}
            </p>
          )}
          {error && <OffersError error={error} testId={OFFERS_TID.approvalError} />}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" data-testid={OFFERS_TID.approvalSubmit} disabled={busy || !managerId}>
              {t('approve')}
            </button>
            <button type="button" className="btn btn-secondary" data-testid={OFFERS_TID.approvalCancel} disabled={busy} onClick={onCancel}>
              {t('cancel')} (Esc)
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
