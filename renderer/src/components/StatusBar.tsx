import { memo } from 'react';
import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import { usePos } from '../state/context';
import { TID } from '../testids';

/**
 * Always on screen: training banner, store, online/offline (with the last
 * answer while offline), the number of redemptions waiting to be sent,
 * navigation. Every figure comes from the service's pushed status.
 */
export const StatusBar = memo(function StatusBar() {
  const { t } = useTranslation();
  // The status's parts, not the whole status: it is pushed after every call that reached the program
  // (its last answer's time moves), and only the online pill shows that time (issue 18: a slow PC).
  const status = useBarStatus();
  const connected = usePos((s) => s.connected);
  const restarting = usePos((s) => s.serviceRestarting);
  const view = usePos((s) => s.view);
  const setView = usePos((s) => s.setView);
  const waiting = status?.queue.waiting ?? 0;
  const attention = status?.queue.attention ?? 0;
  const tab = (v: typeof view, testId: string, label: string) => (
    <button type="button" className={`tab ${view === v ? 'tab-on' : ''}`} aria-pressed={view === v} data-testid={testId} onClick={() => setView(v)}>
      {label}
    </button>
  );
  return (
    <header className="statusbar">
      {status?.training && (
        <div className="training-banner" data-testid={TID.trainingBanner} role="status">
          <span>{t('counter.status.training')}</span>
        </div>
      )}
      <div className="statusbar-row">
        <div className="statusbar-where">
          <strong data-testid={TID.storeName}>{status?.storeName ?? 'Pay with Points'}</strong>
          {status && (
            <span className="muted">
              {' '}
              · <span data-testid={TID.terminalName}>{status.terminalName}</span> · {status.programName}
              {status.mode === 'live' && (
                <span data-testid="status-live-environment" data-environment={status.environment ?? ''}>
                  {' '}
                  ({status.environment ? t(`goLive.env.${status.environment}`) : t('goLive.env.other')})
                </span>
              )}
              {status.problem !== undefined && (
                <span className="pill pill-bad" data-testid="status-connection-problem" role="alert">
                  {status.problem}
                </span>
              )}
            </span>
          )}
        </div>
        <div className="statusbar-indicators">
          {restarting && (
            <span className="pill pill-bad" data-testid={TID.serviceRestarting} role="status">
              {t('counter.status.restarting')}
            </span>
          )}
          {connected === false && (
            <span className="pill pill-bad" data-testid={TID.connectionLost} role="status">
              {t('counter.status.disconnected')}
            </span>
          )}
          {status && <OnlinePill />}
          {status && (
            <span className={`pill ${waiting > 0 ? 'pill-warn' : ''}`} role="status">
              {t('counter.status.waiting')}: <strong data-testid={TID.queueCount}>{waiting}</strong>
            </span>
          )}
          {attention > 0 && (
            <span className="pill pill-bad" role="status">
              {t('counter.status.attention')}: <strong data-testid={TID.queueAttention}>{attention}</strong>
            </span>
          )}
        </div>
        <nav className="statusbar-nav" aria-label={t('counter.status.screens')}>
          {tab('counter', TID.navCounter, t('counter.status.navCounter'))}
          {tab('offers', TID.navOffers, t('counter.status.navOffers'))}
          {tab('log', TID.navLog, t('counter.status.navLog'))}
        </nav>
      </div>
    </header>
  );
});

/**
 * What the bar shows of the status, field by field (primitives: a push that moves only the last
 * answer's time leaves them all equal, and the bar is not rendered again).
 */
function useBarStatus() {
  const known = usePos((s) => s.status !== null);
  const training = usePos((s) => s.status?.training);
  const storeName = usePos((s) => s.status?.storeName);
  const terminalName = usePos((s) => s.status?.terminalName ?? s.status?.terminalId);
  const programName = usePos((s) => s.status?.backend.name);
  const mode = usePos((s) => s.status?.mode);
  const environment = usePos((s) => s.status?.environment);
  const problem = usePos((s) => s.status?.connectionProblem?.message);
  const waiting = usePos((s) => s.status?.queue.waiting);
  const attention = usePos((s) => s.status?.queue.attention);
  return known ? { training, storeName, terminalName, programName, mode, environment, problem, queue: { waiting, attention } } : null;
}

/** Online, offline or sending failing, with the program's last answer (its time moves with every call). */
const OnlinePill = memo(function OnlinePill() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const online = usePos((s) => s.status?.online);
  const sendingFails = usePos((s) => s.status?.sendingFails);
  const lastContactAt = usePos((s) => s.status?.lastContactAt);
  const lastAnswer = lastContactAt ? t('counter.status.lastAnswer', { time: fmt.time(lastContactAt) }) : t('counter.status.noAnswer');
  return (
    <span
      className={`pill ${!online ? 'pill-bad' : sendingFails ? 'pill-warn' : 'pill-good'}`}
      data-testid={TID.statusOnline}
      data-online={String(online)}
      data-sending={sendingFails ? 'failing' : 'ok'}
      role="status"
      title={lastAnswer}
    >
      <span className="dot" aria-hidden="true" />
      {/* Reads can work while every post fails (a 503 on POST): then "Online" would mislead. */}
      {!online ? t('counter.status.offline') : sendingFails ? t('counter.status.sendingFails') : t('counter.status.online')}
      {!online && lastContactAt && (
        <span className="pill-note" data-testid={TID.statusLastAnswer}>
          · {t('counter.status.lastAnswerAt', { time: fmt.time(lastContactAt) })}
        </span>
      )}
    </span>
  );
});
