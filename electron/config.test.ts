import { describe, expect, it } from 'vitest';
import { ConfigError, osAppDataDir, parseBackendUrl, readFlag, resolveDataDir } from './config.js';

const linux = { platform: 'linux' as const, homedir: '/home/cashier', cwd: '/opt/pos' };

describe('resolveDataDir', () => {
  it('uses --data-dir DIR before everything else', () => {
    expect(resolveDataDir({ ...linux, argv: ['electron', '.', '--data-dir', '/srv/till-2'], env: { PWP_DATA_DIR: '/env/dir', XDG_CONFIG_HOME: '/xdg' } })).toBe(
      '/srv/till-2',
    );
  });

  it('accepts --data-dir=DIR and resolves a relative path against cwd', () => {
    expect(resolveDataDir({ ...linux, argv: ['x', '--data-dir=data/till'], env: {} })).toBe('/opt/pos/data/till');
  });

  it('expands a leading ~ (which the shell leaves alone after "=")', () => {
    expect(resolveDataDir({ ...linux, argv: ['x', '--data-dir=~/pos-data'], env: {} })).toBe('/home/cashier/pos-data');
  });

  it('takes the last --data-dir when given twice', () => {
    expect(resolveDataDir({ ...linux, argv: ['x', '--data-dir', '/a', '--data-dir=/b'], env: {} })).toBe('/b');
  });

  it('ignores flags after a bare --', () => {
    expect(resolveDataDir({ ...linux, argv: ['x', '--', '--data-dir', '/ignored'], env: {} })).toBe('/home/cashier/.config/Pay with Points');
  });

  it('refuses --data-dir without a value', () => {
    expect(() => resolveDataDir({ ...linux, argv: ['x', '--data-dir'], env: {} })).toThrow(ConfigError);
    expect(() => resolveDataDir({ ...linux, argv: ['x', '--data-dir', '--backend', 'http://localhost'], env: {} })).toThrow(/--data-dir needs a value/);
    expect(() => resolveDataDir({ ...linux, argv: ['x', '--data-dir='], env: {} })).toThrow(ConfigError);
  });

  it('uses PWP_DATA_DIR when there is no flag; a blank one is ignored', () => {
    expect(resolveDataDir({ ...linux, argv: ['x'], env: { PWP_DATA_DIR: '/var/lib/pwp' } })).toBe('/var/lib/pwp');
    expect(resolveDataDir({ ...linux, argv: ['x'], env: { PWP_DATA_DIR: '  ' } })).toBe('/home/cashier/.config/Pay with Points');
  });

  it('Linux: $XDG_CONFIG_HOME/<app>, else ~/.config/<app>; a relative XDG_CONFIG_HOME is ignored', () => {
    expect(resolveDataDir({ ...linux, argv: [], env: { XDG_CONFIG_HOME: '/home/cashier/cfg' } })).toBe('/home/cashier/cfg/Pay with Points');
    expect(resolveDataDir({ ...linux, argv: [], env: {} })).toBe('/home/cashier/.config/Pay with Points');
    expect(resolveDataDir({ ...linux, argv: [], env: { XDG_CONFIG_HOME: 'relative' } })).toBe('/home/cashier/.config/Pay with Points');
  });

  it('macOS: ~/Library/Application Support/<app>', () => {
    expect(resolveDataDir({ platform: 'darwin', homedir: '/Users/ann', argv: [], env: { XDG_CONFIG_HOME: '/nope' } })).toBe(
      '/Users/ann/Library/Application Support/Pay with Points',
    );
  });

  it('Windows: %APPDATA%\\<app>, else <home>\\AppData\\Roaming\\<app>, with Windows separators', () => {
    expect(resolveDataDir({ platform: 'win32', homedir: 'C:\\Users\\ann', argv: [], env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' } })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\Pay with Points',
    );
    expect(resolveDataDir({ platform: 'win32', homedir: 'C:\\Users\\bob', argv: [], env: {} })).toBe('C:\\Users\\bob\\AppData\\Roaming\\Pay with Points');
    expect(resolveDataDir({ platform: 'win32', homedir: 'C:\\Users\\bob', argv: ['pos.exe', '--data-dir', 'D:\\pos'], env: {} })).toBe('D:\\pos');
  });

  it("uses the caller's app-data folder (Electron's app.getPath('appData')) and appName when given", () => {
    expect(resolveDataDir({ ...linux, argv: [], env: {}, appDataDir: '/from/electron', appName: 'Other' })).toBe('/from/electron/Other');
    // The flag still wins over the platform default.
    expect(resolveDataDir({ ...linux, argv: ['--data-dir=/x'], env: {}, appDataDir: '/from/electron' })).toBe('/x');
  });

  it('osAppDataDir without the app folder', () => {
    expect(osAppDataDir('linux', {}, '/h')).toBe('/h/.config');
  });
});

describe('parseBackendUrl', () => {
  it('absent everywhere means training mode (undefined)', () => {
    expect(parseBackendUrl({ argv: ['electron', '.'], env: {} })).toBeUndefined();
    expect(parseBackendUrl({ argv: [], env: { PWP_BACKEND_URL: '' } })).toBeUndefined();
  });

  it('reads --backend URL and --backend=URL, before the env', () => {
    expect(parseBackendUrl({ argv: ['x', '--backend', 'https://loyalty.example.com/'], env: { PWP_BACKEND_URL: 'https://env.example.com' } })).toBe(
      'https://loyalty.example.com',
    );
    expect(parseBackendUrl({ argv: ['x', '--backend=https://a.example.com/api/'], env: {} })).toBe('https://a.example.com/api');
  });

  it('reads PWP_BACKEND_URL', () => {
    expect(parseBackendUrl({ argv: [], env: { PWP_BACKEND_URL: 'http://127.0.0.1:8787' } })).toBe('http://127.0.0.1:8787');
  });

  it('allows plain http only to this machine', () => {
    expect(parseBackendUrl({ argv: ['--backend=http://localhost:9000'], env: {} })).toBe('http://localhost:9000');
    expect(parseBackendUrl({ argv: ['--backend=http://[::1]:9000'], env: {} })).toBe('http://[::1]:9000');
    expect(() => parseBackendUrl({ argv: ['--backend=http://loyalty.example.com'], env: {} })).toThrow(/only allowed to this machine/);
  });

  it('refuses non-URLs, other schemes and embedded credentials', () => {
    expect(() => parseBackendUrl({ argv: ['--backend', 'not a url'], env: {} })).toThrow(/is not a URL/);
    expect(() => parseBackendUrl({ argv: ['--backend', 'ftp://x.example.com'], env: {} })).toThrow(/https/);
    expect(() => parseBackendUrl({ argv: ['--backend', 'https://key:secret@x.example.com'], env: {} })).toThrow(/user name or password/);
    expect(() => parseBackendUrl({ argv: ['--backend'], env: {} })).toThrow(ConfigError);
  });
});

describe('readFlag', () => {
  it('returns undefined when absent and does not confuse prefixes', () => {
    expect(readFlag(['--data-directory=/x'], '--data-dir')).toBeUndefined();
    expect(readFlag(['--data-dir=/x'], '--data-dir')).toBe('/x');
  });
});
