/**
 * Request timeouts that fire on an event instead of a clock. The terminal's
 * HTTP client gets `requestTimer` (startRuntime tuning.requestTimer): a
 * request's own timeout never fires by itself. The sandbox gets `faultWait`
 * (startSandbox({ faultWait })): when a `timeout` fault holds a request's
 * socket, the client's timeout for that very request (same method and path,
 * the oldest one waiting) fires at once. So "the program did not answer in
 * time" happens exactly for the requests the test made the program hold, and
 * a loaded machine can never turn a slow answer into a timeout, nor a held
 * one into an answer.
 *
 * Injected latency waits its real (short) time: with no timeout able to fire,
 * it only delays. A test that needs "the terminal gave up while the program
 * still held the request, then the program applied it" takes the latency by
 * hand (`takeLatency`), fires the timeout and releases it in the order it
 * wants.
 */
import type { RequestTimer } from '../electron/adapters/http.js';
import type { FaultWait, FaultedRequest } from '../sandbox/router.js';

interface PendingTimeout {
  method: string;
  path: string;
  fire(): void;
}

/** A latency the test took: the request waits at the program until `release()`. */
export interface TakenLatency {
  request: FaultedRequest;
  ms: number;
  release(): void;
}

export interface HeldTimeouts {
  /** For startRuntime({ tuning: { requestTimer } }). */
  requestTimer: RequestTimer;
  /** For startSandbox({ faultWait }). */
  faultWait: FaultWait;
  /** The next injected latency, held until the test releases it (instead of its real delay). */
  takeLatency(): Promise<TakenLatency>;
  /** Fires the timeout of the oldest waiting request to `method` + `path`; false when none waits. */
  fire(request: FaultedRequest): boolean;
  /** Lets go every held socket and taken latency (teardown). */
  releaseAll(): void;
}

export function heldTimeouts(): HeldTimeouts {
  const pending: PendingTimeout[] = [];
  const holds: Array<() => void> = [];
  const takers: Array<(l: TakenLatency) => void> = [];
  const taken: TakenLatency[] = [];
  let open = false;

  const fire = (request: FaultedRequest): boolean => {
    const i = pending.findIndex((p) => p.method === request.method && p.path === request.path);
    if (i < 0) return false;
    const [p] = pending.splice(i, 1);
    p!.fire();
    return true;
  };

  const requestTimer: RequestTimer = (request, _ms, onTimeout) => {
    const entry: PendingTimeout = { method: request.method.toUpperCase(), path: pathOf(request.url), fire: onTimeout };
    pending.push(entry);
    return () => {
      const i = pending.indexOf(entry);
      if (i >= 0) pending.splice(i, 1);
    };
  };

  const faultWait: FaultWait = (ms, why, request) =>
    new Promise<void>((resolve) => {
      if (open) return resolve();
      if (why === 'hold') {
        // The program holds the socket and never answers: the client's own timeout is what ends it.
        holds.push(resolve);
        fire(request);
        return;
      }
      const taker = takers.shift();
      if (taker) {
        const l: TakenLatency = { request, ms, release: () => resolve() };
        taken.push(l);
        taker(l);
        return;
      }
      setTimeout(resolve, ms).unref();
    });

  return {
    requestTimer,
    faultWait,
    takeLatency: () => new Promise<TakenLatency>((resolve) => takers.push(resolve)),
    fire,
    releaseAll() {
      open = true;
      for (const r of holds.splice(0)) r();
      for (const l of taken.splice(0)) l.release();
    },
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
