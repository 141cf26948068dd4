/**
 * A log entry's kind and outcome in the cashier's words (the code itself
 * stays in the entry's detail view and in a title for the manager). Used by
 * the desk's log and sale story and the counter's log; kept out of the
 * counter's first paint.
 */
import type { Fmt } from '../../i18n/format';

/**
 * "redeem.attention" is written for two things (checkout/settlement.ts): an
 * outcome nobody can tell (OUTCOME_UNKNOWN), and the program's refusal of a
 * redemption already accepted offline, which waits for a person. The second
 * is a refusal, and is said as one.
 */
export function kindWords(fmt: Pick<Fmt, 'kind'>, kind: string, outcome: string): string {
  return fmt.kind(kind === 'redeem.attention' && outcome !== 'OUTCOME_UNKNOWN' && outcome !== 'ok' ? 'redeem.at-risk' : kind);
}
