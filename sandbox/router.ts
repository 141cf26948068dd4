/**
 * The sandbox's shared router: sends /_control to the control API and every
 * other request to the backend mounted at its prefix, carrying out injected
 * faults on the live socket on the way. Because backends only return response
 * values (types.ts), every fault works the same for every backend.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleControl } from './control.js';
import { refuseControlRequest, type ControlGuardConfig } from './control-guard.js';
import type { Fault, FaultRegistry } from './faults.js';
import { BodyTooLargeError, parseJsonBody, problem, readBody, writeResponse } from './http-util.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from './types.js';

export const CONTROL_PREFIX = '/_control';

export interface RouterDeps {
  backends: readonly SandboxBackend[];
  faults: FaultRegistry;
  ctx: SandboxContext;
  /** Who may use the control API (control-guard.ts). */
  controlGuard: ControlGuardConfig;
  /** How injected delays are waited out (default: real timers); see FaultWait. */
  faultWait?: FaultWait;
}

/**
 * Waits out an injected delay: 'latency' before the backend handles the
 * request, 'hold' while a `timeout` fault holds the socket (the socket is
 * destroyed when it resolves). Tests pass one they resolve by hand, so a
 * test says "while the request is held" without measuring time.
 */
export type FaultWait = (ms: number, why: 'latency' | 'hold', request: FaultedRequest) => Promise<void>;

/** Which request a wait is for: the test can tell its client which one the backend holds (test/held-timeouts.ts). */
export interface FaultedRequest {
  method: string;
  /** The full path, backend prefix included (no query). */
  path: string;
}

export interface Router {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Cancels pending delays and held sockets' timers (the server destroys the sockets). */
  shutdown(): void;
}

/** A TCP reset, so the client sees ECONNRESET: the answer is lost, not merely empty. */
function resetSocket(socket: Socket | null): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

export function createRouter(deps: RouterDeps): Router {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  /** Real timers, cancelled at shutdown (the promise then never settles: the server is gone). */
  const sleep: FaultWait = (ms) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  const wait = deps.faultWait ?? sleep;

  async function toSandboxRequest(req: IncomingMessage, url: URL, prefix: string): Promise<SandboxRequest> {
    const rawBody = await readBody(req);
    const { body, bodyError } = parseJsonBody(rawBody);
    return {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname.slice(prefix.length) || '/',
      query: url.searchParams,
      headers: req.headers,
      body,
      rawBody,
      ...(bodyError ? { bodyError } : {}),
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = (req.method ?? 'GET').toUpperCase();

    if (underPrefix(url.pathname, CONTROL_PREFIX)) {
      // Checked before the body is read or any control handler runs.
      const refusal = refuseControlRequest(method, url.pathname.slice(CONTROL_PREFIX.length) || '/', req.headers, deps.controlGuard);
      if (refusal) {
        writeResponse(res, refusal);
        return;
      }
      const sreq = await toSandboxRequest(req, url, CONTROL_PREFIX);
      writeResponse(res, await handleControl(sreq, deps));
      return;
    }

    const backend = deps.backends.find((b) => underPrefix(url.pathname, b.prefix));
    if (!backend) {
      writeResponse(res, problem(404, 'Not found', `No sandbox backend serves ${url.pathname}.`));
      return;
    }

    const decision = deps.faults.decide(backend.id, method, url.pathname);
    if (decision.fault?.fault === 'down') {
      resetSocket(req.socket); // nothing is read, nothing answered
      return;
    }
    const sreq = await toSandboxRequest(req, url, backend.prefix);
    const faulted: FaultedRequest = { method, path: url.pathname };
    if (decision.latencyMs > 0) await wait(decision.latencyMs, 'latency', faulted);
    if (decision.fault?.fault === 'hold') await deps.faults.park(decision.fault.id);
    if (closed) return;
    // The backend's Date header reads its own clock, like the times it stores (a test that shifts or
    // holds the emulator's clock sees both move together, as on a real server).
    res.setHeader('date', new Date(deps.ctx.now()).toUTCString());
    await runWithFault(backend, sreq, decision.fault, req, res, faulted);
  }

  async function runWithFault(
    backend: SandboxBackend,
    sreq: SandboxRequest,
    fault: Fault | null,
    req: IncomingMessage,
    res: ServerResponse,
    faulted: FaultedRequest,
  ): Promise<void> {
    switch (fault?.fault) {
      case undefined:
      case 'latency':
      case 'hold': // parked until released (route), then handled like any request
      case 'down': // handled before; listed so the switch is exhaustive
        writeResponse(res, await backend.handle(sreq, deps.ctx));
        return;
      case 'status':
        writeResponse(res, backend.errorResponse(fault.status, `Injected fault: status ${fault.status}.`));
        return;
      case 'rate-limit':
        writeResponse(res, backend.errorResponse(429, 'Too many requests (injected fault).', { 'retry-after': String(fault.retryAfterSec) }));
        return;
      case 'reset-before':
        resetSocket(req.socket);
        return;
      case 'reset-after':
        await backend.handle(sreq, deps.ctx); // the change is applied...
        resetSocket(req.socket); // ...and its answer never reaches the client
        return;
      case 'timeout': {
        // Apply nothing, answer nothing; hold the socket so the client's own timeout fires.
        const socket = req.socket;
        void wait(fault.ms, 'hold', faulted).then(() => socket.destroy());
        return;
      }
      case 'malformed': {
        const real = await backend.handle(sreq, deps.ctx);
        const text = real.rawBody ?? JSON.stringify(real.body ?? { ok: true });
        // Cut the JSON in the middle: a body that starts right but never parses.
        writeResponse(res, { status: 200, headers: { 'content-type': 'application/json' }, rawBody: text.slice(0, Math.max(1, Math.floor(text.length / 2))) });
        return;
      }
    }
  }

  return {
    handle(req, res) {
      route(req, res).catch((e: unknown) => {
        if (res.headersSent || res.destroyed) return;
        const r: SandboxResponse =
          e instanceof BodyTooLargeError
            ? problem(413, 'Payload too large', e.message)
            : problem(500, 'Sandbox error', e instanceof Error ? e.message : String(e));
        writeResponse(res, r);
      });
    },
    shutdown() {
      closed = true;
      deps.faults.clear(); // parked requests wake up, see `closed` and answer nothing
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
