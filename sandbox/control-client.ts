/**
 * A typed client for the sandbox control API (control.ts), for tests, the
 * e2e suite and benchmarks. Plain fetch: it runs wherever Node does.
 */
import type { Fault, FaultSpec } from './faults.js';
import type { WlEvent } from './whitelabel/state.js';

export interface ControlClient {
  health(): Promise<{ ok: boolean; backends: string[]; faults: number }>;
  reset(seedDemo?: boolean): Promise<void>;
  addFault(spec: FaultSpec): Promise<Fault>;
  listFaults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
  whitelabel: {
    addMember(m: { cardNumber?: string; points: number }): Promise<{ userId: string; cardNumber: string; points: number }>;
    ledger(userId?: string): Promise<{ events: WlEvent[]; balances: Record<string, number> }>;
    revokeTokens(): Promise<number>;
  };
}

export function createControlClient(sandboxUrl: string): ControlClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${sandboxUrl}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox control ${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return {
    health: () => call('GET', '/health'),
    reset: async (seedDemo = true) => {
      await call('POST', '/reset', { seedDemo });
    },
    addFault: (spec) => call('POST', '/faults', spec),
    listFaults: async () => (await call<{ faults: Fault[] }>('GET', '/faults')).faults,
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    whitelabel: {
      addMember: (m) => call('POST', '/whitelabel/members', m),
      ledger: (userId) => call('GET', `/whitelabel/ledger${userId === undefined ? '' : `?userId=${encodeURIComponent(userId)}`}`),
      revokeTokens: async () => (await call<{ revoked: number }>('POST', '/whitelabel/revoke-tokens')).revoked,
    },
  };
}
