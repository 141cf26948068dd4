/**
 * Playwright fixtures: every test gets its own data directory, its own
 * sandbox backend (started in the test worker, so the test can read its
 * ledger and inject faults) and its own terminal, started as a real child
 * process through `npm run web`'s entry point, exactly as a user would.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSandbox, type RunningSandbox } from '../electron/sandbox/server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface TerminalProcess {
  /** The page URL with its token. */
  openUrl: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `electron/cli/web.ts` as a child process and waits for its first line (the URL). */
export async function startTerminal(opts: { dataDir: string; backendUrl: string; extraArgs?: string[] }): Promise<TerminalProcess> {
  const child = spawn(
    TSX,
    ['electron/cli/web.ts', '--data-dir', opts.dataDir, '--port', '0', '--backend', opts.backendUrl, '--probe-interval-ms', '500', '--post-wait-ms', '4000', ...(opts.extraArgs ?? [])],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const openUrl = await new Promise<string>((ok, fail) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`terminal did not start in time\n${stderr}`)), 20_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
    child.once('exit', (code) => fail(new Error(`terminal exited with ${code}\n${stderr}`)));
  });
  return {
    openUrl,
    dataDir: opts.dataDir,
    child,
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

type Fixtures = {
  dataDir: string;
  sandbox: RunningSandbox;
  terminal: TerminalProcess;
  /** The page, opened on the terminal. */
  counter: Page;
};

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  dataDir: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'pwp-e2e-'));
    await use(dir);
    rmSync(dir, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern
  sandbox: async ({}, use) => {
    const sandbox = await startSandbox({ port: 0 });
    await use(sandbox);
    await sandbox.close();
  },
  terminal: async ({ dataDir, sandbox }, use) => {
    const t = await startTerminal({ dataDir, backendUrl: sandbox.url });
    await use(t);
    await t.stop();
  },
  counter: async ({ page, terminal }, use) => {
    await page.goto(terminal.openUrl);
    await use(page);
  },
});

export { expect };

/** Types like a USB barcode scanner: 5 ms between keys, then Enter. */
export async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}
