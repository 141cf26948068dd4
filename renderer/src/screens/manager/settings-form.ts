/**
 * The settings screen's form: built from the terminal's SettingsView, turned
 * back into the smallest SettingsPatch (only what changed), with amounts and
 * points read by shared/money's parsers. A program's connection is not here:
 * the Go live tab has it.
 */
import type { BackendId } from '../../../../shared/domain';
import { PROGRAM_IDS, PROGRAMS } from '../../../../shared/programs';
import type { Language, LogLevel, PrinterSettings, ScannerSettings, SettingsPatch, SettingsView } from '../../../../shared/contract/manager';
import { centsToDecimalString, formatPoints, parseAmount, parsePoints } from '../../../../shared/money';

export interface SettingsForm {
  terminalName: string;
  storeName: string;
  language: Language;
  backend: BackendId;
  backendUrl: string;
  rateOwn: boolean;
  ratePoints: string;
  rateAmount: string;
  maxPointsPerRedemption: string;
  maxPointsPerMember: string;
  maxOutstanding: string;
  maxBalanceAgeMinutes: string;
  maxInterKeyMs: string;
  minLength: string;
  suffix: ScannerSettings['suffix'];
  prefix: string;
  cameraEnabled: boolean;
  logLevel: LogLevel;
  printerKind: PrinterSettings['kind'];
  printerHost: string;
  printerPort: string;
  printerDevice: string;
  printerPaper: PrinterSettings['paper'];
  printerAutoPrint: boolean;
  /** Days of log kept in the database; '' keeps everything (retention off). */
  logRetentionDays: string;
}

/** Points as typed in the form: up to 3 decimals, no grouping ("1250", "12.5"). */
const pts = (milli: number) => formatPoints(milli, 3);

export function formFromView(v: SettingsView): SettingsForm {
  return {
    terminalName: v.terminalName,
    storeName: v.storeName,
    language: v.language,
    backend: v.backend,
    backendUrl: v.backendUrl ?? '',
    rateOwn: v.redemptionRate !== null,
    ratePoints: v.redemptionRate ? pts(v.redemptionRate.pointsMilli) : '100',
    rateAmount: v.redemptionRate ? centsToDecimalString(v.redemptionRate.cents) : '1.00',
    maxPointsPerRedemption: pts(v.offlineLimits.maxPointsPerRedemptionMilli),
    maxPointsPerMember: pts(v.offlineLimits.maxPointsPerMemberMilli),
    maxOutstanding: pts(v.offlineLimits.maxOutstandingMilli),
    maxBalanceAgeMinutes: String(v.offlineLimits.maxBalanceAgeMinutes),
    maxInterKeyMs: String(v.scanner.maxInterKeyMs),
    minLength: String(v.scanner.minLength),
    suffix: v.scanner.suffix,
    prefix: v.scanner.prefix,
    cameraEnabled: v.scanner.cameraEnabled,
    logLevel: v.logLevel,
    printerKind: v.printer.kind,
    printerHost: v.printer.host,
    printerPort: String(v.printer.port),
    printerDevice: v.printer.devicePath,
    printerPaper: v.printer.paper,
    printerAutoPrint: v.printer.autoPrint,
    logRetentionDays: v.logRetentionDays === null ? '' : String(v.logRetentionDays),
  };
}

export type SettingsField = keyof SettingsForm;
export interface FormProblem {
  field: SettingsField;
  /** 'settings.notNumber' | 'settings.notPoints' | an error code's text */
  key:
    | 'settings.notNumber'
    | 'settings.notPoints'
    | 'errors.AMOUNT_INVALID'
    | 'errors.INVALID_INPUT'
    | 'manager.settings.blank'
    | 'manager.settings.tooLong'
    | 'manager.settings.aboveMember'
    | 'manager.settings.aboveOutstanding'
    | 'manager.settings.precision'
    | 'manager.settings.ageZero'
    | 'manager.settings.retentionRange';
  /** Figures for the words (the limit, the decimals). */
  params?: Record<string, string | number>;
}

/** The longest terminal or store name (the service refuses longer ones, it does not cut them). */
export const MAX_NAME_LENGTH = 60;

function nameProblem(value: string, field: 'terminalName' | 'storeName'): FormProblem | null {
  if (!value) return { field, key: 'manager.settings.blank' };
  if (value.length > MAX_NAME_LENGTH) return { field, key: 'manager.settings.tooLong', params: { max: MAX_NAME_LENGTH, length: value.length } };
  return null;
}

function whole(text: string, field: SettingsField, min: number, max: number): number | FormProblem {
  const t = text.trim();
  if (!/^\d{1,9}$/.test(t)) return { field, key: 'settings.notNumber' };
  const n = Number(t);
  return n < min || n > max ? { field, key: 'settings.notNumber' } : n;
}

function points(text: string, field: SettingsField): number | FormProblem {
  try {
    return parsePoints(text, 3);
  } catch {
    return { field, key: 'settings.notPoints' };
  }
}

const isProblem = (x: unknown): x is FormProblem => typeof x === 'object' && x !== null && 'field' in x;

/** The patch for what changed, or the first field that cannot be read. */
export function patchFromForm(form: SettingsForm, view: SettingsView): { patch: SettingsPatch } | { problem: FormProblem } {
  const patch: SettingsPatch = {};
  const name = form.terminalName.trim();
  const store = form.storeName.trim();
  const badName = nameProblem(name, 'terminalName') ?? nameProblem(store, 'storeName');
  if (badName) return { problem: badName };
  if (name !== view.terminalName) patch.terminalName = name;
  if (store !== view.storeName) patch.storeName = store;
  if (form.language !== view.language) patch.language = form.language;
  if (form.backend !== view.backend) patch.backend = form.backend;
  const url = form.backendUrl.trim();
  if (url !== (view.backendUrl ?? '')) {
    if (url && !/^https?:\/\/\S+$/i.test(url)) return { problem: { field: 'backendUrl', key: 'errors.INVALID_INPUT' } };
    patch.backendUrl = url || null;
  }

  if (!form.rateOwn) {
    if (view.redemptionRate !== null) patch.redemptionRate = null;
  } else {
    const p = points(form.ratePoints, 'ratePoints');
    if (isProblem(p)) return { problem: p };
    if (p <= 0) return { problem: { field: 'ratePoints', key: 'settings.notPoints' } };
    let cents: number;
    try {
      cents = parseAmount(form.rateAmount, view.currency).cents;
    } catch {
      return { problem: { field: 'rateAmount', key: 'errors.AMOUNT_INVALID' } };
    }
    if (cents <= 0) return { problem: { field: 'rateAmount', key: 'errors.AMOUNT_INVALID' } };
    if (!view.redemptionRate || view.redemptionRate.pointsMilli !== p || view.redemptionRate.cents !== cents) patch.redemptionRate = { pointsMilli: p, cents };
  }

  const limits: NonNullable<SettingsPatch['offlineLimits']> = {};
  const perRedemption = points(form.maxPointsPerRedemption, 'maxPointsPerRedemption');
  if (isProblem(perRedemption)) return { problem: perRedemption };
  const perMember = points(form.maxPointsPerMember, 'maxPointsPerMember');
  if (isProblem(perMember)) return { problem: perMember };
  const outstanding = points(form.maxOutstanding, 'maxOutstanding');
  if (isProblem(outstanding)) return { problem: outstanding };
  const age = whole(form.maxBalanceAgeMinutes, 'maxBalanceAgeMinutes', 0, 1_000_000);
  if (isProblem(age)) return { problem: age };
  // Limits that cannot work together, in the program's precision (the service checks the same: settings-rules.ts).
  const decimals = PROGRAMS.find((p) => p.id === form.backend)?.capabilities.pointsDecimals ?? 3;
  const step = 10 ** (3 - decimals);
  for (const [field, milli] of [
    ['maxPointsPerRedemption', perRedemption],
    ['maxPointsPerMember', perMember],
    ['maxOutstanding', outstanding],
  ] as const) {
    if (milli % step !== 0) return { problem: { field, key: 'manager.settings.precision', params: { decimals } } };
  }
  if (perRedemption > perMember) return { problem: { field: 'maxPointsPerRedemption', key: 'manager.settings.aboveMember' } };
  if (perMember > outstanding) return { problem: { field: 'maxPointsPerMember', key: 'manager.settings.aboveOutstanding' } };
  if (age < 1) return { problem: { field: 'maxBalanceAgeMinutes', key: 'manager.settings.ageZero' } };
  const o = view.offlineLimits;
  if (perRedemption !== o.maxPointsPerRedemptionMilli) limits.maxPointsPerRedemptionMilli = perRedemption;
  if (perMember !== o.maxPointsPerMemberMilli) limits.maxPointsPerMemberMilli = perMember;
  if (outstanding !== o.maxOutstandingMilli) limits.maxOutstandingMilli = outstanding;
  if (age !== o.maxBalanceAgeMinutes) limits.maxBalanceAgeMinutes = age;
  if (Object.keys(limits).length) patch.offlineLimits = limits;

  const scanner: NonNullable<SettingsPatch['scanner']> = {};
  const gap = whole(form.maxInterKeyMs, 'maxInterKeyMs', 5, 200);
  if (isProblem(gap)) return { problem: gap };
  const minLength = whole(form.minLength, 'minLength', 3, 64);
  if (isProblem(minLength)) return { problem: minLength };
  if (form.prefix.length > 8) return { problem: { field: 'prefix', key: 'errors.INVALID_INPUT' } };
  const s = view.scanner;
  if (gap !== s.maxInterKeyMs) scanner.maxInterKeyMs = gap;
  if (minLength !== s.minLength) scanner.minLength = minLength;
  if (form.suffix !== s.suffix) scanner.suffix = form.suffix;
  if (form.prefix !== s.prefix) scanner.prefix = form.prefix;
  if (form.cameraEnabled !== s.cameraEnabled) scanner.cameraEnabled = form.cameraEnabled;
  if (Object.keys(scanner).length) patch.scanner = scanner;
  if (form.logLevel !== view.logLevel) patch.logLevel = form.logLevel;

  const port = whole(form.printerPort, 'printerPort', 1, 65535);
  if (isProblem(port)) return { problem: port };
  const host = form.printerHost.trim();
  if (form.printerKind === 'network' && !/^[A-Za-z0-9.:-]+$/.test(host)) return { problem: { field: 'printerHost', key: 'errors.INVALID_INPUT' } };
  const device = form.printerDevice.trim();
  if (form.printerKind === 'device' && !device) return { problem: { field: 'printerDevice', key: 'errors.INVALID_INPUT' } };
  const pr = view.printer;
  const printer: NonNullable<SettingsPatch['printer']> = {};
  if (form.printerKind !== pr.kind) printer.kind = form.printerKind;
  if (host !== pr.host) printer.host = host;
  if (port !== pr.port) printer.port = port;
  if (device !== pr.devicePath) printer.devicePath = device;
  if (form.printerPaper !== pr.paper) printer.paper = form.printerPaper;
  if (form.printerAutoPrint !== pr.autoPrint) printer.autoPrint = form.printerAutoPrint;
  if (Object.keys(printer).length) patch.printer = printer;

  // The service's bounds (log-retention.ts): shorter would archive what a manager still looks up.
  const keep = form.logRetentionDays.trim();
  const days = keep === '' ? null : whole(keep, 'logRetentionDays', 30, 36_500);
  if (isProblem(days)) return { problem: { field: 'logRetentionDays', key: 'manager.settings.retentionRange' } };
  if (days !== view.logRetentionDays) patch.logRetentionDays = days;

  return { patch };
}

/** The programs the terminal knows, from their descriptors (zod-free, so the schemas stay out of the bundle). */
export const BACKENDS: readonly BackendId[] = PROGRAM_IDS;
