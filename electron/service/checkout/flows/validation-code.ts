/**
 * Programs that check a code sent to the member (Capillary): the backend
 * sends it for the quoted points, and the typed code is checked before
 * anything is committed, so a wrong code can simply be typed again.
 */
import type { MethodInput } from '../../../../shared/contract.js';
import { PosError, toErrorInfo } from '../../../../shared/errors.js';
import { normalizeValidationCode, supportsValidationCode } from '../../../adapters/validation-code.js';
import type { SaleRow } from '../../../store/sales.js';
import { memberOf, type CheckoutContext } from '../context.js';
import type { MemberSession } from '../types.js';

/** Has the backend send the member a validation code for the quoted points. */
export async function requestValidationCode(ctx: CheckoutContext, input: MethodInput<'requestValidationCode'>): Promise<void> {
  const sale = ctx.store.sales.get(input.saleId);
  if (sale.state !== 'quoted' || sale.points_milli === null) throw new PosError('SALE_WRONG_STATE', 'Choose the points first: the code is for those points.');
  if (!supportsValidationCode(ctx.adapter)) throw new PosError('NOT_SUPPORTED', 'This program does not use validation codes.');
  const session = ctx.requireMember(sale);
  try {
    session.validation = await ctx.adapter.requestValidationCode(session.account, sale.points_milli);
    ctx.connectivity.reportAnswer();
  } catch (e) {
    ctx.connectivity.reportFailure(toErrorInfo(e).code);
    ctx.log({ kind: 'validation.request', saleId: sale.id, pointsMilli: sale.points_milli, outcome: toErrorInfo(e).code, ...memberOf(sale) });
    throw e;
  }
  ctx.log({
    kind: 'validation.request',
    saleId: sale.id,
    pointsMilli: sale.points_milli,
    outcome: 'ok',
    ...memberOf(sale),
    detail: { channel: session.validation.channel },
  });
}

/** Checks the typed code before anything is committed; returns it normalized for the request. */
export async function checkValidationCode(
  ctx: CheckoutContext,
  sale: SaleRow,
  session: MemberSession,
  pointsMilli: number,
  typed: string | undefined,
): Promise<string> {
  if (!supportsValidationCode(ctx.adapter)) throw new PosError('NOT_SUPPORTED', 'This program declares validation codes but the terminal cannot ask for them.');
  if (!typed) throw new PosError('VALIDATION_CODE_REQUIRED', 'Type the code the member received (send it first if they have none).');
  const code = normalizeValidationCode(typed);
  try {
    await ctx.adapter.checkValidationCode(session.account, pointsMilli, code);
    ctx.connectivity.reportAnswer();
  } catch (e) {
    const info = toErrorInfo(e);
    ctx.connectivity.reportFailure(info.code);
    ctx.log({ kind: 'validation.check', saleId: sale.id, pointsMilli, outcome: info.code, ...memberOf(sale) });
    throw e;
  }
  ctx.log({ kind: 'validation.check', saleId: sale.id, pointsMilli, outcome: 'ok', ...memberOf(sale) });
  return code;
}
