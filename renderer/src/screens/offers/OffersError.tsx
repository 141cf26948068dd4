import type { ErrorInfo } from '../../../../shared/errors';
import { errorText } from '../../../../shared/i18n';
import { useFmt } from '../../i18n/useFmt';
import { OFFERS_TID } from './testids';

/**
 * A refusal from the terminal in plain words: in English the service's own
 * message (it says what was wrong); in Dutch or French the catalogue's text for
 * the code first, with the service's message under it.
 */
export function OffersError({ error, testId = OFFERS_TID.errorMessage }: { error: ErrorInfo; testId?: string }) {
  const { lang } = useFmt();
  const local = lang === 'en' ? null : errorText(error.code, lang) || null;
  return (
    <div className="message message-error offers-message" role="alert" data-testid={testId} data-code={error.code}>
      <p className="message-text">{local ?? error.message}</p>
      {local && local !== error.message && <p className="offers-detail">{error.message}</p>}
    </div>
  );
}
