/**
 * What every checkout module works with: the store, the adapter, the
 * terminal's configuration and clock, the open sales' member sessions, the
 * connectivity monitor and the outbox worker, plus the journal, the clock as
 * ISO text and manager approval. One instance per terminal service.
 */
import { PosError, toErrorInfo } from '../../../shared/errors.js';
import type { LoyaltyAdapter } from '../../adapters/types.js';
import type { SaleRow } from '../../store/sales.js';
import type { Store } from '../../store/store.js';
import type { Connectivity } from '../connectivity.js';
import type { OutboxWorker } from '../outbox-worker.js';
import type { Approval, ApprovedBy, LogFields, ManagerApprovals, MemberSession, TerminalConfig } from './types.js';

export class CheckoutContext {
  /** The member of each open sale (in memory: a restart asks for a new scan). */
  readonly members = new Map<string, MemberSession>();
  connectivity!: Connectivity;
  worker!: OutboxWorker;

  constructor(
    readonly store: Store,
    readonly adapter: LoyaltyAdapter,
    readonly config: TerminalConfig,
    readonly clock: () => number,
    private readonly approvals: ManagerApprovals | null,
    /** Who is at the terminal: every log entry names them. */
    readonly actor: () => string,
    /** Random pauses (race.ts); injected by tests that line tills up. */
    readonly random: () => number = Math.random,
  ) {}

  log(e: LogFields): void {
    this.store.journal.append({
      at: this.iso(),
      terminalId: this.config.terminalId,
      actor: this.actor(),
      currency: e.amountCents != null ? this.config.currency : null,
      ...e,
    });
  }

  iso(): string {
    return new Date(this.clock()).toISOString();
  }

  /** Verifies a manager's approval; a wrong PIN is logged and refused. */
  approve(approval: Approval, action: string, saleId: string | null): { id: string; name: string } {
    if (!this.approvals) throw new PosError('MANAGER_REQUIRED', 'No manager is set up on this terminal yet.');
    try {
      return this.approvals.verifyManager(approval);
    } catch (e) {
      this.log({ kind: 'approval.refused', saleId, outcome: toErrorInfo(e).code, detail: { action, managerId: approval.managerId } });
      throw e;
    }
  }

  requireMember(sale: SaleRow): MemberSession {
    const s = this.members.get(sale.id);
    if (!s) throw new PosError('SALE_WRONG_STATE', 'Scan the member card again (the terminal restarted since).');
    return s;
  }
}

/** The sale's member fields for a log entry. */
export function memberOf(sale: SaleRow): { memberHash: string | null; memberMasked: string | null } {
  return { memberHash: sale.member_hash, memberMasked: sale.member_masked };
}

/** The approval fields of a log entry. */
export function byDetail(by: ApprovedBy | null): Record<string, unknown> {
  return by ? { approvedBy: by.manager.name, managerId: by.manager.id, reason: by.reason } : {};
}
