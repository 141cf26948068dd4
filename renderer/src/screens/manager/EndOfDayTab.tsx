import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { EndOfDaySummary, EndOfDayTotals } from '../../../../shared/contract/manager';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { HourChart } from './HourChart';
import { dayRange, today } from './dates';
import { DateField } from './DateField';
import { useDesk } from './desk-context';
import { ExportResult, useExport } from './ExportLink';

/** The query key of a day's summary (mutations that change the day's figures invalidate ['end-of-day']). */
export const endOfDayKey = (day: string) => ['end-of-day', day] as const;

/**
 * The day's close: net figures after voids and refunds, refusals apart, by
 * cashier and by the manager who voided or refunded, the day by hour;
 * printable (with the store, the terminal, TRAINING and a warning when the
 * log was found changed) and exportable.
 */
export function EndOfDayTab() {
  const { api, storeName } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const [day, setDay] = useState(today());
  const range = dayRange(day);
  const query = useQuery({
    queryKey: endOfDayKey(day),
    queryFn: () => api.getEndOfDay(range!),
    enabled: range !== null,
  });
  const exp = useExport();

  const s = query.data ?? null;
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
          <DateField value={day} testId={MTID.eodDay} onChange={setDay} />
        </label>
        <div className="no-print head-buttons">
          <button type="button" className="btn btn-small" disabled={query.isFetching} onClick={() => void query.refetch()}>
            {query.isFetching ? t('common.loading') : t('common.refresh')}
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
      {query.error && <LocalizedError error={asErrorInfo(query.error)} />}
      {s && (
        <>
          <p className="eod-identity" data-testid={MTID.eodIdentity}>
            <span>{storeName}</span> · <span>{t('manager.eod.terminal', { name: s.terminalName })}</span> · <span>{fmt.date(s.from)}</span>
            {s.training && (
              <strong className="eod-training" data-testid={MTID.eodTraining}>
                {t('manager.eod.training')}
              </strong>
            )}
          </p>
          {s.logTampered && (
            <p className="message message-error eod-tampered" role="alert" data-testid={MTID.eodTampered}>
              {t('manager.eod.tampered', {
                seq: s.logTampered.firstBadSeq ?? '?',
                time: fmt.dateTime(s.logTampered.checkedAt),
              })}
            </p>
          )}
          <div className="figures">
            {figure('redemptions', t('endOfDay.redemptions'), fmt.count(s.totals.redemptions), s.totals.redemptions)}
            {figure('points', t('endOfDay.points'), fmt.points(s.totals.pointsMilli), s.totals.pointsMilli)}
            {figure('discounts', t('endOfDay.discounts'), money(s.totals.discountCents), s.totals.discountCents)}
            {figure('netPoints', t('manager.eod.netPoints'), fmt.points(s.totals.netPointsMilli), s.totals.netPointsMilli, 'figure-main')}
            {figure('netDiscounts', t('manager.eod.netDiscounts'), money(s.totals.netDiscountCents), s.totals.netDiscountCents, 'figure-main')}
            {figure('refunds', t('endOfDay.refunds'), `${fmt.count(s.totals.refunds)} · ${money(s.totals.refundedCents)}`, s.totals.refunds)}
            {figure('refundedPoints', t('manager.eod.refundedPoints'), fmt.points(s.totals.refundedPointsMilli), s.totals.refundedPointsMilli)}
            {figure('voids', t('endOfDay.voids'), fmt.count(s.totals.voids), s.totals.voids)}
            {figure('voidedPoints', t('manager.eod.voidedPoints'), fmt.points(s.totals.voidedPointsMilli), s.totals.voidedPointsMilli)}
            {figure('overrides', t('endOfDay.overrides'), fmt.count(s.totals.overrides), s.totals.overrides)}
            {figure('offline', t('endOfDay.offlineAccepted'), fmt.count(s.totals.offlineAccepted), s.totals.offlineAccepted)}
            {figure(
              'refused',
              t('endOfDay.refused'),
              `${fmt.count(s.totals.refusedRedemptions)} · ${fmt.points(s.totals.refusedPointsMilli)}`,
              s.totals.refusedRedemptions,
              s.totals.refusedRedemptions ? 'figure-warn' : '',
            )}
            {figure('atRisk', t('manager.eod.atRisk'), money(s.totals.atRiskCents), s.totals.atRiskCents, s.totals.atRiskCents ? 'figure-warn' : '')}
            {figure(
              'queued',
              t('endOfDay.stillQueued'),
              `${fmt.count(s.stillQueued.rows)} · ${fmt.points(s.stillQueued.pointsMilli)}`,
              s.stillQueued.rows,
              s.stillQueued.rows ? 'figure-warn' : '',
            )}
            {figure('attention', t('endOfDay.needsAttention'), fmt.count(s.needsAttention), s.needsAttention, s.needsAttention ? 'figure-bad' : '')}
          </div>
          <p className="hint">{t('manager.eod.netHelp')}</p>

          {s.cardLinked.purchases + s.cardLinked.refunds > 0 && (
            <section aria-label={t('endOfDay.cardLinked')}>
              <h2>{t('endOfDay.cardLinked')}</h2>
              <div className="figures">
                {figure(
                  'cardLinkedPurchases',
                  t('endOfDay.cardLinkedPurchases'),
                  `${fmt.count(s.cardLinked.purchases)} · ${money(s.cardLinked.purchaseCents)}`,
                  s.cardLinked.purchaseCents,
                )}
                {figure(
                  'cardLinkedCashback',
                  t('endOfDay.cardLinkedCashback'),
                  // Pentadata reports no discount: a figure only from notices naming an offer whose terms are set here.
                  s.cardLinked.cashbackKnown === 0
                    ? t('endOfDay.cardLinkedCashbackUnknown')
                    : money(s.cardLinked.cashbackCents - s.cardLinked.refundCashbackCents),
                  s.cardLinked.cashbackCents - s.cardLinked.refundCashbackCents,
                )}
                {figure(
                  'cardLinkedRefunds',
                  t('endOfDay.cardLinkedRefunds'),
                  `${fmt.count(s.cardLinked.refunds)} · ${money(s.cardLinked.refundCents)}`,
                  s.cardLinked.refundCents,
                )}
              </div>
            </section>
          )}

          {s.totals.redemptions === 0 ? <p className="empty">{t('endOfDay.noData')}</p> : <HourChart summary={s} />}

          <h2>{t('endOfDay.byCashier')}</h2>
          <CashierTable s={s} money={money} />

          {s.byManager.length > 0 && (
            <>
              <h2>{t('manager.eod.byManager')}</h2>
              <div className="table-wrap">
                <table className="desk-table eod-table" data-testid={MTID.eodManagers}>
                  <thead>
                    <tr>
                      <th scope="col">{t('manager.eod.manager')}</th>
                      <th scope="col" className="num">
                        {t('endOfDay.voids')}
                      </th>
                      <th scope="col" className="num">
                        {t('manager.eod.voidedPoints')}
                      </th>
                      <th scope="col" className="num">
                        {t('endOfDay.refunds')}
                      </th>
                      <th scope="col" className="num">
                        {t('manager.eod.refundedPoints')}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.byManager.map((m) => (
                      <tr key={m.personId} data-testid={MTID.eodManager} data-person-id={m.personId} data-voids={m.voids} data-refunds={m.refunds}>
                        <td>{m.name ?? m.personId}</td>
                        <td className="num">{fmt.count(m.voids)}</td>
                        <td className="num">{fmt.points(m.voidedPointsMilli)}</td>
                        <td className="num">
                          {fmt.count(m.refunds)} · {money(m.refundedCents)}
                        </td>
                        <td className="num">{fmt.points(m.refundedPointsMilli)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          <p className="hint eod-foot">
            {t('endOfDay.generatedAt', { time: fmt.dateTime(s.generatedAt) })} ·{' '}
            {t('endOfDay.logHead', {
              seq: s.logHead.seq,
              hash: s.logHead.hash.slice(0, 16),
            })}
          </p>
        </>
      )}
    </div>
  );
}

/** By cashier: what each sold, and the voids and refunds of their sales (whoever made them). */
function CashierTable({ s, money }: { s: EndOfDaySummary; money: (cents: number) => string }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const cells = (c: EndOfDayTotals) => (
    <>
      <td className="num">{fmt.count(c.redemptions)}</td>
      <td className="num">{fmt.points(c.pointsMilli)}</td>
      <td className="num">{money(c.discountCents)}</td>
      <td className="num">
        {fmt.count(c.refunds)} · {money(c.refundedCents)}
      </td>
      <td className="num">{fmt.count(c.voids)}</td>
      <td className="num">{fmt.points(c.netPointsMilli)}</td>
      <td className="num">{money(c.netDiscountCents)}</td>
      <td className="num">{fmt.count(c.overrides)}</td>
      <td className="num">{fmt.count(c.refusedRedemptions)}</td>
    </>
  );
  return (
    <div className="table-wrap">
      <table className="desk-table eod-table" data-testid={MTID.eodCashiers}>
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
              {t('manager.eod.netPoints')}
            </th>
            <th scope="col" className="num">
              {t('manager.eod.netDiscounts')}
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
            <tr
              key={c.personId}
              data-testid={MTID.eodCashier}
              data-person-id={c.personId}
              data-redemptions={c.redemptions}
              data-cents={c.discountCents}
              data-net-points={c.netPointsMilli}
              data-net-cents={c.netDiscountCents}
              data-voids={c.voids}
              data-refunds={c.refunds}
              data-refused={c.refusedRedemptions}
            >
              <td>{c.name ?? c.personId}</td>
              {cells(c)}
            </tr>
          ))}
        </tbody>
        {s.byCashier.length > 1 && (
          <tfoot>
            <tr>
              <th scope="row">{t('endOfDay.total')}</th>
              {cells(s.totals)}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
