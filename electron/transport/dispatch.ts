/**
 * The one gate both transports go through: validate the call against the
 * contract, run it on the service, and turn any outcome into an Envelope.
 * Nothing thrown crosses a transport: unexpected errors are logged here and
 * reach the screen as a plain INTERNAL message, never as a stack.
 */
import { validateCall, type Envelope, type MethodInput, type MethodName, type MethodResult } from '../../shared/contract.js';
import { PosError, toErrorInfo } from '../../shared/errors.js';
import { logger } from '../log/logger.js';

const log = logger('terminal');

export type Dispatch = (method: unknown, input: unknown) => Promise<Envelope<unknown>>;

/** One implementation per contract method; the compiler checks none is missing. */
export type Handlers = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodResult<M>> };
/** The handlers of one area of the contract. */
export type HandlersFor<K extends MethodName> = Pick<Handlers, K>;

export interface DispatchOptions {
  /** Runs before every validated call; throws to refuse it (e.g. NOT_SIGNED_IN). */
  gate?: (method: MethodName) => void;
  report?: (e: unknown) => void;
}

export function createDispatcher(handlers: Handlers, opts: DispatchOptions = {}): Dispatch {
  const report = opts.report ?? ((e: unknown) => log.error('a call failed unexpectedly', e));
  return async (method, input) => {
    const started = Date.now();
    try {
      const call = validateCall<MethodName>(method, input);
      opts.gate?.(call.method);
      const handler = handlers[call.method] as (i: unknown) => Promise<unknown>;
      const value = await handler(call.input);
      // The outline only (never the input or the answer): what a support desk asks for at level debug.
      log.debug('call', { method: call.method, ok: true, ms: Date.now() - started });
      return { ok: true, value };
    } catch (e) {
      const error = toErrorInfo(asPosError(e, report));
      log.debug('call', { method: typeof method === 'string' ? method.slice(0, 60) : typeof method, ok: false, code: error.code, ms: Date.now() - started });
      return { ok: false, error };
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

/** Binds an object's methods named `names` as handlers (each area's service provides its own). */
export function bindHandlers<K extends MethodName>(target: object, names: readonly K[]): HandlersFor<K> {
  const out: Partial<Handlers> = {};
  for (const name of names) {
    const fn = (target as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new Error(`missing handler for ${name}`);
    (out as Record<string, unknown>)[name] = fn.bind(target);
  }
  return out as HandlersFor<K>;
}
