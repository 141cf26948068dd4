import { useRef, type FormEvent } from 'react';
import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import { useFocusRequest, usePos } from '../state/context';
import { isClosed, saleActions } from '../state/store';
import { TID } from '../testids';
import { useFocusOnMount } from './focus-on-mount';

export function BasketStep() {
  const { t } = useTranslation();
  const fmt = useFmt();
  const ref = useRef<HTMLInputElement>(null);
  useFocusRequest('basket', ref);
  useFocusOnMount(ref);
  const text = usePos((s) => s.basketText);
  const setText = usePos((s) => s.setBasketText);
  const submit = usePos((s) => s.submitBasket);
  // Primitives and the basket only: a new balance or a status push leaves this step alone (issue 18).
  const canEditBasket = usePos((s) => saleActions(s.sale).canEditBasket);
  const openCents = usePos((s) => (s.sale && !isClosed(s.sale) ? s.sale.basket.cents : null));
  const saleCurrency = usePos((s) => s.sale?.basket.currency);
  const hasStatus = usePos((s) => s.status !== null);
  const currency = usePos((s) => s.status?.currency);
  const busy = usePos((s) => s.busy);
  const disabled = !hasStatus || !canEditBasket;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit();
  };
  return (
    <form className="step" onSubmit={onSubmit} aria-labelledby="basket-label">
      <label className="step-label" id="basket-label" htmlFor="basket-input">
        <span className="step-no">1</span> {t('counter.basket.title')} {hasStatus && <span className="muted">({currency})</span>}
      </label>
      <div className="field-row">
        <input
          id="basket-input"
          ref={ref}
          className="field field-money"
          data-testid={TID.basketInput}
          data-scan-field=""
          type="text"
          inputMode="decimal"
          autoComplete="off"
          placeholder="0.00"
          value={text}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn" data-testid={TID.basketSubmit} disabled={disabled || busy !== null}>
          {openCents !== null ? t('counter.basket.update') : t('counter.basket.start')}
        </button>
      </div>
      {openCents !== null && saleCurrency && (
        <p className="hint">
          {t('counter.basket.saleBasket')} <strong>{fmt.money({ cents: openCents, currency: saleCurrency })}</strong>
        </p>
      )}
    </form>
  );
}
