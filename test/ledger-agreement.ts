/**
 * Do a terminal's records and the loyalty backend's ledger agree?
 *
 * The one yardstick of "never lose, never double", shared by the fault matrix,
 * the two-terminal test and the crash harness. It reads the terminal's SQLite
 * (sales, outbox, log) and the White Label sandbox's ledger and checks, row by
 * row of the outbox (references are the terminal's own: `<sale>.r1`,
 * `<sale>.v1`...):
 *
 *  - a redemption the terminal holds as posted ('done') was applied exactly
 *    once; one it holds as refused or withdrawn ('refused', 'cancelled') was
 *    never applied; one waiting for a person ('attention') was applied at most
 *    once (reported as unresolved, with what the ledger says);
 *  - a refund likewise: 'done' exactly once, never twice, never more points
 *    back than the sale took;
 *  - nothing at the backend that no terminal committed: every event for the
 *    checked members carries a reference some terminal's outbox holds (events
 *    named in `foreign` excepted: a test's "spent elsewhere");
 *  - each member's balance moved by exactly what the terminals' records say;
 *  - every attempt is in the log: each settled attempt wrote one entry naming
 *    the row's reference and its attempt number. Attempts a crash interrupted
 *    (counted in the outbox, never answered) are reported, not failed, since
 *    the process died before it could write anything.
 */
import type { Db } from '../electron/store/db.js';

const UNDO_SUFFIX = '.undo';

export interface LedgerEvent {
  type: string;
  userId: string;
  payload: Record<string, unknown>;
  pointsDelta: number;
}

export interface AgreementInput {
  /** One handle per terminal (its SQLite file, open read-only or not). */
  terminals: Db[];
  /** The backend's ledger (every event, or those of the checked members). */
  ledger: LedgerEvent[];
  /** Members to check (White Label user ids) with their balance before and after. */
  balances: Record<string, { before: number; after: number }>;
  /** Transaction ids of events made outside the terminals (a test's other shop). */
  foreign?: ReadonlySet<string>;
  /**
   * The unit of the ledger's pointsDelta and of the balances: whole points
   * (White Label's, the default) or thousandths (the crash harness, for every
   * program: Capillary's and GafaPay's points have decimals).
   */
  unit?: 'points' | 'milli';
}

export interface Unresolved {
  reference: string;
  kind: 'redeem' | 'reverse';
  /** How many times the ledger shows it applied (0 or 1). */
  applied: number;
  /** The code the last attempt ended with: OUTCOME_UNKNOWN, or a refusal (the backend said no: at risk, not applied). */
  code: string | null;
  error: string | null;
}

export interface AgreementReport {
  redemptions: Record<'committed' | 'done' | 'refused' | 'cancelled' | 'attention' | 'pending', number>;
  refunds: Record<'queued' | 'done' | 'attention' | 'pending' | 'other', number>;
  /** Confirmed by the terminal, not at the backend. */
  lost: string[];
  /** Applied more than once (redemption or refund). */
  duplicated: string[];
  /** Applied at the backend though the terminal holds it as refused/withdrawn, or never committed it. */
  appliedUnconfirmed: string[];
  /** Balances that moved by something other than the records say. */
  balanceMismatches: string[];
  /** Settled attempts with no log entry. */
  unloggedAttempts: string[];
  /** Attempts that never settled (the process died during them). */
  interruptedAttempts: number;
  unresolved: Unresolved[];
  pending: string[];
  /** Every problem above in words; empty when the records agree. */
  problems: string[];
}

interface OutboxRecord {
  sale_id: string;
  kind: 'redeem' | 'reverse';
  reference: string;
  state: string;
  attempts: number;
  payload: string;
  last_error: string | null;
}

export function checkAgreement(input: AgreementInput): AgreementReport {
  const report: AgreementReport = {
    redemptions: { committed: 0, done: 0, refused: 0, cancelled: 0, attention: 0, pending: 0 },
    refunds: { queued: 0, done: 0, attention: 0, pending: 0, other: 0 },
    lost: [],
    duplicated: [],
    appliedUnconfirmed: [],
    balanceMismatches: [],
    unloggedAttempts: [],
    interruptedAttempts: 0,
    unresolved: [],
    pending: [],
    problems: [],
  };
  const members = new Set(Object.keys(input.balances));
  const applied = new Map<string, { type: string; count: number; points: number; userId: string }>();
  for (const e of input.ledger) {
    if (!members.has(e.userId)) continue;
    const ref = String(e.payload.transactionId ?? '');
    // A redemption another till's concurrent spend overdrew is given back at once under
    // `<reference>.undo` (White Label adapter): the pair counts as not applied.
    if (e.type === 'POINTS_REFUND' && ref.endsWith(UNDO_SUFFIX)) {
      const undone = applied.get(ref.slice(0, -UNDO_SUFFIX.length));
      if (undone) undone.count--;
      else report.problems.push(`${ref}: an undo with no redemption before it`);
      continue;
    }
    const a = applied.get(ref) ?? { type: e.type, count: 0, points: 0, userId: e.userId };
    a.count++;
    a.points += Math.abs(e.pointsDelta);
    applied.set(ref, a);
  }

  const known = new Set<string>();
  const expectedDelta = new Map<string, number>();
  const addDelta = (userId: string, d: number) => expectedDelta.set(userId, (expectedDelta.get(userId) ?? 0) + d);

  for (const db of input.terminals) {
    const rows = db.prepare('SELECT sale_id, kind, reference, state, attempts, payload, last_error FROM outbox ORDER BY id').all() as OutboxRecord[];
    const { logged, outcomes } = loggedAttempts(db);
    const refundedBySale = new Map<string, number>();
    const takenBySale = new Map<string, number>();
    for (const r of rows) {
      known.add(r.reference);
      const payload = JSON.parse(r.payload) as { pointsMilli: number; member: { backendMemberId: string } };
      const userId = payload.member.backendMemberId;
      const points = input.unit === 'milli' ? payload.pointsMilli : payload.pointsMilli / 1000;
      const a = applied.get(r.reference);
      const n = a?.count ?? 0;
      const expectType = r.kind === 'redeem' ? 'REDEEMED_POINTS' : 'POINTS_REFUND';
      const sign = r.kind === 'redeem' ? -1 : 1;
      if (a && a.type !== expectType) report.problems.push(`${r.reference}: the ledger holds a ${a.type}, the terminal a ${r.kind}`);
      if (n > 1) report.duplicated.push(`${r.reference} (${r.kind}) applied ${n} times`);
      if (r.kind === 'redeem') {
        report.redemptions.committed++;
        if (r.state in report.redemptions) report.redemptions[r.state as keyof AgreementReport['redemptions']]++;
      } else {
        report.refunds.queued++;
        if (r.state === 'done' || r.state === 'attention' || r.state === 'pending') report.refunds[r.state]++;
        else report.refunds.other++;
      }
      switch (r.state) {
        case 'done':
          if (n === 0) report.lost.push(`${r.reference} (${r.kind}) is posted at the terminal but not at the backend`);
          addDelta(userId, sign * points);
          break;
        case 'refused':
        case 'cancelled':
          if (n > 0) report.appliedUnconfirmed.push(`${r.reference} (${r.kind}) is ${r.state} at the terminal but applied at the backend`);
          break;
        case 'attention': {
          const code = outcomes.get(`${r.reference}#${r.attempts}`) ?? null;
          report.unresolved.push({ reference: r.reference, kind: r.kind, applied: n, code, error: r.last_error });
          // Held for a person because the backend refused it: then it must not be applied.
          if (n > 0 && code !== null && code !== 'OUTCOME_UNKNOWN' && code !== 'REVERSAL_NOT_SUPPORTED') {
            report.appliedUnconfirmed.push(`${r.reference} (${r.kind}) was refused (${code}) but is applied at the backend`);
          }
          addDelta(userId, sign * points * Math.min(n, 1));
          break;
        }
        case 'pending':
          report.pending.push(r.reference);
          addDelta(userId, sign * points * Math.min(n, 1));
          break;
      }
      if (r.kind === 'redeem' && n > 0) takenBySale.set(r.sale_id, (takenBySale.get(r.sale_id) ?? 0) + points);
      if (r.kind === 'reverse' && n > 0) refundedBySale.set(r.sale_id, (refundedBySale.get(r.sale_id) ?? 0) + points * n);
      // Every settled attempt wrote one log entry naming its reference and number.
      const numbers = logged.get(r.reference) ?? new Set<number>();
      const missing: number[] = [];
      for (let i = 1; i <= r.attempts; i++) if (!numbers.has(i)) missing.push(i);
      // Unlogged attempts are ones a crash interrupted: counted in the outbox, never answered.
      report.interruptedAttempts += missing.length;
      // The attempt that settled a row (posted, refused, held for a person) always wrote its entry.
      if (r.attempts > 0 && (r.state === 'done' || r.state === 'refused' || r.state === 'attention') && !numbers.has(r.attempts)) {
        report.unloggedAttempts.push(`${r.reference}: its final attempt (${r.attempts}) has no log entry`);
      }
    }
    for (const [sale, back] of refundedBySale) {
      if (back > (takenBySale.get(sale) ?? 0)) report.problems.push(`sale ${sale}: ${back} points given back, ${takenBySale.get(sale) ?? 0} taken`);
    }
  }

  for (const [ref, a] of applied) {
    if (known.has(ref) || input.foreign?.has(ref)) continue;
    report.appliedUnconfirmed.push(`${ref} (${a.type}, ${a.userId}) is at the backend but no terminal committed it`);
  }
  for (const [userId, b] of Object.entries(input.balances)) {
    let foreignDelta = 0;
    for (const e of input.ledger) if (e.userId === userId && input.foreign?.has(String(e.payload.transactionId ?? ''))) foreignDelta += e.pointsDelta;
    const want = b.before + (expectedDelta.get(userId) ?? 0) + foreignDelta;
    if (b.after !== want) report.balanceMismatches.push(`${userId}: balance ${b.after}, the records say ${want}`);
  }

  report.problems.push(
    ...report.lost.map((s) => `LOST: ${s}`),
    ...report.duplicated.map((s) => `DUPLICATED: ${s}`),
    ...report.appliedUnconfirmed.map((s) => `APPLIED, NOT CONFIRMED: ${s}`),
    ...report.balanceMismatches.map((s) => `BALANCE: ${s}`),
  );
  return report;
}

/** reference -> the attempt numbers the log has a settled entry for; `reference#attempt` -> its outcome code. */
function loggedAttempts(db: Db): { logged: Map<string, Set<number>>; outcomes: Map<string, string> } {
  const logged = new Map<string, Set<number>>();
  const outcomes = new Map<string, string>();
  const rows = db.prepare(`SELECT outcome, detail FROM log WHERE (kind LIKE 'redeem.%' OR kind LIKE 'refund.%') AND detail LIKE '%"attempt":%'`).all() as {
    outcome: string;
    detail: string;
  }[];
  for (const { outcome, detail } of rows) {
    const d = JSON.parse(detail) as { reference?: unknown; attempt?: unknown };
    if (typeof d.reference !== 'string' || typeof d.attempt !== 'number') continue;
    const set = logged.get(d.reference) ?? new Set<number>();
    set.add(d.attempt);
    logged.set(d.reference, set);
    outcomes.set(`${d.reference}#${d.attempt}`, outcome);
  }
  return { logged, outcomes };
}

/** One line for a test failure or the harness's verdict. */
export function describeAgreement(r: AgreementReport): string {
  const parts = [
    `redemptions committed ${r.redemptions.committed} (posted ${r.redemptions.done}, refused ${r.redemptions.refused}, withdrawn ${r.redemptions.cancelled}, for a manager ${r.redemptions.attention}, pending ${r.redemptions.pending})`,
    `refunds queued ${r.refunds.queued} (posted ${r.refunds.done}, for a manager ${r.refunds.attention}, pending ${r.refunds.pending})`,
    `lost ${r.lost.length}, duplicated ${r.duplicated.length}, applied-not-confirmed ${r.appliedUnconfirmed.length}, balance mismatches ${r.balanceMismatches.length}`,
  ];
  if (r.problems.length) parts.push(...r.problems.slice(0, 20));
  return parts.join('\n');
}
