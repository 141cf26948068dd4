import { createContext, useContext, type ReactNode } from 'react';
import type { TerminalApi } from '../../../../shared/contract';

const ApiContext = createContext<TerminalApi | null>(null);

/** The terminal API for the sign-in screens, the approval dialog and the desk. */
export function ApiProvider({ api, children }: { api: TerminalApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): TerminalApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiProvider missing');
  return api;
}
