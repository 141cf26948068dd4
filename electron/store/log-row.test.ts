/**
 * The log hash has one definition (log-row.ts) in two forms: canonicalEntry in
 * JS, CANONICAL_SQL built by SQLite for the fast verify. They must give the
 * same text for what the journal really stores, or the fast verify would fall
 * back to the slow walk on every intact log.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { CANONICAL_SQL, canonicalEntry, entryHash, GENESIS_HASH, type LogRow } from './log-row.js';
import { Store } from './store.js';

it("SQLite's canonical text equals the JS one for every stored entry, and each stored hash is entryHash", () => {
  const tmp = makeTempDir();
  const store = Store.open(join(tmp.dir, 'terminal.db'));
  try {
    store.transaction(() => {
      const at = '2025-03-01T09:05:00.123Z';
      store.journal.append({ at, terminalId: 'T-1', actor: 'P-1', kind: 'sale.started', outcome: 'ok', amountCents: 1234, currency: 'EUR' });
      store.journal.append({
        at,
        terminalId: 'T-1',
        actor: 'Zoë "Z" \\ O\u2019Brien',
        saleId: 'S-1',
        kind: 'redeem.posted',
        pointsMilli: -2_500_125,
        amountCents: Number.MAX_SAFE_INTEGER,
        outcome: 'ok',
        memberMasked: '\u2022\u2022\u2022\u2022 1234',
        memberHash: 'ab'.repeat(32),
        detail: { note: 'line\nbreak\ttab \u0001 \u{1F600}', nested: { n: 1.5, list: [null, true] } },
      });
      store.journal.append({ at, terminalId: 'T-1', actor: 'P-\ud800X', kind: 'note', outcome: 'ok', detail: { text: 'a\udc00' } });
    });
    const rows = store.db.prepare(`SELECT *, ${CANONICAL_SQL} AS canonical FROM log ORDER BY seq`).all() as (LogRow & { canonical: string })[];
    expect(rows).toHaveLength(3);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (const { canonical, hash, ...row } of rows) {
      expect(canonical).toBe(canonicalEntry(row));
      expect(entryHash(row)).toBe(hash);
    }
  } finally {
    store.close();
    tmp.cleanup();
  }
});

it('the hash covers every field and the link: changing any one changes it', () => {
  const row: Omit<LogRow, 'hash'> = {
    prev_hash: GENESIS_HASH,
    seq: 1,
    at: '2025-03-01T09:05:00.000Z',
    terminal_id: 'T-1',
    actor: 'P-1',
    sale_id: 'S-1',
    kind: 'quote',
    points_milli: 1000,
    amount_cents: 100,
    currency: 'EUR',
    outcome: 'ok',
    member_masked: '1234',
    member_hash: 'h',
    detail: '{}',
  };
  const base = entryHash(row);
  for (const key of Object.keys(row) as (keyof typeof row)[]) {
    const changed = { ...row, [key]: typeof row[key] === 'number' ? (row[key] as number) + 1 : `${String(row[key])}x` };
    expect(entryHash(changed), key).not.toBe(base);
  }
});
