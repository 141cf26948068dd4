/**
 * Updates end to end with the real electron-updater (NsisUpdater, its
 * GenericProvider, its download and sha512 check) against a real HTTPS
 * server on loopback with its own CA. Only `electron` is a stand-in: its
 * `net.request` goes through node:https trusting the test CA (Chromium's
 * network stack would use the OS store), `app` answers the version.
 *
 * The "installer" is a shell script: when electron-updater starts it, it
 * writes the arguments it got into a file, which proves the install ran.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NsisUpdater as NsisUpdaterT } from 'electron-updater';
import { makeTestCa, type TestCa } from '../../test/network-fixtures.js';
import { makeTempDir } from '../../test/temp-dir.js';
import { provideElectronToCjs } from '../../test/electron-for-cjs.js';
import { until } from '../../test/until.js';
import { readUpdateState, writeMaintenanceSettings, NO_MAINTENANCE } from '../maintenance-files.js';
import { CHECK_EVERY_MS, startUpdates, type Updates } from './updates.js';

const RUNNING_VERSION = '1.4.0';
const tmp = makeTempDir('pwp-updates-');
let ca: TestCa;
const files = new Map<string, Buffer>();
const asked: string[] = [];
let server: ReturnType<typeof createServer>;
let base = '';

const app = Object.assign(new EventEmitter(), {
  isPackaged: true,
  getVersion: () => RUNNING_VERSION,
  getName: () => 'Pay with Points',
  getAppPath: () => tmp.dir,
  getPath: () => join(tmp.dir, 'userData'),
  whenReady: () => Promise.resolve(),
  quit: () => undefined,
  relaunch: () => undefined,
});
const restoreElectron = provideElectronToCjs({
  app,
  autoUpdater: new EventEmitter(),
  session: { fromPartition: () => ({}) },
  // Chromium's net.request, as far as electron-updater uses it: same options, same events.
  net: {
    request: (o: RequestOptions & { session?: unknown; redirect?: string }) => httpsRequest({ ...o, session: undefined, ca: ca.caPem } as RequestOptions),
  },
});
const { NsisUpdater } = await import('electron-updater');

/** The marker appears whole (written aside, then renamed): the shell creates a `>` target before it writes to it. */
function installerScript(marker: string): Buffer {
  return Buffer.from(`#!/bin/sh\necho "$@" > "${marker}.part" && mv "${marker}.part" "${marker}"\n`);
}
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64');

/** Publishes `version` as electron-builder does: the installer and a latest.yml naming its sha512 (or a wrong one). */
function publish(version: string, installer: Buffer, opts: { sha512Of?: Buffer } = {}): void {
  const name = `pay-with-points-${version}-win-x64.exe`;
  files.set(`/${name}`, installer);
  const sum = sha512(opts.sha512Of ?? installer);
  files.set(
    '/latest.yml',
    Buffer.from(
      `version: ${version}\nfiles:\n  - url: ${name}\n    sha512: ${sum}\n    size: ${installer.length}\npath: ${name}\nsha512: ${sum}\nreleaseDate: '2026-12-01T08:00:00.000Z'\n`,
    ),
  );
}

beforeAll(async () => {
  ca = makeTestCa(tmp.dir, ['updates.chain.test']);
  server = createServer({ key: ca.serverKey, cert: ca.serverCert }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname.replace(/^\/pwp/, '');
    asked.push(path);
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}/pwp/`;
  // electron-updater never runs the installer on this machine otherwise (elevate.exe lives there on Windows).
  (process as { resourcesPath?: string }).resourcesPath = tmp.dir;
});

afterAll(async () => {
  restoreElectron();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

let dir: { dir: string; cleanup: () => void };
let updates: Updates | null = null;
let now = Date.parse('2026-12-06T09:00:00Z');
let tickers: Array<() => void> = [];

beforeEach(() => {
  dir = makeTempDir('pwp-upd-case-');
  files.clear();
  asked.length = 0;
  tickers = [];
  process.env.XDG_CACHE_HOME = join(dir.dir, 'cache');
});
afterEach(() => {
  updates?.stop();
  updates = null;
  dir.cleanup();
});

function makeUpdater(): NsisUpdaterT {
  const updater = new NsisUpdater();
  // What electron-builder writes next to the app (resources/app-update.yml); the server itself comes from Settings.
  const config = join(dir.dir, 'app-update.yml');
  writeFileSync(config, `provider: generic\nurl: https://updates.invalid/\nupdaterCacheDirName: pwp-updater\n`);
  updater.updateConfigPath = config;
  // electron-builder's own test hook: resolve latest.yml and the .exe as on Windows, full downloads only.
  (updater as unknown as { _testOnlyOptions: unknown })._testOnlyOptions = { platform: 'win32', isUseDifferentialDownload: false };
  // Windows runs an .exe without an execute bit; the stand-in script needs one.
  updater.on('update-downloaded', (e: { downloadedFile: string }) => chmodSync(e.downloadedFile, 0o755));
  return updater;
}

function start(updater: NsisUpdaterT, settings = { ...NO_MAINTENANCE, updateUrl: base }): Updates {
  writeMaintenanceSettings(dir.dir, settings);
  updates = startUpdates({
    updater,
    dataDir: dir.dir,
    clock: () => now,
    every: (_ms, fn) => {
      tickers.push(fn);
      return () => undefined;
    },
  });
  return updates;
}

const pendingFiles = () => {
  const p = join(dir.dir, 'cache', 'pwp-updater', 'pending');
  return existsSync(p) ? readdirSync(p).filter((f) => f.endsWith('.exe')) : [];
};

describe('updates from the chain server', () => {
  it('downloads a newer version in the background, verifies it, and installs it only at a clean close with no open sale and nothing queued', async () => {
    const marker = join(dir.dir, 'installer-ran');
    publish('1.5.0', installerScript(marker));
    const u = start(makeUpdater());
    const reached = await u.check();
    expect(reached).toMatchObject({ phase: 'downloaded', version: '1.5.0' });
    expect(readUpdateState(dir.dir)).toMatchObject({ phase: 'downloaded', version: '1.5.0' });
    expect(pendingFiles()).toEqual(['pay-with-points-1.5.0-win-x64.exe']);

    // A sale open, then a redemption queued, then a manager's postponement: each keeps the update waiting.
    expect(u.installAtClose({ at: new Date(now).toISOString(), openSales: 1, queued: 0 })).toMatchObject({ installed: false, reason: '1 sale(s) still open' });
    expect(u.installAtClose({ at: new Date(now).toISOString(), openSales: 0, queued: 2 }).installed).toBe(false);
    expect(u.installAtClose(null)).toMatchObject({ installed: false, reason: 'the terminal did not report a clean close' });
    writeMaintenanceSettings(dir.dir, { ...NO_MAINTENANCE, updateUrl: base, updatesPostponedUntil: new Date(now + 3_600_000).toISOString() });
    expect(u.installAtClose({ at: new Date(now).toISOString(), openSales: 0, queued: 0 }).reason).toMatch(/^a manager postponed updates until /);
    expect(existsSync(marker)).toBe(false);

    // The postponement over: the installer runs, silently, without starting the terminal again.
    now += 2 * 3_600_000;
    expect(u.installAtClose({ at: new Date(now).toISOString(), openSales: 0, queued: 0 })).toEqual({
      installed: true,
      reason: 'closed cleanly with no open sale and an empty queue',
    });
    await until(() => existsSync(marker));
    expect(readFileSync(marker, 'utf8').trim()).toBe('--updated /S');
    expect(readUpdateState(dir.dir)?.phase).toBe('installing');
  });

  it('refuses a download whose sha512 does not match latest.yml: deleted, said, never installed', async () => {
    const marker = join(dir.dir, 'installer-ran');
    publish('1.5.0', installerScript(marker), { sha512Of: Buffer.from('the file that was published') });
    const u = start(makeUpdater());
    const reached = await u.check();
    expect(reached.phase).toBe('failed');
    expect(reached.message).toMatch(/does not match the sha512 in latest\.yml/);
    expect(asked).toContain('/pay-with-points-1.5.0-win-x64.exe');
    expect(pendingFiles()).toEqual([]);
    expect(u.installAtClose({ at: new Date(now).toISOString(), openSales: 0, queued: 0 })).toEqual({ installed: false, reason: 'no update downloaded' });
    expect(existsSync(marker)).toBe(false);
  });

  it('ignores an older version on the server, checks again once a day, and does nothing without a server', async () => {
    publish('1.3.9', installerScript(join(dir.dir, 'never')));
    const u = start(makeUpdater());
    expect(await u.check()).toMatchObject({ phase: 'up-to-date', version: '1.3.9' });
    expect(asked.filter((p) => p === '/latest.yml')).toHaveLength(1);
    expect(asked.some((p) => p.endsWith('.exe'))).toBe(false);

    // The hourly tick before a day has passed asks nothing; after a day it asks again.
    now += CHECK_EVERY_MS - 60_000;
    tickers.forEach((t) => t());
    await u.tick();
    expect(asked.filter((p) => p === '/latest.yml')).toHaveLength(1);
    now += 120_000;
    await u.tick();
    expect(asked.filter((p) => p === '/latest.yml')).toHaveLength(2);

    // The Settings address removed: no request at all.
    writeMaintenanceSettings(dir.dir, NO_MAINTENANCE);
    now += CHECK_EVERY_MS;
    expect(await u.check()).toMatchObject({ phase: 'idle', message: 'No update server is set.' });
    expect(asked.filter((p) => p === '/latest.yml')).toHaveLength(2);
  });
});
