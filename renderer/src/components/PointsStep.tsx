import { memo, useRef, type FormEvent } from 'react';
import { useTranslation } from '../i18n/react';
import type { Quote } from '../../../shared/domain';
import { useFmt } from '../i18n/useFmt';
import { useFocusRequest, usePos } from '../state/context';
import { confirmedQuote, saleActions } from '../state/store';
import { TID } from '../testids';
import { Keypad } from './Keypad';

/** Step 3: how many points — typed, tapped on the keypad, or Max. */
export function PointsStep() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const inputRef = useRef<HTMLInputElement>(null);
  useFocusRequest('points', inputRef);
  const sale = usePos((s) => s.sale);
  const text = usePos((s) => s.pointsText);
  const setText = usePos((s) => s.setPointsText);
  const keypad = usePos((s) => s.keypad);
  const useMax = usePos((s) => s.useMax);
  const commit = usePos((s) => s.commitPoints);
  const busy = usePos((s) => s.busy);

  const title = (
    <>
      <span className="step-no">3</span> {t('counter.points.title')}
    </>
  );
  if (!sale?.member) {
    return (
      <section className="step step-idle" aria-label={t('counter.points.title')}>
        <h2 className="step-label">{title}</h2>
        <p className="hint">{t('counter.points.idle')}</p>
      </section>
    );
  }
  const terms = sale.terms;
  if (!terms && sale.quote) {
    // A closed sale (the service no longer holds its terms): the figure as it was settled.
    return (
      <section className="step" aria-label={t('counter.points.title')}>
        <h2 className="step-label">{title}</h2>
        <p className="settled-points">
          <strong className="big-figure">{fmt.points(sale.quote.pointsMilli, 3)}</strong> {t('counter.points.settled')}
        </p>
      </section>
    );
  }
  if (!terms) {
    return (
      <section className="step" aria-label={t('counter.points.title')}>
        <h2 className="step-label">{title}</h2>
        <p className="message message-warning">{t('counter.points.noFreeAmount')}</p>
      </section>
    );
  }
  const { canChoosePoints } = saleActions(sale);
  const decimals = terms.decimals;
  if (!canChoosePoints && sale.quote) {
    // Confirmed: the figure is settled, the keypad goes away.
    return (
      <section className="step" aria-label={t('counter.points.title')}>
        <h2 className="step-label">{title}</h2>
        <p className="settled-points">
          <strong className="big-figure">{fmt.points(sale.quote.pointsMilli, decimals)}</strong> {t('counter.points.settled')}
        </p>
      </section>
    );
  }
  const max = sale.maxPointsMilli ?? 0;
  const editable = canChoosePoints && busy === null;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    commit();
  };
  return (
    <section className="step" aria-label={t('counter.points.title')}>
      <form onSubmit={onSubmit}>
        <label className="step-label" htmlFor="points-input">
          {title}
          <span className="muted">
            {' ('}
            <span data-testid={TID.maxPoints} data-milli={max}>
              {t('counter.points.upTo', { points: fmt.points(max, decimals) })}
            </span>
            {')'}
          </span>
        </label>
        <div className="field-row">
          <input
            id="points-input"
            ref={inputRef}
            className="field field-points"
            data-testid={TID.pointsInput}
            data-scan-field=""
            data-decimals={decimals}
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0"
            value={text}
            disabled={!editable}
            onChange={(e) => setText(e.target.value)}
            aria-describedby="points-help"
          />
          <button type="button" className="btn btn-max" data-testid={TID.maxButton} disabled={!editable || max <= 0} onClick={useMax}>
            {t('counter.points.max')}
          </button>
        </div>
        <p className="hint" id="points-help">
          {max <= 0 ? t('counter.points.none') : t('counter.points.help')}
          {max > 0 && decimals > 0 && <> {t('counter.points.decimals', { decimals })}</>}
        </p>
      </form>
      <Keypad onKey={keypad} disabled={!editable} decimals={decimals} />
    </section>
  );
}

/**
 * Step 4: what the member sees before agreeing (points or the chosen reward),
 * the validation code where the program sends one, and the confirmation.
 */
export function QuotePanel() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('confirm', confirmRef);
  const sale = usePos((s) => s.sale);
  // The status's parts this panel uses, not the whole status (pushed after every backend call: issue 18).
  const redemption = usePos((s) => s.status?.backend.capabilities.redemption);
  const needsCode = usePos((s) => s.status?.backend.capabilities.validationCode === true);
  const programDecimals = usePos((s) => s.status?.backend.capabilities.pointsDecimals);
  const online = usePos((s) => s.status?.online);
  const confirm = usePos((s) => s.confirm);
  const busy = usePos((s) => s.busy);
  const quoting = usePos((s) => s.quoting);
  const preview = usePos((s) => s.preview);
  const codeText = usePos((s) => s.validationCodeText);
  const serverQuote = usePos(confirmedQuote);
  const member = sale?.member;
  const rewardMode = redemption === 'reward';
  const decimals = sale?.terms?.decimals ?? programDecimals ?? 3;
  const { canChoosePoints } = saleActions(sale);
  const shown: Quote | null = serverQuote ?? (canChoosePoints ? (rewardMode ? null : preview) : (sale?.quote ?? null));
  const reward = sale?.reward && sale.quote ? sale.reward : null;
  const noDiscount = !!reward && reward.discount === null;
  const codeMissing = needsCode && codeText.trim() === '';
  const canConfirm = !!serverQuote && busy === null && quoting === null && !codeMissing;
  const offline = !!serverQuote && (online === false || member?.lastKnown === true);
  let label = t('counter.quote.confirm');
  if (busy === 'confirm') label = t('counter.quote.sending');
  else if (serverQuote && reward) label = t('counter.quote.confirmReward', { points: fmt.points(serverQuote.pointsMilli, decimals) });
  else if (serverQuote) label = t('counter.quote.confirmPoints', { points: fmt.points(serverQuote.pointsMilli, decimals) });
  else if (quoting !== null || busy === 'reward') label = t('counter.quote.checking');
  return (
    <section className="step" aria-label={t('counter.quote.title')}>
      <h2 className="step-label">
        <span className="step-no">4</span> {t('counter.quote.title')}
      </h2>
      <dl className="quote" data-testid={TID.quote} aria-live="polite">
        {rewardMode && (
          <div className="quote-row quote-reward">
            <dt>{t('counter.quote.reward')}</dt>
            <dd data-testid={TID.quoteReward} data-reward-id={reward?.id}>
              {reward?.title ?? '—'}
            </dd>
          </div>
        )}
        {noDiscount ? (
          <div className="quote-row">
            <dt>{t('counter.quote.discount')}</dt>
            <dd className="quote-note" data-testid={TID.discount} data-cents={0} data-none="true">
              {t('counter.quote.noDiscount')}
            </dd>
          </div>
        ) : (
          <QuoteRow label={t('counter.quote.discount')} testId={TID.discount} money={shown?.discount} strong />
        )}
        {shown?.cashback && <QuoteRow label={t('counter.quote.cashback')} testId={TID.quoteCashback} money={shown.cashback} strong />}
        <QuoteRow
          label={t('counter.quote.balanceNow')}
          testId={TID.balanceNow}
          points={shown?.balanceBeforeMilli ?? member?.balanceMilli}
          decimals={decimals}
        />
        <QuoteRow label={t('counter.quote.pointsTaken')} testId={TID.pointsTaken} points={shown?.pointsMilli} decimals={decimals} />
        <QuoteRow label={t('counter.quote.balanceAfter')} testId={TID.balanceAfter} points={shown?.balanceAfterMilli} decimals={decimals} />
        <QuoteRow label={t('counter.quote.toPay')} testId={TID.toPay} money={shown?.toPay ?? sale?.basket} strong />
      </dl>
      {canChoosePoints && needsCode && serverQuote && <ValidationCode />}
      {canChoosePoints && offline && <p className="hint quote-offline">{t('counter.quote.offline')}</p>}
      {canChoosePoints && (
        <button
          ref={confirmRef}
          type="button"
          className="btn btn-primary btn-block"
          data-testid={TID.confirm}
          disabled={!canConfirm}
          onClick={() => void confirm()}
        >
          {label}
        </button>
      )}
    </section>
  );
}

/** Programs with a validation code: send it to the member, type what they read out. */
function ValidationCode() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const codeRef = useRef<HTMLInputElement>(null);
  useFocusRequest('code', codeRef);
  const sale = usePos((s) => s.sale);
  const busy = usePos((s) => s.busy);
  const text = usePos((s) => s.validationCodeText);
  const setText = usePos((s) => s.setValidationCodeText);
  const send = usePos((s) => s.requestValidationCode);
  const confirm = usePos((s) => s.confirm);
  const quote = sale?.quote;
  if (!sale || !quote) return null;
  const decimals = sale.terms?.decimals ?? 3;
  const sent = sale.validationCode && sale.validationCode.pointsMilli === quote.pointsMilli ? sale.validationCode : null;
  const sentText = sent
    ? sent.channel
      ? t('counter.code.sentVia', { channel: sent.channel, time: fmt.time(sent.requestedAt), points: fmt.points(sent.pointsMilli, decimals) })
      : t('counter.code.sent', { time: fmt.time(sent.requestedAt), points: fmt.points(sent.pointsMilli, decimals) })
    : null;
  return (
    <div className="code-step">
      <p className="hint">{t('counter.code.help')}</p>
      <div className="button-row">
        <button type="button" className="btn" data-testid={TID.codeSend} disabled={busy !== null} onClick={() => void send()}>
          {busy === 'code' ? t('counter.code.sending') : sent ? t('counter.code.sendAgain') : t('counter.code.send')}
        </button>
      </div>
      {sentText && (
        <p className="hint code-sent" data-testid={TID.codeSent} data-milli={sent?.pointsMilli} data-channel={sent?.channel ?? ''} role="status">
          {sentText}
        </p>
      )}
      <label className="code-label" htmlFor="code-input">
        {t('counter.code.label')}
      </label>
      <input
        id="code-input"
        ref={codeRef}
        className="field field-code"
        data-testid={TID.codeInput}
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
        spellCheck={false}
        placeholder={t('counter.code.placeholder')}
        value={text}
        disabled={busy !== null && busy !== 'code'}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void confirm();
          }
        }}
      />
    </div>
  );
}

interface QuoteRowProps {
  label: string;
  testId: string;
  money?: { cents: number; currency: string };
  points?: number;
  decimals?: number;
  strong?: boolean;
}

/** Same figure, same row: a quote's money arrives as new objects with every answer and every keypad tap. */
function sameRow(a: QuoteRowProps, b: QuoteRowProps): boolean {
  return (
    a.label === b.label &&
    a.testId === b.testId &&
    a.points === b.points &&
    a.decimals === b.decimals &&
    a.strong === b.strong &&
    a.money?.cents === b.money?.cents &&
    a.money?.currency === b.money?.currency
  );
}

const QuoteRow = memo(function QuoteRow(props: QuoteRowProps) {
  const fmt = useFmt();
  const { label, testId, money, points, decimals, strong } = props;
  let value = '—';
  let data: Record<string, number> = {};
  if (money) {
    value = fmt.money(money);
    data = { 'data-cents': money.cents };
  } else if (points !== undefined) {
    value = fmt.points(points, decimals);
    data = { 'data-milli': points };
  }
  return (
    <div className={`quote-row ${strong ? 'quote-strong' : ''}`}>
      <dt>{label}</dt>
      <dd data-testid={testId} {...data}>
        {value}
      </dd>
    </div>
  );
}, sameRow);
