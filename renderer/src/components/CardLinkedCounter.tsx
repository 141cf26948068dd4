import { useTranslation } from '../i18n/react';
import { usePos } from '../state/context';
import { TID } from '../testids';

/** Card-linked programs have no balance at the counter: say so, and point to the Offers screen. */
export function CardLinkedCounter() {
  const { t } = useTranslation();
  const status = usePos((s) => s.status);
  const setView = usePos((s) => s.setView);
  return (
    <section className="card card-linked" data-testid={TID.cardLinked}>
      <h2>{t('counter.cardLinked.title')}</h2>
      <p>{t('counter.cardLinked.text', { name: status?.backend.name ?? '' })}</p>
      <p className="hint">{t('counter.cardLinked.hint')}</p>
      <div className="button-row">
        <button type="button" className="btn btn-primary" data-testid={TID.openOffers} onClick={() => setView('offers')}>
          {t('counter.cardLinked.action')}
        </button>
      </div>
    </section>
  );
}
