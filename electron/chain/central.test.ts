/**
 * The chain's central side against a real PostgreSQL (a throw-away cluster):
 * migrations under the advisory lock, the terminals' grants (UPDATE and
 * DELETE refused), idempotent inserts and conflicts, `chain verify` finding
 * each kind of problem, and `chain report --day`.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { startPgCluster, type PgCluster } from '../../test/pg-cluster.js';
import { Store } from '../store/store.js';
import { centralVersion, latestVersion, migrateCentral } from './central-schema.js';
import { insertDay, insertEntries, registerTerminal } from './central-writer.js';
import { main as chainCli } from './cli.js';
import { figuresHash } from './local-store.js';
import type { ShippedDay, ShippedEntry } from './types.js';

let pgc: PgCluster;
const tmp = makeTempDir('pwp-chain-central-');

beforeAll(async () => {
  pgc = await startPgCluster();
}, 60_000);
afterAll(() => {
  pgc?.stop();
  tmp.cleanup();
});

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** A database with the schema, and the terminals' role with its grants (as the README says). */
async function freshChain(name: string): Promise<{ owner: string; terminal: string }> {
  pgc.psql(`CREATE DATABASE ${name};`);
  const owner = pgc.url({ database: name });
  expect(await cli(['migrate', '--postgres', owner])).toMatchObject({ code: 0 });
  pgc.psql(
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pwp_terminal') THEN CREATE ROLE pwp_terminal LOGIN PASSWORD 'till'; END IF; END $$;`,
  );
  expect(await cli(['grant', '--postgres', owner])).toMatchObject({ code: 0 });
  return { owner, terminal: pgc.url({ user: 'pwp_terminal', password: 'till', database: name }) };
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await chainCli(
    args,
    (s) => void (out += s),
    (s) => void (err += s),
  );
  return { code, out, err };
}

/** Real hash-chained entries, from a real terminal store's journal. */
function entries(n: number, terminalId: string, startMs = Date.parse('2026-12-01T09:00:00Z')): ShippedEntry[] {
  const store = Store.open(join(tmp.dir, `${terminalId}-${Math.random().toString(36).slice(2)}.db`));
  try {
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        store.journal.append({
          at: new Date(startMs + i * 60_000).toISOString(),
          terminalId,
          actor: 'P-1',
          kind: 'redeem.posted',
          outcome: 'ok',
          pointsMilli: 1000 * (i + 1),
          amountCents: 10 * i,
          currency: 'EUR',
          detail: { i, note: 'quote "x", é' },
        });
      }
    });
    return store.db.prepare('SELECT * FROM log ORDER BY seq').all() as ShippedEntry[];
  } finally {
    store.close();
  }
}

describe('central schema', () => {
  it('twelve terminals migrating at once: one applies each numbered file, the others wait and find it done', async () => {
    pgc.psql('CREATE DATABASE race;');
    const url = pgc.url({ database: 'race' });
    const clients = await Promise.all(Array.from({ length: 12 }, () => connect(url)));
    try {
      const results = await Promise.all(clients.map((c) => migrateCentral(c)));
      expect(results.filter((r) => r.from === 0 && r.to === latestVersion())).toHaveLength(1);
      expect(results.every((r) => r.to === latestVersion())).toBe(true);
      const applied = await clients[0]!.query('SELECT version FROM pwp.schema_migrations ORDER BY version');
      expect(applied.rows.map((r) => r.version)).toEqual(Array.from({ length: latestVersion() }, (_, i) => i + 1));
      expect(await centralVersion(clients[0]!)).toBe(latestVersion());
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("the terminals' role inserts and reads, and is refused UPDATE and DELETE", async () => {
    const chain = await freshChain('grants');
    const t = await connect(chain.terminal);
    try {
      await registerTerminal(t, { terminalId: 'T-GRANT', storeId: 'S1', storeName: 'Store 1' });
      expect((await insertEntries(t, 'T-GRANT', entries(3, 'T-GRANT'))).inserted).toBe(3);
      expect((await t.query("SELECT count(*)::int AS n FROM pwp.entries WHERE terminal_id = 'T-GRANT'")).rows[0].n).toBe(3);
      await expect(t.query("UPDATE pwp.entries SET outcome = 'edited' WHERE terminal_id = 'T-GRANT' AND seq = 2")).rejects.toMatchObject({ code: '42501' });
      await expect(t.query("DELETE FROM pwp.entries WHERE terminal_id = 'T-GRANT'")).rejects.toMatchObject({ code: '42501' });
      await expect(t.query('UPDATE pwp.day_totals SET redemptions = 0')).rejects.toMatchObject({ code: '42501' });
      await expect(t.query('TRUNCATE pwp.entries')).rejects.toMatchObject({ code: '42501' });
      // Nor may it change the schema.
      await expect(t.query('DROP TABLE pwp.conflicts')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await t.end();
    }
  });
});

describe('idempotent shipping', () => {
  it('an identical re-send is a no-op; a different one under the same key is refused and recorded', async () => {
    const chain = await freshChain('idem');
    const t = await connect(chain.terminal);
    try {
      await registerTerminal(t, { terminalId: 'T-IDEM', storeId: 'S1', storeName: 'Store 1' });
      const batch = entries(5, 'T-IDEM');
      expect(await insertEntries(t, 'T-IDEM', batch)).toEqual({ inserted: 5, conflicts: [] });
      expect(await insertEntries(t, 'T-IDEM', batch.slice(1, 4))).toEqual({ inserted: 0, conflicts: [] });
      const forged = { ...batch[2]!, outcome: 'forged' };
      const r = await insertEntries(t, 'T-IDEM', [forged, ...entries(6, 'T-IDEM').slice(5)]);
      expect(r.inserted).toBe(1);
      expect(r.conflicts).toEqual([{ what: 'entry', key: '3', storedHash: batch[2]!.hash, offeredHash: forged.hash }]);
      const stored = await t.query("SELECT outcome FROM pwp.entries WHERE terminal_id = 'T-IDEM' AND seq = 3");
      expect(stored.rows[0].outcome).toBe('ok');
      const recorded = await t.query("SELECT what, key, offered->>'outcome' AS outcome FROM pwp.conflicts WHERE terminal_id = 'T-IDEM'");
      expect(recorded.rows).toEqual([{ what: 'entry', key: '3', outcome: 'forged' }]);
    } finally {
      await t.end();
    }
  });
});

function day(store: string, d: string, figures: Partial<ShippedDay['figures']>, last: ShippedEntry): ShippedDay {
  const body = {
    day: d,
    store_id: store,
    utc_offset_minutes: 0,
    day_from: `${d}T00:00:00.000Z`,
    day_to: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString(),
    currency: 'EUR',
    figures: {
      redemptions: 0,
      points_milli: 0,
      discount_cents: 0,
      refunds: 0,
      refunded_cents: 0,
      refunded_points_milli: 0,
      voids: 0,
      overrides: 0,
      offline_accepted: 0,
      refused_redemptions: 0,
      ...figures,
    },
    log_seq: last.seq,
    log_hash: last.hash,
  };
  return { ...body, figures_hash: figuresHash(body) };
}

describe('chain verify and report', () => {
  it('says intact, then finds an edit, a gap, a reordering, a silent terminal, a conflict and a cut-off day; report sums per store', async () => {
    const chain = await freshChain('verify');
    const t = await connect(chain.terminal);
    const owner = await connect(chain.owner);
    try {
      const shops = [
        ['T-A1', 'S-A'],
        ['T-A2', 'S-A'],
        ['T-B1', 'S-B'],
      ] as const;
      const logs = new Map<string, ShippedEntry[]>();
      for (const [id, store] of shops) {
        await registerTerminal(t, { terminalId: id, storeId: store, storeName: `Store ${store}` });
        const e = entries(40, id);
        logs.set(id, e);
        await insertEntries(t, id, e);
        await t.query('INSERT INTO pwp.heartbeats (terminal_id, head_seq, shipped_seq) VALUES ($1, 40, 40)', [id]);
        await insertDay(t, id, day(store, '2026-12-01', { redemptions: 4, points_milli: 2500, discount_cents: 1234, refunds: 1, refunded_cents: 99 }, e[39]!));
      }
      let r = await cli(['verify', '--postgres', chain.terminal]);
      expect(r, r.out + r.err).toMatchObject({ code: 0 });
      expect(r.out).toContain('Intact: 120 entries from 3 terminals');

      const rep = await cli(['report', '--postgres', chain.terminal, '--day', '2026-12-01']);
      expect(rep.code, rep.err).toBe(0);
      const lines = rep.out
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      expect(lines[0]).toBe(
        'level,day,store_id,store_name,currency,terminals,entries,redemptions,points,discount,refunds,refunded,refunded_points,voids,overrides,offline_accepted,refused_redemptions',
      );
      expect(lines.slice(1)).toEqual([
        'store,2026-12-01,S-A,Store S-A,EUR,2,80,8,5,24.68,2,1.98,0,0,0,0,0',
        'store,2026-12-01,S-B,Store S-B,EUR,1,40,4,2.5,12.34,1,0.99,0,0,0,0,0',
        'chain,2026-12-01,,,EUR,3,120,12,7.5,37.02,3,2.97,0,0,0,0,0',
      ]);

      // The owner tampers centrally; the terminals' role could not.
      await owner.query("UPDATE pwp.entries SET points_milli = 1 WHERE terminal_id = 'T-A1' AND seq = 7");
      await owner.query("DELETE FROM pwp.entries WHERE terminal_id = 'T-A2' AND seq BETWEEN 10 AND 12");
      // T-B1: entry 20 replaced by a self-consistent entry 20 of another chain (rehashed, as a forger would).
      const b = logs.get('T-B1')!;
      const other = entries(40, 'T-B1', Date.parse('2026-12-01T10:00:00Z'))[19]!;
      await owner.query("DELETE FROM pwp.entries WHERE terminal_id = 'T-B1' AND seq = 20");
      await insertEntries(t, 'T-B1', [other]);
      // Cut T-A1's tail: the shipped end of day still names entry 40.
      await owner.query("DELETE FROM pwp.entries WHERE terminal_id = 'T-A1' AND seq > 38");
      // A terminal that shipped once, long ago, and went quiet.
      await registerTerminal(t, { terminalId: 'T-QUIET', storeId: 'S-B', storeName: 'Store S-B' });
      await insertEntries(t, 'T-QUIET', entries(2, 'T-QUIET'));
      await owner.query("UPDATE pwp.entries SET received_at = now() - interval '3 days' WHERE terminal_id = 'T-QUIET'");
      // And a terminal re-sending something different.
      await insertEntries(t, 'T-B1', [{ ...b[5]!, actor: 'P-other' }]);

      r = await cli(['verify', '--postgres', chain.terminal, '--json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out) as { ok: boolean; problems: { terminalId: string; kind: string; seq?: number }[] };
      const found = report.problems.map((p) => `${p.terminalId} ${p.kind} ${p.seq ?? ''}`.trim());
      expect(found).toEqual(
        expect.arrayContaining([
          'T-A1 changed 7',
          'T-A2 gap 10',
          'T-B1 reordered 20',
          'T-B1 reordered 21',
          'T-A1 day 40',
          'T-A1 gap 39',
          'T-QUIET stopped',
          'T-B1 conflict',
        ]),
      );
      expect(r.out).not.toContain('T-A2 changed');
    } finally {
      await t.end();
      await owner.end();
    }
  });
});
