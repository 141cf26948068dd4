/**
 * The counter's state: what the terminal said (status, the sale) plus the
 * cashier's drafts (basket, member number, points). Every change to a sale goes
 * through the TerminalApi; the store only shows what the service answered and
 * previews quotes with the same shared rules the service applies.
 *
 * Scans from the USB wedge (and later the camera) enter through ONE action:
 * `identify(input, source)`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TerminalApi, TerminalEvent } from '../../../shared/contract';
import type { LogEntryView, Quote, SaleState, SaleView, TerminalStatus } from '../../../shared/domain';
import type { ErrorInfo } from '../../../shared/errors';
import { centsToDecimalString, formatPoints, parseAmount, parsePoints, type PointsMilli } from '../../../shared/money';
import { buildQuote } from '../../../shared/quote';
import { CLOSED_STATES, SALE_TRANSITIONS, canTransition } from '../../../shared/sale-state';
import { asErrorInfo } from '../api/client';
import type { UiLanguage } from '../lib/format';
import { createSessionSlice, type SessionSlice } from './session';

export type InputSource = 'scanner' | 'keyboard' | 'camera';
export type Step = 'basket' | 'member' | 'points' | 'confirm' | 'result' | 'terminal';
export type FocusTarget = 'basket' | 'member' | 'points' | 'confirm' | 'paid' | 'retry' | 'new-sale' | 'dialog';
export type Busy = 'start' | 'basket' | 'identify' | 'confirm' | 'retry' | 'paid' | 'cancel' | null;
/** 'desk': the manager's desk (lazy-loaded: screens/manager/). */
export type View = 'counter' | 'log' | 'desk';

export interface ShownError {
  info: ErrorInfo;
  step: Step;
}

export interface LogState {
  entries: LogEntryView[];
  loading: boolean;
  error: ErrorInfo | null;
  hasMore: boolean;
}

/** The counter's state, plus who is signed in (the session slice: state/session.ts). */
export interface PosState extends SessionSlice {
  uiLang: UiLanguage;
  status: TerminalStatus | null;
  statusError: ErrorInfo | null;
  /** The event channel to the service: null while connecting. */
  connected: boolean | null;

  sale: SaleView | null;
  busy: Busy;
  /** The last action's refusal, shown in the one message area. */
  error: ShownError | null;
  /** A quote request is on its way for these points. */
  quoting: PointsMilli | null;

  basketText: string;
  memberText: string;
  pointsText: string;
  /** Local check of the points typed (same rules as the service), before asking it. */
  pointsProblem: ErrorInfo | null;
  preview: Quote | null;
  /** A member read before the basket was entered: identified once the basket is. */
  pendingMember: { input: string; source: InputSource } | null;
  lastScanAt: number | null;

  view: View;
  dialog: 'cancel-sale' | 'new-sale' | null;
  focus: { target: FocusTarget; seq: number };
  log: LogState;

  start(): () => void;
  refresh(): Promise<void>;
  applyEvent(event: TerminalEvent): void;
  setView(view: View): void;

  setBasketText(text: string): void;
  submitBasket(): Promise<void>;
  setMemberText(text: string): void;
  identify(input: string, source: InputSource): Promise<void>;
  setPointsText(text: string): void;
  keypad(key: KeypadKey): void;
  useMax(): void;
  commitPoints(): void;
  confirm(): Promise<void>;
  retry(): Promise<void>;
  markPaid(): Promise<void>;
  requestCancel(): void;
  newSale(): void;
  confirmDialog(): Promise<void>;
  dismissDialog(): void;
  clearError(): void;
  loadLog(more?: boolean): Promise<void>;
}

export type KeypadKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '.' | 'back' | 'clear';

export interface StoreDeps {
  api: TerminalApi;
  /** Event subscription (the transport's); `onConnection` reports the channel state. */
  subscribe?: (listener: (e: TerminalEvent) => void, onConnection?: (connected: boolean) => void) => () => void;
  uiLang?: UiLanguage;
  /** Where the current sale id is kept across reloads (sessionStorage in the app). */
  memory?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Debounce before the service is asked for a quote while typing points. */
  quoteDelayMs?: number;
  now?: () => number;
}

const SALE_KEY = 'pos.saleId';
const MAX_POINTS_CHARS = 14;
const WATCH_MS = 5000;

/**
 * Moves the terminal makes on its own once a redemption is confirmed (outbox,
 * backend answers, a manager elsewhere), plus the confirmation itself. A
 * pushed sale is shown only if it is the same state or one of these moves
 * ahead of what the screen shows, and an answer to a call is not shown over a
 * push that is already further along: pushes and answers travel on separate
 * channels and either may arrive first.
 */
const SERVICE_MOVES: Readonly<Partial<Record<SaleState, readonly SaleState[]>>> = {
  quoted: ['posting', 'queued'],
  ...Object.fromEntries((['posting', 'queued', 'posted', 'paid'] as const).map((s) => [s, SALE_TRANSITIONS[s]])),
};

export function isNewerPush(from: SaleState, to: SaleState): boolean {
  if (from === to) return true;
  const seen = new Set<SaleState>([from]);
  const queue: SaleState[] = [from];
  while (queue.length) {
    const s = queue.shift()!;
    for (const next of SERVICE_MOVES[s] ?? []) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

export function isClosed(sale: SaleView | null): boolean {
  return sale !== null && CLOSED_STATES.has(sale.state);
}

/** The points the cashier typed, or null when the field is empty or unreadable. */
export function enteredPoints(s: Pick<PosState, 'sale' | 'pointsText'>): PointsMilli | null {
  const terms = s.sale?.terms;
  if (!terms || s.pointsText.trim() === '') return null;
  try {
    return parsePoints(s.pointsText, terms.decimals);
  } catch {
    return null;
  }
}

/** The quote the service gave for exactly the points on screen, if any: only this one can be confirmed. */
export function confirmedQuote(s: Pick<PosState, 'sale' | 'pointsText'>): Quote | null {
  const sale = s.sale;
  if (!sale || sale.state !== 'quoted' || !sale.quote) return null;
  return sale.quote.pointsMilli === enteredPoints(s) ? sale.quote : null;
}

/** Where the cursor belongs for a sale as it stands. */
function focusFor(sale: SaleView | null): FocusTarget {
  if (!sale || isClosed(sale)) return sale ? 'new-sale' : 'basket';
  if (sale.state === 'open') return 'member';
  if (sale.state === 'quoted') return 'confirm';
  if (sale.paymentAllowed) return 'paid';
  if (sale.state === 'queued' || sale.state === 'posting') return 'retry';
  return sale.member ? 'points' : 'member';
}

export function createPosStore(deps: StoreDeps): StoreApi<PosState> {
  const { api } = deps;
  const memory = deps.memory ?? null;
  const quoteDelayMs = deps.quoteDelayMs ?? 300;
  const now = deps.now ?? (() => Date.now());
  let quoteTimer: ReturnType<typeof setTimeout> | null = null;
  let watchTimer: ReturnType<typeof setTimeout> | null = null;
  let quoteSeq = 0;
  let focusSeq = 0;

  return createStore<PosState>()((set, get) => {
    const focus = (target: FocusTarget) => set({ focus: { target, seq: ++focusSeq } });
    const fail = (e: unknown, step: Step) => set({ error: { info: asErrorInfo(e), step } });
    const refusal = (code: ErrorInfo['code'], message: string, step: Step) => set({ error: { info: { code, message }, step } });

    function remember(sale: SaleView | null): void {
      try {
        if (sale && !CLOSED_STATES.has(sale.state)) memory?.setItem(SALE_KEY, sale.id);
        else memory?.removeItem(SALE_KEY);
      } catch {
        // storage unavailable: a reload starts a fresh screen
      }
    }

    function takeSale(sale: SaleView): void {
      set({ sale });
      remember(sale);
      watchWhileSending(sale);
    }

    /**
     * A call that answers with the sale. Its answer is shown unless a push
     * already showed the sale further along (then the answer is older news).
     */
    async function saleCall(call: () => Promise<SaleView>, accept: (s: SaleView) => boolean = () => true): Promise<SaleView> {
      const sale = await call();
      const current = get().sale;
      const older = current !== null && current.id === sale.id && current.state !== sale.state && isNewerPush(sale.state, current.state);
      if (accept(sale) && !older) takeSale(sale);
      return sale;
    }

    function applyPush(incoming: SaleView): void {
      const current = get().sale;
      if (!current || current.id !== incoming.id) return;
      if (!isNewerPush(current.state, incoming.state)) return;
      const before = current.state;
      takeSale(incoming);
      if (before !== incoming.state && get().busy === null) {
        if (incoming.state === 'posted') focus('paid');
        if (incoming.state === 'refused') focus('points');
      }
    }

    /** While the redemption is on its way, look again now and then in case a push was lost. */
    function watchWhileSending(sale: SaleView): void {
      if (watchTimer !== null) clearTimeout(watchTimer);
      watchTimer = null;
      if (sale.state !== 'posting' && sale.state !== 'queued') return;
      watchTimer = setTimeout(() => {
        watchTimer = null;
        if (get().sale?.id === sale.id) void resync();
      }, WATCH_MS);
    }

    function cancelQuoteTimer(): void {
      if (quoteTimer !== null) clearTimeout(quoteTimer);
      quoteTimer = null;
    }

    /** Re-checks the points on screen against the sale as it now is (local rules first, then the service). */
    function recheckPoints(schedule: 'debounce' | 'now' | 'none'): void {
      cancelQuoteTimer();
      const { sale, pointsText } = get();
      const terms = sale?.terms;
      const member = sale?.member;
      if (!sale || !terms || !member || pointsText.trim() === '') {
        quoteSeq++;
        set({ pointsProblem: null, preview: null, quoting: null });
        return;
      }
      let points: PointsMilli;
      try {
        points = parsePoints(pointsText, terms.decimals);
        set({ preview: buildQuote(sale.basket, member.balanceMilli, points, terms), pointsProblem: null });
      } catch (e) {
        quoteSeq++;
        set({ pointsProblem: asErrorInfo(e), preview: null, quoting: null });
        return;
      }
      if (!canTransition(sale.state, 'quoted')) return;
      if (sale.state === 'quoted' && sale.quote?.pointsMilli === points) {
        if (schedule === 'now') focus('confirm');
        return;
      }
      if (schedule === 'none') return;
      if (schedule === 'now') void askQuote(points, true);
      else quoteTimer = setTimeout(() => void askQuote(points, false), quoteDelayMs);
    }

    async function askQuote(points: PointsMilli, thenFocusConfirm: boolean): Promise<void> {
      quoteTimer = null;
      const sale = get().sale;
      if (!sale) return;
      const seq = ++quoteSeq;
      set({ quoting: points });
      try {
        const next = await saleCall(() => api.quote({ saleId: sale.id, pointsMilli: points }), () => seq === quoteSeq);
        if (seq !== quoteSeq) return; // the cashier changed the points meanwhile
        set({ quoting: null, pointsProblem: next.error && next.state !== 'quoted' ? next.error : null });
        if (thenFocusConfirm && next.state === 'quoted') focus('confirm');
      } catch (e) {
        if (seq !== quoteSeq) return;
        set({ quoting: null, pointsProblem: asErrorInfo(e), preview: null });
        void resync();
      }
    }

    /** After a failed call the sale may have moved: ask the service where it is. */
    async function resync(): Promise<void> {
      const sale = get().sale;
      if (!sale) return;
      try {
        await saleCall(() => api.getSale({ saleId: sale.id }), (fresh) => get().sale?.id === fresh.id);
      } catch {
        // keep what we show; the next event or action corrects it
      }
    }

    function resetSale(): void {
      cancelQuoteTimer();
      quoteSeq++;
      remember(null);
      set({
        sale: null,
        busy: null,
        error: null,
        quoting: null,
        basketText: '',
        memberText: '',
        pointsText: '',
        pointsProblem: null,
        preview: null,
        pendingMember: null,
        dialog: null,
        view: 'counter',
      });
      focus('basket');
    }

    /** Starts the sale, or moves its basket, from the basket field. Returns the sale or null (error shown). */
    async function ensureSaleWithBasket(): Promise<SaleView | null> {
      const { status, basketText } = get();
      let sale = get().sale;
      if (!status) {
        refusal('INTERNAL', 'The terminal is still starting; try again in a moment.', 'basket');
        return null;
      }
      if (sale && isClosed(sale)) {
        resetSale();
        set({ basketText });
        sale = null;
      }
      let cents: number;
      try {
        cents = parseAmount(basketText, status.currency).cents;
      } catch (e) {
        fail(e, 'basket');
        focus('basket');
        return null;
      }
      if (!sale) {
        set({ busy: 'start' });
        try {
          return await saleCall(() => api.startSale({ basketCents: cents }));
        } catch (e) {
          fail(e, 'basket');
          return null;
        } finally {
          set({ busy: null });
        }
      }
      if (sale.basket.cents === cents) return sale;
      if (!canTransition(sale.state, 'open')) {
        refusal('SALE_WRONG_STATE', 'The basket cannot change at this step of the sale.', 'basket');
        return null;
      }
      set({ busy: 'basket' });
      try {
        const moved = await saleCall(() => api.setBasket({ saleId: sale.id, basketCents: cents }));
        recheckPoints('debounce');
        return moved;
      } catch (e) {
        fail(e, 'basket');
        void resync();
        return null;
      } finally {
        set({ busy: null });
      }
    }

    async function identifyNow(sale: SaleView, input: string, source: InputSource): Promise<void> {
      cancelQuoteTimer();
      quoteSeq++;
      set({ busy: 'identify', error: null, pendingMember: null, pointsText: '', pointsProblem: null, preview: null, quoting: null });
      try {
        const next = await saleCall(() => api.identifyMember({ saleId: sale.id, input, source }));
        if (next.member && next.state === 'identified') {
          set({ memberText: '' }); // the number is not left on screen; the card shows it masked
          if (next.error) set({ error: { info: next.error, step: 'member' } });
          focus('points');
        } else {
          if (next.error) set({ error: { info: next.error, step: 'member' } });
          focus('member');
        }
      } catch (e) {
        fail(e, 'member');
        focus('member');
        void resync();
      } finally {
        set({ busy: null });
      }
      takePending();
    }

    /** A read that arrived while the terminal was busy: identify it now. */
    function takePending(): void {
      const pending = get().pendingMember;
      if (!pending || get().busy) return;
      const sale = get().sale;
      if (sale && !isClosed(sale) && canTransition(sale.state, 'identified')) void get().identify(pending.input, pending.source);
    }

    async function cancelThen(startOver: boolean): Promise<void> {
      const sale = get().sale;
      if (!sale) return;
      cancelQuoteTimer();
      quoteSeq++;
      set({ busy: 'cancel', error: null });
      try {
        await saleCall(() => api.cancelSale({ saleId: sale.id }));
        set({ busy: null });
        if (startOver) resetSale();
        else focus('new-sale');
      } catch (e) {
        set({ busy: null });
        fail(e, 'result');
        void resync();
      }
    }

    return {
      ...createSessionSlice(api, set, get),
      uiLang: deps.uiLang ?? 'en',
      status: null,
      statusError: null,
      connected: null,
      sale: null,
      busy: null,
      error: null,
      quoting: null,
      basketText: '',
      memberText: '',
      pointsText: '',
      pointsProblem: null,
      preview: null,
      pendingMember: null,
      lastScanAt: null,
      view: 'counter',
      dialog: null,
      focus: { target: 'basket', seq: 0 },
      log: { entries: [], loading: false, error: null, hasMore: false },

      start() {
        const unsubscribe =
          deps.subscribe?.(
            (e) => get().applyEvent(e),
            (connected) => {
              const was = get().connected;
              set({ connected });
              // (Re)connected after a drop: pushes may have been missed.
              if (connected && was === false) void get().refresh();
            },
          ) ?? (() => {});
        void (async () => {
          await get().refresh();
          let savedId: string | null = null;
          try {
            savedId = memory?.getItem(SALE_KEY) ?? null;
          } catch {
            savedId = null;
          }
          if (savedId && !get().sale) {
            try {
              const sale = await saleCall(
                () => api.getSale({ saleId: savedId }),
                (found) => !get().sale && !CLOSED_STATES.has(found.state),
              );
              if (get().sale === sale) {
                set({ basketText: centsToDecimalString(sale.basket.cents) });
                if (sale.state === 'quoted' && sale.quote && sale.terms) {
                  set({ pointsText: formatPoints(sale.quote.pointsMilli, sale.terms.decimals) });
                  recheckPoints('none');
                }
              } else remember(get().sale);
            } catch {
              remember(null);
            }
          }
          // The fields were disabled until the terminal answered: put the cursor where the sale stands.
          const sale = get().sale;
          focus(focusFor(sale));
        })();
        return () => {
          unsubscribe();
          cancelQuoteTimer();
          if (watchTimer !== null) clearTimeout(watchTimer);
          watchTimer = null;
        };
      },

      async refresh() {
        try {
          const status = await api.getStatus({});
          set({ status, statusError: null });
        } catch (e) {
          set({ statusError: asErrorInfo(e) });
        }
        const sale = get().sale;
        if (sale && !isClosed(sale)) await resync();
      },

      applyEvent(event) {
        if (event.type === 'status') {
          set({ status: event.status, statusError: null });
          return;
        }
        applyPush(event.sale);
      },

      setView(view) {
        set({ view });
        if (view === 'log') void get().loadLog(false);
      },

      setBasketText(text) {
        set({ basketText: text });
        if (get().error?.step === 'basket') set({ error: null });
      },

      async submitBasket() {
        if (get().busy) return;
        set({ error: null });
        const sale = await ensureSaleWithBasket();
        if (!sale) return;
        const pending = get().pendingMember;
        if (pending) await identifyNow(sale, pending.input, pending.source);
        else if (!sale.member) focus('member');
        else focus('points');
      },

      setMemberText(text) {
        set({ memberText: text });
        if (get().error?.step === 'member') set({ error: null });
      },

      async identify(raw, source) {
        const input = raw.trim();
        if (source === 'scanner') set({ lastScanAt: now() });
        if (get().view !== 'counter') set({ view: 'counter' });
        if (input === '') {
          refusal('MEMBER_NUMBER_FORMAT', 'Scan the card or type the member number first.', 'member');
          focus('member');
          return;
        }
        if (get().dialog) {
          refusal('SALE_WRONG_STATE', 'Answer the question on screen first, then scan again.', 'member');
          return;
        }
        const busy = get().busy;
        if (busy === 'start' || busy === 'basket' || busy === 'identify') {
          // The sale is being started or a member looked up: this read is taken right after.
          set({ pendingMember: { input, source } });
          return;
        }
        if (busy) {
          refusal('SALE_WRONG_STATE', 'The terminal is still busy with the last step; scan again in a moment.', 'member');
          return;
        }
        let sale = get().sale;
        if (sale && !isClosed(sale) && !canTransition(sale.state, 'identified')) {
          refusal('SALE_WRONG_STATE', 'Finish this sale first (Paid, or cancel it), then scan the next card.', 'member');
          return;
        }
        if (sale && isClosed(sale)) {
          resetSale();
          sale = null;
        }
        const status = get().status;
        if (!sale) {
          // A member before a basket: keep the read, ask for the basket.
          let basketOk = false;
          try {
            if (status) {
              parseAmount(get().basketText, status.currency);
              basketOk = true;
            }
          } catch {
            basketOk = false;
          }
          if (!basketOk) {
            set({ pendingMember: { input, source }, memberText: input });
            refusal('AMOUNT_INVALID', 'Member card read. Enter the basket total first, then press Enter.', 'basket');
            focus('basket');
            return;
          }
        }
        set({ error: null, memberText: input });
        const withBasket = await ensureSaleWithBasket();
        if (!withBasket) {
          set({ pendingMember: { input, source } });
          return;
        }
        await identifyNow(withBasket, input, source);
      },

      setPointsText(text) {
        const clean = text.replace(/\s/g, '').slice(0, MAX_POINTS_CHARS);
        set({ pointsText: clean });
        if (get().error?.step === 'points') set({ error: null });
        recheckPoints('debounce');
      },

      keypad(key) {
        const { pointsText, sale } = get();
        const decimals = sale?.terms?.decimals ?? 0;
        let next = pointsText;
        if (key === 'clear') next = '';
        else if (key === 'back') next = pointsText.slice(0, -1);
        else if (key === '.') {
          if (decimals === 0 || /[.,]/.test(pointsText)) return;
          next = (pointsText === '' ? '0' : pointsText) + '.';
        } else next = pointsText === '0' ? key : pointsText + key;
        get().setPointsText(next);
      },

      useMax() {
        const sale = get().sale;
        if (!sale?.terms || !sale.maxPointsMilli) return;
        set({ pointsText: formatPoints(sale.maxPointsMilli, sale.terms.decimals) });
        if (get().error?.step === 'points') set({ error: null });
        recheckPoints('now');
      },

      commitPoints() {
        recheckPoints('now');
      },

      async confirm() {
        const s = get();
        const sale = s.sale;
        const quote = confirmedQuote(s);
        if (s.busy || !sale || !quote || s.quoting !== null) return;
        cancelQuoteTimer();
        set({ busy: 'confirm', error: null });
        try {
          await saleCall(() => api.confirmRedemption({ saleId: sale.id, pointsMilli: quote.pointsMilli }));
          const next = get().sale ?? sale; // the answer, with any push that overtook it applied
          if (next.state === 'posted' || (next.state === 'queued' && next.paymentAllowed)) focus('paid');
          else if (next.state === 'queued') focus('retry');
          else if (next.state === 'refused') focus('points');
        } catch (e) {
          fail(e, 'confirm');
          void resync();
        } finally {
          set({ busy: null });
        }
      },

      async retry() {
        const sale = get().sale;
        if (get().busy || !sale) return;
        set({ busy: 'retry', error: null });
        try {
          await saleCall(() => api.retryRedemption({ saleId: sale.id }));
          const next = get().sale ?? sale;
          if (next.state === 'posted') focus('paid');
        } catch (e) {
          fail(e, 'result');
          void resync();
        } finally {
          set({ busy: null });
        }
      },

      async markPaid() {
        const sale = get().sale;
        if (get().busy || !sale || !sale.paymentAllowed || !canTransition(sale.state, 'paid')) return;
        set({ busy: 'paid', error: null });
        try {
          await saleCall(() => api.markPaid({ saleId: sale.id }));
          focus('new-sale');
        } catch (e) {
          fail(e, 'result');
          void resync();
        } finally {
          set({ busy: null });
        }
      },

      requestCancel() {
        const sale = get().sale;
        if (get().busy || !sale || !canTransition(sale.state, 'cancelled')) return;
        if (sale.state === 'open') {
          void cancelThen(false);
          return;
        }
        set({ dialog: 'cancel-sale' });
        focus('dialog');
      },

      newSale() {
        const sale = get().sale;
        if (get().busy) return;
        if (!sale || isClosed(sale)) {
          resetSale();
          return;
        }
        if (!canTransition(sale.state, 'cancelled')) {
          refusal('SALE_WRONG_STATE', 'Finish this sale first: take the payment and press Paid.', 'result');
          return;
        }
        if (sale.state === 'open') {
          void cancelThen(true);
          return;
        }
        set({ dialog: 'new-sale' });
        focus('dialog');
      },

      async confirmDialog() {
        const dialog = get().dialog;
        set({ dialog: null });
        if (dialog === 'cancel-sale') await cancelThen(false);
        if (dialog === 'new-sale') await cancelThen(true);
      },

      dismissDialog() {
        if (!get().dialog) return;
        set({ dialog: null });
        const sale = get().sale;
        focus(sale?.state === 'quoted' ? 'confirm' : sale?.member ? 'points' : 'basket');
      },

      clearError() {
        set({ error: null });
      },

      async loadLog(more = false) {
        const log = get().log;
        if (log.loading) return;
        set({ log: { ...log, loading: true, error: null } });
        const limit = 50;
        const beforeSeq = more && log.entries.length ? log.entries[log.entries.length - 1]!.seq : undefined;
        try {
          const { entries } = await api.listLog(beforeSeq ? { limit, beforeSeq } : { limit });
          const all = more ? [...get().log.entries, ...entries] : entries;
          set({ log: { entries: all, loading: false, error: null, hasMore: entries.length === limit } });
        } catch (e) {
          set({ log: { ...get().log, loading: false, error: asErrorInfo(e) } });
        }
      },
    };

  });
}

/** Which buttons make sense for a sale, by the shared state machine. */
export function saleActions(sale: SaleView | null) {
  const state = sale?.state ?? null;
  return {
    canEditBasket: !sale || isClosed(sale) || canTransition(sale.state, 'open'),
    canIdentify: !sale || isClosed(sale) || canTransition(sale.state, 'identified'),
    canChoosePoints: !!sale && !!sale.terms && !!sale.member && canTransition(sale.state, 'quoted'),
    canCancel: !!sale && canTransition(sale.state, 'cancelled'),
    // 'posting' past the confirm call's wait: the backend has not answered yet, the cashier may push it again.
    canRetry: state === 'queued' || state === 'posting',
    canPay: !!sale && sale.paymentAllowed && canTransition(sale.state, 'paid'),
    canStartOver: !sale || isClosed(sale) || canTransition(sale.state, 'cancelled'),
  };
}

