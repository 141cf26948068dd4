/**
 * One process per data directory, for the whole life of that process. Two
 * processes on one directory (a second `npm run web`, or the web host beside
 * the Electron app) would both run an outbox worker over the same queue and
 * send the same redemption twice. The Electron shell's single-instance lock
 * covers only Electron; this one covers every host, because every host starts
 * the terminal through runtime.ts, which takes it first.
 *
 * The lock is a file, `terminal.lock`, holding who has it (pid, host, start
 * time). It appears atomically (written beside, then hard-linked into place:
 * a link fails if the name exists), so two starting processes never both win.
 * A lock whose holder is gone (killed with SIGKILL, a power cut) is stale: on
 * the same host a pid that no longer runs is proof, and the next start takes
 * the lock over (and says so). A holder on another host (a shared folder) is
 * never assumed dead.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export const LOCK_FILE = 'terminal.lock';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dir} is in use by another terminal process (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}). ` +
        'Stop that one first, or start this one with another --data-dir.',
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** A stale lock this start took over (its holder was gone), if any. */
  readonly tookOverFrom: LockHolder | null;
  release(): void;
}

/** Takes the lock or throws DataDirLockedError naming the holder. */
export function acquireDataDirLock(dir: string, me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }): DataDirLock {
  const path = join(dir, LOCK_FILE);
  const text = JSON.stringify(me);
  let tookOverFrom: LockHolder | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, text, { mode: 0o600 });
    try {
      linkSync(tmp, path);
      return {
        holder: me,
        tookOverFrom,
        release: () => {
          try {
            if (readFileSync(path, 'utf8') === text) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(tmp);
    }
    const holder = readHolder(path);
    if (holder && !isStale(holder, me.host)) throw new DataDirLockedError(dir, holder);
    // Stale (or unreadable: a holder killed mid-write never got the name, so this is another's leftover).
    tookOverFrom = holder;
    try {
      unlinkSync(path);
    } catch {
      /* another starter removed it first: try again */
    }
  }
  throw new DataDirLockedError(dir, readHolder(path) ?? { pid: 0, host: 'unknown', startedAt: 'unknown' });
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.startedAt === 'string' ? (h as LockHolder) : null;
  } catch {
    return null;
  }
}

/** Gone for sure: on this host, and no process with that pid runs. */
function isStale(holder: LockHolder, myHost: string): boolean {
  if (holder.host !== myHost) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
