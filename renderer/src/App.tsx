import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { CounterScreen } from './screens/CounterScreen';
import { LogScreen } from './screens/LogScreen';
import { FirstStartScreen, RecoveryCodeScreen } from './screens/FirstStartScreen';
import { SignInScreen } from './screens/SignInScreen';
import { SessionBar } from './screens/SignInSessionBar';
import { StatusBar } from './components/StatusBar';
import { ErrorMessage } from './components/ErrorMessage';
import { LocalizedError } from './i18n/LocalizedError';
import { safeLocalStorage, savedLanguage, switchLanguage } from './i18n';
import { useScannerWedge } from './scanner/useScannerWedge';
import { useApi } from './screens/manager/api-context';
import { gate } from './state/session';
import { usePos, usePosStore } from './state/context';
import { TID } from './testids';

// The manager's desk loads on first use: it stays out of the counter's initial bundle.
const ManagerDesk = lazy(() => import('./screens/manager/ManagerDesk'));
// Card-linked offers (enrolment, notices) load the same way: most counters never open them.
const OffersScreen = lazy(() => import('./screens/offers/OffersScreen'));

export function App() {
  const store = usePosStore();
  const api = useApi();
  const { t, i18n } = useTranslation();
  const view = usePos((s) => s.view);
  const status = usePos((s) => s.status);
  const statusError = usePos((s) => s.statusError);
  const lang = usePos((s) => s.uiLang);
  const refresh = usePos((s) => s.refresh);
  const session = usePos((s) => s.session);
  const signIn = usePos((s) => s.signIn);
  const createFirstManager = usePos((s) => s.createFirstManager);
  const dismissRecoveryCode = usePos((s) => s.dismissRecoveryCode);
  const loadSession = usePos((s) => s.loadSession);
  const at = gate(session);

  useEffect(() => store.getState().start(), [store]);
  useEffect(() => void store.getState().loadSession(), [store]);
  // Each person's own language comes back when they sign in (kept across screens and restarts).
  const personId = session.person?.id;
  useEffect(() => {
    const own = personId ? savedLanguage(safeLocalStorage(), personId) : null;
    if (own) void switchLanguage(i18n, own);
  }, [personId, i18n]);

  // The USB scanner works wherever the focus is: one wedge on the document, set up from the settings, one way in (identify).
  useScannerWedge(store, api);

  const loading = (
    <div className="loading-screen" role="status">
      <span className="spinner" aria-hidden="true" /> {t('common.loading')}
    </div>
  );

  return (
    <div className={`app ${status?.training ? 'app-training' : ''}`}>
      <StatusBar />
      {at === 'in' && <SessionBar />}
      {!status && !statusError && (
        <div className="loading-screen" data-testid={TID.loading} role="status">
          <span className="spinner" aria-hidden="true" /> {t('common.connecting')}
        </div>
      )}
      {statusError && (
        <div className="status-error" data-testid={TID.statusError}>
          <ErrorMessage error={statusError} lang={lang} />
          <button type="button" className="btn" data-testid={TID.statusRetry} onClick={() => void refresh()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {at === 'error' && session.error && (
        <div className="status-error">
          <LocalizedError error={session.error} />
          <button type="button" className="btn" onClick={() => void loadSession()}>
            {t('common.retry')}
          </button>
        </div>
      )}
      {at === 'first-start' && <FirstStartScreen create={createFirstManager} />}
      {at === 'recovery-code' && session.recoveryCode && <RecoveryCodeScreen code={session.recoveryCode} onDone={dismissRecoveryCode} />}
      {at === 'sign-in' && <SignInScreen signIn={signIn} />}
      {at === 'in' &&
        session.person &&
        (view === 'desk' ? (
          <Suspense fallback={loading}>
            <ManagerDesk me={session.person} currency={status?.currency ?? 'EUR'} storeName={status?.storeName} signIn={signIn} onChange={refresh} />
          </Suspense>
        ) : view === 'offers' ? (
          <Suspense fallback={loading}>
            <OffersScreen api={api} />
          </Suspense>
        ) : view === 'log' ? (
          <LogScreen />
        ) : (
          <CounterScreen />
        ))}
    </div>
  );
}
