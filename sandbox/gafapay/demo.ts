/**
 * GafaPay demo data for training mode and tests: the sandbox company, its
 * currency, the merchant's JWT, the company account that funds cashback, the
 * customers' reward points and wallets, and the redemption configuration.
 * Nothing here is secret: these values only open the local sandbox.
 */
import { createHmac } from 'node:crypto';
import type { GafapayConfig } from '../../electron/adapters/gafapay.js';

export const GAFAPAY_SANDBOX = {
  companyId: '7f3c2a9e5b6d4e1f8a0b9c8d7e6f5a40',
  /** HS256 key the sandbox signs and checks tokens with. */
  jwtSecret: 'gafapay-sandbox-jwt-secret-not-for-production',
  /** The merchant (store) user the terminal acts as. */
  merchantUserId: 'b5e0c1d2a3f44b5c9d8e7f6a5b4c3d20',
  currencyId: '1f1519903ed240578f071aa45cb479f2',
  currency: 'EUR',
  /** The company account debited for the cashback (company_admin_user_info; its debit_type_id is the member's wallet id). */
  companyAdmin: {
    debitType: 1,
    debitAccountType: 1,
    debitAccountTypeId: '640b793d04e2428dbf19ab10399f4edb',
    username: 'Sandbox Store',
  },
  /** How many decimals a points figure may carry in this company (unconfirmed upstream: a sandbox setting). */
  pointsDecimals: 2,
} as const;

export interface GfDemoUser {
  userId: string;
  walletId: string;
  /** Points as a decimal string. */
  points: string;
  /** Wallet balance in cents. */
  walletCents: number;
  purpose: string;
}

export const GAFAPAY_DEMO_USERS = {
  aisha: {
    userId: 'fb8f09210e0f46b7b4262d77f5b6c273',
    walletId: '4010122e9d604e798b9a6e961df3e5b4',
    points: '250',
    walletCents: 1250,
    purpose: 'regular balance: 250 points (2.50 cashback at 100 points = 1.00)',
  },
  bilal: {
    userId: 'a2c4e6f8b1d3457986a0c2e4f6a8b0d2',
    walletId: 'd1e2f3a4b5c64d7e8f9a0b1c2d3e4f51',
    points: '30.5',
    walletCents: 0,
    purpose: 'small balance with decimals: 30.5 points; asking for more is refused',
  },
  chen: {
    userId: 'c3d5e7f9a1b2436587b9d1f3a5c7e9f3',
    walletId: 'e2f3a4b5c6d74e8f9a0b1c2d3e4f5a62',
    points: '0',
    walletCents: 500,
    purpose: 'no points: nothing to redeem',
  },
} as const satisfies Record<string, GfDemoUser>;

/** A well-formed user id no demo user has. */
export const GAFAPAY_UNKNOWN_USER_ID = '0000000000000000000000000000dead';

/** The customers' (user_type 2) cashback configuration: 100 points = 1.00, 10 to 500 points a time. */
export const GAFAPAY_DEMO_CONFIG = {
  id: '57c8ed06955c4969b81fc9c9b530d404',
  userType: 2,
  noOfPoints: '100',
  pointsValue: '1',
  minPoints: '10',
  maxPoints: '500',
  /** 1 = cashback to the wallet. */
  redeemType: 1,
  redeemCycle: 1,
  isActive: true,
} as const;

function b64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

/**
 * A GafaPay-style JWT (HS256, {sub, roles, exp}) signed with the sandbox key.
 * `expSec` is an absolute expiry in seconds since the epoch.
 */
export function signGafapayToken(payload: { sub: string; roles: string[]; exp: number }, secret: string = GAFAPAY_SANDBOX.jwtSecret): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** A merchant token (valid until 2100): GafaPay accepts it for a customer only where the emulator's merchantOnBehalf form is on. */
export const GAFAPAY_SANDBOX_TOKEN = signGafapayToken({ sub: GAFAPAY_SANDBOX.merchantUserId, roles: ['ROLE_MERCHANT'], exp: 4_102_444_800 });

/** A customer's own token (the documented flow), expiring at `exp` (seconds; default 2100). */
export function gafapayCustomerToken(userId: string, exp = 4_102_444_800): string {
  return signGafapayToken({ sub: userId, roles: ['ROLE_CUSTOMER'], exp });
}

/**
 * The code a member's GafaPay app shows for paying with points, in the
 * terminal's format (shared/member-number.ts APP_CODE_RE), written here
 * independently so a mismatch shows in the tests:
 * GP1:<user_id>:<wallet_id>:<token>.
 */
export function gafapayAppCode(user: { userId: string; walletId: string }, token: string | null = gafapayCustomerToken(user.userId)): string {
  return `GP1:${user.userId}:${user.walletId}${token ? `:${token}` : ''}`;
}

/** The GafaPay adapter's configuration for a sandbox at `sandboxUrl`: the documented customer-token flow (no merchant token). */
export function gafapaySandboxConfig(sandboxUrl: string): GafapayConfig {
  const s = GAFAPAY_SANDBOX;
  return {
    baseUrl: `${sandboxUrl}/gafapay/gafapay/v3`,
    companyId: s.companyId,
    currencyId: s.currencyId,
    currency: s.currency,
    companyAdmin: { ...s.companyAdmin },
    userType: 2,
    pointsDecimals: s.pointsDecimals,
  };
}

/** What a manager types to connect a terminal to this emulator's GafaPay (shared/programs/gafapay.ts fields). */
export function gafapayTrainingConnection(sandboxUrl: string): Record<string, string> {
  const s = GAFAPAY_SANDBOX;
  return {
    baseUrl: `${sandboxUrl}/gafapay/gafapay/v3`,
    companyId: s.companyId,
    currencyId: s.currencyId,
    currency: s.currency,
    debitType: String(s.companyAdmin.debitType),
    debitAccountType: String(s.companyAdmin.debitAccountType),
    debitAccountTypeId: s.companyAdmin.debitAccountTypeId,
    username: s.companyAdmin.username,
    pointsDecimals: String(s.pointsDecimals),
  };
}
