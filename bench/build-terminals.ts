/**
 * The A/B scripts' common start (load-ab, scan-ab, camera-timeline): one
 * terminal per renderer build, all on one sandbox, each with its service on
 * one core (as the low-end benchmark) and its staff set up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../sandbox/server.js';
import { setUpStaff, startTerminal, type TerminalProcess } from '../e2e/fixtures.js';

export interface BuildTerminals {
  /** In the order of the builds given. */
  terminals: TerminalProcess[];
  /** Stops the terminals and the sandbox, and removes their data directories. */
  stop(): Promise<void>;
}

/** `dirs`: the builds' folders (null: the terminal's own dist/renderer). */
export async function startBuildTerminals(dirs: (string | null)[], o: { loyalty: string; tempPrefix: string }): Promise<BuildTerminals> {
  const sandbox = await startSandbox({ port: 0 });
  const dataDirs: string[] = [];
  const terminals: TerminalProcess[] = [];
  const stop = async () => {
    for (const t of terminals) await t.stop();
    await sandbox.close();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    // One after the other: on a loaded machine several starting at once missed their start-up time.
    for (const dir of dirs) {
      const dataDir = mkdtempSync(join(tmpdir(), o.tempPrefix));
      dataDirs.push(dataDir);
      const extraArgs = ['--loyalty', o.loyalty, ...(dir ? ['--renderer-dir', dir] : [])];
      const t = await startTerminal({ dataDir, backendUrl: sandbox.url, extraArgs, cpuList: '0' });
      terminals.push(t);
      await setUpStaff(t);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { terminals, stop };
}
