/**
 * The answer of "Test connection": which step was checked, which failed and
 * why, in plain words. Plain data (crosses the transports; the go-live
 * screen, the status bar and the log show it).
 */
import type { ProgramEnvironment } from './programs/index.js';

/**
 * The steps, in the order a request meets them: the host's name, the proxy,
 * the connection itself, the certificate, the program's sign-in (token or
 * key), the permissions it grants, and the store's own ids at the program.
 */
export type ConnectionStep = 'name-resolution' | 'proxy' | 'connect' | 'tls' | 'token' | 'permission' | 'account' | 'api';

export interface ConnectionStepResult {
  step: ConnectionStep;
  ok: boolean;
  /** What was checked, or why it failed, in plain words. */
  message: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  program: string;
  /** 'test' or 'production' when the address is one the program publishes, else null. */
  environment: ProgramEnvironment | null;
  steps: ConnectionStepResult[];
  /** The failing step, when one failed. */
  failed: ConnectionStepResult | null;
  /** ISO time of the test. */
  at: string;
}
