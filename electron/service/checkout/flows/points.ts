/**
 * Points programs: the cashier (or member) chooses an amount of points, the
 * quote shows the discount they give under the program's terms.
 */
import type { MethodInput } from '../../../../shared/contract.js';
import { toErrorInfo, PosError } from '../../../../shared/errors.js';
import { money } from '../../../../shared/money.js';
import { buildQuote } from '../../../../shared/quote.js';
import { memberOf, type CheckoutContext } from '../context.js';
import { requireTerms } from '../member-session.js';

export function quotePoints(ctx: CheckoutContext, input: MethodInput<'quote'>): void {
  const { store } = ctx;
  const sale = store.sales.get(input.saleId);
  if (!['identified', 'quoted', 'refused'].includes(sale.state)) throw new PosError('SALE_WRONG_STATE', 'Identify the member first.');
  const session = ctx.requireMember(sale);
  if (ctx.adapter.info.capabilities.redemption === 'reward')
    throw new PosError('NOT_SUPPORTED', 'This program redeems rewards from its catalogue: choose a reward.');
  const terms = requireTerms(session);
  let quote;
  try {
    quote = buildQuote(money(sale.basket_cents, sale.currency), session.account.balanceMilli ?? 0, input.pointsMilli, terms);
  } catch (e) {
    ctx.log({ kind: 'quote', saleId: sale.id, pointsMilli: input.pointsMilli, outcome: toErrorInfo(e).code, ...memberOf(sale) });
    throw e;
  }
  // A validation code is for given points: other points need a new code.
  if (session.validation && session.validation.pointsMilli !== quote.pointsMilli) delete session.validation;
  store.transaction(() => {
    store.sales.transition(sale.id, sale.state, 'quoted', {
      points_milli: quote.pointsMilli,
      discount_cents: quote.discount.cents,
      reward_id: null,
      error_json: null,
      updated_at: ctx.iso(),
    });
    ctx.log({ kind: 'quote', saleId: sale.id, pointsMilli: quote.pointsMilli, amountCents: quote.discount.cents, outcome: 'ok', ...memberOf(sale) });
  });
}
