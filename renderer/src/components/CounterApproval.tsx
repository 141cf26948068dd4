import { createContext, useCallback, useContext, useEffect, type ReactNode } from 'react';
import type { ManagerApprovalInput } from '../../../shared/contract/approval';
import { usePos } from '../state/context';
import type { ExplainedApproval } from '../state/store';
import type { ManagerApprovalProps } from './ManagerApproval';
import { useManagerApproval } from './useManagerApproval';

type ApprovalProps = Omit<ManagerApprovalProps, 'onApprove' | 'onCancel'>;
type Run = <T>(props: ApprovalProps, action: (approval: ManagerApprovalInput) => Promise<T>) => Promise<T | null>;

const ApprovalContext = createContext<Run | null>(null);

/**
 * The counter's manager approvals (offline overrides, voids) all go through
 * the one shared approval dialog (ManagerApproval.tsx). While it is open,
 * scans wait (the store refuses them).
 */
export function CounterApprovalProvider({ children }: { children: ReactNode }) {
  const approval = useManagerApproval();
  const { run: runDialog, open } = approval;
  const setApproving = usePos((s) => s.setApproving);
  const person = usePos((s) => s.session.person);
  const prefer = person?.role === 'manager' ? person.id : null;
  useEffect(() => {
    setApproving(open);
    return () => setApproving(false);
  }, [open, setApproving]);
  const run = useCallback<Run>((props, action) => runDialog({ preferManagerId: prefer, ...props }, action), [runDialog, prefer]);
  return (
    <ApprovalContext.Provider value={run}>
      {children}
      {approval.dialog}
    </ApprovalContext.Provider>
  );
}

export function useCounterApproval(): Run {
  const run = useContext(ApprovalContext);
  if (!run) throw new Error('CounterApprovalProvider missing');
  return run;
}

/** The approval the log must explain: the dialog asked for the reason ('required'). */
export function explained(a: ManagerApprovalInput): ExplainedApproval {
  return { managerId: a.managerId, pin: a.pin, reason: a.reason ?? '' };
}
