import { useCallback, useEffect, useRef, useState } from 'react';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type {
  CatchUpView,
  NoticeRefusalCount,
  NoticeRefusalReason,
  OfferNoticeTotals,
  OfferNoticeView,
  OfferReceiverStatus,
} from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import type { OffersApi } from './api';
import { useFmt } from '../../i18n/useFmt';
import { cardText, money, rangeFor, timeText } from './format';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';
import { useManagerAction } from './useManagerAction';

type Range = 'today' | 'week' | 'all';
const RANGES: readonly Range[] = ['today', 'week', 'all'];
const RANGE_KEY = { today: 'rangeToday', week: 'range7', all: 'rangeAll' } as const;
const REASONS: readonly NoticeRefusalReason[] = ['bad-key', 'bad-signature', 'duplicate', 'malformed'];
const PAGE = 50;
const POLL_MS = 5000;

/**
 * The manager's view of card-linked notices: the alert receiver (status and
 * its on/off switch, a manager action), the catch-up (Pentadata does not
 * repeat a lost alert: the enrolled cards' transactions are read back), the
 * period's figures, refusals by reason, and the notices themselves.
 * Refreshes itself every few seconds while shown.
 */
export function NoticesView({ api, pollMs = POLL_MS }: { api: OffersApi; pollMs?: number }) {
  const t = useOffersT();
  const fmt = useFmt();
  const [range, setRange] = useState<Range>('today');
  const [notices, setNotices] = useState<OfferNoticeView[]>([]);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [totals, setTotals] = useState<OfferNoticeTotals | null>(null);
  const [refusals, setRefusals] = useState<NoticeRefusalCount[] | null>(null);
  const [status, setStatus] = useState<OfferReceiverStatus | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [switchError, setSwitchError] = useState<ErrorInfo | null>(null);
  const [switching, setSwitching] = useState(false);
  const [catchingUp, setCatchingUp] = useState(false);
  const [catchUpError, setCatchUpError] = useState<ErrorInfo | null>(null);
  const manager = useManagerAction(api, t('approvalWhy'));
  const [flash, setFlash] = useState<number | null>(null);
  const seq = useRef(0);
  const rows = useRef(new Map<number, HTMLTableRowElement>());

  /** The newest page for the range (merged with older pages already shown), figures, refusals and status. */
  const load = useCallback(
    async (opts: { replace: boolean }) => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const r = rangeFor(range);
        const [page, ref, st] = await Promise.all([api.listOfferNotices({ limit: PAGE, ...r }), api.offerNoticeRefusals({}), api.offerReceiverStatus({})]);
        if (mine !== seq.current) return;
        setTotals(page.totals);
        setRefusals(ref.refusals);
        setStatus(st);
        setError(null);
        if (opts.replace) {
          setNotices(page.notices);
          setNextBeforeId(page.nextBeforeId);
        } else {
          setNotices((old) => mergeNewest(old, page.notices));
        }
      } catch (e) {
        if (mine === seq.current) setError(asErrorInfo(e));
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [api, range],
  );

  useEffect(() => {
    void load({ replace: true });
    if (pollMs <= 0) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') void load({ replace: false });
    }, pollMs);
    return () => clearInterval(timer);
  }, [load, pollMs]);

  async function older() {
    if (nextBeforeId === null) return;
    setLoading(true);
    try {
      const page = await api.listOfferNotices({ limit: PAGE, beforeId: nextBeforeId, ...rangeFor(range) });
      setNotices((old) => [...old, ...page.notices.filter((n) => !old.some((o) => o.id === n.id))]);
      setNextBeforeId(page.nextBeforeId);
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setLoading(false);
    }
  }

  /** Switches the receiver; a refusal is thrown (the approval dialog shows it and stays open). */
  async function setReceiver(enabled: boolean, approval?: ManagerApprovalInput): Promise<void> {
    setStatus(await api.setOfferReceiver(approval ? { enabled, approval } : { enabled }));
  }

  async function toggle() {
    if (!status || switching) return;
    const want = !status.enabled;
    setSwitching(true);
    setSwitchError(null);
    try {
      await manager.run((approval) => setReceiver(want, approval));
    } catch (e) {
      setSwitchError(asErrorInfo(e));
    } finally {
      setSwitching(false);
    }
  }

  /** Reads every enrolled card's transactions now; what no alert brought appears as notices. */
  async function catchUpNow() {
    setCatchingUp(true);
    setCatchUpError(null);
    try {
      const run = await api.catchUpOfferNotices({});
      setStatus((s) => (s ? { ...s, lastCatchUp: run } : s));
      await load({ replace: true });
    } catch (e) {
      setCatchUpError(asErrorInfo(e));
    } finally {
      setCatchingUp(false);
    }
  }

  function showOriginal(id: number) {
    const row = rows.current.get(id);
    if (!row) return;
    row.scrollIntoView({ block: 'center', behavior: 'smooth' });
    row.focus({ preventScroll: true });
    setFlash(id);
  }

  const refusalCount = (reason: NoticeRefusalReason) => refusals?.find((r) => r.reason === reason);
  const currency = totals?.currency ?? 'EUR';

  return (
    <div className="offers-notices" data-testid={OFFERS_TID.notices} aria-busy={loading}>
      <div className="offers-notices-top">
        <section
          className="card offers-receiver"
          data-testid={OFFERS_TID.receiver}
          data-enabled={String(status?.enabled ?? false)}
          data-listening={String(status?.listening ?? false)}
          aria-labelledby="offers-receiver-title"
        >
          <div className="offers-subhead">
            <h2 id="offers-receiver-title">{t('receiverTitle')}</h2>
            {status && (
              <span className={`offers-pill ${status.listening ? 'offers-pill-good' : status.enabled ? 'offers-pill-bad' : ''}`}>
                {status.enabled ? t('receiverOn') : t('receiverOff')}
              </span>
            )}
          </div>
          {status && (
            <>
              <button
                type="button"
                role="switch"
                aria-checked={status.enabled}
                className={`offers-switch ${status.enabled ? 'offers-switch-on' : ''}`}
                data-testid={OFFERS_TID.receiverSwitch}
                disabled={switching}
                onClick={() => void toggle()}
              >
                <span className="offers-switch-track" aria-hidden="true">
                  <span className="offers-switch-knob" />
                </span>
                <span>{t('receiverSwitch')}</span>
              </button>
              <p className="hint">{t('managerSwitches')}</p>
              <ul className="offers-facts-list">
                <li>{status.listening && status.localUrl ? t('listening', { url: status.localUrl }) : t('notListening')}</li>
                {status.publicUrl && <li className="offers-break">{t('registeredUrl', { url: status.publicUrl })}</li>}
                <li>{status.signatureChecked ? t('keyAndSignature') : t('keyOnly')}</li>
                <li>{status.lastNoticeAt ? t('lastNotice', { time: timeText(status.lastNoticeAt, fmt) }) : t('noNoticeYet')}</li>
              </ul>
              {status.error && <LocalizedError error={status.error} testId={OFFERS_TID.errorMessage} />}
            </>
          )}
          {switchError && <LocalizedError error={switchError} testId={OFFERS_TID.errorMessage} />}
        </section>

        <section className="card offers-catch-up" data-testid={OFFERS_TID.catchUp} aria-labelledby="offers-catch-up-title">
          <h2 id="offers-catch-up-title">{t('catchUpTitle')}</h2>
          <p className="hint">{t('catchUpWhy')}</p>
          {status?.lastCatchUp && <CatchUpLine run={status.lastCatchUp} />}
          <button type="button" className="btn btn-secondary" data-testid={OFFERS_TID.catchUpNow} disabled={catchingUp} onClick={() => void catchUpNow()}>
            {catchingUp ? t('loading') : t('catchUpNow')}
          </button>
          {catchUpError && <LocalizedError error={catchUpError} testId={OFFERS_TID.errorMessage} />}
        </section>

        <section className="card offers-refusals" data-testid={OFFERS_TID.refusals} aria-labelledby="offers-refusals-title">
          <h2 id="offers-refusals-title">{t('refusalsTitle')}</h2>
          {refusals && refusals.every((r) => r.count === 0) && <p className="hint">{t('noRefusals')}</p>}
          <dl className="offers-refusal-list">
            {REASONS.map((reason) => {
              const r = refusalCount(reason);
              const count = r?.count ?? 0;
              return (
                <div
                  key={reason}
                  className={`offers-refusal ${count > 0 ? 'offers-refusal-some' : ''}`}
                  data-testid={OFFERS_TID.refusal}
                  data-reason={reason}
                  data-count={count}
                >
                  <dt>
                    {t(`reason.${reason}`)}
                    <span className="offers-refusal-help">{t(`reasonHelp.${reason}`)}</span>
                  </dt>
                  <dd>
                    <span className="offers-count">{count}</span>
                    {r?.lastAt && count > 0 && <span className="muted"> {t('refusedLast', { time: timeText(r.lastAt, fmt) })}</span>}
                  </dd>
                </div>
              );
            })}
          </dl>
        </section>
      </div>

      <section className="offers-figures" aria-labelledby="offers-figures-title">
        <div className="offers-subhead">
          <h2 id="offers-figures-title">{t('figuresTitle')}</h2>
          <div className="offers-segmented" role="group" aria-label={t('figuresTitle')}>
            {RANGES.map((r) => (
              <button
                key={r}
                type="button"
                className={`seg ${range === r ? 'seg-on' : ''}`}
                aria-pressed={range === r}
                data-testid={OFFERS_TID.range(r)}
                onClick={() => setRange(r)}
              >
                {t(RANGE_KEY[r])}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="btn btn-secondary"
            data-testid={OFFERS_TID.noticesRefresh}
            disabled={loading}
            onClick={() => void load({ replace: true })}
          >
            {loading ? t('loading') : t('refresh')}
          </button>
        </div>
        {totals && (
          <dl className="offers-totals" data-testid={OFFERS_TID.totals}>
            <div data-testid={OFFERS_TID.totalPurchases} data-count={totals.purchases} data-cents={totals.purchaseCents}>
              <dt>{t('purchases')}</dt>
              <dd>
                <span className="offers-big">{totals.purchases}</span>
                <span>
                  {t('spent')}: {fmt.amount(totals.purchaseCents, currency)}
                </span>
              </dd>
            </div>
            <div data-testid={OFFERS_TID.totalRefunds} data-count={totals.refunds} data-cents={totals.refundCents}>
              <dt>{t('refunds')}</dt>
              <dd>
                <span className="offers-big">{totals.refunds}</span>
                <span>
                  {t('refunded')}: {fmt.amount(totals.refundCents, currency)}
                </span>
              </dd>
            </div>
          </dl>
        )}
      </section>

      {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}

      <section aria-labelledby="offers-notices-title">
        <h2 id="offers-notices-title">{t('noticesTitle')}</h2>
        {!loading && notices.length === 0 && !error && (
          <p className="hint" data-testid={OFFERS_TID.noticesEmpty}>
            {t('noNotices')}
          </p>
        )}
        {notices.length > 0 && (
          <div className="table-wrap">
            <table className="log-table offers-table">
              <thead>
                <tr>
                  <th scope="col">{t('colTime')}</th>
                  <th scope="col">{t('colType')}</th>
                  <th scope="col">{t('colOffer')}</th>
                  <th scope="col">{t('colCard')}</th>
                  <th scope="col" className="num">
                    {t('colAmount')}
                  </th>
                  <th scope="col">{t('colTransaction')}</th>
                </tr>
              </thead>
              <tbody>
                {notices.map((n) => (
                  <tr
                    key={n.id}
                    ref={(el) => {
                      if (el) rows.current.set(n.id, el);
                      else rows.current.delete(n.id);
                    }}
                    tabIndex={-1}
                    className={`offers-row-${n.type} ${flash === n.id ? 'offers-row-flash' : ''}`}
                    data-testid={OFFERS_TID.noticeRow}
                    data-notice-id={n.id}
                    data-type={n.type}
                    data-cents={n.amount.cents}
                    data-transaction-id={n.transactionId}
                  >
                    <td>{timeText(n.transactionAt, fmt)}</td>
                    <td className="offers-wrap">
                      <span className={`offers-kind offers-kind-${n.type}`}>{t(`type.${n.type}`)}</span>
                      {n.type === 'refund' && (
                        <span className="offers-refund-of" data-testid={OFFERS_TID.noticeOriginal} data-original-id={n.original?.id ?? ''}>
                          {n.original
                            ? t('refundOf', { time: timeText(n.original.transactionAt, fmt), amount: money(n.original.amount, fmt) })
                            : t('refundOfMissing', { id: n.originalTransactionId ?? '?' })}
                          {n.original && notices.some((o) => o.id === n.original!.id) && (
                            <button type="button" className="offers-linkish" onClick={() => showOriginal(n.original!.id)}>
                              {t('showPurchase')}
                            </button>
                          )}
                        </span>
                      )}
                    </td>
                    <td className="offers-wrap">{n.offerName ?? (n.offerId ? n.offerId : <span className="muted">{t('noOffer')}</span>)}</td>
                    <td>{cardText(n.card, t)}</td>
                    <td className={`num ${n.amount.cents < 0 ? 'offers-negative' : ''}`}>{money(n.amount, fmt)}</td>
                    <td className="mono" title={n.transactionId}>
                      {shortId(n.transactionId)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {nextBeforeId !== null && (
          <button type="button" className="btn" data-testid={OFFERS_TID.noticesMore} disabled={loading} onClick={() => void older()}>
            {t('olderNotices')}
          </button>
        )}
      </section>

      {manager.dialog}
    </div>
  );
}

/** The last catch-up in one line: when, how many cards, what it recovered. */
function CatchUpLine({ run }: { run: CatchUpView }) {
  const t = useOffersT();
  const fmt = useFmt();
  return (
    <p className="offers-note" data-testid={OFFERS_TID.catchUpLast} data-recovered={run.recovered} data-failed={run.failedCards}>
      {t('catchUpLast', { time: timeText(run.at, fmt), cards: run.cards, recovered: run.recovered })}
      {run.failedCards > 0 && ` ${t('catchUpFailed', { count: run.failedCards })}`}
      {run.unreadable > 0 && ` ${t('catchUpUnreadable', { count: run.unreadable })}`}
    </p>
  );
}

/** New notices on top of what is shown (older pages the manager opened stay). */
function mergeNewest(old: readonly OfferNoticeView[], newest: readonly OfferNoticeView[]): OfferNoticeView[] {
  const byId = new Map<number, OfferNoticeView>();
  for (const n of old) byId.set(n.id, n);
  for (const n of newest) byId.set(n.id, n);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-12)}` : id;
}
