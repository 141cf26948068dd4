import { describe, expect, it, vi } from 'vitest';
import type { TerminalEvent } from '../../../shared/contract';
import { PosError } from '../../../shared/errors';
import { createApi } from './client';
import { TOKEN_STORAGE_KEY, takeToken } from './token';
import { bridgeTransport, httpTransport } from './transports';

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), map: m };
}

describe('token', () => {
  it('takes the token from the fragment once, keeps it in session storage and clears the address bar', () => {
    const storage = memoryStorage();
    const replaceState = vi.fn();
    const token = takeToken({ location: { hash: '#token=abc123', pathname: '/', search: '' }, history: { replaceState, state: null }, storage });
    expect(token).toBe('abc123');
    expect(storage.map.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(replaceState).toHaveBeenCalledWith(null, '', '/');
    // Reload: no fragment any more, the session keeps it.
    const again = takeToken({ location: { hash: '', pathname: '/', search: '' }, history: { replaceState, state: null }, storage });
    expect(again).toBe('abc123');
    expect(replaceState).toHaveBeenCalledTimes(1);
  });
});

describe('http transport', () => {
  it('posts the input with the bearer token and unwraps the envelope', async () => {
    const fetch = vi.fn(async (_url: string, _init: RequestInit) => new Response(JSON.stringify({ ok: true, value: { entries: [] } })));
    const api = createApi(httpTransport({ token: 't0k', fetch: fetch as unknown as typeof globalThis.fetch }));
    await expect(api.listLog({ limit: 5 })).resolves.toEqual({ entries: [] });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/call/listLog');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer t0k');
    expect(JSON.parse(String(init.body))).toEqual({ limit: 5 });
  });

  it('throws the envelope error as a PosError with all its facts', async () => {
    const error = { code: 'MEMBER_BLOCKED', message: 'This card is blocked.', endUserMessage: { nl: 'Deze kaart is geblokkeerd.' }, details: { read: '1234' } };
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: false, error }), { status: 422 }));
    const api = createApi(httpTransport({ token: 't', fetch: fetch as unknown as typeof globalThis.fetch }));
    const e = await api.getSale({ saleId: 'sale_00000001' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PosError);
    expect((e as PosError).toInfo()).toEqual(error);
  });

  it('turns a dead service or a refused token into plain words', async () => {
    const down = createApi(
      httpTransport({
        token: 't',
        fetch: (async () => {
          throw new TypeError('fetch failed');
        }) as unknown as typeof fetch,
      }),
    );
    await expect(down.getStatus({})).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('cannot be reached') });
    const refused = createApi(httpTransport({ token: 't', fetch: (async () => new Response('nope', { status: 401 })) as unknown as typeof fetch }));
    await expect(refused.getStatus({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const none = createApi(httpTransport({ token: null, fetch: vi.fn() as unknown as typeof fetch }));
    await expect(none.getStatus({})).rejects.toMatchObject({ message: expect.stringContaining('no access token') });
  });

  it('reads pushed events from the event stream with the token in the query', () => {
    const instances: FakeES[] = [];
    class FakeES {
      onopen: (() => void) | null = null;
      onerror: (() => void) | null = null;
      onmessage: ((m: MessageEvent) => void) | null = null;
      closed = false;
      constructor(readonly url: string) {
        instances.push(this);
      }
      close() {
        this.closed = true;
      }
    }
    const t = httpTransport({ token: 'a b', EventSource: FakeES as unknown as typeof EventSource });
    const events: TerminalEvent[] = [];
    const connection: boolean[] = [];
    const off = t.subscribe(
      (e) => events.push(e),
      (c) => connection.push(c),
    );
    const es = instances[0]!;
    expect(es.url).toBe('/api/events?token=a%20b');
    es.onopen!();
    es.onmessage!({ data: JSON.stringify({ type: 'status', status: { online: false } }) } as MessageEvent);
    es.onmessage!({ data: 'not json' } as MessageEvent);
    es.onerror!();
    expect(events).toHaveLength(1);
    expect(connection).toEqual([true, false]);
    off();
    expect(es.closed).toBe(true);
  });
});

describe('electron bridge', () => {
  it('calls window.pos and subscribes through onEvent', async () => {
    const off = vi.fn();
    const bridge = {
      getStatus: vi.fn(async () => ({ ok: false as const, error: { code: 'INTERNAL' as const, message: 'x' } })),
      onEvent: vi.fn(() => off),
    };
    const transport = bridgeTransport(bridge as never);
    await expect(createApi(transport).getStatus({})).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(bridge.getStatus).toHaveBeenCalledWith({});
    transport.subscribe(() => {})();
    expect(off).toHaveBeenCalled();
  });
});
