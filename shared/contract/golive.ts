/**
 * Going live (managers): test a program's connection with read-only calls,
 * take the terminal live on a passing test (manager PIN, logged with who),
 * and go back to training. Secrets travel in only: nothing here sends them back.
 */
import { z } from '../zod.js';
import type { ConnectionTestResult } from '../connection-test.js';
import { MAX_PEM_CHARS } from '../programs/check.js';
import { PROGRAM_IDS, type ProgramEnvironment, type ProgramId } from '../programs/index.js';
import { managerApproval } from './approval.js';

/** A program's connection values as typed: field key -> value (empty secret: keep the stored one). */
const connectionValues = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/), z.string().max(MAX_PEM_CHARS));

export const goLiveMethods = {
  getGoLive: z.object({}).strict(),
  testConnection: z.object({ program: z.enum(PROGRAM_IDS), values: connectionValues }).strict(),
  goLive: z.object({ program: z.enum(PROGRAM_IDS), values: connectionValues, approval: managerApproval }).strict(),
  backToTraining: z.object({ approval: managerApproval }).strict(),
} as const;

export interface GoLiveView {
  mode: 'training' | 'live';
  /** The live connection stored on this terminal: its program, its non-secret values, and which secrets are set (never their values). */
  connection: { program: ProgramId; values: Record<string, string>; secretsSet: string[]; environment: ProgramEnvironment | null } | null;
  /** Live: the last connection test (at start, or by the probe while offline). */
  lastTest: ConnectionTestResult | null;
  /** Rows still in the queue: switching mode waits until there are none. */
  queue: { waiting: number; attention: number };
}

export interface GoLiveResults {
  getGoLive: GoLiveView;
  testConnection: ConnectionTestResult;
  goLive: GoLiveView;
  backToTraining: GoLiveView;
}
