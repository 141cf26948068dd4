/**
 * The counter store's newer flows against a small scripted service: points
 * refused past the program's decimals as typed, reward programs, validation
 * codes, offline limits with a manager's approval, a cancel that waits for
 * the program's answer, and a manager's void.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MethodInput, MethodName, TerminalApi } from '../../../shared/contract';
import type { BackendCapabilities, RedemptionTerms, SaleView, TerminalStatus } from '../../../shared/domain';
import { PosError } from '../../../shared/errors';
import type { RewardOffer } from '../../../shared/rewards';
import { createApi, type Transport } from '../api/client';
import { confirmedQuote, createPosStore, saleActions, tooPrecise } from './store';

const TERMS: RedemptionTerms = { rate: { pointsMilli: 1000, cents: 10 }, currency: 'EUR', decimals: 3, minPointsMilli: 1, maxPointsMilli: null, stepMilli: 1 };
const APPROVAL = { managerId: 'm1', pin: '2468', reason: 'regular customer' };

function status(caps: Partial<BackendCapabilities> = {}): TerminalStatus {
  return {
    training: true,
    backend: {
      id: 'capillary',
      name: 'Test program',
      capabilities: {
        redemption: 'points',
        identifiers: ['card'],
        pointsDecimals: 3,
        validationCode: false,
        reversal: 'partial',
        retrySafety: 'deduplicated-reference',
        balanceAtCounter: true,
        ...caps,
      },
    },
    terminalId: 'T1',
    storeName: 'Shop',
    currency: 'EUR',
    online: true,
    lastContactAt: null,
    queue: { waiting: 0, attention: 0 },
  };
}

function baseSale(patch: Partial<SaleView> = {}): SaleView {
  return {
    id: 'sale_00000001',
    state: 'identified',
    createdAt: new Date(0).toISOString(),
    basket: { cents: 5000, currency: 'EUR' },
    paymentAllowed: false,
    offlineAccepted: false,
    voidPending: false,
    refunded: { cents: 0, pointsMilli: 0 },
    terms: TERMS,
    maxPointsMilli: 500_000,
    member: {
      identifierKind: 'card',
      masked: '••••0001',
      balanceMilli: 2_500_500,
      balanceValue: { cents: 25005, currency: 'EUR' },
      fetchedAt: new Date(0).toISOString(),
      lastKnown: false,
      queuedMilli: 0,
      messages: [],
    },
    ...patch,
  };
}

type Handler = (input: never) => unknown;

/** A scripted service: each method answers from `handlers`; every call is recorded with its input. */
function scripted(st: TerminalStatus, handlers: Partial<Record<MethodName, Handler>>) {
  const calls: { method: string; input: unknown }[] = [];
  const transport: Transport = {
    kind: 'http',
    async call(method, input) {
      calls.push({ method, input });
      try {
        const fn =
          method === 'getStatus' ? () => st : method === 'whoAmI' ? () => ({ person: null, needsFirstManager: false }) : handlers[method as MethodName];
        if (!fn) throw new PosError('NOT_SUPPORTED', `no ${method} here`);
        return { ok: true, value: await fn(input as never) } as never;
      } catch (e) {
        return { ok: false, error: (e as PosError).toInfo() };
      }
    },
    subscribe: () => () => {},
  };
  const api: TerminalApi = createApi(transport);
  const store = createPosStore({ api, quoteDelayMs: 10 });
  store.getState().start();
  const called = (m: string) => calls.filter((c) => c.method === m);
  return { store, calls, called };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(20);
}

/** Puts a sale on screen as if the member had just been identified. */
async function withSale(store: ReturnType<typeof scripted>['store'], sale: SaleView): Promise<void> {
  await settle();
  store.setState({ sale });
}

describe('tooPrecise', () => {
  it('refuses a decimal more than the program takes, trailing zeros too', () => {
    expect(tooPrecise('100.123', 3)).toBe(false);
    expect(tooPrecise('100.1234', 3)).toBe(true);
    expect(tooPrecise('1.0000', 3)).toBe(true);
    expect(tooPrecise('1,25', 2)).toBe(false);
    expect(tooPrecise('12.', 0)).toBe(false);
    expect(tooPrecise('12.5', 0)).toBe(true);
    expect(tooPrecise('', 0)).toBe(false);
  });
});

describe('counter flows', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps the points as they were when a fourth decimal is typed', async () => {
    const { store } = scripted(status(), {
      quote: ({ pointsMilli }: MethodInput<'quote'>) =>
        baseSale({
          state: 'quoted',
          quote: {
            pointsMilli,
            discount: { cents: 1001, currency: 'EUR' },
            balanceBeforeMilli: 2_500_500,
            balanceAfterMilli: 2_500_500 - pointsMilli,
            toPay: { cents: 3999, currency: 'EUR' },
          },
        }),
    });
    await withSale(store, baseSale());
    store.getState().setPointsText('100.123');
    store.getState().setPointsText('100.1234');
    expect(store.getState().pointsText).toBe('100.123');
    expect(store.getState().pointsProblem?.code).toBe('POINTS_TOO_PRECISE');
    store.getState().keypad('4');
    expect(store.getState().pointsText).toBe('100.123');
  });

  it('reward programs: the catalogue after identify, a chosen reward is the quote, a refusal reads the catalogue again', async () => {
    const offer = (id: string, redeemable: boolean): RewardOffer => ({
      id,
      title: id,
      kind: 'POINTS',
      pointsMilli: 10_000,
      discount: { cents: 250, currency: 'EUR' },
      unitsLeft: null,
      availability: redeemable
        ? { redeemable: true }
        : { redeemable: false, reason: 'PASSHOLDER_POINTS', message: { nl: 'Je hebt niet genoeg punten.' }, backendReason: 'PASSHOLDER_POINTS' },
    });
    let refuse = false;
    const quoted = baseSale({
      state: 'quoted',
      reward: { id: 'coffee', title: 'coffee', kind: 'POINTS', pointsMilli: 10_000, discount: { cents: 250, currency: 'EUR' } },
      quote: {
        pointsMilli: 10_000,
        discount: { cents: 250, currency: 'EUR' },
        balanceBeforeMilli: 120_000,
        balanceAfterMilli: 110_000,
        toPay: { cents: 4750, currency: 'EUR' },
      },
    });
    const { store, called } = scripted(status({ redemption: 'reward', pointsDecimals: 0 }), {
      startSale: () => baseSale({ state: 'open', member: undefined, terms: undefined }),
      identifyMember: () => baseSale(),
      listRewards: () => ({ offers: [offer('coffee', true), offer('ticket', false)], totalItems: 2, start: 0, limit: 20 }),
      chooseReward: () => {
        if (refuse) throw new PosError('REWARD_NOT_REDEEMABLE', 'no', { endUserMessage: { nl: 'Je hebt niet genoeg punten.' } });
        return quoted;
      },
      confirmRedemption: () => ({ ...quoted, state: 'posted', paymentAllowed: true }),
      getSale: () => quoted,
    });
    await settle();
    store.getState().setBasketText('50');
    await store.getState().submitBasket();
    await store.getState().identify('4000001234567899', 'keyboard');
    await settle();
    expect(store.getState().rewards.offers.map((o) => o.id)).toEqual(['coffee', 'ticket']);
    await store.getState().chooseReward('coffee');
    expect(store.getState().sale?.state).toBe('quoted');
    expect(confirmedQuote(store.getState())?.pointsMilli).toBe(10_000); // no points typed: the reward is the quote
    expect(store.getState().focus.target).toBe('confirm');
    await store.getState().confirm();
    expect(called('confirmRedemption')[0]?.input).toEqual({ saleId: 'sale_00000001', pointsMilli: 10_000 });

    store.setState({ sale: baseSale() });
    refuse = true;
    const before = called('listRewards').length;
    await store.getState().chooseReward('coffee');
    await settle();
    expect(store.getState().error?.info.code).toBe('REWARD_NOT_REDEEMABLE');
    expect(called('listRewards').length).toBe(before + 1);
  });

  it('validation codes: none typed asks for it; the code goes with the confirmation; a wrong one is typed again', async () => {
    const quoted = baseSale({
      state: 'quoted',
      quote: {
        pointsMilli: 100_123,
        discount: { cents: 1001, currency: 'EUR' },
        balanceBeforeMilli: 2_500_500,
        balanceAfterMilli: 2_400_377,
        toPay: { cents: 3999, currency: 'EUR' },
      },
    });
    let wrong = true;
    const { store, called } = scripted(status({ validationCode: true }), {
      requestValidationCode: () => ({ ...quoted, validationCode: { pointsMilli: 100_123, channel: 'SMS', requestedAt: new Date(0).toISOString() } }),
      confirmRedemption: () => {
        if (wrong) throw new PosError('VALIDATION_CODE_WRONG');
        return { ...quoted, state: 'posted', paymentAllowed: true };
      },
      getSale: () => quoted,
    });
    await withSale(store, quoted);
    store.setState({ pointsText: '100.123' });
    await store.getState().confirm();
    expect(store.getState().error?.info.code).toBe('VALIDATION_CODE_REQUIRED');
    expect(store.getState().focus.target).toBe('code');
    expect(called('confirmRedemption')).toHaveLength(0);

    await store.getState().requestValidationCode();
    expect(store.getState().sale?.validationCode?.channel).toBe('SMS');
    store.getState().setValidationCodeText(' 12 34 56 ');
    await store.getState().confirm();
    expect(called('confirmRedemption')[0]?.input).toMatchObject({ pointsMilli: 100_123, validationCode: '123456' });
    expect(store.getState().error?.info.code).toBe('VALIDATION_CODE_WRONG');
    expect(store.getState().focus.target).toBe('code');
    expect(store.getState().sale?.state).toBe('quoted');

    wrong = false;
    store.getState().setValidationCodeText('654321');
    expect(store.getState().error).toBeNull();
    await store.getState().confirm();
    expect(store.getState().sale?.state).toBe('posted');
  });

  it("offline limits: the refusal names the limits; the manager's approval goes with the same points; a wrong PIN is thrown to the dialog", async () => {
    const quoted = baseSale({
      state: 'quoted',
      quote: {
        pointsMilli: 800_000,
        discount: { cents: 800, currency: 'EUR' },
        balanceBeforeMilli: 2_200_000,
        balanceAfterMilli: 1_400_000,
        toPay: { cents: 1200, currency: 'EUR' },
      },
    });
    const breaches = [{ limit: 'perRedemption', overridable: true, message: 'Offline, one redemption may take at most 500 points.' }];
    const { store, called } = scripted(status({ pointsDecimals: 0 }), {
      confirmRedemption: (input: MethodInput<'confirmRedemption'>) => {
        if (!input.approval) throw new PosError('OFFLINE_LIMIT', 'limit', { details: { breaches, overridable: true } });
        if (input.approval.pin !== '2468') throw new PosError('PIN_WRONG');
        return { ...quoted, state: 'queued', offlineAccepted: true, paymentAllowed: true };
      },
      getSale: () => quoted,
    });
    await withSale(store, { ...quoted, terms: { ...TERMS, decimals: 0 } });
    store.setState({ pointsText: '800' });
    await store.getState().confirm();
    expect(store.getState().error).toMatchObject({ step: 'confirm', info: { code: 'OFFLINE_LIMIT', details: { overridable: true } } });

    await expect(store.getState().confirmApproved({ ...APPROVAL, pin: '0000' })).rejects.toMatchObject({ code: 'PIN_WRONG' });
    expect(store.getState().busy).toBeNull();
    await store.getState().confirmApproved(APPROVAL);
    expect(called('confirmRedemption').at(-1)?.input).toEqual({ saleId: quoted.id, pointsMilli: 800_000, approval: APPROVAL });
    expect(store.getState().sale).toMatchObject({ state: 'queued', offlineAccepted: true });
    expect(store.getState().error).toBeNull();
    expect(store.getState().focus.target).toBe('paid');
    expect(saleActions(store.getState().sale).canPay).toBe(true);
  });

  it('waiting for the program after confirm: continue offline, with an approval past a limit', async () => {
    const queued = baseSale({
      state: 'queued',
      quote: {
        pointsMilli: 800_000,
        discount: { cents: 800, currency: 'EUR' },
        balanceBeforeMilli: 12_000_000,
        balanceAfterMilli: 11_200_000,
        toPay: { cents: 3200, currency: 'EUR' },
      },
    });
    const { store, called } = scripted(status(), {
      acceptOffline: (input: MethodInput<'acceptOffline'>) => {
        if (!input.approval) throw new PosError('OFFLINE_LIMIT', 'limit', { details: { breaches: [], overridable: true } });
        return { ...queued, offlineAccepted: true, paymentAllowed: true };
      },
      getSale: () => queued,
    });
    await withSale(store, queued);
    expect(saleActions(store.getState().sale).canAcceptOffline).toBe(true);
    await store.getState().acceptOffline();
    expect(store.getState().error).toMatchObject({ step: 'result', info: { code: 'OFFLINE_LIMIT' } });
    await store.getState().acceptOffline(APPROVAL);
    expect(called('acceptOffline').at(-1)?.input).toEqual({ saleId: queued.id, approval: APPROVAL });
    expect(store.getState().sale?.paymentAllowed).toBe(true);
    expect(saleActions(store.getState().sale).canAcceptOffline).toBe(false);
  });

  it('a cancel while the redemption is on its way waits for the answer; the next sale may start', async () => {
    const posting = baseSale({
      state: 'posting',
      quote: {
        pointsMilli: 100_000,
        discount: { cents: 100, currency: 'EUR' },
        balanceBeforeMilli: 2_500_500,
        balanceAfterMilli: 2_400_500,
        toPay: { cents: 4900, currency: 'EUR' },
      },
    });
    const { store } = scripted(status(), { cancelSale: () => ({ ...posting, voidPending: true }), getSale: () => ({ ...posting, voidPending: true }) });
    await withSale(store, posting);
    store.getState().newSale(); // asks first
    expect(store.getState().dialog).toBe('new-sale');
    await store.getState().confirmDialog();
    expect(store.getState().sale?.voidPending).toBe(true); // still on screen: "cancelling: waiting for the program's answer"
    const actions = saleActions(store.getState().sale);
    expect(actions.canCancel).toBe(false);
    expect(actions.canRetry).toBe(false);
    expect(actions.canStartOver).toBe(true);
    store.getState().newSale();
    expect(store.getState().sale).toBeNull();
  });

  it('a manager voids a paid sale: the approval goes along, the status is asked for again, a refusal is thrown to the dialog', async () => {
    const paid = baseSale({ state: 'paid', redemption: 'posted', paymentAllowed: true });
    const { store, called } = scripted(status(), {
      voidSale: (input: MethodInput<'voidSale'>) => {
        if (input.approval.pin !== '2468') throw new PosError('PIN_WRONG');
        return { ...paid, state: 'voided', refunded: { cents: 5000, pointsMilli: 100_000 }, compensation: { state: 'waiting' } };
      },
      getSale: () => paid,
    });
    await withSale(store, paid);
    expect(saleActions(store.getState().sale)).toMatchObject({ canVoid: true, canCancel: false });
    await expect(store.getState().voidSale({ ...APPROVAL, pin: '1111' })).rejects.toMatchObject({ code: 'PIN_WRONG' });
    const statusCalls = called('getStatus').length;
    await store.getState().voidSale(APPROVAL);
    await settle();
    expect(store.getState().sale).toMatchObject({ state: 'voided', compensation: { state: 'waiting' } });
    expect(called('getStatus').length).toBeGreaterThan(statusCalls);
    expect(saleActions(store.getState().sale).canVoid).toBe(false);
  });

  it('scans wait while a manager approval is open', async () => {
    const { store, called } = scripted(status(), {});
    await withSale(store, baseSale());
    store.getState().setApproving(true);
    await store.getState().identify('4000001234567899', 'scanner');
    expect(store.getState().error?.info.code).toBe('SALE_WRONG_STATE');
    expect(called('identifyMember')).toHaveLength(0);
  });
});
