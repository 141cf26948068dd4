/**
 * Shipping from a running terminal, against a real PostgreSQL with TLS on:
 * the desk's shipping state through the contract, each bad address a clear
 * message while the counter keeps selling, sslmode=verify-full accepted with
 * the chain's CA and refused for a name the certificate does not carry, and a
 * re-send that differs from what the chain holds flagged on both sides.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { startPgCluster, type PgCluster } from '../../test/pg-cluster.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { main as chainCli } from './cli.js';
import type { ShippingView } from '../../shared/contract/shipping.js';
import { ensureManager, sellOne, TEST_MANAGER } from './testing/sell.js';

let pgc: PgCluster;
const tmp = makeTempDir('pwp-chain-ship-');
const FAST = { scrypt: { N: 1 << 10, r: 8, p: 1 }, probeIntervalMs: 100 };
const SHIP_TUNING = { pollMs: 30, retryMinMs: 50, retryMaxMs: 200, connectTimeoutMs: 3000 };

beforeAll(async () => {
  pgc = await startPgCluster({ tls: true });
  pgc.psql("CREATE DATABASE chain; CREATE DATABASE bare; CREATE ROLE pwp_terminal LOGIN PASSWORD 'till'; REVOKE CREATE ON DATABASE bare FROM PUBLIC;");
  const quiet = () => {};
  expect(await chainCli(['migrate', '--postgres', pgc.url({ database: 'chain' })], quiet, quiet)).toBe(0);
  expect(await chainCli(['grant', '--postgres', pgc.url({ database: 'chain' })], quiet, quiet)).toBe(0);
}, 60_000);
afterAll(() => {
  pgc?.stop();
  tmp.cleanup();
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function call<T>(rt: Runtime, method: string, input: unknown): Promise<T> {
  const r = await rt.call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

const terminalUrl = (o: { password?: string; database?: string; host?: string; params?: string; port?: number } = {}) => {
  const url = pgc.url({ user: 'pwp_terminal', password: o.password ?? 'till', database: o.database ?? 'chain', host: o.host, params: o.params });
  return o.port ? url.replace(`:${pgc.port}/`, `:${o.port}/`) : url;
};

it('the desk shows why shipping fails (unreachable, wrong password, no schema and no rights, bad address) while the counter sells; verify-full TLS ships', async () => {
  const rt = await startRuntime({ dataDir: `${tmp.dir}/desk`, tuning: FAST, shippingTuning: SHIP_TUNING });
  try {
    const managerId = ensureManager(rt);
    await call(rt, 'signIn', { personId: managerId, pin: TEST_MANAGER.pin });
    expect(await call<ShippingView>(rt, 'getShippingState', {})).toMatchObject({ enabled: false, source: null });

    const cases: { url: string; kind: string; message: RegExp }[] = [
      {
        url: terminalUrl({ port: await closedPort() }),
        kind: 'unreachable',
        message: /^Cannot reach the chain database at pwp_terminal@127\.0\.0\.1:\d+\/chain \(ECONNREFUSED\)/,
      },
      { url: terminalUrl({ password: 'wrong' }), kind: 'auth', message: /^The chain database refused the password for pwp_terminal@127\.0\.0\.1:\d+\/chain\./ },
      { url: terminalUrl({ database: 'bare' }), kind: 'no-schema', message: /has no Pay with Points schema, and this terminal's role may not create it/ },
      { url: terminalUrl({ host: 'localhost', params: 'sslmode=verify-full' }), kind: 'tls', message: /TLS connection could not be verified/ },
    ];
    let sold = 0;
    for (const c of cases) {
      const set = await call<ShippingView>(rt, 'setShippingAddress', { postgresUrl: c.url });
      expect(set).toMatchObject({ enabled: true, source: 'settings' });
      await rt.shipping.current().waitFor((s) => s.lastError?.kind === c.kind, 20_000);
      // The counter is unaffected: a whole sale goes through while shipping fails.
      await sellOne(rt, sold++, managerId);
      const view = await call<ShippingView>(rt, 'getShippingState', {});
      expect(view.connected, c.kind).toBe(false);
      expect(view.lastError!.message, c.kind).toMatch(c.message);
      expect(view.lastError!.message).not.toContain('till');
      expect(view.lastError!.message).not.toContain('wrong');
      expect(view.lagEntries).toBe(view.headSeq);
    }
    // Not even a URL: said at once, nothing started.
    expect((await rt.call('setShippingAddress', { postgresUrl: 'mysql://x' })).ok).toBe(false);
    const bad = await call<ShippingView>(rt, 'setShippingAddress', { postgresUrl: 'postgres://till@db.example' });
    expect(bad.lastError).toMatchObject({ kind: 'bad-url', message: expect.stringMatching(/names no database/) });

    // verify-full against the chain's CA and the name on its certificate: ships everything.
    const tls = terminalUrl({ host: 'localhost', params: `sslmode=verify-full&sslrootcert=${encodeURIComponent(pgc.caFile!)}` });
    await call(rt, 'setShippingAddress', { postgresUrl: tls });
    const caughtUp = await rt.shipping.current().waitFor((s) => s.connected && s.lagEntries === 0 && s.shippedSeq > 0, 20_000);
    expect(caughtUp.lastError).toBeNull();
    const db = new pg.Client({ connectionString: pgc.url({ database: 'chain' }) });
    await db.connect();
    try {
      const ssl = await db.query("SELECT bool_or(ssl) AS any FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE application_name LIKE 'pwp-terminal%'");
      expect(ssl.rows[0].any).toBe(true);
      const n = await db.query('SELECT count(*)::int AS n FROM pwp.entries');
      expect(n.rows[0].n).toBe(caughtUp.shippedSeq);
    } finally {
      await db.end();
    }
    // The address is sealed at rest: the settings table does not hold the password.
    expect(JSON.stringify(rt.store.db.prepare("SELECT value FROM settings WHERE key = 'shipping_postgres_url'").get())).not.toContain('till');
  } finally {
    await rt.close();
  }
}, 120_000);

it('a re-sent entry that differs from the one the chain holds is refused and flagged on both sides', async () => {
  const dataDir = `${tmp.dir}/conflict`;
  const shipping = { postgresUrl: terminalUrl(), tuning: SHIP_TUNING };
  let rt = await startRuntime({ dataDir, tuning: FAST, shipping });
  const managerId = ensureManager(rt);
  await sellOne(rt, 0, managerId);
  const first = await rt.shipping.current().waitFor((s) => s.connected && s.lagEntries === 0 && s.shippedSeq > 3);
  const terminalId = rt.store.getSetting('terminal_id')!;
  await rt.close();

  const owner = new pg.Client({ connectionString: pgc.url({ database: 'chain' }) });
  await owner.connect();
  try {
    await owner.query("UPDATE pwp.entries SET outcome = 'changed centrally' WHERE terminal_id = $1 AND seq = 2", [terminalId]);
    // This terminal's cursor lost (say, restored from an older backup): it sends everything again.
    const { Store } = await import('../store/store.js');
    const s = Store.open(`${dataDir}/terminal.db`);
    s.db.prepare('UPDATE chain_cursor SET shipped_seq = 0').run();
    s.close();

    rt = await startRuntime({ dataDir, tuning: FAST, shipping });
    const flagged = await rt.shipping.current().waitFor((x) => x.conflicts.length > 0 && x.lagEntries === 0);
    expect(flagged.conflicts).toEqual([{ what: 'entry', key: '2', at: expect.any(String) }]);
    expect(flagged.lastError).toMatchObject({ kind: 'conflict', message: expect.stringContaining('log entry 2') });
    expect(flagged.shippedSeq).toBeGreaterThanOrEqual(first.shippedSeq);
    const central = await owner.query('SELECT what, key FROM pwp.conflicts WHERE terminal_id = $1', [terminalId]);
    expect(central.rows).toEqual([{ what: 'entry', key: '2' }]);
    // The identical re-sends were no-ops: one row per entry.
    const n = await owner.query('SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d FROM pwp.entries WHERE terminal_id = $1', [terminalId]);
    expect(n.rows[0].n).toBe(n.rows[0].d);
    await rt.close();
  } finally {
    await owner.end();
  }
}, 60_000);
