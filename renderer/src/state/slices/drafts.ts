/**
 * The drafts slice: what the cashier is typing (basket, member number,
 * points, validation code) and the quote preview, checked locally with the
 * same shared rules the service applies before the service is asked.
 */
import type { PosError } from '../../../../shared/errors';
import { formatPoints, parsePoints, type PointsMilli } from '../../../../shared/money';
import { buildQuote } from '../../../../shared/quote';
import { canTransition } from '../../../../shared/sale-state';
import { asErrorInfo } from '../../api/client';
import type { Core } from './core';
import type { DraftsSlice } from './types';

const MAX_POINTS_CHARS = 14;

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

export const EMPTY_DRAFTS = {
  basketText: '',
  memberText: '',
  pointsText: '',
  pointsProblem: null,
  preview: null,
  quoting: null,
  pendingMember: null,
  validationCodeText: '',
} satisfies Partial<DraftsSlice>;

/** What the sale slice asks of the drafts. */
export interface Drafts {
  /** Re-checks the points on screen against the sale as it now is (local rules first, then the service). */
  recheckPoints(schedule: 'debounce' | 'now' | 'none'): void;
  /** Forgets any quote asked for or about to be (the sale moved on). */
  dropQuote(): void;
  stop(): void;
}

export function createDrafts(core: Core): { slice: DraftsSlice; drafts: Drafts } {
  const { set, get, deps } = core;
  const quoteDelayMs = deps.quoteDelayMs ?? 300;
  let quoteTimer: ReturnType<typeof setTimeout> | null = null;
  // Bumped when the points change: an answer for older points is not shown.
  let quoteSeq = 0;

  function cancelQuoteTimer(): void {
    if (quoteTimer !== null) clearTimeout(quoteTimer);
    quoteTimer = null;
  }

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
      if (schedule === 'now') core.focus('confirm');
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
      await core.saleCall(
        () => deps.api.quote({ saleId: sale.id, pointsMilli: points }),
        () => seq === quoteSeq,
        // With the quote shown, in the same render (core.saleCall says why).
        (next) => {
          if (seq !== quoteSeq) return; // the cashier changed the points meanwhile
          set({ quoting: null, pointsProblem: next.error && next.state !== 'quoted' ? next.error : null });
          if (thenFocusConfirm && next.state === 'quoted') core.focus('confirm');
        },
      );
    } catch (e) {
      if (seq !== quoteSeq) return;
      set({ quoting: null, pointsProblem: asErrorInfo(e), preview: null });
      void core.resync();
    }
  }

  const slice: DraftsSlice = {
    ...EMPTY_DRAFTS,
    lastScanAt: null,

    setBasketText(text) {
      set({ basketText: text });
      if (get().error?.step === 'basket') set({ error: null });
    },

    setMemberText(text) {
      set({ memberText: text });
      if (get().error?.step === 'member') set({ error: null });
    },

    setPointsText(text) {
      const clean = text.replace(/\s/g, '').slice(0, MAX_POINTS_CHARS);
      const decimals = get().sale?.terms?.decimals ?? get().status?.backend.capabilities.pointsDecimals;
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

    setValidationCodeText(text) {
      set({ validationCodeText: text.replace(/\s/g, '').slice(0, 32) });
      if (get().error?.step === 'confirm') set({ error: null });
    },
  };

  const drafts: Drafts = {
    recheckPoints,
    dropQuote() {
      cancelQuoteTimer();
      quoteSeq++;
    },
    stop: cancelQuoteTimer,
  };
  return { slice, drafts };
}
