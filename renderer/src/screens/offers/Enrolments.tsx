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

/** The customer's cards and the offers each is linked to; unlink one (after a yes), or link a card to the chosen offer. */
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
  const [confirm, setConfirm] = useState<{ cardId: string; offerId: string } | null>(null);
  const seq = useRef(0);
  const yesRef = useRef<HTMLButtonElement>(null);

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

  useEffect(() => {
    if (confirm) yesRef.current?.focus();
  }, [confirm]);

  const offerName = (id: string, fallback: string | null) => fallback ?? offers.find((o) => o.id === id)?.name ?? id;

  async function unlink(cardId: string, offerId: string, label: string, name: string) {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api.unlinkCardFromOffer({ cardId, offerId });
      setConfirm(null);
      setMessage(t('unlinked', { card: label, offer: name }));
      await load();
    } catch (e) {
      setError(asErrorInfo(e));
    } finally {
      setBusy(false);
    }
  }

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
                  {links.map((l) => {
                    const name = offerName(l.offerId, l.offerName);
                    const asking = confirm?.cardId === card.id && confirm.offerId === l.offerId;
                    return (
                      <li key={l.linkId} className="offers-link" data-testid={OFFERS_TID.cardLink} data-card-id={card.id} data-offer-id={l.offerId}>
                        <span className="offers-link-name">
                          {name} <span className="muted">{t('linkedOn', { date: fmt.date(l.linkedAt) })}</span>
                        </span>
                        {asking ? (
                          <span
                            className="offers-confirm"
                            role="group"
                            aria-label={t('unlinkConfirm', { card: label, offer: name })}
                            onKeyDown={(e) => {
                              if (e.key === 'Escape') setConfirm(null);
                            }}
                          >
                            <span className="offers-confirm-q">{t('unlinkConfirm', { card: label, offer: name })}</span>
                            <button
                              ref={yesRef}
                              type="button"
                              className="btn btn-danger"
                              data-testid={OFFERS_TID.unlinkConfirm}
                              disabled={busy}
                              onClick={() => void unlink(card.id, l.offerId, label, name)}
                            >
                              {t('unlinkYes')}
                            </button>
                            <button
                              type="button"
                              className="btn btn-secondary"
                              data-testid={OFFERS_TID.unlinkKeep}
                              disabled={busy}
                              onClick={() => setConfirm(null)}
                            >
                              {t('keep')}
                            </button>
                          </span>
                        ) : (
                          <button
                            type="button"
                            className="btn btn-danger"
                            data-testid={OFFERS_TID.unlink}
                            data-card-id={card.id}
                            data-offer-id={l.offerId}
                            disabled={busy}
                            onClick={() => setConfirm({ cardId: card.id, offerId: l.offerId })}
                          >
                            {t('unlink')}
                          </button>
                        )}
                      </li>
                    );
                  })}
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
