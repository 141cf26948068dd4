/**
 * The Electron app's lifecycle. main.ts is the bundle's entry and only wires
 * the real runtime in; everything here takes its runtime factory as a
 * parameter so the whole lifecycle runs in tests with `electron` mocked.
 *
 * Start: register the app:// scheme and enable the sandbox (before ready),
 * resolve the data dir, take the single-instance lock for that data dir; on
 * ready: security policy, renderer protocol, runtime, IPC, window.
 * Stop: closing the window while redemptions still wait asks first; quitting
 * awaits runtime.close() (bounded), then exits.
 */
import os from 'node:os';
import path from 'node:path';
import { BrowserWindow, app, dialog, ipcMain, protocol, session, type BrowserWindow as BrowserWindowT } from 'electron';
import { APP_NAME, ConfigError, parseBackendUrl, resolveDataDir } from '../config.js';
import { configFileFrom, ProvisioningError, readTerminalConfig, type TerminalConfig } from '../provisioning.js';
import { ServiceStartError } from '../terminal-process/supervisor.js';
import { debugSwitchIn } from './debug-switches.js';
import { registerIpc, type IpcRuntime } from './ipc.js';
import { registerAppScheme, serveRenderer, type OpenExport } from './protocol.js';
import { applySessionSecurity, isTrustedSender } from './security.js';
import { createMainWindow, hardenWebContents } from './window.js';
import { resolveLogDir } from '../log/log-dir.js';
import { logger } from '../log/logger.js';
import { readMaintenanceSettings, takeCloseReport } from '../maintenance-files.js';
import type { CrashFinding, CrashReports } from './crash-reports.js';
import { startUpdates, type PlatformUpdater, type Updates } from './updates.js';

const log = logger('shell');

/** What the shell needs from electron/runtime.ts's Runtime (structural). */
export interface ShellRuntime extends IpcRuntime {
  waitingCount(): number;
  close(): Promise<void>;
  /** Opens a CSV export by its one-time ticket (served on app://pos/api/export/). */
  openExport?: OpenExport;
}

export interface ShellDeps {
  startRuntime(opts: {
    dataDir: string;
    backendUrl?: string;
    config?: { file: string; config: TerminalConfig };
    /** What the previous run left behind (crash-reports.ts): the runtime writes it into the terminal's log. */
    previousCrash?: CrashFinding;
  }): Promise<ShellRuntime>;
  /**
   * Starts Electron's crash reporter for this data dir (main.ts: crash-reports.ts startCrashReports), with the upload
   * address from the provisioning file or Settings; absent: no crash reports.
   */
  crashReports?: (dataDir: string, submitUrl: string | null) => CrashReports;
  /** electron-updater's updater for this platform (main.ts: its autoUpdater); absent or null: no updates. */
  updater?: () => PlatformUpdater | null;
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  /** How long quitting waits for runtime.close() before exiting anyway. */
  closeTimeoutMs?: number;
  /**
   * Sends the process's log to files in `logDir` (main.ts: installLog and
   * console routing). Called once this process owns the data directory, so two
   * processes never rotate the same files.
   */
  installLog?: (logDir: string) => void;
}

/** Handles for tests and diagnostics. */
export interface ShellHandle {
  readonly dataDir: string | undefined;
  /** Where this terminal's log files are. */
  readonly logDir: string | undefined;
  readonly backendUrl: string | undefined;
  /** Settles when start-up finished (window created) or failed. */
  readonly ready: Promise<void>;
  window(): BrowserWindowT | null;
  runtime(): ShellRuntime | null;
}

export function closeConfirmMessage(waiting: number): { message: string; detail: string } {
  const n = waiting === 1 ? '1 redemption has' : `${waiting} redemptions have`;
  return {
    message: `${n} not been sent to the loyalty program yet.`,
    detail: 'They are saved safely on this terminal and will be sent at the next start, when the network is available. ' + 'Close the terminal anyway?',
  };
}

export function runApp(deps: ShellDeps): ShellHandle {
  const argv = deps.argv ?? process.argv;
  const env = deps.env ?? process.env;
  const closeTimeoutMs = deps.closeTimeoutMs ?? 10_000;

  let win: BrowserWindowT | null = null;
  let runtime: ShellRuntime | null = null;
  let starting: Promise<ShellRuntime> | null = null;
  let disposeIpc: (() => void) | null = null;
  let shutdownDone = false;
  let shuttingDown = false;
  let provisioning: { file: string; config: TerminalConfig } | undefined;
  let crashes: CrashReports | null = null;
  let updates: Updates | null = null;

  const handle = {
    dataDir: undefined as string | undefined,
    logDir: undefined as string | undefined,
    backendUrl: undefined as string | undefined,
    ready: Promise.resolve(),
    window: () => win,
    runtime: () => runtime,
  };

  // Both must happen before 'ready'.
  registerAppScheme(protocol);
  app.enableSandbox();

  const debugSwitch = app.isPackaged ? debugSwitchIn(argv) : null;
  if (debugSwitch) {
    fatal('Pay with Points cannot start', new ConfigError(`${debugSwitch} is not allowed on the installed terminal.`), 2);
    return handle;
  }

  try {
    handle.dataDir = resolveDataDir({
      argv,
      env,
      platform: process.platform,
      homedir: os.homedir(),
      appName: APP_NAME,
      appDataDir: app.getPath('appData'),
    });
    handle.backendUrl = parseBackendUrl({ argv, env });
    // A provisioning file (--config FILE or PWP_CONFIG) is read and checked before anything starts: a bad one exits with 2.
    const configFile = configFileFrom(argv, env);
    if (configFile) provisioning = { file: configFile, config: readTerminalConfig(configFile, env) };
  } catch (err) {
    fatal('Pay with Points cannot start', err, 2);
    return handle;
  }
  const dataDir = handle.dataDir;
  const backendUrl = handle.backendUrl;

  // The single-instance lock lives in userData: with userData = the data
  // dir, the lock means "one process per data dir" (what protects the SQLite
  // store), and two terminals with different --data-dir can run side by side.
  // Chromium's own session files (cache, local storage) go in a subfolder.
  app.setPath('userData', dataDir);
  app.setPath('sessionData', path.join(dataDir, 'chromium'));
  if (!app.requestSingleInstanceLock()) {
    // Another process owns this data dir; it gets a 'second-instance' event and comes to the front.
    app.quit();
    return handle;
  }
  handle.logDir = resolveLogDir({ argv, env, platform: process.platform, homedir: os.homedir(), dataDir });
  deps.installLog?.(handle.logDir);
  // The mode (training or live) is the runtime's to say (mode.json, --config): it logs it once open.
  log.info('terminal starting', { dataDir, ...(backendUrl === undefined ? {} : { trainingBackend: backendUrl }) });
  crashes = startMaintenanceCrashReports(dataDir);
  // A close report left by an earlier run says nothing about this one.
  if (deps.updater) takeCloseReport(dataDir);

  app.on('second-instance', () => {
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });

  // Any web contents, not only the main window's, get the same guards.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  // A cashier terminal has one window; closing it ends the program on every OS.
  app.on('window-all-closed', () => app.quit());

  app.on('will-quit', (event) => {
    if (shutdownDone) return;
    event.preventDefault();
    void shutdown();
  });

  handle.ready = app
    .whenReady()
    .then(async () => {
      applySessionSecurity(session.defaultSession);
      serveRenderer(protocol, path.join(app.getAppPath(), 'dist', 'renderer'), (ticket) => runtime?.openExport?.(ticket) ?? null);
      starting = deps.startRuntime({
        dataDir,
        ...(backendUrl === undefined ? {} : { backendUrl }),
        ...(provisioning ? { config: provisioning } : {}),
        ...(crashes?.finding ? { previousCrash: crashes.finding } : {}),
      });
      const started = await starting;
      // Quit was asked while the runtime was starting: shutdown() closes it.
      if (shuttingDown) return;
      runtime = started;
      disposeIpc = registerIpc(ipcMain, runtime, isTrustedSender, { target: () => (win && !win.isDestroyed() ? win.webContents : null) });
      win = createMainWindow(BrowserWindow, {
        preload: path.join(app.getAppPath(), 'dist', 'electron', 'preload.cjs'),
        devTools: !app.isPackaged,
        // Not "(training)": a terminal may start live (mode.json, --config); the page shows the mode.
        title: 'Pay with Points',
      });
      attachCloseConfirmation(win);
      crashes?.notify(win);
      updates = startMaintenanceUpdates(dataDir);
      win.on('closed', () => {
        win = null;
      });
    })
    .catch((err: unknown) => {
      // A provisioning file that cannot be applied now is bad input, like a bad file: exit 2.
      const badFile = err instanceof ProvisioningError || (err instanceof ServiceStartError && err.causeName === 'ProvisioningError');
      fatal('Pay with Points could not start', err, badFile ? 2 : 1);
    });

  return handle;

  function startMaintenanceCrashReports(dir: string): CrashReports | null {
    if (!deps.crashReports) return null;
    try {
      return deps.crashReports(dir, provisioning?.config.crashReports?.submitUrl ?? readMaintenanceSettings(dir).crashReportUrl);
    } catch (err) {
      // Crash reporting is a help, never a reason not to serve the counter.
      log.error('the crash reporter could not start', err);
      return null;
    }
  }

  function startMaintenanceUpdates(dir: string): Updates | null {
    try {
      const updater = deps.updater?.();
      if (!updater) return null;
      return startUpdates({ updater, dataDir: dir, fixedUrl: provisioning?.config.updates?.url ?? null });
    } catch (err) {
      log.error('the updater could not start', err);
      return null;
    }
  }

  function attachCloseConfirmation(w: BrowserWindowT): void {
    let confirmed = false;
    let asking = false;
    w.on('close', (event) => {
      if (confirmed) return;
      const waiting = safeWaitingCount();
      if (waiting <= 0) return;
      event.preventDefault();
      if (asking) return;
      asking = true;
      const { message, detail } = closeConfirmMessage(waiting);
      dialog
        .showMessageBox(w, {
          type: 'warning',
          title: 'Redemptions still waiting',
          message,
          detail,
          buttons: ['Close anyway', 'Keep the terminal open'],
          defaultId: 1,
          cancelId: 1,
          noLink: true,
        })
        .then(({ response }) => {
          asking = false;
          if (response === 0 && !w.isDestroyed()) {
            confirmed = true;
            w.close();
          }
        })
        .catch(() => {
          asking = false;
        });
    });
  }

  function safeWaitingCount(): number {
    try {
      return runtime ? runtime.waitingCount() : 0;
    } catch {
      return 0;
    }
  }

  async function shutdown(): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    disposeIpc?.();
    disposeIpc = null;
    // A runtime still starting is awaited and closed too, within the same time limit.
    const closing = (async () => {
      const r = runtime ?? (starting ? await starting.catch(() => null) : null);
      if (r) await r.close();
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), closeTimeoutMs);
    });
    let code = 0;
    try {
      const outcome = await Promise.race([closing.then(() => 'closed' as const), timedOut]);
      if (outcome === 'timeout') {
        log.error(`the runtime did not close within ${closeTimeoutMs} ms; exiting anyway`);
        code = 1;
      }
    } catch (err) {
      log.error('closing the runtime failed', err);
      code = 1;
    } finally {
      if (timer) clearTimeout(timer);
    }
    updates?.stop();
    // Only a clean close may install a downloaded update (updates.ts decides on the runtime's close report).
    if (updates) updates.installAtClose(code === 0 ? takeCloseReport(dataDir) : null);
    // A close that timed out or failed stays "not clean": the next start says so.
    if (code === 0) crashes?.cleanExit();
    shutdownDone = true;
    // app.exit: the windows are gone and the runtime is closed; nothing is
    // left that 'before-quit' listeners could still save.
    app.exit(code);
  }

  function fatal(title: string, err: unknown, code: number): void {
    // ConfigError messages are written for the person starting the terminal.
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    log.error(`${title}: ${message}`);
    try {
      dialog.showErrorBox(title, message);
    } catch {
      // Before 'ready' on some platforms the dialog is unavailable; stderr has it.
    }
    shutdownDone = true;
    if (runtime) {
      const r = runtime;
      runtime = null;
      void r
        .close()
        .catch(() => {})
        .finally(() => app.exit(code));
    } else {
      app.exit(code);
    }
  }
}
