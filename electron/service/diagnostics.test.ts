/**
 * Renderer errors reach the log through the contract, and the support bundle
 * is one zip whose every file is free of secrets (unzipped and scanned here),
 * with a queue that really has a waiting redemption in it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_MEMBERS } from '../../sandbox/demo-data.js';
import type { RunningSandbox } from '../../sandbox/server.js';
import { leakedSecrets, SECRETS } from '../../test/secrets-fixture.js';
import { startTestTerminal, type TestTerminal } from '../../test/test-terminal.js';
import { installLog, logger, type InstalledLog } from '../log/logger.js';
import type { Runtime } from '../runtime.js';
import { controlFetch } from '../../sandbox/control-client.js';

let t: TestTerminal;
let sandbox: RunningSandbox;
let rt: Runtime;
let log: InstalledLog;
let dataDir: string;

beforeEach(async () => {
  t = await startTestTerminal({
    manager: null,
    beforeRuntime: (ctx) => {
      log = installLog({ dir: join(ctx.dataDir, 'logs') });
    },
    tuning: { postWaitMs: 3000, requestTimeoutMs: 800, probeIntervalMs: 100 },
  });
  ({ sandbox, rt, dataDir } = t);
});
afterEach(async () => {
  await t.close();
  log.close();
});

const logLines = () =>
  readFileSync(log.currentFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('renderer errors', () => {
  it('are logged through the contract before anyone signs in, redacted, and rate limited', async () => {
    const r = await rt.call('reportClientError', {
      kind: 'unhandledrejection',
      message: `lookup failed for ${SECRETS.member}`,
      stack: `Error: 401 Bearer ${SECRETS.token}\n    at identify (app://pos/assets/index.js:1:200)`,
      source: `app://pos/#token=${SECRETS.token}`,
    });
    expect(r).toEqual({ ok: true, value: { logged: true } });
    const line = logLines().find((l) => l.scope === 'renderer')!;
    expect(line).toMatchObject({
      level: 'error',
      msg: 'unhandled promise rejection in the screen',
      kind: 'unhandledrejection',
      message: 'lookup failed for ••••••••0016',
    });
    expect(leakedSecrets(JSON.stringify(line))).toEqual([]);

    const answers = [];
    for (let i = 0; i < 25; i++) answers.push(await rt.call('reportClientError', { kind: 'error', message: `loop ${i}` }));
    expect(answers.filter((a) => a.ok && (a.value as { logged: boolean }).logged)).toHaveLength(19);
    expect(await rt.call('reportClientError', { kind: 'error', message: 'x'.repeat(2001) })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('the support bundle', () => {
  it('is for managers, downloads once, and holds logs, versions, settings, verification and queue without any secret', async () => {
    const marie = rt.people.createFirstManager('Marie', '246813');
    // A minidump the crash reporter kept: listed in the bundle, never copied (process memory cannot be redacted).
    mkdirSync(join(dataDir, 'crash-reports', 'completed'), { recursive: true });
    writeFileSync(join(dataDir, 'crash-reports', 'completed', 'a1.dmp'), 'MDM');
    // Secrets in log lines from code that forgot to be careful.
    logger('adapter').error('request dump', {
      url: `${sandbox.url}/v1?apiKey=${SECRETS.apiKey}`,
      headers: { authorization: `Bearer ${SECRETS.jwt}` },
      body: { cardNumber: SECRETS.card, pin: SECRETS.pin, email: SECRETS.email },
    });
    logger('adapter').error(`declined card ${SECRETS.card} for member ${SECRETS.member}`, new Error(`token=${SECRETS.token}`));
    // A redemption queued while the backend is down: the queue summary must show it.
    const anna = DEMO_MEMBERS.anna;
    const s0 = await rt.service.startSale({ basketCents: 100 });
    await rt.service.identifyMember({ saleId: s0.id, input: anna.cardNumber, source: 'scanner' });
    await rt.service.cancelSale({ saleId: s0.id });
    await controlFetch(sandbox, 'POST', '/faults', { backend: 'whitelabel', fault: 'down' });
    const sale = await rt.service.startSale({ basketCents: 5000 });
    await rt.service.identifyMember({ saleId: sale.id, input: anna.cardNumber, source: 'scanner' });
    await rt.service.quote({ saleId: sale.id, pointsMilli: 100_000 });
    expect((await rt.service.confirmRedemption({ saleId: sale.id, pointsMilli: 100_000 })).state).toBe('queued');

    // A cashier cannot; a manager (signed in) can.
    rt.people.createPerson(marie, 'Bo', 'cashier', '1357');
    await rt.call('signOut', {});
    const bo = (await rt.call('listPeople', {})) as { ok: true; value: { people: { id: string; name: string }[] } };
    await rt.call('signIn', { personId: bo.value.people.find((p) => p.name === 'Bo')!.id, pin: '1357' });
    expect(await rt.call('requestSupportBundle', {})).toMatchObject({ ok: false, error: { code: 'MANAGER_REQUIRED' } });
    const ticket = await rt.call('requestSupportBundle', { approval: { managerId: marie.id, pin: '246813' } });
    expect(ticket).toMatchObject({
      ok: true,
      value: { filename: expect.stringMatching(/^support_T-[0-9A-F]+_.*\.zip$/), path: expect.stringContaining('/api/export/') },
    });
    const { ticket: t } = (ticket as { value: { ticket: string } }).value;

    const download = rt.openExport(t)!;
    expect(download.contentType).toBe('application/zip');
    expect(rt.openExport(t)).toBeNull(); // once
    const chunks: Buffer[] = [];
    await download.write(new Writable({ write: (c, _e, cb) => (chunks.push(Buffer.from(c)), cb()) }));
    const files = unzipSync(new Uint8Array(Buffer.concat(chunks)));
    const text = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));

    expect(Object.keys(text).sort()).toEqual([
      'README.txt',
      'crash-reports.json',
      'log-verification.json',
      'logs/terminal.log',
      'queue.json',
      'settings.json',
      'versions.json',
    ]);
    expect(JSON.parse(text['crash-reports.json']!)).toEqual({ dumps: [{ file: join('completed', 'a1.dmp'), at: expect.any(String), bytes: 3 }] });
    for (const [name, content] of Object.entries(text)) expect(leakedSecrets(content), name).toEqual([]);
    expect(JSON.parse(text['versions.json']!)).toMatchObject({
      app: expect.stringMatching(/^\d+\.\d+\.\d+/),
      node: process.versions.node,
      sqlite: expect.any(String),
    });
    const settings = JSON.parse(text['settings.json']!);
    expect(settings).toMatchObject({ terminalId: expect.any(String), credentialProtection: { kind: 'file-key' } });
    expect(JSON.parse(text['log-verification.json']!)).toMatchObject({ intact: true, entries: expect.any(Number) });
    expect(JSON.parse(text['queue.json']!)).toMatchObject({ waiting: 1, byKindAndState: [{ kind: 'redeem', state: 'pending', count: 1 }] });
    expect(text['logs/terminal.log']).toContain('request dump');
    expect(text['logs/terminal.log']).toContain('••••••••0016');
  });
});
