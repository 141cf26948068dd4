/**
 * The contract's method names and IPC channel names, without the schemas:
 * what the preload needs to build `window.pos`. It imports nothing, so the
 * preload bundle does not carry zod (shared/contract.ts holds the schemas,
 * and checks at compile time that they cover exactly these names).
 */
export const METHOD_NAMES = [
  // checkout (contract/checkout.ts)
  'getStatus',
  'startSale',
  'setBasket',
  'identifyMember',
  'quote',
  'listRewards',
  'chooseReward',
  'confirmRedemption',
  'requestValidationCode',
  'acceptOffline',
  'retryRedemption',
  'markPaid',
  'cancelSale',
  'voidSale',
  'refundSale',
  'listSales',
  'getSale',
  'resolveInDoubt',
  'listLog',
  // people and the manager's desk (contract/manager.ts)
  'getPreferences',
  'listPeople',
  'whoAmI',
  'signIn',
  'signOut',
  'createFirstManager',
  'recoverManager',
  'createPerson',
  'setPersonActive',
  'setPersonPin',
  'unlockPerson',
  'queryLog',
  'getSaleStory',
  'verifyLog',
  'listAttention',
  'markHandled',
  'listQueue',
  'retryQueue',
  'getEndOfDay',
  'requestExport',
  'getSettings',
  'updateSettings',
  // card-linked offers (contract/offers.ts)
  'listOffers',
  'createOffer',
  'findOfferCustomer',
  'createOfferCustomer',
  'enrolCard',
  'linkCardToOffer',
  'listEnrolments',
  'listOfferNotices',
  'offerNoticeRefusals',
  'offerReceiverStatus',
  'setOfferReceiver',
  'catchUpOfferNotices',
  // going live (contract/golive.ts)
  'getGoLive',
  'testConnection',
  'goLive',
  'backToTraining',
  // chain shipping (contract/shipping.ts)
  'getShippingState',
  'setShippingAddress',
  // diagnostics (contract/diagnostics.ts)
  'reportClientError',
  'requestSupportBundle',
  // receipts (contract/receipts.ts)
  'getReceipt',
  'printReceipt',
  'requestReceiptPdf',
  'testPrinter',
  // the UiTPAS rewards desk (contract/reward-desk.ts)
  'listOrganizerRewards',
  'createOrganizerReward',
  'updateOrganizerReward',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/** Pushed events (status, sale updates) travel on this one channel. */
export const IPC_EVENT_CHANNEL = 'pos:event';
export const ipcChannelFor = (method: MethodName): string => `pos:${method}`;
