import { useState, type ReactNode } from 'react';
import type { ManagerApprovalInput } from '../../../../shared/contract/approval';
import { asErrorInfo } from '../../api/client';
import { ManagerApproval } from '../../components/ManagerApproval';
import type { OffersApi } from './api';

type Action = (approval?: ManagerApprovalInput) => Promise<void>;

/**
 * A manager action on the offers screen (creating an offer, switching the
 * alert receiver): a signed-in manager acts directly; anyone else is asked
 * for a manager's PIN. The approval dialog shows a refusal and stays open.
 * `run` throws what the action throws, except MANAGER_REQUIRED (the dialog comes instead).
 */
export function useManagerAction(api: OffersApi, title: string): { run: (action: Action) => Promise<void>; dialog: ReactNode } {
  const [pending, setPending] = useState<Action | null>(null);

  async function run(action: Action): Promise<void> {
    let manager = false;
    try {
      manager = (await api.whoAmI({})).person?.role === 'manager';
    } catch {
      // Not known who is signed in: ask for an approval.
    }
    if (manager) {
      try {
        await action();
        return;
      } catch (e) {
        if (asErrorInfo(e).code !== 'MANAGER_REQUIRED') throw e;
      }
    }
    setPending(() => action);
  }

  const dialog = pending ? (
    <ManagerApproval
      title={title}
      reason="none"
      onApprove={async (approval) => {
        await pending(approval);
        setPending(null);
      }}
      onCancel={() => setPending(null)}
    />
  ) : null;
  return { run, dialog };
}
