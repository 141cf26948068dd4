import { useRef, useState, type FormEvent } from 'react';
import type { CardOfferLinkView, EnrolledCardView, OfferCustomerView, OfferView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import type { OffersApi } from './api';
import { cardNumberProblem, cardText, parseExpiry } from './format';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useOffersT, type OffersKey } from './i18n';
import { OFFERS_TID } from './testids';
import { focusOnMount } from '../../components/focus-on-mount';

export interface Enrolled {
  card: EnrolledCardView;
  link: CardOfferLinkView;
}

/**
 * Step 3: the customer types their card. The number and the security code
 * never enter React state or the store: their fields are uncontrolled, read
 * once into the request, and emptied as soon as the request returns
 * (whatever the answer). Nothing here logs them, and no attribute carries them.
 */
export function CardStep({
  api,
  offer,
  customer,
  onChanged,
}: {
  api: OffersApi;
  offer: OfferView | null;
  customer: OfferCustomerView | null;
  /** A card was enrolled or linked: the customer's cards changed. */
  onChanged: () => void;
}) {
  const t = useOffersT();
  const numberRef = useRef<HTMLInputElement>(null);
  const cvvRef = useRef<HTMLInputElement>(null);
  const [postalCode, setPostalCode] = useState('');
  const [month, setMonth] = useState('');
  const [year, setYear] = useState('');
  const [terms, setTerms] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<OffersKey | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [enrolled, setEnrolled] = useState<Enrolled | null>(null);
  /** The card was created but linking failed: link it without asking for the number again. */
  const [unlinked, setUnlinked] = useState<{ card: EnrolledCardView; offerId: string } | null>(null);

  const ready = offer !== null && customer !== null;

  function reset() {
    setEnrolled(null);
    setUnlinked(null);
    setError(null);
    setProblem(null);
    setMonth('');
    setYear('');
    setTerms(false);
    setPostalCode('');
    if (numberRef.current) numberRef.current.value = '';
    if (cvvRef.current) cvvRef.current.value = '';
    queueMicrotask(() => numberRef.current?.focus());
  }

  async function enrol(e: FormEvent) {
    e.preventDefault();
    const field = numberRef.current;
    const cvvField = cvvRef.current;
    if (!field || !cvvField || !offer || !customer || busy) return;
    setError(null);
    const numberIssue = cardNumberProblem(field.value);
    if (numberIssue) {
      setProblem(numberIssue);
      field.focus();
      return;
    }
    const expiry = parseExpiry(month, year);
    if ('problem' in expiry) {
      setProblem(expiry.problem);
      return;
    }
    if (!/^\d{3,4}$/.test(cvvField.value.trim())) {
      setProblem('cvvProblem');
      cvvField.focus();
      return;
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(postalCode.trim())) {
      setProblem('postalProblem');
      return;
    }
    if (!terms) {
      setProblem('termsProblem');
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      // Read from the field straight into the request; no variable outlives this call.
      const r = await api.enrolCard({
        customerId: customer.id,
        offerId: offer.id,
        card: {
          number: field.value.replace(/[\s-]/g, ''),
          expMonth: expiry.expMonth,
          expYear: expiry.expYear,
          cvv: cvvField.value.trim(),
          postalCode: postalCode.trim(),
        },
        termsAccepted: true,
      });
      setEnrolled(r);
      setUnlinked(null);
      onChanged();
    } catch (err) {
      const info = asErrorInfo(err);
      const card = createdCard(info);
      if (card) {
        setUnlinked({ card, offerId: offer.id });
        onChanged();
      }
      setError(info);
    } finally {
      field.value = '';
      cvvField.value = '';
      setBusy(false);
    }
  }

  async function linkAgain() {
    if (!unlinked || busy) return;
    setBusy(true);
    setError(null);
    try {
      const { link } = await api.linkCardToOffer({ cardId: unlinked.card.id, offerId: unlinked.offerId });
      setEnrolled({ card: unlinked.card, link });
      setUnlinked(null);
      onChanged();
    } catch (err) {
      setError(asErrorInfo(err));
    } finally {
      setBusy(false);
    }
  }

  if (!ready) {
    return <p className="hint">{t('chooseFirst')}</p>;
  }

  if (enrolled) {
    const offerName = enrolled.link.offerName ?? offer.name;
    return (
      <div
        className="offers-success"
        role="status"
        data-testid={OFFERS_TID.enrolled}
        data-scheme={enrolled.card.scheme}
        data-last4={enrolled.card.last4}
        data-card-id={enrolled.card.id}
        data-offer-id={enrolled.link.offerId}
      >
        <p className="offers-success-card">{cardText(enrolled.card, t)}</p>
        <p>{t('enrolled', { card: cardText(enrolled.card, t), offer: offerName })}</p>
        <button type="button" className="btn btn-primary offers-wide" data-testid={OFFERS_TID.enrolAnother} onClick={reset} ref={focusOnMount}>
          {t('enrolAnother')}
        </button>
      </div>
    );
  }

  return (
    <form className="offers-form" data-testid={OFFERS_TID.cardForm} onSubmit={(e) => void enrol(e)} noValidate autoComplete="off">
      <p className="offers-handover">{t('handOver')}</p>
      {unlinked && (
        <div className="message message-warning offers-message" role="status" data-testid={OFFERS_TID.createdNotLinked} data-card-id={unlinked.card.id}>
          <p className="message-text">{t('createdNotLinked', { card: cardText(unlinked.card, t) })}</p>
          <button type="button" className="btn btn-primary" data-testid={OFFERS_TID.linkAgain} disabled={busy} onClick={() => void linkAgain()}>
            {t('linkAgain')}
          </button>
        </div>
      )}
      <label className="offers-label">
        {t('cardNumber')}
        <input
          ref={numberRef}
          className="field offers-field offers-card-number mono"
          data-testid={OFFERS_TID.cardNumber}
          // Not a payment form to the browser: no autofill, no saving, no spell check.
          name="pwp-offer-card"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          autoCorrect="off"
          spellCheck={false}
          maxLength={23}
          disabled={busy}
          aria-invalid={problem === 'numberProblem'}
          aria-describedby="offers-card-hint"
          defaultValue=""
        />
      </label>
      <p className="hint offers-hint" id="offers-card-hint">
        {t('cardNumberHint')}
      </p>
      <fieldset className="offers-expiry">
        <legend>{t('expiry')}</legend>
        <label className="offers-label">
          {t('month')}
          <input
            className="field offers-field mono"
            data-testid={OFFERS_TID.cardExpMonth}
            inputMode="numeric"
            autoComplete="off"
            maxLength={2}
            value={month}
            disabled={busy}
            onChange={(e) => setMonth(e.target.value.replace(/\D/g, ''))}
            aria-invalid={problem === 'monthProblem' || problem === 'expiredProblem'}
          />
        </label>
        <span className="offers-slash" aria-hidden="true">
          /
        </span>
        <label className="offers-label">
          {t('year')}
          <input
            className="field offers-field mono"
            data-testid={OFFERS_TID.cardExpYear}
            inputMode="numeric"
            autoComplete="off"
            maxLength={4}
            value={year}
            disabled={busy}
            onChange={(e) => setYear(e.target.value.replace(/\D/g, ''))}
            aria-invalid={problem === 'yearProblem' || problem === 'expiredProblem'}
          />
        </label>
      </fieldset>
      <label className="offers-label">
        {t('cvv')}
        <input
          ref={cvvRef}
          className="field offers-field mono"
          data-testid={OFFERS_TID.cardCvv}
          name="pwp-offer-cvv"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          maxLength={4}
          disabled={busy}
          aria-invalid={problem === 'cvvProblem'}
          defaultValue=""
        />
      </label>
      <label className="offers-label">
        {t('postalCode')}
        <input
          className="field offers-field"
          data-testid={OFFERS_TID.cardPostalCode}
          autoComplete="off"
          maxLength={10}
          value={postalCode}
          disabled={busy}
          onChange={(e) => setPostalCode(e.target.value)}
          aria-invalid={problem === 'postalProblem'}
        />
      </label>
      <label className="offers-check">
        <input type="checkbox" data-testid={OFFERS_TID.cardTerms} checked={terms} disabled={busy} onChange={(e) => setTerms(e.target.checked)} />
        <span>{t('terms')}</span>
      </label>
      {problem && (
        <p className="offers-problem" role="alert" data-testid={OFFERS_TID.cardProblem} data-problem={problem}>
          {t(problem)}
        </p>
      )}
      {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}
      <button type="submit" className="btn btn-primary btn-block" data-testid={OFFERS_TID.cardEnrol} disabled={busy}>
        {busy ? t('enrolling') : t('enrol')}
      </button>
    </form>
  );
}

/** enrolCard's error when the card was created but not linked: details.card is {id, scheme, last4}. */
function createdCard(info: ErrorInfo): EnrolledCardView | null {
  const c = info.details?.card as Partial<EnrolledCardView> | undefined;
  if (!c || typeof c.id !== 'string' || typeof c.scheme !== 'string' || typeof c.last4 !== 'string') return null;
  return { id: c.id, scheme: c.scheme, last4: c.last4 };
}
