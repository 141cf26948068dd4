/** Tests only: drives ship-terminal.ts child processes (spawn, read their JSON lines, wait, kill). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ShippingState } from '../types.js';

const SCRIPT = fileURLToPath(new URL('./ship-terminal.ts', import.meta.url));

export interface TerminalChild {
  proc: ChildProcess;
  terminalId: string;
  state: ShippingState | null;
  sold: number | null;
  stderr: string;
  /** Resolves when a line (or stderr text) satisfies the predicate. */
  until(pred: (c: TerminalChild) => boolean, what: string, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnTerminal(args: {
  dataDir: string;
  ship: string;
  store: string;
  sales: number;
  batchSize?: number;
  env?: Record<string, string>;
}): Promise<TerminalChild> {
  // One process (node --import tsx, not the tsx CLI's wrapper): the signals reach the terminal itself.
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SCRIPT,
      '--data-dir',
      args.dataDir,
      '--ship',
      args.ship,
      '--store',
      args.store,
      '--sales',
      String(args.sales),
      '--batch-size',
      String(args.batchSize ?? 5),
    ],
    {
      env: { ...process.env, ...args.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const waiters = new Set<() => void>();
  const child: TerminalChild = {
    proc,
    terminalId: '',
    state: null,
    sold: null,
    stderr: '',
    exited: new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal }))),
    until(pred, what, timeoutMs = 60_000) {
      if (pred(child)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `terminal ${child.terminalId || '?'}: ${what} not reached in ${timeoutMs} ms; state ${JSON.stringify(child.state)}; stderr: ${child.stderr.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          if (!pred(child)) return;
          clearTimeout(t);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
  const notify = () => [...waiters].forEach((w) => w());
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    let m: { ready?: { terminalId: string }; state?: ShippingState; sold?: number };
    try {
      m = JSON.parse(line);
    } catch {
      return;
    }
    if (m.ready) child.terminalId = m.ready.terminalId;
    if (m.state) child.state = m.state;
    if (m.sold !== undefined) child.sold = m.sold;
    notify();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    child.stderr += d.toString();
    notify();
  });
  void child.exited.then(notify);
  await child.until((c) => c.terminalId !== '', 'ready');
  return child;
}

export const caughtUp = (c: TerminalChild) => !!c.state && c.state.connected && c.state.lagEntries === 0 && c.state.shippedSeq > 0;
