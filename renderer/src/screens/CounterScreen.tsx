import { lazy, memo, Suspense, useEffect, useState, type ComponentType } from 'react';
import { BasketStep } from '../components/BasketStep';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CounterApprovalProvider } from '../components/CounterApproval';
import { MemberFacts } from '../components/MemberFacts';
import { MemberStep } from '../components/MemberStep';
import { MessageArea } from '../components/MessageArea';
import { PointsStep, QuotePanel } from '../components/PointsStep';
import { RewardStepPlaceholder } from '../components/RewardStepPlaceholder';
import { SaleActions } from '../components/SaleActions';
import { warmFormats } from '../i18n/format';
import { usePos } from '../state/context';
import { saleActions } from '../state/store';
import { TID } from '../testids';
import { counterStepOf, loadCardLinkedCounter, loadOutcome, loadRewardStep, type KeepingLoader } from './counter-steps';
import '../components/counter.css';

/**
 * React.lazy, except that a chunk already loaded (boot.ts starts the program's step with the first
 * status) renders at once: lazy() itself suspends on its first render even then, and the counter's
 * first screen came without its step, followed by a second commit (issue 18). A step still loading
 * shows its Suspense fallback (the reward step's: RewardStepPlaceholder). Each place keeps what it
 * first chose, so a step never changes type (and state) under the cashier.
 */
function lazyOrLoaded(load: KeepingLoader<{ default: ComponentType }>): ComponentType {
  const Lazy = lazy(load);
  return function LazyOrLoaded() {
    const [Step] = useState(() => load.loaded?.default ?? Lazy);
    return <Step />;
  };
}

const RewardStep = lazyOrLoaded(loadRewardStep);
const LazyOutcome = lazyOrLoaded(loadOutcome);
function Outcome() {
  return (
    <Suspense fallback={null}>
      <LazyOutcome />
    </Suspense>
  );
}
const CardLinkedCounter = lazyOrLoaded(loadCardLinkedCounter);

/**
 * The counter: basket, member, points (or a reward from the catalogue, for
 * reward programs), the member's agreement, the outcome. Programs without a
 * balance at the counter (card-linked) get an explanation and the way to the
 * Offers screen instead.
 *
 * It selects only what its layout depends on (the sale's state, where the
 * outcome goes), never the whole sale or status: each step below subscribes
 * to its own part, so a new balance or a status push re-renders the parts
 * that show it, not the whole counter (issue 18: a slow counter PC).
 */
export const CounterScreen = memo(function CounterScreen() {
  const state = usePos((s) => s.sale?.state ?? 'none');
  const hasSale = usePos((s) => s.sale !== null);
  // Once the points are settled the keypad folds away and the outcome takes its place, in the middle of the screen.
  const outcomeInMiddle = usePos((s) => !!s.sale?.member && !saleActions(s.sale).canChoosePoints);
  const step = usePos((s) => (s.status ? counterStepOf(s.status.backend.capabilities) : null));
  const redemption = usePos((s) => s.status?.backend.capabilities.redemption);
  const lang = usePos((s) => s.uiLang);
  const currency = usePos((s) => s.status?.currency);
  const pointsDecimals = usePos((s) => s.status?.backend.capabilities.pointsDecimals);
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
  if (step === 'card-linked') {
    return (
      <main className="counter" data-testid={TID.counter} data-state={state} data-redemption={redemption}>
        <Suspense fallback={null}>
          <CardLinkedCounter />
        </Suspense>
      </main>
    );
  }
  return (
    <CounterApprovalProvider>
      <main className="counter" data-testid={TID.counter} data-state={state} data-redemption={redemption ?? 'points'}>
        <div className="counter-grid">
          <div className="column">
            <BasketStep />
            <MemberStep />
          </div>
          <div className="column">
            {step === 'reward' ? (
              <Suspense fallback={<RewardStepPlaceholder />}>
                <RewardStep />
              </Suspense>
            ) : (
              <PointsStep />
            )}
            {outcomeInMiddle && hasSale && <Outcome />}
          </div>
          <div className="column column-outcome">
            {/* Beside the quote, in view: a last known balance, queued points, the passholder's social tariff. */}
            <MemberFacts />
            <QuotePanel />
            {!outcomeInMiddle && hasSale && <Outcome />}
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
});
