/**
 * Every data-testid the counter screen exposes, in one place, so the e2e specs
 * can import the same names (`import { TID } from '../renderer/src/testids'`).
 * Values shown for tests carry raw figures too: data-milli (points in
 * thousandths), data-cents (money), data-state (sale state), data-online.
 */
export const TID = {
  // always on screen
  trainingBanner: 'training-banner',
  // the member's slip (counter outcome and the desk's sale detail)
  slip: 'slip',
  slipStatus: 'slip-status',
  slipPrint: 'slip-print',
  slipAskPdf: 'slip-ask-pdf',
  slipPdf: 'slip-pdf',
  storeName: 'status-store-name',
  terminalName: 'status-terminal-name',
  statusOnline: 'status-online',
  queueCount: 'queue-count',
  queueAttention: 'queue-attention',
  connectionLost: 'connection-lost',
  serviceRestarting: 'service-restarting',
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
  backendMessage: 'backend-message',
  pointsInput: 'points-input',
  maxButton: 'max-button',
  maxPoints: 'max-points',
  keypad: (key: string) => `keypad-${key}`, // keypad-0..keypad-9, keypad-dot, keypad-back, keypad-clear
  quote: 'quote',
  discount: 'discount',
  quoteCashback: 'quote-cashback',
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

  // status bar: the way to the card-linked offers (screens/offers/testids.ts OFFERS_TID.nav)
  navOffers: 'nav-offers',
  statusLastAnswer: 'status-last-answer',

  // member facts beside the card (last known balance, queued points, passholder)
  memberFacts: 'member-facts',
  lastKnownAt: 'last-known-at', // data-fetched-at (ISO)
  memberQueued: 'member-queued', // data-milli
  socialTariff: 'social-tariff', // data-status
  passType: 'pass-type', // data-pass-type

  // reward programs (UiTPAS): the catalogue instead of the points step
  rewardIdle: 'reward-idle', // the step before a member is identified
  rewardStepLoading: 'reward-step-loading', // a member is on the sale, the step's code still loading
  rewardList: 'reward-list', // data-total, data-loading
  rewardOption: 'reward-option', // data-reward-id, data-redeemable, aria-pressed (chosen)
  rewardReason: 'reward-reason', // the backend's words, lang=...
  rewardsLastKnown: 'rewards-last-known', // offline: the catalogue as last seen, data-at (ISO)
  rewardMore: 'reward-more',
  rewardSettled: 'reward-settled', // data-reward-id
  quoteReward: 'quote-reward', // data-reward-id
  // (the quote's discount: TID.discount, data-none="true" when no discount is set at this counter)

  // validation codes (Capillary)
  codeSend: 'code-send',
  codeSent: 'code-sent', // data-milli, data-channel
  codeInput: 'code-input',

  // offline
  offlineBreach: 'offline-breach', // data-limit, data-overridable
  askManager: 'ask-manager',
  acceptOffline: 'accept-offline',
  outcomeCancel: 'outcome-cancel',
  cancelling: 'cancelling',

  // after the points were taken
  cashback: 'cashback', // data-cents, data-txn
  voidSale: 'void-sale',
  compensation: 'compensation', // data-state: waiting | done | manual-action | none; data-milli

  // card-linked programs: no balance at the counter
  cardLinked: 'card-linked',
  openOffers: 'open-offers',

  // log
  logScreen: 'log-screen',
  logRefresh: 'log-refresh',
  logMore: 'log-more',
  logRow: 'log-row',
} as const;

/** The sign-in screens', approval dialog's and manager desk's ids (renderer/src/manager-testids.ts). */
export { MTID } from './manager-testids';
