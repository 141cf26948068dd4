/**
 * Runs log retention (store/log-archive.ts) on the manager's setting
 * `log_retention_days`: entries older than that many days move to archive
 * files in the data directory. Off (null) unless a manager sets it: nothing
 * leaves the database on a guess.
 *
 * WHY not at start-up: the first run on years of log moves millions of
 * entries; it runs a while after the start (the counter is serving by then)
 * and once a day, in batches that leave the event loop free between them.
 */
import { logger } from '../log/logger.js';
import { archiveLogBefore, type ArchiveOutcome } from '../store/log-archive.js';
import type { Store } from '../store/store.js';

const log = logger('log-retention');

export const LOG_RETENTION_SETTING = 'log_retention_days';
/** The shortest retention a manager may set, and the longest. */
export const MIN_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 36_500;
const DAY_MS = 86_400_000;

export function readRetentionDays(raw: string | undefined): number | null {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= MIN_RETENTION_DAYS && n <= MAX_RETENTION_DAYS ? n : null;
}

export interface LogRetentionOptions {
  dataDir: string;
  terminalId: string;
  clock?: () => number;
  /** First run this long after start (default 5 minutes), then every `everyMs` (default a day). */
  firstDelayMs?: number;
  everyMs?: number;
}

export class LogRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ArchiveOutcome | null> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly o: LogRetentionOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.o.firstDelayMs ?? 5 * 60_000);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runNow()
        .catch((e: unknown) => log.warn(`log retention did not run: ${(e as Error).message}`))
        .finally(() => this.schedule(this.o.everyMs ?? DAY_MS));
    }, ms);
    this.timer.unref();
  }

  /** Archives what the setting says is old enough; null when retention is off or nothing is old enough. */
  runNow(): Promise<ArchiveOutcome | null> {
    if (this.running) return this.running;
    let run: Promise<ArchiveOutcome | null> | null = null;
    run = (async () => {
      try {
        return await this.archiveOld();
      } finally {
        // After at least one await: `run` is assigned by then.
        if (this.running === run) this.running = null;
      }
    })();
    this.running = run;
    return run;
  }

  private async archiveOld(): Promise<ArchiveOutcome | null> {
    const days = readRetentionDays(this.store.getSetting(LOG_RETENTION_SETTING));
    if (days === null || !this.store.db.open) return null;
    const clock = this.o.clock ?? Date.now;
    const outcome = await archiveLogBefore(this.store, {
      before: new Date(clock() - days * DAY_MS).toISOString(),
      dataDir: this.o.dataDir,
      actor: 'terminal',
      terminalId: this.o.terminalId,
      now: () => new Date(clock()).toISOString(),
      yieldBetween: () => new Promise<void>((r) => setImmediate(r)),
    });
    if (outcome) log.info('log entries archived', { firstSeq: outcome.firstSeq, lastSeq: outcome.lastSeq, file: outcome.file, bytes: outcome.bytes });
    return outcome;
  }

  /** Stops the schedule and waits for a run in progress (its batches stop at the database's close otherwise). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => null);
  }
}
