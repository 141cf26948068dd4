/**
 * Every fault kind, observed from a real HTTP client (fetch) against the
 * running sandbox, with the ledger checked to tell "applied" from "not".
 * Latency and held sockets wait on test/held-waits.ts, released by the test:
 * nothing here measures time.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { heldWaits, type HeldWaits } from '../test/held-waits.js';
import { createControlClient, type ControlClient } from './control-client.js';
import { DEMO_MEMBERS, SANDBOX_CREDENTIALS } from './demo-data.js';
import { startSandbox, type RunningSandbox } from './server.js';

const C = SANDBOX_CREDENTIALS.whitelabel;
const anna = DEMO_MEMBERS.anna;

describe('fault injection in the shared router', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  let token: string;
  let held: HeldWaits;

  beforeAll(async () => {
    held = heldWaits();
    sb = await startSandbox({ faultWait: held.faultWait });
    control = createControlClient(sb);
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await control.reset();
    const res = await fetch(`${sb.url}/whitelabel/auth/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: C.clientId, client_secret: C.clientSecret, grant_type: 'client_credentials', audience: 'wlloyalty.net' }),
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });

  const headers = () => ({ 'x-api-key': C.apiKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const postRedeem = (signal?: AbortSignal) =>
    fetch(`${sb.url}/whitelabel/v1/events`, {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ type: 'REDEEMED_POINTS', userId: anna.userId, payload: { points: 100, transactionId: 'sale-f', storeId: 's', terminalId: 't' } }),
      signal,
    });
  const getWallet = () => fetch(`${sb.url}/whitelabel/v1/users/${anna.userId}/wallet`, { headers: headers() });
  const eventCount = async () => (await control.whitelabel.ledger(anna.userId)).events.length;
  /** What fetch threw, as the underlying socket error code. */
  const failure = async (p: Promise<Response>): Promise<string> => {
    try {
      const r = await p;
      return `answered ${r.status}`;
    } catch (e) {
      const err = e as { name?: string; cause?: { code?: string } };
      return err.cause?.code ?? err.name ?? 'unknown';
    }
  };

  it('latency: holds the request for the asked time before the backend sees it, then answers and applies', async () => {
    await control.addFault({ fault: 'latency', ms: 250, path: '/v1/events', times: 1 });
    let answered = false;
    const posting = postRedeem().then((r) => ((answered = true), r));
    const wait = await held.next();
    expect(wait).toMatchObject({ ms: 250, why: 'latency' });
    expect(await eventCount()).toBe(0); // held before the backend handles it
    expect(answered).toBe(false);
    wait.release();
    expect((await posting).status).toBe(200);
    expect(await eventCount()).toBe(1);
  });

  it('latency past the client timeout: the client gives up but the change still lands', async () => {
    await control.addFault({ fault: 'latency', ms: 300, path: '/v1/events', times: 1 });
    const client = new AbortController();
    const posting = failure(postRedeem(client.signal));
    const wait = await held.next();
    client.abort(new DOMException('the client gave up', 'TimeoutError'));
    expect(await posting).toBe('TimeoutError');
    wait.release();
    await vi.waitUntil(async () => (await eventCount()) === 1, { timeout: 10_000, interval: 20 });
  });

  it('status: answers the status in the backend error shape, applies nothing, `times` limits it', async () => {
    await control.addFault({ fault: 'status', status: 500, times: 1 });
    const r = await postRedeem();
    expect(r.status).toBe(500);
    expect(await r.json()).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
    expect(await eventCount()).toBe(0);
    expect((await postRedeem()).status).toBe(200);
    expect(await eventCount()).toBe(1);
  });

  it('rate-limit: 429 with the Retry-After asked for, applies nothing', async () => {
    await control.addFault({ fault: 'rate-limit', retryAfterSec: 7 });
    const r = await postRedeem();
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    expect(await eventCount()).toBe(0);
  });

  it('reset-before: the connection is reset and nothing is applied', async () => {
    await control.addFault({ fault: 'reset-before', method: 'POST', path: '/v1/events' });
    expect(await failure(postRedeem())).toBe('ECONNRESET');
    expect(await eventCount()).toBe(0);
  });

  it('reset-after: the change is applied and the answer is lost', async () => {
    await control.addFault({ fault: 'reset-after', method: 'POST', path: '/v1/events', times: 1 });
    expect(await failure(postRedeem())).toBe('ECONNRESET');
    const ledger = await control.whitelabel.ledger(anna.userId);
    expect(ledger.events.map((e) => e.payload.transactionId)).toEqual(['sale-f']);
    expect(ledger.balances[anna.userId]).toBe(2400);
  });

  it('timeout: never answers until the client gives up, applies nothing', async () => {
    await control.addFault({ fault: 'timeout', path: '/v1/events' });
    const client = new AbortController();
    let settled = false;
    const posting = failure(postRedeem(client.signal)).finally(() => (settled = true));
    const wait = await held.next();
    expect(wait).toMatchObject({ why: 'hold', ms: 60_000 }); // the default cap
    expect(await eventCount()).toBe(0);
    expect(settled).toBe(false); // held: no answer while the sandbox holds the socket
    client.abort(new DOMException('the client gave up', 'TimeoutError'));
    expect(await posting).toBe('TimeoutError');
    expect(await eventCount()).toBe(0);
    wait.release();
  });

  it('timeout: the held socket is destroyed at the cap', async () => {
    await control.addFault({ fault: 'timeout', ms: 200, path: '/v1/events' });
    const posting = failure(postRedeem());
    const wait = await held.next();
    expect(wait).toMatchObject({ why: 'hold', ms: 200 });
    wait.release(); // the cap is reached
    expect(await posting).toBe('UND_ERR_SOCKET');
    expect(await eventCount()).toBe(0);
  });

  it('malformed: applies, then answers 200 with a body that is not JSON', async () => {
    await control.addFault({ fault: 'malformed', path: '/v1/events' });
    const r = await postRedeem();
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text.startsWith('{')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
    expect(await eventCount()).toBe(1);
  });

  it('down: every request to the backend is reset (token endpoint too) until cleared; control still answers', async () => {
    await control.addFault({ fault: 'down', backend: 'whitelabel', path: '/ignored' });
    expect(await failure(getWallet())).toBe('ECONNRESET');
    expect(await failure(postRedeem())).toBe('ECONNRESET');
    expect(await failure(fetch(`${sb.url}/whitelabel/auth/oauth/token`, { method: 'POST', body: '{}' }))).toBe('ECONNRESET');
    expect((await control.health()).faults).toBe(1);
    expect(await eventCount()).toBe(0);
    await control.clearFaults();
    expect((await getWallet()).status).toBe(200);
  });

  it('filters by method and path: a fault on POST /v1/events leaves the wallet alone', async () => {
    await control.addFault({ fault: 'status', status: 503, method: 'POST', path: '/whitelabel/v1/events' });
    expect((await getWallet()).status).toBe(200);
    expect((await postRedeem()).status).toBe(503);
  });

  it('counts hits and removes a fault after `times`', async () => {
    const f = await control.addFault({ fault: 'status', status: 502, times: 2 });
    await getWallet();
    expect((await control.listFaults()).find((x) => x.id === f.id)).toMatchObject({ hits: 1, remaining: 1 });
    await getWallet();
    expect(await control.listFaults()).toEqual([]);
  });

  it('answers 404 (problem+json) for a path no backend serves', async () => {
    const r = await fetch(`${sb.url}/nowhere`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('close() does not wait for a socket held by a timeout fault: it destroys it', async () => {
    const otherHeld = heldWaits();
    const other = await startSandbox({ faultWait: otherHeld.faultWait });
    await createControlClient(other).addFault({ fault: 'timeout' });
    const pending = fetch(`${other.url}/whitelabel/v1/event-types`).catch(() => 'gone');
    await otherHeld.next(); // held, and never released: only close() can end it
    await other.close();
    expect(await pending).toBe('gone');
  });
});
