import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settingsPatch } from '../../shared/contract/manager.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { ARCHIVE_DIR } from '../store/log-archive.js';
import { Store } from '../store/store.js';
import { LogRetention } from './log-retention.js';
import { ManagerDesk } from './manager-desk.js';
import { People } from './people.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T12:00:00Z');

describe('log retention on the manager setting', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let desk: ManagerDesk;
  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 'terminal.db'));
    const people = new People(store, () => NOW - 400 * DAY, { scrypt: { N: 1 << 10, r: 8, p: 1 }, terminalId: 'T' });
    people.createFirstManager('Ann Owner', '246802');
    desk = new ManagerDesk(store, { people, secretBox: null, clock: () => NOW, terminalId: 'T' });
    store.transaction(() => {
      for (let d = 365; d >= 0; d--) {
        store.journal.append({
          at: new Date(NOW - d * DAY).toISOString(),
          terminalId: 'T',
          actor: 'P',
          saleId: `s-${d}`,
          kind: 'sale.paid',
          outcome: 'ok',
          amountCents: 100 + d,
        });
      }
    });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('keeps everything until a manager sets a period; then moves older entries out and "verify" checks both sides of the cut', async () => {
    const retention = new LogRetention(store, { dataDir: tmp.dir, terminalId: 'T', clock: () => NOW });
    const before = (store.db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n;
    expect(await retention.runNow()).toBeNull(); // off by default: nothing leaves the database
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM log').get() as { n: number }).n).toBe(before);

    // The contract refuses a period shorter than 30 days; the settings keep a valid one.
    expect(settingsPatch.safeParse({ logRetentionDays: 10 }).success).toBe(false);
    desk.settings.update(settingsPatch.parse({ logRetentionDays: 90 }));
    expect(desk.settings.view().logRetentionDays).toBe(90);

    const cut = await retention.runNow();
    expect(cut).not.toBeNull();
    const kept = store.db.prepare('SELECT MIN(at) AS oldest FROM log WHERE kind = ?').get('sale.paid') as { oldest: string };
    expect(Date.parse(kept.oldest)).toBeGreaterThanOrEqual(NOW - 90 * DAY);
    const report = await desk.verify();
    expect(report).toMatchObject({ intact: true, message: expect.stringContaining('1 archive file(s)') });

    // An archive file that was replaced is reported by the desk's "verify the log".
    const file = join(tmp.dir, ARCHIVE_DIR, cut!.file);
    const original = readFileSync(file);
    writeFileSync(file, Buffer.concat([original, Buffer.from([0])]));
    expect(await desk.verify()).toMatchObject({ intact: false, problem: 'changed', firstBadSeq: cut!.firstSeq, message: expect.stringContaining(cut!.file) });
    writeFileSync(file, original);
    expect(await desk.verify()).toMatchObject({ intact: true });
  });
});
