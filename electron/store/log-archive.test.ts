import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { verifyChain } from '../service/log-verify.js';
import { LogQuery } from '../service/log-query.js';
import { ARCHIVE_DIR, archiveLogBefore, verifyArchiveFile, verifyArchives } from './log-archive.js';
import { LOG_ARCHIVED_KIND } from './journal.js';
import { Store } from './store.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T08:00:00Z');

describe('log retention: archive files, and the chain across the cut', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const append = (from: number, n: number) =>
    store.transaction(() => {
      for (let i = from; i < from + n; i++) {
        store.journal.append({
          at: new Date(T0 + i * (DAY / 10)).toISOString(), // ten entries a day
          terminalId: 'T',
          actor: `P-${i % 3}`,
          saleId: `sale-${i}`,
          kind: i % 7 ? 'redeem.posted' : 'redeem.refused',
          outcome: i % 7 ? 'ok' : 'INSUFFICIENT_POINTS',
          pointsMilli: 1000 * i,
          memberMasked: '••••••••0016',
          detail: { text: `Zoë "quoted" ${i} 😀 geweigerd`, n: i },
        });
      }
    });
  const archive = (beforeDay: number, batchRows = 37) =>
    archiveLogBefore(store, {
      before: new Date(T0 + beforeDay * DAY).toISOString(),
      dataDir: tmp.dir,
      actor: 'terminal',
      terminalId: 'T',
      now: () => new Date(T0 + 100 * DAY).toISOString(),
      batchRows,
    });
  const seqs = () => store.db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi, COUNT(*) AS n FROM log').get() as { lo: number; hi: number; n: number };

  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    append(0, 300); // 30 days
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('moves entries older than the cut to a compressed file, keeps the rest verifiable, and links a second cut to the first', async () => {
    const first = await archive(10);
    expect(first).toMatchObject({ firstSeq: 1, lastSeq: 100, entries: 100, file: 'log-1-100.jsonl.gz' });
    expect(seqs()).toMatchObject({ lo: 101, n: 201 }); // 200 kept + the log.archived entry
    // The cut is recorded in the chain itself.
    const recorded = store.db.prepare(`SELECT detail FROM log WHERE kind = '${LOG_ARCHIVED_KIND}'`).get() as { detail: string };
    expect(JSON.parse(recorded.detail)).toMatchObject({ firstSeq: 1, lastSeq: 100, lastHash: first!.lastHash, sha256: first!.sha256 });
    // The database's chain verifies from the cut, both ways; the file on its own; and all of it together.
    expect(store.journal.verify()).toEqual({ intact: true, entries: 201 });
    expect(await verifyChain(store, { workers: 2, parallelFrom: 10 })).toEqual({ intact: true, entries: 201 });
    expect(await verifyArchiveFile(join(tmp.dir, ARCHIVE_DIR, first!.file))).toMatchObject({
      intact: true,
      firstSeq: 1,
      lastSeq: 100,
      entries: 100,
      lastHash: first!.lastHash,
    });
    expect(await verifyArchives(store, tmp.dir)).toMatchObject({ intact: true, files: 1, entries: 100 });
    // Archived entries are gone from the desk's search too; kept ones are still found.
    const query = new LogQuery(store.db);
    const found = query.page({ text: 'geweigerd' }, 500).entries.map((e) => e.seq);
    expect(found.length).toBeGreaterThan(0);
    expect(Math.min(...found)).toBeGreaterThan(100);

    append(300, 50);
    const second = await archive(20);
    expect(second).toMatchObject({ firstSeq: 101, lastSeq: 200 });
    expect(await verifyArchives(store, tmp.dir)).toMatchObject({ intact: true, files: 2, entries: 200 });
    expect(store.journal.verify()).toMatchObject({ intact: true });
    // Nothing older than the cut: nothing to do.
    expect(await archive(20)).toBeNull();
  });

  it('always keeps the last entry in the database', async () => {
    const all = await archive(10_000);
    expect(all).toMatchObject({ firstSeq: 1, lastSeq: 299 });
    expect(seqs()).toMatchObject({ lo: 300, hi: 301 });
    expect(await verifyChain(store)).toEqual({ intact: true, entries: 2 });
  });

  it('finds a changed archive, a replaced one, and entries deleted under a made-up cut', async () => {
    const cut = await archive(10);
    const file = join(tmp.dir, ARCHIVE_DIR, cut!.file);
    const original = readFileSync(file);
    // One amount changed inside, the file compressed again and its recorded sha256 updated to match.
    const text = gunzipSync(original).toString('utf8').replace('"sale-43","redeem.posted",43000', '"sale-43","redeem.posted",1');
    expect(text).not.toBe(gunzipSync(original).toString('utf8'));
    writeFileSync(file, gzipSync(text));
    expect(await verifyArchives(store, tmp.dir)).toMatchObject({ intact: false, message: expect.stringContaining('sha256') });
    expect(await verifyArchiveFile(file)).toMatchObject({ intact: false, message: 'entry 44 was changed' });
    writeFileSync(file, original);
    expect(await verifyArchives(store, tmp.dir)).toMatchObject({ intact: true });

    // Someone deletes entries and adds a cut row to hide it: the chain has no log.archived entry for it.
    const row = store.db.prepare('SELECT seq, hash FROM log WHERE seq = 150').get() as { seq: number; hash: string };
    store.db.prepare('DELETE FROM log WHERE seq <= 150').run();
    store.db
      .prepare("INSERT INTO log_cut (seq, hash, first_seq, file, sha256, entries, archived_at) VALUES (?, ?, 101, 'x', 'y', 50, 'now')")
      .run(row.seq, row.hash);
    expect(store.journal.verify()).toMatchObject({ intact: false, problem: 'missing', message: expect.stringContaining('removed, not archived') });
    expect(await verifyChain(store)).toMatchObject({ intact: false, problem: 'missing' });
  });
});
