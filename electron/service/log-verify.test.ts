import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { entryHash, sha256Hex, type LogRow } from '../store/log-row.js';
import { Store } from '../store/store.js';
import { verifyChain } from './log-verify.js';
import { checkRange } from './log-verify-range.js';

/** The fast verification gives journal.verify()'s answer, inline and in workers (the tamper cases themselves are store.test.ts's). */
describe('verifyChain', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  beforeEach(() => {
    tmp = makeTempDir();
    store = Store.open(join(tmp.dir, 't.db'));
    store.transaction(() => {
      for (let i = 0; i < 400; i++) {
        store.journal.append({
          at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
          terminalId: 'T',
          actor: `P-${i % 3}`,
          saleId: i % 5 ? `sale-${i}` : null,
          kind: 'redeem.posted',
          outcome: 'ok',
          pointsMilli: i % 2 ? 1250 * i : null,
          amountCents: i % 3 ? -7 * i : null,
          currency: 'EUR',
          memberMasked: '••••••••0016',
          memberHash: 'abc',
          detail: { text: 'Zoë "quoted" \u0001 line\nbreak 😀 \u2028', n: i },
        });
      }
    });
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  const both = async () => {
    const paths: string[] = [];
    const inline = await verifyChain(store, { workers: 1, onPath: (p) => paths.push(p) });
    const workers = await verifyChain(store, { workers: 3, parallelFrom: 0, onPath: (p) => paths.push(p) });
    return { inline, workers, paths, reference: store.journal.verify() };
  };

  it('an intact log: intact on the fast path, in this thread and in workers', async () => {
    const r = await both();
    expect(r.inline).toEqual({ intact: true, entries: 400 });
    expect(r.workers).toEqual({ intact: true, entries: 400 });
    expect(r.paths).toEqual(['inline', 'workers']);
  });

  it('checks across the blobs it reads entries in (a range of several chunks, odd sizes)', () => {
    expect(checkRange(store.db, 1, 400, sha256Hex, 64)).toMatchObject({ ok: true, count: 400 });
    expect(checkRange(store.db, 129, 397, sha256Hex, 7)).toMatchObject({ ok: true, count: 269 });
    // An edit in the first entry of a later chunk is found there, with the count of what came before.
    store.db.prepare(`UPDATE log SET outcome = 'x' WHERE seq = 129`).run();
    expect(checkRange(store.db, 1, 400, sha256Hex, 64)).toMatchObject({ ok: false, count: 128 });
  });

  it('a link broken exactly at a chunk border is found there (the link is carried from one blob to the next)', () => {
    // Chunks of 64 from 1: 129 is the first entry of the third. Rewritten to follow another hash,
    // with its own hash made to fit: only the link to 128, across the border, is wrong.
    const row = store.db.prepare('SELECT * FROM log WHERE seq = 129').get() as LogRow;
    const forged = { ...row, prev_hash: 'a'.repeat(64) };
    store.db.prepare('UPDATE log SET prev_hash = ?, hash = ? WHERE seq = 129').run(forged.prev_hash, entryHash(forged));
    expect(checkRange(store.db, 1, 400, sha256Hex, 64)).toMatchObject({ ok: false, count: 128 });
    expect(checkRange(store.db, 1, 128, sha256Hex, 64)).toMatchObject({ ok: true, count: 128, lastHash: row.prev_hash });
    // From 129 on, the next link (130 to the forged 129) is the first wrong one.
    expect(checkRange(store.db, 129, 400, sha256Hex, 64)).toMatchObject({ ok: false, count: 1, firstPrev: 'a'.repeat(64) });
  });

  it('a hash that is not 64 characters, or holds a line break, fails its range (one entry read as another would be wrong)', () => {
    // The fast check reads entries as lines of ["<hash>",<canonical text's values>]: a short hash moves every byte after it.
    store.db.prepare(`UPDATE log SET hash = substr(hash, 1, 30) || char(10) || substr(hash, 32) WHERE seq = 77`).run();
    expect(checkRange(store.db, 1, 400, sha256Hex, 64)).toMatchObject({ ok: false, count: 76 });
    expect(checkRange(store.db, 129, 400, sha256Hex, 64)).toMatchObject({ ok: true });
    store.db.prepare(`UPDATE log SET hash = substr(hash, 2) WHERE seq = 200`).run();
    expect(checkRange(store.db, 129, 400, sha256Hex, 64)).toMatchObject({ ok: false, count: 71 });
    // 64 characters, one of them a quote (JSON escapes it, so the line's bytes shift by one): found at that entry.
    store.db.prepare(`UPDATE log SET hash = substr(hash, 1, 40) || '"' || substr(hash, 42) WHERE seq = 150`).run();
    expect(checkRange(store.db, 129, 199, sha256Hex, 64)).toMatchObject({ ok: false, count: 21 });
  });

  const tampers: Record<string, (s: Store) => void> = {
    'an edited entry': (s) => s.db.prepare(`UPDATE log SET amount_cents = 1 WHERE seq = 250`).run(),
    'a deleted entry': (s) => s.db.prepare('DELETE FROM log WHERE seq = 133').run(),
    'a reordered pair': (s) => {
      s.db.prepare('UPDATE log SET seq = -1 WHERE seq = 300').run();
      s.db.prepare('UPDATE log SET seq = 300 WHERE seq = 301').run();
      s.db.prepare('UPDATE log SET seq = 301 WHERE seq = -1').run();
    },
    'a broken link at a range boundary': (s) => s.db.prepare(`UPDATE log SET prev_hash = '${'f'.repeat(64)}' WHERE seq = 135`).run(),
    'the first entry replaced': (s) => s.db.prepare(`UPDATE log SET kind = 'x' WHERE seq = 1`).run(),
  };
  for (const [name, tamper] of Object.entries(tampers)) {
    it(`${name}: the same answer as journal.verify()`, async () => {
      tamper(store);
      const r = await both();
      expect(r.reference.intact).toBe(false);
      expect(r.inline).toEqual(r.reference);
      expect(r.workers).toEqual(r.reference);
      expect(r.paths).toEqual(['reference', 'reference']);
    });
  }
});
