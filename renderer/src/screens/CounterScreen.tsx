import { lazy, Suspense, useEffect } from 'react';
import { BasketStep } from '../components/BasketStep';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CounterApprovalProvider } from '../components/CounterApproval';
import { MemberFacts } from '../components/MemberFacts';
import { MemberStep } from '../components/MemberStep';
import { MessageArea } from '../components/MessageArea';
import { PointsStep, QuotePanel } from '../components/PointsStep';
import { SaleActions } from '../components/SaleActions';
import { warmFormats } from '../i18n/format';
import { usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';
import '../components/counter.css';

// Program-specific steps load only on a terminal of such a program (issue 18: initial JS < 120 KB).
const RewardStep = lazy(() => import('../components/RewardStep').then((m) => ({ default: m.RewardStep })));
// The outcome (after the member agrees) is not on the first paint: it loads when the page is idle.
const loadOutcome = () => import('../components/Outcome').then((m) => ({ default: m.Outcome }));
const LazyOutcome = lazy(loadOutcome);
function Outcome() {
  return (
    <Suspense fallback={null}>
      <LazyOutcome />
    </Suspense>
  );
}
const CardLinkedCounter = lazy(() => import('../components/CardLinkedCounter').then((m) => ({ default: m.CardLinkedCounter })));

/**
 * The counter: basket, member, points (or a reward from the catalogue, for
 * reward programs), the member's agreement, the outcome. Programs without a
 * balance at the counter (card-linked) get an explanation and the way to the
 * Offers screen instead.
 */
export function CounterScreen() {
  const sale = usePos((s) => s.sale);
  const capabilities = usePos((s) => s.status?.backend.capabilities);
  const state = sale?.state ?? 'none';
  const lang = usePos((s) => s.uiLang);
  const currency = usePos((s) => s.status?.currency);
  const pointsDecimals = capabilities?.pointsDecimals;
  useEffect(() => {
    const load = () => void loadOutcome().catch(() => {});
    if (typeof requestIdleCallback !== 'function') return void setTimeout(load, 200);
    const id = requestIdleCallback(load, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, []);
  // The number formats a sale shows, made while the page is idle (format.ts says why).
  useEffect(() => {
    if (!currency || pointsDecimals === undefined) return;
    const warm = () => warmFormats(lang, currency, pointsDecimals);
    if (typeof requestIdleCallback !== 'function') return void setTimeout(warm, 200);
    const id = requestIdleCallback(warm, { timeout: 2000 });
    return () => cancelIdleCallback(id);
  }, [lang, currency, pointsDecimals]);
  if (capabilities && !capabilities.balanceAtCounter) {
    return (
      <main className="counter" data-testid={TID.counter} data-state={state} data-redemption={capabilities.redemption}>
        <Suspense fallback={null}>
          <CardLinkedCounter />
        </Suspense>
      </main>
    );
  }
  const rewardMode = capabilities?.redemption === 'reward';
  // Once the points are settled the keypad folds away and the outcome takes its place, in the middle of the screen.
  const outcomeInMiddle = !!sale?.member && !saleActions(sale).canChoosePoints;
  return (
    <CounterApprovalProvider>
      <main className="counter" data-testid={TID.counter} data-state={state} data-redemption={capabilities?.redemption ?? 'points'}>
        <div className="counter-grid">
          <div className="column">
            <BasketStep />
            <MemberStep />
          </div>
          <div className="column">
            {rewardMode ? (
              <Suspense fallback={null}>
                <RewardStep />
              </Suspense>
            ) : (
              <PointsStep />
            )}
            {outcomeInMiddle && sale && <Outcome />}
          </div>
          <div className="column column-outcome">
            {/* Beside the quote, in view: a last known balance, queued points, the passholder's social tariff. */}
            <MemberFacts />
            <QuotePanel />
            {!outcomeInMiddle && sale && <Outcome />}
          </div>
        </div>
        <div className="counter-footer">
          <MessageArea />
          <SaleActions />
        </div>
        <ConfirmDialog />
      </main>
    </CounterApprovalProvider>
  );
}
