import { createContext, useContext } from 'react';
import type { TerminalApi } from '../../../../shared/contract';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import type { LogFilter, PersonView } from '../../../../shared/contract/manager';
import type { ManagerApprovalProps } from '../../components/ManagerApproval';

export type DeskTab = 'sales' | 'log' | 'attention' | 'queue' | 'end-of-day' | 'export' | 'verify' | 'people' | 'rewards' | 'settings' | 'golive';

export const DESK_TABS: readonly DeskTab[] = [
  'sales',
  'log',
  'attention',
  'queue',
  'end-of-day',
  'export',
  'verify',
  'people',
  'rewards',
  'settings',
  'golive',
];

/** Tabs only some programs have: the rewards desk is UiTPAS's (a reward catalogue the organizer writes). */
export const PROGRAM_TABS: Partial<Record<DeskTab, string>> = { rewards: 'uitpas' };

/** Tabs a cashier may open (everything else asks for a manager to sign in). */
export const CASHIER_TABS: ReadonlySet<DeskTab> = new Set<DeskTab>(['sales']);

export interface Desk {
  api: TerminalApi;
  me: PersonView;
  isManager: boolean;
  currency: string;
  /** For printed pages. */
  storeName: string;
  openSale(saleId: string): void;
  /** Runs an action with a manager's approval (null: cancelled). */
  approve<T>(props: Omit<ManagerApprovalProps, 'onApprove' | 'onCancel'>, action: (approval: ManagerApprovalInput) => Promise<T>): Promise<T | null>;
  /**
   * Runs a manager action: as is for a signed-in manager; when the service
   * answers MANAGER_REQUIRED, again with an approval. Null when cancelled.
   */
  asManager<T>(action: (approval?: ManagerApprovalInput) => Promise<T>, props?: Omit<ManagerApprovalProps, 'onApprove' | 'onCancel'>): Promise<T | null>;
  /** The log's applied filter (the export can reuse it). */
  logFilter: LogFilter;
  setLogFilter(filter: LogFilter): void;
  /** Counts for the tab badges; refreshed by the tabs that know them. */
  refreshCounts(): void;
  /** What the last "verify the log" found changed (the log marks those entries). */
  verifyFinding: VerifyFinding | null;
  setVerifyFinding(finding: VerifyFinding | null): void;
  /** Opens the log at one entry (a link from the verification). */
  goToEntry(seq: number): void;
  /** The entry the log should open at (n: a new request each time). */
  logJump: { seq: number; n: number } | null;
}

export interface VerifyFinding {
  firstBadSeq: number;
  /** 'changed': that one entry; anything else: from that entry on. */
  problem: string;
}

/** Whether a log entry is among those the verification found changed. */
export function isSuspect(finding: VerifyFinding | null, seq: number): boolean {
  if (!finding) return false;
  return finding.problem === 'changed' ? seq === finding.firstBadSeq : seq >= finding.firstBadSeq;
}

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const d = useContext(DeskContext);
  if (!d) throw new Error('DeskContext missing');
  return d;
}
