/**
 * Opens the terminal's SQLite file: WAL so readers never block the writer,
 * synchronous=FULL so a committed redemption survives a power cut, numbered
 * migrations recorded in PRAGMA user_version, and a refusal to start on a file
 * written by a newer version (rather than corrupting it).
 */
import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';
import { openSqlite } from './sqlite.js';

export type Db = Database.Database;

/** SQLite's page cache per connection, as PRAGMA cache_size takes it (negative: KiB). */
export const PAGE_CACHE_KIB = -4000;

export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`The data file has schema version ${found}, but this terminal knows only up to ${known}. Update the app; the file was left untouched.`);
    this.name = 'SchemaTooNewError';
  }
}

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = openSqlite(file);
  // A new file can give the space of archived log entries back to the disk a step at a time
  // (store/db-compact.ts); this can only be chosen before the first table exists.
  if (schemaVersion(db) === 0 && db.prepare(`SELECT count(*) AS n FROM sqlite_master`).pluck().get() === 0) db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // The page cache: better-sqlite3 builds SQLite with 16 MB per connection, and the cache keeps every
  // page it has read until it is full, so the terminal's memory grew with its file for the first 16 MB
  // (about 3,500 sales). 4 MB holds the counter's and the desk's working set: filtered log pages over
  // 10,000,000 entries cost the same CPU as with 16 MB (at 2 MB they cost twice as much); README,
  // "Memory over a shift". The rest of the file is in the OS's file cache, a read away.
  db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db): void {
  const known = MIGRATIONS.length;
  const current = schemaVersion(db);
  if (current > known) {
    db.close();
    throw new SchemaTooNewError(current, known);
  }
  for (let v = current; v < known; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
