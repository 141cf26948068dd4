import { useTranslation } from '../i18n/react';
import { useFmt } from '../i18n/useFmt';
import type { SaleState } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { usePos } from '../state/context';
import type { Step } from '../state/store';
import { TID } from '../testids';
import { explained, useCounterApproval } from './CounterApproval';
import { ErrorMessage } from './ErrorMessage';
import { memberReadRefusal } from './MemberStep';

/** States whose panel explains itself (a queued redemption shows its reason there). */
const QUIET_STATES: ReadonlySet<SaleState> = new Set(['posting', 'queued', 'posted', 'paid']);

/**
 * The one place refusals appear (always the same spot, never two at once):
 * the last action's error, else the sale's own error (a refusal), else the
 * points the cashier is typing that the rules do not allow. An offline limit
 * names every limit passed and, where a manager may override, asks one.
 */
export function MessageArea() {
  const error = usePos((s) => s.error);
  // The sale's own error only, not the sale: a new member's answer leaves this area as it was (issue 18).
  const saleError = usePos((s) => (s.sale?.error && !QUIET_STATES.has(s.sale.state) ? s.sale.error : null));
  const pointsProblem = usePos((s) => s.pointsProblem);
  const lang = usePos((s) => s.uiLang);
  // A refused card read is shown where it was read (MemberStep), with what was read.
  const actionError = error && !memberReadRefusal(error) ? error.info : null;
  const shown = actionError ?? saleError ?? pointsProblem;
  return (
    <div className="message-area" aria-live="assertive">
      {shown && shown.code === 'OFFLINE_LIMIT' ? (
        <OfflineLimit error={shown} step={error?.step ?? 'confirm'} />
      ) : (
        shown && <ErrorMessage error={shown} lang={lang} tone={shown === pointsProblem && !error && !saleError ? 'warning' : 'error'} />
      )}
    </div>
  );
}

interface Breach {
  limit: string;
  message: string;
  overridable: boolean;
}

function breachesOf(error: ErrorInfo): Breach[] {
  const list = error.details?.breaches;
  return Array.isArray(list) ? list.filter((b): b is Breach => typeof b === 'object' && b !== null && typeof (b as Breach).message === 'string') : [];
}

/** OFFLINE_LIMIT: which limits, and "Ask a manager" when every one of them may be overridden. */
function OfflineLimit({ error, step }: { error: ErrorInfo; step: Step }) {
  const { t } = useTranslation();
  const fmt = useFmt();
  const approve = useCounterApproval();
  const sale = usePos((s) => s.sale);
  const busy = usePos((s) => s.busy);
  const confirmApproved = usePos((s) => s.confirmApproved);
  const acceptOffline = usePos((s) => s.acceptOffline);
  const breaches = breachesOf(error);
  const overridable = error.details?.overridable === true;
  const decimals = sale?.terms?.decimals ?? 3;
  const points = fmt.points(sale?.quote?.pointsMilli ?? 0, decimals);
  const list = (
    <ul className="breach-list">
      {breaches.map((b) => (
        <li key={b.limit} data-testid={TID.offlineBreach} data-limit={b.limit} data-overridable={String(b.overridable)}>
          {b.message}
        </li>
      ))}
    </ul>
  );
  const ask = () =>
    void approve(
      {
        reason: 'required',
        title: t('counter.offline.overrideTitle', { points }),
        children: (
          <>
            <p className="hint">{t('counter.offline.overrideHelp')}</p>
            {list}
          </>
        ),
      },
      (a) => (step === 'result' ? acceptOffline(explained(a)) : confirmApproved(explained(a))),
    );
  return (
    <div
      className={`message ${overridable ? 'message-warning' : 'message-error'} offline-limit`}
      role="alert"
      data-testid={TID.errorMessage}
      data-code={error.code}
    >
      <p className="message-text">{overridable ? t('counter.offline.limitTitle') : t('counter.offline.hardTitle')}</p>
      {breaches.length > 0 ? list : <p className="message-detail">{error.message}</p>}
      {overridable ? (
        <div className="button-row">
          <button type="button" className="btn btn-primary" data-testid={TID.askManager} disabled={busy !== null} onClick={ask}>
            {t('counter.offline.askManager')}
          </button>
        </div>
      ) : (
        <p>{t('counter.offline.hardHelp')}</p>
      )}
    </div>
  );
}
