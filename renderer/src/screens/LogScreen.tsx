import { useTranslation } from 'react-i18next';
import { formatPoints, centsToDecimalString } from '../../../shared/money';
import { ErrorMessage } from '../components/ErrorMessage';
import { showTime } from '../lib/format';
import { usePos } from '../state/context';
import { TID } from '../testids';

/** Recent log entries, newest first. The manager screen (filters, export, chain check) comes later. */
export function LogScreen() {
  const { t } = useTranslation();
  const log = usePos((s) => s.log);
  const load = usePos((s) => s.loadLog);
  const lang = usePos((s) => s.uiLang);
  return (
    <main className="log-screen" data-testid={TID.logScreen}>
      <div className="log-head">
        <h1>{t('counter.status.navLog')}</h1>
        <button type="button" className="btn" data-testid={TID.logRefresh} disabled={log.loading} onClick={() => void load(false)}>
          {log.loading ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      {log.error && <ErrorMessage error={log.error} lang={lang} />}
      {!log.loading && !log.error && log.entries.length === 0 && <p className="hint">{t('counter.localLog.empty')}</p>}
      {log.entries.length > 0 && (
        <div className="table-wrap">
          <table className="log-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('log.time')}</th>
                <th scope="col">{t('log.kind')}</th>
                <th scope="col">{t('log.outcome')}</th>
                <th scope="col">{t('log.member')}</th>
                <th scope="col" className="num">
                  {t('log.points')}
                </th>
                <th scope="col" className="num">
                  {t('log.amount')}
                </th>
                <th scope="col">{t('log.sale')}</th>
                <th scope="col">{t('counter.localLog.by')}</th>
              </tr>
            </thead>
            <tbody>
              {log.entries.map((e) => (
                <tr key={e.seq} data-testid={TID.logRow} data-kind={e.kind}>
                  <td>{e.seq}</td>
                  <td>{showTime(e.at)}</td>
                  <td>{e.kind}</td>
                  <td>{e.outcome}</td>
                  <td>{e.memberMasked ?? ''}</td>
                  <td className="num">{e.pointsMilli === null ? '' : formatPoints(e.pointsMilli)}</td>
                  <td className="num">{e.amountCents === null ? '' : `${centsToDecimalString(e.amountCents)} ${e.currency ?? ''}`}</td>
                  <td className="mono">{e.saleId ? e.saleId.slice(-8) : ''}</td>
                  <td>{e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasMore && (
        <button type="button" className="btn" data-testid={TID.logMore} disabled={log.loading} onClick={() => void load(true)}>
          {t('log.loadMore')}
        </button>
      )}
    </main>
  );
}
