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

/** Every contract method, checked by the compiler against the contract (a new method fails to compile here until listed). */
const METHODS: Record<MethodName, true> = {
  getStatus: true,
  startSale: true,
  setBasket: true,
  identifyMember: true,
  quote: true,
  confirmRedemption: true,
  retryRedemption: true,
  markPaid: true,
  cancelSale: true,
  getSale: true,
  listLog: true,
};

/** An envelope error as a thrown PosError carrying the ErrorInfo (code, message, endUserMessage, details). */
export function errorFromInfo(info: ErrorInfo): PosError {
  return new PosError(info.code, info.message, { endUserMessage: info.endUserMessage, details: info.details });
}

/** Anything thrown by a call, as something the screen can show. */
export function asErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof PosError) return e.toInfo();
  return { code: 'INTERNAL', message: e instanceof Error && e.message ? e.message : 'Something went wrong in the terminal.' };
}

export function createApi(transport: Transport): TerminalApi {
  const api = {} as Record<MethodName, (input: unknown) => Promise<unknown>>;
  for (const method of Object.keys(METHODS) as MethodName[]) {
    api[method] = async (input: unknown) => {
      const envelope = await transport.call(method, input as never);
      if (envelope && envelope.ok === true) return envelope.value;
      if (envelope && envelope.ok === false && envelope.error) throw errorFromInfo(envelope.error);
      throw new PosError('INTERNAL', 'The terminal service sent an answer the screen cannot read.');
    };
  }
  return api as unknown as TerminalApi;
}
