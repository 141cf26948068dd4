import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from '../i18n/react';
import { centsToDecimalString } from '../../../shared/money';
import { asErrorInfo } from '../api/client';
import { QK, QueryProvider } from '../api/queries';
import { ErrorMessage } from '../components/ErrorMessage';
import { useFmt } from '../i18n/useFmt';
import { usePos } from '../state/context';
import { TID } from '../testids';
import { useApi } from './manager/api-context';
import { usePeopleNames } from './manager/desk-queries';
import { kindWords } from './manager/log-words';

const PAGE = 50;

/** This terminal's recent log entries, newest first, for anyone signed in (the manager's desk has filters, export and the chain check). */
export function LogScreen() {
  return (
    <QueryProvider>
      <LocalLog />
    </QueryProvider>
  );
}

/** The log page by page, keyset on the entry number: each page starts below the last one shown (no offsets, no gaps as entries are added). */
function useLogPages() {
  const api = useApi();
  const query = useInfiniteQuery({
    queryKey: QK.counterLog,
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => api.listLog(pageParam === undefined ? { limit: PAGE } : { limit: PAGE, beforeSeq: pageParam }),
    getNextPageParam: (last) => (last.entries.length === PAGE ? last.entries.at(-1)?.seq : undefined),
    // Opening the log shows it as it is now.
    refetchOnMount: 'always',
  });
  return {
    entries: query.data?.pages.flatMap((p) => p.entries) ?? [],
    loading: query.isFetching,
    error: query.error ? asErrorInfo(query.error) : null,
    hasMore: query.hasNextPage,
    refresh: () => void query.refetch(),
    more: () => void query.fetchNextPage(),
  };
}

function LocalLog() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const log = useLogPages();
  const lang = usePos((s) => s.uiLang);
  const names = usePeopleNames();
  return (
    <main className="log-screen" data-testid={TID.logScreen}>
      <div className="log-head">
        <h1>{t('counter.status.navLog')}</h1>
        <button type="button" className="btn" data-testid={TID.logRefresh} disabled={log.loading} onClick={log.refresh}>
          {log.loading ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      {log.error && <ErrorMessage error={log.error} lang={lang} />}
      {!log.loading && !log.error && log.entries.length === 0 && <p className="hint">{t('counter.localLog.empty')}</p>}
      {log.entries.length > 0 && (
        // Scrolls sideways on a narrow screen: focusable, so the keyboard can scroll it too.
        <div className="table-wrap" tabIndex={0} role="region" aria-label={t('counter.status.navLog')}>
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
                  <td title={e.at}>{fmt.dateTime(e.at)}</td>
                  <td title={e.kind}>{kindWords(fmt, e.kind, e.outcome)}</td>
                  <td title={e.outcome} data-outcome={e.outcome}>
                    {fmt.outcome(e.outcome)}
                  </td>
                  <td>{e.memberMasked ?? ''}</td>
                  <td className="num">{e.pointsMilli === null ? '' : fmt.points(e.pointsMilli)}</td>
                  <td className="num">
                    {e.amountCents === null ? '' : e.currency ? fmt.amount(e.amountCents, e.currency) : centsToDecimalString(e.amountCents)}
                  </td>
                  <td className="mono">{e.saleId ? e.saleId.slice(-8) : ''}</td>
                  <td title={e.actor}>{e.actor === 'terminal' ? t('common.terminal') : (names.get(e.actor) ?? e.actor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasMore && (
        <button type="button" className="btn" data-testid={TID.logMore} disabled={log.loading} onClick={log.more}>
          {t('log.loadMore')}
        </button>
      )}
    </main>
  );
}
