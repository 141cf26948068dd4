/**
 * Setting a terminal up from a file: the committed JSON Schema is the one the
 * descriptors give (and the example's $schema resolves to it); a good file
 * takes the terminal live with its secrets sealed (the file can then go);
 * every bad input is named by its JSON path, and nothing is written. The
 * command line exits with code 2 on a bad file and starts live on a good one.
 */
import { readMaintenanceSettings, takeCloseReport } from './maintenance-files.js';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../test/temp-dir.js';
import { startSandbox, TRAINING_CONNECTIONS, type RunningSandbox } from '../sandbox/training.js';
import { buildConfigSchema, CONFIG_SCHEMA_PATH, ProvisioningError, readTerminalConfig } from './provisioning.js';
import { startRuntime } from './runtime.js';
import { databaseFile, readMode } from './mode.js';
import { Store } from './store/store.js';

const root = join(import.meta.dirname, '..');
let program: RunningSandbox;
let tmp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  program = await startSandbox({ port: 0 });
  tmp = makeTempDir();
});
afterAll(async () => {
  await program.close();
  tmp.cleanup();
});

let n = 0;
function file(content: unknown): string {
  const f = join(tmp.dir, `config-${++n}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

function goodConfig(): Record<string, unknown> {
  const c = TRAINING_CONNECTIONS.whitelabel(program.url);
  return {
    $schema: '../schema/terminal-config.schema.json',
    mode: 'live',
    backend: 'whitelabel',
    connection: { baseUrl: c.baseUrl, tokenUrl: c.tokenUrl, apiKey: c.apiKey, clientId: c.clientId, clientSecret: { env: 'PWP_TEST_WL_SECRET' } },
    program: { pointsCurrencyValue: c.pointsCurrencyValue },
    store: { id: 'STORE-7', name: 'Gent Korenmarkt' },
    terminal: { id: 'T-7-1', name: 'Till 1' },
    offline: { maxPointsPerRedemptionMilli: 1_000_000 },
  };
}
const env = () => ({ PWP_TEST_WL_SECRET: TRAINING_CONNECTIONS.whitelabel(program.url).clientSecret });

function problemsOf(f: string, e: Record<string, string | undefined> = env()): { path: string; message: string }[] {
  try {
    readTerminalConfig(f, e);
  } catch (err) {
    if (err instanceof ProvisioningError) return err.problems;
    throw err;
  }
  return [];
}

describe('the config schema', () => {
  it('is committed as the descriptors give it, and the example names it', () => {
    expect(JSON.parse(readFileSync(join(root, CONFIG_SCHEMA_PATH), 'utf8'))).toEqual(buildConfigSchema());
    const example = join(root, 'schema/examples/whitelabel-live.json');
    const ref = (JSON.parse(readFileSync(example, 'utf8')) as { $schema: string }).$schema;
    expect(resolve(dirname(example), ref)).toBe(join(root, CONFIG_SCHEMA_PATH));
    expect(problemsOf(example, { WL_API_KEY: 'k', WL_SECRET: 's' })).toEqual([]);
  });
});

describe('the chain database (issue 16)', () => {
  it('is read from the file, the password from the environment', () => {
    const f = file({ ...goodConfig(), shipping: { postgresUrl: { env: 'PWP_TEST_CHAIN_URL' } } });
    const url = 'postgres://terminal:pw@db.example.com:5432/chain?sslmode=verify-full';
    expect(readTerminalConfig(f, { ...env(), PWP_TEST_CHAIN_URL: url }).shipping).toEqual({ postgresUrl: url });
    expect(readTerminalConfig(file(goodConfig()), env()).shipping).toBeUndefined();
  });

  it('a terminal started from the file ships there (the file wins over Settings)', async () => {
    const f = file({ ...goodConfig(), shipping: { postgresUrl: 'postgres://terminal:pw@127.0.0.1:1/chain' } });
    const config = readTerminalConfig(f, env());
    const rt = await startRuntime({ dataDir: join(tmp.dir, `ship-${n++}`), config: { file: f, config }, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
    try {
      const marie = rt.people.createFirstManager('Marie', '246813');
      expect(await rt.call('signIn', { personId: marie.id, pin: '246813' })).toMatchObject({ ok: true });
      const answer = (await rt.call('getShippingState', {})) as { ok: true; value: unknown };
      const state = answer.value;
      expect(state).toMatchObject({ enabled: true, source: 'start-up', target: 'terminal@127.0.0.1:1/chain' });
      expect(JSON.stringify(state)).not.toContain('pw@');
    } finally {
      await rt.close();
    }
  });
});

describe('bad input: named by its JSON path', () => {
  const cases: Array<[string, () => unknown, Record<string, string | undefined> | null, string, RegExp]> = [
    ['malformed JSON', () => '{"mode": "live", ', null, '', /not valid JSON/],
    ['an unknown program', () => ({ ...goodConfig(), backend: 'acme' }), null, 'backend', /one of whitelabel/],
    [
      'a missing field',
      () => ({ ...goodConfig(), connection: { ...(goodConfig().connection as object), apiKey: undefined } }),
      null,
      'connection.apiKey',
      /missing/,
    ],
    ['an unset environment variable', () => goodConfig(), {}, 'connection.clientSecret.env', /PWP_TEST_WL_SECRET is not set/],
    [
      'http:// to another machine',
      () => ({ ...goodConfig(), connection: { ...(goodConfig().connection as object), baseUrl: 'http://loyalty.example.com/v1' } }),
      null,
      'connection.baseUrl',
      /only allowed to this machine/,
    ],
    [
      'a URL with a user and password',
      () => ({ ...goodConfig(), connection: { ...(goodConfig().connection as object), tokenUrl: 'https://pos:secret@auth.example.com/token' } }),
      null,
      'connection.tokenUrl',
      /user name or password/,
    ],
    [
      'an unknown field',
      () => ({ ...goodConfig(), connection: { ...(goodConfig().connection as object), apiKye: 'x' } }),
      null,
      'connection.apiKye',
      /not a known field/,
    ],
    [
      'an extra CA that is not a certificate',
      () => ({
        ...goodConfig(),
        connection: { ...(goodConfig().connection as object), extraCa: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----' },
      }),
      null,
      'connection.extraCa',
      /private key/,
    ],
    [
      'an extra CA shaped like PEM that X.509 cannot read',
      () => ({
        ...goodConfig(),
        connection: { ...(goodConfig().connection as object), extraCa: `-----BEGIN CERTIFICATE-----\nMIIBAAAA${'A'.repeat(56)}\n-----END CERTIFICATE-----` },
      }),
      null,
      'connection.extraCa',
      /certificate 1 cannot be read/,
    ],
    ['a bad offline limit', () => ({ ...goodConfig(), offline: { maxOutstandingMilli: -1 } }), null, 'offline.maxOutstandingMilli', /0/],
    [
      'a chain database address from an unset variable',
      () => ({ ...goodConfig(), shipping: { postgresUrl: { env: 'PWP_TEST_CHAIN_URL' } } }),
      null,
      'shipping.postgresUrl.env',
      /PWP_TEST_CHAIN_URL is not set/,
    ],
    ['a network printer without its address', () => ({ ...goodConfig(), printer: { kind: 'network' } }), null, 'printer.host', /needs its address/],
    [
      'a printer paper width',
      () => ({ ...goodConfig(), printer: { kind: 'device', devicePath: '/dev/usb/lp0', paper: 57 } }),
      null,
      'printer.paper',
      /one of 58, 80/,
    ],
    ['an unknown log level', () => ({ ...goodConfig(), logLevel: 'loud' }), null, 'logLevel', /one of debug, info, warn, error/],
    [
      'a chain database address that is not postgres://',
      () => ({ ...goodConfig(), shipping: { postgresUrl: 'mysql://x@db/chain' } }),
      null,
      'shipping.postgresUrl',
      /./,
    ],
    ['an update server over http', () => ({ ...goodConfig(), updates: { url: 'http://updates.example.com/pwp/' } }), null, 'updates.url', /./],
    [
      'a crash upload address with a password in it',
      () => ({ ...goodConfig(), crashReports: { submitUrl: 'https://me:pw@crash.example.com/submit' } }),
      null,
      'crashReports.submitUrl',
      /must not hold sign-in details/,
    ],
  ];
  it.each(cases)('%s', (_name, content, e, path, message) => {
    const problems = problemsOf(file(content()), e ?? env());
    const hit = problems.find((p) => p.path === path);
    expect(hit, JSON.stringify(problems)).toBeDefined();
    expect(hit!.message).toMatch(message);
  });
});

describe('a file does not switch away from a queue', () => {
  it('refuses to take a terminal live while its training queue holds a row, writing nothing; once handled, the same file goes live', async () => {
    const dataDir = join(tmp.dir, 'queued');
    const training = Store.open(databaseFile(dataDir, 'training'));
    const at = new Date().toISOString();
    training.sales.insert({ id: 'sale-q', created_at: at, terminal_id: 'T', cashier: 'c', state: 'paid', currency: 'EUR', basket_cents: 500 });
    const row = training.outbox.insertForAttention({
      sale_id: 'sale-q',
      kind: 'redeem',
      reference: 'sale-q.r1',
      member_key: 'm',
      payload: {},
      created_at: at,
      why: 'test',
    });
    training.close();
    const f = file(goodConfig());
    const config = { file: f, config: readTerminalConfig(f, env()) };
    const refused = await startRuntime({ dataDir, config }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProvisioningError);
    expect((refused as ProvisioningError).problems).toEqual([
      { path: 'mode', message: expect.stringMatching(/from training to live: 1 .* still in its training queue/) },
    ]);
    expect(readMode(dataDir)).toBe('training');
    expect(existsSync(databaseFile(dataDir, 'live'))).toBe(false);

    const handled = Store.open(databaseFile(dataDir, 'training'));
    handled.db.prepare("UPDATE outbox SET state = 'done' WHERE id = ?").run(row); // a manager marked it handled
    handled.close();
    const rt = await startRuntime({ dataDir, config });
    try {
      expect(rt.mode).toBe('live');
    } finally {
      await rt.close();
    }
  });
});

describe('from the command line', () => {
  const web = (args: string[], extraEnv: Record<string, string> = {}) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'electron/cli/web.ts'), ...args], {
      cwd: root,
      env: { ...process.env, ...extraEnv },
      timeout: 60_000,
    });

  it('exits with code 2 on a bad file, naming the field, and writes nothing', async () => {
    const dataDir = join(tmp.dir, 'bad');
    const bad = file({ ...goodConfig(), connection: { ...(goodConfig().connection as object), baseUrl: 'http://loyalty.example.com/v1' } });
    const err = (await web(['--data-dir', dataDir, '--port', '0', '--config', bad], env()).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('connection.baseUrl');
    for (const f of ['terminal.db', 'terminal-live.db', 'mode.json', 'secret.key']) expect(existsSync(join(dataDir, f)), f).toBe(false);
  });

  it('a good file takes the terminal live with its secrets sealed; the file can then be deleted', async () => {
    const dataDir = join(tmp.dir, 'good');
    const maintenance = { updateUrl: 'https://updates.chain.example/pwp/', crashReportUrl: 'https://o1.ingest.sentry.io/api/7/minidump/?sentry_key=k1' };
    const f = file({
      ...goodConfig(),
      logLevel: 'debug',
      printer: { kind: 'network', host: '192.168.1.50', paper: 58 },
      updates: { url: maintenance.updateUrl },
      crashReports: { submitUrl: maintenance.crashReportUrl },
    });
    const rt = await startRuntime({ dataDir, config: { file: f, config: readTerminalConfig(f, env()) } });
    try {
      expect(rt.mode).toBe('live');
      expect(rt.desk.settings.view()).toMatchObject({
        logLevel: 'debug',
        printer: { kind: 'network', host: '192.168.1.50', port: 9100, paper: 58, autoPrint: true },
        ...maintenance,
      });
      // The Electron shell reads them from the data directory before the runtime starts (crash reporter, updater).
      expect(readMaintenanceSettings(dataDir)).toEqual({ ...maintenance, updatesPostponedUntil: null });
      expect(rt.connectionTest).toMatchObject({ ok: true });
      expect(await rt.call('getStatus', {})).toMatchObject({
        ok: true,
        value: { mode: 'live', training: false, terminalId: 'T-7-1', storeName: 'Gent Korenmarkt' },
      });
      // Sealed: the secret is not in the database file in clear.
      expect(readFileSync(join(dataDir, 'terminal-live.db')).includes(env().PWP_TEST_WL_SECRET)).toBe(false);
    } finally {
      await rt.close();
    }
    // The close report the shell installs updates on: nothing open, nothing queued.
    expect(takeCloseReport(dataDir)).toMatchObject({ openSales: 0, queued: 0 });
    // Without the file (and without the environment variable), it starts live again.
    const again = await startRuntime({ dataDir });
    try {
      expect(again.mode).toBe('live');
      expect(again.connectionTest).toMatchObject({ ok: true });
    } finally {
      await again.close();
    }
  });
});
