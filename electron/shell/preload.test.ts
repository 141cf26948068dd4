import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannelFor, type PosBridge, type TerminalEvent } from '../../shared/contract.js';

// The Electron binary cannot run here: `electron` is mocked (the only mock in the project).
const fake = vi.hoisted(() => {
  const exposed: Array<{ key: string; api: unknown }> = [];
  const invokes: Array<{ channel: string; args: unknown[] }> = [];
  return { exposed, invokes };
});

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const ipcRenderer = new EE() as EventEmitter & { invoke: (channel: string, ...args: unknown[]) => Promise<unknown> };
  ipcRenderer.invoke = (channel: string, ...args: unknown[]) => {
    fake.invokes.push({ channel, args });
    return Promise.resolve({ ok: true, value: channel });
  };
  return {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.push({ key, api }) },
    ipcRenderer,
  };
});

let bridge: PosBridge;
let ipcRenderer: EventEmitter;

beforeAll(async () => {
  await import('./preload.js');
  ipcRenderer = (await import('electron')).ipcRenderer as unknown as EventEmitter;
  bridge = fake.exposed[0]!.api as PosBridge;
});

describe('preload', () => {
  it('exposes exactly one object, as window.pos', () => {
    expect(fake.exposed.map((e) => e.key)).toEqual(['pos']);
  });

  it("has exactly the contract's methods plus onEvent, and nothing else (no ipcRenderer, no send)", () => {
    expect(Object.keys(bridge).sort()).toEqual([...METHOD_NAMES, 'onEvent'].sort());
    expect(Object.keys(bridge)).toHaveLength(METHOD_NAMES.length + 1);
    expect(Object.keys(bridge)).toEqual(expect.arrayContaining(['getStatus', 'confirmRedemption', 'onEvent']));
    for (const key of Object.keys(bridge)) expect(typeof (bridge as unknown as Record<string, unknown>)[key]).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('each method invokes its contract channel with the input only', async () => {
    fake.invokes.length = 0;
    for (const method of METHOD_NAMES) {
      const call = (bridge as unknown as Record<string, (input: unknown, ...rest: unknown[]) => Promise<unknown>>)[method]!;
      const res = await call({ marker: method }, 'smuggled');
      expect(res).toEqual({ ok: true, value: ipcChannelFor(method) });
    }
    expect(fake.invokes).toEqual(METHOD_NAMES.map((m) => ({ channel: ipcChannelFor(m), args: [{ marker: m }] })));
  });

  it('onEvent hands the listener the payload only (never the IpcRendererEvent) and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => seen.push(args));
    const payload = { type: 'status', status: { online: false } } as unknown as TerminalEvent;
    const ipcEvent = { sender: ipcRenderer, senderId: 0 };
    ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, payload);
    expect(seen).toEqual([[payload]]);
    expect(ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    off();
    off(); // idempotent
    expect(ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
    ipcRenderer.emit(IPC_EVENT_CHANNEL, ipcEvent, payload);
    expect(seen).toHaveLength(1);
  });

  it('onEvent refuses a non-function', () => {
    expect(() => bridge.onEvent('nope' as never)).toThrow(TypeError);
  });
});
