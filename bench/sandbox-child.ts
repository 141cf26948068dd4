/**
 * Starts the sandbox in a child process (bench/sandbox-process.ts) for the
 * benchmarks that time the terminal against it: the emulator's own request
 * handling then runs on its own event loop, as a remote backend's would, and
 * is not counted as the terminal's overhead or memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Points per benchmark member: enough that no redemption is ever refused. */
export const MEMBER_POINTS = 1_000_000_000;

export interface SandboxProcess {
  url: string;
  /** The control API's per-start token (sandbox/control-guard.ts). */
  controlToken: string;
  close(): Promise<void>;
}

export async function startSandboxProcess(members = 0, rate = 1_000_000, burst = rate): Promise<SandboxProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'bench/sandbox-process.ts'),
      '--members',
      String(members),
      '--points',
      String(MEMBER_POINTS),
      '--rate',
      String(rate),
      '--burst',
      String(burst),
    ],
    {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l as string),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the sandbox process exited (${code}) before listening`);
    }),
  ]);
  const { url, controlToken } = JSON.parse(first) as { url: string; controlToken: string };
  return {
    url,
    controlToken,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
