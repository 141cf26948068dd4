/**
 * An append-only log file that rotates by size and forgets by age and count:
 * `terminal.log` is written; when the next line would take it past `maxBytes`
 * (or once it has been written for `maxFileHours`) it becomes `terminal.1.log` (the older ones shift to .2, .3, ...), files
 * beyond `maxFiles` or older than `maxAgeDays` are deleted.
 *
 * Writes are synchronous appends on purpose: a counter PC that loses power or
 * a main process that crashes must leave its last lines on disk, and the
 * terminal writes a few lines a minute, not thousands a second.
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface RotationLimits {
  /** Size of one file before it rotates (bytes). */
  maxBytes: number;
  /** Files kept, the current one included. */
  maxFiles: number;
  /** Rotated files older than this are deleted (days). */
  maxAgeDays: number;
  /**
   * A file is rotated once it has been written for this long (hours), so a
   * quiet terminal's lines still age out after `maxAgeDays`.
   */
  maxFileHours: number;
}

export const DEFAULT_ROTATION: RotationLimits = { maxBytes: 5 * 1024 * 1024, maxFiles: 10, maxAgeDays: 30, maxFileHours: 24 };

export const LOG_BASENAME = 'terminal';

/** `terminal.log`, `terminal.1.log`, ...: the current file first, then older ones. */
export function logFileName(index: number, base = LOG_BASENAME): string {
  return index === 0 ? `${base}.log` : `${base}.${index}.log`;
}

/** The log files in `dir`, newest first. */
export function listLogFiles(dir: string, base = LOG_BASENAME): string[] {
  if (!existsSync(dir)) return [];
  const re = new RegExp(`^${base}(?:\\.(\\d+))?\\.log$`);
  return readdirSync(dir)
    .map((name) => ({ name, m: re.exec(name) }))
    .filter((f) => f.m)
    .sort((a, b) => Number(a.m![1] ?? 0) - Number(b.m![1] ?? 0))
    .map((f) => join(dir, f.name));
}

export class RotatingFile {
  private fd: number;
  private size: number;
  private startedAt: number;
  private readonly limits: RotationLimits;

  constructor(
    private readonly dir: string,
    limits: Partial<RotationLimits> = {},
    private readonly now: () => number = Date.now,
    private readonly base = LOG_BASENAME,
  ) {
    this.limits = { ...DEFAULT_ROTATION, ...limits };
    if (!(this.limits.maxBytes > 0) || !(this.limits.maxFiles >= 1) || !(this.limits.maxAgeDays > 0) || !(this.limits.maxFileHours > 0)) {
      throw new Error(`log rotation limits must be positive (got ${JSON.stringify(this.limits)})`);
    }
    mkdirSync(dir, { recursive: true });
    this.prune();
    this.fd = openSync(this.path(0), 'a', 0o600);
    const st = fstatSync(this.fd);
    this.size = st.size;
    this.startedAt = st.size > 0 ? Math.min(st.birthtimeMs || st.mtimeMs, st.mtimeMs) : this.now();
  }

  /** The file being written now. */
  get currentPath(): string {
    return this.path(0);
  }

  /** pino's destination interface: one call per line. */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    const full = this.size + bytes > this.limits.maxBytes;
    const old = this.now() - this.startedAt >= this.limits.maxFileHours * 3_600_000;
    if (this.size > 0 && (full || old)) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
    return true;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private path(i: number): string {
    return join(this.dir, logFileName(i, this.base));
  }

  private rotate(): void {
    closeSync(this.fd);
    // Shift from the oldest down, so no rename overwrites a file still needed.
    for (let i = this.limits.maxFiles - 1; i >= 1; i--) {
      const from = this.path(i - 1);
      if (existsSync(from)) renameSync(from, this.path(i));
    }
    this.prune();
    this.fd = openSync(this.path(0), 'a', 0o600);
    this.size = 0;
    this.startedAt = this.now();
  }

  /** Deletes files past the count and rotated files past the age limit. */
  private prune(): void {
    const oldest = this.now() - this.limits.maxAgeDays * 86_400_000;
    listLogFiles(this.dir, this.base).forEach((file, i) => {
      const tooMany = i >= this.limits.maxFiles;
      // The current file (index 0) is never deleted for its age: it is being written.
      const tooOld = i > 0 && statSync(file).mtimeMs < oldest;
      if (tooMany || tooOld) unlinkSync(file);
    });
  }
}
