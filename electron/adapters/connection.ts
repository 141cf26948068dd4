/**
 * Reading an adapter's configuration from a program's connection values
 * (shared/programs/): the one path every adapter is built through, live and
 * in training (where the emulator publishes its own connection values). The
 * values were checked by checkConnection before they were stored; these
 * readers still refuse a missing value rather than guess one.
 */
import type { RateLimit } from './request-pacer.js';
import { PosError } from '../../shared/errors.js';
import type { ConnectionValues } from '../../shared/programs/index.js';
import type { PointsRate } from '../../shared/money.js';
import { EXTRA_CA_FIELD } from './extra-ca.js';
import type { FetchLike } from './fetch-exchange.js';
import { createHttpClient, type HttpJson, type RequestTimer } from './http.js';

/** What the terminal adds to a connection: its own timeouts and the manager's rate. */
export interface AdapterOptions {
  timeoutMs?: number;
  /** The redemption rate a manager set at the terminal, for programs where the terminal owns it. */
  rate?: PointsRate;
  /**
   * The terminal's clock, where an adapter reads it (token expiry, lookup
   * windows). Tests inject one minutes off to prove windows are taken on the
   * backend's clock; absent: Date.now.
   */
  now?: () => number;
  /**
   * The request rate to keep, where the program publishes a limit (White
   * Label). Absent: the published one; null: no pacing (a benchmark against
   * an emulator whose limit was raised).
   */
  rateLimit?: RateLimit | null;
  /** Starts each request's timeout (tests: test/held-timeouts.ts); absent: real timers. */
  requestTimer?: RequestTimer;
  /** How the host reaches the network: in Electron, Chromium's net.fetch in the service's utility process (electron/shell/terminal-service-entry.ts). */
  network?: NetworkOptions;
}

export interface NetworkOptions {
  fetch?: FetchLike;
}

export function required(values: ConnectionValues, key: string): string {
  const v = values[key];
  if (v === undefined || v === '') throw new PosError('INVALID_INPUT', `The connection has no ${key}.`, { details: { field: key } });
  return v;
}

export function optional(values: ConnectionValues, key: string): string | undefined {
  const v = values[key];
  return v === undefined || v === '' ? undefined : v;
}

export function integer(values: ConnectionValues, key: string): number {
  const v = required(values, key);
  if (!/^-?\d+$/.test(v)) throw new PosError('INVALID_INPUT', `${key} must be a whole number.`, { details: { field: key } });
  return Number(v);
}

export function flag(values: ConnectionValues, key: string, fallback: boolean): boolean {
  const v = optional(values, key);
  return v === undefined ? fallback : v === 'true';
}

export function timeout(opts: AdapterOptions): { timeoutMs?: number } {
  return opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
}

/** The connection's HTTP client: its extra CA (field `extraCa`), the host's network (net.fetch in Electron). */
export function httpFor(values: ConnectionValues, opts: AdapterOptions): HttpJson {
  const extraCaPem = optional(values, EXTRA_CA_FIELD);
  return createHttpClient({
    ...(extraCaPem ? { extraCaPem } : {}),
    ...(opts.network?.fetch ? { fetch: opts.network.fetch } : {}),
    ...(opts.requestTimer ? { timer: opts.requestTimer } : {}),
  });
}

/** What every adapter's config takes from the terminal: its timeout and the connection's HTTP client. */
export function transport(values: ConnectionValues, opts: AdapterOptions): { timeoutMs?: number; http: HttpJson } {
  return { ...timeout(opts), http: httpFor(values, opts) };
}

export function clock(opts: AdapterOptions): { now?: () => number } {
  return opts.now === undefined ? {} : { now: opts.now };
}
