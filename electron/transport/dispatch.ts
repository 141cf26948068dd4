/**
 * The one gate both transports go through: validate the call against the
 * contract, run it on the service, and turn any outcome into an Envelope.
 * Nothing thrown crosses a transport: unexpected errors are logged here and
 * reach the screen as a plain INTERNAL message, never as a stack.
 */
import { validateCall, type Envelope, type MethodName } from '../../shared/contract.js';
import { PosError, toErrorInfo } from '../../shared/errors.js';
import type { TerminalService } from '../service/terminal-service.js';

export type Dispatch = (method: unknown, input: unknown) => Promise<Envelope<unknown>>;

export function createDispatcher(service: TerminalService, report: (e: unknown) => void = (e) => console.error('[terminal]', e)): Dispatch {
  return async (method, input) => {
    try {
      const call = validateCall<MethodName>(method, input);
      const handler = service[call.method] as (i: unknown) => Promise<unknown>;
      const value = await handler.call(service, call.input);
      return { ok: true, value };
    } catch (e) {
      return { ok: false, error: toErrorInfo(asPosError(e, report)) };
    }
  };
}

/** Maps storage failures to words a cashier can act on; reports the rest. */
function asPosError(e: unknown, report: (e: unknown) => void): unknown {
  if (e instanceof PosError) return e;
  const code = (e as { code?: string })?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new PosError('STORAGE_FULL');
  report(e);
  return e;
}
