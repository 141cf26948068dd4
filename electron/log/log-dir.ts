/**
 * Where the terminal's log files go: the OS's usual place for an app's logs.
 *
 *   Windows  %LOCALAPPDATA%\Pay with Points\Logs   (machine-local, not roamed)
 *   macOS    ~/Library/Logs/Pay with Points          (what Console.app shows)
 *   Linux    $XDG_STATE_HOME/pay-with-points/logs    (default ~/.local/state, the XDG spec's home for logs)
 *
 * `--log-dir DIR` or `PWP_LOG_DIR` override it. A terminal started with an
 * explicit data directory (`--data-dir`, `PWP_DATA_DIR`: tests, the web host,
 * a second terminal on one PC) keeps its logs in `<data dir>/logs`, so two
 * terminals never write the same file.
 */
import path from 'node:path';
import { APP_NAME, DATA_DIR_ENV, DATA_DIR_FLAG, readFlag } from '../config.js';

export const LOG_DIR_FLAG = '--log-dir';
export const LOG_DIR_ENV = 'PWP_LOG_DIR';

type Env = Readonly<Record<string, string | undefined>>;

export function osLogDir(platform: NodeJS.Platform, env: Env, homedir: string, appName = APP_NAME): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA?.trim() || path.win32.join(homedir, 'AppData', 'Local');
    return path.win32.join(local, appName, 'Logs');
  }
  if (platform === 'darwin') return path.posix.join(homedir, 'Library', 'Logs', appName);
  const state = env.XDG_STATE_HOME?.trim();
  const base = state && path.posix.isAbsolute(state) ? state : path.posix.join(homedir, '.local', 'state');
  return path.posix.join(base, appName.toLowerCase().replace(/\s+/g, '-'), 'logs');
}

export interface LogDirOptions {
  argv: readonly string[];
  env: Env;
  platform: NodeJS.Platform;
  homedir: string;
  /** The resolved data directory (used when it was chosen explicitly). */
  dataDir: string;
  cwd?: string;
}

export function resolveLogDir(o: LogDirOptions): string {
  const p = o.platform === 'win32' ? path.win32 : path.posix;
  const explicit = readFlag(o.argv, LOG_DIR_FLAG) ?? (o.env[LOG_DIR_ENV]?.trim() || undefined);
  if (explicit) return p.resolve(o.cwd ?? process.cwd(), explicit);
  const dataDirChosen = readFlag(o.argv, DATA_DIR_FLAG) !== undefined || !!o.env[DATA_DIR_ENV]?.trim();
  if (dataDirChosen) return p.join(o.dataDir, 'logs');
  return osLogDir(o.platform, o.env, o.homedir);
}
