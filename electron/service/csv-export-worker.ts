/**
 * Worker thread of a large log export (csv-export.ts): writes the CSV lines
 * of one seq range to its own part file, over its own read-only connection.
 * Says { ready } once the database and the part file are open (so a failure
 * to start falls back to the main thread), then { rows } when done.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CsvDialect } from './csv-dialect.js';
import { lineFormat } from './csv-line.js';
import { openSqlite } from '../store/sqlite.js';

export interface ExportWorkerData {
  file: string;
  sql: string;
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
const format = lineFormat(data.dialect);
const names = new Map(data.names);
const db = openSqlite(data.file, { readonly: true, fileMustExist: true });
const fd = openSync(data.part, 'wx', 0o600);
parentPort!.postMessage({ ready: true });
try {
  const stmt = db.prepare(data.sql).raw(true);
  let after = data.after;
  let rows = 0;
  for (;;) {
    const chunk = stmt.all({ ...data.params, __after: after, __upto: data.upTo, __limit: data.chunkRows }) as unknown[][];
    if (chunk.length === 0) break;
    let text = '';
    for (const r of chunk) text += format.line(r, names.get(r[3] as string) ?? '');
    writeSync(fd, text);
    rows += chunk.length;
    if (chunk.length < data.chunkRows) break;
    after = chunk[chunk.length - 1]![0] as number;
  }
  parentPort!.postMessage({ rows });
} finally {
  closeSync(fd);
  db.close();
}
