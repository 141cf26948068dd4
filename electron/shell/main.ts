/**
 * Entry of the Electron main process (bundled to dist/electron/main.cjs by
 * scripts/build-electron.mjs). Wires the real runtime into the lifecycle;
 * everything else is in lifecycle.ts, which the tests drive with `electron`
 * mocked.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, crashReporter, dialog, safeStorage } from 'electron';
import electronUpdater from 'electron-updater';
import { installLog, isLogLevel, routeConsoleToLog } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { startRuntime } from '../runtime.js';
import { chooseSecretBox, SECRET_KEY_FILE } from '../service/secret-box.js';
import { startCrashReports } from './crash-reports.js';
import { runApp } from './lifecycle.js';
import { chromiumFetch } from './net-fetch.js';
import { privateUmask } from '../store/file-modes.js';
import { chooseSqliteBinding } from '../store/sqlite-binding.js';
import { useSqliteBinding } from '../store/sqlite.js';

// Everything the app creates (database, WAL, key file, Chromium's profile, saved exports) is private to this user.
privateUmask();

runApp({
  installLog: (dir) => {
    installLog({ dir });
    routeConsoleToLog();
    logProcessErrors();
  },
  // Credentials are sealed with the OS keychain (safeStorage) where it is available;
  // startRuntime runs after app 'ready', when safeStorage can answer.
  // A keyring-less Linux ('basic_text') counts as no OS encryption: the key file then, said in Settings.
  startRuntime: (opts) => {
    // better-sqlite3 built for Electron's ABI, kept apart from the Node build (npm start makes it);
    // every connection, worker threads included, loads it. Missing: a clear start-up error.
    const sqlite = chooseSqliteBinding({
      versions: process.versions,
      platform: process.platform,
      arch: process.arch,
      packaged: app.isPackaged,
      appRoot: app.getAppPath(),
      resourcesPath: process.resourcesPath,
      exists: existsSync,
    });
    useSqliteBinding(sqlite.nativeBinding);
    return startRuntime({
      ...opts,
      secretBox: chooseSecretBox(safeStorage, join(opts.dataDir, SECRET_KEY_FILE)),
      // The loyalty programs are reached through Chromium's network stack: the system's proxy and certificate store.
      network: { fetch: chromiumFetch() },
      // PWP_LOG_LEVEL fixes the level for one run (Settings says so), as for the web host.
      ...(isLogLevel(process.env.PWP_LOG_LEVEL) ? { logLevel: process.env.PWP_LOG_LEVEL } : {}),
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
