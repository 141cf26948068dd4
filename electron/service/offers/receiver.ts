/**
 * The Pentadata alert receiver: a small node:http server of its own (not
 * the web host, which is loopback-only for the renderer and has its own
 * token), listening on a configured address and path, loopback by default.
 * In a real deployment it sits behind the store's HTTPS reverse proxy; see
 * README.md beside this file.
 *
 * Per request, in this order:
 *   1. wrong path -> 404, wrong method -> 405 (not counted: not an alert);
 *   2. the RAW body is read (at most maxBodyBytes; more -> 413, 'malformed');
 *   3. the Pentadata-Key header is compared with the alert token in constant
 *      time -> 401 'bad-key' (missing too); then, where an HMAC is configured,
 *      its signature -> 401 'bad-signature' (verifyPentadataAlert);
 *   4. the body must be a transaction the terminal can read (a transaction
 *      id, an amount, a currency, a time) -> 400 'malformed', and the raw
 *      body goes to the log (onUnreadable): the sender was authentic;
 *   5. onNotice stores it, once per transaction id -> 200; one already here
 *      (the catch-up found it first, or Pentadata sent it twice) -> 200 too,
 *      counted 'duplicate', nothing stored again;
 *   6. a storage failure -> 500, reported, not counted (Pentadata does not
 *      retry: the catch-up recovers it).
 * Pentadata neither waits for nor reads the answer; it is kept short anyway.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NoticeRefusalReason } from '../../../shared/contract/offers.js';
import { readPentadataTransaction, verifyPentadataAlert, type AlertVerification, type PentadataTransaction } from '../../adapters/pentadata.js';
import { timeoutCheckInterval } from '../../http-timeouts.js';

export interface ReceiverConfig {
  /** Address to listen on; loopback by default (the proxy forwards to it). */
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The path notices are posted to, e.g. /webhooks/card-linked. */
  path: string;
  /**
   * The URL registered with the platform, which the signature covers: the
   * proxy's public https URL in a real deployment. Default: the local URL.
   */
  publicUrl?: string;
  maxBodyBytes: number;
  /** A client must have sent its headers within this time (default 5 s). */
  headersTimeoutMs?: number;
  /** ... and its whole request within this time (default 10 s). */
  requestTimeoutMs?: number;
  /** Open connections at most; more are dropped at once (default 256). */
  maxConnections?: number;
}

export const DEFAULT_RECEIVER_CONFIG: ReceiverConfig = {
  host: '127.0.0.1',
  port: 4780,
  path: '/webhooks/card-linked',
  maxBodyBytes: 64 * 1024,
};

export interface ReceiverDeps {
  /** How alerts are checked (the adapter's settings). */
  verification: AlertVerification;
  /** A readable alert: 'stored', or 'duplicate' when its transaction is here already. */
  onNotice(t: PentadataTransaction): 'stored' | 'duplicate' | 'unreadable';
  onRefused(reason: NoticeRefusalReason): void;
  /** Unexpected failures (storage); never a body or a header. */
  report?(e: unknown): void;
}

export interface RunningReceiver {
  /** Where it listens, e.g. http://127.0.0.1:4780/webhooks/card-linked. */
  localUrl: string;
  /** The URL registered with Pentadata for each card's alerts. */
  publicUrl: string;
  close(): Promise<void>;
}

const REFUSAL_STATUS: Record<NoticeRefusalReason, number> = { 'bad-key': 401, 'bad-signature': 401, malformed: 400, duplicate: 200 };

class TooLarge extends Error {}

export async function startReceiver(config: ReceiverConfig, deps: ReceiverDeps): Promise<RunningReceiver> {
  let publicUrl = config.publicUrl ?? '';

  function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
    res.end(text);
  }

  function refuse(res: ServerResponse, reason: NoticeRefusalReason): void {
    try {
      deps.onRefused(reason);
    } catch (e) {
      deps.report?.(e);
    }
    answer(res, REFUSAL_STATUS[reason], reason === 'duplicate' ? { received: true, duplicate: true } : { refused: reason });
  }

  function readRaw(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > config.maxBodyBytes) {
        reject(new TooLarge());
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > config.maxBodyBytes) {
          req.removeAllListeners('data');
          req.resume();
          reject(new TooLarge());
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== config.path) return answer(res, 404, { error: 'not found' });
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return answer(res, 405, { error: 'method not allowed' });
    }
    let raw: Buffer;
    try {
      raw = await readRaw(req);
    } catch (e) {
      if (e instanceof TooLarge) {
        res.setHeader('connection', 'close');
        return refuse(res, 'malformed');
      }
      throw e;
    }
    const rawText = raw.toString('utf8');
    const verdict = verifyPentadataAlert(req.headers, rawText, deps.verification, publicUrl);
    if (!verdict.ok) return refuse(res, verdict.reason === 'key-missing' || verdict.reason === 'key-wrong' ? 'bad-key' : 'bad-signature');

    let body: unknown;
    try {
      body = JSON.parse(rawText);
    } catch {
      body = null;
    }
    let outcome: 'stored' | 'duplicate' | 'unreadable';
    try {
      outcome = deps.onNotice(readPentadataTransaction(body, rawText));
    } catch (e) {
      deps.report?.(e);
      return answer(res, 500, { error: 'not stored' });
    }
    if (outcome === 'unreadable') return refuse(res, 'malformed');
    if (outcome === 'duplicate') return refuse(res, 'duplicate');
    return answer(res, 200, { received: true });
  }

  const headersTimeout = config.headersTimeoutMs ?? 5_000;
  // Node checks header and request timeouts only every connectionsCheckingInterval
  // (30 s by default), so a 5 s limit really meant 30 s: check often enough to keep it.
  const server: Server = createServer({ connectionsCheckingInterval: timeoutCheckInterval(headersTimeout) }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      deps.report?.(e);
      if (!res.headersSent && !res.destroyed) answer(res, 500, { error: 'internal' });
    });
  });
  // A notice is small and quick: hold nobody's socket for long.
  server.requestTimeout = config.requestTimeoutMs ?? 10_000;
  server.headersTimeout = headersTimeout;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.maxConnections = config.maxConnections ?? 256;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const localUrl = `http://${host}:${addr.port}${config.path}`;
  if (!publicUrl) publicUrl = localUrl;

  let closing: Promise<void> | null = null;
  return {
    localUrl,
    publicUrl,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
