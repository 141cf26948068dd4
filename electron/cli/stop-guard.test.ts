/**
 * `npm run sandbox` and `npm run web` stop their server when the npm process
 * they were started as gets SIGTERM (npm -> sh -> node used to leave the server
 * running), and the guard's own rules with an injected parent and signals.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/temp-dir.js';
import { stopOnSignalOrOrphan, type StopReason } from './stop-guard.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `npm run <script>`, waits for the URL on its first stdout line. */
async function startNpm(args: string[]) {
  const npm = spawn('npm', ['run', '--silent', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close' fires only once every process holding the pipe (npm AND the server it
  // started) has exited: that is the event the test waits for after the SIGTERM.
  const allClosed = new Promise<void>((resolve) => npm.stdout!.once('close', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: npm.stdout! }).once('line', resolve);
    npm.once('exit', (code) => reject(new Error(`npm exited early (${code})`)));
  });
  npm.stdout!.resume();
  npm.stderr!.resume();
  return { npm, url: new URL(firstLine).origin, allClosed };
}

describe('the npm commands stop their server on SIGTERM to npm', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('npm run sandbox', async () => {
    const { npm, url, allClosed } = await startNpm(['sandbox', '--', '--port', '0']);
    cleanups.push(() => npm.kill('SIGKILL'));
    expect((await fetch(`${url}/_control/health`)).status).toBe(200);
    npm.kill('SIGTERM');
    await allClosed;
    await expect(fetch(`${url}/_control/health`)).rejects.toThrow();
  });

  it('npm run web', async () => {
    const tmp = makeTempDir();
    cleanups.push(tmp.cleanup);
    const { npm, url, allClosed } = await startNpm(['web', '--', '--data-dir', tmp.dir, '--port', '0']);
    cleanups.push(() => npm.kill('SIGKILL'));
    await fetch(url); // answers (status depends on whether the renderer is built)
    npm.kill('SIGTERM');
    await allClosed;
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('stopOnSignalOrOrphan', () => {
  function harness(startPpid: number) {
    let ppid = startPpid;
    const signals = new EventEmitter() as unknown as Pick<NodeJS.Process, 'on' | 'off'> & EventEmitter;
    const reasons: StopReason[] = [];
    const dispose = stopOnSignalOrOrphan((r) => reasons.push(r), { pollMs: 5, parentPid: () => ppid, signals });
    return { reasons, signals, dispose, setParent: (p: number) => (ppid = p) };
  }

  it('stops once, on the first signal', () => {
    const h = harness(4242);
    h.signals.emit('SIGINT');
    h.signals.emit('SIGTERM');
    expect(h.reasons).toEqual(['SIGINT']);
  });

  it('stops when the parent changes (the wrapper exited)', async () => {
    const h = harness(4242);
    const stopped = new Promise<void>((resolve) => {
      const t = setInterval(() => h.reasons.length && (clearInterval(t), resolve()), 1);
    });
    h.setParent(1);
    await stopped;
    expect(h.reasons).toEqual(['parent-exited']);
    h.signals.emit('SIGTERM');
    expect(h.reasons).toEqual(['parent-exited']);
  });

  it('does not watch a parent it never had (started detached), and can be removed', () => {
    const h = harness(1);
    h.dispose();
    h.signals.emit('SIGTERM');
    expect(h.reasons).toEqual([]);
  });
});
