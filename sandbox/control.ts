/**
 * The sandbox control API: JSON over HTTP under /_control, never subject to
 * faults. Used by tests, the e2e suite and whoever runs a training session.
 *
 *   GET    /_control/health              -> {ok: true, backends: ['whitelabel', ...], faults: <count>}
 *   POST   /_control/reset               {seedDemo?: true} -> {ok: true}
 *            every backend back to its demo data (or empty with seedDemo: false); faults cleared
 *   GET    /_control/faults              -> {faults: [...]} with each one's remaining count and hits
 *   POST   /_control/faults              {backend?, method?, path?, fault, times?, ms?, status?, retryAfterSec?}
 *                                         -> 201 the fault with its id
 *            backend: a backend id ('whitelabel'); absent = all backends
 *            method:  HTTP method; absent = any
 *            path:    substring of the request path, e.g. '/v1/events' or '/whitelabel/v1/users/'
 *            fault:   latency      delay `ms` (default 1000), then proceed normally (the change is applied
 *                                  even if the client gave up meanwhile, like a slow real server)
 *                     status       answer `status` (default 503) in the backend's error shape, apply nothing
 *                     rate-limit   answer 429 with Retry-After: `retryAfterSec` (default 1), apply nothing
 *                     reset-before destroy the connection (TCP reset) before applying anything
 *                     reset-after  apply the change, then reset the connection: the answer is lost
 *                     timeout      apply nothing and never answer; the socket is held until the client gives
 *                                  up, or destroyed after `ms` (default 60000)
 *                     malformed    apply the change, answer 200 with a truncated JSON body
 *                     down         the whole backend answers nothing: every connection to it is reset
 *                                  (method and path are ignored) until cleared or `times` runs out
 *            times:   how many matching requests it affects; absent = until cleared
 *   DELETE /_control/faults              -> {cleared: <count>}
 *   DELETE /_control/faults/{id}         -> {cleared: 1} or 404 (requests it held go on)
 *   POST   /_control/faults/{id}/release {count?} -> {released}: parked requests of a `hold` go on
 *   *      /_control/{backendId}/...     backend-specific routes (members, ledger...), see each backend's control.ts
 *
 * Errors are application/problem+json.
 */
import { json, problem } from './http-util.js';
import { parseFaultSpec, type FaultRegistry } from './faults.js';
import type { SandboxBackend, SandboxContext, SandboxRequest, SandboxResponse } from './types.js';

export interface ControlDeps {
  backends: readonly SandboxBackend[];
  faults: FaultRegistry;
  ctx: SandboxContext;
}

/** `req.path` is below /_control, e.g. '/faults' or '/whitelabel/ledger'. */
export async function handleControl(req: SandboxRequest, deps: ControlDeps): Promise<SandboxResponse> {
  const { backends, faults } = deps;
  const route = `${req.method} ${req.path}`;
  if (req.bodyError) return problem(400, 'Bad request', 'The body is not valid JSON.');

  switch (route) {
    case 'GET /health':
      return json(200, { ok: true, backends: backends.map((b) => b.id), faults: faults.list().length });
    case 'POST /reset': {
      const seed = (req.body as { seedDemo?: unknown } | undefined)?.seedDemo;
      for (const b of backends) b.reset(seed !== false);
      faults.clear();
      return json(200, { ok: true });
    }
    case 'GET /faults':
      return json(200, { faults: faults.list() });
    case 'POST /faults': {
      const parsed = parseFaultSpec(
        req.body,
        backends.map((b) => b.id),
      );
      if ('error' in parsed) return problem(400, 'Bad fault', parsed.error);
      return json(201, faults.add(parsed.spec));
    }
    case 'DELETE /faults': {
      const n = faults.list().length;
      faults.clear();
      return json(200, { cleared: n });
    }
  }

  const release = /^\/faults\/(\d+)\/release$/.exec(req.path);
  if (release && req.method === 'POST') {
    const count = (req.body as { count?: unknown } | undefined)?.count;
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1))
      return problem(400, 'Bad release', 'count must be a whole number above zero.');
    return json(200, { released: faults.release(Number(release[1]), count ?? Infinity) });
  }

  const one = /^\/faults\/(\d+)$/.exec(req.path);
  if (one && req.method === 'DELETE') {
    return faults.remove(Number(one[1])) ? json(200, { cleared: 1 }) : problem(404, 'Not found', `No fault ${one[1]}.`);
  }

  const seg = /^\/([a-z0-9-]+)(\/.*)?$/.exec(req.path);
  const backend = seg ? backends.find((b) => b.id === seg[1]) : undefined;
  if (backend?.control) {
    const r = await backend.control({ ...req, path: seg![2] ?? '/' }, deps.ctx);
    if (r) return r;
  }
  return problem(404, 'Not found', `No control route ${req.method} /_control${req.path}.`);
}
