import { BasketStep } from '../components/BasketStep';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { MemberStep } from '../components/MemberStep';
import { MessageArea } from '../components/MessageArea';
import { Outcome } from '../components/Outcome';
import { PointsStep } from '../components/PointsStep';
import { SaleActions } from '../components/SaleActions';
import { usePos } from '../state/context';
import { TID } from '../testids';

export function CounterScreen() {
  const state = usePos((s) => s.sale?.state ?? 'none');
  return (
    <main className="counter" data-testid={TID.counter} data-state={state}>
      <div className="counter-grid">
        <div className="column">
          <BasketStep />
          <MemberStep />
        </div>
        <div className="column">
          <PointsStep />
          <Outcome />
        </div>
      </div>
      <MessageArea />
      <SaleActions />
      <ConfirmDialog />
    </main>
  );
}
