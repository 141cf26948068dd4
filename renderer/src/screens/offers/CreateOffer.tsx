import { useState, type FormEvent } from 'react';
import type { OfferView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import type { OffersApi } from './api';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';
import { useManagerAction } from './useManagerAction';

/**
 * A new offer for the store (Pentadata's POST /offers, for the store's
 * merchant id): the name the customer sees at the point of sale and an
 * optional description, one line per entry. A manager action.
 */
export function CreateOffer({ api, onCreated }: { api: OffersApi; onCreated: (o: OfferView) => void }) {
  const t = useOffersT();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [problem, setProblem] = useState(false);
  const manager = useManagerAction(api, t('approvalCreateOffer'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const title = name.trim();
    if (!title) {
      setProblem(true);
      return;
    }
    setProblem(false);
    setError(null);
    const lines = description
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    setBusy(true);
    try {
      await manager.run(async (approval) => {
        const { offer } = await api.createOffer({ name: title, ...(lines.length ? { description: lines } : {}), ...(approval ? { approval } : {}) });
        setName('');
        setDescription('');
        setOpen(false);
        onCreated(offer);
      });
    } catch (err) {
      setError(asErrorInfo(err));
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button type="button" className="btn btn-secondary" data-testid={OFFERS_TID.offerNew} onClick={() => setOpen(true)}>
        {t('newOffer')}
      </button>
    );
  }
  return (
    <form className="offers-form" data-testid={OFFERS_TID.offerForm} onSubmit={(e) => void submit(e)} noValidate>
      <label className="offers-label">
        {t('offerName')}
        <input
          className="field offers-field"
          data-testid={OFFERS_TID.offerName}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={120}
          autoComplete="off"
          disabled={busy}
          aria-invalid={problem}
          autoFocus
        />
      </label>
      <p className="hint">{t('offerNameHint')}</p>
      <label className="offers-label">
        {t('offerDescription')}
        <textarea
          className="field offers-field"
          data-testid={OFFERS_TID.offerDescription}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          rows={3}
          disabled={busy}
        />
      </label>
      {problem && (
        <p className="offers-problem" role="alert">
          {t('offerNameProblem')}
        </p>
      )}
      {error && <LocalizedError error={error} testId={OFFERS_TID.errorMessage} />}
      <div className="offers-actions">
        <button type="submit" className="btn btn-primary" data-testid={OFFERS_TID.offerCreate} disabled={busy}>
          {busy ? t('loading') : t('createOffer')}
        </button>
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={() => setOpen(false)}>
          {t('cancel')}
        </button>
      </div>
      {manager.dialog}
    </form>
  );
}
