import { useTranslation } from './react';
import type { ErrorInfo } from '../../../shared/errors';
import { describeCounterError } from './format';
import { useFmt } from './useFmt';

/** A refusal in the UI's language and plain words (the service's English words only in an English UI, never a code). */
export function LocalizedError({ error, testId = 'desk-error', tone = 'error' }: { error: ErrorInfo; testId?: string; tone?: 'error' | 'warning' }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const { text, detail } = describeCounterError(error, t, fmt);
  return (
    <div className={`message message-${tone}`} role="alert" data-testid={testId} data-code={error.code}>
      <p className="message-text">{text}</p>
      {detail && <p className="message-detail">{detail}</p>}
    </div>
  );
}
