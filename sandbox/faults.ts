/**
 * Fault injection, shared by every emulated backend.
 *
 * A fault is a rule: "for requests to this backend / method / path, do X,
 * `times` times (default: until cleared)". This module only keeps the rules
 * and decides which ones a request triggers; the router (router.ts) carries
 * them out on the live socket. See README.md for what each kind looks like
 * from a client.
 */

export const FAULT_KINDS = ['latency', 'status', 'rate-limit', 'reset-before', 'reset-after', 'timeout', 'malformed', 'down', 'hold'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** Backend id ('whitelabel', ...); absent = every backend. */
  backend?: string;
  /** HTTP method, case-insensitive; absent = any. */
  method?: string;
  /** Matched as a substring of the full request path (so a prefix works too); absent = any path. */
  path?: string;
  fault: FaultKind;
  /** How many matching requests it affects; absent = until cleared. */
  times?: number;
  /** latency: the delay; timeout: how long the socket is held before it is destroyed. */
  ms?: number;
  /** status: the HTTP status to answer. */
  status?: number;
  /** rate-limit: the Retry-After value in seconds. */
  retryAfterSec?: number;
}

export interface Fault extends Required<Pick<FaultSpec, 'fault'>> {
  id: number;
  backend?: string;
  method?: string;
  path?: string;
  /** Remaining matching requests it affects; null = until cleared. */
  remaining: number | null;
  /** How many requests it has affected so far. */
  hits: number;
  ms: number;
  status: number;
  retryAfterSec: number;
  /** hold: how many of its requests are parked now, waiting for a release. */
  held: number;
}

export const FAULT_DEFAULTS = {
  latencyMs: 1000,
  /** A held ("timeout") socket is destroyed after this, so nothing leaks forever. */
  timeoutCapMs: 60_000,
  status: 503,
  retryAfterSec: 1,
} as const;

/** Validates a control-API body into a spec; returns an error text instead of throwing. */
export function parseFaultSpec(input: unknown, knownBackends: readonly string[]): { spec: FaultSpec } | { error: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { error: 'body must be a JSON object' };
  const o = input as Record<string, unknown>;
  const allowed = new Set(['backend', 'method', 'path', 'fault', 'times', 'ms', 'status', 'retryAfterSec']);
  for (const k of Object.keys(o)) if (!allowed.has(k)) return { error: `unknown field "${k}"` };
  if (!FAULT_KINDS.includes(o.fault as FaultKind)) return { error: `fault must be one of ${FAULT_KINDS.join(', ')}` };
  const spec: FaultSpec = { fault: o.fault as FaultKind };
  if (o.backend !== undefined) {
    if (typeof o.backend !== 'string' || !knownBackends.includes(o.backend)) return { error: `backend must be one of ${knownBackends.join(', ')}` };
    spec.backend = o.backend;
  }
  if (o.method !== undefined) {
    if (typeof o.method !== 'string' || !/^[A-Za-z]+$/.test(o.method)) return { error: 'method must be an HTTP method' };
    spec.method = o.method.toUpperCase();
  }
  if (o.path !== undefined) {
    if (typeof o.path !== 'string' || o.path === '') return { error: 'path must be a non-empty string' };
    spec.path = o.path;
  }
  const positiveInt = (k: 'times' | 'ms' | 'status' | 'retryAfterSec', min: number, max: number): string | null => {
    const v = o[k];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return `${k} must be an integer from ${min} to ${max}`;
    spec[k] = v;
    return null;
  };
  const err = positiveInt('times', 1, 1_000_000) ?? positiveInt('ms', 0, 600_000) ?? positiveInt('status', 100, 599) ?? positiveInt('retryAfterSec', 0, 86_400);
  if (err) return { error: err };
  return { spec };
}

/** What a request triggers: delays to wait, then at most one fault that decides its fate. */
export interface FaultDecision {
  latencyMs: number;
  fault: Fault | null;
}

export class FaultRegistry {
  private faults: Fault[] = [];
  private nextId = 1;
  /**
   * Requests a `hold` parked, by fault id: each waits for its release. Kept
   * apart from the rules, so a hold whose `times` ran out can still be
   * released (tests line up "both tills have sent" deterministically).
   */
  private readonly parkedById = new Map<number, Array<() => void>>();
  private readonly parkWatchers = new Set<() => void>();

  add(spec: FaultSpec): Fault {
    const f: Fault = {
      id: this.nextId++,
      fault: spec.fault,
      backend: spec.backend,
      method: spec.method?.toUpperCase(),
      path: spec.path,
      remaining: spec.times ?? null,
      hits: 0,
      ms: spec.ms ?? (spec.fault === 'timeout' ? FAULT_DEFAULTS.timeoutCapMs : FAULT_DEFAULTS.latencyMs),
      status: spec.status ?? FAULT_DEFAULTS.status,
      retryAfterSec: spec.retryAfterSec ?? FAULT_DEFAULTS.retryAfterSec,
      held: 0,
    };
    this.faults.push(f);
    return f;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f, held: this.held(f.id) }));
  }

  /** Removes every rule; requests a hold parked go on (they are applied and answered). */
  clear(): void {
    this.faults = [];
    for (const id of [...this.parkedById.keys()]) this.release(id);
  }

  /** Removes one rule; requests it held go on. */
  remove(id: number): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    const released = this.release(id);
    return this.faults.length !== before || released > 0;
  }

  /** Parks a request a `hold` matched until release(id) (the router awaits it). */
  park(id: number): Promise<void> {
    return new Promise((resolve) => {
      const list = this.parkedById.get(id) ?? [];
      list.push(resolve);
      this.parkedById.set(id, list);
      for (const w of [...this.parkWatchers]) w();
    });
  }

  /** How many requests hold `id` has parked now. */
  held(id: number): number {
    return this.parkedById.get(id)?.length ?? 0;
  }

  /** Resolves once hold `id` has at least `n` requests parked: an event, not a timer. */
  whenHeld(id: number, n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.held(id) < n) return;
        this.parkWatchers.delete(check);
        resolve();
      };
      this.parkWatchers.add(check);
      check();
    });
  }

  /** Lets `count` (default all) parked requests of hold `id` go on, oldest first. Returns how many. */
  release(id: number, count = Infinity): number {
    const list = this.parkedById.get(id) ?? [];
    const go = list.splice(0, Math.min(count, list.length));
    if (list.length === 0) this.parkedById.delete(id);
    for (const r of go) r();
    return go.length;
  }

  /**
   * Decides what happens to one request and counts it against `times`.
   * A matching `down` wins outright (the backend answers nothing at all);
   * otherwise every matching `latency` adds its delay and the first other
   * matching fault, in the order they were added, decides the outcome.
   */
  decide(backend: string, method: string, path: string): FaultDecision {
    const matching = this.faults.filter((f) => matches(f, backend, method, path));
    const down = matching.find((f) => f.fault === 'down');
    if (down) {
      this.consume(down);
      return { latencyMs: 0, fault: down };
    }
    let latencyMs = 0;
    for (const f of matching.filter((m) => m.fault === 'latency')) {
      latencyMs += f.ms;
      this.consume(f);
    }
    const decisive = matching.find((f) => f.fault !== 'latency') ?? null;
    if (decisive) this.consume(decisive);
    return { latencyMs, fault: decisive ? { ...decisive } : null };
  }

  private consume(f: Fault): void {
    f.hits++;
    if (f.remaining !== null) {
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    }
  }
}

function matches(f: Fault, backend: string, method: string, path: string): boolean {
  if (f.backend !== undefined && f.backend !== backend) return false;
  if (f.fault === 'down') return true; // the whole backend is down, whatever the method or path
  if (f.method !== undefined && f.method !== method.toUpperCase()) return false;
  if (f.path !== undefined && !path.includes(f.path)) return false;
  return true;
}
