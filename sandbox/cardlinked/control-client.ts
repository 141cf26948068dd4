/** A typed client for the Pentadata emulator's control routes (/_control/pentadata), for tests and e2e. */
import { controlFetch, type ControlEndpoint } from '../control-client.js';
import type { PdForms } from './backend.js';

export interface PentadataControl {
  /** A purchase on an enrolled card; `deliver: false` loses its alert, `key` sends a wrong Pentadata-Key. */
  purchase(p: { cardId: number; amountCents: number; deliver?: boolean; key?: string }): Promise<{ id: string }>;
  alerts(): Promise<Array<{ url: string; body: string; delivered: boolean }>>;
  cardRequests(): Promise<Array<Record<string, unknown>>>;
  forms(f: Partial<PdForms>): Promise<PdForms>;
}

export function createPentadataControl(sandbox: ControlEndpoint): PentadataControl {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await controlFetch(sandbox, method, `/pentadata${path}`, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`pentadata control ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
  return {
    purchase: (p) => call('POST', '/purchases', p),
    alerts: async () => (await call<{ alerts: Array<{ url: string; body: string; delivered: boolean }> }>('GET', '/alerts')).alerts,
    cardRequests: async () => (await call<{ requests: Array<Record<string, unknown>> }>('GET', '/card-requests')).requests,
    forms: (f) => call('POST', '/forms', f),
  };
}
