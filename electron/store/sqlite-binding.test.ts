/**
 * The better-sqlite3 addon choice (sqlite-binding.ts) and its use by every
 * connection (sqlite.ts): the Electron ABI build lives apart from the Node one
 * and is loaded through nativeBinding, in the main thread and in workers.
 * Electron itself cannot run here: the Electron case is exercised with the
 * facts Electron would give and, for the loading, with a copy of the Node
 * build placed where the Electron build goes.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSteps, electronAddonPath } from '../../scripts/native-electron.js';
import { startWorkerFile } from '../worker-file.js';
import { openDatabase } from './db.js';
import { ADDON_FILE, chooseSqliteBinding, MissingElectronBuildError, type BindingFacts } from './sqlite-binding.js';
import { sqliteBinding, useSqliteBinding } from './sqlite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const nodeBuild = join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', ADDON_FILE);

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pwp-binding-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  useSqliteBinding(undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function facts(over: Partial<BindingFacts>, files: string[] = []): BindingFacts {
  return { versions: { electron: '41.10.0' }, platform: 'linux', arch: 'x64', packaged: false, appRoot: '/app', exists: (f) => files.includes(f), ...over };
}

describe('chooseSqliteBinding', () => {
  it('plain Node (tests, web host): better-sqlite3 finds npm’s own build', () => {
    expect(chooseSqliteBinding(facts({ versions: {} }))).toEqual({ nativeBinding: undefined });
  });

  it('npm start: the Electron build under the project, named after the Electron version, platform and arch', () => {
    const file = '/app/native/electron/electron-41.10.0-linux-x64/better_sqlite3.node';
    expect(chooseSqliteBinding(facts({}, [file]))).toEqual({ nativeBinding: file });
    // The script that makes it writes exactly there.
    expect(electronAddonPath('/app', { electronVersion: '41.10.0', platform: 'linux', arch: 'x64' })).toBe(file);
  });

  it('packaged app: the build electron-builder copied to resources/native-sqlite', () => {
    const file = '/opt/Pay with Points/resources/native-sqlite/electron-41.10.0-win32-arm64/better_sqlite3.node';
    expect(chooseSqliteBinding(facts({ packaged: true, resourcesPath: '/opt/Pay with Points/resources', platform: 'win32', arch: 'arm64' }, [file]))).toEqual({
      nativeBinding: file,
    });
  });

  it('never falls back to the Node build under Electron: a build for another Electron, arch or place does not count', () => {
    const others = [
      '/app/native/electron/electron-40.0.0-linux-x64/better_sqlite3.node',
      '/app/native/electron/electron-41.10.0-linux-arm64/better_sqlite3.node',
      '/res/native-sqlite/electron-41.10.0-linux-x64/better_sqlite3.node',
    ];
    expect(() => chooseSqliteBinding(facts({}, others))).toThrow(MissingElectronBuildError);
    expect(() => chooseSqliteBinding(facts({}, others))).toThrow(/electron-41\.10\.0-linux-x64.*npm run native:electron/s);
    expect(() => chooseSqliteBinding(facts({ packaged: true, resourcesPath: '/other' }, others))).toThrow(/Reinstall the app/);
  });
});

describe('every connection loads the chosen addon', () => {
  function electronBuildCopy(): string {
    // A copy of the Node build where the Electron build goes: same ABI as this process, so it loads.
    const appRoot = tmp();
    const file = electronAddonPath(appRoot, { electronVersion: '41.10.0', platform: process.platform, arch: process.arch });
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(nodeBuild, file);
    return chooseSqliteBinding(facts({ appRoot, platform: process.platform, arch: process.arch }, [file])).nativeBinding!;
  }

  it('the store opens through the chosen file, not node_modules’ build', () => {
    const binding = electronBuildCopy();
    useSqliteBinding(binding);
    expect(sqliteBinding()).toBe(binding);
    const db = openDatabase(join(tmp(), 'pos.db'));
    try {
      expect(require.cache[binding]).toBeDefined();
      expect(db.prepare('SELECT 41 AS v').get()).toEqual({ v: 41 });
    } finally {
      db.close();
    }
  });

  function verifyWorker(dbFile: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const w = startWorkerFile('log-verify-worker.cjs', new URL('../service/log-verify-worker.ts', import.meta.url), {
        file: dbFile,
        sql: 'SELECT seq FROM log WHERE seq BETWEEN ? AND ?',
        lo: 1,
        hi: 0,
      });
      w.once('message', resolve);
      w.once('error', reject);
    });
  }

  it('a worker thread started afterwards loads the same file (it fails on a missing one, naming it)', async () => {
    const dbFile = join(tmp(), 'pos.db');
    openDatabase(dbFile).close();
    useSqliteBinding(electronBuildCopy());
    await expect(verifyWorker(dbFile)).resolves.toBeDefined();
    const missing = join(tmp(), 'gone', ADDON_FILE);
    useSqliteBinding(missing);
    await expect(verifyWorker(dbFile)).rejects.toThrow(missing);
  });

  it('no code in electron/ opens SQLite other than through openSqlite', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !p.endsWith(join('store', 'sqlite.ts')) && /new Database\(/.test(readFileSync(p, 'utf8')))
          offenders.push(p);
      }
    };
    walk(join(root, 'electron'));
    expect(offenders).toEqual([]);
  });
});

describe('npm run native:electron (scripts/native-electron.ts)', () => {
  const target = { electronVersion: '41.10.0', platform: 'linux', arch: 'x64' };

  it('asks for the prebuilt addon of this Electron first, then compiles against Electron’s headers', () => {
    const [prebuilt, compile] = buildSteps(target, '/x/prebuild-install/bin.js', {});
    expect(prebuilt!.args).toEqual([
      '/x/prebuild-install/bin.js',
      '--runtime',
      'electron',
      '--target',
      '41.10.0',
      '--platform',
      'linux',
      '--arch',
      'x64',
      '--verbose',
    ]);
    expect(compile!.args).toEqual(
      expect.arrayContaining(['rebuild', '--target=41.10.0', '--arch=x64', expect.stringMatching(/^--dist-url=https:\/\/.*electron.*\/headers$/)]),
    );
  });

  it('drops npm_config_nodedir and the like: Node’s headers would silently give a Node-ABI build again', () => {
    const env = { PATH: '/bin', npm_config_nodedir: '/usr', npm_config_target: '20.19.0', npm_config_runtime: 'node', npm_config_cache: '/c' };
    for (const step of buildSteps(target, 'bin.js', env)) expect(step.env).toEqual({ PATH: '/bin', npm_config_cache: '/c' });
  });

  it('keeps a build that is already there and never touches node_modules’ Node build', () => {
    const dest = electronAddonPath(root, { electronVersion: require('electron/package.json').version, platform: process.platform, arch: process.arch });
    const before = statSync(nodeBuild).mtimeMs;
    const existed = existsSync(dest);
    if (!existed) {
      mkdirSync(path.dirname(dest), { recursive: true });
      copyFileSync(nodeBuild, dest);
    }
    try {
      const out = require('node:child_process').execFileSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/native-electron.ts')], {
        cwd: root,
        encoding: 'utf8',
      });
      expect(out).toMatch(/is there: native\/electron\/electron-.*better_sqlite3\.node/);
      expect(statSync(nodeBuild).mtimeMs).toBe(before);
    } finally {
      if (!existed) rmSync(path.dirname(dest), { recursive: true, force: true });
    }
  });
});
