import { useState, type FormEvent } from 'react';
import type { OfferView } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { parseAmount } from '../../../../shared/money';
import { asErrorInfo } from '../../api/client';
import { LocalizedError } from '../../i18n/LocalizedError';
import type { OffersApi } from './api';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';
import { useManagerAction } from './useManagerAction';
import { focusOnMount } from '../../components/focus-on-mount';

/**
 * The offer's discount as typed: a percentage (two decimals at most) and an optional cap in the
 * store's money; undefined when none is given, or which field is wrong.
 */
function discountOf(percent: string, max: string): { basisPoints: number; maxCents?: number } | undefined | 'percent' | 'max' {
  const p = percent.trim();
  if (p === '') return undefined;
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(p);
  const basisPoints = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
  if (!(basisPoints >= 1 && basisPoints <= 10_000)) return 'percent';
  if (max.trim() === '') return { basisPoints };
  try {
    return { basisPoints, maxCents: parseAmount(max, 'EUR').cents };
  } catch {
    return 'max';
  }
}

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
  const [percent, setPercent] = useState('');
  const [maxAmount, setMaxAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [problem, setProblem] = useState(false);
  const [discountProblem, setDiscountProblem] = useState<'percent' | 'max' | null>(null);
  const manager = useManagerAction(api, t('approvalCreateOffer'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const title = name.trim();
    if (!title) {
      setProblem(true);
      return;
    }
    setProblem(false);
    const discount = discountOf(percent, maxAmount);
    setDiscountProblem(typeof discount === 'string' ? discount : null);
    if (typeof discount === 'string') return;
    setError(null);
    const lines = description
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    setBusy(true);
    try {
      await manager.run(async (approval) => {
        const { offer } = await api.createOffer({
          name: title,
          ...(lines.length ? { description: lines } : {}),
          ...(discount ? { discount } : {}),
          ...(approval ? { approval } : {}),
        });
        setName('');
        setDescription('');
        setPercent('');
        setMaxAmount('');
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
          ref={focusOnMount}
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
      <label className="offers-label">
        {t('offerDiscount')}
        <input
          className="field offers-field"
          data-testid={OFFERS_TID.offerDiscount}
          value={percent}
          inputMode="decimal"
          onChange={(e) => setPercent(e.target.value)}
          disabled={busy}
          aria-invalid={discountProblem === 'percent'}
        />
      </label>
      <label className="offers-label">
        {t('offerDiscountMax')}
        <input
          className="field offers-field"
          data-testid={OFFERS_TID.offerDiscountMax}
          value={maxAmount}
          inputMode="decimal"
          onChange={(e) => setMaxAmount(e.target.value)}
          disabled={busy || percent.trim() === ''}
          aria-invalid={discountProblem === 'max'}
        />
      </label>
      {discountProblem && (
        <p className="offers-problem" role="alert">
          {t(discountProblem === 'percent' ? 'offerDiscountProblem' : 'offerDiscountMaxProblem')}
        </p>
      )}
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
