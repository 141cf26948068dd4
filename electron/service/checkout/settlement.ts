/**
 * Settlement: what an outbox row's outcome means for its sale. A pure
 * function of (sale, attempt, outcome): the sale's transition, the log
 * entries, and what must follow (points to give back, a row to withdraw).
 * applySettlement (in the service) carries it out inside the transaction
 * that stores the outcome. No HTTP, no store: tested on its own.
 */
import type { SaleState } from '../../../shared/domain.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import type { RedeemReceipt, ReverseRequest } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import { errorJson, type SalePatch, type SaleRow } from '../../store/sales.js';
import type { AttemptOutcome } from '../outbox-worker.js';
import type { LogFields } from './types.js';

export interface SettlementInput {
  sale: SaleRow;
  /** The outbox row as attempted (attempts already counted). */
  row: OutboxRow;
  outcome: AttemptOutcome;
  /** When the outcome is stored (ISO). */
  at: string;
  /**
   * False once withdrawing the row was tried and failed (it was no longer
   * pending): settle as an ordinary retry instead.
   */
  withdrawable?: boolean;
  /**
   * The row was refused because another till's redemption raced it and ours
   * was undone, and it may be sent again (race.ts decides): the sale keeps
   * waiting for the new attempt instead of being refused.
   */
  resendAfterRace?: boolean;
}

export interface Settlement {
  /** The sale's change: a new state, or (to = its current state) a patch in place. Null: the sale is unchanged. */
  sale: { to: SaleState; patch: SalePatch } | null;
  log: LogFields[];
  /** Points taken that must be given back (a void raced the post and the post won); null when none. */
  compensatePointsMilli: number | null;
  /** Withdraw the row with this reason; the rest of the settlement holds only if that succeeds. */
  withdrawRow?: string;
  /** The member's balance after, as the backend reported it, for the sale's open member session. */
  balanceAfterMilli?: number;
  /** Queue a new attempt of this redemption (race.ts): it was raced and undone, certainly not applied. */
  resendAfterRace?: boolean;
}

export function settle(input: SettlementInput): Settlement {
  return input.row.kind === 'reverse' ? settleReverse(input) : settleRedeem(input);
}

function settleRedeem({ sale, row, outcome, at, withdrawable = true, resendAfterRace = false }: SettlementInput): Settlement {
  const base = {
    saleId: sale.id,
    memberMasked: sale.member_masked,
    memberHash: sale.member_hash,
    pointsMilli: sale.points_milli,
  };
  const detail = { attempt: row.attempts, reference: row.reference };
  const waiting = sale.state === 'posting' || sale.state === 'queued';
  const closeWithoutPoints = (): SaleState => (sale.state === 'paid' ? 'voided' : 'cancelled');
  const closedPatch = (to: SaleState): SalePatch => ({
    updated_at: at,
    ...(to === 'voided' ? { voided_at: at } : {}),
  });
  if (outcome.type === 'attention' && outcome.inDoubt) {
    // Nobody can tell whether the points were taken: the sale keeps waiting (a void waits too)
    // until a manager decides "it was applied" or "send again".
    return {
      sale: {
        to: waiting ? 'queued' : sale.state,
        patch: { error_json: errorJson(outcome.error), updated_at: at },
      },
      log: [
        {
          ...base,
          kind: 'redeem.in-doubt',
          amountCents: sale.discount_cents,
          outcome: outcome.error.code,
          detail: { ...detail, message: outcome.error.message },
        },
      ],
      compensatePointsMilli: null,
    };
  }
  switch (outcome.type) {
    case 'done': {
      const receipt = outcome.receipt as RedeemReceipt;
      const patch: SalePatch = {
        backend_reference: receipt.backendReference,
        balance_after_milli: receipt.balanceAfterMilli,
        receipt_json: JSON.stringify(receipt),
        posted_at: at,
        error_json: null,
        updated_at: at,
      };
      const posted: LogFields = {
        ...base,
        kind: 'redeem.posted',
        amountCents: sale.discount_cents,
        outcome: 'ok',
        detail: {
          ...detail,
          reconciled: outcome.reconciled,
          backendReference: receipt.backendReference,
          ...resolvedBy(outcome.resolvedBy),
        },
      };
      if (sale.void_requested === 1) {
        // The void raced the post and the post won: the points were taken, so give them back.
        const points = sale.points_milli ?? 0;
        return {
          sale: {
            to: 'voided',
            patch: {
              ...patch,
              voided_at: at,
              refunded_cents: sale.basket_cents,
              refunded_points_milli: points,
            },
          },
          log: [
            posted,
            {
              ...base,
              kind: 'sale.voided',
              outcome: 'ok',
              detail: { after: 'in-flight post succeeded' },
            },
          ],
          compensatePointsMilli: points > 0 || sale.reward_id ? points : null,
        };
      }
      return {
        sale: { to: waiting ? 'posted' : sale.state, patch },
        log: [posted],
        compensatePointsMilli: null,
        ...(receipt.balanceAfterMilli !== null ? { balanceAfterMilli: receipt.balanceAfterMilli } : {}),
      };
    }
    case 'not-applied':
      // A lookup proved the earlier send had no effect: it goes out again.
      return {
        sale: waiting ? { to: 'queued', patch: { updated_at: at } } : null,
        log: [
          {
            ...base,
            kind: 'redeem.checked',
            outcome: 'not-applied',
            detail: { ...detail, lookup: outcome.lookup?.message },
          },
        ],
        compensatePointsMilli: null,
      };
    case 'attention':
    case 'withdrawn':
    case 'refused': {
      if (resendAfterRace && outcome.type !== 'withdrawn') {
        // Not applied (posted and undone, both answered): a new attempt follows; the sale keeps waiting.
        return {
          sale: { to: sale.state, patch: { updated_at: at } },
          log: [
            {
              ...base,
              kind: 'redeem.raced',
              outcome: outcome.error.code,
              detail: { ...detail, message: outcome.error.message },
            },
          ],
          compensatePointsMilli: null,
          resendAfterRace: true,
        };
      }
      const error: ErrorInfo =
        outcome.type === 'withdrawn'
          ? {
              code: 'SALE_WRONG_STATE',
              message: 'Withdrawn by a void before it was sent.',
            }
          : outcome.error;
      if (sale.void_requested === 1 && outcome.type !== 'attention') {
        const to = closeWithoutPoints();
        return {
          sale: { to, patch: closedPatch(to) },
          log: [
            {
              ...base,
              kind: outcome.type === 'withdrawn' ? 'redeem.withdrawn' : 'redeem.refused',
              outcome: error.code,
              detail: { ...detail, message: error.message },
            },
            {
              ...base,
              kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled',
              outcome: 'ok',
              detail: { after: 'no points were taken' },
            },
          ],
          compensatePointsMilli: null,
        };
      }
      const atRisk = sale.offline_accepted === 1 && outcome.type !== 'withdrawn';
      return {
        sale: {
          to: waiting ? 'refused' : sale.state,
          patch: { error_json: errorJson(error), updated_at: at },
        },
        log: [
          {
            ...base,
            kind: outcome.type === 'attention' ? 'redeem.attention' : atRisk ? 'redeem.at-risk' : 'redeem.refused',
            amountCents: sale.discount_cents,
            outcome: error.code,
            detail: {
              ...detail,
              message: error.message,
              ...(atRisk ? { amountAtRiskCents: sale.discount_cents } : {}),
            },
          },
        ],
        compensatePointsMilli: null,
      };
    }
    case 'retry': {
      if (sale.void_requested === 1 && !outcome.needsCheck && withdrawable) {
        // A void is waiting and this failed attempt certainly had no effect: nothing more is sent.
        const to = closeWithoutPoints();
        return {
          withdrawRow: 'withdrawn by a void; the failed attempt had not taken effect',
          sale: { to, patch: closedPatch(to) },
          log: [
            {
              ...base,
              kind: 'redeem.withdrawn',
              outcome: outcome.error.code,
              detail,
            },
            {
              ...base,
              kind: to === 'voided' ? 'sale.voided' : 'sale.cancelled',
              outcome: 'ok',
              detail: { after: 'no points were taken' },
            },
          ],
          compensatePointsMilli: null,
        };
      }
      const patch = { error_json: errorJson(outcome.error), updated_at: at };
      return {
        sale: waiting ? { to: 'queued', patch } : null,
        log: [
          {
            ...base,
            kind: 'redeem.attempt',
            outcome: outcome.error.code,
            detail: {
              ...detail,
              message: outcome.error.message,
              nextAttemptAt: new Date(outcome.nextAttemptAt).toISOString(),
              needsCheck: outcome.needsCheck,
            },
          },
        ],
        compensatePointsMilli: null,
      };
    }
  }
}

function settleReverse({ sale, row, outcome }: SettlementInput): Settlement {
  const points = (JSON.parse(row.payload) as ReverseRequest).pointsMilli;
  const base = {
    saleId: sale.id,
    memberMasked: sale.member_masked,
    memberHash: sale.member_hash,
    pointsMilli: points,
  };
  const detail = { attempt: row.attempts, reference: row.reference };
  const only = (log: LogFields[]): Settlement => ({
    sale: null,
    log,
    compensatePointsMilli: null,
  });
  switch (outcome.type) {
    case 'done':
      return only([
        {
          ...base,
          kind: 'refund.posted',
          outcome: 'ok',
          detail: {
            ...detail,
            reconciled: outcome.reconciled,
            balanceAfterMilli: (outcome.receipt as { balanceAfterMilli: number | null }).balanceAfterMilli,
            ...resolvedBy(outcome.resolvedBy),
          },
        },
      ]);
    case 'not-applied':
      return only([
        {
          ...base,
          kind: 'refund.checked',
          outcome: 'not-applied',
          detail: { ...detail, lookup: outcome.lookup?.message },
        },
      ]);
    case 'retry':
      return only([
        {
          ...base,
          kind: 'refund.attempt',
          outcome: outcome.error.code,
          detail: { ...detail, message: outcome.error.message },
        },
      ]);
    case 'attention':
      if (outcome.inDoubt)
        return only([
          {
            ...base,
            kind: 'refund.in-doubt',
            outcome: outcome.error.code,
            detail: { ...detail, message: outcome.error.message },
          },
        ]);
      return only([
        {
          ...base,
          kind: 'refund.manual-action',
          outcome: outcome.error.code,
          detail: {
            ...detail,
            message: `Manual action needed: ${outcome.error.message}`,
          },
        },
      ]);
    case 'refused':
      return only([
        {
          ...base,
          kind: 'refund.manual-action',
          outcome: outcome.error.code,
          detail: {
            ...detail,
            message: `Manual action needed: ${outcome.error.message}`,
          },
        },
      ]);
    case 'withdrawn':
      return only([]);
  }
}

function resolvedBy(by: { id: string; name: string } | undefined): Record<string, unknown> {
  return by ? { resolvedBy: by.name, managerId: by.id } : {};
}
