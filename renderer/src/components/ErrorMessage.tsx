import type { ReactNode } from 'react';
import { useTranslation } from '../i18n/react';
import type { EndUserLanguage, ErrorInfo } from '../../../shared/errors';
import type { Language } from '../../../shared/i18n';
import { endUserText } from '../../../shared/rewards';
import { describeCounterError } from '../i18n/format';
import { useFmt } from '../i18n/useFmt';
import { TID } from '../testids';

/**
 * A refusal on the counter in the UI's language and in plain words (no HTTP
 * status, no socket or error code: those stay in the log's detail view), with the backend's words for the member in the cashier's
 * language, falling back to Dutch (UiTPAS's own language).
 */
export function ErrorMessage({
  error,
  lang,
  tone = 'error',
  children,
}: {
  error: ErrorInfo;
  lang: Language;
  tone?: 'error' | 'warning';
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const { text, detail } = describeCounterError(error, t, fmt);
  const member = endUserText(error.endUserMessage, lang)?.trim();
  const memberLang = member
    ? (Object.keys(error.endUserMessage ?? {}) as EndUserLanguage[]).find((l) => error.endUserMessage?.[l]?.trim() === member)
    : undefined;
  const showMember = member && member !== error.message.trim() && member !== text ? member : null;
  return (
    <div className={`message message-${tone}`} role="alert" data-testid={TID.errorMessage} data-code={error.code}>
      <p className="message-text">{text}</p>
      {showMember && (
        <p className="message-enduser" data-testid={TID.errorEndUser} lang={memberLang}>
          {showMember}
        </p>
      )}
      {detail && <p className="message-detail">{detail}</p>}
      {children}
    </div>
  );
}
