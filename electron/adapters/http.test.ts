/**
 * httpJson against real loopback servers: a tiny node:http server scripted
 * per path for status codes and bodies, and the sandbox for socket faults.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { createControlClient } from '../../sandbox/control-client.js';
import { startSandbox, type RunningSandbox } from '../../sandbox/server.js';
import { classifyFetchFailure, closeIdleHttpSockets, httpJson, parseRetryAfter, type HttpJsonRequest } from './http.js';

const SECRET = 'super-secret-key-value';

/** What httpJson threw, as a plain object (or fails the test if it did not throw). */
async function thrown(req: Partial<HttpJsonRequest> & { url: string }): Promise<PosError> {
  try {
    await httpJson({ method: 'GET', timeoutMs: 2000, ...req });
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    const err = e as PosError;
    // Credentials and paths never leak into what the terminal shows or logs.
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain(SECRET);
    expect(JSON.stringify({ m: err.message, d: err.details })).not.toContain('/member/');
    return err;
  }
  throw new Error('expected httpJson to throw');
}

describe('httpJson', () => {
  let server: Server;
  let base: string;
  let sandbox: RunningSandbox;
  let seen: { method?: string; headers?: Record<string, unknown>; body?: string; port?: number } = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen = { method: req.method, headers: req.headers, body, port: req.socket.remotePort };
        const path = (req.url ?? '').replace(/\?.*/, '');
        const send = (status: number, text: string, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(text);
        };
        switch (path) {
          case '/member/ok':
            return send(200, '{"balance":12}');
          case '/member/echo':
            return send(200, JSON.stringify({ got: JSON.parse(body || 'null') }));
          case '/member/no-content':
            return send(204, '');
          case '/member/html':
            return send(200, '<html>captive portal</html>', { 'content-type': 'text/html' });
          case '/member/empty-200':
            return send(200, '');
          case '/member/404':
            return send(404, '{"code":"USER_NOT_FOUND"}');
          case '/member/409-text':
            return send(409, 'conflict');
          case '/member/429-sec':
            return send(429, '{}', { 'retry-after': '3' });
          case '/member/429-date':
            return send(429, '{}', { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() });
          case '/member/429-none':
            return send(429, '{}');
          case '/member/408':
            return send(408, '');
          case '/member/500':
            return send(500, '{"boom":true}');
          case '/member/503-retry':
            return send(503, '', { 'retry-after': '2' });
          case '/member/302':
            return send(302, '', { location: 'http://example.invalid/steal' });
          case '/member/close':
            req.socket.destroy();
            return;
          case '/member/silent':
            return; // never answers: only the client's own timeout ends the call (afterAll closes the socket)
          case '/member/multi':
            res.writeHead(200, [
              ['content-type', 'application/json'],
              ['X-Multi', 'a'],
              ['x-multi', 'b'],
            ]);
            res.end('\ufeff{"bom":true}');
            return;
          default:
            return send(404, '{}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await sandbox.close();
  });

  it('sends JSON with the given headers and parses the JSON answer', async () => {
    const r = await httpJson({ method: 'POST', url: `${base}/member/echo`, headers: { 'x-api-key': SECRET }, body: { points: 5 }, timeoutMs: 2000 });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ got: { points: 5 } });
    expect(r.headers['content-type']).toBe('application/json');
    expect(seen.method).toBe('POST');
    expect(seen.headers).toMatchObject({ 'x-api-key': SECRET, 'content-type': 'application/json', accept: 'application/json' });
  });

  it("honours `expect`: 'empty' ignores the body, 'any' tolerates non-JSON", async () => {
    expect((await httpJson({ method: 'DELETE', url: `${base}/member/no-content`, timeoutMs: 2000, expect: 'empty' })).status).toBe(204);
    const any = await httpJson({ method: 'GET', url: `${base}/member/html`, timeoutMs: 2000, expect: 'any' });
    expect(any.body).toBeUndefined();
    expect(any.rawText).toContain('captive');
  });

  it.each(['/member/html', '/member/empty-200'])('a 2xx that is not JSON (%s) is BACKEND_BAD_RESPONSE', async (path) => {
    const e = await thrown({ url: base + path });
    expect(e.code).toBe('BACKEND_BAD_RESPONSE');
    expect(e.details?.notApplied).toBeUndefined();
  });

  it('returns other 4xx to the adapter, body parsed when JSON', async () => {
    expect(await httpJson({ method: 'GET', url: `${base}/member/404`, timeoutMs: 2000 })).toMatchObject({ status: 404, body: { code: 'USER_NOT_FOUND' } });
    expect(await httpJson({ method: 'GET', url: `${base}/member/409-text`, timeoutMs: 2000 })).toMatchObject({
      status: 409,
      body: undefined,
      rawText: 'conflict',
    });
  });

  it('429 is BACKEND_RATE_LIMITED, not applied, with retryAfterMs from seconds or an HTTP date', async () => {
    const sec = await thrown({ url: `${base}/member/429-sec` });
    expect(sec).toMatchObject({ code: 'BACKEND_RATE_LIMITED', details: { notApplied: true, retryAfterMs: 3000, status: 429 } });
    // An HTTP date an hour ahead (whole seconds), counted from the client's clock: at most an hour, and
    // well over the 59 minutes no slow machine takes to deliver the answer (parseRetryAfter's own tests pin exact figures).
    const date = await thrown({ url: `${base}/member/429-date` });
    expect(date.details?.retryAfterMs).toBeGreaterThan(59 * 60_000);
    expect(date.details?.retryAfterMs).toBeLessThanOrEqual(3_600_000);
    expect((await thrown({ url: `${base}/member/429-none` })).details?.retryAfterMs).toBeUndefined();
  });

  it('408 is BACKEND_TIMEOUT, not applied', async () => {
    expect(await thrown({ url: `${base}/member/408` })).toMatchObject({ code: 'BACKEND_TIMEOUT', details: { notApplied: true } });
  });

  it('5xx is BACKEND_UNAVAILABLE with the status, outcome unknown', async () => {
    const e = await thrown({ url: `${base}/member/500` });
    expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { status: 500 } });
    expect(e.details?.notApplied).toBeUndefined();
    expect((await thrown({ url: `${base}/member/503-retry` })).details).toMatchObject({ status: 503, retryAfterMs: 2000 });
  });

  it('a redirect is never followed', async () => {
    expect((await thrown({ url: `${base}/member/302`, headers: { 'x-api-key': SECRET } })).code).toBe('BACKEND_BAD_RESPONSE');
  });

  it('connection refused is BACKEND_UNAVAILABLE, certainly not applied', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const e = await thrown({ method: 'POST', url: `http://127.0.0.1:${port}/member/x`, headers: { 'x-api-key': SECRET }, body: {} });
    expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true, cause: 'ECONNREFUSED', method: 'POST' } });
  });

  it('a socket closed after sending is BACKEND_UNAVAILABLE with the outcome unknown', async () => {
    const e = await thrown({ method: 'POST', url: `${base}/member/close`, body: {} });
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.details?.notApplied).toBeUndefined();
  });

  it('a connection reset (sandbox reset-after) is BACKEND_UNAVAILABLE with the outcome unknown', async () => {
    await createControlClient(sandbox).addFault({ fault: 'reset-after', times: 1 });
    const e = await thrown({ method: 'POST', url: `${sandbox.url}/whitelabel/v1/events`, body: {} });
    expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { cause: 'ECONNRESET' } });
    expect(e.details?.notApplied).toBeUndefined();
  });

  it('our own timeout is BACKEND_TIMEOUT, outcome unknown', async () => {
    // The server never answers, so only httpJson's timeout can end this call (else the test times out).
    // A first call leaves a connected keep-alive socket, so the timeout cannot fall before the
    // connection on a slow machine (that would be a connect timeout: not applied, another code).
    await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 10_000 });
    const e = await thrown({ url: `${base}/member/silent`, timeoutMs: 500 });
    expect(e.code).toBe('BACKEND_TIMEOUT');
    expect(e.details?.notApplied).toBeUndefined();
  });

  it('an unparseable URL is BACKEND_UNAVAILABLE, not applied', async () => {
    expect(await thrown({ url: 'http:// not a url' })).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true } });
    expect(await thrown({ url: 'ftp://127.0.0.1/member/x' })).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true } });
  });

  it('joins repeated response headers under their lower-case name, and reads a UTF-8 body without its BOM, as fetch does', async () => {
    const r = await httpJson({ method: 'GET', url: `${base}/member/multi`, timeoutMs: 2000 });
    expect(r.headers['x-multi']).toBe('a, b');
    expect(r.body).toEqual({ bom: true });
  });

  it('reuses one keep-alive connection, and a reset on the reused socket is outcome unknown (never retried)', async () => {
    await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 2000 });
    const first = seen.port;
    await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 2000 });
    expect(seen.port).toBe(first);
    const e = await thrown({ method: 'POST', url: `${base}/member/close`, body: {} });
    expect(seen.port).toBe(first); // it went out on the pooled socket
    expect(e.code).toBe('BACKEND_UNAVAILABLE');
    expect(e.details?.notApplied).toBeUndefined();
    // The pool recovers on a fresh socket.
    expect((await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 2000 })).status).toBe(200);
  });

  it('closeIdleHttpSockets drops the idle pooled sockets; later requests open new ones', async () => {
    await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 2000 });
    const before = seen.port;
    closeIdleHttpSockets();
    await httpJson({ method: 'GET', url: `${base}/member/ok`, timeoutMs: 2000 });
    expect(seen.port).not.toBe(before);
  });
});

describe('httpJson over TLS: failures before the handshake completes are not applied', () => {
  // A TCP server that never speaks TLS: the client connects, then its handshake hangs or is reset.
  let tcp: TcpServer;
  let port: number;
  let mode: 'hang' | 'reset' = 'hang';
  const held = new Set<Socket>();
  beforeAll(async () => {
    tcp = createTcpServer((s) => {
      s.on('error', () => {});
      if (mode === 'reset') s.once('data', () => s.resetAndDestroy());
      else held.add(s);
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    port = (tcp.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => tcp.close(r));
  });

  it('our timeout during the handshake is a connect timeout: BACKEND_UNAVAILABLE, not applied', async () => {
    mode = 'hang';
    const e = await thrown({ method: 'POST', url: `https://127.0.0.1:${port}/member/x`, body: {}, timeoutMs: 150 });
    expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true, cause: 'CONNECT_TIMEOUT' } });
  });

  it('a reset during the handshake: BACKEND_UNAVAILABLE, not applied', async () => {
    mode = 'reset';
    const e = await thrown({ method: 'POST', url: `https://127.0.0.1:${port}/member/x`, body: {} });
    expect(e).toMatchObject({ code: 'BACKEND_UNAVAILABLE', details: { notApplied: true, cause: 'ECONNRESET' } });
  });
});

describe('classifyFetchFailure (error shapes a loopback test cannot produce)', () => {
  const where = { method: 'POST', host: 'api.example' };
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });

  it('DNS failures are not applied', () => {
    expect(classifyFetchFailure(fetchFailed(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })), false, where)).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      details: { notApplied: true, cause: 'ENOTFOUND' },
    });
  });

  it('an AggregateError of refused addresses (happy eyeballs) is not applied', () => {
    const agg = new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]);
    expect(classifyFetchFailure(fetchFailed(agg), false, where).details?.notApplied).toBe(true);
  });

  it('node:http shapes (code on the error itself): DNS and TLS certificate failures are not applied', () => {
    for (const code of [
      'ENOTFOUND',
      'EAI_AGAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'CERT_HAS_EXPIRED',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ]) {
      expect(classifyFetchFailure(Object.assign(new Error(code), { code }), false, where)).toMatchObject({
        code: 'BACKEND_UNAVAILABLE',
        details: { notApplied: true, cause: code },
      });
    }
  });

  it('a reset is outcome-unknown unless the socket never connected', () => {
    const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyFetchFailure(reset(), false, where).details?.notApplied).toBeUndefined();
    expect(classifyFetchFailure(reset(), false, where, true)).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      details: { notApplied: true, cause: 'ECONNRESET' },
    });
  });

  it('an unknown failure is outcome-unknown, and our timeout wins over any cause', () => {
    expect(classifyFetchFailure(fetchFailed(new Error('weird')), false, where).details?.notApplied).toBeUndefined();
    expect(classifyFetchFailure(fetchFailed(Object.assign(new Error(''), { code: 'ECONNREFUSED' })), true, where).code).toBe('BACKEND_TIMEOUT');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    [undefined, undefined],
  ])('%s -> %s', (v, ms) => {
    expect(parseRetryAfter(v, now)).toBe(ms);
  });
});
