/**
 * The counter's store (renderer/src/state/store.ts) wired to the REAL
 * terminal: a runtime over a temporary data directory, the dispatcher that
 * both transports use (`rt.call`, with its sign-in gate and contract
 * validation), its event stream, and the loyalty emulators on loopback. The
 * store's tests drive it as the screen does; nothing re-implements the service.
 *
 * `holdAnswer(method)` keeps the next answer of one method back until the test
 * releases it (the real call has already run): how a push overtakes an answer.
 */
import type { MethodName, TerminalEvent } from '../shared/contract.js';
import { controlFetch } from '../sandbox/control-client.js';
import type { RunningSandbox } from '../sandbox/server.js';
import type { Runtime } from '../electron/runtime.js';
import { createApi, type Transport } from '../renderer/src/api/client.js';
import { createPosStore } from '../renderer/src/state/store.js';
import type { PosState } from '../renderer/src/state/store.js';
import { heldWaits, type HeldWaits } from './held-waits.js';
import { MANAGER_PIN, startTestTerminal } from './test-terminal.js';
import { until } from './until.js';

export interface CounterOnRealTerminal {
  rt: Runtime;
  sandbox: RunningSandbox;
  held: HeldWaits;
  store: ReturnType<typeof createPosStore>;
  s(): PosState;
  /** Every contract method the store called since the last `calls.length = 0`. */
  calls: { method: MethodName; input: unknown }[];
  called(method: MethodName): { method: MethodName; input: unknown }[];
  /** Every event pushed to the store. */
  events: TerminalEvent[];
  approval: { managerId: string; pin: string; reason: string };
  /** Holds the next answer of `method` until the returned function is called (resolves once the call ran). */
  holdAnswer(method: MethodName): { ran: Promise<void>; release: () => void };
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** Waits until the store's state satisfies `cond` (an event, never a measured time). */
  until(cond: (s: PosState) => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function counterOnRealTerminal(
  opts: { backend?: string; postWaitMs?: number; quoteDelayMs?: number; lookupHoldMs?: number } = {},
): Promise<CounterOnRealTerminal> {
  const held = heldWaits();
  const terminal = await startTestTerminal({
    ...(opts.backend ? { backend: opts.backend } : {}),
    sandbox: { faultWait: held.faultWait },
    manager: null, // the store creates the first manager, as the screen does
    // postWaitMs: how long confirm waits for the program before answering "on its way"; generous unless a test holds the post.
    tuning: { postWaitMs: opts.postWaitMs ?? 8000, requestTimeoutMs: 4000, inDoubtMarginMs: 300, probeIntervalMs: 100 },
  });
  const { rt, sandbox } = terminal;
  const calls: CounterOnRealTerminal['calls'] = [];
  const events: TerminalEvent[] = [];
  const holds = new Map<string, { ran: () => void; gate: Promise<void> }>();
  const transport: Transport = {
    kind: 'http',
    async call(method, input) {
      calls.push({ method, input });
      const answer = await rt.call(method, input);
      const hold = holds.get(method);
      if (hold) {
        holds.delete(method);
        hold.ran();
        await hold.gate;
      }
      return answer as never;
    },
    subscribe(listener, onConnection) {
      const off = rt.subscribe((e) => {
        events.push(e);
        listener(e);
      });
      onConnection?.(true);
      return off;
    },
  };
  const mem = new Map<string, string>();
  const store = createPosStore({
    api: createApi(transport),
    subscribe: (l, c) => transport.subscribe(l, c),
    quoteDelayMs: opts.quoteDelayMs ?? 10,
    ...(opts.lookupHoldMs !== undefined ? { lookupHoldMs: opts.lookupHoldMs } : {}),
    memory: { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => void mem.set(k, v), removeItem: (k) => void mem.delete(k) },
  });
  const stop = store.getState().start();
  const me = await store.getState().createFirstManager('Marie', MANAGER_PIN);
  await until(() => store.getState().status !== null && store.getState().focus.seq > 0);
  calls.length = 0;
  return {
    rt,
    sandbox,
    held,
    store,
    s: () => store.getState(),
    calls,
    called: (m) => calls.filter((c) => c.method === m),
    events,
    approval: { managerId: me.id, pin: MANAGER_PIN, reason: 'approved at the counter' },
    holdAnswer(method) {
      let ran!: () => void;
      let release!: () => void;
      const ranP = new Promise<void>((r) => (ran = r));
      holds.set(method, { ran, gate: new Promise<void>((r) => (release = r)) });
      return { ran: ranP, release };
    },
    async control(method, path, body) {
      const res = await controlFetch(sandbox, method, path, body);
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? null : res.json();
    },
    until: (cond) => until(() => cond(store.getState())),
    async close() {
      stop();
      held.releaseAll();
      await terminal.close();
    },
  };
}
