/**
 * Card-linked offers at the counter (issue 9): enrol a customer's payment card
 * in one of the store's live offers, see and unlink their cards' offers, and
 * (for the manager) the notices the platform sends when an enrolled card pays.
 *
 * Loaded on demand (`React.lazy(() => import('./screens/offers/OffersScreen'))`):
 * nothing here is in the counter's initial bundle. It talks to the terminal
 * only through the contract's `offers` area; no state of it enters the store.
 * Card numbers live in one uncontrolled field until the request returns.
 */
import { useState } from 'react';
import { useFmt } from '../../i18n/useFmt';
import type { OffersApi } from './api';
import { EnrolView } from './EnrolView';
import { NoticesView } from './NoticesView';
import { useOffersT } from './i18n';
import { OFFERS_TID } from './testids';
import './offers.css';

export type OffersTab = 'enrol' | 'notices';

export interface OffersScreenProps {
  api: OffersApi;
  initialTab?: OffersTab;
  /** How often the notices view refreshes itself (ms; 0 = never). */
  pollMs?: number;
}

/** In the UI's language (the app's texts, i18n/react.tsx): switching it re-renders the screen. */
export default function OffersScreen({ api, initialTab = 'enrol', pollMs }: OffersScreenProps) {
  const t = useOffersT();
  const { lang } = useFmt();
  const [tab, setTab] = useState<OffersTab>(initialTab);
  return (
    <main className="offers-screen" data-testid={OFFERS_TID.screen} data-tab={tab} lang={lang}>
      <div className="offers-head">
        <h1>{t('title')}</h1>
        <nav className="offers-segmented offers-tabs" aria-label={t('title')}>
          <button
            type="button"
            className={`seg ${tab === 'enrol' ? 'seg-on' : ''}`}
            aria-pressed={tab === 'enrol'}
            data-testid={OFFERS_TID.tabEnrol}
            onClick={() => setTab('enrol')}
          >
            {t('tabEnrol')}
          </button>
          <button
            type="button"
            className={`seg ${tab === 'notices' ? 'seg-on' : ''}`}
            aria-pressed={tab === 'notices'}
            data-testid={OFFERS_TID.tabNotices}
            onClick={() => setTab('notices')}
          >
            {t('tabNotices')}
          </button>
        </nav>
      </div>
      {/* Leaving the enrolment unmounts it: a half-typed card number does not wait in a hidden field. */}
      {tab === 'enrol' ? <EnrolView api={api} /> : <NoticesView api={api} pollMs={pollMs} />}
    </main>
  );
}
