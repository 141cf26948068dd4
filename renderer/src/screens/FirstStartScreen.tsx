import { useState } from 'react';
import { useTranslation } from '../i18n/react';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';
import { LocalizedError } from '../i18n/LocalizedError';
import { MTID } from '../manager-testids';
import { cleanPin, pinComplete } from './manager/pin';
import '../components/ManagerApproval.css';
import { focusOnMount } from '../components/focus-on-mount';

export type FirstStartProblem = 'name' | 'pin' | 'differ' | null;

/** A manager's shortest PIN (the service's rule; a setting may raise it later). */
const MANAGER_PIN_MIN = 6;

/** The form's first problem, or null (same rules as the service: a name, a 6-8 digit PIN typed twice). */
export function firstStartProblem(name: string, pin: string, pin2: string): FirstStartProblem {
  if (!name.trim()) return 'name';
  if (!pinComplete(pin) || pin.length < MANAGER_PIN_MIN) return 'pin';
  if (pin !== pin2) return 'differ';
  return null;
}

/** First start: there are no default credentials; the first manager chooses a PIN and is signed in. */
export function FirstStartScreen({ create }: { create: (name: string, pin: string) => Promise<unknown> }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [pin2, setPin2] = useState('');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<FirstStartProblem>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const submit = async () => {
    const p = firstStartProblem(name, pin, pin2);
    setShown(p);
    if (p || busy) return;
    setBusy(true);
    setError(null);
    try {
      await create(name.trim(), pin);
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  };

  const problemText =
    shown === 'name'
      ? t('errors.INVALID_INPUT') + ' ' + t('signIn.name')
      : shown === 'pin'
        ? t('signIn.managerPinShort')
        : shown === 'differ'
          ? t('signIn.pinsDiffer')
          : null;
  return (
    <main className="session-screen" data-testid={MTID.firstStart}>
      <form
        className="session-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h1>{t('signIn.firstStartTitle')}</h1>
        <p>{t('signIn.firstStartHelp')}</p>
        <div className="form-grid">
          <label>
            {t('signIn.name')}
            <input
              className="field"
              ref={focusOnMount}
              maxLength={60}
              autoComplete="off"
              value={name}
              data-testid={MTID.firstName}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label>
            {t('signIn.managerPin')}
            <input
              className="field"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={pin}
              data-testid={MTID.firstPin}
              onChange={(e) => setPin(cleanPin(e.target.value))}
            />
          </label>
          <label>
            {t('signIn.repeatPin')}
            <input
              className="field"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={pin2}
              data-testid={MTID.firstPin2}
              onChange={(e) => setPin2(cleanPin(e.target.value))}
            />
          </label>
        </div>
        <div aria-live="polite">
          {problemText && (
            <p className="message message-warning" data-testid={MTID.firstError}>
              {problemText}
            </p>
          )}
          {error && <LocalizedError error={error} testId={MTID.firstError} />}
        </div>
        <div className="button-row">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid={MTID.firstSubmit}>
            {busy ? t('session.creating') : t('session.create')}
          </button>
        </div>
      </form>
    </main>
  );
}

/** Right after the first start: the recovery code, shown once, until the manager says it is written down. */
export function RecoveryCodeScreen({ code, onDone }: { code: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="session-screen">
      <div className="session-card">
        <h1>{t('signIn.recoveryTitle')}</h1>
        <p>{t('signIn.recoveryHelp')}</p>
        <p className="recovery-code" data-testid={MTID.recoveryCode}>
          <strong>{code}</strong>
        </p>
        <div className="button-row">
          <button type="button" className="btn btn-primary" ref={focusOnMount} data-testid={MTID.recoveryDone} onClick={onDone}>
            {t('signIn.recoveryDone')}
          </button>
        </div>
      </div>
    </main>
  );
}
