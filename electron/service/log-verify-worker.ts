/** Worker thread of the fast verify (log-verify.ts): checks one seq range over its own read-only connection. */
import { parentPort, workerData } from 'node:worker_threads';
import { sha256Hex } from '../store/log-row.js';
import { checkRange } from './log-verify-range.js';
import { openSqlite } from '../store/sqlite.js';

export interface VerifyWorkerData {
  file: string;
  lo: number;
  hi: number;
}

const data = workerData as VerifyWorkerData;
const db = openSqlite(data.file, { readonly: true, fileMustExist: true });
try {
  parentPort!.postMessage(checkRange(db, data.lo, data.hi, sha256Hex));
} finally {
  db.close();
}
