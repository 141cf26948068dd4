/**
 * The counter store's shape, slice by slice. Each slice owns its fields and
 * the actions that write them; `PosState` is their union, so a component
 * reads one flat store (`usePos((s) => s.pointsText)`).
 *
 * - ui.ts: the terminal's status and the event channel, which screen, dialogs, where the cursor goes;
 * - drafts.ts: what the cashier is typing (basket, member number, points, code) and the local quote preview;
 * - rewards.ts: a reward program's choice (the catalogue itself is fetched by the reward step, TanStack Query);
 * - sale.ts: the sale the service answered, and every step that moves it;
 * - ../session.ts: who is signed in.
 */
import type { MethodInput, TerminalApi, TerminalEvent } from '../../../../shared/contract';
import type { Quote, SaleView, TerminalStatus } from '../../../../shared/domain';
import type { ErrorInfo } from '../../../../shared/errors';
import type { Language } from '../../../../shared/i18n/locale';
import type { PointsMilli } from '../../../../shared/money';
import type { SessionSlice } from '../session';

export type InputSource = 'scanner' | 'keyboard' | 'camera';
export type Step = 'basket' | 'member' | 'points' | 'confirm' | 'result' | 'terminal';
export type FocusTarget = 'basket' | 'member' | 'points' | 'confirm' | 'code' | 'paid' | 'retry' | 'new-sale' | 'dialog';
export type Busy = 'start' | 'basket' | 'identify' | 'confirm' | 'retry' | 'paid' | 'cancel' | 'reward' | 'code' | 'offline' | 'void' | null;
/** 'desk': the manager's desk (lazy-loaded: screens/manager/); 'offers': card-linked offers (screens/offers/). */
export type View = 'counter' | 'log' | 'desk' | 'offers';
/** A manager's approval where the log must say why (offline overrides, voids). */
export type ExplainedApproval = MethodInput<'voidSale'>['approval'];
export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '.' | 'back' | 'clear';

export interface ShownError {
  info: ErrorInfo;
  step: Step;
}

export interface UiSlice {
  uiLang: Language;
  status: TerminalStatus | null;
  statusError: ErrorInfo | null;
  /** start() has its first answers: the status (or its failure) and this tab's sale in progress, if it had one (or its failure). */
  started: boolean;
  /** The event channel to the service: null while connecting. */
  connected: boolean | null;
  /** The terminal service's process died and is being restarted (its calls in flight were answered TERMINAL_RESTARTED). */
  serviceRestarting: boolean;
  view: View;
  dialog: 'cancel-sale' | 'new-sale' | null;
  focus: { target: FocusTarget; seq: number };
  /** A manager's approval dialog is open on the counter: scans wait. */
  approving: boolean;

  /** Subscribes to the service's pushes and shows the terminal as it stands; returns the stop. */
  start(): () => void;
  /** Reads the status and the sale on screen again (at start, after the channel came back, on "retry"). */
  refresh(): Promise<void>;
  applyEvent(event: TerminalEvent): void;
  /** Hears every sale the service pushes, not only the counter's (the desk's open sale follows them); returns the stop. */
  watchSales(listener: (sale: SaleView) => void): () => void;
  setView(view: View): void;
  setApproving(open: boolean): void;
}

export interface DraftsSlice {
  basketText: string;
  memberText: string;
  pointsText: string;
  /** Local check of the points typed (same rules as the service), before asking it. */
  pointsProblem: ErrorInfo | null;
  preview: Quote | null;
  /** A quote request is on its way for these points. */
  quoting: PointsMilli | null;
  /** A member read before the basket was entered: identified once the basket is. */
  pendingMember: { input: string; source: InputSource } | null;
  lastScanAt: number | null;
  /** Programs with a validation code: the code the member reads out. */
  validationCodeText: string;

  setBasketText(text: string): void;
  setMemberText(text: string): void;
  setPointsText(text: string): void;
  keypad(key: KeypadKey): void;
  useMax(): void;
  commitPoints(): void;
  setValidationCodeText(text: string): void;
}

export interface RewardsSlice {
  /**
   * Bumped whenever the catalogue on screen may be out of date (a reward was
   * refused a moment after the list said yes): part of the reward list's
   * query key, so the list is read again.
   */
  rewardsEpoch: number;
  /** Chooses a catalogue reward; a refusal is shown and the list read again. */
  chooseReward(rewardId: string): Promise<void>;
}

export interface SaleSlice {
  sale: SaleView | null;
  busy: Busy;
  /** The last action's refusal, shown in the one message area. */
  error: ShownError | null;

  submitBasket(): Promise<void>;
  identify(input: string, source: InputSource): Promise<void>;
  confirm(): Promise<void>;
  /** Confirms again with a manager's approval (offline limits); throws the refusal for the approval dialog. */
  confirmApproved(approval: ExplainedApproval): Promise<void>;
  /** The backend stopped answering after confirm: proceed on the offline policy. With an approval, throws the refusal. */
  acceptOffline(approval?: ExplainedApproval): Promise<void>;
  /** Voids a sale whose points were taken (manager); throws the refusal for the approval dialog. */
  voidSale(approval: ExplainedApproval): Promise<void>;
  requestValidationCode(): Promise<void>;
  retry(): Promise<void>;
  markPaid(): Promise<void>;
  requestCancel(): void;
  newSale(): void;
  confirmDialog(): Promise<void>;
  dismissDialog(): void;
  clearError(): void;
}

/** The counter's state, plus who is signed in (the session slice: state/session.ts). */
export type PosState = SessionSlice & UiSlice & DraftsSlice & RewardsSlice & SaleSlice;

export interface StoreDeps {
  api: TerminalApi;
  /** Event subscription (the transport's); `onConnection` reports the channel state. */
  subscribe?: (listener: (e: TerminalEvent) => void, onConnection?: (connected: boolean) => void) => () => void;
  uiLang?: Language;
  /** Where the current sale id is kept across reloads (sessionStorage in the app). */
  memory?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Debounce before the service is asked for a quote while typing points. */
  quoteDelayMs?: number;
  /** How long a card read may hold the screen still waiting for its answer (../screen-hold.ts; default 150 ms). */
  lookupHoldMs?: number;
  now?: () => number;
}

export type SetState = (patch: Partial<PosState>) => void;
export type GetState = () => PosState;
