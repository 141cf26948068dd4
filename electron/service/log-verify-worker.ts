/** Worker thread of the fast verify (log-verify.ts): checks one seq range over its own read-only connection. */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256Hex } from '../store/log-row.js';
import { checkRange } from './log-verify-range.js';
import { openSqlite } from '../store/sqlite.js';

export interface VerifyWorkerData {
  file: string;
  sql: string;
  lo: number;
  hi: number;
}

const data = workerData as VerifyWorkerData;
const db = openSqlite(data.file, { readonly: true, fileMustExist: true });
try {
  const rows = db.prepare(data.sql).raw(true).iterate(data.lo, data.hi) as Iterable<unknown[]>;
  parentPort!.postMessage(checkRange(rows, data.lo, sha256Hex));
} finally {
  db.close();
}
