import { BasketStep } from '../components/BasketStep';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { MemberStep } from '../components/MemberStep';
import { MessageArea } from '../components/MessageArea';
import { Outcome } from '../components/Outcome';
import { PointsStep, QuotePanel } from '../components/PointsStep';
import { SaleActions } from '../components/SaleActions';
import { usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';

export function CounterScreen() {
  const sale = usePos((s) => s.sale);
  const state = sale?.state ?? 'none';
  // Once the points are settled the keypad folds away and the outcome takes its place, in the middle of the screen.
  const outcomeInMiddle = !!sale?.member && !saleActions(sale).canChoosePoints;
  return (
    <main className="counter" data-testid={TID.counter} data-state={state}>
      <div className="counter-grid">
        <div className="column">
          <BasketStep />
          <MemberStep />
        </div>
        <div className="column">
          <PointsStep />
          {outcomeInMiddle && <Outcome />}
        </div>
        <div className="column column-outcome">
          <QuotePanel />
          {!outcomeInMiddle && <Outcome />}
        </div>
      </div>
      <div className="counter-footer">
        <MessageArea />
        <SaleActions />
      </div>
      <ConfirmDialog />
    </main>
  );
}
