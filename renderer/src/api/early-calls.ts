/**
 * The answers of the calls ../../public/early-calls.js made before this bundle ran:
 * each serves the first call of its method with no input, once; any later
 * call, or one with input, goes to the terminal as usual. The web host's are
 * fetch Responses, read by the HTTP transport exactly as its own fetches are;
 * Electron's are the bridge's envelopes.
 */
import type { Envelope } from '../../../shared/contract';

export type EarlyCalls =
  { kind: 'http'; answers: Record<string, Promise<Response>> } | { kind: 'electron'; answers: Record<string, Promise<Envelope<unknown>>> };

declare global {
  interface Window {
    /** Set by public/early-calls.js (index.html's first script); absent when it did not run. */
    __earlyCalls?: EarlyCalls;
  }
}

/** Takes (once) the early answer for `method`, when the call has no input. */
export function takeEarlyAnswer<K extends EarlyCalls['kind']>(
  early: EarlyCalls | undefined,
  kind: K,
  method: string,
  input: unknown,
): (K extends 'http' ? Promise<Response> : Promise<Envelope<unknown>>) | undefined {
  if (!early || early.kind !== kind || (input !== undefined && (typeof input !== 'object' || input === null || Object.keys(input).length > 0)))
    return undefined;
  const answers = early.answers as Record<string, never>;
  const answer = answers[method];
  if (answer === undefined) return undefined;
  delete answers[method];
  return answer;
}
