/**
 * The cashier window: secure web preferences, the app's own page only, no
 * navigation, no new windows, no <webview>.
 *
 * Takes the BrowserWindow constructor as a parameter (and imports only
 * types from `electron`), so it is tested without the Electron binary.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, WebContents, WebPreferences } from 'electron';
import { APP_ENTRY_URL, isAppUrl } from './security.js';
import { logger } from '../log/logger.js';

const log = logger('shell');

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  preload: string;
  /** DevTools: on in development, off in a packaged build. Default false. */
  devTools?: boolean;
  /** Window title; the renderer shows TRAINING prominently itself. */
  title?: string;
}

export type BrowserWindowCtor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

/** The web preferences of every app window (Electron's security checklist). */
export function secureWebPreferences(preload: string, devTools = false): WebPreferences {
  return {
    preload,
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
    // The spell checker would download dictionaries from Google's CDN.
    spellcheck: false,
    devTools,
  };
}

type HardenableWebContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Blocks everything that could take a window away from the app's page:
 * navigation and redirects to any other URL, window.open / target=_blank,
 * and attaching a <webview>. Safe to apply more than once.
 */
export function hardenWebContents(contents: HardenableWebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Creates the cashier window and loads the app's page (app://pos/index.html; see protocol.ts). */
export function createMainWindow(BrowserWindowClass: BrowserWindowCtor, opts: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindowClass({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: opts.title ?? 'Pay with Points',
    backgroundColor: '#ffffff',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(opts.preload, opts.devTools ?? false),
  });
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL).catch((err: unknown) => {
    log.error('could not load the app page', err);
  });
  return win;
}
