/**
 * build/electron-builder.yml, checked without packaging (packaging needs the
 * Electron binary and internet): loaded and validated by electron-builder's
 * own config loader and JSON-schema validation, then the settings that
 * matter for users are asserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { minimatch } from 'minimatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { electronAddonPath } from '../../scripts/native-electron.js';
import { APP_NAME } from '../config.js';
import { ADDON_FILE, PACKAGED_ELECTRON_DIR } from '../store/sqlite-binding.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

type Config = Record<string, any>;
interface ConfigApi {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<Config>;
  validateConfiguration(config: Config, debugLogger: unknown): Promise<void>;
}
// electron-builder's own loader and validator (app-builder-lib ships with electron-builder, pinned in package-lock).
const api = require(require.resolve('app-builder-lib/out/util/config/config.js', { paths: [path.join(root, 'node_modules/electron-builder')] })) as ConfigApi;
const { DebugLogger } = require(require.resolve('builder-util', { paths: [path.join(root, 'node_modules/electron-builder')] })) as {
  DebugLogger: new (enabled: boolean) => unknown;
};

let config: Config;

beforeAll(async () => {
  config = await api.getConfig(root, 'build/electron-builder.yml', null);
});

describe('build/electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    await expect(api.validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator is live: it rejects an unknown option', async () => {
    await expect(api.validateConfiguration({ ...structuredClone(config), npmRebuildd: false }, new DebugLogger(false))).rejects.toThrow(/npmRebuildd/);
  });

  it('ships every file the running app loads, and no source or map, under the name its data folder uses', async () => {
    // The terminal names its data and log folders APP_NAME; Electron names its own (userData) after
    // productName: two names would split one terminal's files across two folders.
    expect(config.productName).toBe(APP_NAME);
    const built = (await import(pathToFileURL(path.join(root, 'scripts/build-electron.mjs')).href)) as {
      mainOptions: { outfile: string };
      preloadOptions: { outfile: string };
      workerOptions: { outfile: string }[];
    };
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    const rel = (abs: string) => path.relative(root, abs).split(path.sep).join('/');
    const loaded = [
      pkg.main,
      rel(built.mainOptions.outfile),
      rel(built.preloadOptions.outfile),
      ...built.workerOptions.map((o) => rel(o.outfile)),
      ...readdirSync(path.join(root, 'electron/chain/sql')).map((f) => `dist/electron/chain-sql/${f}`),
      'dist/renderer/index.html',
      'dist/renderer/assets/index-0000.js',
      'package.json',
    ];
    const patterns = (config.files as { filter: string[] }[]).flatMap((f) => f.filter);
    // electron-builder's rule: a file ships when an including pattern matches and no later "!" pattern does.
    const ships = (file: string) =>
      patterns.reduce(
        (inside, p) => (p.startsWith('!') ? inside && !minimatch(file, p.slice(1), { dot: true }) : inside || minimatch(file, p, { dot: true })),
        false,
      );
    for (const file of loaded) expect(ships(file), file).toBe(true);
    for (const file of ['dist/electron/main.cjs.map', 'electron/shell/main.ts', 'renderer/src/main.tsx', 'test/until.ts', 'release/x.AppImage']) {
      expect(ships(file), file).toBe(false);
    }
  });

  it('ships the separate Electron build of better-sqlite3 outside the asar, where the app looks for it; no in-place rebuild', () => {
    // electron-builder's own rebuild would turn node_modules' Node build (the tests') into an Electron one.
    expect(config.npmRebuild).toBe(false);
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(config.extraResources).toEqual([{ from: 'native/electron', to: PACKAGED_ELECTRON_DIR, filter: [`**/${ADDON_FILE}`] }]);
    // What `npm run native:electron` writes is under that `from` folder.
    const made = electronAddonPath(root, { electronVersion: '41.10.0', platform: 'linux', arch: 'x64' });
    expect(path.relative(path.join(root, config.extraResources[0].from), made)).toBe(path.join('electron-41.10.0-linux-x64', ADDON_FILE));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.scripts.dist).toMatch(/npm run native:electron && electron-builder/);
    expect(pkg.scripts.start).toMatch(/npm run native:electron && electron \./);
    expect(Object.keys(pkg.dependencies)).toContain('better-sqlite3');
    expect(Object.keys(pkg.devDependencies)).toContain('electron');
  });

  it('macOS: hardened runtime with the camera entitlement and a camera usage text', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.entitlements).toBe('build/entitlements.mac.plist');
    expect(config.mac.entitlementsInherit).toBe('build/entitlements.mac.plist');
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera.*scan/i);
    const plist = readFileSync(path.join(root, config.mac.entitlements), 'utf8');
    expect(plist).toMatch(/<key>com\.apple\.security\.device\.camera<\/key>\s*<true\/>/);
    expect(plist).not.toContain('com.apple.security.device.audio-input');
    expect(plist).not.toContain('com.apple.security.device.microphone');
  });

  it("keeps the terminal's data on uninstall; the deb can be built (it needs a maintainer address)", () => {
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    if (config.linux.target.includes('deb')) expect(config.linux.maintainer).toMatch(/<.+@.+>/);
  });

  it('sets the Electron fuses: no RunAsNode, NODE_OPTIONS or --inspect; asar only, with integrity; cookies encrypted (review item 3)', async () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // Every fuse name is one electron-builder knows (its schema refuses others: a typo would fail the build).
    await expect(
      api.validateConfiguration({ ...structuredClone(config), electronFuses: { ...config.electronFuses, runAsNodee: false } }, new DebugLogger(false)),
    ).rejects.toThrow(/electronFuses/);
  });
});

describe('debug switches on the installed app (review item 3)', () => {
  it('are recognised, with or without a value', async () => {
    const { debugSwitchIn } = await import('./debug-switches.js');
    expect(debugSwitchIn(['/opt/pwp', '--remote-debugging-port=9222'])).toBe('--remote-debugging-port');
    expect(debugSwitchIn(['/opt/pwp', '--inspect'])).toBe('--inspect');
    expect(debugSwitchIn(['/opt/pwp', '--data-dir', '/srv/pwp'])).toBeNull();
  });
});
