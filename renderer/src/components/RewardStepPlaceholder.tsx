import { useTranslation } from '../i18n/react';
import { usePos } from '../state/context';
import { TID } from '../testids';

/**
 * Step 3 of a reward program (UiTPAS) before anyone is identified: what
 * the step says before it has a member. It is in the counter's first bundle,
 * so the counter's first screen never waits for the reward step's chunk (and
 * TanStack Query's): at 4x CPU the page sat idle 100-250 ms for them before
 * its first render, while the step shows nothing of theirs until a card is
 * read (issue 18). RewardStep renders this same component for its idle state.
 */
export function RewardIdle() {
  const { t } = useTranslation();
  return (
    <section className="step step-idle" aria-label={t('counter.rewards.title')} data-testid={TID.rewardIdle}>
      <RewardStepLabel />
      <p className="hint">{t('counter.rewards.idle')}</p>
    </section>
  );
}

/** The step's heading, numbered as the counter's other steps. */
export function RewardStepLabel() {
  const { t } = useTranslation();
  return (
    <h2 className="step-label">
      <span className="step-no">3</span> {t('counter.rewards.title')}
    </h2>
  );
}

/**
 * While the reward step's chunk loads (CounterScreen's Suspense): the idle
 * step, or, when a member is already on the sale (a card read within the
 * first moments of a page load), the catalogue's own loading line.
 */
export function RewardStepPlaceholder() {
  const { t } = useTranslation();
  const hasMember = usePos((s) => !!s.sale?.member);
  if (!hasMember) return <RewardIdle />;
  return (
    <section className="step reward-step" aria-label={t('counter.rewards.title')} data-testid={TID.rewardStepLoading}>
      <RewardStepLabel />
      <RewardsLoading />
    </section>
  );
}

/** The catalogue's "Loading the rewards…" line (the step's code, or the member's rewards, on their way). */
export function RewardsLoading() {
  const { t } = useTranslation();
  return (
    <p className="hint loading-line" role="status">
      <span className="spinner" aria-hidden="true" /> {t('counter.rewards.loading')}
    </p>
  );
}
