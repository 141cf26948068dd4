/** One valid input per method of the manager area (the contract tests spread these into their table). */
const saleId = 'lx2k3j4h5-0a1b2c3d4e5f';
const approval = { managerId: 'P-0A1B2C3D4E', pin: '1234' };

export const MANAGER_EXAMPLES: Record<string, unknown> = {
  getPreferences: {},
  listPeople: {},
  whoAmI: {},
  signIn: { personId: 'P-0A1B2C3D4E', pin: '1234' },
  signOut: {},
  createFirstManager: { name: 'Ann', pin: '12345678' },
  recoverManager: { managerId: 'P-0A1B2C3D4E', code: 'K7QD-M2XP-9RTB-4HWN', newPin: '246810' },
  createPerson: { name: 'Bo', role: 'cashier', pin: '2222' },
  setPersonActive: { personId: 'P-0A1B2C3D4E', active: false, approval },
  setPersonPin: { personId: 'P-0A1B2C3D4E', pin: '9876' },
  unlockPerson: { personId: 'P-0A1B2C3D4E' },
  queryLog: {
    limit: 100,
    beforeSeq: 5000,
    filter: { from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', kind: 'redeem.posted', memberLast4: '0016', text: 'refused' },
  },
  getSaleStory: { saleId },
  verifyLog: {},
  listAttention: { includeHandled: true },
  markHandled: { item: 'outbox:12', reason: 'points given back in the portal' },
  listQueue: {},
  retryQueue: { saleId },
  getEndOfDay: { from: '2025-03-01T00:00:00+01:00', to: '2025-03-02T00:00:00+01:00', utcOffsetMinutes: 60 },
  requestExport: { what: 'log', from: '2025-03-01T00:00:00Z', to: '2025-03-02T00:00:00Z', filter: { actor: 'P-0A1B2C3D4E' }, approval },
  getSettings: {},
  updateSettings: { patch: { language: 'nl', storeName: 'Gent Korenmarkt', offlineLimits: { maxBalanceAgeMinutes: 60 }, scanner: { suffix: 'Tab' } } },
};
