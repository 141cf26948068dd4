/**
 * Every data-testid the counter screen exposes, in one place, so the e2e specs
 * can import the same names (`import { TID } from '../renderer/src/testids'`).
 * Values shown for tests carry raw figures too: data-milli (points in
 * thousandths), data-cents (money), data-state (sale state), data-online.
 */
export const TID = {
  // always on screen
  trainingBanner: 'training-banner',
  statusOnline: 'status-online',
  queueCount: 'queue-count',
  queueAttention: 'queue-attention',
  connectionLost: 'connection-lost',
  navCounter: 'nav-counter',
  navLog: 'nav-log',
  loading: 'loading',
  statusError: 'status-error',
  statusRetry: 'status-retry',

  // the counter
  counter: 'counter', // data-state = the sale's state, or "none"
  basketInput: 'basket-input',
  basketSubmit: 'basket-submit',
  memberInput: 'member-input',
  identifyButton: 'identify-button',
  memberCard: 'member-card',
  memberMasked: 'member-masked',
  memberName: 'member-name',
  balance: 'balance',
  balanceValue: 'balance-value',
  balanceLastKnown: 'balance-last-known',
  backendMessage: 'backend-message',
  pointsInput: 'points-input',
  maxButton: 'max-button',
  maxPoints: 'max-points',
  keypad: (key: string) => `keypad-${key}`, // keypad-0..keypad-9, keypad-dot, keypad-back, keypad-clear
  quote: 'quote',
  discount: 'discount',
  balanceNow: 'balance-now',
  pointsTaken: 'points-taken',
  balanceAfter: 'balance-after',
  toPay: 'to-pay',
  confirm: 'confirm',

  // outcome
  outcome: 'outcome', // data-state
  posting: 'posting',
  queuedNotice: 'queued-notice',
  queuedReason: 'queued-reason',
  retry: 'retry',
  resultBalance: 'result-balance',
  paid: 'paid',
  errorMessage: 'error-message', // data-code = the error code
  errorEndUser: 'error-enduser',

  // sale actions
  newSale: 'new-sale',
  cancel: 'cancel',
  dialog: 'dialog',
  dialogConfirm: 'dialog-confirm',
  dialogDismiss: 'dialog-dismiss',

  // log
  logScreen: 'log-screen',
  logRefresh: 'log-refresh',
  logMore: 'log-more',
  logRow: 'log-row',
} as const;

/** The sign-in screens', approval dialog's and manager desk's ids (renderer/src/manager-testids.ts). */
export { MTID } from './manager-testids';
