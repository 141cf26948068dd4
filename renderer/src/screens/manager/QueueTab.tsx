import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';

/** Read when shown and again whenever the service pushes new queue counts (ManagerDesk.tsx): no polling. */
const QUEUE_KEY = DQK.queue;

/** What waits to be sent: how old, how many attempts, the last error; "retry now" per sale or for all. */
export function QueueTab() {
  const { api, asManager, openSale, refreshCounts } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const queries = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const query = useQuery({ queryKey: QUEUE_KEY, queryFn: () => api.listQueue({}) });
  const retryNow = useMutation({
    mutationFn: (saleId: string | undefined) =>
      asManager((approval) => api.retryQueue({ ...(saleId ? { saleId } : {}), ...(approval ? { approval } : {}) }), { reason: 'none' }),
    onMutate: () => setNotice(null),
    onSuccess: (r) => {
      if (r) setNotice(t('queue.madeDue', { count: r.madeDue }));
      // What the retry changes: the queue, the day's figures, the tab badges.
      void queries.invalidateQueries({ queryKey: QUEUE_KEY });
      void queries.invalidateQueries({ queryKey: DQK.endOfDay });
      refreshCounts();
    },
  });
  const rows = query.data?.rows ?? null;
  const total = query.data?.total ?? 0;
  const busy = retryNow.isPending ? (retryNow.variables ?? '*') : null;
  const error = retryNow.error ?? query.error;
  const retry = (saleId?: string) => retryNow.mutate(saleId);
  const load = () => void query.refetch();

  return (
    <div className="desk-panel">
      <div className="desk-head">
        <h1>{t('desk.queue')}</h1>
        <span className="pill-light" data-testid={MTID.queueTotal} data-value={total}>
          {t('queue.waiting', { count: fmt.count(total) })}
        </span>
        <button
          type="button"
          className="btn btn-primary btn-small"
          disabled={busy !== null || total === 0}
          data-testid={MTID.queueRetryAll}
          onClick={() => retry()}
        >
          {t('queue.retryAll')}
        </button>
        <button type="button" className="btn btn-small" onClick={load}>
          {t('common.refresh')}
        </button>
      </div>
      {notice && (
        <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
          {notice}
        </p>
      )}
      {error && <LocalizedError error={asErrorInfo(error)} />}
      {rows?.length === 0 && (
        <p className="empty empty-good" data-testid={MTID.queueEmpty}>
          {t('queue.empty')}
        </p>
      )}
      {rows && rows.length > 0 && (
        <div className="table-wrap">
          <table className="desk-table">
            <thead>
              <tr>
                <th scope="col">{t('log.sale')}</th>
                <th scope="col">{t('log.kind')}</th>
                <th scope="col">{t('log.member')}</th>
                <th scope="col" className="num">
                  {t('log.points')}
                </th>
                <th scope="col">{t('queue.age')}</th>
                <th scope="col" className="num">
                  {t('queue.attempts')}
                </th>
                <th scope="col">{t('queue.lastError')}</th>
                <th scope="col">{t('queue.nextAttempt')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid={MTID.queueRow} data-sale-id={r.saleId} data-attempts={r.attempts}>
                  <td className="queue-sale">
                    <button type="button" className="link-button mono" onClick={() => openSale(r.saleId)}>
                      {r.saleId.slice(-8)}
                    </button>
                    {/* First column: never scrolled out of view on a narrow screen. */}
                    <button type="button" className="btn btn-small" disabled={busy !== null} data-testid={MTID.queueRetry} onClick={() => retry(r.saleId)}>
                      {busy === r.saleId ? t('common.working') : t('queue.retryNow')}
                    </button>
                  </td>
                  <td className="wrap-small">
                    {t(`sale.outboxKinds.${r.kind}`)}
                    {r.needsCheck && <div className="muted small">{t('queue.needsCheck')}</div>}
                  </td>
                  <td className="mono">{r.memberMasked ?? '—'}</td>
                  <td className="num">{r.pointsMilli !== null ? fmt.points(r.pointsMilli) : '—'}</td>
                  <td className={r.ageSeconds > 3600 ? 'warn-text' : ''}>{fmt.age(r.ageSeconds)}</td>
                  <td className="num">{r.attempts}</td>
                  <td className="wrap">{r.lastError ?? '—'}</td>
                  <td>{r.nextAttemptAt ? fmt.time(r.nextAttemptAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {total > rows.length && <p className="hint">{t('queue.shownOf', { shown: rows.length, total })}</p>}
        </div>
      )}
    </div>
  );
}
