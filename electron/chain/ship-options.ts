/** The shipping loop's options and their defaults (no pg import: the main thread reads these). */

export interface ShipLoopOptions {
  postgresUrl: string;
  terminalId: string;
  storeId: string;
  storeName: string;
  currency: string;
  /** Entries per batch (one INSERT, one transaction). */
  batchSize: number;
  /** How often to look for new entries when caught up. */
  pollMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  heartbeatMs: number;
  /** How long after local midnight a day's figures are shipped (late events land first). */
  dayGraceMs: number;
  /** Saves the local cursor at most this often while catching up (the chain's head is the truth on reconnect). */
  cursorSaveMs: number;
  connectTimeoutMs: number;
  /** Tests and benchmarks only: shifts this loop's clock (to close "today" without waiting a day). */
  nowOffsetMs: number;
  /** Tests only: stop for ever at this point of this batch (the test then SIGKILLs the process). */
  hold?: { point: 'after-insert' | 'after-commit'; batch: number } | null;
}

export const SHIP_DEFAULTS = {
  batchSize: 1000,
  pollMs: 500,
  retryMinMs: 1000,
  retryMaxMs: 60_000,
  heartbeatMs: 5 * 60_000,
  dayGraceMs: 10 * 60_000,
  cursorSaveMs: 1000,
  connectTimeoutMs: 10_000,
  nowOffsetMs: 0,
} satisfies Partial<ShipLoopOptions>;
