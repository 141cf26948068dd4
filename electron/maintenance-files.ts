/**
 * Small files the runtime and the Electron shell hand each other through the
 * data directory. The shell starts the crash reporter before the runtime (and
 * its database) is up, decides about installing an update after the runtime
 * has closed, and may run the runtime in another process: a file is the one
 * channel that works in all three cases.
 *
 * - maintenance.json (runtime -> shell): the Settings the shell needs (update
 *   server, crash report address, a manager's postponement), rewritten at
 *   every start and every change.
 * - closed.json (runtime -> shell): written by runtime.close() once the
 *   database is closed: how many sales were still open and how many
 *   redemptions still queued. Its absence after a close means "not known":
 *   no update is installed then.
 * - update-state.json (shell -> runtime): what the updater did last, shown
 *   on the desk's Settings.
 *
 * Each is written whole (temporary file + rename, mode 0600) and read
 * leniently: a missing or damaged file is "nothing known", never a crash.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SettingsView } from '../shared/contract/manager.js';

export const MAINTENANCE_FILE = 'maintenance.json';
/** Crashpad's database (the shell sets Electron's crashDumps path to it): minidumps in completed/, pending/, reports/... */
export const CRASH_DIR = 'crash-reports';
export const CLOSE_REPORT_FILE = 'closed.json';
export const UPDATE_STATE_FILE = 'update-state.json';

export interface MaintenanceSettings {
  /** The chain's update server (electron-updater generic provider: latest.yml and the installers); null: no updates. */
  updateUrl: string | null;
  /** Where crash minidumps are uploaded (Sentry minidump endpoint or a Crashpad server); null: kept on this PC only. */
  crashReportUrl: string | null;
  /** A manager postponed installing updates until this moment (ISO); null: install at the next clean close. */
  updatesPostponedUntil: string | null;
}

export const NO_MAINTENANCE: MaintenanceSettings = { updateUrl: null, crashReportUrl: null, updatesPostponedUntil: null };

/**
 * What the previous run left behind (the shell's crash-reports.ts finds it;
 * the runtime writes it into the terminal's log).
 */
export interface PreviousCrash {
  /** When the shell found it (ISO): names this finding, so a restarted terminal service does not log it twice. */
  foundAt: string;
  /** When the run that did not end cleanly had started; absent when only dumps were found. */
  uncleanRunStartedAt?: string;
  /** Minidumps written since the last start (paths inside the crash folder). */
  dumps: { file: string; at: string; bytes: number }[];
  /** Whether they are being uploaded (an endpoint is set). */
  uploading: boolean;
}

/** The minidumps in a crash folder, oldest first. */
export function listCrashDumps(dir: string): PreviousCrash['dumps'] {
  const out: PreviousCrash['dumps'] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.dmp')) {
        const st = statSync(p);
        out.push({ file: relative(dir, p), at: st.mtime.toISOString(), bytes: st.size });
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** An update server or crash upload address: https (http only to this machine), no user or password in it. Null when fine. */
export function maintenanceUrlProblem(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'is not a web address';
  }
  const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return 'must start with https://';
  if (u.username || u.password) return 'must not hold sign-in details';
  return null;
}

export interface CloseReport {
  at: string;
  /** Sales not paid, cancelled or voided that were touched in the last day (older ones are abandoned, not open). */
  openSales: number;
  /** Redemptions and refunds still waiting to be sent. */
  queued: number;
}

/** What the updater did last: the desk's Settings shows it (one definition, in the contract). */
export type UpdateState = NonNullable<SettingsView['updateState']>;

function writeJson(dataDir: string, name: string, value: unknown): void {
  const file = join(dataDir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
  renameSync(tmp, file);
}

function readJson(dataDir: string, name: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as unknown;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function writeMaintenanceSettings(dataDir: string, s: MaintenanceSettings): void {
  writeJson(dataDir, MAINTENANCE_FILE, s);
}

export function readMaintenanceSettings(dataDir: string): MaintenanceSettings {
  const raw = readJson(dataDir, MAINTENANCE_FILE);
  if (typeof raw !== 'object' || raw === null) return { ...NO_MAINTENANCE };
  const r = raw as Record<string, unknown>;
  return { updateUrl: str(r.updateUrl), crashReportUrl: str(r.crashReportUrl), updatesPostponedUntil: str(r.updatesPostponedUntil) };
}

export function writeCloseReport(dataDir: string, report: CloseReport): void {
  writeJson(dataDir, CLOSE_REPORT_FILE, report);
}

/** Reads the close report and removes it (each close is judged on its own report). */
export function takeCloseReport(dataDir: string): CloseReport | null {
  const raw = readJson(dataDir, CLOSE_REPORT_FILE);
  rmSync(join(dataDir, CLOSE_REPORT_FILE), { force: true });
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.openSales !== 'number' || typeof r.queued !== 'number' || typeof r.at !== 'string') return null;
  return { at: r.at, openSales: r.openSales, queued: r.queued };
}

export function writeUpdateState(dataDir: string, s: UpdateState): void {
  writeJson(dataDir, UPDATE_STATE_FILE, s);
}

export function readUpdateState(dataDir: string): UpdateState | null {
  const raw = readJson(dataDir, UPDATE_STATE_FILE);
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.phase !== 'string' || typeof r.at !== 'string') return null;
  return raw as UpdateState;
}
