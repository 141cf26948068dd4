/**
 * A store's network, made for a test on loopback: a certificate authority
 * and a server certificate (openssl CLI; Node can read certificates but not
 * make them), an HTTPS server that terminates TLS in front of a plain-HTTP
 * emulator (so a program is reached over real TLS), and a forward proxy that
 * answers CONNECT (and plain-http absolute-form requests), mapping the
 * made-up host name the terminal asks for onto the loopback server.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TestCa {
  /** The CA's certificate (PEM): what a store's IT would hand out. */
  caPem: string;
  caFile: string;
  /** A server certificate signed by the CA, for `names` (DNS names; 127.0.0.1 is always added). */
  serverKey: string;
  serverCert: string;
}

const run = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA and a server certificate in `dir` (EC P-256: quick to make). */
export function makeTestCa(dir: string, names: string[], caName = 'PWP Test Store Firewall CA'): TestCa {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    `/CN=${caName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  run(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`]);
  const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  run(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { caPem: read('ca.pem'), caFile: join(dir, 'ca.pem'), serverKey: read('server.key'), serverCert: read('server.pem') };
}

export interface Listening<S> {
  server: S;
  port: number;
  close(): Promise<void>;
}

async function listen<S extends HttpServer | HttpsServer>(server: S): Promise<Listening<S>> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** HTTPS on loopback with the CA's server certificate, passing every request on to `upstream` (a plain-HTTP base URL). */
export function startTlsFront(ca: TestCa, upstream: string): Promise<Listening<HttpsServer>> {
  const server = createHttpsServer({ key: ca.serverKey, cert: ca.serverCert }, (req, res) => {
    const up = httpRequest(new URL(req.url ?? '/', upstream), { method: req.method, headers: { ...req.headers, host: new URL(upstream).host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return listen(server);
}

export interface TestProxy extends Listening<HttpServer> {
  /** Each request line the proxy received: "CONNECT loyalty.test:443", "GET http://...". */
  seen: string[];
  /** 'open' tunnels, 'refuse' answers CONNECT with 403. */
  mode: 'open' | 'refuse';
}

/** A forward proxy: every host it is asked for is reached at 127.0.0.1 on the port asked for. */
export async function startTestProxy(): Promise<TestProxy> {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    // Plain http through a proxy: absolute-form request line.
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const up = httpRequest(
      { host: '127.0.0.1', port: target.port || 80, path: target.pathname + target.search, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const proxy = { seen, mode: 'open' as TestProxy['mode'] };
  server.on('connect', (req, client: import('node:net').Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    client.on('error', () => undefined);
    if (proxy.mode === 'refuse') {
      client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const port = Number((req.url ?? '').split(':').pop());
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n'));
    client.on('close', () => upstream.destroy());
  });
  const l = await listen(server);
  return Object.assign(proxy, l) as TestProxy;
}
