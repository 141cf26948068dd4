import { useRef } from 'react';
import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import { useFocusRequest, usePos, usePosStore } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';
import { explained, useCounterApproval } from './CounterApproval';

/**
 * Cancel (before any points were taken; no manager), void (after: a
 * manager approves, with a reason), and the next sale.
 */
export function SaleActions() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const newRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('new-sale', newRef);
  const busy = usePos((s) => s.busy);
  const requestCancel = usePos((s) => s.requestCancel);
  const newSale = usePos((s) => s.newSale);
  const voidSale = usePos((s) => s.voidSale);
  const store = usePosStore();
  const approve = useCounterApproval();
  // Which buttons apply, as booleans: a new balance or a push that leaves them as they are re-renders nothing here.
  const canCancel = usePos((s) => saleActions(s.sale).canCancel);
  const canStartOver = usePos((s) => saleActions(s.sale).canStartOver);
  const canVoid = usePos((s) => saleActions(s.sale).canVoid);

  const askVoid = () => {
    const sale = store.getState().sale;
    if (!sale) return;
    // Read when asked, as the sale is: this component does not re-render for every push (issue 18).
    const backend = store.getState().status?.backend;
    const decimals = sale.terms?.decimals ?? backend?.capabilities.pointsDecimals ?? 3;
    // Points taken (or about to be): what goes back; a program without a reversal needs a person at its portal.
    const taken = sale.redemption === 'posted' || sale.redemption === 'waiting' ? (sale.quote?.pointsMilli ?? 0) - sale.refunded.pointsMilli : 0;
    const points = fmt.points(Math.max(0, taken), decimals);
    const note =
      taken <= 0 && !sale.reward
        ? t('counter.actions.voidNothing')
        : backend?.capabilities.reversal === 'none'
          ? t('counter.actions.voidManual', { name: backend.name, points })
          : t('counter.actions.voidPoints', { points });
    void approve(
      {
        reason: 'required',
        title: t('counter.actions.voidTitle'),
        approveLabel: t('counter.actions.voidApprove'),
        children: (
          <p className={backend?.capabilities.reversal === 'none' && taken > 0 ? 'message message-warning' : 'hint'} data-testid="void-note">
            {note}
          </p>
        ),
      },
      (a) => voidSale(explained(a)),
    );
  };

  return (
    <div className="sale-actions">
      {canVoid ? (
        <button type="button" className="btn btn-danger" data-testid={TID.voidSale} disabled={busy !== null} onClick={askVoid}>
          {busy === 'void' ? t('counter.actions.voiding') : t('counter.actions.void')}
        </button>
      ) : (
        <button type="button" className="btn btn-danger" data-testid={TID.cancel} disabled={!canCancel || busy !== null} onClick={requestCancel}>
          {busy === 'cancel' ? t('counter.actions.cancelling') : t('counter.actions.cancel')}
        </button>
      )}
      <button
        ref={newRef}
        type="button"
        className="btn btn-secondary"
        data-testid={TID.newSale}
        disabled={!canStartOver || busy !== null}
        title={canStartOver ? undefined : t('counter.actions.finishFirst')}
        onClick={newSale}
      >
        {t('counter.actions.newSale')}
      </button>
    </div>
  );
}
