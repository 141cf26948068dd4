/**
 * The sale slice: the sale as the service answered it, and every step that
 * moves it (basket, member, confirm, paid, cancel, void). Every change goes
 * through the TerminalApi; the screen shows what the service answered, merged
 * with its pushes by ../sale-merge.ts. The status (online, queue count) is not
 * asked for after an action: the service pushes it when it changes.
 *
 * Scans from the USB wedge and the camera, and typed numbers, enter through
 * ONE action: `identify(input, source)`.
 */
import type { SaleView } from '../../../../shared/domain';
import { DEFAULT_MESSAGES, PosError } from '../../../../shared/errors';
import { parseAmount } from '../../../../shared/money';
import { canTransition } from '../../../../shared/sale-state';
import { asErrorInfo } from '../../api/client';
import { mustWaitToScreen, readyToScreen, screenMemberRead } from '../../scanner/scanner-config';
import { confirmedQuote, isClosed } from '../selectors';
import type { Core } from './core';
import { EMPTY_DRAFTS, type Drafts } from './drafts';
import type { InputSource, SaleSlice } from './types';

/**
 * How long a card read may keep the screen still waiting for its answer (screen-hold.ts): a look-up
 * takes ~16 ms on a slow counter PC; one that takes longer than this shows "looking up" as before.
 */
const LOOKUP_HOLD_MS = 150;

/** What the sale slice asks of the others, and they of it. */
export interface SaleFlow {
  /** Clears the sale and every draft: the counter is ready for the next customer. */
  resetSale(): void;
}

export function createSale(core: Core, drafts: Drafts): { slice: SaleSlice; flow: SaleFlow } {
  const { set, get, deps, focus, fail, refusal } = core;
  const { api } = deps;

  function resetSale(): void {
    drafts.dropQuote();
    core.remember(null);
    set({ sale: null, busy: null, error: null, ...EMPTY_DRAFTS, dialog: null, view: 'counter' });
    focus('basket');
  }

  /** The open sale when its basket already is the amount in the basket field (nothing to call first), else null. */
  function saleAsTyped(): SaleView | null {
    const { status, basketText, sale } = get();
    if (!status || !sale || isClosed(sale)) return null;
    try {
      return parseAmount(basketText, status.currency).cents === sale.basket.cents ? sale : null;
    } catch {
      return null;
    }
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
        return await core.saleCall(() => api.startSale({ basketCents: cents }));
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
      let moved = await core.saleCall(() => api.setBasket({ saleId: sale.id, basketCents: cents }));
      drafts.recheckPoints('debounce');
      // A reward's discount is never more than the basket: quote the chosen reward again.
      const reward = sale.state === 'quoted' ? sale.reward : undefined;
      if (reward && moved.state === 'identified') {
        try {
          moved = await core.saleCall(() => api.chooseReward({ saleId: sale.id, rewardId: reward.id }));
        } catch (e) {
          fail(e, 'points');
        }
      }
      return moved;
    } catch (e) {
      fail(e, 'basket');
      void core.resync();
      return null;
    } finally {
      set({ busy: null });
    }
  }

  async function identifyNow(sale: SaleView, input: string, source: InputSource): Promise<void> {
    drafts.dropQuote();
    set({
      busy: 'identify',
      error: null,
      pendingMember: null,
      pointsText: '',
      pointsProblem: null,
      preview: null,
      quoting: null,
      validationCodeText: '',
    });
    // With the answer, in one render: the balance, the field cleared, the cursor moved, not busy.
    const answered = (next: SaleView) => {
      if (next.member && next.state === 'identified') {
        set({ memberText: '' }); // the number is not left on screen; the card shows it masked
        if (next.error) set({ error: { info: next.error, step: 'member' } });
        // A member (maybe another one) on this sale: the reward step reads their catalogue afresh.
        if (core.rewardProgram()) set({ rewardsEpoch: get().rewardsEpoch + 1 });
        focus('points');
      } else {
        if (next.error) set({ error: { info: next.error, step: 'member' } });
        focus('member');
      }
      set({ busy: null });
    };
    try {
      await core.saleCall(() => api.identifyMember({ saleId: sale.id, input, source }), undefined, answered);
    } catch (e) {
      fail(e, 'member');
      focus('member');
      void core.resync();
    } finally {
      set({ busy: null });
    }
    takePending();
  }

  /** A card read (scanner, camera, typed): checked, then the member looked up on the sale (started first if needed). */
  async function readCard(raw: string, source: InputSource): Promise<void> {
    if (source === 'scanner') set({ lastScanAt: (deps.now ?? Date.now)() });
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
    // The sale as typed needs no call first: the member's look-up then leaves in this very task, before
    // React renders anything (an await here let a whole render of the counter run first, issue 18).
    const withBasket = saleAsTyped() ?? (await ensureSaleWithBasket());
    if (!withBasket) {
      set({ pendingMember: { input, source } });
      return;
    }
    await identifyNow(withBasket, input, source);
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
    drafts.dropQuote();
    set({ busy: 'cancel', error: null });
    try {
      const typedBefore = get().basketText;
      const next = await core.saleCall(() => api.cancelSale({ saleId: sale.id }));
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
      void core.resync();
    }
  }

  const slice: SaleSlice = {
    sale: null,
    busy: null,
    error: null,

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

    async identify(raw, source) {
      // One render for the whole read when the answer is quick: the read taken, the look-up under way, the
      // status the call pushes and the answer with the balance (issue 18: each render costs on a slow PC).
      const release = core.holdScreen(deps.lookupHoldMs ?? LOOKUP_HOLD_MS);
      try {
        await readCard(raw, source);
      } finally {
        release();
      }
    },

    async confirm() {
      const s = get();
      const sale = s.sale;
      const quote = confirmedQuote(s);
      if (s.busy || !sale || !quote || s.quoting !== null) return;
      const code = core.needsCode() ? s.validationCodeText.trim() : '';
      if (core.needsCode() && code === '') {
        refusal('VALIDATION_CODE_REQUIRED', DEFAULT_MESSAGES.VALIDATION_CODE_REQUIRED, 'confirm');
        focus('code');
        return;
      }
      drafts.stop();
      set({ busy: 'confirm', error: null });
      try {
        await core.saleCall(() => api.confirmRedemption({ saleId: sale.id, pointsMilli: quote.pointsMilli, ...(code ? { validationCode: code } : {}) }));
        focusAfterConfirm(sale);
      } catch (e) {
        fail(e, 'confirm');
        const c = asErrorInfo(e).code;
        // A wrong code commits nothing: the cashier types it again.
        if (c === 'VALIDATION_CODE_WRONG' || c === 'VALIDATION_CODE_REQUIRED') focus('code');
        void core.resync();
      } finally {
        set({ busy: null });
      }
    },

    async confirmApproved(approval) {
      const sale = get().sale;
      const quote = sale?.quote;
      if (get().busy || !sale || !quote || sale.state !== 'quoted') throw new PosError('SALE_WRONG_STATE', 'The points are no longer waiting to be confirmed.');
      set({ busy: 'confirm' });
      try {
        await core.saleCall(() => api.confirmRedemption({ saleId: sale.id, pointsMilli: quote.pointsMilli, approval }));
        set({ error: null });
        focusAfterConfirm(sale);
      } catch (e) {
        void core.resync();
        throw e; // the approval dialog shows it and stays open
      } finally {
        set({ busy: null });
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
        const next = await core.saleCall(() => api.acceptOffline({ saleId: sale.id, ...(approval ? { approval } : {}) }));
        if (next.paymentAllowed) focus('paid');
      } catch (e) {
        void core.resync();
        if (approval) throw e;
        fail(e, 'result');
      } finally {
        set({ busy: null });
      }
    },

    async voidSale(approval) {
      const sale = get().sale;
      if (get().busy || !sale) throw new PosError('SALE_WRONG_STATE', 'There is no sale to void on screen.');
      drafts.dropQuote();
      set({ busy: 'void' });
      try {
        await core.saleCall(() => api.voidSale({ saleId: sale.id, approval }));
        set({ error: null });
        focus('new-sale');
      } catch (e) {
        void core.resync();
        throw e;
      } finally {
        set({ busy: null });
      }
    },

    async requestValidationCode() {
      const sale = get().sale;
      if (get().busy || !sale || sale.state !== 'quoted') return;
      set({ busy: 'code', error: null });
      try {
        await core.saleCall(() => api.requestValidationCode({ saleId: sale.id }));
        focus('code');
      } catch (e) {
        fail(e, 'confirm');
        void core.resync();
      } finally {
        set({ busy: null });
      }
    },

    async retry() {
      const sale = get().sale;
      if (get().busy || !sale) return;
      set({ busy: 'retry', error: null });
      try {
        await core.saleCall(() => api.retryRedemption({ saleId: sale.id }));
        const next = get().sale ?? sale;
        if (next.state === 'posted') focus('paid');
      } catch (e) {
        fail(e, 'result');
        void core.resync();
      } finally {
        set({ busy: null });
      }
    },

    async markPaid() {
      const sale = get().sale;
      if (get().busy || !sale || !sale.paymentAllowed || !canTransition(sale.state, 'paid')) return;
      set({ busy: 'paid', error: null });
      try {
        await core.saleCall(() => api.markPaid({ saleId: sale.id }));
        focus('new-sale');
      } catch (e) {
        fail(e, 'result');
        void core.resync();
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
  };
  return { slice, flow: { resetSale } };
}
