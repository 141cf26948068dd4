import type { PosBridge, TerminalApi } from '../../../shared/contract';
import { createApi, type Transport } from './client';
import { takeToken } from './token';
import { bridgeTransport, httpTransport } from './transports';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    pos?: PosBridge;
  }
}

export interface Connection {
  api: TerminalApi;
  transport: Transport;
}

/** Picks the transport once, at start: Electron's bridge if present, else the web host. */
export function connect(): Connection {
  const transport = window.pos
    ? bridgeTransport(window.pos)
    : httpTransport({ token: takeToken({ location: window.location, history: window.history, storage: safeSessionStorage() }) });
  return { api: createApi(transport), transport };
}

function safeSessionStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export type { Transport } from './client';
