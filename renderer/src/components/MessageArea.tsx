import type { SaleState } from '../../../shared/domain';
import { usePos } from '../state/context';
import { ErrorMessage } from './ErrorMessage';

/** States whose panel explains itself (a queued redemption shows its reason there). */
const QUIET_STATES: ReadonlySet<SaleState> = new Set(['posting', 'queued', 'posted', 'paid']);

/**
 * The one place refusals appear (always the same spot, never two at once):
 * the last action's error, else the sale's own error (a refusal), else the
 * points the cashier is typing that the rules do not allow.
 */
export function MessageArea() {
  const error = usePos((s) => s.error);
  const sale = usePos((s) => s.sale);
  const pointsProblem = usePos((s) => s.pointsProblem);
  const lang = usePos((s) => s.uiLang);
  const saleError = sale?.error && !QUIET_STATES.has(sale.state) ? sale.error : null;
  const shown = error?.info ?? saleError ?? pointsProblem;
  return (
    <div className="message-area" aria-live="assertive">
      {shown && <ErrorMessage error={shown} lang={lang} tone={shown === pointsProblem && !error && !saleError ? 'warning' : 'error'} />}
    </div>
  );
}
