/**
 * The renderer's TerminalApi over either transport. Only types come from the
 * contract (the zod schemas stay out of the bundle: the service validates).
 */
import type { Envelope, MethodInput, MethodName, MethodResult, TerminalApi, TerminalEvent } from '../../../shared/contract';
import { PosError, type ErrorInfo } from '../../../shared/errors';

/** One way to reach the terminal service. */
export interface Transport {
  readonly kind: 'electron' | 'http';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>>;
  /** Pushed events; `onConnection` hears when the channel opens (again) or drops. Returns the unsubscribe function. */
  subscribe(listener: (event: TerminalEvent) => void, onConnection?: (connected: boolean) => void): () => void;
}

/** An envelope error as a thrown PosError carrying the ErrorInfo (code, message, endUserMessage, details). */
export function errorFromInfo(info: ErrorInfo): PosError {
  return new PosError(info.code, info.message, { endUserMessage: info.endUserMessage, details: info.details });
}

/** Anything thrown by a call, as something the screen can show. */
export function asErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof PosError) return e.toInfo();
  return { code: 'INTERNAL', message: e instanceof Error && e.message ? e.message : 'Something went wrong in the terminal.' };
}

/**
 * The typed client. Methods are made on first use from their name, so the
 * client follows the contract as it grows without a list to keep in step
 * (and without bundling the contract's schemas: the service validates).
 */
export function createApi(transport: Transport): TerminalApi {
  const made = new Map<string, (input: unknown) => Promise<unknown>>();
  const make = (method: MethodName) => async (input: unknown) => {
    const envelope = await transport.call(method, input as never);
    if (envelope && envelope.ok === true) return envelope.value;
    if (envelope && envelope.ok === false && envelope.error) throw errorFromInfo(envelope.error);
    throw new PosError('INTERNAL', 'The terminal service sent an answer the screen cannot read.');
  };
  return new Proxy({} as TerminalApi, {
    get(_target, name) {
      // Not a method: symbols, and 'then' (so the client is never mistaken for a promise).
      if (typeof name !== 'string' || name === 'then') return undefined;
      let fn = made.get(name);
      if (!fn) {
        fn = make(name as MethodName);
        made.set(name, fn);
      }
      return fn;
    },
  });
}
