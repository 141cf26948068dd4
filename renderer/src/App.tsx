import { useEffect } from 'react';
import { CounterScreen } from './screens/CounterScreen';
import { LogScreen } from './screens/LogScreen';
import { StatusBar } from './components/StatusBar';
import { ErrorMessage } from './components/ErrorMessage';
import { createWedge } from './scanner/wedge';
import { usePos, usePosStore } from './state/context';
import { TID } from './testids';

export function App() {
  const store = usePosStore();
  const view = usePos((s) => s.view);
  const status = usePos((s) => s.status);
  const statusError = usePos((s) => s.statusError);
  const lang = usePos((s) => s.uiLang);
  const refresh = usePos((s) => s.refresh);

  useEffect(() => store.getState().start(), [store]);

  // The USB scanner works wherever the focus is: one wedge on the document, one way in (identify).
  useEffect(() => {
    const wedge = createWedge({ onScan: (scan) => void store.getState().identify(scan.code, 'scanner') });
    return wedge.attach(document);
  }, [store]);

  return (
    <div className={`app ${status?.training ? 'app-training' : ''}`}>
      <StatusBar />
      {!status && !statusError && (
        <div className="loading-screen" data-testid={TID.loading} role="status">
          <span className="spinner" aria-hidden="true" /> Connecting to the terminal…
        </div>
      )}
      {statusError && (
        <div className="status-error" data-testid={TID.statusError}>
          <ErrorMessage error={statusError} lang={lang} />
          <button type="button" className="btn" data-testid={TID.statusRetry} onClick={() => void refresh()}>
            Try again
          </button>
        </div>
      )}
      {view === 'log' ? <LogScreen /> : <CounterScreen />}
    </div>
  );
}
