/**
 * Giving the disk back the space of archived log entries (issue 18).
 *
 * SQLite keeps a deleted row's pages in the file for reuse: after log
 * retention (log-archive.ts) moves years of entries out, the file stays as
 * large as it was. Two ways to shrink it:
 * - a database made by this version has auto_vacuum=INCREMENTAL (db.ts): the
 *   freed pages are handed back a few megabytes at a time after each
 *   retention run, between the counter's own work (releaseFreePages);
 * - an older file (auto_vacuum=NONE) can only change that by a VACUUM, which
 *   rewrites the whole file and holds the database meanwhile: it runs once,
 *   at start-up, before the terminal serves (compactAtStart), and only when
 *   a large share of the file is free pages AND what is left is small enough
 *   to rewrite in seconds. A rewrite of 1.5 GB held a start for 5 minutes in
 *   the 10M-entry run; a counter that does not open for minutes costs more
 *   than disk space, and free pages are reused by new entries anyway.
 */
import type { Db } from './db.js';

/** A start-up VACUUM is worth its wait only for this much free space, and this share of the file. */
const COMPACT_MIN_FREE_BYTES = 64 * 1024 * 1024;
const COMPACT_MIN_FREE_SHARE = 0.25;
/** ...and only when the data left to rewrite is at most this (a few seconds of disk writes on a counter PC). */
const COMPACT_MAX_LIVE_BYTES = 256 * 1024 * 1024;
/** Pages handed back per step (8 MB with 4 KB pages): a step takes milliseconds. */
const STEP_PAGES = 2048;

/** SQLite's auto_vacuum: 0 none, 1 full, 2 incremental. */
export function autoVacuumMode(db: Db): number {
  return db.pragma('auto_vacuum', { simple: true }) as number;
}

function pages(db: Db): { free: number; total: number; size: number } {
  return {
    free: db.pragma('freelist_count', { simple: true }) as number,
    total: db.pragma('page_count', { simple: true }) as number,
    size: db.pragma('page_size', { simple: true }) as number,
  };
}

/**
 * Hands the free pages back to the disk in small steps (an incremental file
 * only; a no-op otherwise), then checkpoints so the file itself shrinks.
 * Returns the bytes handed back.
 */
export async function releaseFreePages(db: Db, pause: () => Promise<void>): Promise<number> {
  if (autoVacuumMode(db) !== 2) return 0;
  const before = pages(db);
  for (let free = before.free; free > 0 && db.open; free = pages(db).free) {
    db.pragma(`incremental_vacuum(${STEP_PAGES})`);
    await pause();
  }
  if (!db.open) return 0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  return (before.total - pages(db).total) * before.size;
}

export interface CompactOutcome {
  bytesBefore: number;
  bytesAfter: number;
  ms: number;
}

/**
 * At start-up, before anything is served: an older file (auto_vacuum=NONE)
 * whose free pages are a large share of it is rewritten once with VACUUM,
 * which also makes it incremental from then on. Null when not needed. A
 * VACUUM needs about the file's remaining size in free disk space; if it
 * fails, nothing is lost (SQLite rolls it back) and the caller goes on.
 */
export function compactAtStart(db: Db, minFreeBytes = COMPACT_MIN_FREE_BYTES, maxLiveBytes = COMPACT_MAX_LIVE_BYTES): CompactOutcome | null {
  if (autoVacuumMode(db) !== 0) return null;
  const p = pages(db);
  const freeBytes = p.free * p.size;
  if (p.free === 0 || freeBytes < minFreeBytes || p.free < p.total * COMPACT_MIN_FREE_SHARE) return null;
  if ((p.total - p.free) * p.size > maxLiveBytes) return null; // too long a wait for a counter's start
  const now = () => performance.now();
  const t0 = now();
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { bytesBefore: p.total * p.size, bytesAfter: pages(db).total * p.size, ms: now() - t0 };
}
