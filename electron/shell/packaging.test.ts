/**
 * build/electron-builder.yml, checked without packaging (packaging needs the
 * Electron binary and internet): loaded and validated by electron-builder's
 * own config loader and JSON-schema validation, then the settings that
 * matter for users are asserted.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { electronAddonPath } from '../../scripts/native-electron.js';
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

  it('names the app and ships only the bundles, the renderer and package.json (deps come from the collector)', () => {
    expect(config.appId).toBe('com.paywithpoints.pos');
    expect(config.productName).toBe('Pay with Points');
    expect(config.files).toEqual([{ filter: ['dist/electron/**', 'dist/renderer/**', 'package.json', '!**/*.map'] }]);
    expect(config.directories).toEqual({ output: 'release', buildResources: 'build' });
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

  it('Linux AppImage + deb, Windows NSIS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
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
