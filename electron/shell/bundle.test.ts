/**
 * Builds the real bundles with scripts/build-electron.mjs's options and runs
 * the bundled main process in plain Node, with `electron` replaced by
 * electron-stub.cjs (the Electron binary cannot run here). The runtime,
 * store and embedded sandbox are the real ones.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { METHOD_NAMES, ipcChannelFor } from '../../shared/contract.js';
import { electronAddonPath } from '../../scripts/native-electron.js';
import { CONTENT_SECURITY_POLICY } from './security.js';

const require = createRequire(import.meta.url);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let appPath: string;

/**
 * What a bundle loads at run time from outside itself: esbuild's own list of the external
 * imports it kept (its metafile), not a text search (ajv's code generator carries
 * `require("ajv/dist/runtime/...")` inside template strings that are never run).
 */
const externals = new Map<string, string[]>();
let workerBundles: string[] = [];
/** The source files each bundle was built from (esbuild's metafile inputs). */
const sources = new Map<string, string[]>();
function requiresOf(file: string): string[] {
  const found = externals.get(file);
  if (!found) throw new Error(`no bundle built at ${file}`);
  return found;
}
async function bundle(options: Record<string, unknown>, outfile: string): Promise<void> {
  const result = await build({ ...options, outfile, logLevel: 'silent', metafile: true });
  const imports = Object.values(result.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  externals.set(outfile, [...new Set(imports)].sort());
  sources.set(
    outfile,
    Object.values(result.metafile!.outputs).flatMap((o) => Object.keys(o.inputs)),
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pwp-bundle-'));
  appPath = path.join(dir, 'app');
  const built = (await import(pathToFileURL(path.join(root, 'scripts/build-electron.mjs')).href)) as {
    mainOptions: Record<string, unknown>;
    preloadOptions: Record<string, unknown>;
    serviceOptions: Record<string, unknown>;
    WORKER_BUNDLES: Record<string, string>;
    workerOptions: Record<string, unknown>[];
  };
  workerBundles = Object.keys(built.WORKER_BUNDLES);
  const outdir = path.join(appPath, 'dist', 'electron');
  await bundle(built.mainOptions, path.join(outdir, 'main.cjs'));
  await bundle(built.preloadOptions, path.join(outdir, 'preload.cjs'));
  await bundle(built.serviceOptions, path.join(outdir, 'terminal-service.cjs'));
  for (const [i, name] of workerBundles.entries()) await bundle(built.workerOptions[i]!, path.join(outdir, name));
  mkdirSync(path.join(appPath, 'dist', 'renderer'), { recursive: true });
  writeFileSync(path.join(appPath, 'dist', 'renderer', 'index.html'), '<!doctype html><title>stub page</title>');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bundles', () => {
  it('preload.cjs is one self-contained file that requires only electron', () => {
    const file = path.join(appPath, 'dist', 'electron', 'preload.cjs');
    expect(requiresOf(file)).toEqual(['electron']);
  });

  it('preload.cjs carries the method names but not the schemas: no zod, no contract area files', () => {
    const inputs = sources.get(path.join(appPath, 'dist', 'electron', 'preload.cjs'))!;
    expect(inputs).toContain('shared/contract/method-names.ts');
    expect(
      inputs.filter((f) => f.includes('node_modules/zod/') || /shared\/contract\/(checkout|manager|offers|golive|shipping|diagnostics)\.ts$/.test(f)),
    ).toEqual([]);
  });

  it('preload.cjs, run like a sandboxed preload (only require("electron"), no module object), exposes exactly the contract', async () => {
    const code = readFileSync(path.join(appPath, 'dist', 'electron', 'preload.cjs'), 'utf8');
    const exposed: Array<[string, Record<string, unknown>]> = [];
    const invoked: unknown[][] = [];
    const electronStub = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.push([key, api]) },
      ipcRenderer: { invoke: (...args: unknown[]) => (invoked.push(args), Promise.resolve(null)), on: () => {}, removeListener: () => {} },
    };
    const sandboxRequire = (name: string) => {
      if (name === 'electron') return electronStub;
      throw new Error(`a sandboxed preload cannot require ${name}`);
    };
    vm.runInNewContext(code, { require: sandboxRequire, console }, { filename: 'preload.cjs' });
    expect(exposed.map(([k]) => k)).toEqual(['pos']);
    const api = exposed[0]![1];
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, 'onEvent'].sort());
    await (api.getStatus as (i: unknown) => Promise<unknown>)({});
    expect(invoked).toEqual([['pos:getStatus', {}]]);
  });

  it('main.cjs requires only electron, better-sqlite3 and Node built-ins, and holds no runtime: no service, no adapters, no emulators', () => {
    const reqs = requiresOf(path.join(appPath, 'dist', 'electron', 'main.cjs'));
    // pino (the log) requires built-ins by their bare names ('fs', 'events'): still built-ins.
    // better-sqlite3 comes with provisioning.ts, whose reader (run here, to refuse a bad file before anything starts)
    // shares the file with applyTerminalConfig (run by the service).
    expect(reqs.filter((r) => !r.startsWith('node:') && !builtinModules.includes(r))).toEqual(['better-sqlite3', 'electron']);
    const inputs = sources.get(path.join(appPath, 'dist', 'electron', 'main.cjs'))!;
    expect(inputs).toContain('electron/terminal-process/supervisor.ts');
    expect(inputs.filter((f) => /^(electron\/(runtime\.ts|service\/checkout|adapters\/registry|chain)|sandbox\/)/.test(f))).toEqual([]);
  });

  it('terminal-service.cjs (the utility process) requires only electron, better-sqlite3 and Node built-ins', () => {
    const reqs = requiresOf(path.join(appPath, 'dist', 'electron', 'terminal-service.cjs'));
    // kerberos: https-proxy-agent's optional peer, import()ed only for Negotiate proxy sign-in, never asked for.
    expect(reqs.filter((r) => !r.startsWith('node:') && !builtinModules.includes(r))).toEqual(['better-sqlite3', 'electron', 'kerberos']);
  });

  it('each worker thread is its own bundle that requires only better-sqlite3 (and pg its optional pg-native) and Node built-ins; no eval-built worker is left', () => {
    expect(workerBundles).toEqual(expect.arrayContaining(['chain-ship-worker.cjs', 'csv-export-worker.cjs', 'log-verify-worker.cjs']));
    for (const name of workerBundles) {
      const reqs = requiresOf(path.join(appPath, 'dist', 'electron', name));
      expect(
        reqs.filter((r) => !r.startsWith('node:') && !builtinModules.includes(r)),
        name,
      ).toEqual(name === 'chain-ship-worker.cjs' ? ['better-sqlite3', 'pg-native'] : ['better-sqlite3']); // pg asks for pg-native inside a try
    }
    // The only `eval: true` worker is worker-file.ts's loader for the TypeScript sources.
    for (const bundle of ['main.cjs', 'terminal-service.cjs'])
      expect(readFileSync(path.join(appPath, 'dist', 'electron', bundle), 'utf8'), bundle).not.toContain('__name = (f) => f');
  });

  it('package.json "main" is the bundle and `npm start` builds first', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.cjs');
    expect(pkg.scripts.start).toBe('npm run build && npm run native:electron && electron .');
    expect(pkg.scripts['build:electron']).toBe('node scripts/build-electron.mjs');
  });
});

describe('the bundled main process (electron stubbed, real runtime)', () => {
  type Line = { kind: string } & Record<string, any>;
  let lines: Line[] = [];
  let status: number | null = null;
  let dataDir: string;
  const electronAddon = (): string => electronAddonPath(appPath, { electronVersion: '41.10.0', platform: process.platform, arch: process.arch });

  beforeAll(() => {
    dataDir = path.join(dir, 'data dir');
    // Started "as Electron 41.10.0": its better-sqlite3 build is the separate one (here a copy of the
    // Node build, the only ABI this machine can load), where npm run native:electron puts it.
    mkdirSync(path.dirname(electronAddon()), { recursive: true });
    copyFileSync(path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build/Release/better_sqlite3.node'), electronAddon());
    const res = spawnSync(
      process.execPath,
      ['-r', path.join(root, 'electron/shell/electron-stub.cjs'), path.join(appPath, 'dist/electron/main.cjs'), `--data-dir=${dataDir}`],
      {
        env: {
          ...process.env,
          NODE_PATH: path.join(root, 'node_modules'),
          STUB_APP_PATH: appPath,
          STUB_APPDATA: path.join(dir, 'appData'),
          PWP_BACKEND_URL: '',
          STUB_ELECTRON_VERSION: '41.10.0',
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    status = res.status;
    lines = res.stdout
      .split('\n')
      .filter((l) => l.startsWith('STUB '))
      .map((l) => JSON.parse(l.slice(5)) as Line);
    if (status !== 0) console.error(res.stdout, res.stderr);
  }, 40_000);

  const get = (kind: string): Line => {
    const line = lines.find((l) => l.kind === kind);
    if (!line) throw new Error(`no "${kind}" line; got ${lines.map((l) => l.kind).join(', ')}`);
    return line;
  };

  it('under Electron, the service process loads better-sqlite3 from its separate Electron build (not from node_modules); the main process loads none', () => {
    const addons = lines.filter((l) => l.kind === 'addons');
    expect(addons.find((l) => l.process === 'utility')?.files).toEqual([electronAddon()]);
    expect(addons.find((l) => l.process === 'main')?.files).toEqual([]);
  });

  it('uses the --data-dir for the runtime and for Chromium (userData)', () => {
    expect(lines.filter((l) => l.kind === 'setPath')).toEqual([
      { kind: 'setPath', name: 'userData', value: dataDir },
      { kind: 'setPath', name: 'sessionData', value: path.join(dataDir, 'chromium') },
      { kind: 'setPath', name: 'crashDumps', value: path.join(dataDir, 'crash-reports') },
    ]);
    expect(existsSync(path.join(dataDir, 'terminal.db'))).toBe(true);
  });

  it('starts the crash reporter with the dumps kept in the data directory, and hands Settings to the shell in a file', () => {
    expect(get('crashReporter').options).toMatchObject({ productName: 'Pay with Points', uploadToServer: false });
    expect(JSON.parse(readFileSync(path.join(dataDir, 'maintenance.json'), 'utf8'))).toEqual({
      updateUrl: null,
      crashReportUrl: null,
      updatesPostponedUntil: null,
    });
  });

  it('creates the sandboxed window on app://pos with the bundled preload', () => {
    const w = get('window');
    expect(w.url).toBe('app://pos/index.html');
    expect(w.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: path.join(appPath, 'dist/electron/preload.cjs'),
    });
    expect(w.schemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves the renderer through the protocol handler with the CSP header', () => {
    expect(get('page')).toMatchObject({ status: 200, csp: CONTENT_SECURITY_POLICY, body: '<!doctype html><title>stub page</title>' });
    expect(get('camera').granted).toBe(true);
  });

  it('answers the contract over IPC: trusted calls reach the runtime, untrusted ones do not, bad input is refused', () => {
    expect(get('channels').channels).toEqual(METHOD_NAMES.map(ipcChannelFor).sort());
    const status = get('getStatus').res;
    expect(status.ok).toBe(true);
    expect(status.value).toMatchObject({ training: true, queue: { waiting: 0 } });
    expect(get('untrusted').res).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'You are not allowed to do this.' } });
    expect(get('invalid').res).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(get('startSale').ok).toBe(true);
  });

  it('runs the runtime in a utility process (the bundled terminal-service.cjs), which reaches the loyalty program through net.fetch', () => {
    expect(get('utilityFork')).toMatchObject({ modulePath: 'terminal-service.cjs', serviceName: 'Pay with Points terminal service' });
    expect(get('identifyMember')).toMatchObject({ ok: true });
    const calls = lines.filter((l) => l.kind === 'netFetch');
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(c).toMatchObject({ process: 'utility', cache: 'no-store', credentials: 'omit', bypassCustomProtocolHandlers: true });
      expect(c.host).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it('quits cleanly: runtime closed, exit code 0, no crash said at the next start', () => {
    expect(get('exit').code).toBe(0);
    expect(status).toBe(0);
    expect(existsSync(path.join(dataDir, 'running.json'))).toBe(false);
  });
});
