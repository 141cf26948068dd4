import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, methods, validateCall } from './contract.js';
import { canTransition, SALE_TRANSITIONS } from './sale-state.js';
import { MANAGER_EXAMPLES } from './contract/manager.examples.js';
import { OFFERS_EXAMPLES } from './contract/offers.examples.js';
import { GOLIVE_EXAMPLES } from './contract/golive.examples.js';
import { DIAGNOSTICS_EXAMPLES } from './contract/diagnostics.examples.js';
import { RECEIPTS_EXAMPLES } from './contract/receipts.examples.js';
import { REWARD_DESK_EXAMPLES } from './contract/reward-desk.examples.js';

const saleId = 'lx2k3j4h5-0a1b2c3d4e5f';

/** One valid input per method: the test fails if a method is added without one. */
const VALID: Record<string, unknown> = {
  getStatus: {},
  startSale: { basketCents: 1250 },
  setBasket: { saleId, basketCents: 0 },
  identifyMember: { saleId, input: '0930012345615', source: 'scanner' },
  quote: { saleId, pointsMilli: 1000 },
  confirmRedemption: { saleId, pointsMilli: 1000 },
  requestValidationCode: { saleId },
  listRewards: { saleId, limit: 20 },
  chooseReward: { saleId, rewardId: 'reward-1' },
  acceptOffline: { saleId, approval: { managerId: 'm1', pin: '1234', reason: 'network down' } },
  voidSale: { saleId, approval: { managerId: 'm1', pin: '123456', reason: 'customer changed mind' } },
  refundSale: { saleId, amountCents: 250, approval: { managerId: 'm1', pin: '1234', reason: 'item returned' } },
  listSales: { limit: 20, memberLast4: '0016' },
  retryRedemption: { saleId },
  markPaid: { saleId },
  cancelSale: { saleId },
  getSale: { saleId },
  resolveInDoubt: { item: 'outbox:12', decision: 'send-again', approval: { managerId: 'm1', pin: '1234', reason: 'checked the portal' } },
  listLog: { limit: 50 },
  getShippingState: {},
  setShippingAddress: { postgresUrl: null },
  ...MANAGER_EXAMPLES,
  ...OFFERS_EXAMPLES,
  ...GOLIVE_EXAMPLES,
  ...DIAGNOSTICS_EXAMPLES,
  ...RECEIPTS_EXAMPLES,
  ...REWARD_DESK_EXAMPLES,
};

describe('contract schemas', () => {
  it('has a valid example for every method', () => {
    expect(Object.keys(VALID).sort()).toEqual([...METHOD_NAMES].sort());
    for (const m of METHOD_NAMES) expect(() => validateCall(m, VALID[m])).not.toThrow();
  });
  it('refuses unknown methods, including prototype names', () => {
    for (const m of ['nope', 'constructor', '__proto__', 'toString', 42]) {
      expect(() => validateCall(m, {})).toThrowError(/Unknown method/);
    }
  });
  it('refuses extra fields (strict) on every method', () => {
    for (const m of METHOD_NAMES) {
      expect(() => validateCall(m, { ...(VALID[m] as object), extra: 1 }), m).toThrow();
    }
  });
  it('refuses negative, fractional and non-numeric amounts and points', () => {
    for (const bad of [-1, 1.5, '12', NaN, Infinity]) {
      expect(() => validateCall('startSale', { basketCents: bad })).toThrow();
      expect(() => validateCall('quote', { saleId, pointsMilli: bad })).toThrow();
    }
  });
  it('refuses approvals without a proper PIN or a reason', () => {
    expect(() => validateCall('voidSale', { saleId, approval: { managerId: 'm1', pin: '12', reason: 'why not' } })).toThrow(/PIN/);
    expect(() => validateCall('voidSale', { saleId, approval: { managerId: 'm1', pin: '1234', reason: ' ' } })).toThrow();
    expect(() => validateCall('voidSale', { saleId })).toThrow();
    expect(() => validateCall('refundSale', { saleId, amountCents: 0, approval: { managerId: 'm1', pin: '1234', reason: 'returned' } })).toThrow();
  });
  it('refuses malformed sale ids and sources', () => {
    expect(() => validateCall('getSale', { saleId: '../../etc' })).toThrow();
    expect(() => validateCall('identifyMember', { saleId, input: 'x', source: 'telepathy' })).toThrow();
    expect(() => validateCall('identifyMember', { saleId, input: 'x'.repeat(600), source: 'scanner' })).toThrow();
  });
  it('names the bad field in the error', () => {
    try {
      validateCall('startSale', { basketCents: -5 });
    } catch (e) {
      expect((e as { code: string }).code).toBe('INVALID_INPUT');
      expect((e as Error).message).toContain('basketCents');
      return;
    }
    throw new Error('expected a refusal');
  });
  it('every method has a schema object', () => {
    for (const m of METHOD_NAMES) expect(methods[m]).toBeDefined();
  });
});

describe('sale state machine', () => {
  it('follows the checkout path', () => {
    const path = ['open', 'identified', 'quoted', 'posting', 'posted', 'paid'] as const;
    for (let i = 0; i + 1 < path.length; i++) expect(canTransition(path[i]!, path[i + 1]!)).toBe(true);
  });
  it('refuses skipping steps and reopening closed sales', () => {
    expect(canTransition('open', 'posting')).toBe(false);
    expect(canTransition('identified', 'posted')).toBe(false);
    expect(canTransition('posting', 'paid')).toBe(false);
    expect(canTransition('refused', 'paid')).toBe(false);
    expect(SALE_TRANSITIONS.cancelled).toEqual([]);
    expect(SALE_TRANSITIONS.voided).toEqual([]);
    expect(canTransition('paid', 'posting')).toBe(false);
  });
  it('a confirmed redemption is never paid or re-quoted before the backend or the offline policy answered', () => {
    expect(canTransition('posting', 'paid')).toBe(false);
    expect(canTransition('posting', 'quoted')).toBe(false);
    expect(canTransition('queued', 'quoted')).toBe(false);
  });
});
