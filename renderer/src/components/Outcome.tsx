import { useRef, type ReactNode } from 'react';
import { showMoney, showPoints } from '../lib/format';
import { useFocusRequest, usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';

/** What happened to the redemption: sending, waiting, accepted, refused, closed. */
export function Outcome() {
  const paidRef = useRef<HTMLButtonElement>(null);
  const retryRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('paid', paidRef);
  useFocusRequest('retry', retryRef);
  const sale = usePos((s) => s.sale);
  const busy = usePos((s) => s.busy);
  const retry = usePos((s) => s.retry);
  const markPaid = usePos((s) => s.markPaid);
  if (!sale) return null;
  const { canPay, canRetry } = saleActions(sale);
  const decimals = sale.terms?.decimals ?? 3;
  const state = sale.state;
  const toPay = sale.quote?.toPay ?? sale.basket;

  const paidButton = canPay && (
    <button ref={paidRef} type="button" className="btn btn-primary btn-block" data-testid={TID.paid} disabled={busy !== null} onClick={() => void markPaid()}>
      {busy === 'paid' ? 'Closing…' : `Paid — ${showMoney(toPay)} taken`}
    </button>
  );

  let body: ReactNode = null;
  if (state === 'posting' || (busy === 'confirm' && state === 'quoted')) {
    const waiting = busy !== 'confirm'; // the confirm call returned, the backend has still not answered
    body = (
      <>
        <div className="outcome-line" data-testid={TID.posting} role="status">
          <span className="spinner" aria-hidden="true" /> Sending the redemption to the loyalty program… Do not take payment yet.
        </div>
        {waiting && (
          <>
            <p>The loyalty program has not answered yet; the terminal keeps trying. Nothing is taken twice.</p>
            {canRetry && (
              <div className="button-row">
                <button ref={retryRef} type="button" className="btn" data-testid={TID.retry} disabled={busy !== null} onClick={() => void retry()}>
                  {busy === 'retry' ? 'Trying…' : 'Try again now'}
                </button>
              </div>
            )}
          </>
        )}
      </>
    );
  } else if (state === 'queued') {
    body = (
      <>
        <div className="outcome-title outcome-wait" data-testid={TID.queuedNotice} role="status">
          Waiting for the loyalty program
        </div>
        <p>
          The redemption of <strong>{showPoints(sale.quote?.pointsMilli ?? 0, decimals)} points</strong> is saved on this terminal and will be sent as soon as the loyalty
          program answers. It will not be taken twice.
        </p>
        {sale.error && (
          <p className="muted" data-testid={TID.queuedReason}>
            Last answer: {sale.error.message}
          </p>
        )}
        <p>{sale.paymentAllowed ? 'The offline policy allows taking the payment now.' : 'Do not take payment until it is accepted, or cancel the sale.'}</p>
        <div className="button-row">
          {canRetry && (
            <button ref={retryRef} type="button" className="btn" data-testid={TID.retry} disabled={busy !== null} onClick={() => void retry()}>
              {busy === 'retry' ? 'Trying…' : 'Try again now'}
            </button>
          )}
        </div>
        {paidButton}
      </>
    );
  } else if (state === 'posted') {
    body = (
      <>
        <div className="outcome-title outcome-good" role="status">
          Points redeemed
        </div>
        <p className="outcome-figures">
          New balance:{' '}
          <strong className="big-figure" data-testid={TID.resultBalance} data-milli={sale.result?.balanceAfterMilli ?? sale.quote?.balanceAfterMilli}>
            {showPoints(sale.result?.balanceAfterMilli ?? sale.quote?.balanceAfterMilli ?? 0, decimals)}
          </strong>{' '}
          points
        </p>
        <p className="outcome-figures">
          Take payment of <strong>{showMoney(toPay)}</strong>
        </p>
        {paidButton}
      </>
    );
  } else if (state === 'refused') {
    body = (
      <div className="outcome-title outcome-bad" role="status">
        Refused — nothing was deducted. Choose other points, or cancel the sale.
      </div>
    );
  } else if (state === 'paid') {
    body = (
      <>
        <div className="outcome-title outcome-good" role="status">
          Sale complete
        </div>
        {sale.result?.balanceAfterMilli !== undefined && (
          <p className="outcome-figures">
            Member balance:{' '}
            <strong data-testid={TID.resultBalance} data-milli={sale.result.balanceAfterMilli}>
              {showPoints(sale.result.balanceAfterMilli, decimals)}
            </strong>{' '}
            points
          </p>
        )}
      </>
    );
  } else if (state === 'cancelled') {
    body = (
      <div className="outcome-title" role="status">
        Sale cancelled — no points were taken.
      </div>
    );
  } else if (state === 'voided') {
    body = (
      <div className="outcome-title" role="status">
        Sale voided — the points are being given back.
      </div>
    );
  }
  if (!body) return null;
  return (
    <section className="card outcome" data-testid={TID.outcome} data-state={state} aria-label="Redemption">
      {body}
    </section>
  );
}
