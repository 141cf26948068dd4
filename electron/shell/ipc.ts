/**
 * The Electron transport: one `ipcMain.handle` per contract method, each
 * checking the sender frame before the runtime sees anything, and the
 * runtime's pushed events forwarded to the window.
 *
 * Input validation is not repeated here: `runtime.call` runs the contract's
 * validateCall, the same gate the web host uses.
 */
import type { IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannelFor, type Envelope, type MethodName, type TerminalEvent } from '../../shared/contract.js';
import { DEFAULT_MESSAGES, toErrorInfo } from '../../shared/errors.js';
import { isAppUrl, type SenderFrameLike } from './security.js';
import { logger } from '../log/logger.js';

const log = logger('shell');

/** The part of the runtime the transport uses (a structural subset of electron/runtime.ts's Runtime). */
export interface IpcRuntime {
  call(method: unknown, input: unknown): Promise<Envelope<unknown>>;
  subscribe(listener: (e: TerminalEvent) => void): () => void;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Where pushed events go: the cashier window's webContents, while it lives. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
}

export type SenderCheck = (frame: SenderFrameLike | null | undefined) => boolean;

export interface IpcOptions {
  /** Where pushed events go; asked at each event, so a window created later (or re-created) receives them. */
  target?: () => EventTargetLike | null | undefined;
  /** Where refusals are reported (default: the log, level warn). Never given the input. */
  warn?: (message: string) => void;
}

export const FORBIDDEN_ENVELOPE: Envelope<never> = Object.freeze({
  ok: false,
  error: Object.freeze({ code: 'FORBIDDEN', message: DEFAULT_MESSAGES.FORBIDDEN }),
}) as Envelope<never>;

/**
 * Registers the handlers; returns a function that removes them and stops
 * forwarding events.
 */
export function registerIpc(ipcMain: IpcMainLike, runtime: IpcRuntime, isTrustedSender: SenderCheck, options: IpcOptions = {}): () => void {
  const { target, warn = (m: string) => log.warn(m) } = options;
  const channels: string[] = [];
  for (const method of METHOD_NAMES) {
    const channel = ipcChannelFor(method);
    ipcMain.handle(channel, (event, input) => handleCall(runtime, isTrustedSender, warn, method, event, input));
    channels.push(channel);
  }

  const unsubscribe = target
    ? runtime.subscribe((e) => {
        const wc = target();
        // Only the app's own page gets the terminal's state.
        if (!wc || wc.isDestroyed() || !isAppUrl(wc.getURL())) return;
        try {
          wc.send(IPC_EVENT_CHANNEL, e);
        } catch (err) {
          log.error('could not forward an event', err);
        }
      })
    : () => {};

  return () => {
    unsubscribe();
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}

async function handleCall(
  runtime: IpcRuntime,
  isTrustedSender: SenderCheck,
  warn: (message: string) => void,
  method: MethodName,
  event: IpcMainInvokeEvent,
  input: unknown,
): Promise<Envelope<unknown>> {
  let trusted = false;
  try {
    trusted = isTrustedSender(event?.senderFrame);
  } catch {
    trusted = false;
  }
  if (!trusted) {
    warn(`[shell] refused ${ipcChannelFor(method)} from an untrusted frame: ${safeUrl(event)}`);
    return FORBIDDEN_ENVELOPE;
  }
  try {
    return await runtime.call(method, input);
  } catch (err) {
    // The runtime promises never to throw; if it does, the renderer still gets an envelope.
    return { ok: false, error: toErrorInfo(err) };
  }
}

function safeUrl(event: IpcMainInvokeEvent | undefined): string {
  try {
    return String(event?.senderFrame?.url ?? '(no frame)').slice(0, 200);
  } catch {
    return '(unknown)';
  }
}
