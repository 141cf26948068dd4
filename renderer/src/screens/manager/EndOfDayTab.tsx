import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EndOfDaySummary } from '../../../../shared/contract/manager';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { HourChart } from './BarChart';
import { dayRange, today } from './dates';
import { useDesk } from './desk-context';
import { ExportResult, useExport } from './ExportLink';

/** The day's close: totals, by cashier, the day by hour; printable and exportable as CSV. */
export function EndOfDayTab() {
  const { api, storeName } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [day, setDay] = useState(today());
  const [summary, setSummary] = useState<EndOfDaySummary | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const exp = useExport();

  const load = useCallback(async () => {
    const range = dayRange(day);
    if (!range) return;
    setLoading(true);
    try {
      setSummary(await api.getEndOfDay(range));
      setError(null);
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setLoading(false);
    }
  }, [api, day]);

  useEffect(() => {
    void load();
  }, [load]);

  const s = summary;
  const money = (cents: number) => fmt.amount(cents, s?.currency ?? 'EUR');
  const figure = (key: string, label: string, shown: string, value: number, tone = '') => (
    <div className={`figure ${tone}`} data-testid={MTID.eodFigure(key)} data-value={value}>
      <span className="figure-label">{label}</span>
      <span className="figure-value">{shown}</span>
    </div>
  );

  return (
    <div className="desk-panel eod" data-testid={MTID.eod}>
      <div className="desk-head">
        <h1>{t('endOfDay.title')}</h1>
        <label className="inline-field no-print">
          {t('endOfDay.day')}
          <input type="date" className="field field-small" value={day} data-testid={MTID.eodDay} onChange={(e) => setDay(e.target.value)} />
        </label>
        <span className="print-only">
          {storeName} · {s ? fmt.date(s.from) : ''}
        </span>
        <div className="no-print head-buttons">
          <button type="button" className="btn btn-small" disabled={loading} onClick={() => void load()}>
            {loading ? t('common.loading') : t('common.refresh')}
          </button>
          <button type="button" className="btn btn-small" data-testid={MTID.eodPrint} disabled={!s} onClick={() => window.print()}>
            {t('endOfDay.print')}
          </button>
          <button
            type="button"
            className="btn btn-small"
            data-testid={MTID.eodExport}
            disabled={exp.busy || !s}
            onClick={() => {
              const range = dayRange(day);
              if (range) void exp.request({ what: 'end-of-day', ...range });
            }}
          >
            {exp.busy ? t('exportCsv.preparing') : t('desk.export')}
          </button>
        </div>
      </div>
      <div className="no-print">
        <ExportResult ticket={exp.ticket} error={exp.error} onUsed={exp.clear} />
      </div>
      {error && <LocalizedError error={error} />}
      {s && (
        <>
          <div className="figures">
            {figure('redemptions', t('endOfDay.redemptions'), fmt.count(s.totals.redemptions), s.totals.redemptions, 'figure-main')}
            {figure('points', t('endOfDay.points'), fmt.points(s.totals.pointsMilli), s.totals.pointsMilli, 'figure-main')}
            {figure('discounts', t('endOfDay.discounts'), money(s.totals.discountCents), s.totals.discountCents, 'figure-main')}
            {figure('refunds', t('endOfDay.refunds'), `${fmt.count(s.totals.refunds)} · ${money(s.totals.refundedCents)}`, s.totals.refunds)}
            {figure('voids', t('endOfDay.voids'), fmt.count(s.totals.voids), s.totals.voids)}
            {figure('overrides', t('endOfDay.overrides'), fmt.count(s.totals.overrides), s.totals.overrides)}
            {figure('offline', t('endOfDay.offlineAccepted'), fmt.count(s.totals.offlineAccepted), s.totals.offlineAccepted)}
            {figure('refused', t('endOfDay.refused'), fmt.count(s.totals.refusedRedemptions), s.totals.refusedRedemptions, s.totals.refusedRedemptions ? 'figure-warn' : '')}
            {figure('queued', t('endOfDay.stillQueued'), `${fmt.count(s.stillQueued.rows)} · ${fmt.points(s.stillQueued.pointsMilli)}`, s.stillQueued.rows, s.stillQueued.rows ? 'figure-warn' : '')}
            {figure('attention', t('endOfDay.needsAttention'), fmt.count(s.needsAttention), s.needsAttention, s.needsAttention ? 'figure-bad' : '')}
          </div>

          {s.cardLinked.purchases + s.cardLinked.refunds > 0 && (
            <section aria-label={t('endOfDay.cardLinked')}>
              <h2>{t('endOfDay.cardLinked')}</h2>
              <div className="figures">
                {figure('cardLinkedPurchases', t('endOfDay.cardLinkedPurchases'), `${fmt.count(s.cardLinked.purchases)} · ${money(s.cardLinked.purchaseCents)}`, s.cardLinked.purchaseCents)}
                {figure('cardLinkedCashback', t('endOfDay.cardLinkedCashback'), money(s.cardLinked.cashbackCents - s.cardLinked.refundCashbackCents), s.cardLinked.cashbackCents - s.cardLinked.refundCashbackCents)}
                {figure('cardLinkedRefunds', t('endOfDay.cardLinkedRefunds'), `${fmt.count(s.cardLinked.refunds)} · ${money(s.cardLinked.refundCents)}`, s.cardLinked.refundCents)}
              </div>
            </section>
          )}

          {s.totals.redemptions === 0 ? <p className="empty">{t('endOfDay.noData')}</p> : <HourChart summary={s} />}

          <h2>{t('endOfDay.byCashier')}</h2>
          <div className="table-wrap">
            <table className="desk-table">
              <thead>
                <tr>
                  <th scope="col">{t('endOfDay.cashier')}</th>
                  <th scope="col" className="num">
                    {t('endOfDay.redemptions')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.points')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.discounts')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.refunds')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.voids')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.overrides')}
                  </th>
                  <th scope="col" className="num">
                    {t('endOfDay.refused')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.byCashier.map((c) => (
                  <tr key={c.personId} data-testid={MTID.eodCashier} data-person-id={c.personId} data-redemptions={c.redemptions} data-cents={c.discountCents}>
                    <td>{c.name ?? c.personId}</td>
                    <td className="num">{fmt.count(c.redemptions)}</td>
                    <td className="num">{fmt.points(c.pointsMilli)}</td>
                    <td className="num">{money(c.discountCents)}</td>
                    <td className="num">
                      {fmt.count(c.refunds)} · {money(c.refundedCents)}
                    </td>
                    <td className="num">{fmt.count(c.voids)}</td>
                    <td className="num">{fmt.count(c.overrides)}</td>
                    <td className="num">{fmt.count(c.refusedRedemptions)}</td>
                  </tr>
                ))}
              </tbody>
              {s.byCashier.length > 1 && (
                <tfoot>
                  <tr>
                    <th scope="row">{t('endOfDay.total')}</th>
                    <td className="num">{fmt.count(s.totals.redemptions)}</td>
                    <td className="num">{fmt.points(s.totals.pointsMilli)}</td>
                    <td className="num">{money(s.totals.discountCents)}</td>
                    <td className="num">
                      {fmt.count(s.totals.refunds)} · {money(s.totals.refundedCents)}
                    </td>
                    <td className="num">{fmt.count(s.totals.voids)}</td>
                    <td className="num">{fmt.count(s.totals.overrides)}</td>
                    <td className="num">{fmt.count(s.totals.refusedRedemptions)}</td>
                  </tr>
                </tfoot>
              )}
            </table>
          </div>
          <p className="hint eod-foot">
            {t('endOfDay.generatedAt', { time: fmt.dateTime(s.generatedAt) })} · {t('endOfDay.logHead', { seq: s.logHead.seq, hash: s.logHead.hash.slice(0, 16) })}
          </p>
        </>
      )}
    </div>
  );
}
