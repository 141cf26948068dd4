/**
 * Worker thread of a large log export (csv-export.ts): writes the CSV lines
 * of one seq range to its own part file, over its own read-only connection.
 * Says { ready } once the database and the part file are open (so a failure
 * to start falls back to the main thread), then { rows } when done.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CsvDialect } from './csv-dialect.js';
import { LogCsvBytes, LogCsvReader } from './csv-log-bytes.js';
import { openSqlite } from '../store/sqlite.js';

export interface ExportWorkerData {
  file: string;
  /** The chunk query with LOG_JSON_SELECT, and the same with LOG_SELECT (csv-log-bytes.ts LogCsvReader). */
  sql: string;
  rawSql: string;
  params: Record<string, unknown>;
  after: number;
  upTo: number;
  part: string;
  chunkRows: number;
  /** Person id -> the name's CSV cell. */
  names: [string, string][];
  dialect: CsvDialect;
}

const data = workerData as ExportWorkerData;
const bytes = new LogCsvBytes(data.dialect, new Map(data.names));
const db = openSqlite(data.file, { readonly: true, fileMustExist: true });
const fd = openSync(data.part, 'wx', 0o600);
parentPort!.postMessage({ ready: true });
try {
  const reader = new LogCsvReader(db, data.sql, data.rawSql, data.params, bytes);
  let rows = 0;
  for (let after = data.after; ;) {
    const chunk = reader.chunk(after, data.upTo, data.chunkRows);
    rows += chunk.rows;
    bytes.drain((b) => {
      for (let off = 0; off < b.length;) off += writeSync(fd, b, off, b.length - off);
    });
    if (chunk.rows < data.chunkRows) break;
    after = chunk.last;
  }
  parentPort!.postMessage({ rows });
} finally {
  closeSync(fd);
  db.close();
}
