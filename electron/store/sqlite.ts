/**
 * The one place that opens a better-sqlite3 connection, so the addon chosen at
 * start-up (sqlite-binding.ts) is the one every connection loads, worker
 * threads included. The choice travels to workers as worker_threads
 * "environment data": every worker started after useSqliteBinding() sees it,
 * whoever starts it, without each worker's data having to carry it.
 */
import Database from 'better-sqlite3';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';

const KEY = 'pwp.sqlite.nativeBinding';

/** Called once by the Electron shell before anything opens the store. undefined: npm's Node build. */
export function useSqliteBinding(nativeBinding: string | undefined): void {
  setEnvironmentData(KEY, nativeBinding);
}

/** The addon file this thread loads (undefined: better-sqlite3's default lookup). */
export function sqliteBinding(): string | undefined {
  const value = getEnvironmentData(KEY);
  return typeof value === 'string' ? value : undefined;
}

export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = sqliteBinding();
  return new Database(file, nativeBinding === undefined ? options : { ...options, nativeBinding });
}
