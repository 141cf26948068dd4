/**
 * Capillary demo data for training mode and tests: customers reachable by
 * mobile, e-mail, card number and external id, two programs (one with
 * validation codes and reversal switched on, one with both off), and the
 * sandbox's till and OAuth credentials. Nothing here is secret: these values
 * only open the local sandbox.
 */
import { withLuhnDigit } from '../../shared/member-number.js';
import type { CapillaryConfig } from '../../electron/adapters/capillary.js';

export interface CapDemoCustomer {
  id: number;
  firstName: string;
  lastName: string;
  mobile: string;
  email: string;
  externalId: string;
  /** 16 digits with a Luhn check digit: a scan of up to 15 digits reads as a mobile number first. */
  cardNumber: string;
  /** Points as a decimal string (up to 3 decimals). */
  points: string;
  /** Marked as fraud: every redemption is refused (809). */
  fraud?: boolean;
  purpose: string;
}

export interface CapDemoProgram {
  id: string;
  name: string;
  /** Currency value of one point, as Capillary's points_currency_ratio. */
  pointsCurrencyRatio: string;
  /** Smallest and largest points per redemption, decimal strings; max null = no maximum. */
  minPoints: string;
  maxPoints: string | null;
  /** Redemptions must be a multiple of this (decimal string); "0.001" means any three-decimal figure. */
  multipleOf: string;
  /** The member must give a validation code (OTP) to redeem. */
  otpRequired: boolean;
  otpValiditySec: number;
  /** Where codes go: SMS, EMAIL or both. */
  otpChannel: 'SMS' | 'EMAIL' | 'SMS_EMAIL';
  /** The EMF setting Allow_points_redemption_reversal. */
  reversalEnabled: boolean;
}

export const CAPILLARY_DEMO_CUSTOMERS = {
  priya: {
    id: 564847023,
    firstName: 'Priya',
    lastName: 'Sharma',
    mobile: '919876543210',
    email: 'priya.sharma@example.com',
    externalId: 'CAP-PRIYA-0001',
    cardNumber: withLuhnDigit('600100000000001'),
    points: '2500.5',
    purpose: 'regular balance with decimals: 2500.5 points (250.05 at 0.1 per point)',
  },
  tom: {
    id: 564847024,
    firstName: 'Tom',
    lastName: 'Sawyer',
    mobile: '447700900123',
    email: 'tom.sawyer@example.com',
    externalId: 'CAP-TOM-0002',
    cardNumber: withLuhnDigit('600100000000002'),
    points: '42.125',
    purpose: 'small balance: asking for more is refused (803)',
  },
  zoe: {
    id: 564847025,
    firstName: 'Zoe',
    lastName: 'Martin',
    mobile: '32470123456',
    email: 'zoe.martin@example.com',
    externalId: 'CAP-ZOE-0003',
    cardNumber: withLuhnDigit('600100000000003'),
    points: '0',
    purpose: 'empty balance: nothing to redeem',
  },
  felix: {
    id: 564847026,
    firstName: 'Felix',
    lastName: 'Braun',
    mobile: '491701234567',
    email: 'felix.braun@example.com',
    externalId: 'CAP-FELIX-0004',
    cardNumber: withLuhnDigit('600100000000004'),
    points: '900',
    fraud: true,
    purpose: 'marked as fraud: redemptions refused (809)',
  },
} as const satisfies Record<string, CapDemoCustomer>;

/** A mobile number no demo customer has (for "unknown member" flows). */
export const CAPILLARY_UNKNOWN_MOBILE = '919999999999';

export const CAPILLARY_PROGRAMS = {
  /** The training program: validation codes and reversal switched on. */
  main: {
    id: '973',
    name: 'Sandbox Rewards',
    pointsCurrencyRatio: '0.1',
    minPoints: '1',
    maxPoints: '2000',
    multipleOf: '0.001',
    otpRequired: true,
    otpValiditySec: 15 * 60,
    otpChannel: 'SMS',
    reversalEnabled: true,
  },
  /** A program with reversal not switched on, no validation code, and whole-ten steps. */
  basic: {
    id: '974',
    name: 'Sandbox Basic',
    pointsCurrencyRatio: '0.05',
    minPoints: '10',
    maxPoints: null,
    multipleOf: '10',
    otpRequired: false,
    otpValiditySec: 15 * 60,
    otpChannel: 'EMAIL',
    reversalEnabled: false,
  },
} as const satisfies Record<string, CapDemoProgram>;

export const CAPILLARY_SANDBOX_CREDENTIALS = {
  tillId: 'sandbox.till.01',
  password: 'sandbox-till-password',
  oauthKey: 'cap-sandbox-key',
  oauthSecret: 'cap-sandbox-secret',
  currency: 'EUR',
} as const;

/**
 * The Capillary adapter's configuration for a sandbox at `sandboxUrl`:
 * program 'main' (validation codes, reversal on) or 'basic' (neither, steps
 * of 10), with Basic till auth or OAuth.
 */
export function capillarySandboxConfig(
  sandboxUrl: string,
  program: keyof typeof CAPILLARY_PROGRAMS = 'main',
  auth: 'basic' | 'oauth' = 'basic',
): CapillaryConfig {
  const c = CAPILLARY_SANDBOX_CREDENTIALS;
  const p: CapDemoProgram = CAPILLARY_PROGRAMS[program];
  return {
    baseUrl: `${sandboxUrl}/capillary`,
    auth: auth === 'basic' ? { kind: 'basic', tillId: c.tillId, password: c.password } : { kind: 'oauth', key: c.oauthKey, secret: c.oauthSecret },
    programId: p.id,
    currency: c.currency,
    validationCode: p.otpRequired,
    // The terminal is not told whether reversal is on: it learns it from Capillary's refusal.
    minPoints: p.minPoints,
    maxPoints: p.maxPoints,
    multipleOf: p.multipleOf,
  };
}

/** What a manager types to connect a terminal to this emulator's Capillary (shared/programs/capillary.ts fields). */
export function capillaryTrainingConnection(sandboxUrl: string): Record<string, string> {
  const c = CAPILLARY_SANDBOX_CREDENTIALS;
  const p: CapDemoProgram = CAPILLARY_PROGRAMS.main;
  return {
    baseUrl: `${sandboxUrl}/capillary`,
    tillId: c.tillId,
    tillPassword: c.password,
    programId: p.id,
    validationCode: String(p.otpRequired),
    reversalEnabled: String(p.reversalEnabled),
    minPoints: p.minPoints,
    ...(p.maxPoints ? { maxPoints: p.maxPoints } : {}),
    multipleOf: p.multipleOf,
    currency: c.currency,
  };
}
