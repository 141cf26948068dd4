import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES } from '../../shared/contract.js';
import { FakeBrowserWindow, FakeEvent, FakeIpcMain, RecordingRuntime } from './fakes.js';
import { CONTENT_SECURITY_POLICY } from './security.js';
import { until } from '../../test/until.js';

// The Electron binary cannot run here: `electron` is mocked (the only mock in
// the project) with small fakes that record what the shell asks of it.
const electron = vi.hoisted(() => ({
  log: [] as string[],
  state: {} as Record<string, unknown>,
}));

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const fakes = await import('./fakes.js');
  const log = electron.log;
  const state = electron.state;
  const app = Object.assign(new EE(), {
    isPackaged: false,
    getPath: (name: string) => (name === 'appData' ? '/fake/appData' : `/fake/${name}`),
    setPath: (name: string, value: string) => log.push(`setPath ${name} ${value}`),
    getAppPath: () => '/fake/app',
    enableSandbox: () => log.push('enableSandbox'),
    requestSingleInstanceLock: () => {
      log.push('requestSingleInstanceLock');
      return state.lock !== false;
    },
    whenReady: () => {
      log.push('whenReady');
      return Promise.resolve();
    },
    quit: () => log.push('quit'),
    exit: (code: number) => log.push(`exit ${code}`),
  });
  const ses = {
    webRequest: { onHeadersReceived: (l: unknown) => void (state.onHeadersReceived = l) },
    setPermissionRequestHandler: (h: unknown) => void (state.permissionRequest = h),
    setPermissionCheckHandler: (h: unknown) => void (state.permissionCheck = h),
    setDevicePermissionHandler: (h: unknown) => void (state.devicePermission = h),
  };
  return {
    app,
    BrowserWindow: fakes.FakeBrowserWindow,
    ipcMain: (state.ipcMain = new fakes.FakeIpcMain()),
    session: { defaultSession: ses },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => {
        state.schemes = schemes;
        log.push('registerSchemesAsPrivileged');
      },
      handle: (scheme: string, handler: unknown) => {
        state.protocolHandler = handler;
        log.push(`protocol.handle ${scheme}`);
      },
    },
    dialog: {
      showMessageBox: (win: unknown, opts: { message: string; detail: string }) => {
        log.push('showMessageBox');
        state.dialogWindow = win;
        state.dialogOptions = opts;
        return new Promise((resolve) => (state.answerDialog = (response: number) => resolve({ response, checkboxChecked: false })));
      },
      showErrorBox: (title: string, content: string) => log.push(`showErrorBox ${title}: ${content}`),
    },
  };
});

const { app } = (await import('electron')) as unknown as { app: EventEmitter };
const { runApp, closeConfirmMessage } = await import('./lifecycle.js');

const state = electron.state as {
  lock?: boolean;
  ipcMain: FakeIpcMain;
  schemes?: unknown;
  onHeadersReceived?: (details: unknown, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void;
  dialogOptions?: { message: string; detail: string; buttons: string[]; cancelId: number };
  answerDialog?: (response: number) => void;
};
const log = electron.log;

function fireApp(name: string, ...args: unknown[]): FakeEvent {
  const event = new FakeEvent();
  app.emit(name, event, ...args);
  return event;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

async function start(argv: string[] = ['electron', '.', '--data-dir=/tmp/till-7'], runtime = new RecordingRuntime()) {
  const started: Array<{ dataDir: string; backendUrl?: string }> = [];
  const handle = runApp({
    argv,
    env: {},
    closeTimeoutMs: 50,
    startRuntime: async (opts) => {
      started.push(opts);
      return runtime;
    },
  });
  await handle.ready;
  return { handle, runtime, started, win: FakeBrowserWindow.instances.at(-1)! };
}

beforeEach(() => {
  log.length = 0;
  for (const k of Object.keys(state)) if (k !== 'ipcMain') delete (state as Record<string, unknown>)[k];
  state.ipcMain.handlers.clear();
  FakeBrowserWindow.instances = [];
  app.removeAllListeners();
});
afterEach(() => app.removeAllListeners());

describe('runApp start-up', () => {
  it('registers the app:// scheme and the sandbox before ready, then takes the lock for the data dir', async () => {
    await start();
    expect(log.slice(0, 6)).toEqual([
      'registerSchemesAsPrivileged',
      'enableSandbox',
      'setPath userData /tmp/till-7',
      'setPath sessionData /tmp/till-7/chromium',
      'requestSingleInstanceLock',
      'whenReady',
    ]);
    expect(state.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('installs the log once it owns the data dir: <data dir>/logs with --data-dir, else the OS log folder', async () => {
    const installed: string[] = [];
    const withDir = runApp({
      argv: ['x', '--data-dir=/tmp/till-7'],
      env: {},
      startRuntime: async () => new RecordingRuntime(),
      installLog: (d) => installed.push(d),
    });
    await withDir.ready;
    app.removeAllListeners();
    const os = runApp({
      argv: ['x'],
      env: { XDG_STATE_HOME: '/state' },
      startRuntime: async () => new RecordingRuntime(),
      installLog: (d) => installed.push(d),
    });
    await os.ready;
    // (per-platform folders: log-dir.test.ts; this machine is Linux)
    expect(installed).toEqual(['/tmp/till-7/logs', '/state/pay-with-points/logs']);
    expect(os.logDir).toBe(installed[1]);
    expect(withDir.logDir).toBe(installed[0]);
  });

  it('starts the runtime in training mode with the --data-dir folder', async () => {
    const { started } = await start(['electron', '.', '--data-dir', '/tmp/till-7']);
    expect(started).toEqual([{ dataDir: '/tmp/till-7' }]);
  });

  it("defaults the data dir to app.getPath('appData')/Pay with Points and passes --backend", async () => {
    const { started, handle } = await start(['electron', '.', '--backend', 'https://loyalty.example.com']);
    expect(started).toEqual([{ dataDir: '/fake/appData/Pay with Points', backendUrl: 'https://loyalty.example.com' }]);
    expect(handle.dataDir).toBe('/fake/appData/Pay with Points');
  });

  it('on ready: CSP on the session, the renderer protocol, one IPC handler per method, then the window', async () => {
    const { win } = await start();
    expect(log).toContain('protocol.handle app');
    let headers: Record<string, string[]> | undefined;
    state.onHeadersReceived!({ responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers?.['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect([...state.ipcMain.handlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => `pos:${m}`).sort());
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(win.options.webPreferences).toMatchObject({ preload: '/fake/app/dist/electron/preload.cjs', sandbox: true, contextIsolation: true, devTools: true });
    expect(win.options.title).toBe('Pay with Points');
    expect(win.loadedUrls).toEqual(['app://pos/index.html']);
  });

  it('guards every web contents the app creates', async () => {
    await start();
    const other = new FakeBrowserWindow({}).webContents;
    app.emit('web-contents-created', new FakeEvent(), other);
    expect(other.fire('will-navigate', 'https://evil.example/').defaultPrevented).toBe(true);
    expect(other.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('a second instance on the same data dir quits without starting a runtime', async () => {
    state.lock = false;
    const { started } = await start();
    expect(started).toEqual([]);
    expect(log).toContain('quit');
    expect(log).not.toContain('whenReady');
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('the first instance comes to the front when a second one starts', async () => {
    const { win } = await start();
    app.emit('second-instance');
    expect(win.focused).toBe(true);
  });

  it('a bad --backend stops before anything starts, with a message', async () => {
    const { started } = await start(['electron', '.', '--backend', 'http://loyalty.example.com']);
    expect(started).toEqual([]);
    expect(log.some((l) => l.startsWith('showErrorBox Pay with Points cannot start: Plain http is only allowed'))).toBe(true);
    expect(log).toContain('exit 2');
    expect(log).not.toContain('requestSingleInstanceLock');
  });

  it('a runtime that fails to start is reported and the app exits 1 without a window', async () => {
    const handle = runApp({
      argv: ['x', '--data-dir=/tmp/a'],
      env: {},
      startRuntime: async () => {
        throw new Error('database is locked');
      },
    });
    await handle.ready;
    expect(log).toContain('showErrorBox Pay with Points could not start: database is locked');
    expect(log).toContain('exit 1');
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });
});

describe('a provisioning file (--config FILE or PWP_CONFIG)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pwp-lifecycle-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = (baseUrl: string) => ({
    mode: 'live',
    backend: 'whitelabel',
    connection: { baseUrl, tokenUrl: 'https://auth.example.com/token', apiKey: 'k', clientId: 'c', clientSecret: { env: 'PWP_TEST_SECRET' } },
    program: { pointsCurrencyValue: '0.01' },
  });
  const write = (name: string, content: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(content));
    return f;
  };

  it('a bad one stops the app before anything starts: the field by its JSON path, exit 2', async () => {
    const bad = write('bad.json', config('http://loyalty.example.com/v1'));
    let started = 0;
    const handle = runApp({
      argv: ['x', '--data-dir=/tmp/a', '--config', bad],
      env: { PWP_TEST_SECRET: 's' },
      startRuntime: async () => (started++, new RecordingRuntime()),
    });
    await handle.ready;
    expect(log.find((l) => l.startsWith('showErrorBox Pay with Points cannot start'))).toMatch(/connection\.baseUrl: .*only allowed to this machine/);
    expect(log).toContain('exit 2');
    expect(log).not.toContain('requestSingleInstanceLock');
    expect(started).toBe(0);
  });

  it('PWP_CONFIG names a good one: the runtime gets it, secrets resolved from the environment', async () => {
    const good = write('good.json', config('https://api.rewards.wlloyalty.net/v1'));
    const got: unknown[] = [];
    const handle = runApp({
      argv: ['x', '--data-dir=/tmp/a'],
      env: { PWP_CONFIG: good, PWP_TEST_SECRET: 'the-secret' },
      startRuntime: async (opts) => (got.push(opts.config), new RecordingRuntime()),
    });
    await handle.ready;
    expect(got).toEqual([
      { file: good, config: expect.objectContaining({ mode: 'live', backend: 'whitelabel', values: expect.objectContaining({ clientSecret: 'the-secret' }) }) },
    ]);
  });
});

describe('closing the window', () => {
  it('closes without asking when nothing is waiting', async () => {
    const { win } = await start();
    const event = win.close();
    expect(event.defaultPrevented).toBe(false);
    expect(log).not.toContain('showMessageBox');
    expect(win.isDestroyed()).toBe(true);
  });

  it('asks first when redemptions are waiting; "keep open" keeps it open', async () => {
    const runtime = new RecordingRuntime();
    runtime.waiting = 3;
    const { win } = await start(undefined, runtime);
    expect(win.close().defaultPrevented).toBe(true);
    expect(state.dialogOptions?.message).toBe('3 redemptions have not been sent to the loyalty program yet.');
    expect(state.dialogOptions?.detail).toContain('will be sent at the next start');
    expect(state.dialogOptions?.buttons).toEqual(['Close anyway', 'Keep the terminal open']);
    expect(state.dialogOptions?.cancelId).toBe(1);
    // A second close while the dialog is open does not stack dialogs.
    expect(win.close().defaultPrevented).toBe(true);
    expect(log.filter((l) => l === 'showMessageBox')).toHaveLength(1);
    state.answerDialog!(1);
    await flush();
    expect(win.isDestroyed()).toBe(false);
  });

  it('"close anyway" closes the window', async () => {
    const runtime = new RecordingRuntime();
    runtime.waiting = 1;
    const { win } = await start(undefined, runtime);
    win.close();
    expect(state.dialogOptions?.message).toBe('1 redemption has not been sent to the loyalty program yet.');
    state.answerDialog!(0);
    await flush();
    expect(win.isDestroyed()).toBe(true);
    expect(win.closeCalls).toBe(2);
  });

  it('closing the last window quits the app', async () => {
    const { win } = await start();
    win.close();
    app.emit('window-all-closed');
    expect(log).toContain('quit');
  });

  it('closeConfirmMessage words singular and plural', () => {
    expect(closeConfirmMessage(1).message).toBe('1 redemption has not been sent to the loyalty program yet.');
    expect(closeConfirmMessage(12).message).toBe('12 redemptions have not been sent to the loyalty program yet.');
  });
});

describe('quitting', () => {
  it('holds the quit until runtime.close() resolves, removes the IPC handlers, then exits 0', async () => {
    const runtime = new RecordingRuntime();
    let finishClose!: () => void;
    runtime.closeImpl = () => new Promise<void>((r) => (finishClose = r));
    await start(undefined, runtime);
    const event = fireApp('will-quit');
    expect(event.defaultPrevented).toBe(true);
    expect(runtime.closed).toBe(1);
    expect(state.ipcMain.handlers.size).toBe(0);
    await flush();
    expect(log).not.toContain('exit 0');
    finishClose();
    await flush();
    expect(log).toContain('exit 0');
    // The exit's own will-quit is let through, and close is not called twice.
    expect(fireApp('will-quit').defaultPrevented).toBe(false);
    expect(runtime.closed).toBe(1);
  });

  it('a quit during start-up waits for the runtime, closes it and opens no window', async () => {
    const runtime = new RecordingRuntime();
    let finishStart!: () => void;
    const handle = runApp({
      argv: ['x', '--data-dir=/tmp/b'],
      env: {},
      closeTimeoutMs: 1000,
      startRuntime: () => new Promise((resolve) => (finishStart = () => resolve(runtime))),
    });
    await flush();
    expect(fireApp('will-quit').defaultPrevented).toBe(true);
    await flush();
    expect(log).not.toContain('exit 0');
    finishStart();
    await handle.ready;
    await flush();
    expect(runtime.closed).toBe(1);
    expect(log).toContain('exit 0');
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(state.ipcMain.handlers.size).toBe(0);
  });

  it('exits 1 when the runtime does not close in time (so the data-dir lock is never held by a hung process)', async () => {
    const runtime = new RecordingRuntime();
    runtime.closeImpl = () => new Promise<void>(() => {});
    await start(undefined, runtime);
    fireApp('will-quit');
    await until(() => log.includes('exit 1')); // the 50 ms close limit passes; the exit code is the check
    expect(log).not.toContain('exit 0');
  });
});
