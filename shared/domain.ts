/**
 * Domain types shared by the terminal service and the renderer.
 * Plain data only: everything here crosses a transport as JSON.
 */
import type { ErrorInfo } from './errors.js';
import type { IdentifierKind } from './member-number.js';
import type { Money, PointsMilli, PointsRate } from './money.js';
import type { ProgramId } from './programs/index.js';

/** The programs' ids, derived from their descriptors (shared/programs/). */
export type BackendId = ProgramId;

/**
 * What a backend can do, declared by its adapter. The terminal acts on these
 * declarations, never on a backend's name.
 */
export interface BackendCapabilities {
  /** How the member pays with points: a free amount at a rate, a catalogue reward, or card-linked offers. */
  redemption: 'points' | 'reward' | 'card-linked';
  /** Identifier kinds a member can be found by, in the order a scan is tried. */
  identifiers: IdentifierKind[];
  /** Decimals allowed in a points figure (0..3). */
  pointsDecimals: number;
  /** The member must read out a code the backend sent them before a redemption. */
  validationCode: boolean;
  /** Whether a posted redemption can be compensated through the API. */
  reversal: 'full' | 'partial' | 'none';
  /** How a retry after a lost answer is made safe. */
  retrySafety: 'deduplicated-reference' | 'lookup-before-retry' | 'none';
  /** Whether the counter sees a points balance at all (card-linked offers do not). */
  balanceAtCounter: boolean;
}

export interface BackendInfo {
  id: BackendId;
  name: string;
  capabilities: BackendCapabilities;
}

/** The free-amount rules of a program: rate, bounds, precision. */
export interface RedemptionTerms {
  rate: PointsRate;
  currency: string;
  decimals: number;
  minPointsMilli: PointsMilli;
  maxPointsMilli: PointsMilli | null;
  /** Some programs only redeem in steps (Capillary "not a multiple"). */
  stepMilli: PointsMilli;
  /**
   * What the points buy: a discount off this basket (default), or cashback the
   * program credits to the member's wallet (GafaPay), in which case nothing is
   * taken off the basket at the till: the member is not paid twice.
   */
  benefit?: 'discount' | 'cashback';
}

export interface BackendMessage {
  level: 'INFO' | 'WARN' | 'ERROR';
  text: string;
}

/** The member as the counter shows it: masked number, never e-mail or phone. */
export interface MemberView {
  identifierKind: IdentifierKind;
  /** Grouped for display and masked except the last four. */
  masked: string;
  firstName?: string;
  balanceMilli: PointsMilli;
  balanceValue: Money;
  /** ISO time the balance was read from the backend. */
  fetchedAt: string;
  /** True when the balance is the last known one (backend unreachable). */
  lastKnown: boolean;
  /** Points of this member's earlier redemptions still waiting to be sent (already taken off balanceMilli). */
  queuedMilli: PointsMilli;
  messages: BackendMessage[];
  /** UiTPAS: an individual or a group pass, and whether social tariff applies. */
  passType?: 'INDIVIDUAL' | 'GROUP';
  socialTariff?: { status: 'ACTIVE' | 'EXPIRED' | 'NONE'; endDate?: string };
}

export interface Quote {
  pointsMilli: PointsMilli;
  /** Taken off the basket here (zero for cashback programs). */
  discount: Money;
  /** Credited to the member's wallet by the program instead (cashback programs only). */
  cashback?: Money;
  balanceBeforeMilli: PointsMilli;
  balanceAfterMilli: PointsMilli;
  toPay: Money;
}

export type SaleState =
  | 'open' // basket entered, no member yet
  | 'identified' // member found, balance shown
  | 'quoted' // points chosen, quote shown to the member
  | 'posting' // confirmed and committed locally; being sent to the backend
  | 'queued' // confirmed and committed locally; waiting in the outbox
  | 'posted' // the backend accepted the redemption
  | 'refused' // the backend refused; nothing was deducted
  | 'paid' // payment taken, sale closed
  | 'cancelled' // closed before any points were taken
  | 'voided'; // closed after points were taken; compensation posted or queued

export interface SaleResult {
  backendReference?: string;
  balanceAfterMilli?: PointsMilli;
  postedAt?: string;
  /** Backend-specific facts for the screen (e.g. GafaPay's cashback and transaction number). */
  detail?: Record<string, unknown>;
}

export interface SaleView {
  id: string;
  state: SaleState;
  createdAt: string;
  /** Who was signed in when the sale began (a person id; the desk shows their name). */
  cashierId?: string;
  basket: Money;
  member?: MemberView;
  terms?: RedemptionTerms;
  /** Largest points figure the quote rules allow right now. */
  maxPointsMilli?: PointsMilli;
  quote?: Quote;
  result?: SaleResult;
  /** Why the last step failed, in plain words. */
  error?: ErrorInfo;
  /** Payment may be taken: the backend accepted, or the offline policy did. */
  paymentAllowed: boolean;
  /** The redemption waits in the queue and the offline policy accepted it. */
  offlineAccepted: boolean;
  /** Where the redemption stands at the backend (absent before confirmation). */
  redemption?: 'waiting' | 'posted' | 'refused' | 'attention' | 'cancelled';
  /** A void was asked for while the redemption was being sent; it completes when the answer arrives. */
  voidPending: boolean;
  /** Money and points given back so far by refunds and voids. */
  refunded: { cents: number; pointsMilli: number };
  /** The catalogue reward chosen (reward programs): its points price and its discount here. */
  reward?: { id: string; title: string; kind: 'POINTS' | 'WELCOME'; pointsMilli: PointsMilli; discount: Money | null };
  /** The validation code the backend sent the member for these points (programs that use one). */
  validationCode?: { pointsMilli: PointsMilli; channel: string | null; requestedAt: string };
  /** Compensation of taken points: waiting in the queue, done, or needing a person. */
  compensation?: { state: 'waiting' | 'done' | 'manual-action'; message?: string };
}

export interface TerminalStatus {
  training: boolean;
  backend: BackendInfo;
  terminalId: string;
  /** The name the manager gave the terminal (settings; read at every status, no restart). */
  terminalName?: string;
  storeName: string;
  currency: string;
  online: boolean;
  /** The last redemption or refund sent did not get through (a program can answer reads while refusing posts). */
  sendingFails?: boolean;
  /** Last time the backend answered (ISO), if ever. */
  lastContactAt: string | null;
  queue: { waiting: number; attention: number };
  /**
   * Training (the emulators) or live (the store's program). Filled in by the
   * runtime, which knows the mode; absent only inside the service itself.
   */
  mode?: 'training' | 'live';
  /** Live: which of the program's published environments the connection points at (null: a host it does not publish). */
  environment?: 'test' | 'production' | null;
  /** Live: the last connection test failed; why, in plain words (the terminal stays offline until a test passes). */
  connectionProblem?: { step: string; message: string; at: string } | null;
}

export interface LogEntryView {
  seq: number;
  at: string;
  terminalId: string;
  actor: string;
  saleId: string | null;
  kind: string;
  pointsMilli: PointsMilli | null;
  amountCents: number | null;
  currency: string | null;
  outcome: string;
  memberMasked: string | null;
  detail: Record<string, unknown> | null;
}
