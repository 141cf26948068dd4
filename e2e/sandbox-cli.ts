/**
 * A loyalty program started apart from the terminal, the way a store's real
 * backend is: `npm run sandbox -- --port N` as its own process tree. The test
 * knows it only through what it prints (URL, connection values, control
 * token) and its HTTP APIs, never through in-process state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface SandboxCli {
  url: string;
  controlToken: string;
  /** The banner's "Label: value" lines (e.g. 'API base', 'Token URL', 'X-Api-Key', 'Client', 'Point value'). */
  published: Record<string, string>;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS hands one out, and it is given back at once). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export async function startSandboxCli(port: number): Promise<SandboxCli> {
  // detached: its own process group (npm -> sh -> node), so stop() reaches all three at once.
  const child: ChildProcess = spawn('npm', ['run', 'sandbox', '--', '--port', String(port)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const lines: string[] = [];
  await new Promise<void>((ok, fail) => {
    // A ceiling for a hang, not a figure: a cold tsx start of the whole sandbox is slow on a loaded machine.
    const timer = setTimeout(() => fail(new Error(`npm run sandbox did not print its banner\n${lines.join('\n')}\n${stderr}`)), 40_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      // The banner ends with the demo members' heading and list; it is written at once.
      if (/^Demo members|^No demo members/.test(line)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => fail(new Error(`npm run sandbox exited with ${code}\n${stderr}`)));
  });
  const url = lines.find((l) => /^http:\/\//.test(l))!.trim();
  const published = Object.fromEntries(
    lines.flatMap((l) => {
      const m = /^\s*([A-Za-z-]+(?: [A-Za-z]+)*):\s+(\S.*?)\s*$/.exec(l);
      return m ? [[m[1]!, m[2]!]] : [];
    }),
  );
  const controlToken = published['Control token']!.split(/\s+/)[0]!;
  return {
    url,
    controlToken,
    published,
    stop: () =>
      new Promise<void>((ok) => {
        // A child ended by a signal has exitCode null and signalCode set: check both.
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        const hardKill = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5000);
        hardKill.unref();
        child.once('exit', () => {
          clearTimeout(hardKill);
          ok();
        });
        killGroup(child.pid!, 'SIGTERM');
      }),
  };
}

/** Signals the sandbox's whole process group (npm, its shell, node); a group already gone is not an error (ESRCH). */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}
