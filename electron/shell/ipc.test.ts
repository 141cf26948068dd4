import { describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannelFor, type TerminalEvent } from '../../shared/contract.js';
import { FakeIpcMain, FakeWebContents, RecordingRuntime, appFrame } from './fakes.js';
import { registerIpc } from './ipc.js';
import { isTrustedSender } from './security.js';

const statusEvent = { type: 'status', status: { online: true } } as unknown as TerminalEvent;

function setup() {
  const ipcMain = new FakeIpcMain();
  const runtime = new RecordingRuntime();
  const wc = new FakeWebContents();
  wc.url = 'app://pos/index.html';
  const warnings: string[] = [];
  const dispose = registerIpc(ipcMain, runtime, isTrustedSender, { target: () => wc, warn: (m) => warnings.push(m) });
  return { ipcMain, runtime, wc, dispose, warnings };
}

describe('registerIpc', () => {
  it('registers one handler per contract method, on pos:<method>, and nothing else', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => `pos:${m}`).sort());
    expect(ipcMain.handlers.size).toBe(METHOD_NAMES.length);
    expect(ipcMain.handlers.has('pos:getStatus')).toBe(true);
    expect(ipcMain.handlers.has('pos:confirmRedemption')).toBe(true);
    expect(ipcMain.handlers.has(IPC_EVENT_CHANNEL)).toBe(false);
  });

  it('passes a trusted call to the runtime with the method name and the input, and returns its envelope', async () => {
    const { ipcMain, runtime } = setup();
    runtime.answer = () => ({ ok: true, value: { saleId: 'S-12345678' } });
    const res = await ipcMain.invoke(ipcChannelFor('startSale'), appFrame(), { basketCents: 1250 });
    expect(res).toEqual({ ok: true, value: { saleId: 'S-12345678' } });
    expect(runtime.calls).toEqual([{ method: 'startSale', input: { basketCents: 1250 } }]);
  });

  it('passes only the first argument as input', async () => {
    const { ipcMain, runtime } = setup();
    await ipcMain.invoke(ipcChannelFor('getStatus'), appFrame(), {}, 'extra', { also: 'ignored' });
    expect(runtime.calls).toEqual([{ method: 'getStatus', input: {} }]);
  });

  it('refuses an untrusted sender with FORBIDDEN and never calls the runtime', async () => {
    const { ipcMain, runtime, warnings } = setup();
    const untrusted = [
      { url: 'https://evil.example/', parent: null },
      { url: 'file:///tmp/evil.html', parent: null },
      { url: 'app://pos/index.html', parent: { url: 'app://pos/index.html' } }, // an iframe
      { url: 'app://pos/index.html', parent: null, detached: true },
      null,
      undefined,
    ];
    for (const frame of untrusted) {
      for (const method of METHOD_NAMES) {
        const res = await ipcMain.invoke(ipcChannelFor(method), frame, { saleId: 'S-12345678' });
        expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.' } });
      }
    }
    expect(runtime.calls).toEqual([]);
    expect(warnings).toHaveLength(untrusted.length * METHOD_NAMES.length);
    expect(warnings[0]).toBe('[shell] refused pos:getStatus from an untrusted frame: https://evil.example/');
  });

  it('turns a throwing runtime into an INTERNAL envelope (nothing thrown crosses IPC)', async () => {
    const { ipcMain, runtime } = setup();
    runtime.answer = () => {
      throw new Error('disk on fire at /secret/path');
    };
    const res = await ipcMain.invoke(ipcChannelFor('getStatus'), appFrame(), {});
    expect(res).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } });
    expect(JSON.stringify(res)).not.toContain('/secret/path');
  });

  it("forwards runtime events to the app page's webContents on pos:event", () => {
    const { runtime, wc } = setup();
    runtime.emit(statusEvent);
    expect(wc.sent).toEqual([{ channel: 'pos:event', args: [statusEvent] }]);
  });

  it('does not send events to a destroyed window or a page that is not the app', () => {
    const { runtime, wc } = setup();
    wc.url = 'https://evil.example/';
    runtime.emit(statusEvent);
    wc.url = 'app://pos/index.html';
    wc.destroyed = true;
    runtime.emit(statusEvent);
    expect(wc.sent).toEqual([]);
  });

  it('dispose removes every handler and stops forwarding', () => {
    const { ipcMain, runtime, wc, dispose } = setup();
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(runtime.listeners.size).toBe(0);
    runtime.emit(statusEvent);
    expect(wc.sent).toEqual([]);
  });
});
