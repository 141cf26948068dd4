/**
 * The terminal's settings, read and written through the store's settings
 * table, validated on write.
 *
 * Keys: terminal_name, store_name, language, backend, backend_url,
 * redemption_rate (JSON), offline_policy (JSON, the lead's OfflineLimits),
 * scanner (JSON), log_level. 'terminal_id' and 'currency' are read-only here. A
 * program's connection (secrets included) is not a setting: the Go live tab
 * tests and seals it into the live database (live-connection.ts).
 */
import { LOG_RETENTION_SETTING, readRetentionDays } from './log-retention.js';
import type { BackendId } from '../../shared/domain.js';
import type { Language, LogLevel, PrinterSettings, ScannerSettings, SettingsPatch, SettingsView } from '../../shared/contract/manager.js';
import { LANGUAGES, LOG_LEVELS } from '../../shared/contract/manager.js';
import { PosError } from '../../shared/errors.js';
import type { Store } from '../store/store.js';
import { checkBackendUrl } from '../config.js';
import { DEFAULT_OFFLINE_LIMITS, OFFLINE_POLICY_SETTING, validateLimits, type OfflineLimits } from './offline-policy.js';
import type { SecretBox } from './secret-box.js';
import { PIN_POLICY_SETTING, readPinPolicy } from './people.js';
import { checkName, checkOfflineLimits } from './settings-rules.js';
import { maintenanceUrlProblem, type MaintenanceSettings, type UpdateState } from '../maintenance-files.js';

/** No thermal printer until a manager sets one up (slips are then PDFs from the sale's detail). */
export const DEFAULT_PRINTER: PrinterSettings = { kind: 'none', host: '', port: 9100, devicePath: '', paper: 80, autoPrint: true };
export const PRINTER_KEY = 'printer';

export const DEFAULT_SCANNER: ScannerSettings = {
  maxInterKeyMs: 40,
  minLength: 6,
  suffix: 'Enter',
  prefix: '',
  cameraEnabled: true,
  suffixChars: '',
  slowMaxGapMs: 300,
  extractPatterns: {},
};

/** The chain's update server, the crash upload address, a manager's postponement of updates (maintenance-files.ts hands them to the shell). */
export const UPDATE_URL_KEY = 'update_url';
export const CRASH_REPORT_URL_KEY = 'crash_report_url';
export const UPDATES_POSTPONED_KEY = 'updates_postponed_until';
/** The longest a manager may hold updates back: a fix for every terminal must not wait for ever. */
export const MAX_POSTPONE_DAYS = 30;

/** Settings a restart must pick up (the adapter is built at start; the crash reporter starts before the window). */
const RESTART_KEYS = new Set(['backend', 'backend_url', CRASH_REPORT_URL_KEY]);
/** electron/log/logger.ts LOG_LEVEL_SETTING (not imported: the service does not depend on the log's install). */
export const LOG_LEVEL_KEY = 'log_level';

export class SettingsStore {
  constructor(
    private readonly store: Store,
    private readonly box: SecretBox | null,
    /** The level PWP_LOG_LEVEL fixes for this run (null: the stored one is used). */
    private readonly logLevelFixed: LogLevel | null = null,
    /** What the shell's updater did last (update-state.json); absent outside the app. */
    private readonly updateState: () => UpdateState | null = () => null,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The settings the Electron shell reads from maintenance.json. */
  maintenance(): MaintenanceSettings {
    const s = this.store;
    return {
      updateUrl: s.getSetting(UPDATE_URL_KEY) ?? null,
      crashReportUrl: s.getSetting(CRASH_REPORT_URL_KEY) ?? null,
      updatesPostponedUntil: s.getSetting(UPDATES_POSTPONED_KEY) ?? null,
    };
  }

  /** The log level as stored ('log_level'), info when unset or unreadable. */
  logLevel(): LogLevel {
    const v = this.store.getSetting(LOG_LEVEL_KEY);
    return (LOG_LEVELS as readonly string[]).includes(v ?? '') ? (v as LogLevel) : 'info';
  }

  view(restartRequired = false): SettingsView {
    const s = this.store;
    const language = s.getSetting('language');
    return {
      terminalId: s.getSetting('terminal_id') ?? '',
      terminalName: s.getSetting('terminal_name') ?? s.getSetting('terminal_id') ?? 'Terminal',
      storeName: s.getSetting('store_name') ?? 'Training store',
      currency: s.getSetting('currency') ?? 'EUR',
      language: (LANGUAGES as readonly string[]).includes(language ?? '') ? (language as Language) : 'en',
      backend: (s.getSetting('backend') ?? 'whitelabel') as BackendId,
      backendUrl: s.getSetting('backend_url') ?? null,
      redemptionRate: this.json('redemption_rate', null),
      offlineLimits: this.offlineLimits(),
      scanner: { ...DEFAULT_SCANNER, ...this.json<Partial<ScannerSettings>>('scanner', {}) },
      printer: this.printer(),
      pinPolicy: this.pinPolicy(),
      logRetentionDays: readRetentionDays(s.getSetting(LOG_RETENTION_SETTING)),
      credentialProtection: this.box
        ? { kind: this.box.protection, description: this.box.description }
        : { kind: 'none', description: 'No way to encrypt credentials is set up: they cannot be stored.' },
      logLevel: this.logLevel(),
      logLevelFixed: this.logLevelFixed,
      ...this.maintenance(),
      updateState: this.updateState(),
      restartRequired,
    };
  }

  /** The shortest PINs; the same reading People uses (never below 6 for managers, 4 for cashiers). */
  pinPolicy(): SettingsView['pinPolicy'] {
    return readPinPolicy(this.store.getSetting(PIN_POLICY_SETTING));
  }

  offlineLimits(): OfflineLimits {
    const raw = this.store.getSetting(OFFLINE_POLICY_SETTING);
    if (!raw) return { ...DEFAULT_OFFLINE_LIMITS };
    try {
      return validateLimits(JSON.parse(raw));
    } catch {
      return { ...DEFAULT_OFFLINE_LIMITS };
    }
  }

  /**
   * Applies a validated patch. Returns what changed, as loggable facts (old
   * and new values: none of these fields is secret).
   */
  update(patch: SettingsPatch): { changes: Record<string, { from: unknown; to: unknown }>; restartRequired: boolean } {
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const set = (key: string, value: string | null, shown: unknown, before: unknown) => {
      const old = this.store.getSetting(key) ?? null;
      if (old === value) return;
      if (value === null) this.store.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
      else this.store.setSetting(key, value);
      changes[key] = { from: before, to: shown };
    };
    const cur = this.view();
    if (patch.terminalName !== undefined) checkName('terminalName', patch.terminalName);
    if (patch.storeName !== undefined) checkName('storeName', patch.storeName);
    if (patch.terminalName !== undefined) set('terminal_name', patch.terminalName.trim(), patch.terminalName.trim(), cur.terminalName);
    if (patch.storeName !== undefined) set('store_name', patch.storeName.trim(), patch.storeName.trim(), cur.storeName);
    if (patch.language !== undefined) set('language', patch.language, patch.language, cur.language);
    if (patch.backend !== undefined) set('backend', patch.backend, patch.backend, cur.backend);
    if (patch.backendUrl !== undefined) {
      // The command line's rule: no secret in the URL (it would reach the settings table, the
      // WAL, the hash-chained log for ever and its exports), https except to this machine.
      let url: string | null = null;
      if (patch.backendUrl !== null) {
        try {
          url = checkBackendUrl(patch.backendUrl);
        } catch (e) {
          throw new PosError('INVALID_INPUT', (e as Error).message, { details: { field: 'backendUrl' } });
        }
      }
      set('backend_url', url, url, cur.backendUrl);
    }
    if (patch.redemptionRate !== undefined) {
      set('redemption_rate', patch.redemptionRate === null ? null : JSON.stringify(patch.redemptionRate), patch.redemptionRate, cur.redemptionRate);
    }
    if (patch.offlineLimits !== undefined) {
      const next = validateLimits({ ...cur.offlineLimits, ...patch.offlineLimits });
      checkOfflineLimits(next, patch.backend ?? cur.backend);
      set(OFFLINE_POLICY_SETTING, JSON.stringify(next), next, cur.offlineLimits);
    }
    if (patch.pinPolicy !== undefined) {
      const next = { ...cur.pinPolicy, ...patch.pinPolicy };
      const floor = readPinPolicy(undefined);
      if (!(
        next.managerMinDigits >= floor.managerMinDigits &&
        next.managerMinDigits <= 8 &&
        next.cashierMinDigits >= floor.cashierMinDigits &&
        next.cashierMinDigits <= 8
      )) {
        throw new PosError(
          'INVALID_INPUT',
          `PINs may be made longer, never shorter: managers ${floor.managerMinDigits} to 8 digits, cashiers ${floor.cashierMinDigits} to 8.`,
          { details: { field: 'pinPolicy' } },
        );
      }
      set(PIN_POLICY_SETTING, JSON.stringify(next), next, cur.pinPolicy);
    }
    if (patch.logLevel !== undefined) set(LOG_LEVEL_KEY, patch.logLevel, patch.logLevel, cur.logLevel);
    if (patch.printer !== undefined) {
      const next = { ...cur.printer, ...patch.printer };
      checkPrinter(next);
      set(PRINTER_KEY, JSON.stringify(next), next, cur.printer);
    }
    for (const [field, key] of [
      ['updateUrl', UPDATE_URL_KEY],
      ['crashReportUrl', CRASH_REPORT_URL_KEY],
    ] as const) {
      const url = patch[field];
      if (url === undefined) continue;
      const problem = url === null ? null : maintenanceUrlProblem(url);
      if (problem) throw new PosError('INVALID_INPUT', `The address ${problem}.`, { details: { field } });
      set(key, url, url, cur[field]);
    }
    if (patch.updatesPostponedUntil !== undefined) {
      const until = patch.updatesPostponedUntil;
      if (until !== null) {
        const t = Date.parse(until);
        if (!(t > this.clock() && t <= this.clock() + MAX_POSTPONE_DAYS * 86_400_000))
          throw new PosError('INVALID_INPUT', `Updates can be postponed to a moment in the next ${MAX_POSTPONE_DAYS} days.`, {
            details: { field: 'updatesPostponedUntil' },
          });
      }
      const iso = until === null ? null : new Date(until).toISOString();
      set(UPDATES_POSTPONED_KEY, iso, iso, cur.updatesPostponedUntil);
    }
    if (patch.logRetentionDays !== undefined) {
      const days = patch.logRetentionDays;
      set(LOG_RETENTION_SETTING, days === null ? null : String(days), days, cur.logRetentionDays);
    }
    if (patch.scanner !== undefined) {
      const next = { ...cur.scanner, ...patch.scanner };
      if (patch.scanner.extractPatterns) next.extractPatterns = { ...cur.scanner.extractPatterns, ...patch.scanner.extractPatterns }; // one backend's pattern at a time
      set('scanner', JSON.stringify(next), next, cur.scanner);
    }
    return { changes, restartRequired: Object.keys(changes).some((k) => RESTART_KEYS.has(k)) };
  }

  /** The slip printer as stored, over the defaults. */
  printer(): PrinterSettings {
    return { ...DEFAULT_PRINTER, ...this.json<Partial<PrinterSettings>>(PRINTER_KEY, {}) };
  }

  private json<T>(key: string, fallback: T): T {
    const raw = this.store.getSetting(key);
    if (!raw) return fallback;
    try {
      return JSON.parse(raw) as T;
    } catch {
      return fallback;
    }
  }
}

/** A printer set-up that cannot print is refused with the field to fix. */
export function checkPrinter(p: PrinterSettings): void {
  if (p.kind === 'network' && !p.host.trim()) {
    throw new PosError('INVALID_INPUT', "A network printer needs its address (the printer's IP address or host name).", { details: { field: 'printer.host' } });
  }
  if (p.kind === 'device' && !p.devicePath.trim()) {
    throw new PosError('INVALID_INPUT', 'A USB printer needs its device file (for example /dev/usb/lp0).', { details: { field: 'printer.devicePath' } });
  }
}
