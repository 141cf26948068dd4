import type { OfferView } from '../../../../shared/contract/offers';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';

/** The store's offers as big buttons: the text the customer sees at the point of sale, and its description. */
export function OfferList({ offers, selectedId, onSelect }: { offers: readonly OfferView[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const t = useOffersT();
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
              {o.description.length > 0 && (
                <span className="offer-text">
                  <span className="offer-text-label">{t('tellCustomer')}: </span>
                  {o.description.join(' ')}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
