/**
 * The one TanStack Query client of the screens that fetch request/response
 * data: the desk's tabs, the reward catalogue, the log. Imported only by
 * lazily loaded screens, so the library stays out of the counter's first paint
 * (issue 18: initial JS < 120 KB). The sale and the status are not here: the
 * counter store keeps them, fresh through the service's pushes.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';

export const queryClient = new QueryClient({
  defaultOptions: {
    // A failed read says so on screen with a "retry" button; nothing refetches behind the cashier's back.
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 },
  },
});

export function QueryProvider({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/** Query keys, in one place so a mutation invalidates exactly what it changes. */
export const QK = {
  rewards: (saleId: string, epoch: number) => ['rewards', saleId, epoch] as const,
  counterLog: ['counter-log'] as const,
  people: ['people'] as const,
} as const;
