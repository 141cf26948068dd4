import type { ErrorInfo } from '../../../shared/errors';
import { endUserText, type UiLanguage } from '../lib/format';
import { TID } from '../testids';

/** A refusal in plain words, with the backend's own words for the member when it sent them. */
export function ErrorMessage({ error, lang, tone = 'error' }: { error: ErrorInfo; lang: UiLanguage; tone?: 'error' | 'warning' }) {
  const member = endUserText(error, lang);
  return (
    <div className={`message message-${tone}`} role="alert" data-testid={TID.errorMessage} data-code={error.code}>
      <p className="message-text">{error.message}</p>
      {member && (
        <p className="message-enduser" data-testid={TID.errorEndUser} lang={member.lang}>
          {member.text}
        </p>
      )}
    </div>
  );
}
