/**
 * The types the checkout modules share: the terminal's configuration, what
 * the service remembers about a sale's member, and the shape of a log entry.
 */
import type { RedemptionTerms } from '../../../shared/domain.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { Reward } from '../../../shared/rewards.js';
import type { MemberAccount } from '../../adapters/types.js';
import type { ValidationCodeSent } from '../../adapters/validation-code.js';
import type { evaluateOffline } from '../offline-policy.js';

/** Who may approve what needs a manager (people.ts implements it). */
export interface ManagerApprovals {
  /** Verifies an active manager's PIN (with lockout); throws PIN_WRONG / LOCKED_OUT / FORBIDDEN. */
  verifyManager(approval: { managerId: string; pin: string }): { id: string; name: string };
}

export type Approval = { managerId: string; pin: string; reason: string };

/** A manager's approval once verified: who, and why. */
export type ApprovedBy = { manager: { id: string; name: string }; reason: string };

export interface TerminalConfig {
  terminalId: string;
  storeId: string;
  storeName: string;
  currency: string;
  training: boolean;
  /** How long confirm waits for the backend before showing "queued". */
  postWaitMs?: number;
  probeIntervalMs?: number;
  outboxConcurrency?: number;
  /** Request timeout + the program's margin: how long a send whose answer was lost stays in doubt. */
  inDoubtWindowMs?: number;
  /** The first random pause before a raced redemption goes again (race.ts DEFAULT_RACE_RESEND_WINDOW_MS). */
  raceResendWindowMs?: number;
}

/** What the service remembers about a sale's member while the sale is open. */
export interface MemberSession {
  account: MemberAccount;
  /** null when the program refuses redemptions for this member now (blocked says why). */
  terms: RedemptionTerms | null;
  blocked?: ErrorInfo;
  /** The validation code the backend sent the member, for these points. */
  validation?: ValidationCodeSent;
  /** The catalogue reward chosen (reward programs). */
  reward?: Reward;
  fetchedAt: string;
  lastKnown: boolean;
  /** The balance the backend reported (or last reported), before queued redemptions. */
  backendBalanceMilli: number;
  /** This member's redemptions still waiting in the outbox (from earlier sales). */
  queuedMilli: number;
}

/** One journal entry as the checkout writes it (the context adds time, terminal, actor, currency). */
export type LogFields = {
  kind: string;
  outcome: string;
  saleId?: string | null;
  pointsMilli?: number | null;
  amountCents?: number | null;
  memberMasked?: string | null;
  memberHash?: string | null;
  detail?: Record<string, unknown>;
};

export interface OfflineDecision {
  breaches: ReturnType<typeof evaluateOffline>;
  manager: { id: string; name: string } | null;
  reason: string | null;
}
