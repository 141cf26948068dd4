/**
 * Member identifiers: what a scan, a camera read or a typed entry may carry.
 * Used by every input path (USB scanner, camera, keyboard) and by the service,
 * which re-validates: the renderer's check is for speed, the service's for truth.
 */
import { PosError } from './errors.js';

export type IdentifierKind =
  | 'uitpas' // 13 digits, Luhn check digit (UiTPAS cards and app)
  | 'insz' // Belgian national number, 11 digits, mod-97 check
  | 'card' // generic loyalty card number, 8-19 digits, Luhn check digit
  | 'mobile' // E.164-ish phone number (Capillary lookup)
  | 'email'
  | 'externalId' // opaque id from the program (letters, digits, - and _)
  | 'memberId' // the program's own member id, from its app's QR code or typed: used as given, no check digit (White Label)
  | 'appCode'; // a code the member's app shows that carries a session secret (GafaPay): see APP_CODE_RE

/**
 * A member app code (GafaPay): the documented redeem
 * call needs the customer's own token, user id and wallet id, and the
 * document does not say how a POS gets them, so the terminal defines the code
 * the member's app shows:
 *
 *     GP1:<user_id>:<wallet_id>:<session token>
 *
 * ids are 3 to 64 letters, digits, - or _; the token is the app's JWT
 * (base64url parts joined by dots). The token part may be left out where the
 * terminal redeems with a merchant token on the member's behalf (a connection
 * setting). The service hands an app code straight to the adapter, which
 * keeps the token in memory for that sale and gives back the plain member id
 * the terminal may store: the code itself is never stored or logged.
 */
export const APP_CODE_RE = /^GP1:([A-Za-z0-9_-]{3,64}):([A-Za-z0-9_-]{3,64})(?::([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))?$/;

export interface MemberIdentifier {
  kind: IdentifierKind;
  value: string;
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Appends the Luhn check digit to a digit string (for demo data and tests). */
export function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

/** INSZ: 97 - (first 9 digits mod 97) equals the last two; born 2000+ prefixes a 2. */
export function inszValid(digits: string): boolean {
  if (!/^\d{11}$/.test(digits)) return false;
  const body = digits.slice(0, 9);
  const check = Number(digits.slice(9));
  const before2000 = 97 - (Number(body) % 97);
  const from2000 = 97 - (Number('2' + body) % 97);
  return check === before2000 || check === from2000;
}

/** Shows a UiTPAS number grouped 4-3-3-3 for people; other numbers in fours. */
export function groupForDisplay(id: MemberIdentifier): string {
  if (id.kind === 'uitpas') return id.value.replace(/^(\d{4})(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3 $4');
  if (id.kind === 'card') return id.value.replace(/(\d{4})(?=\d)/g, '$1 ');
  return id.value;
}

/** Longest member app code accepted (a JWT is a few hundred characters). */
export const MAX_APP_CODE_CHARS = 2000;

/** Masks an identifier for logs and screens: only the last four characters stay. */
export function maskIdentifier(value: string): string {
  const tail = value.slice(-4);
  return '•'.repeat(Math.max(0, Math.min(value.length, 12) - 4)) + tail;
}

export type ParseResult =
  { ok: true; identifier: MemberIdentifier } | { ok: false; code: 'MEMBER_NUMBER_FORMAT' | 'MEMBER_NUMBER_CHECK_DIGIT'; read: string; message: string };

const SEPARATORS = /[\s\-./]/g;

/**
 * Parses raw input into an identifier of one of the `accepted` kinds, trying
 * them in order. A number with the right length but a wrong check digit is a
 * MEMBER_NUMBER_CHECK_DIGIT refusal (the cashier should rescan), anything else
 * unreadable is MEMBER_NUMBER_FORMAT.
 */
export function parseMemberIdentifier(raw: string, accepted: readonly IdentifierKind[]): ParseResult {
  // eslint-disable-next-line no-control-regex -- stripping the control characters a scanner adds is the point
  const read = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (read === '') return { ok: false, code: 'MEMBER_NUMBER_FORMAT', read, message: 'Nothing was read.' };
  const digits = read.replace(SEPARATORS, '');
  const allDigits = /^\d+$/.test(digits);
  let checkDigitFailure: string | null = null;

  for (const kind of accepted) {
    switch (kind) {
      case 'uitpas':
        if (allDigits && digits.length === 13) {
          if (luhnValid(digits)) return { ok: true, identifier: { kind, value: digits } };
          checkDigitFailure = 'This UiTPAS number has a wrong check digit.';
        }
        break;
      case 'insz':
        if (allDigits && digits.length === 11) {
          if (inszValid(digits)) return { ok: true, identifier: { kind, value: digits } };
          checkDigitFailure ??= 'This national number (INSZ) has a wrong check number.';
        }
        break;
      case 'card':
        if (allDigits && digits.length >= 8 && digits.length <= 19) {
          if (luhnValid(digits)) return { ok: true, identifier: { kind, value: digits } };
          checkDigitFailure ??= 'This card number has a wrong check digit.';
        }
        break;
      case 'mobile': {
        const phone = read.replace(/[\s\-()]/g, '');
        // A digit string that failed an earlier kind's check digit is a misread card, not a phone.
        if (/^\+?\d{8,15}$/.test(phone) && (phone.startsWith('+') || checkDigitFailure === null)) {
          return { ok: true, identifier: { kind, value: phone.replace(/^\+/, '') } };
        }
        break;
      }
      case 'email':
        if (/^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/.test(read)) return { ok: true, identifier: { kind, value: read.toLowerCase() } };
        break;
      case 'externalId':
        if (/^[A-Za-z0-9_-]{3,64}$/.test(read) && !allDigits) return { ok: true, identifier: { kind, value: read } };
        break;
      case 'memberId':
        // The program's id as its QR code carries it or the member reads it out: no check digit,
        // no card-number rule (White Label documents no card-to-member lookup).
        if (/^[A-Za-z0-9_-]{3,64}$/.test(read)) return { ok: true, identifier: { kind, value: read } };
        break;
      case 'appCode':
        if (read.length <= MAX_APP_CODE_CHARS && APP_CODE_RE.test(read)) return { ok: true, identifier: { kind, value: read } };
        if (/^GP1:/i.test(read)) {
          // Never echo a code that may carry the member's session token.
          return {
            ok: false,
            code: 'MEMBER_NUMBER_FORMAT',
            read: 'GP1:…',
            message: "That app code is incomplete: ask the member to show their app's code again.",
          };
        }
        break;
    }
  }
  if (checkDigitFailure) return { ok: false, code: 'MEMBER_NUMBER_CHECK_DIGIT', read, message: checkDigitFailure };
  if (looksLikePaymentCard(digits)) {
    // Never echo a payment card number back to the screen, the log or the renderer's state.
    const masked = maskIdentifier(digits);
    return { ok: false, code: 'MEMBER_NUMBER_FORMAT', read: masked, message: `That looks like a payment card (${masked}), not a member card.` };
  }
  return { ok: false, code: 'MEMBER_NUMBER_FORMAT', read, message: `"${read.slice(0, 40)}" is not a member number this program accepts.` };
}

/** 13 to 19 digits with a valid Luhn check digit: the shape of a payment card number. */
export function looksLikePaymentCard(digits: string): boolean {
  return /^\d{13,19}$/.test(digits) && luhnValid(digits);
}

/** Same as parseMemberIdentifier but throws a PosError, for the service. */
export function requireMemberIdentifier(raw: string, accepted: readonly IdentifierKind[]): MemberIdentifier {
  const r = parseMemberIdentifier(raw, accepted);
  if (!r.ok) throw new PosError(r.code, r.message, { details: { read: r.read } });
  return r.identifier;
}
