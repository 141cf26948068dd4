/**
 * Playwright fixtures: every test gets its own data directory, its own
 * sandbox backend (started in the test worker, so the test can read its
 * ledger and inject faults) and its own terminal, started as a real child
 * process from `npm run web`'s entry point (electron/cli/web.ts, bundled once
 * for the run by e2e/global-setup.ts: test/web-host-bundle.ts).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startSandbox, type RunningSandbox } from '../sandbox/server.js';
import { WEB_HOST_BUNDLE_ENV } from '../test/web-host-bundle.js';
import { scanKeys } from './scanner-keys.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

export interface TerminalProcess {
  /** The page URL with its token. */
  openUrl: string;
  /** Calls a contract method over the web host's HTTP API; throws on an error envelope. */
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Calls contract methods over a web host's HTTP API, as the page does (the token is in the open URL's fragment). */
export function hostCaller(openUrl: string): TerminalProcess['call'] {
  const base = openUrl.replace(/\/#token=.*$/, '');
  const token = openUrl.replace(/^.*#token=/, '');
  return async <T>(method: string, input: unknown = {}): Promise<T> => {
    const res = await fetch(`${base}/api/call/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const env = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!env.ok) throw new Error(`${method}: ${env.error?.code} ${env.error?.message}`);
    return env.value as T;
  };
}

/** Starts `electron/cli/web.ts` as a child process and waits for its first line (the URL). */
export async function startTerminal(opts: {
  dataDir: string;
  backendUrl: string;
  extraArgs?: string[];
  cpuList?: string;
  /** A web host bundle (test/web-host-bundle.ts); default: the e2e run's (e2e/global-setup.ts), else through tsx as `npm run web` does. */
  bundle?: string;
  /** Node's own options for the terminal's process (benchmarks: `--inspect=127.0.0.1:PORT`). */
  nodeArgs?: string[];
}): Promise<TerminalProcess> {
  const bundle = opts.bundle ?? process.env[WEB_HOST_BUNDLE_ENV];
  const nodeArgs = opts.nodeArgs ?? [];
  const program = bundle ? [process.execPath, ...nodeArgs, bundle] : [TSX, ...nodeArgs, 'electron/cli/web.ts'];
  // cpuList (benchmarks): the terminal runs on those cores only (`taskset -c`), as on a small counter PC.
  const [command, ...prefix] = opts.cpuList ? ['taskset', '-c', opts.cpuList, ...program] : program;
  const child = spawn(
    command!,
    [
      ...prefix,
      '--data-dir',
      opts.dataDir,
      '--port',
      '0',
      '--backend',
      opts.backendUrl,
      '--probe-interval-ms',
      '500',
      '--post-wait-ms',
      '4000',
      // Cheap PIN hashes: five of them set up each test's people (about 1 s of CPU at the real cost).
      '--pin-hash-cost',
      '1024',
      ...(opts.extraArgs ?? []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const openUrl = await new Promise<string>((ok, fail) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      // SIGTERM, not SIGKILL: through tsx the terminal is tsx's child, and only a signal tsx relays reaches it.
      child.kill('SIGTERM');
      fail(new Error(`terminal did not start in time\n${stderr}`));
    }, 30_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      ok(line.trim());
    });
    child.once('exit', (code) => fail(new Error(`terminal exited with ${code}\n${stderr}`)));
  });
  const call = hostCaller(openUrl);
  return {
    openUrl,
    call,
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

/** The people every test terminal starts with (the first start creates the first manager). */
export const STAFF = {
  manager: { name: 'Marie Manager', pin: '246802' },
  cashier: { name: 'Chris Cashier', pin: '1357' },
} as const;

export interface Staff {
  managerId: string;
  cashierId: string;
}

/** First start: creates the manager and a cashier, and signs the cashier in (as a shift would begin). */
export async function setUpStaff(t: Pick<TerminalProcess, 'call'>): Promise<Staff> {
  const manager = await t.call<{ id: string }>('createFirstManager', STAFF.manager);
  await t.call('signIn', { personId: manager.id, pin: STAFF.manager.pin });
  const approval = { managerId: manager.id, pin: STAFF.manager.pin, reason: 'new cashier for the shift' };
  const cashier = await t.call<{ id: string }>('createPerson', { ...STAFF.cashier, role: 'cashier', approval });
  await t.call('signIn', { personId: cashier.id, pin: STAFF.cashier.pin });
  return { managerId: manager.id, cashierId: cashier.id };
}

type Fixtures = {
  /** The loyalty program the terminal runs (`--loyalty <id>`: uitpas, capillary, gafapay, cardlinked); default White Label. `test.use({ loyalty: 'uitpas' })`. */
  loyalty: string | undefined;
  /** More `npm run web` flags for this file's terminal (`test.use({ terminalArgs: ['--request-timeout-ms', '1500'] })`). */
  terminalArgs: string[];
  dataDir: string;
  sandbox: RunningSandbox;
  terminal: TerminalProcess;
  /** The people set up on the terminal; the cashier is signed in. */
  staff: Staff;
  /** The page, opened on the terminal. */
  counter: Page;
};

export const test = base.extend<Fixtures>({
  loyalty: [undefined, { option: true }],
  terminalArgs: [[], { option: true }],
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
  terminal: async ({ dataDir, sandbox, loyalty, terminalArgs }, use) => {
    const t = await startTerminal({ dataDir, backendUrl: sandbox.url, extraArgs: [...(loyalty ? ['--loyalty', loyalty] : []), ...terminalArgs] });
    await use(t);
    await t.stop();
  },
  staff: async ({ terminal }, use) => {
    await use(await setUpStaff(terminal));
  },
  counter: async ({ page, terminal, staff }, use) => {
    void staff; // the cashier is signed in before the page opens
    // Every Content-Security-Policy violation on the page fails the test: the app runs under the same
    // policy in Electron, where a violation would break a screen silently.
    await page.addInitScript(() => {
      const w = window as unknown as { __cspViolations: string[] };
      w.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}:${e.columnNumber} ${e.sample}`),
      );
    });
    await page.goto(terminal.openUrl);
    await use(page);
    const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).catch(() => []);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
  },
});

export { expect };

/**
 * A USB barcode scanner's scan: the keys at 8 ms apart, then Enter, stamped
 * through CDP so a loaded CI machine cannot stretch the gaps (see scanner-keys.ts).
 */
export async function scan(page: Page, code: string): Promise<void> {
  await scanKeys(page, code);
}
