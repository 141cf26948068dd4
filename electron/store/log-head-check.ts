/**
 * The start-up comparison of the database's log head with the sealed head
 * file (log-head-seal.ts). Runs right after the database is opened and before
 * anything new is appended: an append would otherwise reuse a deleted seq and
 * hide the deletion. What it finds is written to the log itself, so "Verify
 * the log" (manager-desk.ts) reports it for as long as the log exists.
 *
 * - no file, existing log (first start after the upgrade): the file is written
 *   from the database as it is, and a `log.head-sealed` entry says so (nothing
 *   can be checked the first time; that is said, not hidden);
 * - the database is behind the file, or differs at the file's seq, or the file
 *   is damaged / sealed by another key: a `log.tamper-suspected` entry with
 *   both heads;
 * - the database is ahead and its entry at the file's seq has the file's hash:
 *   fine (a crash between a commit and the file's write).
 * From here on the file follows every commit that moves the head (a moment later, coalesced;
 * at the latest when the store closes).
 */
import { logger } from '../log/logger.js';
import { GENESIS_HASH } from './log-row.js';
import type { LogHead, LogHeadSeal } from './log-head-seal.js';
import type { Store } from './store.js';

const log = logger('log-head');

export const TAMPER_SUSPECTED_KIND = 'log.tamper-suspected';
export const HEAD_SEALED_KIND = 'log.head-sealed';

export type HeadCheck = { result: 'ok' } | { result: 'first-seal' } | { result: 'tamper-suspected'; reason: string };

export function checkAndFollowHead(store: Store, seal: LogHeadSeal): HeadCheck {
  const dbHead = store.journal.head();
  const sealed = seal.read();
  const verdict = compare(store, dbHead, sealed);
  // Follow the head from now on (the entry below moves it too): a moment after each commit, not
  // inside the call that committed. The file's write (temp file, fsync, rename, fsync of the folder)
  // took ~4 ms of every identify and redemption, about half of an identify (issue 18: scan to
  // balance). A burst of commits writes its last head once. A crash in between leaves the database
  // ahead of the file, which the comparison above accepts, as it did for a crash between a commit
  // and the write; closing the store writes what is pending, so a stop leaves the file current.
  let pending: LogHead | null = null;
  const writeNow = (head: LogHead) => {
    try {
      seal.write(head);
    } catch (e) {
      // The sale is committed: a failed write must not undo it. The next start sees the database ahead, which is accepted.
      log.warn(`could not write the sealed log head: ${(e as Error).message}`);
    }
  };
  const writePending = () => {
    const head = pending;
    pending = null;
    if (head) writeNow(head);
  };
  store.journal.onHeadMoved((head) => {
    if (pending === null) setImmediate(writePending);
    pending = head;
  });
  store.onClose(writePending);
  // The database ahead of the file (a crash between a commit and the file's write): the file takes
  // the head now, so rows deleted before the next commit would not pass for that crash.
  if (verdict.result === 'ok' && dbHead && !(sealed.state === 'ok' && sealed.head.seq === dbHead.seq)) writeNow(dbHead);
  const terminalId = store.getSetting('terminal_id') ?? 'terminal';
  const at = new Date().toISOString();
  const database = dbHead ?? { seq: 0, hash: GENESIS_HASH };
  if (verdict.result === 'tamper-suspected') {
    log.warn(`log tamper suspected: ${verdict.reason}`);
    store.transaction(() =>
      store.journal.append({
        at,
        terminalId,
        actor: 'terminal',
        kind: TAMPER_SUSPECTED_KIND,
        outcome: 'TAMPERED',
        detail: { reason: verdict.reason, databaseHead: database, sealedHead: sealed.state === 'ok' ? sealed.head : null },
      }),
    );
  } else if (verdict.result === 'first-seal') {
    if (dbHead) {
      store.transaction(() =>
        store.journal.append({
          at,
          terminalId,
          actor: 'terminal',
          kind: HEAD_SEALED_KIND,
          outcome: 'ok',
          detail: {
            reason: 'No sealed head file was found (first start with it): the log could not be checked against it this time; it is sealed from here on.',
            databaseHead: database,
          },
        }),
      );
    } else {
      // A new database: seal the empty head, so deleting every later entry shows too.
      seal.write(database);
    }
  }
  return verdict;
}

function compare(store: Store, dbHead: LogHead | null, sealed: ReturnType<LogHeadSeal['read']>): HeadCheck {
  if (sealed.state === 'missing') return { result: 'first-seal' };
  if (sealed.state === 'invalid') return { result: 'tamper-suspected', reason: `The sealed log head cannot be trusted: ${sealed.reason}.` };
  const want = sealed.head;
  const have = dbHead ?? { seq: 0, hash: GENESIS_HASH };
  if (have.seq < want.seq) {
    return {
      result: 'tamper-suspected',
      reason: `The log ends at entry ${have.seq} but entry ${want.seq} had been written: entries ${have.seq + 1} to ${want.seq} were removed while the terminal was stopped.`,
    };
  }
  const atSealed = want.seq === 0 ? GENESIS_HASH : (store.db.prepare('SELECT hash FROM log WHERE seq = ?').get(want.seq) as { hash: string } | undefined)?.hash;
  if (atSealed !== want.hash) {
    return {
      result: 'tamper-suspected',
      reason: `Entry ${want.seq} is not the one this terminal wrote last: the log was changed while the terminal was stopped.`,
    };
  }
  return { result: 'ok' };
}
