/**
 * The log's head (last seq and its hash), kept outside the database as well,
 * in a sealed file beside it ("terminal.db.head"). The log_anchor table lives
 * in the same file as the log, so someone who stops the terminal and deletes
 * the last rows can also fix the anchor, and the next start appends a new
 * entry under the deleted seq. This file is what the next start compares the
 * database with, before anything new is appended (runtime.ts).
 *
 * The file carries an HMAC over the head; its key is random and kept in the
 * file sealed by the terminal's secret box (OS key store, or the key file:
 * service/secret-box.ts), so editing the file needs that box too. A keyed
 * HMAC, not a signature: it only has to show the file came from this terminal.
 *
 * Written atomically (temp file, fsync, rename, fsync of the folder) after
 * each commit that moved the head, so a crash leaves either the old or the new
 * head, never a torn file; the database may then be ahead of the file (a crash
 * between commit and write), which the start-up check accepts when the
 * database's entry at the file's seq still has the file's hash.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FILE_MODE } from './file-modes.js';

/** The part of service/secret-box.ts's SecretBox used here. */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export interface LogHead {
  seq: number;
  hash: string;
}

export type SealedHeadRead = { state: 'missing' } | { state: 'ok'; head: LogHead } | { state: 'invalid'; reason: string };

interface SealFile {
  v: 1;
  seq: number;
  hash: string;
  key: string;
  mac: string;
}

export function headSealFile(dbFile: string): string {
  return `${dbFile}.head`;
}

export class LogHeadSeal {
  private key: Buffer | null = null;
  private sealedKey: string | null = null;

  constructor(
    readonly file: string,
    private readonly box: Sealer,
  ) {}

  /** What the file says; 'invalid' when it cannot be read, opened or its MAC does not fit. */
  read(): SealedHeadRead {
    if (!existsSync(this.file)) return { state: 'missing' };
    let f: SealFile;
    try {
      f = JSON.parse(readFileSync(this.file, 'utf8')) as SealFile;
    } catch {
      return { state: 'invalid', reason: 'the head file is not readable' };
    }
    if (f?.v !== 1 || !Number.isInteger(f.seq) || typeof f.hash !== 'string' || typeof f.key !== 'string' || typeof f.mac !== 'string') {
      return { state: 'invalid', reason: 'the head file is damaged' };
    }
    let key: Buffer;
    try {
      key = Buffer.from(this.box.open(f.key), 'hex');
    } catch {
      return { state: 'invalid', reason: 'the head file was sealed with another key' };
    }
    const want = mac(key, f.seq, f.hash);
    const got = Buffer.from(f.mac, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { state: 'invalid', reason: 'the head file was altered (its seal does not fit)' };
    // Keep the key: later writes reuse it (no new seal per commit).
    this.key = key;
    this.sealedKey = f.key;
    return { state: 'ok', head: { seq: f.seq, hash: f.hash } };
  }

  /** Replaces the file with `head`, atomically and durably. */
  write(head: LogHead): void {
    if (!this.key || !this.sealedKey) {
      this.key = randomBytes(32);
      this.sealedKey = this.box.seal(this.key.toString('hex'));
    }
    const body: SealFile = { v: 1, seq: head.seq, hash: head.hash, key: this.sealedKey, mac: mac(this.key, head.seq, head.hash).toString('hex') };
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', FILE_MODE);
    try {
      writeSync(fd, JSON.stringify(body));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    syncDir(dirname(this.file));
  }
}

function mac(key: Buffer, seq: number, hash: string): Buffer {
  return createHmac('sha256', key).update(`pwp-log-head:${seq}:${hash}`).digest();
}

/** The rename is durable only once the folder is synced (not possible on Windows: skipped there). */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* Windows cannot open a folder for fsync; NTFS journals the rename itself */
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
