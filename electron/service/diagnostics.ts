/**
 * The diagnostics area of the contract: renderer errors into the log, and the
 * support bundle (support-bundle.ts) as a one-time download.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Writable } from 'node:stream';
import type { MethodInput } from '../../shared/contract.js';
import type { DiagnosticsResults } from '../../shared/contract/diagnostics.js';
import type { ExportTicket } from '../../shared/contract/manager.js';
import { appVersion } from '../app-version.js';
import { logger } from '../log/logger.js';
import type { Store } from '../store/store.js';
import { bindHandlers, type HandlersFor } from '../transport/dispatch.js';
import type { ManagerDesk } from './manager-desk.js';
import { EXPORT_PATH } from './manager-desk.js';
import type { People } from './people.js';
import { buildSupportBundle, queueSummary } from './support-bundle.js';
import { listCrashDumps } from '../maintenance-files.js';

export type DiagnosticsMethod = 'reportClientError' | 'requestSupportBundle';

const rendererLog = logger('renderer');
const log = logger('diagnostics');

export interface DiagnosticsOptions {
  store: Store;
  desk: ManagerDesk;
  people: People;
  terminalId: string;
  /** Where the log files are; null when the log is not installed. */
  logDir: () => string | null;
  /** The crash reporter's folder (the Electron shell's minidumps); absent: none listed. */
  crashDir?: string;
  clock?: () => number;
  /** Renderer reports accepted per minute; a render loop must not fill the disk. */
  maxReportsPerMinute?: number;
  /** Extra versions (the shell adds Electron's app version). */
  versions?: Record<string, string | undefined>;
}

interface PendingBundle {
  filename: string;
  expiresAt: number;
}

const BUNDLE_TICKET_MS = 120_000;

export class Diagnostics {
  private readonly clock: () => number;
  private windowStart = 0;
  private inWindow = 0;
  private dropped = 0;
  private readonly bundles = new Map<string, PendingBundle>();

  constructor(private readonly opts: DiagnosticsOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  handlers(): HandlersFor<DiagnosticsMethod> {
    return bindHandlers(this, ['reportClientError', 'requestSupportBundle']);
  }

  async reportClientError(input: MethodInput<'reportClientError'>): Promise<DiagnosticsResults['reportClientError']> {
    const now = this.clock();
    if (now - this.windowStart >= 60_000) {
      if (this.dropped > 0) rendererLog.warn(`${this.dropped} more renderer error reports were dropped (rate limit)`);
      this.windowStart = now;
      this.inWindow = 0;
      this.dropped = 0;
    }
    if (this.inWindow >= (this.opts.maxReportsPerMinute ?? 20)) {
      this.dropped++;
      return { logged: false };
    }
    this.inWindow++;
    rendererLog.error(input.kind === 'unhandledrejection' ? 'unhandled promise rejection in the screen' : 'error in the screen', {
      kind: input.kind,
      message: input.message,
      ...(input.stack ? { stack: input.stack } : {}),
      ...(input.source ? { source: input.source } : {}),
      signedIn: this.opts.people.actorId(),
    });
    return { logged: true };
  }

  async requestSupportBundle(input: MethodInput<'requestSupportBundle'>): Promise<ExportTicket> {
    const manager = this.opts.people.authorizeManager('support.bundle', input.approval);
    this.prune();
    const ticket = randomBytes(24).toString('base64url');
    const stamp = new Date(this.clock()).toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const filename = `support_${this.opts.terminalId}_${stamp}.zip`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const expiresAt = this.clock() + BUNDLE_TICKET_MS;
    this.bundles.set(ticket, { filename, expiresAt });
    log.info('support bundle requested', { by: manager.id });
    return { ticket, path: `${EXPORT_PATH}${encodeURIComponent(filename)}?ticket=${ticket}`, filename, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Opens a bundle by its ticket, once (the same download path as CSV exports). */
  openBundle(ticket: string): { filename: string; contentType: string; write(out: Writable): Promise<{ bytes: number }> } | null {
    this.prune();
    const b = this.bundles.get(ticket);
    if (!b) return null;
    this.bundles.delete(ticket);
    return {
      filename: b.filename,
      contentType: 'application/zip',
      write: async (out) => {
        const zip = await this.bundle();
        await new Promise<void>((resolve, reject) => out.end(zip, (err?: Error | null) => (err ? reject(err) : resolve())));
        return { bytes: zip.byteLength };
      },
    };
  }

  /** The zip itself (tests and the download). */
  async bundle(): Promise<Uint8Array> {
    const verification = await this.opts.desk.verify().catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
    return buildSupportBundle({
      logDir: this.opts.logDir(),
      versions: this.versions(),
      settings: this.opts.desk.settings.view(),
      verification,
      queue: queueSummary(this.opts.store),
      crashDumps: this.opts.crashDir ? listCrashDumps(this.opts.crashDir) : [],
      createdAt: new Date(this.clock()).toISOString(),
    });
  }

  versions(): Record<string, unknown> {
    return {
      app: appVersion(),
      terminalId: this.opts.terminalId,
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      chrome: process.versions.chrome ?? null,
      sqlite: (this.opts.store.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v,
      platform: process.platform,
      arch: process.arch,
      os: `${os.type()} ${os.release()}`,
      ...this.opts.versions,
    };
  }

  private prune(): void {
    const now = this.clock();
    for (const [t, b] of this.bundles) if (b.expiresAt <= now) this.bundles.delete(t);
  }
}
