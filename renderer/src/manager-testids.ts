/**
 * data-testid values of the sign-in screens, the approval dialog and the
 * manager's desk (merged into testids.ts once the counter's files settle).
 * Raw figures ride along as data-* attributes: data-cents, data-milli,
 * data-value (counts), data-state, data-seq, data-kind, data-intact.
 */
export const MTID = {
  // session
  signIn: 'signin-screen',
  signInPerson: 'signin-person', // data-person-id, data-role
  signInOther: 'signin-other',
  signInError: 'signin-error',
  pinInput: 'pin-input',
  pinKey: (key: string) => `pin-key-${key}`,
  pinSubmit: 'pin-submit',
  firstStart: 'first-start',
  firstName: 'first-name',
  firstPin: 'first-pin',
  firstPin2: 'first-pin2',
  firstSubmit: 'first-submit',
  firstError: 'first-error',
  recoveryCode: 'recovery-code',
  recoveryDone: 'recovery-done',
  sessionBar: 'session-bar',
  sessionName: 'session-name', // data-role
  signOut: 'sign-out',
  navDesk: 'nav-desk',
  language: 'language-select',

  // the approval dialog
  approval: 'approval-dialog',
  approvalManager: 'approval-manager', // one per manager: data-person-id, aria-pressed
  approvalPin: 'approval-pin',
  approvalReason: 'approval-reason',
  approvalSubmit: 'approval-submit',
  approvalCancel: 'approval-cancel',
  approvalError: 'approval-error',

  // the desk
  desk: 'desk',
  deskTab: (tab: string) => `desk-tab-${tab}`,
  managerGate: 'manager-gate',
  managerGateSignIn: 'manager-gate-signin',
  deskError: 'desk-error',
  deskNotice: 'desk-notice',

  // sales and a sale's detail
  salesRow: 'sales-row', // data-sale-id, data-state
  salesFlag: 'sales-flag', // data-flag: refused | attention
  salesCashier: 'sales-cashier',
  salesPoints: 'sales-points',
  salesMore: 'sales-more',
  salesEmpty: 'sales-empty',
  sale: 'sale-detail', // data-state, data-sale-id
  saleBack: 'sale-back',
  saleVoid: 'sale-void',
  saleRefund: 'sale-refund',
  refundAmount: 'refund-amount',
  refundSubmit: 'refund-submit',
  refundProblem: 'refund-problem',
  saleCompensation: 'sale-compensation', // data-state
  saleRefunded: 'sale-refunded', // data-cents
  saleStoryRow: 'sale-story-row', // data-kind
  saleOutboxRow: 'sale-outbox-row',

  // log
  logFrom: 'log-filter-from',
  logTo: 'log-filter-to',
  logActor: 'log-filter-actor',
  logKind: 'log-filter-kind',
  logOutcome: 'log-filter-outcome',
  logMember: 'log-filter-member',
  logText: 'log-filter-text',
  logApply: 'log-filter-apply',
  logClear: 'log-filter-clear',
  logFilterProblem: 'log-filter-problem',
  logList: 'desk-log-list',
  logRow: 'desk-log-row', // data-seq, data-kind, data-outcome
  logCount: 'desk-log-count', // data-value, data-done
  logEntry: 'desk-log-entry',
  logOpenSale: 'desk-log-open-sale',

  // needs attention
  attentionItem: 'attention-item', // data-item, data-kind, data-handled
  attentionHandle: 'attention-handle',
  attentionReason: 'attention-reason',
  attentionSubmit: 'attention-submit',
  attentionEmpty: 'attention-empty',
  attentionShowHandled: 'attention-show-handled',
  attentionEvidence: 'attention-evidence', // a row nobody can tell about: what was sent, each lookup
  attentionSend: 'attention-send', // data-at, data-deadline (ISO)
  attentionLookup: 'attention-lookup', // data-outcome, data-status
  attentionBalanceBefore: 'attention-balance-before', // data-milli
  attentionBalanceAfter: 'attention-balance-after', // data-milli
  attentionApplied: 'attention-applied',
  attentionSendAgain: 'attention-send-again',

  // queue
  queueRow: 'queue-row', // data-sale-id, data-attempts
  queueRetry: 'queue-retry',
  queueRetryAll: 'queue-retry-all',
  queueEmpty: 'queue-empty',
  queueTotal: 'queue-total', // data-value

  // end of day
  eod: 'eod',
  eodDay: 'eod-day',
  eodFigure: (key: string) => `eod-${key}`, // data-value (count, cents or milli)
  eodCashier: 'eod-cashier', // data-person-id
  eodChart: 'eod-chart',
  eodBar: 'eod-bar', // data-hour, data-value
  eodPrint: 'eod-print',
  eodExport: 'eod-export',
  verifyAdvice: 'verify-advice',
  verifyOpenEntry: 'verify-open-entry',
  eodIdentity: 'eod-identity',
  eodTraining: 'eod-training',
  eodTampered: 'eod-tampered',
  eodCashiers: 'eod-cashiers',
  eodManagers: 'eod-managers',
  eodManager: 'eod-manager', // data-person-id, data-voids, data-refunds

  // export
  exportWhat: 'export-what',
  exportFrom: 'export-from',
  exportTo: 'export-to',
  exportUseFilters: 'export-use-filters',
  exportFormat: 'export-format',
  exportSubmit: 'export-submit',
  exportLink: 'export-link', // href: the download; data-filename
  exportProblem: 'export-problem',

  // verify
  verifyRun: 'verify-run',
  verifyResult: 'verify-result', // data-intact, data-problem, data-first-bad-seq, data-entries

  // shipping to the chain (ShippingPanel, on the verify tab)
  shippingPanel: 'shipping-panel', // data-enabled, data-connected, data-shipped-seq, data-head-seq, data-lag, data-error-kind, data-conflicts
  shippingError: 'shipping-error',
  shippingAddress: 'shipping-address',
  shippingSave: 'shipping-save',
  shippingOff: 'shipping-off',

  // people
  personRow: 'person-row', // data-person-id, data-active
  personName: 'person-name',
  personRole: 'person-role',
  personPin: 'person-pin',
  personAdd: 'person-add',
  personToggle: 'person-toggle',
  personResetPin: 'person-reset-pin',
  personNewPin: 'person-new-pin',
  personSavePin: 'person-save-pin',
  personProblem: (field: string) => `person-problem-${field}`,
  personConfirmOff: 'person-confirm-off', // data-person-id
  personConfirmOffYes: 'person-confirm-off-yes',
  personConfirmOffNo: 'person-confirm-off-no',

  // the UiTPAS rewards desk
  rewardNew: 'reward-new',
  rewardForm: 'reward-form',
  rewardField: (field: string) => `reward-field-${field}`,
  rewardSave: 'reward-save',
  rewardRow: 'reward-row', // data-reward-id
  rewardDiscount: 'reward-discount',
  rewardEdit: 'reward-edit',

  // settings
  settingsField: (field: string) => `settings-${field}`,
  printerTest: 'settings-printer-test',
  printerNotice: 'settings-printer-notice',
  settingsSave: 'settings-save',
  connectionWhere: 'settings-connection-where',
} as const;
