/**
 * `npm run sandbox` as a real process: the first stdout line is the URL,
 * the sandbox answers there, and SIGTERM stops it with exit code 0.
 * (Lives here rather than next to electron/cli/sandbox.ts to keep the
 * sandbox's tests together.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSandboxArgs } from '../electron/cli/sandbox.js';
import { DEMO_MEMBERS, SANDBOX_CREDENTIALS } from './demo-data.js';
import { until } from '../test/until.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('sandbox CLI', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints its URL on the first line, then members and credentials; stops on SIGTERM', async () => {
    // As `npm run sandbox` starts it: one process (node --import tsx). Not the tsx CLI, whose parent
    // process gives the child only 30 ms to confirm it handles SIGTERM and otherwise exits 143 itself.
    child = spawn(process.execPath, ['--import', 'tsx', 'electron/cli/sandbox.ts', '--port', '0'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    const firstLine = new Promise<string>((resolve) => rl.on('line', (l) => lines.push(l) === 1 && resolve(l)));
    const url = await firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const health = await fetch(`${url}/_control/health`);
    expect(await health.json()).toMatchObject({ ok: true, backends: ['whitelabel', 'capillary', 'gafapay', 'uitpas', 'pentadata'] });

    // The rest of the banner follows the URL line: wait for the lines that carry a member and a credential.
    await until(() => lines.some((l) => l.includes(DEMO_MEMBERS.anna.cardNumber)) && lines.some((l) => l.includes(SANDBOX_CREDENTIALS.whitelabel.apiKey)));

    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(fetch(`${url}/_control/health`)).rejects.toThrow();
  }, 90_000); // a ceiling for a hang, not a figure: a cold tsx start of the whole sandbox took over 20 s on this loaded 2-core machine

  it('parses its arguments', () => {
    expect(parseSandboxArgs(['--port', '4100', '--host', '0.0.0.0'])).toEqual({ port: 4100, host: '0.0.0.0', seedDemo: true });
    expect(parseSandboxArgs(['--empty'])).toEqual({ port: 0, host: '127.0.0.1', seedDemo: false });
    expect(() => parseSandboxArgs(['--port', 'x'])).toThrow(/port/);
    expect(() => parseSandboxArgs(['--bogus'])).toThrow(/Unknown option '--bogus'.*use --port N/);
    expect(() => parseSandboxArgs(['--port'])).toThrow(/--port.*argument missing/);
  });
});
