/** One valid input per method of the offers area (the contract tests spread these into their table). */
const customerId = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const cardId = 'c0ffee00-1111-4222-8333-444455556666';
const offerId = '1001';

export const OFFERS_EXAMPLES: Record<string, unknown> = {
  listOffers: {},
  createOffer: { name: '10% off with points', description: ['At the counter'], approval: { managerId: 'P-0A1B2C3D4E', pin: '1234' } },
  findOfferCustomer: { email: 'ada@example.be' },
  createOfferCustomer: { firstName: 'Ada', lastName: 'Peeters', email: 'ada@example.be' },
  // A platform test card (Visa 4444 0000 0000 4xxx), spaces allowed.
  enrolCard: { customerId, offerId, card: { number: '4444 0000 0000 4001', expMonth: 12, expYear: 2030, cvv: '123', postalCode: '3000' }, termsAccepted: true },
  linkCardToOffer: { cardId, offerId },
  listEnrolments: { customerId },
  listOfferNotices: { limit: 50, beforeId: 100, from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00' },
  offerNoticeRefusals: {},
  offerReceiverStatus: {},
  setOfferReceiver: { enabled: true, approval: { managerId: 'P-0A1B2C3D4E', pin: '1234' } },
  catchUpOfferNotices: {},
};
