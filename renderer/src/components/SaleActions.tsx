import { useRef } from 'react';
import { useFocusRequest, usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';

export function SaleActions() {
  const newRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('new-sale', newRef);
  const sale = usePos((s) => s.sale);
  const busy = usePos((s) => s.busy);
  const requestCancel = usePos((s) => s.requestCancel);
  const newSale = usePos((s) => s.newSale);
  const { canCancel, canStartOver } = saleActions(sale);
  return (
    <div className="sale-actions">
      <button type="button" className="btn btn-danger" data-testid={TID.cancel} disabled={!canCancel || busy !== null} onClick={requestCancel}>
        {busy === 'cancel' ? 'Cancelling…' : 'Cancel sale'}
      </button>
      <button
        ref={newRef}
        type="button"
        className="btn btn-secondary"
        data-testid={TID.newSale}
        disabled={!canStartOver || busy !== null}
        title={canStartOver ? undefined : 'Finish this sale first'}
        onClick={newSale}
      >
        New sale
      </button>
    </div>
  );
}
