/**
 * The desk's query keys and the reads several tabs share. Every read on the
 * desk goes through TanStack Query (one client: api/queries.tsx); a change
 * invalidates exactly the keys it affects, and a status push (the queue or
 * attention counts moved) invalidates the lists those counts come from
 * (ManagerDesk.tsx): nothing on the desk polls.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { QK } from '../../api/queries';
import { useApi } from './api-context';

export const DQK = {
  sales: ['sales'] as const,
  sale: (saleId: string) => ['sale', saleId] as const,
  log: ['log'] as const,
  attention: ['attention'] as const,
  queue: ['queue'] as const,
  endOfDay: ['end-of-day'] as const,
  counts: ['desk-counts'] as const,
  people: QK.people,
  settings: ['settings'] as const,
  goLive: ['go-live'] as const,
  shipping: ['shipping'] as const,
} as const;

/** Who is who, by id (the log and the sales keep a person's id): the sign-in list. A failed read leaves the ids. */
export function usePeopleNames(): ReadonlyMap<string, string> {
  const api = useApi();
  const people = useQuery({ queryKey: DQK.people, queryFn: () => api.listPeople({}) });
  return useMemo(() => new Map((people.data?.people ?? []).map((p) => [p.id, p.name])), [people.data]);
}
