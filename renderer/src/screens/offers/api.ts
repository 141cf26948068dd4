/**
 * What the offers screen may call: the contract's `offers` area, plus who is
 * signed in and the list of people (for a manager's approval). Only types
 * come from the contract; the terminal service validates every input.
 */
import type { TerminalApi } from '../../../../shared/contract';
import type { OffersMethod } from '../../../../shared/contract/offers';
import type { ErrorInfo } from '../../../../shared/errors';
import { asErrorInfo } from '../../api/client';

export type OffersApi = Pick<TerminalApi, OffersMethod | 'whoAmI' | 'listPeople'>;

/** Anything a call threw, as something to show (never echoing what was typed: the service's messages do not). */
export function problemOf(e: unknown): ErrorInfo {
  return asErrorInfo(e);
}
