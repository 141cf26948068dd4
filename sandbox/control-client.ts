/**
 * A typed client for the sandbox control API (control.ts), for tests, the
 * e2e suite and benchmarks. Plain fetch: it runs wherever Node does.
 */
import { CONTROL_TOKEN_HEADER } from './control-guard.js';
import type { Fault, FaultSpec } from './faults.js';
import type { WlEvent } from './whitelabel/state.js';

export interface ControlClient {
  health(): Promise<{ ok: boolean; backends: string[]; faults: number }>;
  reset(seedDemo?: boolean): Promise<void>;
  addFault(spec: FaultSpec): Promise<Fault>;
  listFaults(): Promise<Fault[]>;
  clearFaults(): Promise<void>;
  whitelabel: {
    addMember(m: { memberId?: string; points: number }): Promise<{ userId: string; points: number }>;
    ledger(userId?: string): Promise<{ events: WlEvent[]; balances: Record<string, number> }>;
    revokeTokens(): Promise<number>;
  };
}

/** Where a sandbox's control API is and its per-start token (a RunningSandbox is one). */
export interface ControlEndpoint {
  url: string;
  controlToken: string;
}

/** The headers every control call needs (control-guard.ts): JSON and the token. */
export function controlHeaders(sandbox: Pick<ControlEndpoint, 'controlToken'>): Record<string, string> {
  return { 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: sandbox.controlToken };
}

/**
 * One control call, `path` below /_control (e.g. '/faults'); the body, if
 * any, is sent as JSON. Shared by every control client and test helper.
 */
export function controlFetch(sandbox: ControlEndpoint, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/_control${path}`, {
    method,
    headers: controlHeaders(sandbox),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function createControlClient(sandbox: ControlEndpoint): ControlClient {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await controlFetch(sandbox, method, path, body);
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
