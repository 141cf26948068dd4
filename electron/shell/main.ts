/**
 * Entry of the Electron main process (bundled to dist/electron/main.cjs by
 * scripts/build-electron.mjs). Wires the real runtime into the lifecycle;
 * everything else is in lifecycle.ts, which the tests drive with `electron`
 * mocked.
 */
import { safeStorage } from 'electron';
import { installLog, routeConsoleToLog } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { startRuntime } from '../runtime.js';
import { safeStorageBox } from '../service/secret-box.js';
import { runApp } from './lifecycle.js';
import { privateUmask } from '../store/file-modes.js';

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
  startRuntime: (opts) => startRuntime({ ...opts, ...(safeStorage.isEncryptionAvailable() ? { secretBox: safeStorageBox(safeStorage) } : {}) }),
});
