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
import type { MethodInput, TerminalApi, TerminalEvent } from '../../../shared/contract';
import type { LogEntryView, Quote, SaleState, SaleView, TerminalStatus } from '../../../shared/domain';
import { DEFAULT_MESSAGES, PosError, type ErrorInfo } from '../../../shared/errors';
import type { RewardOffer } from '../../../shared/rewards';
import { centsToDecimalString, formatPoints, parseAmount, parsePoints, type PointsMilli } from '../../../shared/money';
import { buildQuote } from '../../../shared/quote';
import { CLOSED_STATES, SALE_TRANSITIONS, canTransition } from '../../../shared/sale-state';
import { asErrorInfo } from '../api/client';
import { mustWaitToScreen, readyToScreen, screenMemberRead } from '../scanner/scanner-config';
import type { Language } from '../../../shared/i18n/locale';
import { createSessionSlice, type SessionSlice } from './session';

export type InputSource = 'scanner' | 'keyboard' | 'camera';
export type Step = 'basket' | 'member' | 'points' | 'confirm' | 'result' | 'terminal';
export type FocusTarget = 'basket' | 'member' | 'points' | 'confirm' | 'code' | 'paid' | 'retry' | 'new-sale' | 'dialog';
export type Busy = 'start' | 'basket' | 'identify' | 'confirm' | 'retry' | 'paid' | 'cancel' | 'reward' | 'code' | 'offline' | 'void' | null;
/** 'desk': the manager's desk (lazy-loaded: screens/manager/); 'offers': card-linked offers (screens/offers/). */
export type View = 'counter' | 'log' | 'desk' | 'offers';
/** A manager's approval where the log must say why (offline overrides, voids). */
export type ExplainedApproval = MethodInput<'voidSale'>['approval'];

/** The reward catalogue for the sale's member (reward programs), page by page. */
export interface RewardsState {
  saleId: string | null;
  offers: RewardOffer[];
  total: number;
  loading: boolean;
  error: ErrorInfo | null;
  /** Offline: the catalogue as the terminal last saw it (ISO). */
  lastKnownAt?: string;
}

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
  uiLang: Language;
  status: TerminalStatus | null;
  statusError: ErrorInfo | null;
  /** The event channel to the service: null while connecting. */
  connected: boolean | null;
  /** The terminal service's process died and is being restarted (its calls in flight were answered TERMINAL_RESTARTED). */
  serviceRestarting: boolean;

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

  /** Reward programs: the catalogue shown instead of the points step. */
  rewards: RewardsState;
  /** Programs with a validation code: the code the member reads out. */
  validationCodeText: string;
  /** A manager's approval dialog is open on the counter: scans wait. */
  approving: boolean;

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
  /** Confirms again with a manager's approval (offline limits); throws the refusal for the approval dialog. */
  confirmApproved(approval: ExplainedApproval): Promise<void>;
  /** The backend stopped answering after confirm: proceed on the offline policy. With an approval, throws the refusal. */
  acceptOffline(approval?: ExplainedApproval): Promise<void>;
  /** Voids a sale whose points were taken (manager); throws the refusal for the approval dialog. */
  voidSale(approval: ExplainedApproval): Promise<void>;
  loadRewards(more?: boolean): Promise<void>;
  chooseReward(rewardId: string): Promise<void>;
  setValidationCodeText(text: string): void;
  requestValidationCode(): Promise<void>;
  setApproving(open: boolean): void;
  /** Asks the service for its status (online, queue) now. */
  refreshStatus(): Promise<void>;
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
  uiLang?: Language;
  /** Where the current sale id is kept across reloads (sessionStorage in the app). */
  memory?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** Debounce before the service is asked for a quote while typing points. */
  quoteDelayMs?: number;
  now?: () => number;
}

const SALE_KEY = 'pos.saleId';
const MAX_POINTS_CHARS = 14;
const WATCH_MS = 5000;
/** While offline or with redemptions waiting, the status is asked for this often too (pushes may be lost). */
const STATUS_WATCH_MS = 4000;
const REWARD_PAGE = 20;
const NO_REWARDS: RewardsState = { saleId: null, offers: [], total: 0, loading: false, error: null };

/** Typed points with more decimals than the program allows (a trailing zero counts too): refused as typed. */
export function tooPrecise(text: string, decimals: number): boolean {
  const frac = /[.,](\d*)$/.exec(text)?.[1] ?? '';
  if (frac.length > decimals) return true;
  try {
    parsePoints(text, decimals);
  } catch (e) {
    return (e as PosError).code === 'POINTS_TOO_PRECISE';
  }
  return false;
}

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
  if (sale.reward) return sale.quote; // a catalogue reward: its price is the quote
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
  let rewardSeq = 0;
  let statusTimer: ReturnType<typeof setInterval> | null = null;

  return createStore<PosState>()((set, get) => {
    const focus = (target: FocusTarget) => set({ focus: { target, seq: ++focusSeq } });
    const fail = (e: unknown, step: Step) => set({ error: { info: asErrorInfo(e), step } });
    /** A refusal the counter says in its own words (`say`: a counter.say.* key; `message` stays English for the log). */
    const refusal = (code: ErrorInfo['code'], message: string, step: Step, say?: string) =>
      set({ error: { info: { code, message, ...(say ? { details: { say: `counter.say.${say}` } } : {}) }, step } });
    const capabilities = () => get().status?.backend.capabilities;
    const rewardProgram = () => capabilities()?.redemption === 'reward';
    const needsCode = () => capabilities()?.validationCode === true;

    /** The online flag and the queue count, asked for now (an action changed the queue). */
    async function refreshStatus(): Promise<void> {
      try {
        const status = await api.getStatus({});
        set({ status, statusError: null });
      } catch {
        // the next push or look corrects it
      }
    }

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
      const moving = sale.state === 'posting' || sale.state === 'queued' || sale.voidPending || sale.compensation?.state === 'waiting';
      if (!moving) return;
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
      if (sale.validationCode && sale.validationCode.pointsMilli !== points) set({ validationCodeText: '' });
      set({ quoting: points });
      try {
        const next = await saleCall(
          () => api.quote({ saleId: sale.id, pointsMilli: points }),
          () => seq === quoteSeq,
        );
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
        await saleCall(
          () => api.getSale({ saleId: sale.id }),
          (fresh) => get().sale?.id === fresh.id,
        );
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
        rewards: NO_REWARDS,
        validationCodeText: '',
        dialog: null,
        view: 'counter',
      });
      rewardSeq++;
      focus('basket');
    }

    /** Starts the sale, or moves its basket, from the basket field. Returns the sale or null (error shown). */
    async function ensureSaleWithBasket(): Promise<SaleView | null> {
      const { status, basketText } = get();
      let sale = get().sale;
      if (!status) {
        refusal('INTERNAL', 'The terminal is still starting; try again in a moment.', 'basket', 'starting');
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
        refusal('SALE_WRONG_STATE', 'The basket cannot change at this step of the sale.', 'basket', 'basketLocked');
        return null;
      }
      set({ busy: 'basket' });
      try {
        let moved = await saleCall(() => api.setBasket({ saleId: sale.id, basketCents: cents }));
        recheckPoints('debounce');
        // A reward's discount is never more than the basket: quote the chosen reward again.
        const reward = sale.state === 'quoted' ? sale.reward : undefined;
        if (reward && moved.state === 'identified') {
          try {
            moved = await saleCall(() => api.chooseReward({ saleId: sale.id, rewardId: reward.id }));
          } catch (e) {
            fail(e, 'points');
          }
        }
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
      rewardSeq++;
      set({
        busy: 'identify',
        error: null,
        pendingMember: null,
        pointsText: '',
        pointsProblem: null,
        preview: null,
        quoting: null,
        validationCodeText: '',
        rewards: NO_REWARDS,
      });
      try {
        const next = await saleCall(() => api.identifyMember({ saleId: sale.id, input, source }));
        if (next.member && next.state === 'identified') {
          set({ memberText: '' }); // the number is not left on screen; the card shows it masked
          if (next.error) set({ error: { info: next.error, step: 'member' } });
          if (rewardProgram()) void get().loadRewards(false);
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

    /** After a confirmation: the cursor goes where the sale now stands. */
    function focusAfterConfirm(sale: SaleView): void {
      const next = get().sale ?? sale; // the answer, with any push that overtook it applied
      if (next.state === 'posted' || (next.state === 'queued' && next.paymentAllowed)) focus('paid');
      else if (next.state === 'queued') focus('retry');
      else if (next.state === 'refused') focus('points');
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
        const typedBefore = get().basketText;
        const next = await saleCall(() => api.cancelSale({ saleId: sale.id }));
        set({ busy: null });
        // In flight: the program's answer decides; the screen says so until it arrives.
        if (startOver && !next.voidPending) {
          // A basket typed for the next customer while the cancel was on its way is kept.
          const typed = get().basketText;
          resetSale();
          if (typed !== typedBefore) set({ basketText: typed });
        } else focus('new-sale');
      } catch (e) {
        set({ busy: null });
        fail(e, 'result');
        void resync();
      }
      if (sale.state === 'posting' || sale.state === 'queued') void refreshStatus(); // a row left the queue
    }

    return {
      ...createSessionSlice(api, set, get),
      uiLang: deps.uiLang ?? 'en',
      status: null,
      statusError: null,
      connected: null,
      serviceRestarting: false,
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
      rewards: NO_REWARDS,
      validationCodeText: '',
      approving: false,
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
                if (sale.member && rewardProgram() && canTransition(sale.state, 'quoted')) void get().loadRewards(false);
                if (sale.state === 'quoted' && sale.quote && sale.terms && !sale.reward) {
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
        // Offline, or with redemptions waiting, look at the status now and then too: the count must not stick.
        if (statusTimer !== null) clearInterval(statusTimer);
        statusTimer = setInterval(() => {
          const status = get().status;
          if (status && (!status.online || status.queue.waiting > 0)) void refreshStatus();
        }, STATUS_WATCH_MS);
        return () => {
          unsubscribe();
          cancelQuoteTimer();
          if (watchTimer !== null) clearTimeout(watchTimer);
          watchTimer = null;
          if (statusTimer !== null) clearInterval(statusTimer);
          statusTimer = null;
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
        if (event.type === 'service') {
          set({ serviceRestarting: event.state === 'restarting' });
          // Back: a new process, where nobody is signed in yet; what changed while it was down
          // (a sale the outbox settled) is read again.
          if (event.state === 'running') {
            void get().loadSession();
            void get().refresh();
          }
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
        if (source === 'scanner') set({ lastScanAt: now() });
        if (get().view !== 'counter') set({ view: 'counter' });
        // Every read (scanner, camera, typed) goes through one check: the number inside a URL or text by the
        // backend's pattern, or a refusal that says what was read and why (scanner/scanner-config.ts).
        // A URL or text read in the first moments may wait for the pattern engine (loaded after the first paint).
        if (mustWaitToScreen(raw, get().status)) {
          try {
            await readyToScreen(raw, get().status);
          } catch {
            refusal('INTERNAL', 'The scan reader could not be loaded: reload the page, or type the member number.', 'member');
            return;
          }
        }
        const screened = screenMemberRead(raw, get().status, source);
        if (!screened.ok) {
          set({ error: { info: screened.error, step: 'member' } });
          return;
        }
        const input = screened.input;
        if (input === '') {
          refusal('MEMBER_NUMBER_FORMAT', 'Scan the card or type the member number first.', 'member', 'scanFirst');
          focus('member');
          return;
        }
        if (get().dialog || get().approving) {
          refusal('SALE_WRONG_STATE', 'Answer the question on screen first, then scan again.', 'member', 'answerFirst');
          return;
        }
        const busy = get().busy;
        if (busy === 'start' || busy === 'basket' || busy === 'identify') {
          // The sale is being started or a member looked up: this read is taken right after.
          set({ pendingMember: { input, source } });
          return;
        }
        if (busy) {
          refusal('SALE_WRONG_STATE', 'The terminal is still busy with the last step; scan again in a moment.', 'member', 'stillBusy');
          return;
        }
        let sale = get().sale;
        if (sale && !isClosed(sale) && !canTransition(sale.state, 'identified')) {
          refusal('SALE_WRONG_STATE', 'Finish this sale first (Paid, or cancel it), then scan the next card.', 'member', 'finishSale');
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
            refusal('AMOUNT_INVALID', 'Member card read. Enter the basket total first, then press Enter.', 'basket', 'basketFirst');
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
        const decimals = get().sale?.terms?.decimals ?? capabilities()?.pointsDecimals;
        if (decimals !== undefined && tooPrecise(clean, decimals)) {
          // Never a decimal more than the program takes: the keystroke is refused, the figure stays.
          const message = decimals === 0 ? 'Points are whole numbers here.' : `Points have at most ${decimals} decimals here.`;
          set({
            pointsProblem: {
              code: 'POINTS_TOO_PRECISE',
              message,
              details: { decimals, say: decimals === 0 ? 'counter.say.pointsWhole' : 'counter.say.pointsDecimals' },
            },
          });
          return;
        }
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
        const code = needsCode() ? s.validationCodeText.trim() : '';
        if (needsCode() && code === '') {
          refusal('VALIDATION_CODE_REQUIRED', DEFAULT_MESSAGES.VALIDATION_CODE_REQUIRED, 'confirm');
          focus('code');
          return;
        }
        cancelQuoteTimer();
        set({ busy: 'confirm', error: null });
        try {
          await saleCall(() => api.confirmRedemption({ saleId: sale.id, pointsMilli: quote.pointsMilli, ...(code ? { validationCode: code } : {}) }));
          focusAfterConfirm(sale);
        } catch (e) {
          fail(e, 'confirm');
          const c = asErrorInfo(e).code;
          // A wrong code commits nothing: the cashier types it again.
          if (c === 'VALIDATION_CODE_WRONG' || c === 'VALIDATION_CODE_REQUIRED') focus('code');
          void resync();
        } finally {
          set({ busy: null });
          if (get().sale?.state === 'queued') void refreshStatus(); // waiting in the queue: the count moved
        }
      },

      async confirmApproved(approval) {
        const sale = get().sale;
        const quote = sale?.quote;
        if (get().busy || !sale || !quote || sale.state !== 'quoted')
          throw new PosError('SALE_WRONG_STATE', 'The points are no longer waiting to be confirmed.');
        set({ busy: 'confirm' });
        try {
          await saleCall(() => api.confirmRedemption({ saleId: sale.id, pointsMilli: quote.pointsMilli, approval }));
          set({ error: null });
          focusAfterConfirm(sale);
        } catch (e) {
          void resync();
          throw e; // the approval dialog shows it and stays open
        } finally {
          set({ busy: null });
          if (get().sale?.state === 'queued') void refreshStatus();
        }
      },

      async acceptOffline(approval) {
        const sale = get().sale;
        if (get().busy || !sale || sale.state !== 'queued') {
          if (approval) throw new PosError('SALE_WRONG_STATE', 'The redemption is no longer waiting for the loyalty program.');
          return;
        }
        set({ busy: 'offline', error: null });
        try {
          const next = await saleCall(() => api.acceptOffline({ saleId: sale.id, ...(approval ? { approval } : {}) }));
          if (next.paymentAllowed) focus('paid');
        } catch (e) {
          void resync();
          if (approval) throw e;
          fail(e, 'result');
        } finally {
          set({ busy: null });
        }
      },

      async voidSale(approval) {
        const sale = get().sale;
        if (get().busy || !sale) throw new PosError('SALE_WRONG_STATE', 'There is no sale to void on screen.');
        cancelQuoteTimer();
        quoteSeq++;
        set({ busy: 'void' });
        try {
          await saleCall(() => api.voidSale({ saleId: sale.id, approval }));
          set({ error: null });
          focus('new-sale');
        } catch (e) {
          void resync();
          throw e;
        } finally {
          set({ busy: null });
          void refreshStatus();
        }
      },

      async loadRewards(more = false) {
        const sale = get().sale;
        if (!sale?.member || isClosed(sale)) return;
        const current = get().rewards;
        const paging = more && current.saleId === sale.id;
        if (paging && current.loading) return;
        const seq = ++rewardSeq;
        const start = paging ? current.offers.length : 0;
        set({ rewards: { ...(paging ? current : NO_REWARDS), saleId: sale.id, loading: true, error: null } });
        try {
          const page = await api.listRewards({ saleId: sale.id, start, limit: REWARD_PAGE });
          if (seq !== rewardSeq) return;
          const offers = paging ? [...get().rewards.offers, ...page.offers] : page.offers;
          set({
            rewards: {
              saleId: sale.id,
              offers,
              total: page.totalItems,
              loading: false,
              error: null,
              ...(page.lastKnownAt ? { lastKnownAt: page.lastKnownAt } : {}),
            },
          });
        } catch (e) {
          if (seq !== rewardSeq) return;
          set({ rewards: { ...get().rewards, loading: false, error: asErrorInfo(e) } });
        }
      },

      async chooseReward(rewardId) {
        const sale = get().sale;
        if (get().busy || !sale || !canTransition(sale.state, 'quoted')) return;
        set({ busy: 'reward', error: null });
        try {
          const next = await saleCall(() => api.chooseReward({ saleId: sale.id, rewardId }));
          if (next.state === 'quoted') focus('confirm');
        } catch (e) {
          fail(e, 'points');
          const c = asErrorInfo(e).code;
          // The catalogue said yes a moment ago: show where every reward stands now.
          if (c === 'REWARD_NOT_REDEEMABLE' || c === 'REWARD_NOT_FOUND' || c === 'POINTS_ABOVE_BALANCE') void get().loadRewards(false);
          void resync();
        } finally {
          set({ busy: null });
        }
      },

      setValidationCodeText(text) {
        set({ validationCodeText: text.replace(/\s/g, '').slice(0, 32) });
        const step = get().error?.step;
        if (step === 'confirm') set({ error: null });
      },

      async requestValidationCode() {
        const sale = get().sale;
        if (get().busy || !sale || sale.state !== 'quoted') return;
        set({ busy: 'code', error: null });
        try {
          await saleCall(() => api.requestValidationCode({ saleId: sale.id }));
          focus('code');
        } catch (e) {
          fail(e, 'confirm');
          void resync();
        } finally {
          set({ busy: null });
        }
      },

      setApproving(open) {
        if (get().approving !== open) set({ approving: open });
      },

      refreshStatus,

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
        if (!sale || isClosed(sale) || sale.voidPending) {
          // A void waiting for the program's answer completes on its own.
          resetSale();
          return;
        }
        if (!canTransition(sale.state, 'cancelled')) {
          refusal('SALE_WRONG_STATE', 'Finish this sale first: take the payment and press Paid.', 'result', 'payFirst');
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
    canCancel: !!sale && !sale.voidPending && canTransition(sale.state, 'cancelled'),
    // Points were taken (or the sale was paid): only a manager voids it.
    canVoid: !!sale && (state === 'posted' || state === 'paid') && !sale.voidPending,
    // 'posting' past the confirm call's wait: the backend has not answered yet, the cashier may push it again.
    canRetry: (state === 'queued' || state === 'posting') && !sale?.voidPending,
    // Waiting for the backend after confirm, not yet accepted offline: the offline policy may let payment proceed.
    canAcceptOffline: state === 'queued' && !sale?.offlineAccepted && !sale?.voidPending,
    canPay: !!sale && sale.paymentAllowed && canTransition(sale.state, 'paid'),
    canStartOver: !sale || isClosed(sale) || sale.voidPending || canTransition(sale.state, 'cancelled'),
  };
}
