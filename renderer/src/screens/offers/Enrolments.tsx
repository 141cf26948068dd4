import { useCallback, useEffect, useRef, useState } from 'react';
import type { EnrolmentView, OfferCustomerView, OfferView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import type { OffersApi } from './api';
import { useFmt } from '../../i18n/useFmt';
import { cardText } from './format';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';

/** The customer's cards (Pentadata's list) and the offers each was linked to here; link a card to the chosen offer. Pentadata offers no unlinking. */
export function Enrolments({
  api,
  customer,
  offer,
  offers,
  reloadKey,
}: {
  api: OffersApi;
  customer: OfferCustomerView;
  /** The offer chosen in step 1, if any. */
  offer: OfferView | null;
  offers: readonly OfferView[];
  /** Changes when a card was enrolled elsewhere on the screen. */
  reloadKey: number;
}) {
  const t = useOffersT();
  const fmt = useFmt();
  const [list, setList] = useState<EnrolmentView[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const { enrolments } = await api.listEnrolments({ customerId: customer.id });
      if (mine === seq.current) setList(enrolments);
    } catch (e) {
      if (mine === seq.current) setError(asErrorInfo(e));
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }, [api, customer.id]);

  useEffect(() => {
    void load();
  }, [load, reloadKey]);

  const offerName = (id: string, fallback: string | null) => fallback ?? offers.find((o) => o.id === id)?.name ?? id;

  async function link(cardId: string, label: string) {
    if (!offer) return;
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const r = await api.linkCardToOffer({ cardId, offerId: offer.id });
      setMessage(t('linked', { card: label, offer: r.link.offerName ?? offer.name }));
      await load();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="offers-enrolments" data-testid={OFFERS_TID.enrolments} aria-busy={loading} aria-labelledby="offers-cards-title">
      <div className="offers-subhead">
        <h3 id="offers-cards-title">{t('cardsTitle')}</h3>
        <button
          type="button"
          className="btn btn-secondary btn-small"
          data-testid={OFFERS_TID.enrolmentsRefresh}
          disabled={loading || busy}
          onClick={() => void load()}
        >
          {loading ? t('loading') : t('refresh')}
        </button>
      </div>
      {message && (
        <p className="offers-note" role="status" data-testid={OFFERS_TID.enrolmentsMessage}>
          {message}
        </p>
      )}
      {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}
      {list && list.length === 0 && <p className="hint">{t('noCards')}</p>}
      {list && list.length > 0 && (
        <ul className="offers-cards">
          {list.map(({ card, offers: links }) => {
            const label = cardText(card, t);
            const linkedToChosen = offer !== null && links.some((l) => l.offerId === offer.id);
            return (
              <li key={card.id} className="offers-card" data-testid={OFFERS_TID.enrolledCard} data-card-id={card.id} data-last4={card.last4}>
                <p className="offers-card-name">{label}</p>
                {links.length === 0 && <p className="hint">{t('noLinks')}</p>}
                <ul className="offers-links">
                  {links.map((l) => (
                    <li key={l.linkId} className="offers-link" data-testid={OFFERS_TID.cardLink} data-card-id={card.id} data-offer-id={l.offerId}>
                      <span className="offers-link-name">
                        {offerName(l.offerId, l.offerName)} <span className="muted">{t('linkedOn', { date: fmt.date(l.linkedAt) })}</span>
                      </span>
                    </li>
                  ))}
                </ul>
                {offer && !linkedToChosen && (
                  <button
                    type="button"
                    className="btn"
                    data-testid={OFFERS_TID.linkToOffer}
                    data-card-id={card.id}
                    disabled={busy}
                    onClick={() => void link(card.id, label)}
                  >
                    {t('linkTo', { offer: offer.name })}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
