/**
 * What the offers screen may call: the contract's `offers` area, plus who is
 * signed in (a manager switches the receiver without the approval dialog). Only types
 * come from the contract; the terminal service validates every input.
 */
import type { TerminalApi } from '../../../../shared/contract';
import type { OffersMethod } from '../../../../shared/contract/offers';

export type OffersApi = Pick<TerminalApi, OffersMethod | 'whoAmI'>;
