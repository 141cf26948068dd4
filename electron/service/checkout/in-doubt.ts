/**
 * A manager's decision on a redemption or refund nobody can tell about (the
 * lookup after its deadline answered "cannot tell"): "it was applied" closes
 * the row as done (the sale settles as posted, a waiting void gives the
 * points back), "send again" queues it as never sent. Never automatic; both
 * are logged with who decided and why.
 */
import type { MethodInput } from '../../../shared/contract.js';
import { PosError } from '../../../shared/errors.js';
import type { RedeemReceipt, RedeemRequest, ReverseRequest } from '../../adapters/types.js';
import type { OutboxRow } from '../../store/outbox.js';
import type { AttemptOutcome } from '../outbox-worker.js';
import { byDetail, memberOf, type CheckoutContext } from './context.js';

/** Returns the sale the decision belongs to. `settleRow` carries out the settlement of an 'applied' decision. */
export function resolveInDoubt(
  ctx: CheckoutContext,
  input: MethodInput<'resolveInDoubt'>,
  settleRow: (row: OutboxRow, outcome: AttemptOutcome) => void,
): string {
  const { store } = ctx;
  const id = Number(input.item.slice('outbox:'.length));
  const row = store.outbox.get(id);
  if (!row || row.state !== 'attention' || row.needs_check !== 1) {
    throw new PosError('SALE_WRONG_STATE', 'That item is not waiting for a decision on whether it was applied (or was decided already).');
  }
  const manager = ctx.approve(input.approval, `in-doubt.${input.decision}`, row.sale_id);
  const at = ctx.iso();
  const sale = store.sales.get(row.sale_id);
  const payload = JSON.parse(row.payload) as RedeemRequest | ReverseRequest;
  store.transaction(() => {
    ctx.log({
      kind: 'in-doubt.resolved',
      saleId: sale.id,
      pointsMilli: payload.pointsMilli,
      outcome: input.decision,
      ...memberOf(sale),
      detail: { item: input.item, reference: row.reference, decision: input.decision, ...byDetail({ manager, reason: input.approval.reason }) },
    });
    if (input.decision === 'applied') {
      // The manager saw it at the backend: a receipt in the terminal's own reference.
      const receipt: RedeemReceipt = {
        backendReference: row.reference,
        pointsMilli: payload.pointsMilli,
        balanceAfterMilli: null,
        detail: { resolvedBy: manager.name },
      };
      if (!store.outbox.resolveInDoubt(id, 'applied', at, ctx.clock(), receipt)) throw new PosError('SALE_WRONG_STATE', 'That item was decided meanwhile.');
      settleRow({ ...row, state: 'done' }, { type: 'done', receipt, reconciled: true, resolvedBy: manager });
    } else if (!store.outbox.resolveInDoubt(id, 'send-again', at, ctx.clock())) {
      throw new PosError('SALE_WRONG_STATE', 'That item was decided meanwhile.');
    }
  });
  ctx.worker.kick();
  return sale.id;
}
