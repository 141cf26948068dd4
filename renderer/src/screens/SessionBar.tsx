import { memo } from 'react';
import { useTranslation } from '../i18n/react';
import { LANGUAGES, safeLocalStorage, switchLanguage } from '../i18n';
import { MTID } from '../manager-testids';
import { usePos } from '../state/context';
import '../components/ManagerApproval.css';

/** Who is signed in, the way to the manager's desk and back, the UI language, and sign-out. */
export const SessionBar = memo(function SessionBar() {
  const { t, i18n } = useTranslation();
  const person = usePos((s) => s.session.person);
  const view = usePos((s) => s.view);
  const setView = usePos((s) => s.setView);
  const signOut = usePos((s) => s.signOut);
  if (!person) return null;
  const lang = i18n.language;
  return (
    <div className="session-bar no-print" data-testid={MTID.sessionBar}>
      <div className="session-bar-who">
        <span data-testid={MTID.sessionName} data-role={person.role} data-person-id={person.id}>
          {t('signIn.signedInAs', { name: person.name })}
        </span>
        <span className={`role-badge role-badge-${person.role}`}>{t(`roles.${person.role}`)}</span>
      </div>
      <nav className="statusbar-nav" aria-label={t('desk.title')}>
        <button
          type="button"
          className={`tab ${view === 'desk' ? 'tab-on' : ''}`}
          aria-pressed={view === 'desk'}
          data-testid={MTID.navDesk}
          onClick={() => setView('desk')}
        >
          {t('nav.desk')}
        </button>
      </nav>
      <select
        aria-label={t('settings.language')}
        value={lang}
        data-testid={MTID.language}
        onChange={(e) => void switchLanguage(i18n, e.target.value as typeof lang, safeLocalStorage(), person.id)}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {t(`languages.${l}`)}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="tab"
        data-testid={MTID.signOut}
        onClick={() => {
          setView('counter');
          void signOut();
        }}
      >
        {t('signIn.signOut')}
      </button>
    </div>
  );
});
