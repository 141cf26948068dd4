import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { OfferCustomerView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import type { OffersApi } from './api';
import { EMAIL_PATTERN } from './format';
import { LocalizedError } from '../../i18n/LocalizedError';
import { useOffersT, type OffersKey } from './i18n';
import { OFFERS_TID } from './testids';

type Mode = 'find' | 'new';

/** Step 2: find the customer by e-mail (one enrolled at this terminal), or create them with Pentadata: first name, last name and e-mail. */
export function CustomerStep({
  api,
  customer,
  onCustomer,
}: {
  api: OffersApi;
  customer: OfferCustomerView | null;
  onCustomer: (c: OfferCustomerView | null) => void;
}) {
  const t = useOffersT();
  const [mode, setMode] = useState<Mode>('find');
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [problem, setProblem] = useState<OffersKey | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [note, setNote] = useState<OffersKey | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const nameRef = useRef<HTMLInputElement>(null);
  const focusNext = useRef<'email' | 'name' | null>(null);

  useEffect(() => {
    const target = focusNext.current === 'name' ? nameRef.current : focusNext.current === 'email' ? emailRef.current : null;
    focusNext.current = null;
    target?.focus();
  });

  function switchMode(next: Mode) {
    setMode(next);
    setError(null);
    setProblem(null);
    if (next === 'find') setNotFound(false);
    focusNext.current = next === 'new' && email ? 'name' : 'email';
  }

  async function find(e: FormEvent) {
    e.preventDefault();
    const mail = email.trim();
    setError(null);
    if (!EMAIL_PATTERN.test(mail)) {
      setProblem('emailProblem');
      focusNext.current = 'email';
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      const { customer: found } = await api.findOfferCustomer({ email: mail });
      if (found) {
        setNote(null);
        done(found);
      } else {
        setNotFound(true);
        setMode('new');
        focusNext.current = 'name';
      }
    } catch (err) {
      setError(asErrorInfo(err));
    } finally {
      setBusy(false);
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    const mail = email.trim();
    const first = firstName.trim();
    const last = lastName.trim();
    setError(null);
    if (!first || !last) {
      setProblem('nameProblem');
      focusNext.current = 'name';
      return;
    }
    if (!EMAIL_PATTERN.test(mail)) {
      setProblem('emailProblem');
      focusNext.current = 'email';
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      const r = await api.createOfferCustomer({ firstName: first, lastName: last, email: mail });
      setNote(r.created ? 'created' : 'alreadyKnown');
      done(r.customer);
    } catch (err) {
      setError(asErrorInfo(err));
    } finally {
      setBusy(false);
    }
  }

  /** The customer is chosen: the typed e-mail and name are not kept. */
  function done(c: OfferCustomerView) {
    setEmail('');
    setFirstName('');
    setLastName('');
    setNotFound(false);
    setMode('find');
    onCustomer(c);
  }

  if (customer) {
    return (
      <div className="offers-chosen" data-testid={OFFERS_TID.customerChosen} data-customer-id={customer.id}>
        <div className="offers-chosen-main">
          <span className="offers-customer-name">{customer.name}</span>
          <span className="muted">{customer.emailMasked}</span>
        </div>
        {note && (
          <p className="hint" role="status">
            {t(note)}
          </p>
        )}
        <button
          type="button"
          className="btn btn-secondary"
          data-testid={OFFERS_TID.customerChange}
          onClick={() => {
            setNote(null);
            focusNext.current = 'email';
            onCustomer(null);
          }}
        >
          {t('otherCustomer')}
        </button>
      </div>
    );
  }

  return (
    <div className="offers-customer">
      <div className="offers-segmented" role="group" aria-label={t('stepCustomer')}>
        <button
          type="button"
          className={`seg ${mode === 'find' ? 'seg-on' : ''}`}
          aria-pressed={mode === 'find'}
          data-testid={OFFERS_TID.customerFindMode}
          onClick={() => switchMode('find')}
        >
          {t('findTab')}
        </button>
        <button
          type="button"
          className={`seg ${mode === 'new' ? 'seg-on' : ''}`}
          aria-pressed={mode === 'new'}
          data-testid={OFFERS_TID.customerNewMode}
          onClick={() => switchMode('new')}
        >
          {t('newTab')}
        </button>
      </div>
      <form className="offers-form" onSubmit={(e) => void (mode === 'find' ? find(e) : create(e))} noValidate>
        {mode === 'new' && notFound && (
          <p className="message message-warning offers-message" role="status" data-testid={OFFERS_TID.customerNotFound}>
            {t('notFound')}
          </p>
        )}
        {mode === 'new' && (
          <>
            <label className="offers-label">
              {t('firstName')}
              <input
                ref={nameRef}
                className="field offers-field"
                data-testid={OFFERS_TID.customerFirstName}
                value={firstName}
                onChange={(e) => setFirstName(e.target.value)}
                autoComplete="off"
                maxLength={100}
                disabled={busy}
                aria-invalid={problem === 'nameProblem' && firstName.trim() === ''}
              />
            </label>
            <label className="offers-label">
              {t('lastName')}
              <input
                className="field offers-field"
                data-testid={OFFERS_TID.customerLastName}
                value={lastName}
                onChange={(e) => setLastName(e.target.value)}
                autoComplete="off"
                maxLength={100}
                disabled={busy}
                aria-invalid={problem === 'nameProblem' && lastName.trim() === ''}
              />
            </label>
          </>
        )}
        <label className="offers-label">
          {t('email')}
          <input
            ref={emailRef}
            className="field offers-field"
            type="email"
            inputMode="email"
            data-testid={OFFERS_TID.customerEmail}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            maxLength={320}
            disabled={busy}
            aria-invalid={problem === 'emailProblem'}
          />
        </label>
        {problem && (
          <p className="offers-problem" role="alert">
            {t(problem)}
          </p>
        )}
        {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}
        {mode === 'find' ? (
          <button type="submit" className="btn btn-primary offers-wide" data-testid={OFFERS_TID.customerFind} disabled={busy}>
            {busy ? t('loading') : t('find')}
          </button>
        ) : (
          <button type="submit" className="btn btn-primary offers-wide" data-testid={OFFERS_TID.customerCreate} disabled={busy}>
            {busy ? t('loading') : t('create')}
          </button>
        )}
      </form>
    </div>
  );
}
