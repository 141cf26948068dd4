/**
 * One terminal for a test: the real runtime over a temporary data directory,
 * talking to the loyalty emulators on loopback, with a first manager already
 * signed in. Tests that need the whole terminal start it here instead of
 * wiring the temp directory, the sandbox, the runtime and the teardown by hand.
 *
 * Timing is the caller's to choose (`tuning`); the helper only adds cheap PIN
 * hashing. `heldTimeouts: true` makes request timeouts events the test
 * controls (test/held-timeouts.ts): the choice for any test that injects
 * faults and must not depend on the machine's speed.
 */
import { startRuntime, type Runtime, type RuntimeOptions } from '../electron/runtime.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../sandbox/server.js';
import { heldTimeouts, type HeldTimeouts } from './held-timeouts.js';
import { makeTempDir } from './temp-dir.js';

/** Cheap PIN hashing: tests only (never in the app). */
export const FAST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };
export const MANAGER_PIN = '246802';

export interface ManagerApproval {
  managerId: string;
  pin: string;
  reason: string;
}

export interface TestTerminalOptions {
  /** The program to emulate (default: the runtime's default). */
  backend?: string;
  tuning?: RuntimeOptions['tuning'];
  /** Other runtime options (offers, config, shipping...). */
  runtime?: Omit<RuntimeOptions, 'dataDir' | 'backendUrl' | 'backend' | 'tuning'>;
  /** Options for the emulator (its clock, how its faults wait); false: no emulator started here (the runtime's embedded one). */
  sandbox?: SandboxOptions | false;
  /** An emulator already running (several tills of one program): used, not started nor closed here. */
  sharedSandbox?: RunningSandbox;
  /** Runs once the emulator is up, before the runtime starts (seed the emulator, shift its clock, install a log in the data directory). */
  beforeRuntime?: (ctx: { sandbox: RunningSandbox | null; dataDir: string }) => void;
  /** Wires held timeouts into the runtime and the emulator (overrides sandbox.faultWait and tuning.requestTimer). */
  heldTimeouts?: boolean;
  /** The first manager's name, created and signed in; null: nobody (the test creates people itself). */
  manager?: string | null;
  /** The reason the manager's approvals give. */
  reason?: string;
  tempPrefix?: string;
}

export interface TestTerminal {
  dataDir: string;
  /** The current runtime (a new one after restart()). */
  rt: Runtime;
  sandbox: RunningSandbox;
  /** Present when started with heldTimeouts: true. */
  held: HeldTimeouts | null;
  /** A manager approval (absent when started with manager: null). */
  manager: ManagerApproval;
  /** Closes the runtime and starts a new one on the same data directory, the manager signed in again. */
  restart(): Promise<void>;
  /** After the test closed the runtime itself (to look at the files as a dead process left them): starts it again, as restart(). */
  reopen(): Promise<Runtime>;
  close(): Promise<void>;
}

export async function startTestTerminal(opts: TestTerminalOptions = {}): Promise<TestTerminal> {
  const tmp = makeTempDir(opts.tempPrefix ?? 'pwp-');
  const held = opts.heldTimeouts ? heldTimeouts() : null;
  let sandbox: RunningSandbox | null = null;
  let rt: Runtime | null = null;
  try {
    sandbox =
      opts.sharedSandbox ??
      (opts.sandbox === false ? null : await startSandbox({ port: 0, ...(opts.sandbox ?? {}), ...(held ? { faultWait: held.faultWait } : {}) }));
    const ownSandbox = opts.sharedSandbox ? null : sandbox;
    opts.beforeRuntime?.({ sandbox, dataDir: tmp.dir });
    const start = () =>
      startRuntime({
        ...opts.runtime,
        dataDir: tmp.dir,
        ...(sandbox ? { backendUrl: sandbox.url } : {}),
        ...(opts.backend ? { backend: opts.backend } : {}),
        tuning: { scrypt: FAST_SCRYPT, ...opts.tuning, ...(held ? { requestTimer: held.requestTimer } : {}) },
      });
    rt = await start();
    const name = opts.manager === undefined ? 'Marie' : opts.manager;
    const m = name === null ? null : rt.people.createFirstManager(name, MANAGER_PIN);
    const t: TestTerminal = {
      dataDir: tmp.dir,
      rt,
      get sandbox(): RunningSandbox {
        if (!sandbox) throw new Error('this test terminal was started without an emulator');
        return sandbox;
      },
      held,
      manager: { managerId: m?.id ?? '', pin: MANAGER_PIN, reason: opts.reason ?? 'approved at the counter' },
      async restart() {
        await t.rt.close();
        await t.reopen();
      },
      async reopen() {
        t.rt = await start();
        if (m) t.rt.people.signIn(m.id, MANAGER_PIN);
        return t.rt;
      },
      async close() {
        held?.releaseAll();
        await t.rt.close();
        await ownSandbox?.close();
        tmp.cleanup();
      },
    };
    return t;
  } catch (e) {
    held?.releaseAll();
    await rt?.close();
    if (!opts.sharedSandbox) await sandbox?.close();
    tmp.cleanup();
    throw e;
  }
}
