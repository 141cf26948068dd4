/**
 * What every slice of the counter store shares: the sale on screen and how a
 * call's answer or a push reaches it (through the pure merge in
 * ../sale-merge.ts), where the cursor goes, and how a refusal is shown.
 * Private to the store: components see only the slices' fields and actions.
 */
import type { SaleView } from '../../../../shared/domain';
import type { ErrorInfo } from '../../../../shared/errors';
import { CLOSED_STATES } from '../../../../shared/sale-state';
import { asErrorInfo } from '../../api/client';
import { mergeAnswer, mergePush } from '../sale-merge';
import type { ScreenHold } from '../screen-hold';
import type { FocusTarget, GetState, SetState, Step, StoreDeps } from './types';

const SALE_KEY = 'pos.saleId';
/** While the redemption is on its way, the sale is read again this long after the last news (a push may be lost). */
const WATCH_MS = 5000;

export interface Core {
  readonly deps: StoreDeps;
  readonly set: SetState;
  readonly get: GetState;
  focus(target: FocusTarget): void;
  fail(e: unknown, step: Step): void;
  /** A refusal the counter says in its own words (`say`: a counter.say.* key; `message` stays English for the log). */
  refusal(code: ErrorInfo['code'], message: string, step: Step, say?: string): void;
  /**
   * Holds the screen (the store's listeners) still until the returned release, at most `ms`:
   * everything that changes meanwhile reaches the screen in one render (../screen-hold.ts).
   */
  holdScreen(ms: number): () => void;
  rewardProgram(): boolean;
  needsCode(): boolean;
  /**
   * A call that answers with the sale: shown unless a push already showed it further along.
   * `after` runs in the same moment as the sale is shown, so what the step changes with it (busy,
   * the cursor, the drafts) reaches the screen in the same React render, not in a second one a
   * microtask later (issue 18: each render of the counter costs on a slow counter PC).
   */
  saleCall(call: () => Promise<SaleView>, accept?: (s: SaleView) => boolean, after?: (answer: SaleView) => void): Promise<SaleView>;
  /** A pushed sale: shown if it is the sale on screen and news; returns whether it was. */
  takePush(incoming: SaleView): boolean;
  /** After a failed call the sale may have moved: ask the service where it is. */
  resync(): Promise<void>;
  /** Keeps (or forgets) the open sale's id across a reload. */
  remember(sale: SaleView | null): void;
  savedSaleId(): string | null;
  stop(): void;
}

export function createCore(deps: StoreDeps, set: SetState, get: GetState, screen: ScreenHold): Core {
  const { api } = deps;
  const memory = deps.memory ?? null;
  let focusSeq = 0;
  let watchTimer: ReturnType<typeof setTimeout> | null = null;
  const capabilities = () => get().status?.backend.capabilities;

  function remember(sale: SaleView | null): void {
    try {
      if (sale && !CLOSED_STATES.has(sale.state)) memory?.setItem(SALE_KEY, sale.id);
      else memory?.removeItem(SALE_KEY);
    } catch {
      // storage unavailable: a reload starts a fresh screen
    }
  }

  function show(sale: SaleView): void {
    set({ sale });
    remember(sale);
    watchWhileSending(sale);
  }

  /** While the redemption is on its way, look again now and then in case a push was lost. */
  function watchWhileSending(sale: SaleView): void {
    if (watchTimer !== null) clearTimeout(watchTimer);
    watchTimer = null;
    const moving = sale.state === 'posting' || sale.state === 'queued' || sale.voidPending || sale.compensation?.state === 'waiting';
    if (!moving) return;
    watchTimer = setTimeout(() => {
      watchTimer = null;
      if (get().sale?.id === sale.id) void core.resync();
    }, WATCH_MS);
  }

  const core: Core = {
    deps,
    set,
    get,
    focus: (target) => set({ focus: { target, seq: ++focusSeq } }),
    fail: (e, step) => set({ error: { info: asErrorInfo(e), step } }),
    refusal: (code, message, step, say) => set({ error: { info: { code, message, ...(say ? { details: { say: `counter.say.${say}` } } : {}) }, step } }),
    holdScreen: (ms) => screen.hold(ms),
    rewardProgram: () => capabilities()?.redemption === 'reward',
    needsCode: () => capabilities()?.validationCode === true,

    async saleCall(call, accept = () => true, after) {
      const answer = await call();
      const shown = mergeAnswer(get().sale, answer);
      if (accept(answer) && shown) show(shown);
      after?.(answer);
      return answer;
    },

    takePush(incoming) {
      const shown = mergePush(get().sale, incoming);
      if (!shown) return false;
      show(shown);
      return true;
    },

    async resync() {
      const sale = get().sale;
      if (!sale) return;
      try {
        await core.saleCall(
          () => api.getSale({ saleId: sale.id }),
          (fresh) => get().sale?.id === fresh.id,
        );
      } catch {
        // keep what we show; the next event or action corrects it
      }
    },

    remember,

    savedSaleId() {
      try {
        return memory?.getItem(SALE_KEY) ?? null;
      } catch {
        return null;
      }
    },

    stop() {
      if (watchTimer !== null) clearTimeout(watchTimer);
      watchTimer = null;
    },
  };
  return core;
}
