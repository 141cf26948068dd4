/**
 * Entry of the Electron main process (bundled to dist/electron/main.cjs by
 * scripts/build-electron.mjs). Wires the terminal service into the lifecycle;
 * everything else is in lifecycle.ts, which the tests drive with `electron`
 * mocked.
 *
 * The runtime (SQLite, the outbox, the adapters) does not run here: it runs
 * in a utility process (terminal-service.cjs, shell/terminal-service-entry.ts),
 * which the supervisor (terminal-process/supervisor.ts) restarts if it dies.
 * This process creates the window, checks each IPC call's sender and forwards
 * it, and writes the service's log lines into the one log file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, crashReporter, dialog, safeStorage } from 'electron';
import electronUpdater from 'electron-updater';
import { installedLogDir, installLog, isLogLevel, routeConsoleToLog, writeLogLine } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { OS_KEY_FILE, osDataKey } from '../service/secret-box.js';
import type { SecretSetup } from '../terminal-process/protocol.js';
import { startTerminalService } from '../terminal-process/supervisor.js';
import { startCrashReports } from './crash-reports.js';
import { runApp } from './lifecycle.js';
import { utilityServiceSpawner } from './utility-service.js';
import { privateUmask } from '../store/file-modes.js';
import { chooseSqliteBinding } from '../store/sqlite-binding.js';

/** Beside this bundle (scripts/build-electron.mjs builds both). */
const SERVICE_ENTRY = fileURLToPath(new URL('./terminal-service.cjs', import.meta.url));

// Everything the app creates (database, WAL, key file, Chromium's profile, saved exports) is private to this user.
privateUmask();

runApp({
  installLog: (dir) => {
    installLog({ dir });
    routeConsoleToLog();
    logProcessErrors();
  },
  startRuntime: (opts) => {
    // better-sqlite3 built for Electron's ABI, kept apart from the Node build (npm start makes it).
    // Chosen here (the service's process has no `app`); the service loads it for every connection,
    // worker threads included. Missing: a clear start-up error, before any process starts.
    const sqlite = chooseSqliteBinding({
      versions: process.versions,
      platform: process.platform,
      arch: process.arch,
      packaged: app.isPackaged,
      appRoot: app.getAppPath(),
      resourcesPath: process.resourcesPath,
      exists: existsSync,
    });
    return startTerminalService({
      spawn: utilityServiceSpawner(SERVICE_ENTRY),
      options: {
        ...opts,
        sqliteBinding: sqlite.nativeBinding ?? null,
        secret: secretSetup(opts.dataDir),
        logDir: installedLogDir(),
        // PWP_LOG_LEVEL fixes the level for one run (Settings says so), as for the web host.
        ...(isLogLevel(process.env.PWP_LOG_LEVEL) ? { logLevel: process.env.PWP_LOG_LEVEL } : {}),
      },
      onLog: writeLogLine,
    });
  },
  crashReports: (dataDir, submitUrl) => startCrashReports({ crashReporter, app, dialog }, { dataDir, submitUrl }),
  // electron-updater's pick for this platform: NsisUpdater (Windows), AppImageUpdater/DebUpdater/RpmUpdater (Linux).
  // macOS's MacUpdater hands the install to Squirrel.Mac, which needs the app alive while it fetches: not supported (README).
  updater: () => {
    const u = electronUpdater.autoUpdater;
    return u instanceof electronUpdater.BaseUpdater ? u : null;
  },
});

/**
 * Credentials are sealed with a data key the OS keychain (safeStorage) protects, where it
 * is available; this runs after app 'ready', when safeStorage can answer. A keyring-less
 * Linux ('basic_text') counts as no OS encryption: the key file then, said in Settings.
 */
function secretSetup(dataDir: string): SecretSetup {
  const got = osDataKey(safeStorage, join(dataDir, OS_KEY_FILE));
  return 'key' in got ? { kind: 'os-key', key: new Uint8Array(got.key), description: got.description } : { kind: 'file-key', reason: got.unavailable };
}
