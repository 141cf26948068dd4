/**
 * Test-only: a stand-in for the `electron` module, loaded with
 * `node -r electron/shell/electron-stub.cjs dist/electron/main.cjs`, so the
 * BUNDLED main process (with the real runtime, store and embedded sandbox)
 * can be started in plain Node on machines without the Electron binary.
 * Used by electron/shell/bundle.test.ts. Prints `STUB {json}` lines.
 *
 * Once the app's window exists, it drives the app like the renderer and the
 * OS would: loads the page through the app:// protocol handler, calls IPC
 * from a trusted and an untrusted frame, then quits.
 *
 * utilityProcess.fork starts the BUNDLED terminal service
 * (dist/electron/terminal-service.cjs) as a Node child process with this same
 * stub preloaded (STUB_UTILITY=1): there it provides `process.parentPort`
 * and `net.fetch`, and a port handed over with MessageChannelMain is carried
 * over the child's IPC channel (structured clone: `serialization: 'advanced'`).
 */
'use strict';
const Module = require('node:module');
const { EventEmitter } = require('node:events');

const out = (kind, data) => process.stdout.write(`STUB ${JSON.stringify({ kind, ...data })}\n`);
const inUtility = process.env.STUB_UTILITY === '1';

/** One end of a MessageChannelMain: 'message' events carry { data }; bound to a child's IPC once transferred. */
class StubPort extends EventEmitter {
  constructor() {
    super();
    this.peer = null;
    this.sendOver = null;
  }
  postMessage(data) {
    if (this.sendOver) this.sendOver(data);
    else if (this.peer) setImmediate(() => this.peer.emit('message', { data, ports: [] }));
  }
  start() {}
  close() {
    this.emit('close');
  }
}

class MessageChannelMain {
  constructor() {
    this.port1 = new StubPort();
    this.port2 = new StubPort();
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

const utilityProcess = {
  fork(modulePath, args, options) {
    out('utilityFork', { modulePath: require('node:path').basename(modulePath), serviceName: options && options.serviceName });
    const child = require('node:child_process').fork(modulePath, args || [], {
      execArgv: ['-r', __filename],
      serialization: 'advanced',
      stdio: 'inherit',
      env: { ...process.env, STUB_UTILITY: '1' },
    });
    const handle = Object.assign(new EventEmitter(), {
      pid: child.pid,
      postMessage(message, transfer) {
        const port = transfer && transfer[0];
        if (port) {
          // This end now lives in the child: what the main process posts on port1 crosses the IPC channel.
          port.peer.sendOver = (data) => child.connected && child.send({ port: data });
          portsByHandle.set(handle, port.peer);
        }
        child.send({ init: message });
      },
      kill: () => child.kill('SIGTERM'),
    });
    child.on('message', (m) => {
      if (m && 'port' in m) port1Of(handle).emit('message', { data: m.port, ports: [] });
    });
    child.on('exit', (code, signal) => handle.emit('exit', code === null ? (signal ? 1 : 0) : code));
    return handle;
  },
};
const portsByHandle = new WeakMap();
function port1Of(handle) {
  return portsByHandle.get(handle);
}

// Runs the bundle as Electron would start it: process.versions.electron set (it picks its SQLite build by it).
if (process.env.STUB_ELECTRON_VERSION) {
  Object.defineProperty(process, 'versions', { value: { ...process.versions, electron: process.env.STUB_ELECTRON_VERSION } });
}

class Ev {
  constructor() {
    this.defaultPrevented = false;
  }
  preventDefault() {
    this.defaultPrevented = true;
  }
}

const handlers = new Map();
const windows = [];
let protocolHandler = null;
let schemes = null;

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getPath: (name) => (name === 'appData' ? process.env.STUB_APPDATA : `/nonexistent/${name}`),
  setPath: (name, value) => out('setPath', { name, value }),
  getAppPath: () => process.env.STUB_APP_PATH,
  getVersion: () => '0.1.0',
  getName: () => 'Pay with Points',
  enableSandbox: () => out('enableSandbox', {}),
  requestSingleInstanceLock: () => true,
  whenReady: () => new Promise((resolve) => setImmediate(resolve)),
  quit: () => {
    const ev = new Ev();
    app.emit('will-quit', ev);
    if (!ev.defaultPrevented) process.exit(0);
  },
  exit: (code) => {
    out('exit', { code });
    process.exit(code);
  },
});

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.destroyed = false;
    const wc = new EventEmitter();
    wc.url = '';
    wc.sent = [];
    wc.setWindowOpenHandler = (h) => (wc.openHandler = h);
    wc.send = (channel, payload) => wc.sent.push({ channel, payload });
    wc.isDestroyed = () => this.destroyed;
    wc.getURL = () => wc.url;
    this.webContents = wc;
    windows.push(this);
    app.emit('web-contents-created', new Ev(), wc);
  }
  loadURL(url) {
    this.webContents.url = url;
    return Promise.resolve();
  }
  show() {}
  focus() {}
  isMinimized() {
    return false;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

const session = {
  // The loyalty programs' own session (electron/shell/net-fetch.ts): its fetch is Node's, and each call is reported.
  fromPartition: (partition, options) => ({
    fetch: (url, init) => {
      out('netFetch', {
        partition,
        options,
        host: new URL(url).host,
        method: init.method,
        credentials: init.credentials,
        bypassCustomProtocolHandlers: init.bypassCustomProtocolHandlers,
      });
      return fetch(url, init);
    },
  }),
  defaultSession: {
    webRequest: { onHeadersReceived: () => {} },
    setPermissionRequestHandler: (h) => (session.permissionRequest = h),
    setPermissionCheckHandler: () => {},
    setDevicePermissionHandler: () => {},
  },
};

/** The utility process's net.fetch: Node's fetch, each call reported (Node's fetch does not take Electron's extra options). */
const net = {
  fetch: (url, init) => {
    out('netFetch', {
      process: inUtility ? 'utility' : 'main',
      cache: init.cache,
      host: new URL(url).host,
      method: init.method,
      credentials: init.credentials,
      bypassCustomProtocolHandlers: init.bypassCustomProtocolHandlers,
    });
    const { cache: _cache, bypassCustomProtocolHandlers: _bypass, ...rest } = init;
    return fetch(url, rest);
  },
};

const stub = {
  app,
  net,
  utilityProcess,
  MessageChannelMain,
  BrowserWindow,
  session,
  ipcMain: {
    handle: (channel, fn) => handlers.set(channel, fn),
    removeHandler: (channel) => handlers.delete(channel),
  },
  protocol: {
    registerSchemesAsPrivileged: (s) => (schemes = s),
    handle: (scheme, fn) => {
      if (scheme === 'app') protocolHandler = fn;
    },
  },
  // No OS keychain here: the runtime falls back to its key-file secret box.
  safeStorage: {
    isEncryptionAvailable: () => false,
    encryptString: () => {
      throw new Error('safeStorage unavailable in the stub');
    },
    decryptString: () => {
      throw new Error('safeStorage unavailable in the stub');
    },
  },
  // Crashpad: the bundle starts it before 'ready' with the dumps kept in the data directory.
  crashReporter: { start: (options) => out('crashReporter', { options }) },
  // electron-updater's own 'before-quit-for-update' channel.
  autoUpdater: new EventEmitter(),
  dialog: {
    showErrorBox: (title, content) => out('errorBox', { title, content }),
    showMessageBox: () => Promise.resolve({ response: 1 }),
  },
};

const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if (request === 'electron') return stub;
  return originalLoad.call(this, request, parent, isMain);
};

if (inUtility) {
  // The utility process's side: parentPort's first message carries the port; later ones are the port's.
  const parentPort = new EventEmitter();
  const port = new StubPort();
  port.sendOver = (data) => process.connected && process.send({ port: data });
  process.parentPort = parentPort;
  process.on('message', (m) => {
    if (m && 'init' in m) parentPort.emit('message', { data: m.init, ports: [port] });
    else if (m && 'port' in m) port.emit('message', { data: m.port, ports: [] });
  });
  process.on('disconnect', () => port.emit('close'));
  process.on('exit', () => out('addons', { process: 'utility', files: Object.keys(require.cache).filter((f) => f.endsWith('.node')) }));
}

async function drive() {
  const win = windows[0];
  const trusted = { url: win.webContents.url, parent: null, detached: false };
  const untrusted = { url: 'https://evil.example/', parent: null, detached: false };
  out('window', { webPreferences: { ...win.options.webPreferences }, url: win.webContents.url, schemes });

  const page = await protocolHandler(new Request(win.webContents.url));
  out('page', { status: page.status, csp: page.headers.get('content-security-policy'), body: await page.text() });

  let granted;
  session.permissionRequest(win.webContents, 'media', (g) => (granted = g), {
    requestingUrl: win.webContents.url,
    isMainFrame: true,
    mediaTypes: ['video'],
  });
  out('camera', { granted });

  const call = (channel, frame, input) => handlers.get(channel)({ senderFrame: frame }, input);
  out('channels', { channels: [...handlers.keys()].sort() });
  out('getStatus', { res: await call('pos:getStatus', trusted, {}) });
  out('untrusted', { res: await call('pos:startSale', untrusted, { basketCents: 1000 }) });
  out('invalid', { res: await call('pos:startSale', trusted, { basketCents: -5 }) });
  // Everything past the sign-in screen needs a signed-in person: the first start creates the first manager.
  const first = await call('pos:createFirstManager', trusted, { name: 'Stub Manager', pin: '123456' });
  await call('pos:signIn', trusted, { personId: first.value && first.value.id, pin: '1234' });
  const started = await call('pos:startSale', trusted, { basketCents: 2500 });
  out('startSale', { ok: started.ok });
  // A member lookup reaches the (embedded) program: through the service's net.fetch, as Chromium's would.
  const found = await call('pos:identifyMember', trusted, { saleId: started.value && started.value.id, input: '2000000000016', source: 'scanner' });
  out('identifyMember', { ok: found.ok, error: found.error && found.error.code });
  // Which compiled addons the main process loaded (none: SQLite is the service's; the service says its own at exit).
  out('addons', { process: 'main', files: Object.keys(require.cache).filter((f) => f.endsWith('.node')) });
  app.quit();
}

const started = Date.now();
const timer = inUtility
  ? null
  : setInterval(() => {
      if (windows.length > 0 && handlers.size > 0 && protocolHandler) {
        clearInterval(timer);
        drive().catch((e) => {
          out('driveError', { message: String(e && e.stack) });
          process.exit(3);
        });
      } else if (Date.now() - started > 15000) {
        clearInterval(timer);
        out('timeout', {});
        process.exit(4);
      }
    }, 20);
