/**
 * The loopback web host: the built renderer and the contract's methods over
 * HTTP, for the end-to-end tests (the Electron binary cannot be downloaded on
 * these machines) and for development. Same validation as IPC (dispatch.ts).
 *
 *   POST /api/call/<method>   Authorization: Bearer <token>, JSON body = input
 *                             -> 200 JSON Envelope { ok, value | error }
 *   GET  /api/events?token=   Server-Sent Events, one TerminalEvent per message
 *   GET  /api/export/<file>.csv?ticket=
 *                             a CSV download, streamed: the one-time ticket
 *                             (random, valid a minute) from the manager-approved
 *                             contract call `requestExport` is the whole
 *                             credential; the session token never goes in this
 *                             link (it would land in the download history)
 *   GET  /*                   the built renderer (dist/renderer)
 *
 * The token is random per start and reaches the page in the URL fragment
 * (never sent to the server in a Referer or log). Requests whose Host is not
 * this loopback address are refused (DNS rebinding), and a cross-origin
 * Origin is refused.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import type { TerminalEvent } from '../../shared/contract.js';
import { CONTENT_SECURITY_POLICY } from '../security-policy.js';
import { timeoutCheckInterval } from '../http-timeouts.js';
import type { Dispatch } from './dispatch.js';
import { logger } from '../log/logger.js';

const log = logger('web-host');

export interface WebHostOptions {
  dispatch: Dispatch;
  subscribe: (listener: (e: TerminalEvent) => void) => () => void;
  rendererDir: string;
  port?: number;
  host?: string;
  token?: string;
  /** Connection limits; the defaults suit one till's page (tests set small timeouts). */
  limits?: Partial<WebHostLimits>;
  /** Opens a CSV export by its one-time ticket (ManagerDesk.openExport); null when unknown, used or expired. */
  openExport?: (ticket: string) => WebDownload | null | Promise<WebDownload | null>;
}

/** A download by its one-time ticket (a promise when the terminal service runs in a process of its own). */
export interface WebDownload {
  filename: string;
  contentType: string;
  write(out: Writable): Promise<unknown>;
}

export interface WebHost {
  url: string;
  /** The URL to open: the page with its token in the fragment. */
  openUrl: string;
  token: string;
  close(): Promise<void>;
}

export interface WebHostLimits {
  /** Open connections at most (one page needs a handful: calls, the event stream, assets). */
  maxConnections: number;
  /** A client must have sent its request headers within this time. */
  headersTimeoutMs: number;
  /** ... and its whole request (not the answer: the event stream stays open) within this time. */
  requestTimeoutMs: number;
}

export const DEFAULT_WEB_HOST_LIMITS: WebHostLimits = { maxConnections: 64, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 };

/** The largest request body; a larger one is answered 413 with the JSON error. */
export const MAX_BODY = 64 * 1024;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wav': 'audio/wav',
  '.woff2': 'font/woff2',
};

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const rendererDir = resolve(opts.rendererDir);
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const tokenOk = (given: string | null | undefined): boolean => {
    if (!given) return false;
    const buf = Buffer.from(given);
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };

  const limits = { ...DEFAULT_WEB_HOST_LIMITS, ...opts.limits };
  // Node enforces header/request timeouts only when it checks (every 30 s by default).
  const server: Server = createServer({ connectionsCheckingInterval: timeoutCheckInterval(limits.headersTimeoutMs) }, (req, res) => {
    void handle(req, res).catch((e) => {
      log.error('request failed', e);
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
      else res.end();
    });
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, { error: 'wrong host' });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    } catch {
      return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'The request path is not valid.' } });
    }
    const origin = req.headers.origin;
    if (origin && !allowedHosts.has(origin.replace(/^https?:\/\//, ''))) return send(res, 403, { error: 'cross-origin request refused' });

    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
      const auth = req.headers.authorization ?? '';
      if (!tokenOk(auth.startsWith('Bearer ') ? auth.slice(7) : null))
        return send(res, 401, { ok: false, error: { code: 'FORBIDDEN', message: 'Missing or wrong token.' } });
      let method: string;
      try {
        method = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      } catch {
        return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'The method name in the path is not valid percent-encoding.' } });
      }
      let input: unknown;
      try {
        const body = await readBody(req);
        input = body.length ? JSON.parse(body) : {};
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          return send(res, 413, { ok: false, error: { code: 'INVALID_INPUT', message: `Request too large: at most ${MAX_BODY / 1024} KB.` } });
        }
        return send(res, 400, { ok: false, error: { code: 'INVALID_INPUT', message: 'The request body is not JSON.' } });
      }
      return send(res, 200, await opts.dispatch(method, input));
    }

    if (url.pathname === '/api/events') {
      if (!tokenOk(url.searchParams.get('token'))) return send(res, 401, { error: 'Missing or wrong token.' });
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      const unsubscribe = opts.subscribe((e) => res.write(`data: ${JSON.stringify(e)}\n\n`));
      const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
      heartbeat.unref();
      req.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(res);
      });
      return;
    }

    if (url.pathname.startsWith('/api/export/')) return serveExport(req, url, res);

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    return serveStatic(url.pathname, res);
  }

  /** A download by its one-time ticket; the CSV is streamed, never built in memory. */
  async function serveExport(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, { error: 'GET only' });
    const download = (await opts.openExport?.(url.searchParams.get('ticket') ?? '')) ?? null;
    if (!download) return send(res, 410, { error: 'This export link was used already or has expired: export again.' });
    res.writeHead(200, {
      'Content-Type': download.contentType,
      'Content-Disposition': `attachment; filename="${download.filename.replace(/[^A-Za-z0-9_.-]/g, '_')}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    try {
      await download.write(res);
    } catch {
      res.destroy(); // the client went away, or the export failed (logged by the desk): cut the download short
    }
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, { error: 'bad path' });
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep)) return send(res, 404, { error: 'not found' });
    if (!existsSync(file) || !statSync(file).isFile()) {
      if (!existsSync(join(rendererDir, 'index.html'))) {
        return send(res, 503, { error: 'The renderer is not built: run `npm run build:renderer`.' });
      }
      return send(res, 404, { error: 'not found' });
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
    });
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${hostForUrl}:${port}`, `localhost:${port}`]);
  const url = `http://${hostForUrl}:${port}`;
  return {
    url,
    token,
    openUrl: `${url}/#token=${token}`,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of streams) s.end();
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

class BodyTooLarge extends Error {}

/**
 * Reads a JSON body of at most MAX_BODY bytes. Too large: rejects at once (a
 * declared Content-Length says so before any byte), stops keeping chunks and
 * lets the rest drain, so the 413 answer reaches the client instead of a reset.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY) {
      req.resume();
      fail(new BodyTooLarge());
      return;
    }
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        fail(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
