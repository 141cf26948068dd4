/**
 * The card-linked notice receiver: a small node:http server of its own (not
 * the web host, which is loopback-only for the renderer and has its own
 * token), listening on a configured address and path, loopback by default.
 * In a real deployment it sits behind the store's HTTPS reverse proxy; see
 * README.md beside this file.
 *
 * Per request, in this order:
 *   1. wrong path -> 404, wrong method -> 405 (not counted: not a notice);
 *   2. the RAW body is read (at most maxBodyBytes; more -> 413, 'malformed');
 *   3. X-Fidel-Signature is checked over rawBody + publicUrl + X-Fidel-Timestamp,
 *      in constant time (signature.ts) -> 401 'bad-signature' (missing headers too);
 *   4. the timestamp must be within toleranceMs of now -> 400 'stale-timestamp'
 *      (checked after the signature, so only authentic-but-old notices, i.e.
 *      replays and late redeliveries, count here; forgeries count as bad signatures);
 *   5. the body must be a transaction the terminal can read -> 400 'malformed';
 *   6. onNotice stores it, once per transaction id and kind -> 200; a
 *      duplicate (the platform's redelivery is normal) -> 200 too, counted
 *      'duplicate', nothing stored again;
 *   7. a storage failure -> 500 (the platform retries), reported, not counted.
 * Everything is synchronous after the body is read (SQLite), so the answer
 * goes out at once. Refusals answer a short JSON reason and nothing else.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NoticeRefusalReason } from '../../../shared/contract/offers.js';
import { CL_SIGNATURE_HEADER, CL_TIMESTAMP_HEADER, MalformedNotice, parseNotice, type ParsedNotice } from '../../adapters/card-linked-wire.js';
import { timestampFresh, verifySignature } from './signature.js';
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
  /** Largest accepted distance between the notice's timestamp and now (default 5 minutes). */
  toleranceMs: number;
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
  toleranceMs: 5 * 60_000,
  maxBodyBytes: 64 * 1024,
};

export interface ReceiverDeps {
  /** The signing secrets in force (one per registered webhook; two during a rotation). */
  secrets(): readonly string[];
  onNotice(n: ParsedNotice): 'stored' | 'duplicate';
  onRefused(reason: NoticeRefusalReason): void;
  /** Unexpected failures (storage); never a body or a header. */
  report?(e: unknown): void;
  now?: () => number;
}

export interface RunningReceiver {
  /** Where it listens, e.g. http://127.0.0.1:4780/webhooks/card-linked. */
  localUrl: string;
  /** What signatures must cover. */
  publicUrl: string;
  close(): Promise<void>;
}

const REFUSAL_STATUS: Record<NoticeRefusalReason, number> = { 'bad-signature': 401, 'stale-timestamp': 400, malformed: 400, duplicate: 200 };

class TooLarge extends Error {}

export async function startReceiver(config: ReceiverConfig, deps: ReceiverDeps): Promise<RunningReceiver> {
  const now = deps.now ?? Date.now;
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
    const signature = headerValue(req, CL_SIGNATURE_HEADER);
    const timestamp = headerValue(req, CL_TIMESTAMP_HEADER);
    if (signature === undefined || timestamp === undefined) return refuse(res, 'bad-signature');
    if (!verifySignature({ secrets: deps.secrets(), rawBody: raw, url: publicUrl, timestamp, signature })) return refuse(res, 'bad-signature');
    if (!timestampFresh(timestamp, now(), config.toleranceMs)) return refuse(res, 'stale-timestamp');

    let notice: ParsedNotice;
    try {
      notice = parseNotice(JSON.parse(raw.toString('utf8')));
    } catch (e) {
      if (e instanceof SyntaxError || e instanceof MalformedNotice) return refuse(res, 'malformed');
      throw e;
    }
    let outcome: 'stored' | 'duplicate';
    try {
      outcome = deps.onNotice(notice);
    } catch (e) {
      deps.report?.(e);
      return answer(res, 500, { error: 'not stored; send again' });
    }
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

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
