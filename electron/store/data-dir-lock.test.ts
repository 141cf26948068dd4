/**
 * Issue 20 item 7: one process per data directory. Real child processes:
 * a second `npm run web` on the same directory refuses and names the holder;
 * a holder killed with SIGKILL leaves a stale lock that does not block the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { acquireDataDirLock, DataDirLockedError, LOCK_FILE } from './data-dir-lock.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const children: ChildProcess[] = [];
const temps: (() => void)[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const t of temps.splice(0)) t();
});

/** The terminal's log (with --data-dir, its logs/ folder), where support reads it. */
const logText = (dir: string) =>
  existsSync(join(dir, 'logs'))
    ? readdirSync(join(dir, 'logs'))
        .map((f) => readFileSync(join(dir, 'logs', f), 'utf8'))
        .join('\n')
    : '';

/** Starts `npm run web`'s entry on `dir`; resolves with its first stdout line, or its exit code and stderr. */
function startWeb(
  dir: string,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; line?: string; code?: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/web.ts', '--data-dir', dir, '--port', '0', ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((ok) => {
    createInterface({ input: child.stdout! }).once('line', (line) => ok({ child, line, stderr }));
    child.once('exit', (code) => ok({ child, code, stderr }));
  });
}

it('a second process on the same data directory refuses, naming the holder; a SIGKILLed holder does not block the next start', async () => {
  const tmp = makeTempDir();
  temps.push(tmp.cleanup);
  const dir = join(tmp.dir, 'data');
  const first = await startWeb(dir);
  expect(first.line, first.stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);

  const second = await startWeb(dir);
  expect(second.code).toBe(3);
  expect(second.stderr).toContain(`pid ${first.child.pid} on ${hostname()}`);
  expect(second.stderr).toMatch(/in use by another terminal process .*started \d{4}-\d\d-\d\dT/);
  expect(second.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

  // In this process too (the Electron app starts the runtime the same way).
  expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);

  first.child.kill('SIGKILL');
  await new Promise((ok) => first.child.once('exit', ok));
  expect(existsSync(join(dir, LOCK_FILE))).toBe(true); // left behind: nobody released it
  const third = await startWeb(dir);
  expect(third.line, third.stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);
  // Said in the terminal's log (with --data-dir, its logs/ folder), where support reads it.
  await vi.waitFor(() => expect(logText(dir)).toContain(`took over the data directory from pid ${first.child.pid}`), { timeout: 10_000, interval: 100 });
  let lateStderr = '';
  third.child.stderr!.on('data', (d) => (lateStderr += String(d)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((ok) => third.child.once('exit', (code, signal) => ok({ code, signal })));
  third.child.kill('SIGTERM');
  // A clean stop releases it (and says why not, if the process did not stop cleanly).
  expect({ ...(await exited), lockLeft: existsSync(join(dir, LOCK_FILE)) }, lateStderr).toEqual({ code: 0, signal: null, lockLeft: false });
}, 120_000);

it('a SIGTERM while the terminal starts (the live connection test held by the program) finishes the start, prints no address, and releases the lock', async () => {
  const tmp = makeTempDir();
  temps.push(tmp.cleanup);
  const dir = join(tmp.dir, 'data');
  // The program's token endpoint holds the start-up connection test until the test lets it go.
  let release = () => {};
  let arrived = () => {};
  const held = new Promise<void>((ok) => (arrived = ok));
  const server = createServer((_req, res) => {
    release = () => res.writeHead(503).end();
    arrived();
  });
  temps.push(() => server.close());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/whitelabel`;
  writeFileSync(
    join(tmp.dir, 'live.json'),
    JSON.stringify({
      mode: 'live',
      backend: 'whitelabel',
      connection: { baseUrl: `${base}/v1`, tokenUrl: `${base}/auth/oauth/token`, apiKey: 'k', clientId: 'c', clientSecret: { env: 'WL_SECRET' } },
      program: { pointsCurrencyValue: '0.01', currency: 'EUR' },
      store: { id: 'S-1', name: 'Store' },
      terminal: { id: 'T-1', name: 'Till' },
    }),
  );
  const started = startWeb(dir, ['--config', join(tmp.dir, 'live.json')], { ...process.env, WL_SECRET: 's' });
  const early = await Promise.race([held.then(() => null), started]);
  expect(early, early?.stderr).toBeNull(); // it is starting, not started or refused
  expect(existsSync(join(dir, LOCK_FILE))).toBe(true); // held while it starts
  const child = children.at(-1)!;
  const exited = new Promise<{ code: number | null; signal: string | null }>((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  child.kill('SIGTERM');
  // Only once the terminal has taken the stop in does the program answer (were both to arrive in one
  // turn of the event loop, the start could finish first: then it prints its address and stops).
  await vi.waitFor(() => expect(logText(dir)).toContain('asked to stop while starting'), { timeout: 30_000, interval: 50 });
  release();
  const first = await started;
  expect({ ...(await exited), lockLeft: existsSync(join(dir, LOCK_FILE)) }, first.stderr).toEqual({ code: 0, signal: null, lockLeft: false });
  expect(first.line).toBeUndefined(); // no address for a terminal that is closing
}, 120_000);

it('a holder on another host is never assumed gone; a released lock can be taken again', () => {
  const tmp = makeTempDir();
  temps.push(tmp.cleanup);
  mkdirSync(tmp.dir, { recursive: true });
  const remote = acquireDataDirLock(tmp.dir, { pid: 1, host: 'till-2.example', startedAt: '2025-03-01T08:00:00.000Z' });
  expect(() => acquireDataDirLock(tmp.dir)).toThrow(/pid 1 on till-2\.example, started 2025-03-01T08:00:00\.000Z/);
  remote.release();
  const mine = acquireDataDirLock(tmp.dir);
  expect(mine.tookOverFrom).toBeNull();
  mine.release();
});
