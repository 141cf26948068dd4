/**
 * The hook that runs an action behind a manager's approval. The dialog itself
 * (ManagerApproval.tsx, with its PIN pad) loads the first time one is asked
 * for: most sales never need it (issue 18: the counter's initial JavaScript).
 */
import { lazy, Suspense, useCallback, useState } from 'react';
import type { ManagerApprovalInput } from '../../../shared/contract/approval';
import type { ManagerApprovalProps } from './ManagerApproval';

const ManagerApproval = lazy(() => import('./ManagerApproval').then((m) => ({ default: m.ManagerApproval })));

interface Pending {
  props: Omit<ManagerApprovalProps, 'onApprove' | 'onCancel'>;
  action: (approval: ManagerApprovalInput) => Promise<unknown>;
  resolve: (value: unknown) => void;
}

/**
 * Runs an action that needs a manager's approval:
 *   const approval = useManagerApproval();
 *   const sale = await approval.run({ reason: 'required', title }, (a) => api.voidSale({ saleId, approval: a }));
 *   // null when cancelled
 *   ...
 *   return <>{approval.dialog}</>;
 */
export function useManagerApproval() {
  const [pending, setPending] = useState<Pending | null>(null);
  const run = useCallback(
    <T,>(props: Pending['props'], action: (approval: ManagerApprovalInput) => Promise<T>): Promise<T | null> =>
      new Promise<T | null>((resolve) => setPending({ props, action, resolve: resolve as (v: unknown) => void })),
    [],
  );
  const dialog = pending ? (
    <Suspense fallback={null}>
      <ManagerApproval
        {...pending.props}
        onApprove={async (approval) => {
          const value = await pending.action(approval);
          setPending(null);
          pending.resolve(value);
        }}
        onCancel={() => {
          setPending(null);
          pending.resolve(null);
        }}
      />
    </Suspense>
  ) : null;
  return { run, dialog, open: pending !== null };
}
