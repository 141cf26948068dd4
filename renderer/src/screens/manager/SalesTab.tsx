import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { SaleView } from '../../../../shared/domain';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { useDesk } from './desk-context';
import { DQK, usePeopleNames } from './desk-queries';

const PAGE = 50;

/**
 * What the state alone does not say: the program refused the points (also
 * after the sale was paid offline), or the outcome waits for a person.
 */
function flag(s: SaleView): 'refused' | 'attention' | null {
  if (s.state === 'cancelled') return null;
  if (s.redemption === 'refused') return 'refused';
  if (s.redemption === 'attention') return s.error && s.error.code !== 'OUTCOME_UNKNOWN' ? 'refused' : 'attention';
  return null;
}

/** Today's sales, newest first: open one to see it, void it or refund part of it. */
export function SalesTab() {
  const { api, openSale } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [last4, setLast4] = useState('');
  const names = usePeopleNames();
  const digits = last4.replace(/\D/g, '');
  const memberLast4 = digits.length === 4 ? digits : '';
  // Keyset pages: each starts before the oldest sale shown (no offsets: a new sale does not shift the pages).
  const query = useInfiniteQuery({
    queryKey: [...DQK.sales, memberLast4],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.listSales({ limit: PAGE, ...(pageParam ? { beforeCreatedAt: pageParam } : {}), ...(memberLast4 ? { memberLast4 } : {}) }),
    getNextPageParam: (last) => (last.sales.length === PAGE ? last.sales.at(-1)?.createdAt : undefined),
  });
  const sales = query.data?.pages.flatMap((p) => p.sales) ?? [];
  const loading = query.isFetching;
  const error = query.error ? asErrorInfo(query.error) : null;
  const more = query.hasNextPage;

  return (
    <div className="desk-panel">
      <div className="desk-head">
        <h1>{t('sales.title')}</h1>
        <label className="inline-field">
          {t('log.memberLast4')}
          <input className="field field-small" inputMode="numeric" maxLength={4} value={last4} onChange={(e) => setLast4(e.target.value)} />
        </label>
        <button type="button" className="btn" disabled={loading} onClick={() => void query.refetch()}>
          {loading ? t('common.loading') : t('common.refresh')}
        </button>
      </div>
      {error && <LocalizedError error={error} />}
      {!loading && !error && sales.length === 0 && (
        <p className="empty" data-testid={MTID.salesEmpty}>
          {t('sales.empty')}
        </p>
      )}
      {sales.length > 0 && (
        <div className="table-wrap">
          <table className="desk-table">
            <thead>
              <tr>
                <th scope="col">{t('sales.time')}</th>
                <th scope="col">{t('sales.state')}</th>
                <th scope="col">{t('manager.sales.cashier')}</th>
                <th scope="col">{t('log.member')}</th>
                <th scope="col" className="num">
                  {t('sale.basket')}
                </th>
                <th scope="col" className="num">
                  {t('sale.points')}
                </th>
                <th scope="col" className="num">
                  {t('sale.discount')}
                </th>
                <th scope="col" className="num">
                  {t('sale.refunded')}
                </th>
                <th scope="col">
                  <span className="visually-hidden">{t('sales.open')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sales.map((s) => (
                <tr key={s.id} data-testid={MTID.salesRow} data-sale-id={s.id} data-state={s.state} className="clickable" onClick={() => openSale(s.id)}>
                  <td>{fmt.time(s.createdAt)}</td>
                  <td>
                    <span className={`state state-${s.state}`}>{t(`sale.states.${s.state}`)}</span>
                    {flag(s) && (
                      <span className={`state-flag state-flag-${flag(s)}`} data-testid={MTID.salesFlag} data-flag={flag(s)}>
                        {flag(s) === 'refused' ? t('manager.sales.refusedFlag') : t('manager.sales.attentionFlag')}
                      </span>
                    )}
                  </td>
                  <td data-testid={MTID.salesCashier}>{s.cashierId ? (names.get(s.cashierId) ?? s.cashierId) : '—'}</td>
                  <td className="mono">{s.member?.masked ?? '—'}</td>
                  <td className="num">{fmt.amount(s.basket.cents, s.basket.currency)}</td>
                  {/* A cancelled sale took no points: nothing to show, whatever was quoted. */}
                  <td className="num" data-testid={MTID.salesPoints}>
                    {s.quote && s.state !== 'cancelled' ? fmt.points(s.quote.pointsMilli, s.terms?.decimals ?? 3) : '—'}
                  </td>
                  <td className="num">{s.quote && s.state !== 'cancelled' ? fmt.amount(s.quote.discount.cents, s.quote.discount.currency) : '—'}</td>
                  <td className="num">{s.refunded.cents ? fmt.amount(s.refunded.cents, s.basket.currency) : '—'}</td>
                  <td>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={(e) => {
                        e.stopPropagation();
                        openSale(s.id);
                      }}
                    >
                      {t('sales.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {more && (
        <button type="button" className="btn" data-testid={MTID.salesMore} disabled={loading} onClick={() => void query.fetchNextPage()}>
          {t('sales.more')}
        </button>
      )}
    </div>
  );
}
