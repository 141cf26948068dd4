/**
 * Shipping the log to the chain's PostgreSQL (issue 16): the manager's desk
 * reads the shipping state (last entry shipped, lag, last error, conflicts)
 * and a manager sets or clears the database address. The address's password
 * never comes back: the state names the target as user@host:port/database.
 */
import { z } from '../zod.js';
import { managerApproval } from './approval.js';

/** What the desk shows about shipping. */
export interface ShippingState {
  enabled: boolean;
  /** user@host:port/database, never the password. */
  target: string | null;
  connected: boolean;
  /** The last seq the chain confirmed, and when. */
  shippedSeq: number;
  shippedAt: string | null;
  /** The terminal's own last seq. */
  headSeq: number;
  /** Entries recorded here and not yet in the chain. */
  lagEntries: number;
  /** Age of the oldest entry not yet shipped (seconds), 0 when caught up. */
  lagSeconds: number;
  /** The last local day whose end-of-day figures the chain holds. */
  lastDayShipped: string | null;
  lastError: { message: string; kind: string; at: string } | null;
  /** Entries or days the chain holds differently (refused there, flagged on both sides). */
  conflicts: { what: 'entry' | 'day'; key: string; at: string }[];
}

export interface ShippingView extends ShippingState {
  /** Where the address comes from: the provisioning file / command line wins over Settings. */
  source: 'start-up' | 'settings' | null;
}

const postgresUrl = z
  .string()
  .trim()
  .max(2000, 'address too long')
  .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres://user:password@host:5432/database address');

export const shippingMethods = {
  /** The shipping state (a signed-in manager). */
  getShippingState: z.object({}).strict(),
  /** Sets (or with null clears) the chain database's address; shipping restarts at once. */
  setShippingAddress: z.object({ postgresUrl: postgresUrl.nullable(), approval: managerApproval.optional() }).strict(),
} as const;

export interface ShippingResults {
  getShippingState: ShippingView;
  setShippingAddress: ShippingView;
}
