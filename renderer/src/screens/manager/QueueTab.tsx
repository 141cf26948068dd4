import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueRowView } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';

const REFRESH_MS = 5000;

/** What waits to be sent: how old, how many attempts, the last error; "retry now" per sale or for all. */
export function QueueTab() {
  const { api, asManager, openSale, refreshCounts } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [rows, setRows] = useState<QueueRowView[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const r = await api.listQueue({});
      setRows(r.rows);
      setTotal(r.total);
      setError(null);
    } catch (e) {
      setError(asErrorInfo(e));
    }
  }, [api]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => {
      if (!document.hidden) void load();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const retry = async (saleId?: string) => {
    setBusy(saleId ?? '*');
    setNotice(null);
    setError(null);
    try {
      const r = await asManager((approval) => api.retryQueue({ ...(saleId ? { saleId } : {}), ...(approval ? { approval } : {}) }), { reason: 'none' });
      if (r) setNotice(t('queue.madeDue', { count: r.madeDue }));
      setTimeout(() => {
        void load();
        refreshCounts();
      }, 800);
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="desk-panel">
      <div className="desk-head">
        <h1>{t('desk.queue')}</h1>
        <span className="pill-light" data-testid={MTID.queueTotal} data-value={total}>
          {t('queue.waiting', { count: fmt.count(total) })}
        </span>
        <button type="button" className="btn btn-primary btn-small" disabled={busy !== null || total === 0} data-testid={MTID.queueRetryAll} onClick={() => void retry()}>
          {t('queue.retryAll')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </div>
      {notice && (
        <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
          {notice}
        </p>
      )}
      {error && <LocalizedError error={error} />}
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
                <th scope="col">
                  <span className="visually-hidden">{t('queue.retryNow')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid={MTID.queueRow} data-sale-id={r.saleId} data-attempts={r.attempts}>
                  <td>
                    <button type="button" className="link-button mono" onClick={() => openSale(r.saleId)}>
                      {r.saleId.slice(-8)}
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
                  <td>
                    <button type="button" className="btn btn-small" disabled={busy !== null} data-testid={MTID.queueRetry} onClick={() => void retry(r.saleId)}>
                      {busy === r.saleId ? t('common.working') : t('queue.retryNow')}
                    </button>
                  </td>
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
