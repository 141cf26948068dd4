/**
 * Review item 8: the web host's and the receiver's edges, on real loopback
 * sockets. Timeouts are configured small here; what is asserted is that they
 * fire at all before the test's own limit (Node's default check interval would
 * hold them for 30 s), not how fast the machine is.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { startReceiver, DEFAULT_RECEIVER_CONFIG, type RunningReceiver } from '../service/offers/receiver.js';
import { MAX_BODY, startWebHost, type WebHost } from './web-host.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function host(limits?: Parameters<typeof startWebHost>[0]['limits']): Promise<WebHost> {
  const tmp = makeTempDir();
  const h = await startWebHost({ dispatch: async (m) => ({ ok: true, value: { method: m } }), subscribe: () => () => {}, rendererDir: tmp.dir, limits });
  closers.push(tmp.cleanup, () => h.close());
  return h;
}

async function receiver(over: Partial<typeof DEFAULT_RECEIVER_CONFIG> & Record<string, unknown>): Promise<RunningReceiver> {
  const r = await startReceiver(
    { ...DEFAULT_RECEIVER_CONFIG, port: 0, ...over },
    { verification: { alertToken: 's' }, onNotice: () => 'stored', onRefused: () => {} },
  );
  closers.push(() => r.close());
  return r;
}

/** A raw socket that sends `text` and resolves with everything it got back once the server closes (or resets) it. */
async function rawExchange(url: string, text: string): Promise<{ reply: string; socket: Socket }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  closers.push(() => void socket.destroy());
  socket.on('error', () => {}); // a reset counts as closed; 'close' follows
  socket.on('connect', () => socket.write(text));
  let reply = '';
  socket.on('data', (d) => (reply += String(d)));
  await new Promise((resolve) => socket.once('close', resolve));
  return { reply, socket };
}

describe('web host', () => {
  it('answers a body over 64 KB with 413 and the JSON error (no socket reset), and keeps serving', async () => {
    const h = await host();
    const call = (body: string) =>
      fetch(`${h.url}/api/call/getStatus`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body });
    for (const size of [MAX_BODY + 1, 4 * 1024 * 1024]) {
      const res = await call(JSON.stringify({ pad: 'x'.repeat(size) }));
      expect(res.status, `${size} bytes`).toBe(413);
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('64 KB') } });
    }
    // Without a Content-Length (chunked): the same answer.
    const { reply } = await rawExchange(
      h.url,
      `POST /api/call/getStatus HTTP/1.1\r\nHost: ${new URL(h.url).host}\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
        `${(MAX_BODY + 10).toString(16)}\r\n${'x'.repeat(MAX_BODY + 10)}\r\n0\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('"code":"INVALID_INPUT"');
    expect((await call('{}')).status).toBe(200);
  });

  it('answers a malformed percent-encoding in the path with 400, not 500', async () => {
    const h = await host();
    for (const path of ['/api/call/%E0%A4%A', '/api/call/get%zzStatus', '/%E0%A4%A']) {
      const { reply } = await rawExchange(
        h.url,
        `POST ${path} HTTP/1.1\r\nHost: ${new URL(h.url).host}\r\nAuthorization: Bearer ${h.token}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
      );
      expect(reply, path).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(reply).not.toMatch(/^HTTP\/1\.1 500/);
      expect(reply).not.toMatch(/URIError|at decodeURIComponent/);
    }
  });

  it('drops a client that never finishes its headers once the configured timeout passes, and caps connections', async () => {
    const h = await host({ headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 2 });
    const { hostname, port } = new URL(h.url);
    // Half a request, never finished: the server closes it (408 or a close), long before Node's 30 s default check.
    const started = Date.now();
    const { reply } = await rawExchange(h.url, `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-Slow: `);
    expect(reply === '' || /^HTTP\/1\.1 408/.test(reply)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Two idle connections fill it: a third is dropped at once.
    const a = connect(Number(port), hostname);
    const b = connect(Number(port), hostname);
    closers.push(
      () => void a.destroy(),
      () => void b.destroy(),
    );
    for (const s of [a, b]) s.on('error', () => {}); // the server drops them too, after the header timeout
    await Promise.all([once(a, 'connect'), once(b, 'connect')]);
    const third = await rawExchange(h.url, `GET / HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    expect(third.reply).toBe('');
  });
});

describe('card-linked receiver', () => {
  it('enforces its header timeout (not after Node\u2019s 30 s check) and its connection cap', async () => {
    const r = await receiver({ headersTimeoutMs: 300, requestTimeoutMs: 600, maxConnections: 1 });
    const started = Date.now();
    const { reply } = await rawExchange(r.localUrl, `POST /webhooks/card-linked HTTP/1.1\r\nHost: x\r\nX-Fidel-Signature: `);
    expect(reply === '' || /^HTTP\/1\.1 408/.test(reply)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    const { hostname, port } = new URL(r.localUrl);
    const a = connect(Number(port), hostname);
    closers.push(() => void a.destroy());
    a.on('error', () => {});
    await once(a, 'connect');
    const second = await rawExchange(r.localUrl, `GET /webhooks/card-linked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(second.reply).toBe('');
  });

  it('keeps its documented defaults: 5 s for headers, 10 s for the request', async () => {
    // The limits themselves are Node's; what this file guards is that they are set and checked often enough.
    const { timeoutCheckInterval } = await import('../http-timeouts.js');
    expect(timeoutCheckInterval(5_000)).toBeLessThanOrEqual(1_000);
    expect(timeoutCheckInterval(300)).toBeLessThanOrEqual(60);
  });
});
