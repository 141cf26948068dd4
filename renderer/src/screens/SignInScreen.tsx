import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from '../i18n/react';
import type { PersonView } from '../../../shared/contract/manager';
import type { ErrorInfo } from '../../../shared/errors';
import { asErrorInfo } from '../api/client';
import { PinPad } from '../components/PinPad';
import { LocalizedError } from '../i18n/LocalizedError';
import { useFmt } from '../i18n/useFmt';
import { MTID } from '../manager-testids';
import { useApi } from './manager/api-context';
import { isLocked, pinComplete } from './manager/pin';
import '../components/ManagerApproval.css';

/**
 * Who is at the terminal: tap your name, type your PIN on the big keypad.
 * A wrong PIN says how many tries are left; a locked person shows until when.
 * `managersOnly` serves the desk's "a manager signs in here".
 */
export function SignInScreen(props: { signIn: (personId: string, pin: string) => Promise<unknown>; managersOnly?: boolean; onCancel?: () => void }) {
  const { signIn, managersOnly = false, onCancel } = props;
  const api = useApi();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [people, setPeople] = useState<PersonView[] | null>(null);
  const [chosen, setChosen] = useState<PersonView | null>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [, setTick] = useState(0);
  const pinRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const r = await api.listPeople({});
      setPeople(r.people.filter((p) => p.active && (!managersOnly || p.role === 'manager')));
    } catch (e) {
      setError(asErrorInfo(e));
      setPeople([]);
    }
  }, [api, managersOnly]);

  useEffect(() => {
    void load();
  }, [load]);

  // A lock ends by itself: look again each half minute so the name comes back.
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  const choose = (p: PersonView) => {
    setChosen(p);
    setPin('');
    setError(null);
    setTimeout(() => pinRef.current?.focus(), 0);
  };

  const submit = async () => {
    if (!chosen || busy || !pinComplete(pin)) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(chosen.id, pin);
    } catch (e) {
      const info = asErrorInfo(e);
      setError(info);
      setPin('');
      if (info.code === 'LOCKED_OUT') void load();
    } finally {
      setBusy(false);
      setTimeout(() => pinRef.current?.focus(), 0);
    }
  };

  const now = Date.now();
  return (
    <main className="session-screen" data-testid={MTID.signIn}>
      <div className="session-card">
        <h1>{managersOnly ? t('session.managerSignIn') : t('signIn.title')}</h1>
        {!chosen && (
          <>
            <p className="hint">{managersOnly ? t('session.managerOnly') : t('session.choosePerson')}</p>
            {people === null && <p className="hint">{t('common.loading')}</p>}
            {people?.length === 0 && !error && <p className="message message-warning">{t('session.noPeople')}</p>}
            <div className="session-people">
              {people?.map((p) => {
                const locked = isLocked(p, now);
                return (
                  <button
                    key={p.id}
                    type="button"
                    className="person-chip"
                    disabled={locked}
                    data-testid={MTID.signInPerson}
                    data-person-id={p.id}
                    data-role={p.role}
                    onClick={() => choose(p)}
                  >
                    <span className="person-chip-name">{p.name}</span>
                    <span className="person-chip-note">
                      {locked && p.lockedUntil ? t('people.locked', { time: fmt.time(p.lockedUntil) }) : t(`roles.${p.role}`)}
                    </span>
                  </button>
                );
              })}
            </div>
            {error && <LocalizedError error={error} testId={MTID.signInError} />}
            {onCancel && (
              <div className="button-row">
                <button type="button" className="btn btn-secondary" onClick={onCancel}>
                  {t('common.back')}
                </button>
              </div>
            )}
          </>
        )}
        {chosen && (
          <form
            className="session-pin"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <PinPad
              value={pin}
              onChange={setPin}
              onSubmit={() => void submit()}
              label={t('session.pinFor', { name: chosen.name })}
              disabled={busy}
              inputRef={pinRef}
              autoFocus
            />
            <div className="session-pin-side">
              <div className="session-who">
                {chosen.name} <span className={`role-badge role-badge-${chosen.role}`}>{t(`roles.${chosen.role}`)}</span>
              </div>
              <div aria-live="polite">{error && <LocalizedError error={error} testId={MTID.signInError} />}</div>
              <button type="submit" className="btn btn-primary btn-block" disabled={busy || !pinComplete(pin)} data-testid={MTID.pinSubmit}>
                {busy ? t('session.signingIn') : t('signIn.signIn')}
              </button>
              <button
                type="button"
                className="btn btn-secondary"
                data-testid={MTID.signInOther}
                disabled={busy}
                onClick={() => {
                  setChosen(null);
                  setError(null);
                  void load();
                }}
              >
                {t('session.otherPerson')}
              </button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
