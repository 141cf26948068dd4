/**
 * Every data-testid the offers screen exposes (the e2e spec imports these).
 * No value ever carries a card number: cards are named by the platform's id
 * (data-card-id) and show scheme + last four. Raw figures for tests ride on
 * data-* attributes: data-cents, data-count, data-enabled, data-type.
 */
export const OFFERS_TID = {
  nav: 'nav-offers',
  screen: 'offers-screen',
  loading: 'offers-loading',
  tabEnrol: 'offers-tab-enrol',
  tabNotices: 'offers-tab-notices',

  // 1. the offer
  offerList: 'offers-list',
  offerOption: 'offer-option', // data-offer-id, aria-pressed
  offersRefresh: 'offers-refresh',
  offerNew: 'offer-new',
  offerForm: 'offer-form',
  offerName: 'offer-name',
  offerDescription: 'offer-description',
  offerDiscount: 'offer-discount',
  offerDiscountMax: 'offer-discount-max',
  offerCreate: 'offer-create',

  // 2. the customer
  customerFindMode: 'customer-find-mode',
  customerNewMode: 'customer-new-mode',
  customerEmail: 'customer-email',
  customerFirstName: 'customer-first-name',
  customerLastName: 'customer-last-name',
  customerFind: 'customer-find',
  customerCreate: 'customer-create',
  customerNotFound: 'customer-not-found',
  customerChosen: 'customer-chosen', // data-customer-id
  customerChange: 'customer-change',

  // 3. the card
  cardForm: 'card-form',
  cardNumber: 'card-number',
  cardExpMonth: 'card-exp-month',
  cardExpYear: 'card-exp-year',
  cardCvv: 'card-cvv',
  cardPostalCode: 'card-postal-code',
  cardTerms: 'card-terms',
  cardEnrol: 'card-enrol',
  cardProblem: 'card-problem',
  enrolled: 'card-enrolled', // data-scheme, data-last4, data-card-id, data-offer-id
  enrolAnother: 'card-enrol-another',
  createdNotLinked: 'card-created-not-linked',
  linkAgain: 'card-link-again',

  // the customer's cards
  enrolments: 'enrolments',
  enrolmentsRefresh: 'enrolments-refresh',
  enrolledCard: 'enrolled-card', // data-card-id, data-last4
  cardLink: 'card-link', // data-card-id, data-offer-id
  linkToOffer: 'card-link-to-offer', // data-card-id
  enrolmentsMessage: 'enrolments-message',

  // notices
  notices: 'notices',
  noticesRefresh: 'notices-refresh',
  receiver: 'receiver', // data-enabled, data-listening
  receiverSwitch: 'receiver-switch', // role=switch, aria-checked
  catchUp: 'catch-up',
  catchUpNow: 'catch-up-now',
  catchUpLast: 'catch-up-last', // data-recovered, data-failed
  range: (r: string) => `notices-range-${r}`, // today, week, all
  totals: 'notice-totals',
  totalPurchases: 'total-purchases', // data-count, data-cents
  totalRefunds: 'total-refunds', // data-count, data-cents
  refusals: 'notice-refusals',
  refusal: 'notice-refusal', // data-reason, data-count
  noticeRow: 'notice-row', // data-notice-id, data-type, data-cents, data-transaction-id
  noticeOriginal: 'notice-original', // on a refund: data-original-id
  noticesMore: 'notices-more',
  noticesEmpty: 'notices-empty',

  errorMessage: 'offers-error', // data-code
} as const;
