/**
 * The GafaPay emulator's state: users' reward points (thousandths), wallets
 * (cents) with their ledger, the company account that funds cashback, the
 * redemption configuration, and the redemption history. Plain class, no HTTP.
 *
 * A redemption converts points into wallet cashback at the configuration's
 * rate, rounded down to the cent. It is not deduplicated on the `requestid`
 * header (whether the real service does is unconfirmed), and there is no way
 * to reverse it: the API documents none.
 */
import { randomBytes } from 'node:crypto';
import { milliToDecimal, readDecimal } from '../capillary/state.js';
import { GAFAPAY_DEMO_CONFIG, GAFAPAY_DEMO_USERS, GAFAPAY_SANDBOX } from './demo.js';

export { milliToDecimal, readDecimal };

export interface GfUser {
  userId: string;
  userType: number;
  pointsMilli: number;
  currencyId: string;
}

export interface GfWallet {
  id: string;
  userId: string;
  currencyId: string;
  walletName: string;
  walletType: number;
  isDefault: boolean;
  isActive: boolean;
  poolCents: number;
  createdDate: number;
}

export interface GfWalletEntry {
  seq: number;
  txnId: string;
  txnNumber: string;
  walletId: string;
  /** Positive: credited to the wallet. */
  amountCents: number;
  balanceAfterCents: number;
  debitAccountTypeId: string;
  description: string;
  createdDate: number;
}

export interface GfConfig {
  id: string;
  userType: number;
  noOfPointsMilli: number;
  pointsValueCents: number;
  minPointsMilli: number;
  maxPointsMilli: number;
  redeemType: number;
  redeemCycle: number;
  currencyId: string;
  isActive: boolean;
}

export interface GfRedemption {
  id: string;
  userId: string;
  pointsMilli: number;
  amountCents: number;
  /** What the history shows as transaction_id (the documented example shows null). */
  transactionId: string | null;
  txnId: string;
  txnNumber: string;
  walletId: string;
  description: string;
  currencyId: string;
  /** Seconds since the epoch, like the API. */
  createdDate: number;
  /** The requestid header it came with (kept for the ledger; not an API field). */
  requestId: string | null;
}

export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const frac = String(abs % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${sign}${Math.floor(abs / 100)}${frac ? '.' + frac : ''}`;
}

/** A money figure (number or string, at most 2 decimals) as cents. */
export function decimalToCents(v: unknown): number | null {
  const r = readDecimal(v);
  if (!r.ok || r.negative || r.decimals > 2) return null;
  return r.milli / 10;
}

function hexId(): string {
  return randomBytes(16).toString('hex');
}

function pointsOf(s: string): number {
  const r = readDecimal(s);
  if (!r.ok || r.negative || r.decimals > 3) throw new Error(`bad points ${s}`);
  return r.milli;
}

export class GafapayState {
  private users = new Map<string, GfUser>();
  private wallets = new Map<string, GfWallet>();
  private walletEntries: GfWalletEntry[] = [];
  /** Company account id -> balance in cents (goes negative as cashback is paid). */
  private companyAccounts = new Map<string, number>();
  private configs: GfConfig[] = [];
  private redemptions: GfRedemption[] = [];
  private nextTxn = 1;

  constructor(private readonly now: () => number) {}

  private nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  reset(seedDemo: boolean): void {
    this.users.clear();
    this.wallets.clear();
    this.walletEntries = [];
    this.companyAccounts.clear();
    this.redemptions = [];
    this.nextTxn = 1;
    const c = GAFAPAY_DEMO_CONFIG;
    // The company's configuration is a setting, not member data: always there.
    this.configs = [
      {
        id: c.id,
        userType: c.userType,
        noOfPointsMilli: pointsOf(c.noOfPoints),
        pointsValueCents: decimalToCents(c.pointsValue)!,
        minPointsMilli: pointsOf(c.minPoints),
        maxPointsMilli: pointsOf(c.maxPoints),
        redeemType: c.redeemType,
        redeemCycle: c.redeemCycle,
        currencyId: GAFAPAY_SANDBOX.currencyId,
        isActive: c.isActive,
      },
    ];
    this.companyAccounts.set(GAFAPAY_SANDBOX.companyAdmin.debitAccountTypeId, 0);
    if (seedDemo) {
      for (const u of Object.values(GAFAPAY_DEMO_USERS))
        this.addUser({ userId: u.userId, walletId: u.walletId, pointsMilli: pointsOf(u.points), walletCents: u.walletCents });
    }
  }

  addUser(u: { userId?: string; walletId?: string; pointsMilli: number; walletCents?: number; userType?: number }): { user: GfUser; wallet: GfWallet } {
    const userId = u.userId ?? hexId();
    if (this.users.has(userId)) throw new Error(`user ${userId} exists`);
    const user: GfUser = { userId, userType: u.userType ?? 2, pointsMilli: u.pointsMilli, currencyId: GAFAPAY_SANDBOX.currencyId };
    const wallet: GfWallet = {
      id: u.walletId ?? hexId(),
      userId,
      currencyId: GAFAPAY_SANDBOX.currencyId,
      walletName: 'Main Wallet',
      walletType: 1,
      isDefault: true,
      isActive: true,
      poolCents: u.walletCents ?? 0,
      createdDate: this.nowSec(),
    };
    this.users.set(userId, user);
    this.wallets.set(wallet.id, wallet);
    return { user: { ...user }, wallet: { ...wallet } };
  }

  user(userId: string): GfUser | undefined {
    const u = this.users.get(userId);
    return u ? { ...u } : undefined;
  }

  listUsers(): GfUser[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  setPoints(userId: string, pointsMilli: number): boolean {
    const u = this.users.get(userId);
    if (!u) return false;
    u.pointsMilli = pointsMilli;
    return true;
  }

  wallet(id: string): GfWallet | undefined {
    const w = this.wallets.get(id);
    return w ? { ...w } : undefined;
  }

  walletsOf(filter: { userId?: string; currencyId?: string; isDefault?: boolean }): GfWallet[] {
    return [...this.wallets.values()]
      .filter(
        (w) =>
          (filter.userId === undefined || w.userId === filter.userId) &&
          (filter.currencyId === undefined || w.currencyId === filter.currencyId) &&
          (filter.isDefault === undefined || w.isDefault === filter.isDefault),
      )
      .map((w) => ({ ...w }));
  }

  walletLedger(walletId?: string): GfWalletEntry[] {
    return this.walletEntries.filter((e) => walletId === undefined || e.walletId === walletId).map((e) => ({ ...e }));
  }

  companyBalances(): Record<string, number> {
    return Object.fromEntries(this.companyAccounts);
  }

  configsFor(userType?: number, currencyId?: string): GfConfig[] {
    return this.configs
      .filter((c) => (userType === undefined || c.userType === userType) && (currencyId === undefined || c.currencyId === currencyId))
      .map((c) => ({ ...c }));
  }

  updateConfig(id: string, patch: Partial<Omit<GfConfig, 'id'>>): GfConfig | undefined {
    const c = this.configs.find((x) => x.id === id);
    if (!c) return undefined;
    Object.assign(c, patch);
    return { ...c };
  }

  /** Cashback for `pointsMilli` at the configuration's rate, rounded down to the cent. */
  static cashbackCents(pointsMilli: number, cfg: GfConfig): number {
    return Number((BigInt(pointsMilli) * BigInt(cfg.pointsValueCents)) / BigInt(cfg.noOfPointsMilli));
  }

  /** Applies a redemption the caller has validated: points out, cashback into the wallet, company account debited. */
  redeem(input: { user: GfUser; wallet: GfWallet; cfg: GfConfig; pointsMilli: number; debitAccountTypeId: string; requestId: string | null }): GfRedemption {
    const u = this.users.get(input.user.userId)!;
    const w = this.wallets.get(input.wallet.id)!;
    const amountCents = GafapayState.cashbackCents(input.pointsMilli, input.cfg);
    u.pointsMilli -= input.pointsMilli;
    w.poolCents += amountCents;
    this.companyAccounts.set(input.debitAccountTypeId, (this.companyAccounts.get(input.debitAccountTypeId) ?? 0) - amountCents);
    const createdDate = this.nowSec();
    const txnId = hexId();
    const txnNumber = `RPR${String(createdDate).slice(-6)}${String(this.nextTxn++).padStart(6, '0')}`;
    this.walletEntries.push({
      seq: this.walletEntries.length + 1,
      txnId,
      txnNumber,
      walletId: w.id,
      amountCents,
      balanceAfterCents: w.poolCents,
      debitAccountTypeId: input.debitAccountTypeId,
      description: 'Reward points redeemed as cashback.',
      createdDate,
    });
    const r: GfRedemption = {
      id: hexId(),
      userId: u.userId,
      pointsMilli: input.pointsMilli,
      amountCents,
      transactionId: null,
      txnId,
      txnNumber,
      walletId: w.id,
      description: 'Reward points redeemed as cashback.',
      currencyId: input.cfg.currencyId,
      createdDate,
      requestId: input.requestId,
    };
    this.redemptions.push(r);
    return { ...r };
  }

  /** Newest first, like the API. */
  history(userId?: string, currencyId?: string): GfRedemption[] {
    return this.redemptions
      .filter((r) => (userId === undefined || r.userId === userId) && (currencyId === undefined || r.currencyId === currencyId))
      .reverse()
      .map((r) => ({ ...r }));
  }
}
