import { useRef, type ReactNode } from 'react';
import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import { SlipPrint } from './SlipPrint';
import type { SaleState, SaleView } from '../../../shared/domain';
import { useFocusRequest, usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';

/** The states this panel has something to say about (and a confirmation on its way, while quoted). */
const OUTCOME_STATES: ReadonlySet<SaleState> = new Set<SaleState>(['posting', 'queued', 'posted', 'refused', 'paid', 'cancelled', 'voided']);

/**
 * What happened to the redemption: sending, waiting (offline), accepted,
 * refused, cancelled, voided with the points coming back.
 */
export function Outcome() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const paidRef = useRef<HTMLButtonElement>(null);
  const retryRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('paid', paidRef);
  useFocusRequest('retry', retryRef);
  // The sale only while this panel shows it: before the points are confirmed it shows nothing, and a
  // new member's answer does not render it (issue 18: a slow counter PC).
  const sale = usePos((s) => (s.sale && (OUTCOME_STATES.has(s.sale.state) || (s.sale.state === 'quoted' && s.busy === 'confirm')) ? s.sale : null));
  // The status's parts shown here, not the whole status (pushed after every backend call: issue 18).
  const programDecimals = usePos((s) => s.status?.backend.capabilities.pointsDecimals);
  const online = usePos((s) => s.status?.online !== false);
  const busy = usePos((s) => s.busy);
  const retry = usePos((s) => s.retry);
  const markPaid = usePos((s) => s.markPaid);
  const acceptOffline = usePos((s) => s.acceptOffline);
  const requestCancel = usePos((s) => s.requestCancel);
  if (!sale) return null;
  const { canPay, canRetry, canAcceptOffline, canCancel } = saleActions(sale);
  const decimals = sale.terms?.decimals ?? programDecimals ?? 3;
  const state = sale.state;
  const toPay = sale.quote?.toPay ?? sale.basket;
  const points = fmt.points(sale.quote?.pointsMilli ?? 0, decimals);

  const paidButton = canPay && (
    <button ref={paidRef} type="button" className="btn btn-primary btn-block" data-testid={TID.paid} disabled={busy !== null} onClick={() => void markPaid()}>
      {busy === 'paid' ? t('counter.outcome.closing') : t('counter.outcome.paid', { amount: fmt.money(toPay) })}
    </button>
  );
  const retryButton = canRetry && (
    <button ref={retryRef} type="button" className="btn" data-testid={TID.retry} disabled={busy !== null} onClick={() => void retry()}>
      {busy === 'retry' ? t('counter.outcome.trying') : t('counter.outcome.retry')}
    </button>
  );
  const cashback = <Cashback sale={sale} />;

  let body: ReactNode = null;
  if (sale.voidPending && (state === 'posting' || state === 'queued')) {
    body = (
      <>
        <div className="outcome-line outcome-wait" data-testid={TID.cancelling} role="status">
          <span className="spinner" aria-hidden="true" /> {t('counter.outcome.cancelling')}
        </div>
        <p>{t('counter.outcome.cancellingText')}</p>
      </>
    );
  } else if (state === 'posting' || (busy === 'confirm' && state === 'quoted')) {
    const waiting = busy !== 'confirm'; // the confirm call returned, the backend has still not answered
    body = (
      <>
        <div className="outcome-line" data-testid={TID.posting} role="status">
          <span className="spinner" aria-hidden="true" /> {t('counter.outcome.sending')}
        </div>
        {waiting && (
          <>
            <p>{t('counter.outcome.noAnswerYet')}</p>
            {retryButton && <div className="button-row">{retryButton}</div>}
          </>
        )}
      </>
    );
  } else if (state === 'queued' && sale.offlineAccepted) {
    body = (
      <>
        <div className="outcome-title outcome-wait" data-testid={TID.queuedNotice} data-offline-accepted="true" role="status">
          {t('counter.outcome.queuedTitle')}
        </div>
        <p>{t('counter.outcome.queuedText', { points })}</p>
        {cashback}
        {paidButton}
      </>
    );
  } else if (state === 'queued') {
    body = (
      <>
        <div className="outcome-title outcome-wait" data-testid={TID.queuedNotice} data-offline-accepted="false" role="status">
          {t('counter.outcome.waitingTitle')}
        </div>
        <p className="outcome-note">{t('counter.outcome.waitingText', { points })}</p>
        <p className="outcome-note">
          <strong>{t('counter.outcome.waitingChoice')}</strong>
        </p>
        <div className="button-row outcome-choices">
          {retryButton}
          {canAcceptOffline && (
            <button type="button" className="btn btn-primary" data-testid={TID.acceptOffline} disabled={busy !== null} onClick={() => void acceptOffline()}>
              {busy === 'offline' ? t('counter.outcome.accepting') : t('counter.outcome.continueOffline')}
            </button>
          )}
          {canCancel && (
            <button type="button" className="btn btn-danger" data-testid={TID.outcomeCancel} disabled={busy !== null} onClick={requestCancel}>
              {t('counter.actions.cancel')}
            </button>
          )}
        </div>
        {sale.error && (
          <p className="muted outcome-note" data-testid={TID.queuedReason}>
            {t('counter.outcome.lastAnswer', { message: sale.error.message })}
          </p>
        )}
      </>
    );
  } else if (state === 'posted') {
    const balance = sale.result?.balanceAfterMilli ?? sale.quote?.balanceAfterMilli;
    body = (
      <>
        <div className="outcome-title outcome-good" role="status">
          {sale.reward ? t('counter.outcome.rewardRedeemed', { title: sale.reward.title }) : t('counter.outcome.redeemed')}
        </div>
        {balance !== undefined && (
          <p className="outcome-figures">
            {t('counter.outcome.newBalance')}{' '}
            <strong className="big-figure" data-testid={TID.resultBalance} data-milli={balance}>
              {fmt.points(balance, decimals)}
            </strong>{' '}
            {t('counter.outcome.pointsUnit')}
          </p>
        )}
        {cashback}
        <p className="outcome-figures">
          {t('counter.outcome.takePayment')} <strong>{fmt.money(toPay)}</strong>
        </p>
        {paidButton}
      </>
    );
  } else if (state === 'refused') {
    body = (
      <div className="outcome-title outcome-bad" role="status">
        {sale.reward ? t('counter.outcome.refusedReward') : t('counter.outcome.refused')}
      </div>
    );
  } else if (state === 'paid') {
    const balance = sale.result?.balanceAfterMilli;
    body = (
      <>
        <div className="outcome-title outcome-good" role="status">
          {t('counter.outcome.complete')}
        </div>
        {balance !== undefined && (
          <p className="outcome-figures">
            {t('counter.outcome.memberBalance')}{' '}
            <strong data-testid={TID.resultBalance} data-milli={balance}>
              {fmt.points(balance, decimals)}
            </strong>{' '}
            {t('counter.outcome.pointsUnit')}
          </p>
        )}
        {sale.offlineAccepted && sale.redemption === 'waiting' && <p className="muted">{t('counter.outcome.queuedTitle')}</p>}
        {cashback}
        <SlipPrint sale={sale} kind="sale" auto />
      </>
    );
  } else if (state === 'cancelled') {
    body = (
      <div className="outcome-title" role="status">
        {t('counter.outcome.cancelled')}
      </div>
    );
  } else if (state === 'voided') {
    body = (
      <>
        <div className="outcome-title" role="status">
          {t('counter.outcome.voided')}
        </div>
        <Compensation sale={sale} decimals={decimals} online={online} />
        {sale.quote && sale.redemption !== 'cancelled' && <SlipPrint sale={sale} kind="void" auto />}
      </>
    );
  }
  if (!body) return null;
  return (
    <section
      className="card outcome"
      data-testid={TID.outcome}
      data-state={state}
      data-void-pending={String(sale.voidPending)}
      aria-label={t('counter.quote.title')}
    >
      {body}
    </section>
  );
}

/** GafaPay-style programs: the points became cashback in the member's wallet. */
function Cashback({ sale }: { sale: SaleView }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const detail = sale.result?.detail;
  const cents = detail?.cashbackCents;
  if (typeof cents !== 'number') return null;
  const txn = detail?.txnNumber;
  const amount = fmt.money({ cents, currency: sale.basket.currency });
  return (
    <p
      className="outcome-figures cashback"
      data-testid={TID.cashback}
      data-cents={cents}
      data-txn={typeof txn === 'string' || typeof txn === 'number' ? String(txn) : ''}
    >
      {txn !== null && txn !== undefined && txn !== ''
        ? t('counter.outcome.cashback', { amount, txn: String(txn) })
        : t('counter.outcome.cashbackNoTxn', { amount })}
    </p>
  );
}

/** Where the points given back by a void stand: queued, done, or a person must act. */
function Compensation({ sale, decimals, online }: { sale: SaleView; decimals: number; online: boolean }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const c = sale.compensation;
  const points = fmt.points(sale.refunded.pointsMilli, decimals);
  if (!c) {
    return (
      <p className="compensation" data-testid={TID.compensation} data-state="none" data-milli={0}>
        {t('counter.outcome.compNone')}
      </p>
    );
  }
  if (c.state === 'manual-action') {
    return (
      <div
        className="message message-warning compensation"
        data-testid={TID.compensation}
        data-state={c.state}
        data-milli={sale.refunded.pointsMilli}
        role="status"
      >
        {/* The service's words name the program and what to do (e.g. "Manual action needed at GafaPay: … (transaction N)"). */}
        <p className="message-text">{c.message ?? t('counter.outcome.compManual')}</p>
      </div>
    );
  }
  return (
    <p
      className={`compensation compensation-${c.state}`}
      data-testid={TID.compensation}
      data-state={c.state}
      data-milli={sale.refunded.pointsMilli}
      role="status"
    >
      {c.state === 'done'
        ? t('counter.outcome.compDone', { points })
        : online
          ? t('counter.outcome.compWaiting', { points })
          : t('counter.outcome.compWaitingOffline', { points })}
    </p>
  );
}
