/** The composition root reads what a manager set in settings at start. */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { makeTempDir } from '../test/temp-dir.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntime } from './runtime.js';
import { readMaintenanceSettings, takeCloseReport } from './maintenance-files.js';
import { currentLogLevel, installLog, setLogLevel } from './log/logger.js';
import { DEMO_MEMBERS } from '../sandbox/demo-data.js';
import { startSandbox, type RunningSandbox } from '../sandbox/server.js';

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let tmp: ReturnType<typeof makeTempDir>;
let sandbox: RunningSandbox;
beforeEach(async () => {
  tmp = makeTempDir();
  sandbox = await startSandbox({ port: 0 });
});
afterEach(async () => {
  await sandbox.close();
  tmp.cleanup();
});

it('uses the redemption rate a manager set at the terminal (White Label: the terminal owns the rate)', async () => {
  const first = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
  first.store.setSetting('redemption_rate', JSON.stringify({ pointsMilli: 1000, cents: 2 })); // 1 point = 0.02
  first.people.createFirstManager('Marie', '246802');
  await first.close();

  const rt = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
  try {
    const sale = await rt.service.startSale({ basketCents: 10_000 });
    const v = await rt.service.identifyMember({ saleId: sale.id, input: DEMO_MEMBERS.anna.cardNumber, source: 'scanner' });
    expect(v.member?.balanceValue.cents).toBe(5000); // 2500 points x 0.02
    const q = await rt.service.quote({ saleId: sale.id, pointsMilli: 100_000 });
    expect(q.quote?.discount.cents).toBe(200);
  } finally {
    await rt.close();
  }
});

it('refuses every contract call but the sign-in screen until someone signs in', async () => {
  const rt = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
  try {
    expect(await rt.call('startSale', { basketCents: 100 })).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    expect(await rt.call('getStatus', {})).toMatchObject({ ok: true });
    expect(await rt.call('whoAmI', {})).toMatchObject({ ok: true, value: { person: null, needsFirstManager: true } });
    const m = await rt.call('createFirstManager', { name: 'Marie', pin: '246802' });
    expect(m.ok).toBe(true);
    const id = (m as { value: { id: string } }).value.id;
    await rt.call('signOut', {});
    expect(await rt.call('signIn', { personId: id, pin: '0000' })).toMatchObject({ ok: false, error: { code: 'PIN_WRONG' } });
    expect(await rt.call('signIn', { personId: id, pin: '246802' })).toMatchObject({ ok: true });
    expect(await rt.call('startSale', { basketCents: 100 })).toMatchObject({ ok: true });
  } finally {
    await rt.close();
  }
});

it('a "__proto__" key in a connection is refused, naming its path (review item 12)', async () => {
  const rt = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
  try {
    expect(await rt.call('createFirstManager', { name: 'Marie', pin: '246813' })).toMatchObject({ ok: true });
    const res = await rt.call('testConnection', JSON.parse('{"program":"whitelabel","values":{"__proto__":"x"}}'));
    expect(res).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('values.__proto__') } });
  } finally {
    await rt.close();
  }
});

it('the log level a manager saves in Settings takes effect at once, the change itself is logged, and the next start keeps it', async () => {
  const installed = installLog({ dir: join(tmp.dir, 'logs'), level: 'info' });
  try {
    const rt = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, tuning: { scrypt: { N: 1 << 10, r: 8, p: 1 } } });
    try {
      expect(await rt.call('createFirstManager', { name: 'Marie', pin: '246813' })).toMatchObject({ ok: true });
      expect(await rt.call('getSettings', {})).toMatchObject({ ok: true, value: { logLevel: 'info', logLevelFixed: null } });
      await rt.call('getStatus', {});
      const calls = () => lines(installed.currentFile).filter((l) => l.msg === 'call');
      expect(calls()).toEqual([]); // info: no call outlines
      expect(await rt.call('updateSettings', { patch: { logLevel: 'debug' } })).toMatchObject({ ok: true, value: { logLevel: 'debug' } });
      await rt.call('getStatus', {});
      expect(calls().map((l) => [l.level, l.method, l.ok])).toContainEqual(['debug', 'getStatus', true]);
      expect(await rt.call('updateSettings', { patch: { logLevel: 'error' } })).toMatchObject({ ok: true });
      const changes = lines(installed.currentFile).filter((l) => l.msg === 'log level changed');
      // Both changes are written, the second although 'error' hides info lines.
      expect(changes.map((l) => [l.level, l.from, l.to])).toEqual([
        ['notice', 'info', 'debug'],
        ['notice', 'debug', 'error'],
      ]);
      const before = calls().length;
      await rt.call('getStatus', {});
      expect(calls().length).toBe(before);
      expect(rt.store.journal.list({ limit: 1 })[0]).toMatchObject({
        kind: 'settings.changed',
        detail: { changes: { log_level: { from: 'debug', to: 'error' } } },
      });
      expect(await rt.call('updateSettings', { patch: { logLevel: 'loud' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      await rt.close();
    }
    setLogLevel('info');
    const again = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url });
    expect(currentLogLevel()).toBe('error');
    await again.close();
    // PWP_LOG_LEVEL (the option) wins for the run, and Settings says so.
    const fixed = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, logLevel: 'warn' });
    try {
      expect(currentLogLevel()).toBe('warn');
      expect(fixed.desk.settings.view()).toMatchObject({ logLevel: 'error', logLevelFixed: 'warn' });
    } finally {
      await fixed.close();
    }
  } finally {
    installed.close();
  }
});

it('hands the update and crash settings to the shell, logs a postponement and a previous crash, and reports open sales at close', async () => {
  const at = Date.parse('2026-12-06T09:00:00Z');
  const crash = {
    foundAt: '2026-12-06T08:59:00.000Z',
    uncleanRunStartedAt: '2026-12-05T07:58:00.000Z',
    dumps: [{ file: 'completed/a.dmp', at: '2026-12-05T16:00:00.000Z', bytes: 4096 }],
    uploading: false,
  };
  const rt = await startRuntime({
    dataDir: tmp.dir,
    backendUrl: sandbox.url,
    previousCrash: crash,
    tuning: { clock: () => at, scrypt: { N: 1 << 10, r: 8, p: 1 } },
  });
  try {
    expect(rt.store.journal.list({ limit: 5 }).find((e) => e.kind === 'terminal.crashed')).toMatchObject({ outcome: 'not-clean', detail: crash });
    // The supervisor restarting the service hands it the same finding: not logged again (checked at the end).
    expect(await rt.call('createFirstManager', { name: 'Marie', pin: '246802' })).toMatchObject({ ok: true });
    const set = (patch: Record<string, unknown>) => rt.call('updateSettings', { patch });
    expect(await set({ updateUrl: 'http://updates.chain.example/' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { field: 'updateUrl' } },
    });
    expect(await set({ updatesPostponedUntil: '2027-02-01T00:00:00Z' })).toMatchObject({ ok: false, error: { details: { field: 'updatesPostponedUntil' } } });
    const until = '2026-12-08T09:00:00.000Z';
    expect(await set({ updateUrl: 'https://updates.chain.example/pwp/', updatesPostponedUntil: until })).toMatchObject({
      ok: true,
      value: { updateUrl: 'https://updates.chain.example/pwp/', updatesPostponedUntil: until, crashReportUrl: null, restartRequired: false },
    });
    expect(readMaintenanceSettings(tmp.dir)).toEqual({ updateUrl: 'https://updates.chain.example/pwp/', crashReportUrl: null, updatesPostponedUntil: until });
    expect(rt.store.journal.list({ limit: 1 })[0]).toMatchObject({
      kind: 'settings.changed',
      detail: { changes: { updates_postponed_until: { from: null, to: until } } },
    });
    // The crash reporter reads its address before the window exists: a change applies at the next start.
    expect(await set({ crashReportUrl: 'https://o1.ingest.sentry.io/api/7/minidump/?sentry_key=k1' })).toMatchObject({
      ok: true,
      value: { restartRequired: true },
    });
    await rt.service.startSale({ basketCents: 1000 });
  } finally {
    await rt.close();
  }
  expect(takeCloseReport(tmp.dir)).toEqual({ at: new Date(at).toISOString(), openSales: 1, queued: 0 });
  const again = await startRuntime({ dataDir: tmp.dir, backendUrl: sandbox.url, previousCrash: crash });
  try {
    expect(again.store.journal.list({ limit: 100 }).filter((e) => e.kind === 'terminal.crashed')).toHaveLength(1);
  } finally {
    await again.close();
  }
});
