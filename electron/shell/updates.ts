/**
 * Updates from the chain's own HTTPS server (electron-updater's generic
 * provider: the server holds latest.yml and the installers `npm run dist`
 * made). The server's address comes from the provisioning file (wins) or
 * Settings (maintenance.json, written by the runtime).
 *
 * - Checked at start and once a day: an hourly tick compares the injected
 *   clock with the last check, so a PC that slept still checks on waking.
 * - Downloaded in the background. electron-updater verifies the file against
 *   the sha512 in latest.yml (a mismatch is refused and the file deleted) and,
 *   on Windows, the installer's Authenticode signature against the
 *   publisherName electron-builder wrote into app-update.yml.
 * - Never installed behind a cashier's back: only when the terminal closes
 *   cleanly, with no open sale and nothing queued (the runtime's close
 *   report), and not while a manager's postponement runs.
 * - An older version on the server is ignored (no downgrades).
 *
 * What happened last is written to update-state.json for the desk.
 */
import type { AppUpdater, BaseUpdater, UpdateCheckResult } from 'electron-updater';
import { logger } from '../log/logger.js';
import { readMaintenanceSettings, writeUpdateState, type CloseReport, type UpdateState } from '../maintenance-files.js';

const log = logger('updates');

export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;
/** How often the clock is looked at: a missed daily check runs within this much of the PC waking up. */
export const TICK_MS = 60 * 60 * 1000;

/** What the shell needs of electron-updater's platform updater (NsisUpdater, AppImageUpdater, ...). */
export type PlatformUpdater = Pick<BaseUpdater, 'install' | 'setFeedURL' | 'checkForUpdates' | 'on'> &
  Pick<AppUpdater, 'autoDownload' | 'autoInstallOnAppQuit' | 'allowDowngrade' | 'disableWebInstaller' | 'logger' | 'currentVersion'>;

export interface UpdatesOptions {
  updater: PlatformUpdater;
  dataDir: string;
  /** The provisioning file's update server: wins over Settings. */
  fixedUrl?: string | null;
  clock?: () => number;
  /** Calls `fn` every `ms` and answers a cancel (tests call the tick by hand). */
  every?: (ms: number, fn: () => void) => () => void;
}

export interface InstallDecision {
  installed: boolean;
  /** Why not, in words for the log. */
  reason: string;
}

export interface Updates {
  /** One check (and download when there is something newer). Resolves with the state reached; never throws. */
  check(): Promise<UpdateState>;
  /** The daily schedule's tick: checks when a day has passed since the last check. */
  tick(): Promise<void>;
  /** At a clean close, after the runtime closed: installs the downloaded update if nothing stands in the way. */
  installAtClose(report: CloseReport | null): InstallDecision;
  state(): UpdateState;
  stop(): void;
}

const realEvery = (ms: number, fn: () => void) => {
  const t = setInterval(fn, ms);
  t.unref();
  return () => clearInterval(t);
};

function plainWords(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ERR_CHECKSUM_MISMATCH')
    return 'The downloaded update does not match the sha512 in latest.yml: it was refused and deleted. Check the files on the update server.';
  if (err?.code === 'ERR_UPDATER_INVALID_SIGNATURE') return 'The downloaded update is not signed by the publisher: it was refused.';
  if (err?.code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') return 'The update server has no latest.yml at this address.';
  const first = String(err?.message ?? e).split('\n')[0];
  return `The update server could not be used: ${first}`;
}

export function startUpdates(opts: UpdatesOptions): Updates {
  const { updater, dataDir } = opts;
  const clock = opts.clock ?? Date.now;
  const iso = () => new Date(clock()).toISOString();
  // Downloads go ahead on their own; installing is this module's decision (installAtClose), never electron-updater's quit hook.
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = false;
  updater.allowDowngrade = false;
  updater.disableWebInstaller = true;
  updater.logger = {
    info: (m: unknown) => log.debug(String(m)),
    warn: (m: unknown) => log.warn(String(m)),
    error: (m: unknown) => log.warn(String(m)),
    debug: (m: string) => log.debug(m),
  };
  // electron-updater also emits 'error' for what check() catches; a listener keeps an EventEmitter 'error' from throwing.
  updater.on('error', () => undefined);

  let current: UpdateState = { phase: 'idle', at: iso() };
  let downloadedVersion: string | null = null;
  let feedUrl: string | null = null;
  let lastCheckAt: number | null = null;
  let running: Promise<UpdateState> | null = null;

  const set = (s: Omit<UpdateState, 'at'>): UpdateState => {
    current = { ...s, at: iso(), ...(lastCheckAt === null ? {} : { checkedAt: new Date(lastCheckAt).toISOString() }) };
    try {
      writeUpdateState(dataDir, current);
    } catch (e) {
      log.warn('could not write the update state for the desk', e);
    }
    return current;
  };

  async function runCheck(): Promise<UpdateState> {
    const url = opts.fixedUrl ?? readMaintenanceSettings(dataDir).updateUrl;
    if (!url) return set({ phase: 'idle', message: 'No update server is set.' });
    if (url !== feedUrl) {
      updater.setFeedURL({ provider: 'generic', url });
      feedUrl = url;
    }
    lastCheckAt = clock();
    set({ phase: 'checking' });
    let result: UpdateCheckResult | null;
    try {
      result = await updater.checkForUpdates();
    } catch (e) {
      log.warn('checking for an update failed', { url, reason: plainWords(e) });
      return set({ phase: 'failed', message: plainWords(e) });
    }
    if (!result) return set({ phase: 'idle', message: 'Updates are only checked by the installed app.' });
    const offered = result.updateInfo.version;
    if (!result.isUpdateAvailable) {
      const running = updater.currentVersion.version;
      if (offered !== running) log.info('the update server offers an older version: ignored', { offered, running });
      else log.info('no update', { version: running });
      return set({ phase: 'up-to-date', version: offered });
    }
    log.info('downloading an update', { version: offered });
    set({ phase: 'downloading', version: offered });
    try {
      await result.downloadPromise;
    } catch (e) {
      downloadedVersion = null;
      log.error('the update was refused', { version: offered, reason: plainWords(e) });
      return set({ phase: 'failed', version: offered, message: plainWords(e) });
    }
    downloadedVersion = offered;
    log.info('update downloaded and verified; it installs when the terminal closes with no open sale and nothing queued', { version: offered });
    return set({ phase: 'downloaded', version: offered });
  }

  function check(): Promise<UpdateState> {
    running ??= runCheck().finally(() => {
      running = null;
    });
    return running;
  }

  async function tick(): Promise<void> {
    if (lastCheckAt !== null && clock() - lastCheckAt < CHECK_EVERY_MS) return;
    await check();
  }

  const stopTicking = (opts.every ?? realEvery)(TICK_MS, () => void tick());
  void check();

  return {
    check,
    tick,
    state: () => current,
    stop: stopTicking,
    installAtClose(report) {
      const decide = (installed: boolean, reason: string): InstallDecision => {
        (installed ? log.info : log.warn)(installed ? 'installing the update' : 'the downloaded update is not installed at this close', {
          version: downloadedVersion,
          reason,
        });
        return { installed, reason };
      };
      if (!downloadedVersion) return { installed: false, reason: 'no update downloaded' };
      const postponed = readMaintenanceSettings(dataDir).updatesPostponedUntil;
      if (postponed && Date.parse(postponed) > clock()) return decide(false, `a manager postponed updates until ${postponed}`);
      if (!report) return decide(false, 'the terminal did not report a clean close');
      if (report.openSales > 0) return decide(false, `${report.openSales} sale(s) still open`);
      if (report.queued > 0) return decide(false, `${report.queued} redemption(s) or refund(s) still queued`);
      // Silent, and the terminal is not started again by the installer: it was being closed.
      const started = updater.install(true, false);
      if (!started) return decide(false, 'the installer could not be started');
      set({ phase: 'installing', version: downloadedVersion });
      return decide(true, 'closed cleanly with no open sale and an empty queue');
    },
  };
}
