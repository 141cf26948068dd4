/**
 * A typed client for the UiTPAS control routes (./control.ts), for tests, the
 * e2e suite and benchmarks; the shared routes (faults, reset) are in
 * ../control-client.ts.
 */
import { controlFetch, type ControlEndpoint } from '../control-client.js';
import type { UitpasForms } from './backend.js';
import type { DemoPassholder, UitpasPermission } from './demo-data.js';
import type { LedgerEntry, RedemptionRecord } from './state.js';

export interface NewPassholder {
  uitpasNumber?: string;
  firstName?: string;
  points?: number;
  passType?: 'INDIVIDUAL' | 'GROUP';
  postalCode?: string;
  insz?: string;
  chipNumber?: string;
  cardStatus?: 'ACTIVE' | 'BLOCKED' | 'LOST' | 'DELETED';
  blocked?: boolean;
  socialTariff?: { status: 'ACTIVE' | 'EXPIRED' | 'NONE'; endDate?: string };
  messages?: Array<{ level: 'INFO' | 'WARN' | 'ERROR'; text: string }>;
  cardSystemIds?: number[];
  membershipStatus?: 'ACTIVE' | 'EXPIRED';
}

export interface NewReward {
  id?: string;
  title?: string;
  type?: 'POINTS' | 'WELCOME';
  points?: number;
  organizerIds?: string[];
  allCardSystems?: boolean;
  applicableCardSystemIds?: number[];
  status?: 'ACTIVE' | 'INACTIVE' | 'DELETED';
  maxAvailableUnits?: number;
  unitsTaken?: number;
  redeemPeriod?: { begin: string; end?: string };
  publicationPeriod?: { begin: string; end?: string };
  redeemConstraint?: { volume: number; period: 'ABSOLUTE' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR' };
  redeemCodes?: boolean;
  promotionalDescription?: string;
}

export interface UitpasControl {
  addPassholder(p: NewPassholder): Promise<DemoPassholder>;
  setPoints(uitpasNumber: string, points: number): Promise<void>;
  /** Returns the reward as the API shows it. */
  addReward(r: NewReward): Promise<Record<string, unknown> & { id: string }>;
  redeemed(uitpasNumber?: string): Promise<RedemptionRecord[]>;
  ledger(uitpasNumber?: string): Promise<{ entries: LedgerEntry[]; balances: Record<string, number> }>;
  expireTokens(): Promise<number>;
  tokens(): Promise<{ issued: number; active: number }>;
  addClient(c: { clientId: string; clientSecret: string; permissions: Record<string, UitpasPermission[]> }): Promise<void>;
  reset(seedDemo?: boolean): Promise<void>;
  /** Switches the emulator's answers where the document is silent; returns the forms in force. */
  forms(f: Partial<UitpasForms>): Promise<UitpasForms>;
}

export function createUitpasControl(sandbox: ControlEndpoint): UitpasControl {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await controlFetch(sandbox, method, `/uitpas${path}`, body);
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox control ${method} /uitpas${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const q = (n?: string) => (n === undefined ? '' : `?uitpasNumber=${encodeURIComponent(n)}`);
  return {
    addPassholder: (p) => call('POST', '/passholders', p),
    setPoints: async (n, points) => {
      await call('POST', `/passholders/${n}/points`, { points });
    },
    addReward: (r) => call('POST', '/rewards', r),
    redeemed: async (n) => (await call<{ redeemed: RedemptionRecord[] }>('GET', `/redeemed${q(n)}`)).redeemed,
    ledger: (n) => call('GET', `/ledger${q(n)}`),
    expireTokens: async () => (await call<{ expired: number }>('POST', '/expire-tokens')).expired,
    tokens: () => call('GET', '/tokens'),
    addClient: async (c) => {
      await call('POST', '/clients', c);
    },
    forms: (f) => call('POST', '/forms', f),
    reset: async (seedDemo = true) => {
      await call('POST', '/reset', { seedDemo });
    },
  };
}
