import { beforeEach, describe, expect, it } from 'vitest';
import { FakeBrowserWindow, FakeWebContents } from './fakes.js';
import { createMainWindow, hardenWebContents, type BrowserWindowCtor } from './window.js';

function makeWindow(devTools?: boolean): FakeBrowserWindow {
  createMainWindow(FakeBrowserWindow as unknown as BrowserWindowCtor, { preload: '/app/dist/electron/preload.cjs', devTools });
  return FakeBrowserWindow.instances.at(-1)!;
}

describe('createMainWindow', () => {
  beforeEach(() => {
    FakeBrowserWindow.instances = [];
  });

  it('creates exactly one window with the secure webPreferences', () => {
    const win = makeWindow();
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(win.options.webPreferences).toEqual({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: false,
    });
    expect(win.options.show).toBe(false);
  });

  it('enables DevTools only when asked (development)', () => {
    expect(makeWindow(true).options.webPreferences?.devTools).toBe(true);
  });

  it("loads the app's own page over app://, not file:// or http", () => {
    const win = makeWindow();
    expect(win.loadedUrls).toEqual(['app://pos/index.html']);
  });

  it('shows the window once it is ready', () => {
    const win = makeWindow();
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('blocks navigation away from the app page, allows the app page itself', () => {
    const wc = makeWindow().webContents;
    expect(wc.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(wc.fire('will-navigate', 'file:///etc/passwd').defaultPrevented).toBe(true);
    expect(wc.fire('will-navigate', 'app://other/index.html').defaultPrevented).toBe(true);
    expect(wc.fire('will-navigate', 'javascript:alert(1)').defaultPrevented).toBe(true);
    expect(wc.fire('will-navigate', 'app://pos/index.html').defaultPrevented).toBe(false);
    expect(wc.fire('will-navigate', 'app://pos/index.html#/manager').defaultPrevented).toBe(false);
    expect(wc.fire('will-redirect', 'https://evil.example/').defaultPrevented).toBe(true);
  });

  it('denies every new window and prevents <webview>', () => {
    const wc = makeWindow().webContents;
    expect(wc.windowOpenHandler).not.toBeNull();
    expect(wc.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler!({ url: 'app://pos/index.html' })).toEqual({ action: 'deny' });
    expect(wc.fire('will-attach-webview', {}, {}).defaultPrevented).toBe(true);
  });
});

describe('hardenWebContents', () => {
  it('guards any web contents (used for every one the app creates)', () => {
    const wc = new FakeWebContents();
    hardenWebContents(wc as never);
    expect(wc.fire('will-navigate', 'https://example.com/').defaultPrevented).toBe(true);
    expect(wc.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });
});
