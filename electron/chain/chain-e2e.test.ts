/**
 * End to end against a real PostgreSQL: three terminals, each a real child
 * process selling through the real runtime, ship to one chain database.
 *  - T1 ships as it sells;
 *  - T2 is parked mid-batch (its batch committed in the chain, its cursor not
 *    yet saved) and killed with SIGKILL, then restarted: it re-sends, which
 *    is a no-op, and carries on;
 *  - T3 sells while the database is unreachable (a closed TCP gate), says so
 *    in its shipping state, and catches up when the gate opens.
 * Next morning (each terminal's shipper with its clock a day on) every day's
 * end of day goes too. Then `chain verify` says intact, each terminal's
 * entries and day figures in the chain equal its own log and end of day, and
 * an entry edited centrally is found.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { startPgCluster, type PgCluster } from '../../test/pg-cluster.js';
import { DATABASE_FILE } from '../runtime.js';
import { endOfDay } from '../service/end-of-day.js';
import { LogQuery } from '../service/log-query.js';
import { Store } from '../store/store.js';
import { main as chainCli } from './cli.js';
import { LogShipper } from './shipper.js';
import { caughtUp, spawnTerminal, type TerminalChild } from './testing/child.js';
import { startTcpGate, type TcpGate } from './testing/tcp-gate.js';
import { DAY_FIGURES } from './types.js';

let pgc: PgCluster;
let gate: TcpGate;
const tmp = makeTempDir('pwp-chain-e2e-');
const children: TerminalChild[] = [];

beforeAll(async () => {
  pgc = await startPgCluster();
  gate = await startTcpGate(pgc.port, false);
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await gate?.stop();
  pgc?.stop();
  tmp.cleanup();
});

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await chainCli(
    args,
    (s) => void (out += s),
    (s) => void (err += s),
  );
  return { code, out, err };
}

async function stopChild(c: TerminalChild): Promise<void> {
  c.proc.kill('SIGTERM');
  expect(await c.exited).toEqual({ code: 0, signal: null });
}

it('three terminals ship to one database through an outage and a SIGKILL; verify is intact and the figures agree', async () => {
  pgc.psql("CREATE DATABASE chain; CREATE ROLE pwp_terminal LOGIN PASSWORD 'till';");
  const owner = pgc.url({ database: 'chain' });
  expect((await cli(['migrate', '--postgres', owner])).code).toBe(0);
  expect((await cli(['grant', '--postgres', owner])).code).toBe(0);
  const url = pgc.url({ user: 'pwp_terminal', password: 'till', database: 'chain' });
  const viaGate = pgc.url({ user: 'pwp_terminal', password: 'till', database: 'chain' }).replace(`:${pgc.port}/`, `:${gate.port}/`);
  const dirs = ['t1', 't2', 't3'].map((d) => join(tmp.dir, d));

  const spawnOne = async (i: number, o: { sales: number; ship?: string; env?: Record<string, string> }) => {
    const c = await spawnTerminal({ dataDir: dirs[i]!, ship: o.ship ?? url, store: i === 2 ? 'S-B' : 'S-A', sales: o.sales, env: o.env });
    children.push(c);
    return c;
  };
  const [t1, t2a, t3] = await Promise.all([
    spawnOne(0, { sales: 9 }),
    spawnOne(1, { sales: 9, env: { PWP_CHAIN_HOLD: 'after-commit:3' } }),
    spawnOne(2, { sales: 9, ship: viaGate }),
  ]);

  // T2: parked after its third batch committed in the chain; killed for real.
  await t2a.until((c) => c.stderr.includes('[chain-hold] after-commit batch 3'), 'the hold');
  t2a.proc.kill('SIGKILL');
  expect(await t2a.exited).toEqual({ code: null, signal: 'SIGKILL' });
  const t2 = await spawnOne(1, { sales: 6 });

  // T3: the database is unreachable; the counter sells regardless and the state says why.
  await t3.until((c) => c.sold === 9, 'T3 sold while offline');
  await t3.until((c) => c.state?.lastError?.kind === 'unreachable' && c.state.lagEntries > 0, 'T3 reports the outage');
  expect(t3.state!.lastError!.message).toMatch(/Cannot reach the chain database at pwp_terminal@127\.0\.0\.1:\d+\/chain/);
  expect(t3.state!.lastError!.message).not.toContain('till');
  expect(t3.state!.shippedSeq).toBe(0);
  gate.open();

  for (const c of [t1, t2, t3]) {
    await c.until((x) => x.sold !== null, 'sold');
    await c.until((x) => caughtUp(x) && x.state!.headSeq === x.state!.shippedSeq && x.state!.lastError === null, 'caught up');
  }
  const ids = [t1.terminalId, t2.terminalId, t3.terminalId];
  expect(new Set(ids).size).toBe(3);
  await Promise.all([t1, t2, t3].map(stopChild));

  // Next morning: each terminal's shipper (its clock a day on) closes the day.
  for (const dir of dirs) {
    const store = Store.open(join(dir, DATABASE_FILE));
    try {
      const shipper = LogShipper.start(
        store,
        { postgresUrl: url, tuning: { nowOffsetMs: 86_400_000, dayGraceMs: 0, pollMs: 50 } },
        { terminalId: store.getSetting('terminal_id')!, storeId: store.getSetting('store_id')!, storeName: store.getSetting('store_name')!, currency: 'EUR' },
      );
      await shipper.waitFor((s) => s.connected && s.lagEntries === 0 && s.lastDayShipped !== null);
      await shipper.stop();
    } finally {
      store.close();
    }
  }

  const verify = await cli(['verify', '--postgres', url]);
  expect(verify.code, verify.out + verify.err).toBe(0);
  expect(verify.out).toMatch(/Intact: \d+ entries from 3 terminals/);

  const db = new pg.Client({ connectionString: owner });
  await db.connect();
  try {
    for (const [i, dir] of dirs.entries()) {
      const store = Store.open(join(dir, DATABASE_FILE));
      try {
        const id = ids[i]!;
        const local = store.db.prepare('SELECT count(*) AS n, max(seq) AS head FROM log').get() as { n: number; head: number };
        const central = (await db.query('SELECT count(*)::int AS n, max(seq)::int AS head FROM pwp.entries WHERE terminal_id = $1', [id])).rows[0];
        expect(central, id).toEqual({ n: local.n, head: local.head });
        const days = (
          await db.query(
            'SELECT day::text AS day, day_from, day_to, utc_offset_minutes, ' + DAY_FIGURES.join(', ') + ' FROM pwp.day_totals WHERE terminal_id = $1',
            [id],
          )
        ).rows;
        expect(days.length).toBeGreaterThanOrEqual(1);
        for (const d of days) {
          const own = endOfDay(store.db, new LogQuery(store.db), {
            from: new Date(d.day_from).toISOString(),
            to: new Date(d.day_to).toISOString(),
            utcOffsetMinutes: d.utc_offset_minutes,
            currency: 'EUR',
            now: Date.now(),
            needsAttention: 0,
          }).totals;
          expect(Object.fromEntries(DAY_FIGURES.map((f) => [f, Number(d[f])])), `${id} ${d.day}`).toEqual({
            redemptions: own.redemptions,
            points_milli: own.pointsMilli,
            discount_cents: own.discountCents,
            refunds: own.refunds,
            refunded_cents: own.refundedCents,
            refunded_points_milli: own.refundedPointsMilli,
            voids: own.voids,
            overrides: own.overrides,
            offline_accepted: own.offlineAccepted,
            refused_redemptions: own.refusedRedemptions,
          });
        }
        if (i === 0) expect(days.reduce((a, d) => a + Number(d.redemptions), 0)).toBe(9);
        if (i === 1) expect(days.reduce((a, d) => a + Number(d.refunds), 0)).toBeGreaterThanOrEqual(2);
      } finally {
        store.close();
      }
    }
    // The report sums the two stores.
    const today = (await db.query('SELECT min(day)::text AS d FROM pwp.day_totals')).rows[0].d as string;
    const report = await cli(['report', '--postgres', url, '--day', today]);
    expect(report.code).toBe(0);
    expect(report.out).toMatch(/\r\nstore,[^,]+,S-A,Store S-A,EUR,2,/);
    expect(report.out).toMatch(/\r\nstore,[^,]+,S-B,Store S-B,EUR,1,/);
    expect(report.out).toMatch(/\r\nchain,[^,]+,,,EUR,3,/);

    // An entry edited centrally is found.
    await db.query("UPDATE pwp.entries SET actor = 'someone-else' WHERE terminal_id = $1 AND seq = 4", [ids[2]]);
    const after = await cli(['verify', '--postgres', url]);
    expect(after.code).toBe(1);
    expect(after.out).toContain(`changed: ${ids[2]}: entry 4 was changed`);
  } finally {
    await db.end();
  }
}, 240_000);
