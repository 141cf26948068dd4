/**
 * Crash reports. Electron's crashReporter (Crashpad) writes a minidump for a
 * crash of any of the app's processes into <data dir>/crash-reports; the
 * dumps stay on this PC. They are uploaded only when the provisioning file or
 * Settings names an endpoint: Crashpad then posts each one itself as
 * multipart/form-data with the dump in `upload_file_minidump`, which is what
 * a Crashpad server and Sentry's minidump endpoint
 * (https://<host>/api/<project>/minidump/?sentry_key=<key>) take. The
 * address is read when the crash reporter starts, before the window exists:
 * a change in Settings applies at the next start.
 *
 * At the next start the terminal says it crashed, from two signs:
 * - new minidumps since the last start (a process crashed: main, window,
 *   GPU, the terminal service);
 * - the run marker (running.json) still there: the previous run never
 *   reached its clean exit (a crash without a dump, a kill, a power cut).
 * The finding is logged, shown in a dialog once the window is up, and handed
 * to the runtime, which writes it into the terminal's log (the desk shows it).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, BrowserWindow, CrashReporter, Dialog } from 'electron';
import { logger } from '../log/logger.js';
import { CRASH_DIR, listCrashDumps, maintenanceUrlProblem, type PreviousCrash } from '../maintenance-files.js';

const log = logger('crash');

export const RUN_MARKER_FILE = 'running.json';
/** The dumps already reported, so each crash is said once. */
const SEEN_FILE = 'seen.json';

/** What the previous run left behind; null when it ended cleanly. */
export type CrashFinding = PreviousCrash;

export interface CrashReports {
  readonly dumpDir: string;
  readonly finding: CrashFinding | null;
  /** Says it on screen, once the window exists (non-blocking). */
  notify(win: BrowserWindow): void;
  /** The run ended cleanly: removes the run marker. */
  cleanExit(): void;
}

export interface CrashReportsOptions {
  dataDir: string;
  /** Provisioning file's or Settings' upload address; null/absent: dumps stay local. */
  submitUrl?: string | null;
  /** Sent with every report (Crashpad annotations): never anything about a member. */
  extra?: Record<string, string>;
  clock?: () => number;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

/**
 * Starts the crash reporter and reads what the previous run left. Call it as
 * early as possible (before 'ready'), once this process owns the data dir.
 */
export function startCrashReports(electron: { crashReporter: CrashReporter; app: App; dialog: Dialog }, opts: CrashReportsOptions): CrashReports {
  const clock = opts.clock ?? Date.now;
  const dumpDir = join(opts.dataDir, CRASH_DIR);
  mkdirSync(dumpDir, { recursive: true, mode: 0o700 });
  const badUrl = opts.submitUrl ? maintenanceUrlProblem(opts.submitUrl) : null;
  if (badUrl) log.warn(`the crash report address ${badUrl}: crash reports stay on this PC`);
  const submitUrl = opts.submitUrl && !badUrl ? opts.submitUrl : null;

  electron.app.setPath('crashDumps', dumpDir);
  electron.crashReporter.start({
    productName: 'Pay with Points',
    companyName: 'Pay with Points',
    ...(submitUrl ? { submitURL: submitUrl, uploadToServer: true } : { uploadToServer: false }),
    compress: true,
    globalExtra: { ...opts.extra },
  });

  // What the previous run left: its marker (not removed = no clean exit) and dumps not seen before.
  const markerFile = join(opts.dataDir, RUN_MARKER_FILE);
  const marker = readJson(markerFile) as { startedAt?: unknown } | null;
  const seenFile = join(dumpDir, SEEN_FILE);
  const seenRaw = readJson(seenFile);
  const seen = new Set(Array.isArray(seenRaw) ? seenRaw.filter((x): x is string => typeof x === 'string') : []);
  const all = listCrashDumps(dumpDir);
  const fresh = all.filter((d) => !seen.has(d.file));
  writeFileSync(seenFile, JSON.stringify(all.map((d) => d.file)), { mode: 0o600 });
  writeFileSync(markerFile, JSON.stringify({ pid: process.pid, startedAt: new Date(clock()).toISOString() }), { mode: 0o600 });

  const unclean = marker !== null;
  const finding: CrashFinding | null =
    unclean || fresh.length > 0
      ? {
          foundAt: new Date(clock()).toISOString(),
          ...(unclean ? { uncleanRunStartedAt: typeof marker.startedAt === 'string' ? marker.startedAt : 'unknown' } : {}),
          dumps: fresh,
          uploading: submitUrl !== null,
        }
      : null;
  if (finding) log.error('the terminal did not close cleanly last time', finding);

  // A crash of the window or a helper process while running: logged now (Crashpad keeps its dump).
  electron.app.on('render-process-gone', (_e, _contents, details) => {
    if (details.reason !== 'clean-exit') log.error('the window process ended', { reason: details.reason, exitCode: details.exitCode });
  });
  electron.app.on('child-process-gone', (_e, details) => {
    if (details.reason !== 'clean-exit')
      log.error('a helper process ended', { type: details.type, reason: details.reason, exitCode: details.exitCode, name: details.name });
  });

  return {
    dumpDir,
    finding,
    notify(win) {
      if (!finding) return;
      const { message, detail } = crashNotice(finding);
      electron.dialog
        .showMessageBox(win, { type: 'warning', title: 'Pay with Points closed unexpectedly', message, detail, buttons: ['OK'], noLink: true })
        .catch(() => undefined);
    },
    cleanExit() {
      rmSync(markerFile, { force: true });
    },
  };
}

/** The words the manager or cashier sees at the start after a crash. */
export function crashNotice(f: CrashFinding): { message: string; detail: string } {
  const since = f.uncleanRunStartedAt ? ` (the run started ${f.uncleanRunStartedAt})` : '';
  const message = `Pay with Points did not close normally last time${since}.`;
  const kept =
    f.dumps.length === 0
      ? 'No crash report was written (the PC may have lost power or the program was stopped).'
      : `${f.dumps.length} crash report(s) were saved on this PC${f.uploading ? ' and are sent to the support desk' : ''}.`;
  return {
    message,
    detail: `${kept} Sales and queued redemptions are kept safely and carry on from where they were. If this happens again, tell your support desk and give them a support bundle (desk, Settings).`,
  };
}
