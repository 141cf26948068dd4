/**
 * Makes the Electron build of better-sqlite3, APART from the Node build that
 * `npm install` made (the tests and the web host keep loading that one):
 *
 *   native/electron/electron-<version>-<platform>-<arch>/better_sqlite3.node
 *
 * The Electron shell loads it through better-sqlite3's `nativeBinding` option
 * (electron/store/sqlite-binding.ts chooses it, electron/store/sqlite.ts opens
 * every connection with it). `npm start` and `npm run dist` run this first; a
 * build already there is kept (nothing is fetched twice).
 *
 * How, in the order better-sqlite3's own install uses, on a COPY of the package
 * (so node_modules/better-sqlite3/build is never touched):
 *   1. prebuild-install --runtime electron --target <electron version>: the
 *      prebuilt addon better-sqlite3 publishes for that Electron;
 *   2. else node-gyp, compiled against Electron's headers (a C++ toolchain and
 *      Python needed). npm_config_nodedir is dropped for it: pointing at Node's
 *      headers (as this project's offline machines do) would silently build
 *      for Node's ABI again.
 * Both need internet once.
 *
 * Usage: npm run native:electron [-- --platform P --arch A --force]
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ADDON_FILE, DEV_ELECTRON_DIR, electronBuildName } from '../electron/store/sqlite-binding.js';

export interface BuildTarget {
  electronVersion: string;
  platform: string;
  arch: string;
}

export interface BuildStep {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Electron's headers, for compiling against Electron rather than Node. */
const ELECTRON_HEADERS = 'https://electronjs.org/headers';

/** Where the build for this target goes, under the project folder. */
export function electronAddonPath(root: string, t: BuildTarget): string {
  return path.join(root, DEV_ELECTRON_DIR, electronBuildName(t.electronVersion, t.platform, t.arch), ADDON_FILE);
}

/** The ways to get the addon, tried in order, each run inside a copy of the package. */
export function buildSteps(t: BuildTarget, prebuildInstallBin: string, env: NodeJS.ProcessEnv): BuildStep[] {
  // npm passes its own config down as npm_config_* (nodedir, target, runtime...): none may steer these builds.
  const clean = Object.fromEntries(
    Object.entries(env).filter(([k]) => !/^npm_config_(nodedir|target|runtime|disturl|arch|platform|build_from_source)$/i.test(k)),
  );
  return [
    {
      name: 'prebuilt addon for this Electron',
      command: process.execPath,
      args: [prebuildInstallBin, '--runtime', 'electron', '--target', t.electronVersion, '--platform', t.platform, '--arch', t.arch, '--verbose'],
      env: clean,
    },
    {
      name: "compiled against Electron's headers",
      command: process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp',
      args: ['rebuild', '--release', `--target=${t.electronVersion}`, `--arch=${t.arch}`, `--dist-url=${ELECTRON_HEADERS}`],
      env: clean,
    },
  ];
}

function main(): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const { values } = parseArgs({ options: { platform: { type: 'string' }, arch: { type: 'string' }, force: { type: 'boolean' } } });
  const require = createRequire(path.join(root, 'package.json'));
  const target: BuildTarget = {
    electronVersion: (JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string }).version,
    platform: values.platform ?? process.platform,
    arch: values.arch ?? process.arch,
  };
  const dest = electronAddonPath(root, target);
  if (existsSync(dest) && !values.force) {
    console.log(`better-sqlite3 for Electron ${target.electronVersion} (${target.platform}-${target.arch}) is there: ${path.relative(root, dest)}`);
    return 0;
  }
  const pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  // prebuild-install is better-sqlite3's own dependency: resolved from there, as its install script does.
  const prebuildInstall = createRequire(path.join(pkgDir, 'package.json')).resolve('prebuild-install/bin.js');
  const work = mkdtempSync(path.join(tmpdir(), 'pwp-sqlite-electron-'));
  try {
    const copy = path.join(work, 'better-sqlite3');
    cpSync(pkgDir, copy, {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(pkgDir, 'build')) && !src.startsWith(path.join(pkgDir, 'node_modules')),
    });
    const built = path.join(copy, 'build', 'Release', ADDON_FILE);
    const failures: string[] = [];
    for (const step of buildSteps(target, prebuildInstall, process.env)) {
      console.log(`better-sqlite3 for Electron ${target.electronVersion}: ${step.name}...`);
      const options: SpawnSyncOptions = { cwd: copy, env: step.env, stdio: 'inherit', shell: process.platform === 'win32' };
      const run = spawnSync(step.command, step.args, options);
      if (run.status === 0 && existsSync(built)) {
        mkdirSync(path.dirname(dest), { recursive: true });
        // Copy then rename: a half-written addon must never be found by the app.
        copyFileSync(built, `${dest}.tmp`);
        renameSync(`${dest}.tmp`, dest);
        console.log(`better-sqlite3 for Electron: ${path.relative(root, dest)}`);
        return 0;
      }
      failures.push(`${step.name}: ${run.error?.message ?? `exit ${run.status ?? run.signal}`}`);
    }
    console.error(
      `Could not make better-sqlite3 for Electron ${target.electronVersion} (${target.platform}-${target.arch}):\n  ${failures.join('\n  ')}\n` +
        "Both ways need internet once (the prebuilt addon, or Electron's headers plus a C++ toolchain and Python). The Node build in node_modules is unchanged; npm test still works.",
    );
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
