/**
 * The ui slice: the terminal's status and the event channel, which screen
 * shows, the dialogs and where the cursor goes. The status is kept fresh by
 * the service's pushes alone (it pushes whenever the online flag or the queue
 * counts change); it is read again only at start and after the channel
 * dropped, when pushes may have been missed.
 */
import type { SaleView } from '../../../../shared/domain';
import { centsToDecimalString, formatPoints } from '../../../../shared/money';
import { CLOSED_STATES, canTransition } from '../../../../shared/sale-state';
import { asErrorInfo } from '../../api/client';
import { focusFor, isClosed } from '../selectors';
import type { Core } from './core';
import type { Drafts } from './drafts';
import type { UiSlice } from './types';

export function createUi(core: Core, drafts: Drafts): UiSlice {
  const { set, get, deps } = core;
  const { api } = deps;
  const saleWatchers = new Set<(sale: SaleView) => void>();

  /** A sale kept across a reload: shown again with its basket and points, as the cashier left it. */
  async function restoreSavedSale(): Promise<void> {
    const savedId = core.savedSaleId();
    if (!savedId || get().sale) return;
    try {
      const sale = await core.saleCall(
        () => api.getSale({ saleId: savedId }),
        (found) => !get().sale && !CLOSED_STATES.has(found.state),
      );
      if (get().sale !== sale) {
        core.remember(get().sale);
        return;
      }
      set({ basketText: centsToDecimalString(sale.basket.cents) });
      if (sale.member && core.rewardProgram() && canTransition(sale.state, 'quoted')) set({ rewardsEpoch: get().rewardsEpoch + 1 });
      if (sale.state === 'quoted' && sale.quote && sale.terms && !sale.reward) {
        set({ pointsText: formatPoints(sale.quote.pointsMilli, sale.terms.decimals) });
        drafts.recheckPoints('none');
      }
    } catch {
      core.remember(null);
    }
  }

  return {
    uiLang: deps.uiLang ?? 'en',
    status: null,
    statusError: null,
    started: false,
    connected: null,
    serviceRestarting: false,
    view: 'counter',
    dialog: null,
    focus: { target: 'basket', seq: 0 },
    approving: false,

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
        await restoreSavedSale();
        set({ started: true });
        // The fields were disabled until the terminal answered: put the cursor where the sale stands.
        core.focus(focusFor(get().sale));
      })();
      return () => {
        unsubscribe();
        drafts.stop();
        core.stop();
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
      if (sale && !isClosed(sale)) await core.resync();
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
      for (const watch of saleWatchers) watch(event.sale);
      const before = get().sale?.state;
      if (!core.takePush(event.sale)) return;
      if (before !== event.sale.state && get().busy === null) {
        if (event.sale.state === 'posted') core.focus('paid');
        if (event.sale.state === 'refused') core.focus('points');
      }
    },

    watchSales(listener) {
      saleWatchers.add(listener);
      return () => void saleWatchers.delete(listener);
    },

    setView(view) {
      set({ view });
    },

    setApproving(open) {
      if (get().approving !== open) set({ approving: open });
    },
  };
}
