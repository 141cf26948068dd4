/**
 * What the crash harness (crash-lib.ts) needs to know per program that
 * redeems at the counter: how to make members in its emulator, which writes
 * the sandbox holds (latency up to twice the request timeout), how a cashier
 * picks what to redeem, and how to read the emulator's ledger as one list of
 * changes, each tied to the terminal's reference of the attempt that made it.
 *
 * Tying a change to its attempt, per program (the ground truth of "lost" and
 * "duplicated"; none of it is something the terminal relies on):
 *  - White Label: the event's transactionId is the reference;
 *  - Capillary: a redemption's transaction_number is the reference; a
 *    reversal carries nothing of ours in its body, so the emulator keeps the
 *    x-request-id header it came with (electron/adapters/request-id.ts);
 *  - GafaPay: the requestid header is derived from the reference
 *    (requestIdFor), and the emulator keeps it;
 *  - UiTPAS: neither redeem nor cancel carries anything of ours in its body;
 *    the emulator keeps the x-request-id header of each.
 *
 * All figures are in thousandths of a point (milli): Capillary and GafaPay
 * points have decimals.
 */
import { randomUUID } from 'node:crypto';
import { requestIdFor } from '../electron/adapters/gafapay-wire.js';
import { controlFetch } from '../sandbox/control-client.js';
import { gafapayAppCode } from '../sandbox/gafapay/demo.js';
import type { RunningSandbox } from '../sandbox/server.js';
import { UITPAS_DEMO_PASSHOLDERS } from '../sandbox/uitpas/demo-data.js';
import { withLuhnDigit } from '../shared/member-number.js';
import type { LedgerEvent } from '../test/ledger-agreement.js';

export const CRASH_PROGRAMS = ['whitelabel', 'uitpas', 'capillary', 'gafapay'] as const;
export type CrashProgramId = (typeof CRASH_PROGRAMS)[number];

export function isCrashProgram(id: string): id is CrashProgramId {
  return (CRASH_PROGRAMS as readonly string[]).includes(id);
}

/** A member as the cashier scans or types them, and as the terminal's payloads name them. */
export interface CrashMember {
  input: string;
  source: 'scanner' | 'keyboard';
  /** payload.member.backendMemberId in the terminal's outbox. */
  key: string;
}

/** The calls a cashier makes (the web host's API). */
export interface CashierApi {
  call<T = unknown>(method: string, input: unknown): Promise<T>;
}

export interface IdentifiedSale {
  id: string;
  maxPointsMilli?: number;
  terms?: { minPointsMilli: number; maxPointsMilli: number | null; stepMilli: number };
}

export interface CrashProgram {
  id: CrashProgramId;
  /** Seed the emulator's demo data (UiTPAS: its reward catalogue and the counter's discounts). */
  seedDemo: boolean;
  /** The writes held for a random latency: [method, path substring]. */
  writes: ReadonlyArray<readonly [string, string]>;
  /** Makes `count` members with generous balances, the last with a small one (some refusals). */
  setup(sandbox: RunningSandbox, count: number): CrashMember[];
  /** Each member's balance now, milli. */
  balances(sandbox: RunningSandbox, members: readonly CrashMember[]): Record<string, number>;
  /** The emulator's changes, tied to references; `references`: every reference the terminal holds. */
  ledger(sandbox: RunningSandbox, members: readonly CrashMember[], references: readonly string[]): LedgerEvent[];
  /**
   * Picks what to redeem on an identified sale and quotes it (points or a
   * reward); returns the points to confirm, or null when nothing can be redeemed.
   */
  choose(api: CashierApi, sale: IdentifiedSale, random: () => number): Promise<number | null>;
  /** What confirm needs besides the points (Capillary: the code the member received). */
  confirmExtra(api: CashierApi, sandbox: RunningSandbox, saleId: string, member: CrashMember): Promise<Record<string, unknown>>;
}

const REDEEM = 'REDEEMED_POINTS';
const REFUND = 'POINTS_REFUND';

/** Whole or decimal points within the sale's terms and the basket, as a cashier would type them. */
async function quoteFreeAmount(api: CashierApi, sale: IdentifiedSale, random: () => number, wholeMax = 900): Promise<number | null> {
  const max = sale.maxPointsMilli ?? 0;
  const min = Math.max(sale.terms?.minPointsMilli ?? 1000, 1000);
  const top = Math.min(max, wholeMax * 1000, sale.terms?.maxPointsMilli ?? Infinity);
  if (top < min) return null;
  const points = Math.ceil(min / 1000) + Math.floor(random() * (Math.floor(top / 1000) - Math.ceil(min / 1000) + 1));
  const milli = points * 1000;
  await api.call('quote', { saleId: sale.id, pointsMilli: milli });
  return milli;
}

const noExtra = async () => ({});

const whitelabel: CrashProgram = {
  id: 'whitelabel',
  seedDemo: false,
  writes: [['POST', '/v1/events']],
  setup(sandbox, count) {
    const wl = sandbox.backends.whitelabel.state;
    return Array.from({ length: count }, (_, i) => {
      const card = withLuhnDigit('27' + String(i).padStart(10, '0'));
      wl.addUser(card, i === count - 1 ? 3_000 : 200_000);
      return { input: card, source: 'scanner' as const, key: card };
    });
  },
  balances(sandbox, members) {
    const all = sandbox.backends.whitelabel.state.balances();
    return Object.fromEntries(members.map((m) => [m.key, all[m.key]! * 1000]));
  },
  ledger(sandbox) {
    return sandbox.backends.whitelabel.state.ledger().map((e) => ({ ...e, pointsDelta: e.pointsDelta * 1000 }));
  },
  choose: (api, sale, random) => quoteFreeAmount(api, sale, random),
  confirmExtra: noExtra,
};

const capillary: CrashProgram = {
  id: 'capillary',
  seedDemo: false,
  writes: [
    ['POST', '/points/redeem'],
    ['POST', '/points/reverse'],
  ],
  setup(sandbox, count) {
    const cap = sandbox.backends.capillary.state;
    return Array.from({ length: count }, (_, i) => {
      const mobile = `9190000${String(i).padStart(5, '0')}`;
      const c = cap.addCustomer({
        firstName: `Crash${i}`,
        lastName: 'Harness',
        mobile,
        email: null,
        externalId: null,
        cardNumber: null,
        pointsMilli: i === count - 1 ? 3_000_000 : 200_000_000,
      });
      return { input: `+${mobile}`, source: 'keyboard' as const, key: String(c.id) };
    });
  },
  balances(sandbox, members) {
    const cap = sandbox.backends.capillary.state;
    return Object.fromEntries(members.map((m) => [m.key, cap.customer(Number(m.key))!.pointsMilli]));
  },
  ledger(sandbox) {
    const out: LedgerEvent[] = [];
    for (const r of sandbox.backends.capillary.state.redemptionsOf()) {
      const userId = String(r.customerId);
      out.push({ type: REDEEM, userId, payload: { transactionId: r.transactionNumber }, pointsDelta: -r.pointsMilli });
      for (const v of r.reversals)
        out.push({
          type: REFUND,
          userId,
          payload: { transactionId: v.requestId ?? `(reversal ${v.reversalId} without x-request-id)` },
          pointsDelta: v.pointsMilli,
        });
    }
    return out;
  },
  choose: (api, sale, random) => quoteFreeAmount(api, sale, random),
  async confirmExtra(api, sandbox, saleId, member) {
    await api.call('requestValidationCode', { saleId });
    const res = await controlFetch(sandbox, 'GET', `/capillary/validation-code?mobile=${encodeURIComponent(member.input.replace(/^\+/, ''))}`);
    if (!res.ok) throw new Error(`no validation code for ${member.input}: ${res.status}`);
    return { validationCode: ((await res.json()) as { code: string }).code };
  },
};

const gafapay: CrashProgram = {
  id: 'gafapay',
  seedDemo: false,
  writes: [['POST', '/redeem_user_reward_points']],
  setup(sandbox, count) {
    const gf = sandbox.backends.gafapay.state;
    return Array.from({ length: count }, (_, i) => {
      const { user, wallet } = gf.addUser({ pointsMilli: i === count - 1 ? 3_000_000 : 200_000_000 });
      return { input: gafapayAppCode({ userId: user.userId, walletId: wallet.id }), source: 'scanner' as const, key: user.userId };
    });
  },
  balances(sandbox, members) {
    const gf = sandbox.backends.gafapay.state;
    return Object.fromEntries(members.map((m) => [m.key, gf.user(m.key)!.pointsMilli]));
  },
  ledger(sandbox, _members, references) {
    const byRequestId = new Map(references.map((r) => [requestIdFor(r), r]));
    return sandbox.backends.gafapay.state.history().map((r) => ({
      type: REDEEM,
      userId: r.userId,
      payload: { transactionId: (r.requestId && byRequestId.get(r.requestId)) ?? `(requestid ${r.requestId} of no reference)` },
      pointsDelta: -r.pointsMilli,
    }));
  },
  // GafaPay's configuration allows 10 to 500 points a time.
  choose: (api, sale, random) => quoteFreeAmount(api, sale, random, 500),
  confirmExtra: noExtra,
};

interface RewardOffer {
  id: string;
  pointsMilli: number;
  availability: { redeemable: boolean };
}

const uitpas: CrashProgram = {
  id: 'uitpas',
  seedDemo: true,
  writes: [
    ['POST', '/rewards/redeemed'],
    ['DELETE', '/rewards/redeemed/'],
  ],
  setup(sandbox, count) {
    const ui = sandbox.backends.uitpas.state;
    const jan = UITPAS_DEMO_PASSHOLDERS.jan;
    return Array.from({ length: count }, (_, i) => {
      const uitpasNumber = ui.newUitpasNumber();
      ui.addPassholder({
        ...structuredClone(jan),
        passholderId: randomUUID(),
        uitpasNumber,
        insz: undefined,
        chipNumber: undefined,
        points: i === count - 1 ? 300 : 200_000,
        firstName: `Crash${i}`,
      });
      return { input: uitpasNumber, source: 'scanner' as const, key: uitpasNumber };
    });
  },
  balances(sandbox, members) {
    const all = sandbox.backends.uitpas.state.balances();
    return Object.fromEntries(members.map((m) => [m.key, all[m.key]! * 1000]));
  },
  ledger(sandbox) {
    const out: LedgerEvent[] = [];
    for (const r of sandbox.backends.uitpas.state.allRedemptions()) {
      out.push({
        type: REDEEM,
        userId: r.uitpasNumber,
        payload: { transactionId: r.requestId ?? `(redeemed ${r.id} without x-request-id)` },
        pointsDelta: -r.points * 1000,
      });
      if (r.cancelledAt)
        out.push({
          type: REFUND,
          userId: r.uitpasNumber,
          payload: { transactionId: r.cancelRequestId ?? `(cancel of ${r.id} without x-request-id)` },
          pointsDelta: r.points * 1000,
        });
    }
    return out;
  },
  async choose(api, sale, random) {
    const page = await api.call<{ offers: RewardOffer[] }>('listRewards', { saleId: sale.id, limit: 50 });
    const offers = page.offers.filter((o) => o.availability.redeemable && o.pointsMilli > 0);
    if (offers.length === 0) return null;
    const chosen = offers[Math.floor(random() * offers.length)]!;
    const v = await api.call<{ quote?: { pointsMilli: number } }>('chooseReward', { saleId: sale.id, rewardId: chosen.id });
    return v.quote?.pointsMilli ?? chosen.pointsMilli;
  },
  confirmExtra: noExtra,
};

export const CRASH_PROGRAM: Readonly<Record<CrashProgramId, CrashProgram>> = { whitelabel, uitpas, capillary, gafapay };
