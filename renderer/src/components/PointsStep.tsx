import { useRef, type FormEvent } from 'react';
import type { Quote } from '../../../shared/domain';
import { showMoney, showPoints } from '../lib/format';
import { useFocusRequest, usePos } from '../state/context';
import { confirmedQuote, saleActions } from '../state/store';
import { TID } from '../testids';
import { Keypad } from './Keypad';

/** Step 3: how many points — typed, tapped on the keypad, or Max. */
export function PointsStep() {
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
      <span className="step-no">3</span> Points to use
    </>
  );
  if (!sale?.member) {
    return (
      <section className="step step-idle" aria-label="Points">
        <h2 className="step-label">{title}</h2>
        <p className="hint">Enter the basket and identify the member first.</p>
      </section>
    );
  }
  const terms = sale.terms;
  if (!terms) {
    return (
      <section className="step" aria-label="Points">
        <h2 className="step-label">{title}</h2>
        <p className="message message-warning">This loyalty program does not redeem a free number of points at the counter.</p>
      </section>
    );
  }
  const { canChoosePoints } = saleActions(sale);
  const decimals = terms.decimals;
  if (!canChoosePoints && sale.quote) {
    // Confirmed: the figure is settled, the keypad goes away.
    return (
      <section className="step" aria-label="Points">
        <h2 className="step-label">{title}</h2>
        <p className="settled-points">
          <strong className="big-figure">{showPoints(sale.quote.pointsMilli, decimals)}</strong> points, confirmed by the member
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
    <section className="step" aria-label="Points">
      <form onSubmit={onSubmit}>
        <label className="step-label" htmlFor="points-input">
          {title}
          <span className="muted">
            {' '}
            (up to{' '}
            <span data-testid={TID.maxPoints} data-milli={max}>
              {showPoints(max, decimals)}
            </span>
            )
          </span>
        </label>
        <div className="field-row">
          <input
            id="points-input"
            ref={inputRef}
            className="field field-points"
            data-testid={TID.pointsInput}
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
            Max
          </button>
        </div>
        <p className="hint" id="points-help">
          {max <= 0 ? 'No points can be used on this sale.' : 'Type or tap the points, or Max. Enter shows the quote.'}
        </p>
      </form>
      <Keypad onKey={keypad} disabled={!editable} decimals={decimals} />
    </section>
  );
}

/** Step 4: what the member sees before agreeing, and their confirmation. */
export function QuotePanel() {
  const confirmRef = useRef<HTMLButtonElement>(null);
  useFocusRequest('confirm', confirmRef);
  const sale = usePos((s) => s.sale);
  const confirm = usePos((s) => s.confirm);
  const busy = usePos((s) => s.busy);
  const quoting = usePos((s) => s.quoting);
  const preview = usePos((s) => s.preview);
  const serverQuote = usePos(confirmedQuote);
  const member = sale?.member;
  const decimals = sale?.terms?.decimals ?? 3;
  const { canChoosePoints } = saleActions(sale);
  const shown: Quote | null = serverQuote ?? (canChoosePoints ? preview : (sale?.quote ?? null));
  const canConfirm = !!serverQuote && busy === null && quoting === null;
  return (
    <section className="step" aria-label="Quote">
      <h2 className="step-label">
        <span className="step-no">4</span> The member agrees
      </h2>
      <dl className="quote" data-testid={TID.quote} aria-live="polite">
        <QuoteRow label="Discount" testId={TID.discount} money={shown?.discount} strong />
        <QuoteRow label="Balance now" testId={TID.balanceNow} points={shown?.balanceBeforeMilli ?? member?.balanceMilli} decimals={decimals} />
        <QuoteRow label="Points taken" testId={TID.pointsTaken} points={shown?.pointsMilli} decimals={decimals} />
        <QuoteRow label="Balance after" testId={TID.balanceAfter} points={shown?.balanceAfterMilli} decimals={decimals} />
        <QuoteRow label="Left to pay" testId={TID.toPay} money={shown?.toPay ?? sale?.basket} strong />
      </dl>
      {canChoosePoints && (
        <button ref={confirmRef} type="button" className="btn btn-primary btn-block" data-testid={TID.confirm} disabled={!canConfirm} onClick={() => void confirm()}>
          {busy === 'confirm'
            ? 'Sending…'
            : serverQuote
              ? `Member confirms: use ${showPoints(serverQuote.pointsMilli, decimals)} points`
              : quoting !== null
                ? 'Checking…'
                : 'Member confirms'}
        </button>
      )}
    </section>
  );
}

function QuoteRow(props: { label: string; testId: string; money?: { cents: number; currency: string }; points?: number; decimals?: number; strong?: boolean }) {
  const { label, testId, money, points, decimals, strong } = props;
  let value = '—';
  let data: Record<string, number> = {};
  if (money) {
    value = showMoney(money);
    data = { 'data-cents': money.cents };
  } else if (points !== undefined) {
    value = showPoints(points, decimals);
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
}
