import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from './i18n/react';
import { CounterScreen } from './screens/CounterScreen';
import { SignInScreen } from './screens/SignInScreen';
import { SessionBar } from './screens/SessionBar';
import { StatusBar } from './components/StatusBar';
import { ErrorMessage } from './components/ErrorMessage';
import { LocalizedError } from './i18n/LocalizedError';
import { safeLocalStorage, savedLanguage, switchLanguage, withDeskTexts } from './i18n';
import { preloadPatternEngine } from './scanner/pattern-engine';
import { useScannerWedge } from './scanner/useScannerWedge';
import { useApi } from './screens/manager/api-context';
import { gate } from './state/session';
import { usePos, usePosStore } from './state/context';
import { TID } from './testids';

// The manager's desk loads on first use: it stays out of the counter's initial bundle.
const ManagerDesk = lazy(withDeskTexts(() => import('./screens/manager/ManagerDesk')));
// Card-linked offers (enrolment, notices) load the same way: most counters never open them.
const OffersScreen = lazy(withDeskTexts(() => import('./screens/offers/OffersScreen')));
// So do the first start (once in a terminal's life) and the cashier's log view (issue 18: initial JS < 120 KB).
const FirstStartScreen = lazy(() => import('./screens/FirstStartScreen').then((m) => ({ default: m.FirstStartScreen })));
const RecoveryCodeScreen = lazy(() => import('./screens/FirstStartScreen').then((m) => ({ default: m.RecoveryCodeScreen })));
const LogScreen = lazy(() => import('./screens/LogScreen').then((m) => ({ default: m.LogScreen })));

export function App() {
  const store = usePosStore();
  const api = useApi();
  const { t, i18n } = useTranslation();
  const view = usePos((s) => s.view);
  // Only what this frame shows of the status: a status push (the queue count, the last answer's time,
  // after every backend call) re-renders the status bar, not the whole app (issue 18).
  const hasStatus = usePos((s) => s.status !== null);
  const training = usePos((s) => s.status?.training === true);
  const currency = usePos((s) => s.status?.currency ?? 'EUR');
  const storeName = usePos((s) => s.status?.storeName);
  const program = usePos((s) => s.status?.backend.id);
  const statusError = usePos((s) => s.statusError);
  const lang = usePos((s) => s.uiLang);
  const refresh = usePos((s) => s.refresh);
  const session = usePos((s) => s.session);
  const signIn = usePos((s) => s.signIn);
  const createFirstManager = usePos((s) => s.createFirstManager);
  const dismissRecoveryCode = usePos((s) => s.dismissRecoveryCode);
  const loadSession = usePos((s) => s.loadSession);
  const at = gate(session);

  // The store was started (status, pushes, session) by main.tsx before this first render.
  // What the first paint does not need loads once the page is idle (pattern-engine.ts says why).
  useEffect(() => preloadPatternEngine(), []);
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
    <div className={`app ${training ? 'app-training' : ''}`}>
      <StatusBar />
      {at === 'in' && <SessionBar />}
      {!hasStatus && !statusError && (
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
      {at === 'first-start' && (
        <Suspense fallback={loading}>
          <FirstStartScreen create={createFirstManager} />
        </Suspense>
      )}
      {at === 'recovery-code' && session.recoveryCode && (
        <Suspense fallback={loading}>
          <RecoveryCodeScreen code={session.recoveryCode} onDone={dismissRecoveryCode} />
        </Suspense>
      )}
      {at === 'sign-in' && <SignInScreen signIn={signIn} />}
      {at === 'in' &&
        session.person &&
        (view === 'desk' ? (
          <Suspense fallback={loading}>
            <ManagerDesk me={session.person} currency={currency} storeName={storeName} program={program} signIn={signIn} />
          </Suspense>
        ) : view === 'offers' ? (
          <Suspense fallback={loading}>
            <OffersScreen api={api} />
          </Suspense>
        ) : view === 'log' ? (
          <Suspense fallback={loading}>
            <LogScreen />
          </Suspense>
        ) : (
          <CounterScreen />
        ))}
    </div>
  );
}
