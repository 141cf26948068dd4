/**
 * The manager's desk: the contract area `manager` (shared/contract/manager.ts).
 * Plain Node, no `electron` import. Every method checks the caller's role
 * here, in the service, whatever the UI shows:
 * - open: getPreferences, listPeople, whoAmI, signIn, signOut, createFirstManager (only
 *   while no manager exists), recoverManager (with the recovery code);
 * - views: a signed-in manager;
 * - actions: a signed-in manager, or a manager's approval (id + PIN) given
 *   with the call (a cashier's terminal, the manager walks over).
 * Every action is logged with who did it (and who approved it).
 *
 * The parts live in small modules: people.ts (PINs, roles, session),
 * log-query.ts (filtered pages), csv-export.ts (streamed CSV),
 * end-of-day.ts (the summary), settings-store.ts and secret-box.ts.
 */
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { MethodInput } from '../../shared/contract.js';
import {
  managerMethods,
  type AttentionItem,
  type EndOfDaySummary,
  type AttentionKind,
  type ExportTicket,
  type HandledMark,
  type InDoubtEvidenceView,
  type LogFilter,
  type LogLevel,
  type ManagerResults,
  type OutboxRowView,
  type QueueRowView,
  type SaleStory,
  type VerifyReport,
} from '../../shared/contract/manager.js';
import { PosError } from '../../shared/errors.js';
import { parseEvidence, type OutboxRow } from '../store/outbox.js';
import { TAMPER_SUSPECTED_KIND } from '../store/log-head-check.js';
import type { Store } from '../store/store.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import { csvDialect, type CsvFormat } from './csv-dialect.js';
import { writeEndOfDayCsv, writeLogCsv } from './csv-export.js';
import { endOfDay } from './end-of-day.js';
import { LogQuery } from './log-query.js';
import { verifyChain } from './log-verify.js';
import { verifyArchives } from '../store/log-archive.js';
import type { ManagerApproval, People, PersonView } from './people.js';
import type { SecretBox } from './secret-box.js';
import { CRASH_REPORT_URL_KEY, SettingsStore, UPDATE_URL_KEY, UPDATES_POSTPONED_KEY } from './settings-store.js';
import type { MaintenanceSettings, UpdateState } from '../maintenance-files.js';

const MAINTENANCE_KEYS = [UPDATE_URL_KEY, CRASH_REPORT_URL_KEY, UPDATES_POSTPONED_KEY];

export type ManagerMethod = keyof typeof managerMethods;

export interface ManagerDeskOptions {
  people: People;
  /** Seals credentials: Electron's safeStorage in the shell, a file key elsewhere (see secret-box.ts). */
  secretBox: SecretBox | null;
  /** Wakes the outbox worker after "retry now". */
  kick?: () => void;
  clock?: () => number;
  /** The terminal id on log entries (read from settings when absent). */
  terminalId?: string;
  /** How long an export ticket stays valid. */
  exportTicketMs?: number;
  /** Training mode (an emulator, no real points): printed on the end of day. */
  training?: boolean;
  /**
   * The terminal log's level: `fixed` when PWP_LOG_LEVEL decides it for this
   * run; `apply` puts a level a manager saved into effect at once.
   */
  logLevel?: { fixed: LogLevel | null; apply(level: LogLevel, by: string): void };
  /**
   * The Electron shell's side of Settings (update server, crash upload,
   * postponement): `changed` hands them over when a manager saves them
   * (maintenance-files.ts); `updateState` reads what the updater did last.
   */
  maintenance?: { changed(settings: MaintenanceSettings): void; updateState(): UpdateState | null };
}

/** One CSV download, opened with a ticket: the web host pipes it to the response, Electron to a file. */
export interface ExportDownload {
  filename: string;
  contentType: string;
  /** Streams the CSV into `out` and ends it. Resolves with the number of data rows. */
  write(out: Writable): Promise<{ rows: number }>;
}

interface PendingExport {
  what: 'log' | 'end-of-day';
  from: string;
  to: string;
  utcOffsetMinutes: number;
  filter: Omit<LogFilter, 'from' | 'to'>;
  format: CsvFormat;
  by: string;
  managerId: string;
  filename: string;
  expiresAt: number;
}

export const EXPORT_PATH = '/api/export/';
/** How long an export ticket opens its download (the link is in the browser's history after). */
export const EXPORT_TICKET_MS = 60_000;

export class ManagerDesk implements HandlersFor<ManagerMethod> {
  readonly log: LogQuery;
  readonly settings: SettingsStore;
  private readonly people: People;
  private readonly clock: () => number;
  private readonly exports = new Map<string, PendingExport>();

  constructor(
    private readonly store: Store,
    private readonly opts: ManagerDeskOptions,
  ) {
    this.people = opts.people;
    this.clock = opts.clock ?? Date.now;
    this.log = new LogQuery(store.db);
    this.settings = new SettingsStore(store, opts.secretBox, opts.logLevel?.fixed ?? null, opts.maintenance?.updateState, this.clock);
  }

  handlers(): HandlersFor<ManagerMethod> {
    return bindHandlers(this, Object.keys(managerMethods) as ManagerMethod[]);
  }

  // ---- sign-in (open to anyone at the terminal) ------------------------------------

  async getPreferences(): Promise<ManagerResults['getPreferences']> {
    const v = this.settings.view();
    return {
      language: v.language,
      scanner: v.scanner,
      terminalName: v.terminalName,
      storeName: v.storeName,
      printer: { kind: v.printer.kind, autoPrint: v.printer.autoPrint, paper: v.printer.paper },
    };
  }

  async listPeople(): Promise<ManagerResults['listPeople']> {
    return { people: this.people.list(), needsFirstManager: !this.people.hasAnyManager() };
  }

  async whoAmI(): Promise<ManagerResults['whoAmI']> {
    return { person: this.people.current(), needsFirstManager: !this.people.hasAnyManager() };
  }

  async signIn(input: MethodInput<'signIn'>): Promise<PersonView> {
    return this.people.signIn(input.personId, input.pin);
  }

  async signOut(): Promise<ManagerResults['signOut']> {
    this.people.signOut();
    return { signedOut: true };
  }

  async createFirstManager(input: MethodInput<'createFirstManager'>): Promise<ManagerResults['createFirstManager']> {
    return this.people.createFirstManager(input.name, input.pin);
  }

  async recoverManager(input: MethodInput<'recoverManager'>): Promise<ManagerResults['recoverManager']> {
    return this.people.recoverManager(input.managerId, input.code, input.newPin);
  }

  // ---- people (manager) ----------------------------------------------------------------

  async createPerson(input: MethodInput<'createPerson'>): Promise<PersonView> {
    const manager = this.authorize('person.create', input.approval);
    return this.people.createPerson(manager, input.name, input.role, input.pin);
  }

  async setPersonActive(input: MethodInput<'setPersonActive'>): Promise<PersonView> {
    const manager = this.authorize('person.set-active', input.approval);
    return this.people.setActive(manager, input.personId, input.active);
  }

  async setPersonPin(input: MethodInput<'setPersonPin'>): Promise<PersonView> {
    const manager = this.authorize('person.set-pin', input.approval);
    return this.people.setPin(manager, input.personId, input.pin);
  }

  async unlockPerson(input: MethodInput<'unlockPerson'>): Promise<PersonView> {
    const manager = this.authorize('person.unlock', input.approval);
    if (manager.id === input.personId) throw new PosError('FORBIDDEN', 'Another manager must lift your lock (or use the recovery code).');
    return this.people.unlock(manager, input.personId);
  }

  // ---- the log (manager) ---------------------------------------------------------------

  async queryLog(input: MethodInput<'queryLog'>): Promise<ManagerResults['queryLog']> {
    this.requireManagerSignedIn();
    return this.log.page(input.filter ?? {}, input.limit, input.beforeSeq);
  }

  async getSaleStory(input: MethodInput<'getSaleStory'>): Promise<SaleStory> {
    this.requireManagerSignedIn();
    const s = this.store.sales.get(input.saleId) as ReturnType<Store['sales']['get']> &
      Partial<Record<'voided_at', string | null> & Record<'refunded_cents' | 'refunded_points_milli', number>>;
    const names = this.names();
    return {
      sale: {
        id: s.id,
        state: s.state,
        createdAt: s.created_at,
        updatedAt: s.updated_at,
        cashier: s.cashier,
        cashierName: names.get(s.cashier) ?? null,
        currency: s.currency,
        basketCents: s.basket_cents,
        memberMasked: s.member_masked,
        pointsMilli: s.points_milli,
        discountCents: s.discount_cents,
        backendReference: s.backend_reference,
        postedAt: s.posted_at,
        paidAt: s.paid_at,
        voidedAt: s.voided_at ?? null,
        offlineAccepted: s.offline_accepted === 1,
        refundedCents: s.refunded_cents ?? 0,
        refundedPointsMilli: s.refunded_points_milli ?? 0,
      },
      entries: this.log.forSale(s.id),
      outbox: this.store.outbox.forSale(s.id).map(outboxView),
      handled: (this.store.db.prepare('SELECT * FROM attention_handled WHERE sale_id = ? ORDER BY handled_at').all(s.id) as HandledRow[]).map((h) =>
        handledView(h, names),
      ),
    };
  }

  /**
   * Walks the whole chain (journal.verify), then compares the log's last entry
   * with the anchor the append trigger keeps: entries cut off the end, or a
   * last entry replaced, show there. A tail cut while the terminal was stopped
   * (anchor fixed too) shows as the start's `log.tamper-suspected` entry
   * (store/log-head-check.ts). `expectedHead`: a fingerprint from an end-of-day
   * report, which the log must still reach.
   */
  async verifyLog(input: MethodInput<'verifyLog'> = {}): Promise<VerifyReport> {
    const me = this.requireManagerSignedIn();
    const report = await this.verify(input.expectedHead);
    this.store.transaction(() =>
      this.append({
        actor: me.id,
        kind: 'log.verified',
        outcome: report.intact ? 'ok' : 'TAMPERED',
        detail: {
          entries: report.entries,
          problem: report.problem ?? null,
          firstBadSeq: report.firstBadSeq ?? null,
          durationMs: Math.round(report.durationMs),
          ...(report.expectedHead ? { expectedHead: report.expectedHead } : {}),
        },
      }),
    );
    return report;
  }

  /** The verification itself, without role check or log entry (the benchmark calls it). */
  async verify(expectedHead?: string): Promise<VerifyReport> {
    const t0 = performance.now();
    const r = await verifyChain(this.store);
    const head = this.log.head();
    const anchor = this.log.anchor();
    const expected = expectedHead === undefined ? undefined : this.expectedHead(expectedHead.toLowerCase(), r);
    const base = { entries: r.entries, head, checkedAt: new Date(this.clock()).toISOString(), ...(expected ? { expectedHead: expected } : {}) };
    const done = (x: Omit<VerifyReport, 'entries' | 'head' | 'checkedAt' | 'durationMs'>): VerifyReport => ({
      ...base,
      ...x,
      durationMs: performance.now() - t0,
    });
    if (!r.intact) return done({ intact: false, firstBadSeq: r.firstBadSeq, problem: r.problem, message: r.message });
    // Entries moved to archive files by log retention are checked there, and linked to the log (store/log-archive.ts).
    const file = this.log.file();
    const archives = file && this.store.db.prepare('SELECT 1 FROM log_cut LIMIT 1').get() ? await verifyArchives(this.store, dirname(file)) : null;
    if (archives && !archives.intact) return done({ intact: false, firstBadSeq: archives.firstBadSeq ?? 1, problem: 'changed', message: archives.message });
    const lastSeq = head?.seq ?? 0;
    if (anchor) {
      if (anchor.seq > lastSeq) {
        return done({
          intact: false,
          firstBadSeq: lastSeq + 1,
          problem: 'truncated',
          message:
            anchor.seq === lastSeq + 1
              ? `Entry ${anchor.seq}, the last one written, is missing.`
              : `Entries ${lastSeq + 1} to ${anchor.seq}, the last ones written, are missing.`,
        });
      }
      if (anchor.seq < lastSeq) {
        return done({
          intact: false,
          firstBadSeq: anchor.seq + 1,
          problem: 'anchor-mismatch',
          message: `Entries from ${anchor.seq + 1} on were not written by this terminal.`,
        });
      }
      if (head && anchor.hash !== head.hash) {
        return done({ intact: false, firstBadSeq: head.seq, problem: 'anchor-mismatch', message: `Entry ${head.seq}, the last one, was replaced.` });
      }
    }
    const tamper = this.store.db.prepare(`SELECT seq, detail FROM log WHERE kind = '${TAMPER_SUSPECTED_KIND}' ORDER BY seq DESC LIMIT 1`).get() as
      { seq: number; detail: string | null } | undefined;
    if (tamper) {
      const d = (tamper.detail ? JSON.parse(tamper.detail) : {}) as { reason?: string; databaseHead?: { seq: number } };
      return done({
        intact: false,
        firstBadSeq: (d.databaseHead?.seq ?? tamper.seq - 1) + 1,
        problem: 'tamper-suspected',
        message: `At a start (entry ${tamper.seq}) the log did not match the head this terminal had sealed: ${d.reason ?? 'see that entry'}`,
      });
    }
    if (expected && !expected.reached) {
      return done({
        intact: false,
        problem: 'expected-head-missing',
        message: `No entry of this log has the fingerprint ${expected.hash}: it was mistyped, or the entries up to it were removed or changed.`,
      });
    }
    return done({
      intact: true,
      message: `The log is intact: ${r.entries} entries, each one following the one before.${archives ? ` ${archives.message}` : ''}${expected ? ` It still reaches the fingerprint given (entry ${expected.seq}).` : ''}`,
    });
  }

  /** Whether the chain, intact up to there, holds the entry with this hash. */
  private expectedHead(hash: string, r: { intact: boolean; firstBadSeq?: number }): NonNullable<VerifyReport['expectedHead']> {
    const row = this.store.db.prepare('SELECT seq FROM log WHERE hash = ? ORDER BY seq LIMIT 1').get(hash) as { seq: number } | undefined;
    const seq = row?.seq ?? null;
    const reached = seq !== null && (r.intact || (r.firstBadSeq !== undefined && r.firstBadSeq > seq));
    return { hash, reached, seq };
  }

  // ---- needs attention and the queue (manager) ------------------------------------------

  async listAttention(input: MethodInput<'listAttention'>): Promise<{ items: AttentionItem[] }> {
    this.requireManagerSignedIn();
    return { items: this.attentionItems(input.includeHandled === true) };
  }

  /** Unhandled items (for the end-of-day summary and status). */
  attentionCount(): number {
    return (
      this.store.db
        .prepare(
          `SELECT COUNT(*) AS n FROM outbox o JOIN sales s ON s.id = o.sale_id WHERE ${ATTENTION_WHERE} AND NOT EXISTS (SELECT 1 FROM attention_handled h WHERE h.item = 'outbox:' || o.id)`,
        )
        .get() as { n: number }
    ).n;
  }

  async markHandled(input: MethodInput<'markHandled'>): Promise<AttentionItem> {
    const manager = this.authorize('attention.handled', input.approval);
    const id = Number(input.item.slice('outbox:'.length));
    const actor = this.people.actorId();
    this.store.transaction(() => {
      const item = this.attentionItems(true, id)[0];
      if (!item) throw new PosError('SALE_WRONG_STATE', 'That item does not need attention (or no longer does).');
      if (item.handled) throw new PosError('SALE_WRONG_STATE', `Already marked handled by ${item.handled.byName ?? item.handled.by}.`);
      if (item.inDoubt) throw new PosError('SALE_WRONG_STATE', 'Nobody can tell whether this was applied: decide "it was applied" or "send again" instead.');
      const seq = this.append({
        actor,
        kind: 'attention.handled',
        outcome: 'ok',
        saleId: item.saleId,
        pointsMilli: item.pointsMilli,
        amountCents: item.amountAtRiskCents,
        memberMasked: item.memberMasked,
        detail: { item: item.item, attention: item.kind, reason: input.reason, managerId: manager.id },
      });
      this.store.db
        .prepare('INSERT INTO attention_handled (item, sale_id, handled_by, reason, handled_at, log_seq) VALUES (?, ?, ?, ?, ?, ?)')
        .run(item.item, item.saleId, manager.id, input.reason, this.iso(), seq);
    });
    return this.attentionItems(true, id)[0]!;
  }

  async listQueue(): Promise<ManagerResults['listQueue']> {
    this.requireManagerSignedIn();
    const now = this.clock();
    const rows = this.store.db
      .prepare(
        `SELECT o.*, s.member_masked AS member_masked FROM outbox o JOIN sales s ON s.id = o.sale_id
          WHERE o.state = 'pending' ORDER BY o.id LIMIT 500`,
      )
      .all() as (OutboxRow & { member_masked: string | null })[];
    const total = (this.store.db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`).get() as { n: number }).n;
    return {
      total,
      rows: rows.map((r): QueueRowView => ({
        ...outboxView(r),
        saleId: r.sale_id,
        memberMasked: r.member_masked,
        ageSeconds: Math.max(0, Math.round((now - Date.parse(r.created_at)) / 1000)),
      })),
    };
  }

  async retryQueue(input: MethodInput<'retryQueue'>): Promise<ManagerResults['retryQueue']> {
    const manager = this.authorize('queue.retry-now', input.approval);
    const now = this.clock();
    const madeDue = this.store.transaction(() => {
      const n = (
        this.store.db
          .prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending' AND next_attempt_at > ?${input.saleId ? ' AND sale_id = ?' : ''}`)
          .get(...(input.saleId ? [now, input.saleId] : [now])) as { n: number }
      ).n;
      this.store.outbox.makeDueNow(now, input.saleId);
      this.append({
        actor: this.people.actorId(),
        kind: 'queue.retry-now',
        outcome: 'ok',
        saleId: input.saleId ?? null,
        detail: { rows: n, managerId: manager.id },
      });
      return n;
    });
    this.opts.kick?.();
    return { madeDue };
  }

  // ---- end of day and export (manager) ----------------------------------------------------

  async getEndOfDay(input: MethodInput<'getEndOfDay'>): Promise<ManagerResults['getEndOfDay']> {
    this.requireManagerSignedIn();
    return this.summary(input.from, input.to, input.utcOffsetMinutes);
  }

  async requestExport(input: MethodInput<'requestExport'>): Promise<ExportTicket> {
    const manager = this.authorize('export', input.approval);
    const from = new Date(input.from).toISOString();
    const to = new Date(input.to).toISOString();
    if (from >= to) throw new PosError('INVALID_INPUT', 'The end of the range must be after its start.', { details: { field: 'to' } });
    this.pruneExports();
    const ticket = randomBytes(24).toString('base64url');
    const days = localDays(from, to, input.utcOffsetMinutes ?? 0);
    const named = days.first === days.last ? days.first : `${days.first}_${days.last}`;
    const filename = `${input.what === 'log' ? 'log' : 'end-of-day'}_${this.settings.view().terminalId || 'terminal'}_${named}.csv`.replace(
      /[^A-Za-z0-9_.-]/g,
      '_',
    );
    // Short-lived: the link lands in the browser's download history.
    const expiresAt = this.clock() + (this.opts.exportTicketMs ?? EXPORT_TICKET_MS);
    this.exports.set(ticket, {
      what: input.what,
      from,
      to,
      utcOffsetMinutes: input.utcOffsetMinutes ?? 0,
      filter: input.filter ?? {},
      format: input.format ?? 'spreadsheet',
      by: this.people.actorId(),
      managerId: manager.id,
      filename,
      expiresAt,
    });
    this.store.transaction(() =>
      this.append({
        actor: this.people.actorId(),
        kind: 'export.requested',
        outcome: 'ok',
        detail: { what: input.what, from, to, filter: input.filter ?? {}, managerId: manager.id },
      }),
    );
    return { ticket, path: `${EXPORT_PATH}${encodeURIComponent(filename)}?ticket=${ticket}`, filename, expiresAt: new Date(expiresAt).toISOString() };
  }

  /**
   * Opens an export by its ticket, once. Null when the ticket is unknown,
   * used or expired. The web host serves it as a download; the Electron shell
   * asks for a file with a save dialog and passes a file stream to write().
   */
  openExport(ticket: string): ExportDownload | null {
    this.pruneExports();
    const e = this.exports.get(ticket);
    if (!e) return null;
    this.exports.delete(ticket);
    return {
      filename: e.filename,
      contentType: 'text/csv; charset=utf-8',
      write: async (out) => {
        try {
          const view = this.settings.view();
          const dialect = csvDialect(view.language, e.format);
          const result =
            e.what === 'log'
              ? await writeLogCsv(this.log, { ...e.filter, from: e.from, to: e.to }, out, { names: this.names(), dialect })
              : await writeEndOfDayCsv(
                  this.summary(e.from, e.to, e.utcOffsetMinutes),
                  out,
                  { storeName: view.storeName, days: localDays(e.from, e.to, e.utcOffsetMinutes) },
                  { dialect },
                );
          this.store.transaction(() =>
            this.append({
              actor: e.by,
              kind: 'export.done',
              outcome: 'ok',
              detail: { what: e.what, from: e.from, to: e.to, rows: result.rows, managerId: e.managerId },
            }),
          );
          return result;
        } catch (err) {
          this.store.transaction(() =>
            this.append({
              actor: e.by,
              kind: 'export.done',
              outcome: 'INTERNAL',
              detail: { what: e.what, from: e.from, to: e.to, error: String((err as Error)?.message ?? err).slice(0, 200) },
            }),
          );
          throw err;
        }
      },
    };
  }

  // ---- settings (manager) -----------------------------------------------------------------

  async getSettings(): Promise<ManagerResults['getSettings']> {
    this.requireManagerSignedIn();
    return this.settings.view();
  }

  async updateSettings(input: MethodInput<'updateSettings'>): Promise<ManagerResults['updateSettings']> {
    const manager = this.authorize('settings', input.approval);
    const result = this.store.transaction(() => {
      const r = this.settings.update(input.patch);
      if (Object.keys(r.changes).length > 0) {
        this.append({ actor: this.people.actorId(), kind: 'settings.changed', outcome: 'ok', detail: { changes: r.changes, managerId: manager.id } });
      }
      return r;
    });
    // Now, not at the next start: a support desk raises it to debug while the problem is on screen.
    if (result.changes.log_level && !this.opts.logLevel?.fixed) this.opts.logLevel?.apply(this.settings.logLevel(), manager.id);
    if (MAINTENANCE_KEYS.some((k) => result.changes[k])) this.opts.maintenance?.changed(this.settings.maintenance());
    return this.settings.view(result.restartRequired);
  }

  // ---- helpers ---------------------------------------------------------------------------

  summary(from: string, to: string, utcOffsetMinutes: number): ManagerResults['getEndOfDay'] {
    if (new Date(from).getTime() >= new Date(to).getTime())
      throw new PosError('INVALID_INPUT', 'The end of the range must be after its start.', { details: { field: 'to' } });
    return endOfDay(this.store.db, this.log, {
      from,
      to,
      utcOffsetMinutes,
      currency: this.store.getSetting('currency') ?? 'EUR',
      now: this.clock(),
      needsAttention: this.attentionCount(),
      terminalName: this.settings.view().terminalName,
      training: this.opts.training ?? false,
      logTampered: this.lastVerifyFoundTampering(),
    });
  }

  /** The last "verify the log" found the log changed (until a later verify finds it intact). */
  lastVerifyFoundTampering(): EndOfDaySummary['logTampered'] {
    const last = this.store.db.prepare(`SELECT at, outcome, detail FROM log WHERE kind = 'log.verified' ORDER BY seq DESC LIMIT 1`).get() as
      { at: string; outcome: string; detail: string | null } | undefined;
    if (!last || last.outcome !== 'TAMPERED') return null;
    let firstBadSeq: number | null = null;
    try {
      const d = JSON.parse(last.detail ?? '{}') as { firstBadSeq?: unknown };
      firstBadSeq = typeof d.firstBadSeq === 'number' ? d.firstBadSeq : null;
    } catch {
      firstBadSeq = null;
    }
    return { firstBadSeq, checkedAt: last.at };
  }

  private attentionItems(includeHandled: boolean, onlyId?: number): AttentionItem[] {
    const rows = this.store.db
      .prepare(
        `SELECT o.id, o.kind, o.state, o.sale_id, o.last_error, o.updated_at, json_extract(o.payload, '$.pointsMilli') AS points,
                o.needs_check, o.evidence, o.reference,
                COALESCE(json_extract(o.payload, '$.balanceBeforeMilli'), json_extract(o.payload, '$.original.receipt.balanceAfterMilli')) AS balance_before,
                s.member_masked, s.points_milli AS sale_points, s.discount_cents, s.currency, s.offline_accepted, s.error_json,
                h.item AS h_item, h.handled_by, h.reason, h.handled_at
           FROM outbox o JOIN sales s ON s.id = o.sale_id
           LEFT JOIN attention_handled h ON h.item = 'outbox:' || o.id
          WHERE ${ATTENTION_WHERE} ${includeHandled ? '' : 'AND h.item IS NULL'} ${onlyId !== undefined ? 'AND o.id = @id' : ''}
          ORDER BY o.updated_at DESC, o.id DESC LIMIT 1000`,
      )
      .all(onlyId !== undefined ? { id: onlyId } : {}) as AttentionRow[];
    const names = this.names();
    return rows.map((r) => {
      const kind = attentionKind(r);
      return {
        item: `outbox:${r.id}`,
        kind,
        saleId: r.sale_id,
        since: r.updated_at,
        memberMasked: r.member_masked,
        pointsMilli: typeof r.points === 'number' ? r.points : r.sale_points,
        amountAtRiskCents: kind === 'refused-after-offline' ? r.discount_cents : null,
        currency: r.currency,
        problem: r.last_error,
        whatToDo: WHAT_TO_DO[kind],
        handled: r.h_item ? handledView({ item: r.h_item, handled_by: r.handled_by!, reason: r.reason!, handled_at: r.handled_at! }, names) : null,
        ...(r.state === 'attention' && r.needs_check === 1 ? { inDoubt: inDoubtView(r) } : {}),
      };
    });
  }

  private requireManagerSignedIn(): PersonView {
    const me = this.people.current();
    if (!me) throw new PosError('NOT_SIGNED_IN');
    if (me.role !== 'manager') throw new PosError('MANAGER_REQUIRED', 'Only a manager can open this: sign in as a manager.');
    return me;
  }

  private authorize(action: string, approval: ManagerApproval | undefined): PersonView {
    return this.people.authorizeManager(action, approval);
  }

  private names(): Map<string, string> {
    return new Map((this.store.db.prepare('SELECT id, name FROM people').all() as { id: string; name: string }[]).map((p) => [p.id, p.name]));
  }

  private pruneExports(): void {
    const now = this.clock();
    for (const [k, e] of this.exports) if (e.expiresAt <= now) this.exports.delete(k);
  }

  private append(e: {
    actor: string;
    kind: string;
    outcome: string;
    saleId?: string | null;
    pointsMilli?: number | null;
    amountCents?: number | null;
    memberMasked?: string | null;
    detail?: Record<string, unknown>;
  }): number {
    return this.store.journal.append({
      at: this.iso(),
      terminalId: this.opts.terminalId ?? this.store.getSetting('terminal_id') ?? 'terminal',
      currency: e.amountCents != null ? (this.store.getSetting('currency') ?? 'EUR') : null,
      ...e,
    });
  }

  private iso(): string {
    return new Date(this.clock()).toISOString();
  }
}

/**
 * The local days a range [from, to) covers: its first day and its last (the
 * day before `to` when `to` is a midnight), so a one-day export is named for
 * that day.
 */
export function localDays(from: string, to: string, utcOffsetMinutes: number): { first: string; last: string } {
  const shift = utcOffsetMinutes * 60_000;
  const first = new Date(Date.parse(from) + shift).toISOString().slice(0, 10);
  const last = new Date(Math.max(Date.parse(from), Date.parse(to) - 1) + shift).toISOString().slice(0, 10);
  return { first, last };
}

/**
 * What needs a person: rows the worker set aside ('attention': an unknown
 * outcome, a refund the backend cannot make, a queued redemption refused after
 * the member already had the discount), and refused refunds.
 */
const ATTENTION_WHERE = `(o.state = 'attention' OR (o.state = 'refused' AND (o.kind = 'reverse' OR s.offline_accepted = 1)))`;

const WHAT_TO_DO: Record<AttentionKind, string> = {
  'unknown-outcome':
    'It is not known whether the loyalty program took these points. Look the sale up in the program\u2019s portal: if the points were taken, nothing more is needed; if not, settle the difference with the member. Then mark this handled.',
  'refused-after-offline':
    'The terminal accepted these points offline and the member had the discount, but the program later refused them. The amount at risk was not covered by points: collect it from the member or write it off, then mark this handled.',
  'manual-refund':
    'The program cannot give these points back through its API. Give them back by hand in the program\u2019s portal (the reference is in the sale\u2019s story), then mark this handled.',
  'refund-refused':
    'The program refused to give these points back. Check the member\u2019s account in the program\u2019s portal and give them back by hand if needed, then mark this handled.',
};

interface AttentionRow {
  id: number;
  needs_check: number;
  evidence: string | null;
  reference: string;
  balance_before: unknown;
  kind: 'redeem' | 'reverse';
  state: string;
  sale_id: string;
  last_error: string | null;
  updated_at: string;
  points: unknown;
  member_masked: string | null;
  sale_points: number | null;
  discount_cents: number | null;
  currency: string;
  offline_accepted: number;
  error_json: string | null;
  h_item: string | null;
  handled_by: string | null;
  reason: string | null;
  handled_at: string | null;
}

/** The evidence of a row nobody can tell about, for the manager's decision. */
function inDoubtView(r: AttentionRow): InDoubtEvidenceView {
  const e = parseEvidence(r.evidence);
  const read = [...e.lookups].reverse().find((l) => typeof l.balanceMilli === 'number');
  return {
    reference: r.reference,
    sends: e.sends,
    lookups: e.lookups,
    balanceBeforeMilli: typeof r.balance_before === 'number' ? r.balance_before : null,
    balanceAfterMilli: read?.balanceMilli ?? null,
  };
}

function attentionKind(r: AttentionRow): AttentionKind {
  if (r.kind === 'reverse') return r.state === 'refused' ? 'refund-refused' : 'manual-refund';
  let code: string | undefined;
  try {
    code = r.error_json ? (JSON.parse(r.error_json) as { code?: string }).code : undefined;
  } catch {
    code = undefined;
  }
  if (r.state === 'attention' && (code === 'OUTCOME_UNKNOWN' || r.offline_accepted !== 1)) return 'unknown-outcome';
  return 'refused-after-offline';
}

interface HandledRow {
  item: string;
  handled_by: string;
  reason: string;
  handled_at: string;
}

function handledView(h: HandledRow, names: Map<string, string>): HandledMark {
  return { item: h.item, by: h.handled_by, byName: names.get(h.handled_by) ?? null, reason: h.reason, at: h.handled_at };
}

/** An outbox row for the screen: never its payload (it holds the full member number). */
function outboxView(r: OutboxRow): OutboxRowView {
  let points: number | null = null;
  try {
    const p = (JSON.parse(r.payload) as { pointsMilli?: unknown }).pointsMilli;
    points = typeof p === 'number' ? p : null;
  } catch {
    points = null;
  }
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    reference: r.reference,
    pointsMilli: points,
    attempts: r.attempts,
    needsCheck: r.needs_check === 1,
    nextAttemptAt: r.state === 'pending' ? new Date(r.next_attempt_at).toISOString() : null,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
