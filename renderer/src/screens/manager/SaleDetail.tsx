import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from '../../i18n/react';
import type { SaleStory } from '../../../../shared/contract/manager';
import type { SaleView } from '../../../../shared/domain';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useFmt } from '../../i18n/useFmt';
import { MTID } from '../../manager-testids';
import { usePosStore } from '../../state/context';
import { useDesk } from './desk-context';
import { DQK } from './desk-queries';
import { EntryDetail } from './EntryDetail';
import { kindWords } from './log-words';
import { SlipPrint } from '../../components/SlipPrint';
import { canRefund, canVoid, checkRefund, compensationKey, refundPoints, remainingCents } from './refund';

const short = (id: string) => id.slice(-8);

/**
 * One sale on one screen: its figures, where the points stand, its whole
 * story (every log entry, every sending attempt, handled marks: managers),
 * and the manager's void and refund.
 */
export function SaleDetail({ saleId, onClose }: { saleId: string; onClose: () => void }) {
  const { api, isManager, approve, refreshCounts } = useDesk();
  const { t } = useTranslation();
  const fmt = useFmt();
  const queries = useQueryClient();
  const key = DQK.sale(saleId);
  const query = useQuery({
    queryKey: key,
    queryFn: async () => {
      const [sale, story] = await Promise.all([api.getSale({ saleId }), isManager ? api.getSaleStory({ saleId }) : Promise.resolve(null)]);
      return { sale, story };
    },
  });
  const sale = query.data?.sale ?? null;
  const story = query.data?.story ?? null;
  const error = query.error ? asErrorInfo(query.error) : null;
  const [notice, setNotice] = useState<string | null>(null);
  const [refundText, setRefundText] = useState('');
  const [refundProblem, setRefundProblem] = useState<ErrorInfo | string | null>(null);
  const load = () => queries.invalidateQueries({ queryKey: key });
  /** The service's answer, shown at once; its story is read again. */
  const setSale = (next: SaleView) => queries.setQueryData(key, (d: { sale: SaleView; story: SaleStory | null } | undefined) => d && { ...d, sale: next });

  // While points are on their way (either direction), every push about this sale reads it again: no polling.
  const store = usePosStore();
  useEffect(
    () => store.getState().watchSales((pushed) => void (pushed.id === saleId && queries.invalidateQueries({ queryKey: DQK.sale(saleId) }))),
    [store, saleId, queries],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[data-testid="approval-dialog"]')) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const doVoid = async () => {
    if (!sale) return;
    setNotice(null);
    const done = await approve(
      {
        reason: 'required',
        title: t('sale.voidTitle', { id: short(sale.id) }),
        approveLabel: t('sale.void'),
        children: <p className="hint">{t('sale.voidHelp')}</p>,
      },
      (approval) => api.voidSale({ saleId: sale.id, approval: { ...approval, reason: approval.reason ?? '' } }),
    );
    if (!done) return;
    setSale(done);
    setNotice(t('sale.voided'));
    void load();
    refreshCounts();
  };

  const doRefund = async () => {
    if (!sale) return;
    setNotice(null);
    const check = checkRefund(refundText, sale);
    if ('problem' in check) {
      setRefundProblem(check.problem === 'tooMuch' ? t('sale.refundTooMuch', { amount: fmt.amount(check.limitCents, sale.basket.currency) }) : check.error);
      return;
    }
    setRefundProblem(null);
    const amount = fmt.amount(check.cents, sale.basket.currency);
    const points = refundPoints(sale, check.cents);
    const done = await approve(
      {
        reason: 'required',
        title: t('sale.refundTitle', { amount, id: short(sale.id) }),
        approveLabel: t('sale.refund'),
        children: points > 0 ? <p className="hint">{t('sale.refundPoints', { points: fmt.points(points, sale.terms?.decimals ?? 3) })}</p> : null,
      },
      (approval) => api.refundSale({ saleId: sale.id, amountCents: check.cents, approval: { ...approval, reason: approval.reason ?? '' } }),
    );
    if (!done) return;
    setSale(done);
    setRefundText('');
    setNotice(t('sale.refundedOk', { amount }));
    void load();
    refreshCounts();
  };

  const summary = story?.sale;
  // A row a manager marked handled no longer "needs attention" (the row itself keeps its state).
  const handledItems = new Set((story?.handled ?? []).map((h) => h.item));
  const currency = sale?.basket.currency ?? summary?.currency ?? 'EUR';
  const compKey = sale ? compensationKey(sale) : null;
  const decimals = sale?.terms?.decimals ?? 3;
  const fact = (label: string, value: string | null | undefined, testId?: string, data?: Record<string, string | number>) =>
    value ? (
      <div className="fact" data-testid={testId} {...data}>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </div>
    ) : null;

  return (
    <section
      className="desk-body sale-detail"
      data-testid={MTID.sale}
      data-sale-id={saleId}
      data-state={sale?.state ?? 'loading'}
      aria-label={t('sale.title', { id: short(saleId) })}
    >
      <div className="desk-head">
        <button type="button" className="btn btn-secondary" data-testid={MTID.saleBack} onClick={onClose}>
          ← {t('common.back')}
        </button>
        <h1>
          {t('sale.title', { id: short(saleId) })} {sale && <span className={`state state-${sale.state}`}>{t(`sale.states.${sale.state}`)}</span>}
        </h1>
      </div>
      {error && <LocalizedError error={error} />}
      {notice && (
        <p className="message message-good" role="status" data-testid={MTID.deskNotice}>
          {notice}
        </p>
      )}
      {sale && (
        <div className="sale-grid">
          <div className="card">
            <dl className="facts">
              {fact(t('sale.basket'), fmt.amount(sale.basket.cents, currency), undefined, { 'data-cents': sale.basket.cents })}
              {fact(t('sale.points'), sale.quote ? fmt.points(sale.quote.pointsMilli, decimals) : null)}
              {fact(t('sale.discount'), sale.quote ? fmt.amount(sale.quote.discount.cents, currency) : null)}
              {fact(t('sale.member'), sale.member?.masked ?? summary?.memberMasked)}
              {fact(t('sale.cashier'), summary ? (summary.cashierName ?? summary.cashier) : null)}
              {fact(t('sale.started'), fmt.dateTime(sale.createdAt))}
              {fact(t('sale.postedAt'), summary?.postedAt ? fmt.dateTime(summary.postedAt) : sale.result?.postedAt ? fmt.dateTime(sale.result.postedAt) : null)}
              {fact(t('sale.paidAt'), summary?.paidAt ? fmt.dateTime(summary.paidAt) : null)}
              {fact(t('sale.voidedAt'), summary?.voidedAt ? fmt.dateTime(summary.voidedAt) : null)}
              {fact(t('sale.reference'), summary?.backendReference ?? sale.result?.backendReference)}
              {fact(
                t('sale.refunded'),
                sale.refunded.cents > 0 || sale.refunded.pointsMilli > 0
                  ? `${fmt.amount(sale.refunded.cents, currency)} · ${fmt.points(sale.refunded.pointsMilli, decimals)} ${t('sale.points').toLowerCase()}`
                  : null,
                MTID.saleRefunded,
                { 'data-cents': sale.refunded.cents, 'data-milli': sale.refunded.pointsMilli },
              )}
              {sale.offlineAccepted && fact(t('sale.offline'), '✓')}
            </dl>
            {compKey && (
              <p
                className={`message ${sale.compensation?.state === 'manual-action' ? 'message-warning' : sale.compensation?.state === 'done' ? 'message-good' : 'message-info'}`}
                data-testid={MTID.saleCompensation}
                data-state={sale.compensation?.state}
              >
                {t(compKey)}
                {sale.compensation?.message ? <span className="message-detail"> {sale.compensation.message}</span> : null}
              </p>
            )}
          </div>

          <div className="card sale-actions-card">
            {/* Reprints: the sale's slip once it was paid, the void's and the last refund's. */}
            {(summary?.paidAt || sale.state === 'paid') && <SlipPrint key={`${sale.id}-sale`} sale={sale} kind="sale" />}
            {sale.state === 'voided' && sale.quote && sale.redemption !== 'cancelled' && <SlipPrint key={`${sale.id}-void`} sale={sale} kind="void" />}
            {sale.refunded.cents > 0 && <SlipPrint key={`${sale.id}-refund`} sale={sale} kind="refund" />}
            {canVoid(sale) && (
              <div className="action-block">
                <p className="hint">{t('sale.voidHelp')}</p>
                <button type="button" className="btn btn-danger" data-testid={MTID.saleVoid} onClick={() => void doVoid()}>
                  {t('sale.void')}
                </button>
              </div>
            )}
            {canRefund(sale) && (
              <form
                className="action-block"
                onSubmit={(e) => {
                  e.preventDefault();
                  void doRefund();
                }}
              >
                <label className="form-label">
                  {t('sale.refundAmount')}
                  <span className="muted">{t('sale.refundAtMost', { amount: fmt.amount(remainingCents(sale), currency) })}</span>
                  <input
                    className="field field-money"
                    inputMode="decimal"
                    autoComplete="off"
                    value={refundText}
                    data-testid={MTID.refundAmount}
                    onChange={(e) => {
                      setRefundText(e.target.value);
                      setRefundProblem(null);
                    }}
                  />
                </label>
                {refundProblem &&
                  (typeof refundProblem === 'string' ? (
                    <p className="message message-warning" data-testid={MTID.refundProblem}>
                      {refundProblem}
                    </p>
                  ) : (
                    <LocalizedError error={refundProblem} testId={MTID.refundProblem} tone="warning" />
                  ))}
                <button type="submit" className="btn" data-testid={MTID.saleRefund}>
                  {t('sale.refund')}
                </button>
              </form>
            )}
            {!canVoid(sale) && !canRefund(sale) && sale.state === 'paid' && <p className="hint">{t('sale.refundNothing')}</p>}
          </div>
        </div>
      )}

      {story && (
        <>
          <h2>{t('sale.story')}</h2>
          <ol className="story">
            {story.entries.map((e) => (
              <li key={e.seq} className={`story-item ${e.outcome !== 'ok' ? 'story-item-bad' : ''}`} data-testid={MTID.saleStoryRow} data-kind={e.kind}>
                <span className="story-time">{fmt.time(e.at)}</span>
                <span className="story-what">
                  <strong>{kindWords(fmt, e.kind, e.outcome)}</strong>
                  {e.pointsMilli !== null && <span> · {fmt.points(e.pointsMilli, decimals)}</span>}
                  {e.amountCents !== null && <span> · {fmt.amount(e.amountCents, e.currency ?? currency)}</span>}
                  {e.outcome !== 'ok' && (
                    <span className="outcome-words" title={e.outcome} data-outcome={e.outcome}>
                      {' '}
                      · {fmt.outcome(e.outcome)}
                    </span>
                  )}
                  <span className="muted"> · {e.actorName ?? e.actor}</span>
                </span>
                {e.detail && <EntryDetail detail={e.detail} compact />}
              </li>
            ))}
          </ol>
          {story.outbox.length > 0 && (
            <>
              <h2>{t('sale.outbox')}</h2>
              <div className="table-wrap">
                <table className="desk-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('log.kind')}</th>
                      <th scope="col">{t('sales.state')}</th>
                      <th scope="col" className="num">
                        {t('log.points')}
                      </th>
                      <th scope="col" className="num">
                        {t('queue.attempts')}
                      </th>
                      <th scope="col">{t('queue.lastError')}</th>
                      <th scope="col">{t('queue.nextAttempt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {story.outbox.map((o) => (
                      <tr key={o.id} data-testid={MTID.saleOutboxRow} data-state={o.state} data-handled={String(handledItems.has(`outbox:${o.id}`))}>
                        <td>{t(`sale.outboxKinds.${o.kind}`)}</td>
                        <td>{handledItems.has(`outbox:${o.id}`) ? t('manager.sales.handled') : t(`sale.outboxStates.${o.state}`)}</td>
                        <td className="num">{o.pointsMilli !== null ? fmt.points(o.pointsMilli, decimals) : '—'}</td>
                        <td className="num">{o.attempts}</td>
                        <td className="wrap">{o.lastError ?? '—'}</td>
                        <td>{o.nextAttemptAt ? fmt.time(o.nextAttemptAt) : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
          {story.handled.length > 0 && (
            <>
              <h2>{t('sale.handled')}</h2>
              <ul className="plain-list">
                {story.handled.map((h) => (
                  <li key={h.item}>{t('attention.handledBy', { name: h.byName ?? h.by, time: fmt.dateTime(h.at), reason: h.reason })}</li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {!isManager && sale && <p className="hint">{t('sale.managerStory')}</p>}
    </section>
  );
}
