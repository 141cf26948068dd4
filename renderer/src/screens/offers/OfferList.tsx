import type { OfferView } from '../../../../shared/contract/offers';
import { datesText, daysText, discountText, spendText } from './format';
import { useFmt } from '../../i18n/useFmt';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';

/** The store's live offers as big buttons: what the customer gets, from how much, which days, which dates, and the text for them. */
export function OfferList({ offers, selectedId, onSelect }: { offers: readonly OfferView[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const t = useOffersT();
  const fmt = useFmt();
  return (
    <ul className="offer-list" data-testid={OFFERS_TID.offerList} aria-label={t('stepOffer')}>
      {offers.map((o) => {
        const on = o.id === selectedId;
        return (
          <li key={o.id}>
            <button
              type="button"
              className={`offer-option ${on ? 'offer-option-on' : ''}`}
              aria-pressed={on}
              data-testid={OFFERS_TID.offerOption}
              data-offer-id={o.id}
              onClick={() => onSelect(o.id)}
            >
              <span className="offer-top">
                <span className="offer-name">{o.name}</span>
                {on && <span className="offer-chosen">✓ {t('chosen')}</span>}
              </span>
              <span className="offer-discount">{discountText(o, t, fmt)}</span>
              <span className="offer-facts">
                {spendText(o, t, fmt).map((s) => (
                  <span key={s}>{s}</span>
                ))}
                <span>{daysText(o.daysOfWeek, t, fmt)}</span>
                <span>{datesText(o, t, fmt)}</span>
              </span>
              {o.brandName && <span className="offer-brand">{o.brandName}</span>}
              {o.counterText && (
                <span className="offer-text">
                  <span className="offer-text-label">{t('tellCustomer')}: </span>“{o.counterText}”
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
