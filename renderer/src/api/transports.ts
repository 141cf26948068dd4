import type { Envelope, MethodInput, MethodName, MethodResult, PosBridge, TerminalEvent } from '../../../shared/contract';
import type { Transport } from './client';

/** Electron: the preload's `window.pos`. */
export function bridgeTransport(bridge: PosBridge): Transport {
  return {
    kind: 'electron',
    call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>> {
      const fn = bridge[method] as unknown as ((input: MethodInput<M>) => Promise<Envelope<MethodResult<M>>>) | undefined;
      if (typeof fn !== 'function')
        return Promise.resolve({ ok: false, error: { code: 'NOT_SUPPORTED', message: `This terminal does not offer "${method}".` } });
      return fn(input);
    },
    subscribe(listener, onConnection) {
      const off = bridge.onEvent(listener);
      onConnection?.(true);
      return off;
    },
  };
}

export interface HttpOptions {
  token: string | null;
  /** Prefix for /api (default: same origin). */
  baseUrl?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

function serviceDown(message: string): Envelope<never> {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

/** Web host: POST /api/call/<method> with the bearer token; events over SSE. */
export function httpTransport(opts: HttpOptions): Transport {
  const base = opts.baseUrl ?? '';
  const doFetch = opts.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  return {
    kind: 'http',
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Envelope<MethodResult<M>>> {
      if (!opts.token) return serviceDown('This page has no access token. Open the address the terminal printed when it started.');
      let res: Response;
      try {
        res = await doFetch(`${base}/api/call/${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${opts.token}` },
          body: JSON.stringify(input ?? {}),
          cache: 'no-store',
        });
      } catch {
        return serviceDown('The terminal service cannot be reached. Nothing was changed; try again.');
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        body = undefined;
      }
      if (body && typeof body === 'object' && 'ok' in body) return body as Envelope<MethodResult<M>>;
      if (res.status === 401 || res.status === 403) {
        return { ok: false, error: { code: 'FORBIDDEN', message: 'The access token was refused. Open the address the terminal printed when it started.' } };
      }
      return serviceDown(`The terminal service answered with an error (HTTP ${res.status}).`);
    },
    subscribe(listener, onConnection) {
      const ES = opts.EventSource ?? (typeof EventSource !== 'undefined' ? EventSource : undefined);
      if (!ES || !opts.token) {
        onConnection?.(false);
        return () => {};
      }
      const source = new ES(`${base}/api/events?token=${encodeURIComponent(opts.token)}`);
      source.onopen = () => onConnection?.(true);
      source.onerror = () => onConnection?.(false); // EventSource reconnects by itself
      source.onmessage = (msg: MessageEvent) => {
        let event: TerminalEvent;
        try {
          event = JSON.parse(String(msg.data)) as TerminalEvent;
        } catch {
          return;
        }
        if (event && (event.type === 'status' || event.type === 'sale' || event.type === 'service')) listener(event);
      };
      return () => source.close();
    },
  };
}
