/**
 * The sealed head file follows the log's head a moment after each commit, not inside it (issue 18:
 * its write was half of an identify), and a closed store leaves it current. Real SQLite file, real
 * sealed file, the terminal's file-key secret box.
 */
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { FileKeySecretBox } from '../service/secret-box.js';
import { checkAndFollowHead } from './log-head-check.js';
import { headSealFile, LogHeadSeal } from './log-head-seal.js';
import { Store } from './store.js';

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
beforeEach(() => {
  tmp = makeTempDir();
  file = join(tmp.dir, 'terminal.db');
});
afterEach(() => tmp.cleanup());

const entry = (i: number) => ({ at: new Date(1_700_000_000_000 + i).toISOString(), terminalId: 'T-1', actor: 'cashier', kind: 'quote', outcome: 'ok' });
const sealAt = () => new LogHeadSeal(headSealFile(file), new FileKeySecretBox(join(tmp.dir, 'key')));
const sealed = () => {
  const read = sealAt().read();
  return read.state === 'ok' ? read.head.seq : read.state;
};

it('follows the head after the commit, once for a burst of commits, and a closed store leaves it current', async () => {
  const store = Store.open(file);
  expect(checkAndFollowHead(store, sealAt())).toEqual({ result: 'first-seal' });
  expect(sealed()).toBe(0); // a new database: the empty head, sealed at once

  store.transaction(() => store.journal.append(entry(1)));
  // Not inside the call that committed...
  expect(sealed()).toBe(0);
  // ...but a moment later.
  await turn();
  expect(sealed()).toBe(1);

  // A burst: its last head.
  for (let i = 2; i <= 5; i++) store.transaction(() => store.journal.append(entry(i)));
  await turn();
  expect(sealed()).toBe(5);

  // Closing writes what is pending.
  store.transaction(() => store.journal.append(entry(6)));
  expect(sealed()).toBe(5);
  store.close();
  expect(sealed()).toBe(6);
  await turn(); // the write scheduled for the commit finds nothing left to do
  expect(sealed()).toBe(6);

  // The next start finds the database and the file agreeing.
  const again = Store.open(file);
  expect(checkAndFollowHead(again, sealAt())).toEqual({ result: 'ok' });
  again.close();
});

it('a crash between a commit and the write (the database ahead of the file) is accepted; a deleted entry is not', async () => {
  const store = Store.open(file);
  checkAndFollowHead(store, sealAt());
  store.transaction(() => store.journal.append(entry(1)));
  await turn();
  store.transaction(() => store.journal.append(entry(2)));
  // "Crash": the database is closed without the store's close, so the pending write never happens.
  store.db.close();
  expect(sealed()).toBe(1);
  const after = Store.open(file);
  expect(checkAndFollowHead(after, sealAt())).toEqual({ result: 'ok' });
  after.close();
  expect(sealed()).toBe(2);

  // Rows deleted while stopped are still found.
  const cut = Store.open(file);
  cut.db.prepare('DELETE FROM log WHERE seq = 2').run();
  expect(checkAndFollowHead(cut, sealAt())).toMatchObject({ result: 'tamper-suspected' });
  cut.close();
});
