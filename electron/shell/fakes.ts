/**
 * Test-only stand-ins for the few Electron objects the shell touches; used by
 * electron/shell/*.test.ts (the Electron binary cannot run on the build
 * machines). Never imported by the app: not bundled.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, WindowOpenHandlerResponse } from 'electron';
import type { Envelope, TerminalEvent } from '../../shared/contract.js';

/** An Electron-style event: `preventDefault()` and `defaultPrevented`. */
export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  url = '';
  destroyed = false;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => WindowOpenHandlerResponse) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getURL(): string {
    return this.url;
  }
  /** Emits like Electron: returns the event so a test can see whether a listener prevented it. */
  fire(name: string, ...args: unknown[]): FakeEvent {
    const event = new FakeEvent();
    this.emit(name, event, ...args);
    return event;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly options: BrowserWindowConstructorOptions;
  readonly webContents = new FakeWebContents();
  loadedUrls: string[] = [];
  destroyed = false;
  shown = false;
  focused = false;
  closeCalls = 0;

  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.webContents.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Like BrowserWindow.close(): 'close' can be prevented; otherwise the window is destroyed and 'closed' follows. */
  close(): FakeEvent {
    this.closeCalls++;
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
    return event;
  }
}

/** A runtime double that records calls (for transport tests that must prove the runtime was NOT reached). */
export class RecordingRuntime {
  calls: Array<{ method: unknown; input: unknown }> = [];
  listeners = new Set<(e: TerminalEvent) => void>();
  waiting = 0;
  closed = 0;
  closeImpl: () => Promise<void> = async () => {};
  answer: (method: unknown, input: unknown) => Envelope<unknown> = (method) => ({ ok: true, value: { echoed: method } });

  call(method: unknown, input: unknown): Promise<Envelope<unknown>> {
    this.calls.push({ method, input });
    return Promise.resolve(this.answer(method, input));
  }
  subscribe(listener: (e: TerminalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: TerminalEvent): void {
    for (const l of this.listeners) l(e);
  }
  waitingCount(): number {
    return this.waiting;
  }
  close(): Promise<void> {
    this.closed++;
    return this.closeImpl();
  }
}

/** An ipcMain stand-in: keeps the handlers so a test can invoke them like Electron would. */
export class FakeIpcMain {
  handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: never, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener as (event: unknown, ...args: unknown[]) => unknown);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(channel: string, senderFrame: unknown, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ senderFrame }, ...args);
  }
}

/** A top-level frame of the app's own page, as Electron's WebFrameMain would describe it. */
export const appFrame = (url = 'app://pos/index.html') => ({ url, parent: null, detached: false });
