import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MethodInput, TerminalApi, TerminalEvent } from '../../../shared/contract';
import type { RedemptionTerms, SaleView, TerminalStatus } from '../../../shared/domain';
import { PosError } from '../../../shared/errors';
import { buildQuote, maxRedeemable } from '../../../shared/quote';
import { createApi, type Transport } from '../api/client';
import { confirmedQuote, createPosStore, saleActions } from './store';

const terms: RedemptionTerms = {
  rate: { pointsMilli: 1000, cents: 1 }, // 1 point = 1 cent
  currency: 'EUR',
  decimals: 0,
  minPointsMilli: 100_000,
  maxPointsMilli: null,
  stepMilli: 1000,
};

const status: TerminalStatus = {
  training: true,
  backend: {
    id: 'whitelabel',
    name: 'White Label',
    capabilities: {
      redemption: 'points',
      identifiers: ['card'],
      pointsDecimals: 0,
      validationCode: false,
      reversal: 'full',
      retrySafety: 'deduplicated-reference',
      balanceAtCounter: true,
    },
  },
  terminalId: 'T1',
  storeName: 'Test shop',
  currency: 'EUR',
  online: true,
  lastContactAt: null,
  queue: { waiting: 0, attention: 0 },
};

const CARD = '4000001234567899';

/** A small in-memory terminal that follows the shared rules. */
function fakeService(opts: { redeem?: 'posted' | 'queued' | 'refuse' | 'posting'; gate?: Promise<void>; startGate?: Promise<void> } = {}) {
  const sales = new Map<string, SaleView>();
  let n = 0;
  const calls: string[] = [];
  const balance = 1_250_000; // 1250 points
  const upd = (id: string, patch: Partial<SaleView>) => {
    const s = { ...sales.get(id)!, ...patch };
    sales.set(id, s);
    return s;
  };
  const impl: Partial<{ [M in keyof TerminalApi]: (input: MethodInput<M>) => Promise<unknown> }> = {
    getStatus: async () => status,
    startSale: async ({ basketCents }) => {
      if (opts.startGate) await opts.startGate;
      const id = `sale_${String(++n).padStart(8, '0')}`;
      const sale: SaleView = {
        id,
        state: 'open',
        createdAt: new Date(0).toISOString(),
        basket: { cents: basketCents, currency: 'EUR' },
        paymentAllowed: false,
        offlineAccepted: false,
        voidPending: false,
        refunded: { cents: 0, pointsMilli: 0 },
      };
      sales.set(id, sale);
      return sale;
    },
    setBasket: async ({ saleId, basketCents }) => {
      const s = sales.get(saleId)!;
      const basket = { cents: basketCents, currency: 'EUR' };
      return upd(saleId, {
        basket,
        quote: undefined,
        state: s.member ? 'identified' : 'open',
        maxPointsMilli: s.member ? maxRedeemable(basket, balance, terms) : undefined,
      });
    },
    identifyMember: async ({ saleId, input }) => {
      if (input.replace(/\s/g, '') !== CARD)
        throw new PosError('MEMBER_NOT_FOUND', 'No member with that number.', { endUserMessage: { nl: 'Onbekende kaart.', en: 'Unknown card.' } });
      const s = sales.get(saleId)!;
      return upd(saleId, {
        state: 'identified',
        terms,
        member: {
          identifierKind: 'card',
          masked: '••••7899',
          balanceMilli: balance,
          balanceValue: { cents: 1250, currency: 'EUR' },
          fetchedAt: new Date(0).toISOString(),
          lastKnown: false,
          queuedMilli: 0,
          messages: [],
        },
        maxPointsMilli: maxRedeemable(s.basket, balance, terms),
      });
    },
    quote: async ({ saleId, pointsMilli }) => {
      const s = sales.get(saleId)!;
      return upd(saleId, { state: 'quoted', quote: buildQuote(s.basket, balance, pointsMilli, terms) });
    },
    confirmRedemption: async ({ saleId, pointsMilli }) => {
      const s = sales.get(saleId)!;
      if (s.quote?.pointsMilli !== pointsMilli) throw new PosError('SALE_WRONG_STATE');
      if (opts.gate) await opts.gate;
      if (opts.redeem === 'posting') return { ...s, state: 'posting' };
      if (opts.redeem === 'refuse')
        return upd(saleId, { state: 'refused', error: { code: 'INSUFFICIENT_POINTS', message: 'The member does not have enough points.' } });
      if (opts.redeem === 'queued')
        return upd(saleId, {
          state: 'queued',
          paymentAllowed: false,
          error: { code: 'BACKEND_UNAVAILABLE', message: 'The loyalty program cannot be reached.' },
        });
      return upd(saleId, { state: 'posted', paymentAllowed: true, result: { balanceAfterMilli: balance - pointsMilli } });
    },
    retryRedemption: async ({ saleId }) => upd(saleId, { state: 'posted', paymentAllowed: true, error: undefined, result: { balanceAfterMilli: 0 } }),
    markPaid: async ({ saleId }) => upd(saleId, { state: 'paid' }),
    cancelSale: async ({ saleId }) => upd(saleId, { state: 'cancelled' }),
    getSale: async ({ saleId }) => {
      const s = sales.get(saleId);
      if (!s) throw new PosError('SALE_NOT_FOUND');
      return s;
    },
    listLog: async () => ({ entries: [] }),
    acceptOffline: async ({ saleId }) => upd(saleId, { offlineAccepted: true, paymentAllowed: true }),
    voidSale: async () => {
      throw new PosError('NOT_SUPPORTED');
    },
    refundSale: async () => {
      throw new PosError('NOT_SUPPORTED');
    },
    listSales: async () => ({ sales: [...sales.values()] }),
  };
  const transport: Transport = {
    kind: 'http',
    async call(method, input) {
      calls.push(method);
      try {
        const fn = impl[method] as ((i: unknown) => Promise<unknown>) | undefined;
        if (!fn) throw new PosError('NOT_SUPPORTED');
        const value = await fn(input);
        return { ok: true, value } as never;
      } catch (e) {
        return { ok: false, error: (e as PosError).toInfo() };
      }
    },
    subscribe: () => () => {},
  };
  return { api: createApi(transport), calls, sales, upd };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await vi.advanceTimersByTimeAsync(0);
}

function makeStore(opts: Parameters<typeof fakeService>[0] = {}) {
  const svc = fakeService(opts);
  let push: ((e: TerminalEvent) => void) | null = null;
  const store = createPosStore({
    api: svc.api,
    subscribe: (l) => {
      push = l;
      return () => {};
    },
    quoteDelayMs: 200,
  });
  store.getState().start();
  return { store, svc, push: (e: TerminalEvent) => push!(e) };
}

describe('counter store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a sale end to end: basket, scan, max, confirm, paid, new sale', async () => {
    const { store, svc } = makeStore();
    await settle();
    expect(store.getState().status?.training).toBe(true);
    store.getState().setBasketText('8,40');
    await store.getState().submitBasket();
    expect(store.getState().sale?.basket.cents).toBe(840);
    await store.getState().identify(CARD, 'scanner');
    const s1 = store.getState();
    expect(s1.sale?.state).toBe('identified');
    expect(s1.sale?.maxPointsMilli).toBe(840_000);
    expect(s1.memberText).toBe(''); // not left on screen
    expect(s1.focus.target).toBe('points');

    store.getState().useMax();
    expect(store.getState().pointsText).toBe('840');
    await settle();
    const s2 = store.getState();
    expect(s2.sale?.state).toBe('quoted');
    expect(confirmedQuote(s2)).toMatchObject({ pointsMilli: 840_000, discount: { cents: 840 }, toPay: { cents: 0 }, balanceAfterMilli: 410_000 });
    expect(s2.focus.target).toBe('confirm');

    await store.getState().confirm();
    expect(store.getState().sale?.state).toBe('posted');
    expect(saleActions(store.getState().sale).canPay).toBe(true);
    expect(saleActions(store.getState().sale).canStartOver).toBe(false);
    await store.getState().markPaid();
    expect(store.getState().sale?.state).toBe('paid');
    store.getState().newSale();
    expect(store.getState().sale).toBeNull();
    expect(store.getState().basketText).toBe('');
    expect(svc.calls).toEqual(['getStatus', 'startSale', 'identifyMember', 'quote', 'confirmRedemption', 'markPaid']);
  });

  it('keeps a card scanned before the basket and identifies once the basket is entered', async () => {
    const { store, svc } = makeStore();
    await settle();
    await store.getState().identify(CARD, 'scanner');
    expect(store.getState().pendingMember?.input).toBe(CARD);
    expect(store.getState().error?.step).toBe('basket');
    expect(svc.calls).not.toContain('identifyMember');
    store.getState().setBasketText('20');
    await store.getState().submitBasket();
    expect(store.getState().sale?.state).toBe('identified');
    expect(store.getState().pendingMember).toBeNull();
  });

  it('takes a scan that arrives while the sale is being started', async () => {
    let open!: () => void;
    const startGate = new Promise<void>((r) => (open = r));
    const { store } = makeStore({ startGate });
    await settle();
    store.getState().setBasketText('15');
    const submitting = store.getState().submitBasket();
    expect(store.getState().busy).toBe('start');
    await store.getState().identify(CARD, 'scanner');
    open();
    await submitting;
    await settle();
    expect(store.getState().sale?.state).toBe('identified');
    expect(store.getState().error).toBeNull();
  });

  it('starts the sale from a typed but unsubmitted basket when a card is scanned', async () => {
    const { store } = makeStore();
    await settle();
    store.getState().setBasketText('12.00');
    await store.getState().identify(CARD, 'scanner');
    expect(store.getState().sale).toMatchObject({ state: 'identified', basket: { cents: 1200 } });
  });

  it('previews the quote locally at once, confirms only the service quote for the figure on screen', async () => {
    const { store, svc } = makeStore();
    await settle();
    store.getState().setBasketText('20');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().keypad('5');
    store.getState().keypad('0');
    expect(store.getState().pointsProblem?.code).toBe('POINTS_BELOW_MIN');
    store.getState().keypad('0');
    const s = store.getState();
    expect(s.pointsText).toBe('500');
    expect(s.preview).toMatchObject({ pointsMilli: 500_000, discount: { cents: 500 } });
    expect(confirmedQuote(s)).toBeNull(); // not yet asked
    await vi.advanceTimersByTimeAsync(250);
    expect(confirmedQuote(store.getState())?.pointsMilli).toBe(500_000);
    // Changing the figure withdraws the confirmable quote until the service answers again.
    store.getState().keypad('back');
    expect(confirmedQuote(store.getState())).toBeNull();
    await store.getState().confirm();
    expect(svc.calls).not.toContain('confirmRedemption');
  });

  it('refuses too many points locally with the shared rules', async () => {
    const { store, svc } = makeStore();
    await settle();
    store.getState().setBasketText('100');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().setPointsText('1300');
    expect(store.getState().pointsProblem?.code).toBe('POINTS_ABOVE_BALANCE');
    await vi.advanceTimersByTimeAsync(500);
    expect(svc.calls).not.toContain('quote');
    store.getState().setPointsText('12.5');
    expect(store.getState().pointsProblem?.code).toBe('POINTS_TOO_PRECISE');
  });

  it('shows a refusal with the backend words and keeps the number for correction', async () => {
    const { store } = makeStore();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify('4000001234567881', 'keyboard'); // well-formed (Luhn), unknown to the program
    const s = store.getState();
    expect(s.error?.info).toMatchObject({ code: 'MEMBER_NOT_FOUND', endUserMessage: { nl: 'Onbekende kaart.' } });
    expect(s.memberText).toBe('4000001234567881');
    expect(s.focus.target).toBe('member');
  });

  it('shows a refused redemption from the sale, and lets the cashier choose again', async () => {
    const { store } = makeStore({ redeem: 'refuse' });
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().useMax();
    await settle();
    await store.getState().confirm();
    const s = store.getState();
    expect(s.sale?.state).toBe('refused');
    expect(s.sale?.error?.code).toBe('INSUFFICIENT_POINTS');
    expect(saleActions(s.sale).canChoosePoints).toBe(true);
    expect(saleActions(s.sale).canCancel).toBe(true);
  });

  it('waits on a queued redemption, retries, and follows pushed events but not stale ones', async () => {
    const { store, svc, push } = makeStore({ redeem: 'queued' });
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().useMax();
    await settle();
    await store.getState().confirm();
    const queued = store.getState().sale!;
    expect(queued.state).toBe('queued');
    expect(saleActions(queued)).toMatchObject({ canRetry: true, canPay: false, canCancel: true });
    // A stale push from before the answer does not move the screen back.
    push({ type: 'sale', sale: { ...queued, state: 'posting' } });
    expect(store.getState().sale?.state).toBe('queued');
    // The outbox got through: pushed.
    const posted = svc.upd(queued.id, { state: 'posted', paymentAllowed: true, result: { balanceAfterMilli: 250_000 } });
    push({ type: 'sale', sale: posted });
    expect(store.getState().sale?.state).toBe('posted');
    expect(store.getState().focus.target).toBe('paid');
    push({ type: 'sale', sale: { ...posted, state: 'queued' } });
    expect(store.getState().sale?.state).toBe('posted');
    // Another sale's push is ignored.
    push({ type: 'sale', sale: { ...posted, id: 'other_sale_1', state: 'cancelled' } });
    expect(store.getState().sale?.id).toBe(queued.id);
    // Status pushes update the queue count.
    push({ type: 'status', status: { ...status, online: false, queue: { waiting: 3, attention: 1 } } });
    expect(store.getState().status?.queue.waiting).toBe(3);
    expect(store.getState().status?.online).toBe(false);
  });

  it('applies pushes that overtake the answer to confirm', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { store, push } = makeStore({ redeem: 'posting', gate });
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().useMax();
    await settle();
    const confirming = store.getState().confirm();
    expect(store.getState().busy).toBe('confirm');
    const quoted = store.getState().sale!;
    push({ type: 'sale', sale: { ...quoted, state: 'posting' } });
    push({ type: 'sale', sale: { ...quoted, state: 'posted', paymentAllowed: true, result: { balanceAfterMilli: 250_000 } } });
    expect(store.getState().sale?.state).toBe('posted'); // shown as it happens
    open();
    await confirming; // the answer ('posting') is older than what the pushes showed
    expect(store.getState().sale?.state).toBe('posted');
    expect(store.getState().focus.target).toBe('paid');
  });

  it('asks before cancelling a sale in progress; Escape (dismiss) keeps it', async () => {
    const { store, svc } = makeStore();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().requestCancel();
    expect(store.getState().dialog).toBe('cancel-sale');
    store.getState().dismissDialog();
    expect(store.getState().dialog).toBeNull();
    expect(svc.calls).not.toContain('cancelSale');
    store.getState().newSale();
    expect(store.getState().dialog).toBe('new-sale');
    await store.getState().confirmDialog();
    expect(svc.calls).toContain('cancelSale');
    expect(store.getState().sale).toBeNull();
  });

  it('does not start on a scan while a redemption is being finished', async () => {
    const { store, svc } = makeStore();
    await settle();
    store.getState().setBasketText('10');
    await store.getState().identify(CARD, 'keyboard');
    store.getState().useMax();
    await settle();
    await store.getState().confirm();
    expect(store.getState().sale?.state).toBe('posted');
    const before = svc.calls.length;
    await store.getState().identify(CARD, 'scanner');
    expect(svc.calls.length).toBe(before);
    expect(store.getState().error?.info.code).toBe('SALE_WRONG_STATE');
  });

  it('refuses a bad basket with the shared parser', async () => {
    const { store, svc } = makeStore();
    await settle();
    store.getState().setBasketText('12.345');
    await store.getState().submitBasket();
    expect(store.getState().error).toMatchObject({ step: 'basket', info: { code: 'AMOUNT_INVALID' } });
    expect(svc.calls).not.toContain('startSale');
  });
});
