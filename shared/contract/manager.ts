/**
 * The manager's desk: who is signed in, people and PINs, the log (filtered,
 * paged, verified, exported), a sale's whole story, what needs attention, the
 * queue, the end-of-day summary, and settings.
 *
 * Role checks happen in the service (electron/service/manager-desk.ts):
 * - open to anyone: getPreferences, listPeople, whoAmI, signIn, signOut,
 *   createFirstManager (the latter only while no manager exists);
 * - a signed-in manager: the read-only desk views (queryLog, getSaleStory,
 *   listAttention, listQueue, getEndOfDay, verifyLog, getSettings);
 * - a signed-in manager, or anyone with a manager's `approval` (id + PIN) in
 *   the call: the actions (createPerson, setPersonActive, setPersonPin,
 *   markHandled, retryQueue, requestExport, updateSettings).
 *
 * A program's connection (URLs, ids, secrets) is not a setting: it is entered,
 * tested and sealed on the Go live tab only (contract/golive.ts).
 */
import { z } from '../zod.js';
import { PROGRAM_IDS } from '../programs/index.js';
import type { BackendId, LogEntryView, SaleState } from '../domain.js';
import { saleId } from './checkout.js';
import { managerApproval, personId, pin } from './approval.js';
import { compilePattern, MAX_PATTERN_CHARS } from '../scan-content.js';
import { safeName } from '../safe-text.js';
import type { OfferNoticeTotals } from './offers.js';

export type Role = 'cashier' | 'manager';

export interface PersonView {
  id: string;
  name: string;
  role: Role;
  active: boolean;
  /** ISO time until which this person is locked out after wrong PINs, or null. */
  lockedUntil: string | null;
}

import { LANGUAGES, type Language } from '../languages.js';

export { LANGUAGES, type Language };
import { LOG_LEVELS, type LogLevel } from '../log-levels.js';
export { LOG_LEVELS, type LogLevel };
export const BACKEND_IDS = PROGRAM_IDS;

const personName = safeName(z.string().trim().min(1, 'give a name').max(60, 'at most 60 characters'));
const role = z.enum(['cashier', 'manager']);
/** An ISO 8601 instant with a zone ("2025-03-01T00:00:00+01:00" or "...Z"). */
const instant = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
    'not an ISO date-time with a zone',
  );
/** A manager's PIN for this one action, when the signed-in person is not a manager. */
export { managerApproval };
const approval = managerApproval.optional();
const outboxItem = z.string().regex(/^outbox:\d{1,18}$/, 'not an item id');

/** The log view's filters; all optional, combined with AND. */
export const logFilter = z
  .object({
    /** Entries at or after this instant. */
    from: instant.optional(),
    /** Entries before this instant. */
    to: instant.optional(),
    /** A person's id (the log's actor). */
    actor: z.string().min(1).max(120).optional(),
    kind: z.string().min(1).max(60).optional(),
    outcome: z.string().min(1).max(60).optional(),
    /** The member's last four digits. */
    memberLast4: z
      .string()
      .regex(/^[0-9A-Za-z]{4}$/, 'the last 4 characters of the member number')
      .optional(),
    saleId: saleId.optional(),
    /** Words to find anywhere in an entry (prefix match per word). */
    text: z.string().trim().max(100).optional(),
  })
  .strict();
export type LogFilter = z.infer<typeof logFilter>;

const scannerSettings = z
  .object({
    /** Longest gap between a scanner's keystrokes (a person types slower). */
    maxInterKeyMs: z.number().int().min(5).max(200),
    /** Shortest code taken as a scan. */
    minLength: z.number().int().min(3).max(64),
    /** The key the scanner sends after a code. */
    suffix: z.enum(['Enter', 'Tab', 'none']),
    /** Characters the scanner sends before a code (stripped). */
    prefix: z.string().max(8),
    cameraEnabled: z.boolean(),
    /** Characters the scanner sends after a code, before its end key (stripped). With the prefix, what tells a slow (Bluetooth) scanner from a person. */
    suffixChars: z.string().max(8).optional(),
    /** With a prefix or suffix characters set: the longest gap between a slow scanner's keystrokes. */
    slowMaxGapMs: z.number().int().min(50).max(1000).optional(),
    /** Per backend: a pattern that finds the member number in a URL or text (shared/scan-content.ts); '' turns the default off. */
    extractPatterns: z
      .partialRecord(
        z.enum(BACKEND_IDS),
        z
          .string()
          .max(MAX_PATTERN_CHARS)
          .superRefine((p, ctx) => {
            // The same RE2 check the renderer's form makes: a pattern that could freeze the till is refused here, with why.
            const c = p === '' ? null : compilePattern(p);
            if (c && !c.ok) ctx.addIssue({ code: 'custom', message: `not a usable pattern: ${c.reason}` });
          }),
      )
      .optional(),
  })
  .strict();
export type ScannerSettings = z.infer<typeof scannerSettings>;

const offlineLimits = z
  .object({
    maxPointsPerRedemptionMilli: z.number().int().min(0),
    maxPointsPerMemberMilli: z.number().int().min(0),
    maxOutstandingMilli: z.number().int().min(0),
    maxBalanceAgeMinutes: z.number().int().min(0),
  })
  .strict();

/**
 * The slip printer. network: an ESC/POS printer on the LAN (raw TCP, port
 * 9100 by default); device: a USB printer's device file (/dev/usb/lp0);
 * none: no thermal printer (slips as PDF from the sale's detail).
 */
export const PRINTER_KINDS = ['none', 'network', 'device'] as const;
export const printerSettings = z
  .object({
    kind: z.enum(PRINTER_KINDS),
    host: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9.:-]*$/, 'a host name or IP address'),
    port: z.number().int().min(1).max(65535),
    devicePath: z
      .string()
      .max(200)
      .regex(/^[^\0\n\r]*$/, 'a file path'),
    paper: z.union([z.literal(58), z.literal(80)]),
    /** Print the slip by itself after Paid, a void or a refund (otherwise: a button). */
    autoPrint: z.boolean(),
  })
  .strict();
export type PrinterSettings = z.infer<typeof printerSettings>;

export const settingsPatch = z
  .object({
    // Length and blankness are checked in the service (settings-rules.ts), which says which field and why.
    terminalName: safeName(z.string().max(1000)).optional(),
    storeName: safeName(z.string().max(1000)).optional(),
    language: z.enum(LANGUAGES).optional(),
    backend: z.enum(BACKEND_IDS).optional(),
    backendUrl: z.string().url().max(300).nullable().optional(),
    /** Points per currency unit where the terminal owns the rate (null: the backend's). */
    redemptionRate: z
      .object({ pointsMilli: z.number().int().min(1), cents: z.number().int().min(1) })
      .strict()
      .nullable()
      .optional(),
    offlineLimits: offlineLimits.partial().optional(),
    scanner: scannerSettings.partial().optional(),
    /** The shortest PINs: managers at least 6 digits, cashiers at least 4; these may only be raised. */
    pinPolicy: z
      .object({ managerMinDigits: z.number().int().min(6).max(8), cashierMinDigits: z.number().int().min(4).max(8) })
      .partial()
      .strict()
      .optional(),
    /** The terminal log's level: takes effect at once (unless PWP_LOG_LEVEL fixes it for this run). */
    logLevel: z.enum(LOG_LEVELS).optional(),
    printer: printerSettings.partial().optional(),
    /**
     * Log retention: entries older than this many days move to compressed, verifiable archive files in the
     * data directory (electron/store/log-archive.ts); null keeps every entry in the database (the default).
     */
    logRetentionDays: z.number().int().min(30).max(36_500).nullable().optional(),
    /** The chain's update server (an HTTPS folder with latest.yml and the installers); null: no updates. */
    updateUrl: z.string().max(500).nullable().optional(),
    /** Where crash minidumps are uploaded (Sentry minidump endpoint, Crashpad server); null: kept on this PC. Applies at the next start. */
    crashReportUrl: z.string().max(500).nullable().optional(),
    /** A manager holds a downloaded update back until then (at most 30 days ahead); null: install at the next clean close. */
    updatesPostponedUntil: z.string().max(40).nullable().optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof settingsPatch>;

export const managerMethods = {
  // --- sign-in (open) ---
  /** What every screen needs before and after sign-in: language, scanner set-up, names. No secrets. */
  getPreferences: z.object({}).strict(),
  /** The sign-in screen: active people, and whether the first manager must still be created. */
  listPeople: z.object({}).strict(),
  whoAmI: z.object({}).strict(),
  signIn: z.object({ personId, pin }).strict(),
  signOut: z.object({}).strict(),
  /** First start only: no manager exists yet. Signs the new manager in and answers the recovery code (shown once). */
  createFirstManager: z.object({ name: personName, pin }).strict(),
  /**
   * The recovery code from the first start sets a new PIN for a manager (the
   * only manager locked out, or the PIN forgotten), signs them in, and answers
   * a new code (the old one is used up).
   */
  recoverManager: z.object({ managerId: personId, code: z.string().trim().min(1).max(40), newPin: pin }).strict(),
  // --- people (manager) ---
  createPerson: z.object({ name: personName, role, pin, approval }).strict(),
  setPersonActive: z.object({ personId, active: z.boolean(), approval }).strict(),
  setPersonPin: z.object({ personId, pin, approval }).strict(),
  /** Lifts someone's PIN lock (and its escalation) without changing the PIN: another manager's action. */
  unlockPerson: z.object({ personId, approval }).strict(),
  // --- the log (manager) ---
  queryLog: z
    .object({
      filter: logFilter.default({}),
      limit: z.number().int().min(1).max(500),
      /** Keyset paging: entries with seq below this (the previous page's nextBeforeSeq). */
      beforeSeq: z.number().int().min(1).optional(),
    })
    .strict(),
  getSaleStory: z.object({ saleId }).strict(),
  verifyLog: z
    .object({
      /** The fingerprint printed on an end-of-day report: the answer says whether the log still reaches it. */
      expectedHead: z
        .string()
        .trim()
        .regex(/^[0-9a-fA-F]{64}$/, 'a fingerprint is 64 characters, 0-9 and a-f')
        .optional(),
    })
    .strict(),
  // --- what needs a decision, and the queue (manager) ---
  listAttention: z.object({ includeHandled: z.boolean().optional() }).strict(),
  markHandled: z.object({ item: outboxItem, reason: z.string().trim().min(3, 'say what was done (3 characters or more)').max(500), approval }).strict(),
  listQueue: z.object({}).strict(),
  /** Makes waiting rows due now (one sale's, or all) and wakes the sender. */
  retryQueue: z.object({ saleId: saleId.optional(), approval }).strict(),
  // --- end of day and export (manager) ---
  getEndOfDay: z.object({ from: instant, to: instant, utcOffsetMinutes: z.number().int().min(-840).max(840) }).strict(),
  /**
   * A one-time ticket (valid 1 minute; the ticket alone opens the download, no session token in the link) for one CSV download: the web host
   * serves it at `path`; Electron saves it through a save dialog.
   */
  requestExport: z
    .object({
      what: z.enum(['log', 'end-of-day']),
      from: instant,
      to: instant,
      utcOffsetMinutes: z.number().int().min(-840).max(840).optional(),
      filter: logFilter.omit({ from: true, to: true }).optional(),
      /**
       * 'spreadsheet' (default): the manager's language's convention (semicolons and
       * decimal commas in nl and fr); 'rfc4180': commas and decimal points.
       */
      format: z.enum(['spreadsheet', 'rfc4180']).optional(),
      approval,
    })
    .strict(),
  // --- settings (manager) ---
  getSettings: z.object({}).strict(),
  updateSettings: z.object({ patch: settingsPatch, approval }).strict(),
} as const;

/** A log entry as the desk shows it: the person's name beside their id. */
export type DeskLogEntry = LogEntryView & { actorName: string | null };

export interface LogPage {
  entries: DeskLogEntry[];
  /** Pass as beforeSeq for the next (older) page; null at the end. */
  nextBeforeSeq: number | null;
}

export interface OutboxRowView {
  id: number;
  kind: 'redeem' | 'reverse';
  state: 'pending' | 'done' | 'refused' | 'attention' | 'cancelled';
  reference: string;
  pointsMilli: number | null;
  attempts: number;
  needsCheck: boolean;
  nextAttemptAt: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SaleSummaryView {
  id: string;
  state: SaleState;
  createdAt: string;
  updatedAt: string;
  cashier: string;
  cashierName: string | null;
  currency: string;
  basketCents: number;
  memberMasked: string | null;
  pointsMilli: number | null;
  discountCents: number | null;
  backendReference: string | null;
  postedAt: string | null;
  paidAt: string | null;
  voidedAt: string | null;
  offlineAccepted: boolean;
  refundedCents: number;
  refundedPointsMilli: number;
}

export interface SaleStory {
  sale: SaleSummaryView;
  /** Every log entry of the sale, oldest first. */
  entries: DeskLogEntry[];
  outbox: OutboxRowView[];
  handled: HandledMark[];
}

export type AttentionKind = 'unknown-outcome' | 'refused-after-offline' | 'manual-refund' | 'refund-refused';

export interface HandledMark {
  item: string;
  by: string;
  byName: string | null;
  reason: string;
  at: string;
}

/** One lookup of a row in doubt: when, what it concluded, what the backend answered. */
export interface LookupEvidenceView {
  at: string;
  outcome: 'applied' | 'not-applied' | 'cannot-tell' | 'not-reached';
  message: string;
  status?: number;
  balanceMilli?: number;
}

/** What a manager sees to decide a row nobody can tell about ("it was applied" or "send again"). */
export interface InDoubtEvidenceView {
  /** The reference the terminal sent (look it up in the program's portal). */
  reference: string;
  /** Each send that may have reached the backend: when, until when it might still apply, how it failed. */
  sends: Array<{ at: string; deadline: string; failure?: string }>;
  lookups: LookupEvidenceView[];
  /** The member's balance before the send, and the last one a lookup read, where known. */
  balanceBeforeMilli: number | null;
  balanceAfterMilli: number | null;
}

export interface AttentionItem {
  /** 'outbox:<id>': pass to markHandled (or, when inDoubt is set, to resolveInDoubt). */
  item: string;
  kind: AttentionKind;
  saleId: string;
  since: string;
  memberMasked: string | null;
  pointsMilli: number | null;
  /** Money the shop may lose (a discount given on points the backend then refused). */
  amountAtRiskCents: number | null;
  currency: string;
  /** What went wrong, in the words the terminal stored. */
  problem: string | null;
  /** What the manager should do, in plain words. */
  whatToDo: string;
  handled: HandledMark | null;
  /** Set when nobody can tell whether it was applied: the evidence, and the manager decides with resolveInDoubt. */
  inDoubt?: InDoubtEvidenceView;
}

export interface QueueRowView extends OutboxRowView {
  saleId: string;
  memberMasked: string | null;
  ageSeconds: number;
}

export interface EndOfDayTotals {
  redemptions: number;
  pointsMilli: number;
  discountCents: number;
  refunds: number;
  refundedCents: number;
  refundedPointsMilli: number;
  voids: number;
  overrides: number;
  offlineAccepted: number;
  /** Redemptions the program refused (after the sale, e.g. taken offline): not in redemptions/points/discount. */
  refusedRedemptions: number;
  refusedPointsMilli: number;
  /** Discount the member already had on refused redemptions taken offline: to collect or write off. */
  atRiskCents: number;
  /** The discount's share of the points given back by refunds. */
  refundedDiscountCents: number;
  /** Points given back by voids (only where the program had taken them), and their discount. */
  voidedPointsMilli: number;
  voidedDiscountCents: number;
  /** Points and discount after the voids and refunds made in the range. */
  netPointsMilli: number;
  netDiscountCents: number;
}

/** Voids and refunds credited to the manager who made (approved) them. */
export interface EndOfDayManagerRow {
  personId: string;
  name: string | null;
  voids: number;
  voidedPointsMilli: number;
  refunds: number;
  refundedCents: number;
  refundedPointsMilli: number;
}

export interface EndOfDaySummary {
  from: string;
  to: string;
  utcOffsetMinutes: number;
  currency: string;
  generatedAt: string;
  totals: EndOfDayTotals;
  /** Now, whatever the range: what still waits to be sent, and what needs a decision. */
  stillQueued: { rows: number; pointsMilli: number };
  needsAttention: number;
  byCashier: Array<{ personId: string; name: string | null } & EndOfDayTotals>;
  byManager: EndOfDayManagerRow[];
  /** The terminal's name and whether it runs in training mode (the printed report shows both). */
  terminalName: string;
  training: boolean;
  /** The last "verify the log" found the log changed: the figures may not be trustworthy. */
  logTampered: { firstBadSeq: number | null; checkedAt: string } | null;
  /** Local hours ("00".."23") of the range with their redemptions. */
  byHour: Array<{ hour: string; redemptions: number; pointsMilli: number; discountCents: number }>;
  /** Card-linked offers redeemed by the platform in the range (from its signed notices), by purchase time. */
  cardLinked: OfferNoticeTotals;
  /** The log's head when the summary was made: print it, and a later rewrite of the log shows. */
  logHead: { seq: number; hash: string };
}

export interface VerifyReport {
  intact: boolean;
  entries: number;
  firstBadSeq?: number;
  problem?: 'changed' | 'missing' | 'reordered' | 'truncated' | 'anchor-mismatch' | 'tamper-suspected' | 'expected-head-missing';
  message: string;
  head: { seq: number; hash: string } | null;
  /** Only when an expected head was given: whether the intact log still holds that entry (its seq, or null). */
  expectedHead?: { hash: string; reached: boolean; seq: number | null };
  checkedAt: string;
  durationMs: number;
}

export interface ExportTicket {
  ticket: string;
  /** The web host's download path (append nothing: the ticket is in it). */
  path: string;
  filename: string;
  expiresAt: string;
}

export interface SettingsView {
  terminalId: string;
  terminalName: string;
  storeName: string;
  currency: string;
  language: Language;
  backend: BackendId;
  backendUrl: string | null;
  redemptionRate: { pointsMilli: number; cents: number } | null;
  offlineLimits: {
    maxPointsPerRedemptionMilli: number;
    maxPointsPerMemberMilli: number;
    maxOutstandingMilli: number;
    maxBalanceAgeMinutes: number;
  };
  scanner: ScannerSettings;
  /** The shortest PIN per role for new PINs. */
  pinPolicy: { managerMinDigits: number; cashierMinDigits: number };
  /** Log retention in days (null: every entry stays in the database). */
  logRetentionDays: number | null;
  /** How credentials are protected on this machine: 'os' (Electron safeStorage) or a file key that is not OS-protected. */
  credentialProtection: { kind: 'os' | 'file-key' | 'none'; description: string };
  /** The terminal log's level as stored (default info). */
  logLevel: LogLevel;
  /** The slip printer (kind 'none' until a manager sets one up). */
  printer: PrinterSettings;
  /** The level this run actually uses when PWP_LOG_LEVEL fixes it (the stored one applies at the next start without it); null otherwise. */
  logLevelFixed: LogLevel | null;
  /** The chain's update server (null: none). */
  updateUrl: string | null;
  /** Where crash reports are uploaded (null: kept on this PC). */
  crashReportUrl: string | null;
  /** Updates held back by a manager until then (ISO), null: none. */
  updatesPostponedUntil: string | null;
  /** What the updater did last (the installed app only; null elsewhere). */
  updateState: {
    phase: 'idle' | 'checking' | 'up-to-date' | 'downloading' | 'downloaded' | 'failed' | 'installing';
    at: string;
    version?: string;
    message?: string;
    checkedAt?: string;
  } | null;
  /** Changing the backend or its URL takes effect at the next start. */
  restartRequired: boolean;
}

/** The non-secret settings every screen may read (the sign-in screen included). */
export interface Preferences {
  /** The slip printer, as far as the counter needs it. */
  printer: Pick<PrinterSettings, 'kind' | 'autoPrint' | 'paper'>;
  language: Language;
  scanner: ScannerSettings;
  terminalName: string;
  storeName: string;
}

export interface ManagerResults {
  getPreferences: Preferences;
  listPeople: { people: PersonView[]; needsFirstManager: boolean };
  whoAmI: { person: PersonView | null; needsFirstManager: boolean };
  signIn: PersonView;
  signOut: { signedOut: true };
  createFirstManager: PersonView & { recoveryCode: string };
  recoverManager: PersonView & { recoveryCode: string };
  createPerson: PersonView;
  setPersonActive: PersonView;
  setPersonPin: PersonView;
  unlockPerson: PersonView;
  queryLog: LogPage;
  getSaleStory: SaleStory;
  verifyLog: VerifyReport;
  listAttention: { items: AttentionItem[] };
  markHandled: AttentionItem;
  listQueue: { rows: QueueRowView[]; total: number };
  retryQueue: { madeDue: number };
  getEndOfDay: EndOfDaySummary;
  requestExport: ExportTicket;
  getSettings: SettingsView;
  updateSettings: SettingsView;
}
