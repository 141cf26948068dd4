/**
 * Start-up configuration of the terminal: where its data lives and which
 * loyalty backend it talks to. Plain Node (no `electron` import), so the
 * Electron shell, the web host and the tests all resolve it the same way.
 *
 * Precedence for the data directory: `--data-dir DIR` / `--data-dir=DIR`
 * on the command line, then `PWP_DATA_DIR`, then the OS's per-user app-data
 * folder. For the backend: `--backend URL` / `--backend=URL`, then
 * `PWP_BACKEND_URL`; neither means training mode (embedded sandbox).
 */
import path from 'node:path';

/** The product name: also the folder name under the OS's app-data folder. */
export const APP_NAME = 'Pay with Points';

export const DATA_DIR_FLAG = '--data-dir';
export const DATA_DIR_ENV = 'PWP_DATA_DIR';
export const BACKEND_FLAG = '--backend';
export const BACKEND_ENV = 'PWP_BACKEND_URL';

/** A start-up setting that cannot be used; the message says which and why. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export interface DataDirOptions {
  argv: readonly string[];
  env: Env;
  platform: NodeJS.Platform;
  homedir: string;
  appName?: string;
  /**
   * The OS's per-user app-data folder when the caller already knows it
   * (Electron: `app.getPath('appData')`); the app's folder goes inside it.
   * Without it, the folder is derived from platform, env and homedir.
   */
  appDataDir?: string;
  /** Base for a relative `--data-dir` / `PWP_DATA_DIR`; default process.cwd(). */
  cwd?: string;
}

export interface BackendOptions {
  argv: readonly string[];
  env: Env;
}

/**
 * The value of `--name VALUE` or `--name=VALUE`; the last occurrence wins,
 * as with most command-line tools. Scanning stops at a bare `--`.
 * Returns undefined when the flag is absent; throws when it has no value.
 */
export function readFlag(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === name) {
      const next = argv[i + 1];
      if (next === undefined || next === '' || next.startsWith('--')) {
        throw new ConfigError(`${name} needs a value, for example ${name} ${name === BACKEND_FLAG ? 'https://loyalty.example.com' : '/path/to/folder'}`);
      }
      found = next;
      i++;
    } else if (arg.startsWith(`${name}=`)) {
      const value = arg.slice(name.length + 1);
      if (value === '') throw new ConfigError(`${name} needs a value`);
      found = value;
    }
  }
  return found;
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** The OS's per-user app-data folder (without the app's own folder). */
export function osAppDataDir(platform: NodeJS.Platform, env: Env, homedir: string): string {
  const p = pathFor(platform);
  if (platform === 'win32') {
    const appData = env.APPDATA?.trim();
    return appData ? appData : p.join(homedir, 'AppData', 'Roaming');
  }
  if (platform === 'darwin') return p.join(homedir, 'Library', 'Application Support');
  // Linux and the other Unixes: XDG base directory spec; a relative
  // XDG_CONFIG_HOME is invalid per the spec and is ignored.
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.config');
}

function expandHome(dir: string, homedir: string, p: path.PlatformPath): string {
  if (dir === '~') return homedir;
  if (dir.startsWith('~/') || (p === path.win32 && dir.startsWith('~\\'))) return p.join(homedir, dir.slice(2));
  return dir;
}

/** The terminal's data directory (absolute). See the module comment for the order. */
export function resolveDataDir(opts: DataDirOptions): string {
  const p = pathFor(opts.platform);
  const explicit = readFlag(opts.argv, DATA_DIR_FLAG) ?? (opts.env[DATA_DIR_ENV]?.trim() || undefined);
  if (explicit !== undefined) {
    const expanded = expandHome(explicit, opts.homedir, p);
    return p.resolve(opts.cwd ?? process.cwd(), expanded);
  }
  const base = opts.appDataDir ?? osAppDataDir(opts.platform, opts.env, opts.homedir);
  return p.join(base, opts.appName ?? APP_NAME);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The loyalty backend's base URL, or undefined for training mode.
 * Refuses what would leak credentials: a URL with a user name or password in
 * it (visible in the process list), and plain http to anything but this
 * machine (the terminal sends API keys to the backend).
 */
export function parseBackendUrl(opts: BackendOptions): string | undefined {
  const raw = readFlag(opts.argv, BACKEND_FLAG) ?? (opts.env[BACKEND_ENV]?.trim() || undefined);
  if (raw === undefined) return undefined;
  return checkBackendUrl(raw);
}

/**
 * The one rule for a backend address, wherever it comes from (command line,
 * environment, the manager's settings screen): https (plain http only to this
 * machine), no user name or password in it. Returns it normalised, without a
 * trailing slash; throws ConfigError saying what is wrong.
 */
export function checkBackendUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const shown = raw.includes('@') ? '' : ` "${raw.slice(0, 200)}"`; // never echo what may hold a password
    throw new ConfigError(`The backend address${shown} is not a URL (expected e.g. https://loyalty.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`The backend address must start with https:// (got ${url.protocol})`);
  }
  if (url.username || url.password) {
    // Never echo the address: it holds the secret.
    throw new ConfigError('The backend address must not contain a user name or password; credentials are set in the terminal settings');
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname) && !url.hostname.startsWith('127.')) {
    throw new ConfigError(`Plain http is only allowed to this machine; use https:// for ${url.host}`);
  }
  // Normalised, without a trailing slash, so adapters can append paths.
  return url.href.replace(/\/+$/, '');
}
