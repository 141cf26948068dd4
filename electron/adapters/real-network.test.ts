/**
 * A store's network for real, on loopback: a certificate authority the test
 * makes (openssl), the White Label emulator behind real TLS with a
 * certificate that CA signed, and a forward proxy answering CONNECT. The
 * terminal reaches the program directly and through the proxy, with and
 * without the CA configured; "Test connection" names what failed in plain
 * words (certificate not trusted, proxy refused, proxy unreachable).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PosError } from '../../shared/errors.js';
import { checkConnection } from '../../shared/programs/check.js';
import { programOf } from '../../shared/programs/index.js';
import { startSandbox, TRAINING_CONNECTIONS, type RunningSandbox } from '../../sandbox/training.js';
import { makeTestCa, startTestProxy, startTlsFront, type Listening, type TestCa, type TestProxy } from '../../test/network-fixtures.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { testConnection } from './connection-test.js';
import { parseExtraCa } from './extra-ca.js';
import { classifyChromiumFailure } from './fetch-exchange.js';
import { closeIdleHttpSockets, createHttpClient, type HttpJsonRequest } from './http.js';
import { proxyFor } from './net-route.js';
import { stepOfFailure } from './connection-test.js';
import type { Server as HttpsServer } from 'node:https';

const HOST = 'loyalty.test'; // reserved (RFC 2606): only the test's proxy knows where it is
let tmp: ReturnType<typeof makeTempDir>;
let ca: TestCa;
let otherCa: TestCa;
let sb: RunningSandbox;
let front: Listening<HttpsServer>;
let proxy: TestProxy;

beforeAll(async () => {
  tmp = makeTempDir();
  ca = makeTestCa(tmp.dir, [HOST, 'localhost']);
  const other = join(tmp.dir, 'other');
  (await import('node:fs')).mkdirSync(other);
  otherCa = makeTestCa(other, ['elsewhere.test'], 'Another CA');
  sb = await startSandbox({ port: 0 });
  front = await startTlsFront(ca, sb.url);
  proxy = await startTestProxy();
});
afterAll(async () => {
  closeIdleHttpSockets();
  await proxy.close();
  await front.close();
  await sb.close();
  tmp.cleanup();
});
afterEach(() => {
  vi.unstubAllEnvs();
  proxy.mode = 'open';
});

const direct = () => `https://localhost:${front.port}`;
const named = () => `https://${HOST}:${front.port}`;
const wl = (base: string, extra: Record<string, string> = {}) => ({ ...TRAINING_CONNECTIONS.whitelabel(base), ...extra });
const OPTS = { timeoutMs: 5000 };

async function failure(p: Promise<unknown>): Promise<PosError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PosError);
    return e as PosError;
  }
  throw new Error('expected a failure');
}

describe('TLS with a certificate authority of the store', () => {
  it('without the CA: refused before anything is sent, and Test connection says the certificate is not trusted', async () => {
    const result = await testConnection('whitelabel', wl(direct()), OPTS);
    expect(result.ok).toBe(false);
    expect(result.failed).toMatchObject({ step: 'tls' });
    expect(result.failed!.message).toMatch(/certificate of localhost:\d+ is not trusted/);
    const e = await failure(createHttpClient()({ method: 'GET', url: `${direct()}/whitelabel/v1/users`, timeoutMs: 5000 }));
    expect(e.details).toMatchObject({ notApplied: true, cause: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN/) });
  });

  it('with the CA in the connection (extraCa): every step passes over TLS', async () => {
    const values = wl(direct(), { extraCa: ca.caPem });
    expect(checkConnection(programOf('whitelabel'), values).problems).toEqual([]);
    const result = await testConnection('whitelabel', values, OPTS);
    expect(result.failed).toBeNull();
    expect(result.steps.map((s) => s.step)).toEqual(['token', 'api']);
  });

  it('NODE_EXTRA_CA_CERTS still counts when the connection names another CA (both are trusted, with the usual ones)', async () => {
    vi.stubEnv('NODE_EXTRA_CA_CERTS', ca.caFile);
    const ok = await testConnection('whitelabel', wl(direct(), { extraCa: otherCa.caPem }), OPTS);
    expect(ok.failed).toBeNull();
    vi.stubEnv('NODE_EXTRA_CA_CERTS', '');
    const refused = await testConnection('whitelabel', wl(direct(), { extraCa: otherCa.caPem }), OPTS);
    expect(refused.failed).toMatchObject({ step: 'tls' });
  });
});

describe('through the store proxy (HTTPS_PROXY, CONNECT)', () => {
  it('reaches the program by name through the tunnel, with the CA; without it the certificate is not trusted', async () => {
    vi.stubEnv('HTTPS_PROXY', `http://127.0.0.1:${proxy.port}`);
    proxy.seen.length = 0;
    const result = await testConnection('whitelabel', wl(named(), { extraCa: ca.caPem }), OPTS);
    expect(result.failed).toBeNull();
    expect(proxy.seen).toContain(`CONNECT ${HOST}:${front.port}`);

    const untrusted = await testConnection('whitelabel', wl(named()), OPTS);
    expect(untrusted.failed).toMatchObject({ step: 'tls' });
    expect(untrusted.failed!.message).toContain(`certificate of ${HOST}:${front.port} is not trusted`);
  });

  it('a proxy that refuses the tunnel is named as the proxy, with its answer, and nothing reached the program', async () => {
    vi.stubEnv('HTTPS_PROXY', `http://127.0.0.1:${proxy.port}`);
    proxy.mode = 'refuse';
    closeIdleHttpSockets(); // a pooled tunnel from the test before would carry on without asking the proxy
    const result = await testConnection('whitelabel', wl(named(), { extraCa: ca.caPem }), OPTS);
    expect(result.failed).toMatchObject({ step: 'proxy' });
    expect(result.failed!.message).toContain(`The proxy refused the connection to ${HOST}:${front.port} (HTTP 403)`);
    const e = await failure(createHttpClient({ extraCaPem: ca.caPem })({ method: 'POST', url: `${named()}/whitelabel/v1/events`, body: {}, timeoutMs: 5000 }));
    expect(e.details).toMatchObject({ proxy: true, notApplied: true, cause: 'PROXY_HTTP_403' });
  });

  it('a proxy nobody answers at is named as unreachable', async () => {
    vi.stubEnv('HTTPS_PROXY', 'http://127.0.0.1:9');
    const result = await testConnection('whitelabel', wl(named(), { extraCa: ca.caPem }), OPTS);
    expect(result.failed).toMatchObject({ step: 'proxy' });
    expect(result.failed!.message).toMatch(/The proxy cannot be reached \(ECONNREFUSED\)/);
  });

  it('NO_PROXY and this machine go direct; HTTP_PROXY carries plain http in absolute form', async () => {
    vi.stubEnv('HTTPS_PROXY', `http://127.0.0.1:${proxy.port}`);
    vi.stubEnv('NO_PROXY', '.internal.example');
    expect(proxyFor(new URL('https://api.internal.example/v1'))).toBeNull();
    expect(proxyFor(new URL(`https://127.0.0.1:${front.port}`))).toBeNull();
    expect(proxyFor(new URL(direct()))).toBeNull();
    expect(proxyFor(new URL(named()))).toBe(`http://127.0.0.1:${proxy.port}`);

    vi.stubEnv('HTTP_PROXY', `http://127.0.0.1:${proxy.port}`);
    proxy.seen.length = 0;
    const port = new URL(sb.url).port;
    const res = await createHttpClient()({ method: 'POST', url: `http://${HOST}:${port}/whitelabel/oauth/token`, body: {}, timeoutMs: 5000, expect: 'any' });
    expect(res.status).toBeGreaterThanOrEqual(400); // the emulator's own refusal of an empty sign-in: it was reached
    expect(proxy.seen).toEqual([`POST http://${HOST}:${port}/whitelabel/oauth/token`]);
  });
});

describe('the extra CA field', () => {
  it('refuses what is not a certificate, by name, before anything is stored or sent', () => {
    const p = programOf('whitelabel');
    const problem = (extraCa: string) => checkConnection(p, wl(direct(), { extraCa })).problems;
    expect(problem('my CA')).toEqual([{ path: 'connection.extraCa', message: expect.stringContaining('is not a PEM certificate') }]);
    const key = readFileSync(join(tmp.dir, 'ca.key'), 'utf8');
    expect(problem(key)).toEqual([{ path: 'connection.extraCa', message: expect.stringContaining('private key') }]);
    expect(problem(ca.caPem.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'))).toEqual([
      { path: 'connection.extraCa', message: expect.stringContaining('damaged') },
    ]);
    // The right shape, but not X.509: only the service's reading finds it.
    const fake = `-----BEGIN CERTIFICATE-----\nMIIBAAAA${'A'.repeat(56)}\n-----END CERTIFICATE-----\n`;
    expect(problem(fake)).toEqual([]);
    expect(() => parseExtraCa(fake)).toThrow(/extraCa certificate 1 cannot be read/);
    expect(parseExtraCa(`${ca.caPem}\nsubject=CN = x\n${otherCa.caPem}`)).toHaveLength(2);
  });
});

describe("Electron's net.fetch path (here Node's own fetch, which has the same shape)", () => {
  const get = (url: string): HttpJsonRequest => ({ method: 'GET', url, timeoutMs: 3000, expect: 'any' });

  it('exchanges JSON, and is bypassed when the connection names an extra CA', async () => {
    const viaFetch = createHttpClient({ fetch: globalThis.fetch as never });
    const token = await viaFetch({ method: 'POST', url: `${sb.url}/whitelabel/oauth/token`, body: { client_id: 'x' }, timeoutMs: 3000, expect: 'any' });
    expect(token.status).toBeGreaterThanOrEqual(400);
    expect(token.headers['content-type']).toMatch(/json/);

    const calls: string[] = [];
    const spy = ((url: string, init: never) => (calls.push(url), globalThis.fetch(url, init))) as never;
    const withCa = createHttpClient({ fetch: spy, extraCaPem: ca.caPem });
    const token2 = await withCa({ method: 'POST', url: `${direct()}/whitelabel/oauth/token`, body: {}, timeoutMs: 3000, expect: 'any' });
    expect(token2.status).toBeGreaterThanOrEqual(400);
    expect(calls).toEqual([]); // node:https with the CA, not Chromium's store
    // Node's fetch does not trust the test CA: its failure is read like node:https's.
    const e = await failure(createHttpClient({ fetch: globalThis.fetch as never })(get(`${direct()}/whitelabel/v1/users`)));
    expect(stepOfFailure(e, 'token')).toMatchObject({ step: 'tls' });
  });

  it("reads Chromium's errors: what never left is not applied, and each is named as its step", () => {
    const where = { method: 'POST', host: `${HOST}:443` };
    const as = (code: string) => classifyChromiumFailure(new Error(`net::${code}`), where);
    expect(as('ERR_CERT_AUTHORITY_INVALID').details).toMatchObject({ notApplied: true, cause: 'ERR_CERT_AUTHORITY_INVALID' });
    expect(stepOfFailure(as('ERR_CERT_AUTHORITY_INVALID'), 'token').message).toContain('is not trusted');
    expect(stepOfFailure(as('ERR_NAME_NOT_RESOLVED'), 'token')).toMatchObject({ step: 'name-resolution' });
    expect(stepOfFailure(as('ERR_PROXY_CONNECTION_FAILED'), 'token')).toMatchObject({ step: 'proxy' });
    expect(as('ERR_TUNNEL_CONNECTION_FAILED').details).toMatchObject({ proxy: true, notApplied: true });
    expect(stepOfFailure(as('ERR_CONNECTION_REFUSED'), 'token')).toMatchObject({ step: 'connect' });
    // After the request may have gone out: outcome unknown.
    expect(as('ERR_CONNECTION_RESET').details?.notApplied).toBeUndefined();
    expect(as('ERR_EMPTY_RESPONSE').details?.notApplied).toBeUndefined();
  });
});
