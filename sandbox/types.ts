/**
 * The contract between the sandbox's shared router and each emulated backend.
 *
 * A backend is a module mounted under its own path prefix (`/whitelabel`,
 * later `/uitpas`, `/capillary`, ...). It never touches the socket: it gets a
 * fully read request and returns a response value. That is what lets the
 * router inject every fault uniformly: it can answer before the backend runs
 * (status, rate-limit), run the backend and then lose the answer (reset-after),
 * or run it and garble the answer (malformed), for every backend alike.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface SandboxRequest {
  method: string;
  /** The path below the backend's prefix, e.g. `/v1/users/123/wallet`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; undefined when empty or not JSON (see bodyError). */
  body: unknown;
  rawBody: string;
  /** Set when a non-empty body was not valid JSON: the backend answers in its own error shape. */
  bodyError?: 'invalid-json';
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless rawBody is given. */
  body?: unknown;
  /** Sent as is (used for deliberately broken bodies). */
  rawBody?: string;
}

export interface SandboxContext {
  /** Milliseconds since the epoch; injectable so token expiry and rate limits can be tested. */
  now(): number;
}

export interface SandboxBackend {
  /** Short id used by the control API and fault filters: 'whitelabel', 'uitpas', ... */
  readonly id: string;
  /** Mount point, e.g. '/whitelabel'. Requests below it are handed to `handle`. */
  readonly prefix: string;
  /** Answers one API request, applying its effect to the backend's ledger. */
  handle(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse>;
  /**
   * An error in this backend's own shape (JSON error, RFC 7807 problem...),
   * used by the router for injected `status` and `rate-limit` faults so that
   * an adapter sees exactly what the real backend would send.
   */
  errorResponse(status: number, message: string, headers?: Record<string, string>): SandboxResponse;
  /** Backend-specific control routes, mounted at `/_control/<id>/...`. Undefined = 404. */
  control?(req: SandboxRequest, ctx: SandboxContext): Promise<SandboxResponse | undefined>;
  /** Back to a clean state, with the demo members when seedDemo is true. */
  reset(seedDemo: boolean): void;
}
