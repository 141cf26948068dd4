/**
 * The terminal's own error codes. Every refusal the cashier can see has one,
 * with a message in plain words. Adapters map each backend's codes onto these
 * and keep the backend's end-user text (UiTPAS sends it in nl/fr/de/en).
 */

export const ERROR_CODES = [
  // input
  'INVALID_INPUT',
  'AMOUNT_INVALID',
  'POINTS_INVALID',
  'POINTS_TOO_PRECISE',
  'MEMBER_NUMBER_FORMAT',
  'MEMBER_NUMBER_CHECK_DIGIT',
  // quote rules
  'POINTS_ABOVE_BALANCE',
  'POINTS_ABOVE_BASKET',
  'POINTS_BELOW_MIN',
  'POINTS_ABOVE_MAX',
  'POINTS_NOT_MULTIPLE',
  'NOTHING_TO_REDEEM',
  // member and backend business refusals
  'MEMBER_NOT_FOUND',
  'MEMBER_BLOCKED',
  'MEMBER_CODE_EXPIRED',
  'INSUFFICIENT_POINTS',
  'REWARD_NOT_FOUND',
  'REWARD_NOT_REDEEMABLE',
  'VALIDATION_CODE_REQUIRED',
  'VALIDATION_CODE_WRONG',
  'REDEMPTION_NOT_ACTIVE',
  'REVERSAL_NOT_SUPPORTED',
  'ALREADY_REVERSED',
  'BACKEND_REFUSED',
  // backend reachability and health
  'BACKEND_UNAVAILABLE',
  'BACKEND_TIMEOUT',
  'BACKEND_RATE_LIMITED',
  'BACKEND_BAD_RESPONSE',
  'BACKEND_AUTH',
  'OUTCOME_UNKNOWN',
  // terminal state
  'SALE_NOT_FOUND',
  'SALE_WRONG_STATE',
  'ALREADY_VOIDED',
  'OFFLINE_LIMIT',
  'QUEUE_NOT_EMPTY',
  'CONNECTION_NOT_TESTED',
  'MANAGER_REQUIRED',
  'PIN_WRONG',
  'LOCKED_OUT',
  'NOT_SIGNED_IN',
  'FORBIDDEN',
  'NOT_SUPPORTED',
  'STORAGE_FULL',
  'TERMINAL_RESTARTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The backend's own words for the member, by language. */
/** The languages a backend may write its words for the member in (wider than the UI's own Language: UiTPAS also sends German). */
export type EndUserLanguage = 'nl' | 'fr' | 'de' | 'en';
export type EndUserMessage = Partial<Record<EndUserLanguage, string>>;

/** What crosses a transport: never a stack, never a credential. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  endUserMessage?: EndUserMessage;
  /** Extra facts for the screen, e.g. { limitMilli } or { field }. */
  details?: Record<string, unknown>;
}

export class PosError extends Error {
  readonly code: ErrorCode;
  readonly endUserMessage?: EndUserMessage;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message?: string, extra: { endUserMessage?: EndUserMessage; details?: Record<string, unknown> } = {}) {
    super(message ?? DEFAULT_MESSAGES[code]);
    this.name = 'PosError';
    this.code = code;
    this.endUserMessage = extra.endUserMessage;
    this.details = extra.details;
  }
  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.endUserMessage) info.endUserMessage = this.endUserMessage;
    if (this.details) info.details = this.details;
    return info;
  }
}

export function isPosError(e: unknown): e is PosError {
  return e instanceof PosError;
}

/** Turns anything thrown into something safe to show and send. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (isPosError(e)) return e.toInfo();
  return { code: 'INTERNAL', message: DEFAULT_MESSAGES.INTERNAL };
}

/** Plain-words defaults; callers pass a more specific message where they know more. */
export const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  INVALID_INPUT: 'That input is not valid.',
  AMOUNT_INVALID: 'That amount is not valid.',
  POINTS_INVALID: 'That number of points is not valid.',
  POINTS_TOO_PRECISE: 'Too many decimals for points.',
  MEMBER_NUMBER_FORMAT: 'That is not a member number.',
  MEMBER_NUMBER_CHECK_DIGIT: 'The member number is wrong (check digit). Scan or type it again.',
  POINTS_ABOVE_BALANCE: 'The member does not have that many points.',
  POINTS_ABOVE_BASKET: 'Those points are worth more than the basket.',
  POINTS_BELOW_MIN: 'That is below the minimum number of points.',
  POINTS_ABOVE_MAX: 'That is above the maximum number of points for one redemption.',
  POINTS_NOT_MULTIPLE: 'Points must be redeemed in steps.',
  NOTHING_TO_REDEEM: 'Choose how many points to use first.',
  MEMBER_NOT_FOUND: 'No member with that number.',
  MEMBER_BLOCKED: 'This card or member is blocked.',
  MEMBER_CODE_EXPIRED: "The member's app code has expired: ask the member to refresh their app code and scan it again.",
  INSUFFICIENT_POINTS: 'The member does not have enough points.',
  REWARD_NOT_FOUND: 'That reward does not exist.',
  REWARD_NOT_REDEEMABLE: 'That reward cannot be redeemed now.',
  VALIDATION_CODE_REQUIRED: 'The member must give the validation code they received.',
  VALIDATION_CODE_WRONG: 'The validation code is wrong. Ask the member to read it again.',
  REDEMPTION_NOT_ACTIVE: 'Points redemption is switched off for this program.',
  REVERSAL_NOT_SUPPORTED: 'This loyalty program cannot give points back automatically: manual action needed.',
  ALREADY_REVERSED: 'These points were already given back.',
  BACKEND_REFUSED: 'The loyalty program refused the redemption.',
  BACKEND_UNAVAILABLE: 'The loyalty program cannot be reached.',
  BACKEND_TIMEOUT: 'The loyalty program did not answer in time.',
  BACKEND_RATE_LIMITED: 'The loyalty program is busy; the terminal will try again shortly.',
  BACKEND_BAD_RESPONSE: 'The loyalty program sent an answer the terminal cannot read.',
  BACKEND_AUTH: 'The terminal could not sign in to the loyalty program. Check its credentials in settings.',
  OUTCOME_UNKNOWN: 'It is not known whether the loyalty program applied this; a manager must check.',
  SALE_NOT_FOUND: 'That sale does not exist.',
  SALE_WRONG_STATE: 'That cannot be done at this step of the sale.',
  ALREADY_VOIDED: 'This sale is already voided.',
  OFFLINE_LIMIT: 'Offline limit reached: a manager must approve.',
  QUEUE_NOT_EMPTY: 'Redemptions or refunds still wait in the queue: send or handle them before switching between training and live.',
  CONNECTION_NOT_TESTED: 'Test the connection first: only a passing test allows going live.',
  MANAGER_REQUIRED: 'A manager must approve this.',
  PIN_WRONG: 'Wrong PIN.',
  LOCKED_OUT: 'Too many wrong PINs: try again later.',
  NOT_SIGNED_IN: 'Sign in first.',
  FORBIDDEN: 'You are not allowed to do this.',
  NOT_SUPPORTED: 'This loyalty program does not support that.',
  STORAGE_FULL: 'The terminal disk is full: nothing was recorded. Call support.',
  TERMINAL_RESTARTED:
    'The terminal restarted while this was being done, so it is not known whether it was done. Look at the sale again, then try again if needed.',
  INTERNAL: 'Something went wrong in the terminal. Nothing was charged; try again.',
};

/** Errors worth retrying later: the outbox keeps the row; the cashier may wait. */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set(['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT', 'BACKEND_RATE_LIMITED']);
