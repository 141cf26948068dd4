/**
 * What the preload exposes as `window.pos`: the contract's PosBridge built
 * over ipcRenderer, from the contract's own METHOD_NAMES, ipcChannelFor and
 * IPC_EVENT_CHANNEL (shared/contract/method-names.ts), so a method added to the contract reaches the renderer
 * with no change here. Each method forwards only its input over IPC;
 * `onEvent` passes the renderer the event payload only, never Electron's
 * IpcRendererEvent (which carries `sender`, i.e. ipcRenderer itself).
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
// Names and channels only: the schemas (and zod with them) stay out of the preload bundle.
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannelFor } from '../../shared/contract/method-names.js';
import type { PosBridge, TerminalEvent } from '../../shared/contract.js';

type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createBridge(ipc: IpcRendererLike): PosBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    const channel = ipcChannelFor(method);
    // Exactly one argument crosses: the method's input.
    bridge[method] = (input: unknown) => ipc.invoke(channel, input);
  }
  bridge.onEvent = (listener: (event: TerminalEvent) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const wrapped = (_event: IpcRendererEvent, payload: TerminalEvent) => listener(payload);
    ipc.on(IPC_EVENT_CHANNEL, wrapped);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  };
  return Object.freeze(bridge) as unknown as PosBridge;
}
