import { useInfiniteQuery } from '@tanstack/react-query';
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import type { EndUserLanguage } from '../../../shared/errors';
import { endUserText, type RewardOffer } from '../../../shared/rewards';
import { asErrorInfo } from '../api/client';
import { QK, QueryProvider } from '../api/queries';
import { useApi } from '../screens/manager/api-context';
import { useFocusRequest, usePos } from '../state/context';
import { isClosed, saleActions } from '../state/store';
import { TID } from '../testids';
import { usePaintedSince } from './after-paint';
import { ErrorMessage } from './ErrorMessage';
import { RewardIdle, RewardsLoading, RewardStepLabel } from './RewardStepPlaceholder';

/**
 * Step 3 for reward programs (UiTPAS): the organizer's catalogue for this
 * passholder. The rewards they can redeem now come first, as big buttons; the
 * others are greyed, each with the backend's reason in the cashier's language
 * (falling back to Dutch) and its points price. Choosing one asks the backend
 * again (redeem-status) and quotes it. The catalogue is fetched page by page
 * with TanStack Query (this step loads lazily, only on a reward program's
 * terminal); the store says when it must be read again (rewardsEpoch).
 */
/** Arrow keys move through the redeemable rewards (a list of buttons: Tab leaves it). */
function moveWithArrows(e: KeyboardEvent<HTMLUListElement>): void {
  const step = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 0;
  if (step === 0) return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = buttons[at < 0 ? 0 : Math.min(buttons.length - 1, Math.max(0, at + step))];
  if (!next) return;
  e.preventDefault();
  next.focus();
}

const REWARD_PAGE = 20;

export function RewardStep() {
  return (
    <QueryProvider>
      <RewardCatalogue />
    </QueryProvider>
  );
}

/** The member's catalogue, page by page (start/limit), read afresh for each member and after a stale choice. */
function useRewardPages() {
  const api = useApi();
  const sale = usePos((s) => s.sale);
  const epoch = usePos((s) => s.rewardsEpoch);
  const saleId = sale?.id ?? '';
  // Asked for once the frame with the new member's balance is painted: sending it costs the page
  // real CPU on a slow counter PC, and the balance is what the cashier waits for (after-paint.ts).
  const painted = usePaintedSince(`${saleId}:${epoch}`);
  const query = useInfiniteQuery({
    queryKey: QK.rewards(saleId, epoch),
    enabled: painted && !!sale?.member && !isClosed(sale),
    initialPageParam: 0,
    queryFn: ({ pageParam }) => api.listRewards({ saleId, start: pageParam, limit: REWARD_PAGE }),
    getNextPageParam: (last, pages) => {
      const shown = pages.reduce((n, p) => n + p.offers.length, 0);
      return last.offers.length > 0 && shown < last.totalItems ? shown : undefined;
    },
  });
  const pages = query.data?.pages;
  // The same array while the pages are the same: the rows' texts below are made once per catalogue.
  const offers = useMemo(() => (pages ?? []).flatMap((p) => p.offers), [pages]);
  return {
    offers,
    total: pages?.at(-1)?.totalItems ?? 0,
    lastKnownAt: pages?.find((p) => p.lastKnownAt)?.lastKnownAt,
    loading: query.isFetching,
    loaded: query.isSuccess,
    error: query.error ? asErrorInfo(query.error) : null,
    reload: () => void query.refetch(),
    more: () => void query.fetchNextPage(),
  };
}

function RewardCatalogue() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const firstRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('points', firstRef);
  const sale = usePos((s) => s.sale);
  const rewards = useRewardPages();
  const busy = usePos((s) => s.busy);
  const lang = usePos((s) => s.uiLang);
  const choose = usePos((s) => s.chooseReward);
  const price = usePrice();
  // Each redeemable reward's texts, made once per catalogue and language: a look-up of the next card
  // (busy) re-renders the rows for their `disabled` alone (issue 18: a slow counter PC).
  const rowTexts = useMemo(
    () =>
      new Map(
        rewards.offers.map((o) => [
          o.id,
          { price: price(o), discount: o.discount ? t('counter.rewards.discount', { amount: fmt.money(o.discount) }) : t('counter.rewards.noDiscount') },
        ]),
      ),
    [rewards.offers, price, t, fmt],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const onChoose = useCallback(
    (id: string) => {
      setPicked(id);
      void choose(id);
    },
    [choose],
  );
  // The catalogue arrives after the card is read (and after the store asked for the focus here):
  // the first reward the member can redeem takes the focus once it is on screen, unless the
  // cashier has put the focus somewhere else meanwhile (a late list never takes their keys).
  const pointsFocus = usePos((s) => (s.focus.target === 'points' ? s.focus.seq : 0));
  const focusWhenAsked = useRef<Element | null>(null);
  useEffect(() => {
    focusWhenAsked.current = document.activeElement;
  }, [pointsFocus]);
  const firstRedeemable = rewards.offers.find((o) => o.availability.redeemable)?.id;
  useEffect(() => {
    if (pointsFocus === 0 || !firstRedeemable) return;
    const now = document.activeElement;
    const cashierMovedOn = now !== focusWhenAsked.current && now !== document.body && now !== null;
    if (!cashierMovedOn) firstRef.current?.focus();
  }, [pointsFocus, firstRedeemable]);

  if (!sale?.member) return <RewardIdle />;
  const { canChoosePoints } = saleActions(sale);
  if (!canChoosePoints && (sale.reward || sale.quote)) {
    // Confirmed: the reward is settled, the catalogue goes away (a closed sale keeps only its points).
    const points = sale.reward?.pointsMilli ?? sale.quote?.pointsMilli ?? 0;
    return (
      <section className="step" aria-label={t('counter.rewards.title')}>
        <RewardStepLabel />
        <p className="settled-points" data-testid={TID.rewardSettled} data-reward-id={sale.reward?.id}>
          {sale.reward && (
            <>
              <strong className="reward-settled-title">{sale.reward.title}</strong>
              <br />
            </>
          )}
          {sale.reward ? price(sale.reward) : t('counter.rewards.points', { points: fmt.points(points, 0) })} · {t('counter.rewards.settled')}
        </p>
      </section>
    );
  }
  const offers = rewards.offers;
  const now = offers.filter((o) => o.availability.redeemable);
  const later = offers.filter((o) => !o.availability.redeemable);
  const chosenId = sale.state === 'quoted' ? sale.reward?.id : undefined;
  const rowsDisabled = !canChoosePoints || busy !== null;

  return (
    <section
      className="step reward-step"
      aria-label={t('counter.rewards.title')}
      data-testid={TID.rewardList}
      data-total={rewards.total}
      data-loading={String(rewards.loading)}
    >
      <RewardStepLabel />
      {rewards.loading && offers.length === 0 && <RewardsLoading />}
      {rewards.error && (
        <ErrorMessage error={rewards.error} lang={lang}>
          <div className="button-row">
            <button type="button" className="btn" onClick={rewards.reload}>
              {t('counter.rewards.reload')}
            </button>
          </div>
        </ErrorMessage>
      )}
      {rewards.lastKnownAt && (
        <p className="message message-warning" data-testid={TID.rewardsLastKnown} data-at={rewards.lastKnownAt}>
          {t('counter.rewards.lastKnown', { time: fmt.time(rewards.lastKnownAt) })}
        </p>
      )}
      {rewards.loaded && !rewards.loading && offers.length === 0 && <p className="hint">{t('counter.rewards.none')}</p>}
      <div className="reward-scroll">
        {now.length > 0 && <h3 className="reward-group">{t('counter.rewards.canRedeem')}</h3>}
        {now.length > 0 && (
          <ul className="reward-list" onKeyDown={moveWithArrows}>
            {now.map((o, i) => (
              <RedeemableReward
                key={o.id}
                offer={o}
                buttonRef={i === 0 ? firstRef : undefined}
                texts={rowTexts.get(o.id)!}
                badge={busy === 'reward' && picked === o.id ? t('counter.rewards.checking') : chosenId === o.id ? t('counter.rewards.chosen') : null}
                chosen={chosenId === o.id}
                disabled={rowsDisabled}
                onChoose={onChoose}
              />
            ))}
          </ul>
        )}
        {now.length === 0 && offers.length > 0 && <p className="message message-warning">{t('counter.rewards.noneRedeemable')}</p>}
        {later.length > 0 && <h3 className="reward-group reward-group-later">{t('counter.rewards.notNow')}</h3>}
        {later.length > 0 && (
          <ul className="reward-list">
            {later.map((o) => (
              <LaterReward key={o.id} offer={o} lang={lang} />
            ))}
          </ul>
        )}
      </div>
      {offers.length < rewards.total && (
        <button type="button" className="btn reward-more" data-testid={TID.rewardMore} disabled={rewards.loading} onClick={rewards.more}>
          {t('counter.rewards.more', { shown: offers.length, total: rewards.total })}
        </button>
      )}
    </section>
  );
}

/** A reward's points price in the cashier's words (a welcome reward is free). */
function usePrice(): (r: Pick<RewardOffer, 'kind' | 'pointsMilli'>) => string {
  const { t } = useTranslation();
  const fmt = useFmt();
  return useCallback(
    (r: Pick<RewardOffer, 'kind' | 'pointsMilli'>) =>
      r.kind === 'WELCOME' && r.pointsMilli === 0 ? t('counter.rewards.welcome') : t('counter.rewards.points', { points: fmt.points(r.pointsMilli, 0) }),
    [t, fmt],
  );
}

/**
 * One reward the member can redeem now: no hooks, its texts made by the
 * catalogue (memo: a choice or a look-up re-renders only what changed, and
 * cheaply; issue 18: a slow counter PC).
 */
const RedeemableReward = memo(function RedeemableReward(props: {
  offer: RewardOffer;
  texts: { price: string; discount: string };
  /** "Checking…" or "Chosen", or none. */
  badge: string | null;
  buttonRef: RefObject<HTMLButtonElement | null> | undefined;
  chosen: boolean;
  disabled: boolean;
  onChoose: (id: string) => void;
}) {
  const { offer: o, chosen, texts, badge } = props;
  return (
    <li>
      <button
        ref={props.buttonRef}
        type="button"
        className={`reward reward-ok ${chosen ? 'reward-chosen' : ''}`}
        data-testid={TID.rewardOption}
        data-reward-id={o.id}
        data-redeemable="true"
        aria-pressed={chosen}
        disabled={props.disabled}
        onClick={() => props.onChoose(o.id)}
      >
        <span className="reward-title">{o.title}</span>
        <span className="reward-facts">
          <span className="reward-price">{texts.price}</span>
          <span className={o.discount ? 'reward-discount' : 'reward-discount reward-none'}>{texts.discount}</span>
        </span>
        {badge && <span className="reward-badge">{badge}</span>}
      </button>
    </li>
  );
});

/** A reward the member cannot redeem now, with the program's reason (memo: as above). */
const LaterReward = memo(function LaterReward({ offer: o, lang }: { offer: RewardOffer; lang: EndUserLanguage }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const price = usePrice();
  const why = o.availability.redeemable ? undefined : o.availability;
  // UiTPAS words its reasons in Dutch only (redeem-status has one message): in another language
  // the reason code in the cashier's words, so the screen speaks one language.
  const backendText = why ? endUserText(why.message, lang) : undefined;
  const backendLang = why && backendText ? (Object.keys(why.message) as (keyof typeof why.message)[]).find((l) => why.message[l] === backendText) : undefined;
  const own = why && (backendLang !== fmt.lang || !backendText);
  const text = why ? (own ? t(`counter.rewards.why.${why.reason}`) : backendText!) : '';
  const textLang = own ? fmt.lang : backendLang;
  return (
    <li className="reward reward-no" data-testid={TID.rewardOption} data-reward-id={o.id} data-redeemable="false" aria-disabled="true">
      <span className="reward-title">{o.title}</span>
      <span className="reward-facts">
        <span className="reward-price">{price(o)}</span>
      </span>
      <span className="reward-reason" data-testid={TID.rewardReason} data-reason={why?.reason} lang={textLang}>
        {text}
      </span>
    </li>
  );
});
