/**
 * Demo data for training mode, the e2e tests and the README: named members
 * with valid card numbers and varied balances, and the sandbox's credentials.
 * Nothing here is secret: these values only open the local sandbox.
 */
import { withLuhnDigit } from '../shared/member-number.js';

export interface DemoMember {
  /** 13-digit card number with a Luhn check digit (what the card's barcode carries). */
  cardNumber: string;
  /**
   * White Label member id: what the member's app shows in its QR code (here also printed on the
   * demo card, so it equals the card's digits: the emulator's choice; the terminal applies no
   * card-number rule to White Label ids and uses whatever id is scanned or typed).
   */
  userId: string;
  /** Whole points. */
  points: number;
  /** What the member is for, in training and tests. */
  purpose: string;
}

function member(body12: string, points: number, purpose: string): DemoMember {
  const cardNumber = withLuhnDigit(body12);
  return { cardNumber, userId: cardNumber, points, purpose };
}

export const DEMO_MEMBERS = {
  /** Everyday member: enough points for a small discount. */
  anna: member('200000000001', 2500, 'regular balance (25.00 at 0.01 per point)'),
  /** Large balance: the basket, not the balance, caps the discount. */
  bram: member('200000000002', 12000, 'large balance: the basket caps the discount'),
  /** Small balance: asking for more is refused. */
  chloe: member('200000000003', 300, 'small balance: over-balance refusal'),
  /** Empty wallet: nothing to redeem. */
  dries: member('200000000004', 0, 'empty wallet: nothing to redeem'),
  /** The engine lets balances go negative; the terminal must cope with one. */
  emma: member('200000000005', -150, 'negative balance (the engine allows it): nothing to redeem'),
} as const satisfies Record<string, DemoMember>;

/** A card number with a valid check digit that no demo member has (for "unknown member" flows). */
export const UNKNOWN_CARD_NUMBER = withLuhnDigit('299999999999');

export const SANDBOX_CREDENTIALS = {
  whitelabel: {
    apiKey: 'wl-sandbox-api-key-0001',
    clientId: 'pos-sandbox-client',
    clientSecret: 'pos-sandbox-secret',
    /** Program setting, configured at the terminal: 1 point = 0.01 EUR. */
    pointsCurrencyValue: '0.01',
    currency: 'EUR',
  },
} as const;

/** The White Label adapter's configuration for a sandbox running at `sandboxUrl`. */
export function whiteLabelSandboxConfig(sandboxUrl: string): {
  baseUrl: string;
  authUrl: string;
  apiKey: string;
  clientId: string;
  clientSecret: string;
  pointsCurrencyValue: string;
  currency: string;
} {
  const c = SANDBOX_CREDENTIALS.whitelabel;
  return {
    baseUrl: `${sandboxUrl}/whitelabel/v1`,
    authUrl: `${sandboxUrl}/whitelabel/auth/oauth/token`,
    apiKey: c.apiKey,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    pointsCurrencyValue: c.pointsCurrencyValue,
    currency: c.currency,
  };
}

/** What a manager types to connect a terminal to this emulator's White Label (shared/programs/whitelabel.ts fields). */
export function whiteLabelTrainingConnection(sandboxUrl: string): Record<string, string> {
  const c = whiteLabelSandboxConfig(sandboxUrl);
  return {
    baseUrl: c.baseUrl,
    tokenUrl: c.authUrl,
    apiKey: c.apiKey,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    pointsCurrencyValue: c.pointsCurrencyValue,
    currency: c.currency,
  };
}
