import { usePos } from '../state/context';
import { TID } from '../testids';

/** Always on screen: training banner, store, online/offline, queue depth, navigation. */
export function StatusBar() {
  const status = usePos((s) => s.status);
  const connected = usePos((s) => s.connected);
  const view = usePos((s) => s.view);
  const setView = usePos((s) => s.setView);
  const waiting = status?.queue.waiting ?? 0;
  const attention = status?.queue.attention ?? 0;
  return (
    <header className="statusbar">
      {status?.training && (
        <div className="training-banner" data-testid={TID.trainingBanner} role="status">
          <span>TRAINING — no real points</span>
        </div>
      )}
      <div className="statusbar-row">
        <div className="statusbar-where">
          <strong>{status?.storeName ?? 'Pay with Points'}</strong>
          {status && (
            <span className="muted">
              {' '}
              · {status.terminalId} · {status.backend.name}
            </span>
          )}
        </div>
        <div className="statusbar-indicators">
          {connected === false && (
            <span className="pill pill-bad" data-testid={TID.connectionLost} role="status">
              Terminal service disconnected — reconnecting…
            </span>
          )}
          {status && (
            <span
              className={`pill ${status.online ? 'pill-good' : 'pill-bad'}`}
              data-testid={TID.statusOnline}
              data-online={String(status.online)}
              role="status"
              title={status.lastContactAt ? `Last answer ${status.lastContactAt}` : 'No answer yet'}
            >
              <span className="dot" aria-hidden="true" />
              {status.online ? 'Online' : 'Offline'}
            </span>
          )}
          {status && (
            <span className={`pill ${waiting > 0 ? 'pill-warn' : ''}`} role="status">
              Waiting to send: <strong data-testid={TID.queueCount}>{waiting}</strong>
            </span>
          )}
          {attention > 0 && (
            <span className="pill pill-bad" role="status">
              Need a manager: <strong data-testid={TID.queueAttention}>{attention}</strong>
            </span>
          )}
        </div>
        <nav className="statusbar-nav" aria-label="Screens">
          <button type="button" className={`tab ${view === 'counter' ? 'tab-on' : ''}`} aria-pressed={view === 'counter'} data-testid={TID.navCounter} onClick={() => setView('counter')}>
            Counter
          </button>
          <button type="button" className={`tab ${view === 'log' ? 'tab-on' : ''}`} aria-pressed={view === 'log'} data-testid={TID.navLog} onClick={() => setView('log')}>
            Log
          </button>
        </nav>
      </div>
    </header>
  );
}
