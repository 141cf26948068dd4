import { useCallback, useEffect, useState } from 'react';
import type { OfferCustomerView, OfferView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import type { OffersApi } from './api';
import { CardStep } from './CardStep';
import { CreateOffer } from './CreateOffer';
import { CustomerStep } from './CustomerStep';
import { Enrolments } from './Enrolments';
import { OfferList } from './OfferList';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';

/** Enrolment at the counter in three steps side by side: the offer (a manager may add one), the customer (and their cards), the card. */
export function EnrolView({ api }: { api: OffersApi }) {
  const t = useOffersT();
  const [offers, setOffers] = useState<OfferView[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [offerId, setOfferId] = useState<string | null>(null);
  const [customer, setCustomer] = useState<OfferCustomerView | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const r = await api.listOffers({});
      setOffers(r.offers);
      setOfferId((id) => (id && r.offers.some((o) => o.id === id) ? id : r.offers.length === 1 ? r.offers[0]!.id : null));
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load]);

  const offer = offers?.find((o) => o.id === offerId) ?? null;

  return (
    <div className="offers-grid">
      <section className="step offers-step" aria-labelledby="offers-step-offer">
        <div className="offers-subhead">
          <h2 className="step-label" id="offers-step-offer">
            <span className="step-no">1</span>
            {t('stepOffer')}
          </h2>
          <button type="button" className="btn btn-secondary btn-small" data-testid={OFFERS_TID.offersRefresh} disabled={loading} onClick={() => void load()}>
            {loading ? t('loading') : t('refresh')}
          </button>
        </div>
        {loading && !offers && (
          <p className="loading-line" data-testid={OFFERS_TID.loading} role="status">
            <span className="spinner" aria-hidden="true" /> {t('loading')}
          </p>
        )}
        {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}
        {offers && offers.length === 0 && <p className="hint">{t('noOffers')}</p>}
        {offers && offers.length > 0 && <OfferList offers={offers} selectedId={offerId} onSelect={setOfferId} />}
        <CreateOffer
          api={api}
          onCreated={(o) => {
            setOffers((list) => [o, ...(list ?? []).filter((x) => x.id !== o.id)]);
            setOfferId(o.id);
          }}
        />
      </section>

      <section className="step offers-step" aria-labelledby="offers-step-customer">
        <h2 className="step-label" id="offers-step-customer">
          <span className="step-no">2</span>
          {t('stepCustomer')}
        </h2>
        <CustomerStep api={api} customer={customer} onCustomer={setCustomer} />
        {customer && <Enrolments api={api} customer={customer} offer={offer} offers={offers ?? []} reloadKey={reloadKey} />}
      </section>

      <section className="step offers-step" aria-labelledby="offers-step-card">
        <h2 className="step-label" id="offers-step-card">
          <span className="step-no">3</span>
          {t('stepCard')}
        </h2>
        <CardStep
          // A new offer or customer starts a fresh form (nothing carried over).
          key={`${offer?.id ?? ''}|${customer?.id ?? ''}`}
          api={api}
          offer={offer}
          customer={customer}
          onChanged={() => setReloadKey((k) => k + 1)}
        />
      </section>
    </div>
  );
}
