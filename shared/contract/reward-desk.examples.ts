/** One valid input per method of the rewards desk area (the contract tests spread these into their table). */
const reward = {
  title: 'Gratis koffie',
  promotionalDescription: 'Een koffie aan de toog voor 10 punten.',
  points: 10,
  categories: ['Eten en drinken'],
  moreInfoURL: 'https://www.example.be/uitpas',
  publicationPeriod: { begin: '2026-01-01T00:00:00Z' },
  redeemPeriod: { begin: '2026-01-01T00:00:00Z', end: '2026-12-31T22:59:59Z' },
  maxAvailableUnits: 500,
  perMemberLimit: { volume: 1, period: 'DAY' },
};

export const REWARD_DESK_EXAMPLES: Record<string, unknown> = {
  listOrganizerRewards: {},
  createOrganizerReward: { reward, discountCents: 250, approval: { managerId: 'P-0A1B2C3D4E', pin: '1234' } },
  updateOrganizerReward: { rewardId: 'a1b2c3d4-0000-4000-8000-000000000001', reward, discountCents: null },
};
