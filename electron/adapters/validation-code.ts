/**
 * An OPTIONAL extension of the LoyaltyAdapter interface (./types.ts) for
 * backends where the member reads out a code the backend sent them before a
 * redemption (Capillary's validation code / OTP). An adapter offers it when
 * `info.capabilities.validationCode` is true; the terminal tests for it with
 * supportsValidationCode() and never by backend name.
 *
 * The flow at the counter:
 *  1. the cashier chooses the points; the terminal calls
 *     requestValidationCode(member, points): the backend sends the member a
 *     code (SMS / e-mail). Asking again ("send again") within the code's
 *     validity gives the member the same code; asking for other points gives a
 *     new one, so a change of points needs a new code;
 *  2. the member reads it out, the cashier types it; the terminal may call
 *     checkValidationCode(member, points, code) to tell the cashier at once
 *     that it is wrong (VALIDATION_CODE_WRONG) and let them type it again,
 *     before anything is committed;
 *  3. the code travels in RedeemRequest.validationCode; redeem() refuses a
 *     wrong or expired one with VALIDATION_CODE_WRONG (nothing was deducted)
 *     and a missing one with VALIDATION_CODE_REQUIRED.
 * The backend never tells the terminal the code itself.
 */
import { PosError } from '../../shared/errors.js';
import type { MemberIdentifier } from '../../shared/member-number.js';
import type { PointsMilli } from '../../shared/money.js';
import type { LoyaltyAdapter } from './types.js';

export interface MemberRef {
  identifier: MemberIdentifier;
  backendMemberId: string;
}

export interface ValidationCodeSent {
  /** The points the code is for: a redemption of other points needs a new code. */
  pointsMilli: PointsMilli;
  /** How the backend sent it, when it says (Capillary's answer does not): null = not said. */
  channel: 'sms' | 'email' | 'sms+email' | null;
  /** ISO time the terminal asked for it. */
  requestedAt: string;
}

export interface ValidationCodeAdapter {
  /** Has the backend send the member a code for `pointsMilli`. Errors: MEMBER_NOT_FOUND, POINTS_*, BACKEND_REFUSED (could not send), transient. */
  requestValidationCode(member: MemberRef, pointsMilli: PointsMilli): Promise<ValidationCodeSent>;
  /**
   * Checks a typed code (and the points) with the backend without redeeming.
   * Resolves when the backend accepts it; throws VALIDATION_CODE_WRONG when it
   * does not, or the refusal the points would get (INSUFFICIENT_POINTS...).
   * The redemption itself stays the authority: a code can expire in between.
   */
  checkValidationCode(member: MemberRef, pointsMilli: PointsMilli, code: string): Promise<void>;
}

export function supportsValidationCode(adapter: LoyaltyAdapter): adapter is LoyaltyAdapter & ValidationCodeAdapter {
  const a = adapter as Partial<ValidationCodeAdapter>;
  return adapter.info.capabilities.validationCode && typeof a.requestValidationCode === 'function' && typeof a.checkValidationCode === 'function';
}

/**
 * What a cashier typed, as a code: spaces and dashes dropped, upper case.
 * Codes are 4 to 12 letters or digits (Capillary's are 6, e.g. "4PZGXC").
 */
export function normalizeValidationCode(typed: string): string {
  const code = typed.replace(/[\s-]/g, '').toUpperCase();
  if (code === '') throw new PosError('VALIDATION_CODE_REQUIRED');
  if (!/^[A-Z0-9]{4,12}$/.test(code))
    throw new PosError('VALIDATION_CODE_WRONG', 'That is not a validation code: it has 4 to 12 letters or digits.', { details: { notApplied: true } });
  return code;
}
