/**
 * The White Label emulator over real HTTP: auth, wallet, the event ledger and
 * its deliberate lack of guards (negative balances, no dedupe), personal-data
 * refusal and the per-key rate limit.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createControlClient, type ControlClient } from '../control-client.js';
import { DEMO_MEMBERS, SANDBOX_CREDENTIALS, UNKNOWN_CARD_NUMBER } from '../demo-data.js';
import { startSandbox, type RunningSandbox } from '../server.js';

const C = SANDBOX_CREDENTIALS.whitelabel;

async function getToken(url: string, over: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${url}/whitelabel/auth/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: C.clientId, client_secret: C.clientSecret, grant_type: 'client_credentials', audience: 'wlloyalty.net', ...over }),
  });
}

/** apiKey null = send no X-Api-Key header. */
function api(url: string, token: string | undefined, apiKey: string | null = C.apiKey) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (apiKey !== null) headers['x-api-key'] = apiKey;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}/whitelabel/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
}

const redeemEvent = (userId: string, points: number, transactionId = 'sale-1') => ({
  type: 'REDEEMED_POINTS',
  userId,
  payload: { points, transactionId, storeId: 'store-1', terminalId: 'till-1' },
});

describe('White Label emulator', () => {
  let sb: RunningSandbox;
  let control: ControlClient;
  let token: string;
  let call: ReturnType<typeof api>;
  const anna = DEMO_MEMBERS.anna;

  beforeAll(async () => {
    sb = await startSandbox();
    control = createControlClient(sb);
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    await control.reset();
    token = ((await (await getToken(sb.url)).json()) as { access_token: string }).access_token;
    call = api(sb.url, token);
  });

  describe('auth', () => {
    it('issues a bearer token for the right client credentials', async () => {
      const res = await getToken(sb.url);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(typeof body.access_token).toBe('string');
    });

    it.each([
      [{ client_secret: 'wrong' }, 401, 'access_denied'],
      [{ audience: 'example.com' }, 403, 'access_denied'],
      [{ grant_type: 'password' }, 400, 'unsupported_grant_type'],
    ])('refuses %j', async (over, status, error) => {
      const res = await getToken(sb.url, over);
      expect(res.status).toBe(status);
      expect((await res.json()).error).toBe(error);
    });

    it('needs X-Api-Key on every API request, answering a JSON error', async () => {
      const none = await api(sb.url, token, null)('GET', `/users/${anna.userId}/wallet`);
      expect(none.status).toBe(401);
      expect(none.body).toMatchObject({ statusCode: 401, code: 'MISSING_API_KEY' });
      const wrong = await api(sb.url, token, 'not-the-key')('GET', `/users/${anna.userId}/wallet`);
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_API_KEY');
    });

    it('needs a live bearer token; revoked tokens are refused', async () => {
      expect((await api(sb.url, undefined)('GET', '/event-types')).body.code).toBe('MISSING_TOKEN');
      expect((await call('GET', '/event-types')).status).toBe(200);
      await control.whitelabel.revokeTokens();
      const after = await call('GET', '/event-types');
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('INVALID_TOKEN');
    });
  });

  describe('wallet', () => {
    it('answers the points balance of a demo member', async () => {
      const r = await call('GET', `/users/${anna.userId}/wallet`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ userId: anna.userId, pointsBalance: 2500 });
    });

    it('answers 404 for an unknown user', async () => {
      const r = await call('GET', `/users/${UNKNOWN_CARD_NUMBER}/wallet`);
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('USER_NOT_FOUND');
    });
  });

  describe('events', () => {
    it('applies REDEEMED_POINTS as points * -1 and POINTS_REFUND as +points, in order', async () => {
      const r1 = await call('POST', '/events', redeemEvent(anna.userId, 500));
      expect(r1.status).toBe(200);
      expect(r1.body).toMatchObject({ type: 'REDEEMED_POINTS', userId: anna.userId, payload: { points: 500, transactionId: 'sale-1' } });
      expect(r1.body.id).toMatch(/^evt_/);
      const r2 = await call('POST', '/events', { ...redeemEvent(anna.userId, 200, 'sale-1-r1'), type: 'POINTS_REFUND' });
      expect(r2.status).toBe(200);

      const ledger = await control.whitelabel.ledger(anna.userId);
      expect(ledger.events.map((e) => [e.seq, e.type, e.pointsDelta, e.balanceAfter])).toEqual([
        [1, 'REDEEMED_POINTS', -500, 2000],
        [2, 'POINTS_REFUND', 200, 2200],
      ]);
      expect(ledger.balances).toEqual({ [anna.userId]: 2200 });
      expect((await call('GET', `/users/${anna.userId}/wallet`)).body.pointsBalance).toBe(2200);
    });

    it('does not deduplicate a repeated transactionId (an adapter must not rely on it)', async () => {
      await call('POST', '/events', redeemEvent(anna.userId, 100, 'same'));
      await call('POST', '/events', redeemEvent(anna.userId, 100, 'same'));
      expect((await control.whitelabel.ledger(anna.userId)).balances[anna.userId]).toBe(2300);
    });

    it('lets a balance go negative, like the real engine', async () => {
      const chloe = DEMO_MEMBERS.chloe;
      expect((await call('POST', '/events', redeemEvent(chloe.userId, 1000))).status).toBe(200);
      expect((await call('GET', `/users/${chloe.userId}/wallet`)).body.pointsBalance).toBe(-700);
    });

    it('answers 404 for an event about an unknown user, applying nothing', async () => {
      const r = await call('POST', '/events', redeemEvent(UNKNOWN_CARD_NUMBER, 10));
      expect(r.status).toBe(404);
      expect((await control.whitelabel.ledger()).events).toEqual([]);
    });

    it.each([[{ email: 'a@b.c' }], [{ customerName: 'Anna' }], [{ contact: { phone: '+3212345678' } }]])(
      'refuses personal data in the payload (%j) with 400',
      async (extra) => {
        const ev = redeemEvent(anna.userId, 10);
        const r = await call('POST', '/events', { ...ev, payload: { ...ev.payload, ...extra } });
        expect(r.status).toBe(400);
        expect(r.body.code).toBe('PERSONAL_DATA_NOT_ALLOWED');
        expect((await control.whitelabel.ledger()).events).toEqual([]);
      },
    );

    it.each([
      ['an unknown event type', { ...redeemEvent('x', 10), type: 'POINTS_GIFT' }, 'UNKNOWN_EVENT_TYPE'],
      ['zero points', redeemEvent(anna.userId, 0), 'VALIDATION_ERROR'],
      ['fractional points', redeemEvent(anna.userId, 1.5), 'VALIDATION_ERROR'],
      ['points as a string', { ...redeemEvent(anna.userId, 1), payload: { points: '5', transactionId: 't' } }, 'VALIDATION_ERROR'],
      ['no transactionId', { ...redeemEvent(anna.userId, 1), payload: { points: 5 } }, 'VALIDATION_ERROR'],
      ['broken JSON', '{"type":', 'INVALID_JSON'],
    ])('refuses %s with 400', async (_what, body, code) => {
      const r = await call('POST', '/events', body);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(code);
      expect((await control.whitelabel.ledger()).events).toEqual([]);
    });
  });
});

describe('White Label emulator: rate limit and token expiry (own clock)', () => {
  let sb: RunningSandbox;
  let clock = 1_700_000_000_000;
  beforeAll(async () => {
    sb = await startSandbox({ now: () => clock, whitelabel: { apiKeys: [C.apiKey, 'second-key'], tokenTtlSec: 60 } });
  });
  afterAll(() => sb.close());
  afterEach(() => createControlClient(sb).reset());

  it('allows a burst of 400 per API key, then answers 429 with Retry-After; the other key is unaffected', async () => {
    const token = ((await (await getToken(sb.url)).json()) as { access_token: string }).access_token;
    const call = api(sb.url, token);
    const statuses: number[] = [];
    for (let batch = 0; batch < 8; batch++) {
      const rs = await Promise.all(Array.from({ length: 50 }, () => call('GET', '/event-types')));
      statuses.push(...rs.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true); // the clock is frozen: no refill
    const limited = await call('GET', '/event-types');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect((await api(sb.url, token, 'second-key')('GET', '/event-types')).status).toBe(200);

    clock += 10; // one token back at 100/s
    expect((await call('GET', '/event-types')).status).toBe(200);
    expect((await call('GET', '/event-types')).status).toBe(429);
  });

  it('expires tokens after expires_in', async () => {
    const token = ((await (await getToken(sb.url)).json()) as { access_token: string }).access_token;
    const call = api(sb.url, token);
    expect((await call('GET', '/event-types')).status).toBe(200);
    clock += 61_000;
    expect((await call('GET', '/event-types')).body.code).toBe('INVALID_TOKEN');
  });
});
