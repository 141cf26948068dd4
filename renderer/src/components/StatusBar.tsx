import { memo } from 'react';
import { useTranslation } from 'react-i18next';
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
  const fmt = useFmt();
  const status = usePos((s) => s.status);
  const connected = usePos((s) => s.connected);
  const restarting = usePos((s) => s.serviceRestarting);
  const view = usePos((s) => s.view);
  const setView = usePos((s) => s.setView);
  const waiting = status?.queue.waiting ?? 0;
  const attention = status?.queue.attention ?? 0;
  const lastAnswer = status?.lastContactAt ? t('counter.status.lastAnswer', { time: fmt.time(status.lastContactAt) }) : t('counter.status.noAnswer');
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
              · <span data-testid={TID.terminalName}>{status.terminalName ?? status.terminalId}</span> · {status.backend.name}
              {status.mode === 'live' && (
                <span data-testid="status-live-environment" data-environment={status.environment ?? ''}>
                  {' '}
                  ({status.environment ? t(`goLive.env.${status.environment}`) : t('goLive.env.other')})
                </span>
              )}
              {status.connectionProblem && (
                <span className="pill pill-bad" data-testid="status-connection-problem" role="alert">
                  {status.connectionProblem.message}
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
          {status && (
            <span
              className={`pill ${!status.online ? 'pill-bad' : status.sendingFails ? 'pill-warn' : 'pill-good'}`}
              data-testid={TID.statusOnline}
              data-online={String(status.online)}
              data-sending={status.sendingFails ? 'failing' : 'ok'}
              role="status"
              title={lastAnswer}
            >
              <span className="dot" aria-hidden="true" />
              {/* Reads can work while every post fails (a 503 on POST): then "Online" would mislead. */}
              {!status.online ? t('counter.status.offline') : status.sendingFails ? t('counter.status.sendingFails') : t('counter.status.online')}
              {!status.online && status.lastContactAt && (
                <span className="pill-note" data-testid={TID.statusLastAnswer}>
                  · {t('counter.status.lastAnswerAt', { time: fmt.time(status.lastContactAt) })}
                </span>
              )}
            </span>
          )}
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
