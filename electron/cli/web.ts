/**
 * `npm run web -- --data-dir DIR --port N --backend URL [--loyalty ID] [--host H]`
 * Starts the terminal service behind the loopback web host and prints the URL
 * to open (with its token) on its FIRST line of stdout. Stops on SIGTERM/SIGINT
 * and when the command that started it (npm, a shell) goes away.
 * Without --backend it runs in training mode against an embedded sandbox.
 * --loyalty picks the program to emulate (whitelabel, capillary, gafapay, uitpas,
 * cardlinked) and is remembered in the data directory's settings.
 * Logs go to `--log-dir`, else `<data dir>/logs` with --data-dir, else the OS's
 * log folder (electron/log/log-dir.ts); PWP_LOG_LEVEL overrides the level setting.
 * --ship-log postgres://... ships the log and each day's end of day to the
 * chain's PostgreSQL (README "A chain of stores"); off without it.
 * --config FILE (or PWP_CONFIG) sets the terminal up from a provisioning file
 * (README "Going live"): a bad file prints each problem with its JSON path and
 * exits with code 2 before anything is written.
 * --pin-hash-cost N (tests and benchmarks only) hashes new PINs with scrypt N
 * instead of the default 2^15: each hash costs ~0.2 s of CPU, and an e2e test
 * sets up its people with five of them. The cost is stored with each hash.
 * --service-process runs the terminal service in a child process of its own,
 * as the Electron app runs it in a utility process (electron/terminal-process/):
 * if it dies it is restarted on the same data directory, and the page says
 * "restarting" meanwhile. Without it the service runs in this process.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { resolveDataDir } from '../config.js';
import { CONFIG_ENV, ProvisioningError, readTerminalConfig } from '../provisioning.js';
import { privateUmask } from '../store/file-modes.js';
import type { TerminalEvent } from '../../shared/contract.js';
import { startRuntime, type Runtime } from '../runtime.js';
import { DataDirLockedError } from '../store/data-dir-lock.js';
import { nodeServiceSpawner } from '../terminal-process/node-child.js';
import type { ServiceInfo } from '../terminal-process/protocol.js';
import { ServiceStartError, startTerminalService, type TerminalServiceClient } from '../terminal-process/supervisor.js';
import type { Dispatch } from '../transport/dispatch.js';
import { startWebHost, type WebDownload } from '../transport/web-host.js';
import { resolveLogDir } from '../log/log-dir.js';
import { installLog, isLogLevel, logger, routeConsoleToLog, writeLogLine } from '../log/logger.js';
import { logProcessErrors } from '../log/process-errors.js';
import { stopOnSignalOrOrphan } from './stop-guard.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    backend: { type: 'string' },
    loyalty: { type: 'string' },
    'renderer-dir': { type: 'string' },
    'probe-interval-ms': { type: 'string' },
    'post-wait-ms': { type: 'string' },
    'log-dir': { type: 'string' },
    'request-timeout-ms': { type: 'string' },
    'in-doubt-margin-ms': { type: 'string' },
    'pin-hash-cost': { type: 'string' },
    'ship-log': { type: 'string' },
    config: { type: 'string' },
    'service-process': { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

// Everything this process creates (database, WAL, key file) is private to this user.
privateUmask();
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = values['data-dir']
  ? resolve(values['data-dir'])
  : resolveDataDir({ argv: process.argv, env: process.env, platform: process.platform, homedir: homedir() });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got ${values.port}\n`);
  process.exit(2);
}
// The log goes to files from here on (the level follows the terminal's settings once the runtime opened them).
const logDir = resolveLogDir({ argv: process.argv, env: process.env, platform: process.platform, homedir: homedir(), dataDir });
const installedLog = installLog({ dir: logDir, ...(isLogLevel(process.env.PWP_LOG_LEVEL) ? { level: process.env.PWP_LOG_LEVEL } : {}) });
routeConsoleToLog();
logProcessErrors();
const log = logger('web');
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const pinHashCost = num(values['pin-hash-cost']);
if (pinHashCost !== undefined && !(Number.isInteger(Math.log2(pinHashCost)) && pinHashCost >= 1024 && pinHashCost <= 1 << 20)) {
  process.stderr.write(`--pin-hash-cost must be a power of two from 1024 to 1048576, got ${values['pin-hash-cost']}\n`);
  process.exit(2);
}

const configFile = values.config ?? (process.env[CONFIG_ENV]?.trim() || undefined);
let config: ReturnType<typeof readTerminalConfig> | undefined;
/** A file that cannot be used: for the person starting the terminal (stderr) and for support (the log); exit 2. */
function refuseConfig(e: ProvisioningError): never {
  const text = [`The configuration file ${e.file} cannot be used:`, ...e.problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`)].join('\n');
  process.stderr.write(`${text}\n`);
  log.error(text);
  process.exit(2);
}
if (configFile) {
  try {
    config = readTerminalConfig(resolve(configFile));
  } catch (e) {
    if (!(e instanceof ProvisioningError)) throw e;
    refuseConfig(e);
  }
}

const runtimeOptions = {
  ...(isLogLevel(process.env.PWP_LOG_LEVEL) ? { logLevel: process.env.PWP_LOG_LEVEL } : {}),
  dataDir,
  backendUrl: values.backend,
  backend: values.loyalty,
  tuning: {
    probeIntervalMs: num(values['probe-interval-ms']),
    postWaitMs: num(values['post-wait-ms']),
    requestTimeoutMs: num(values['request-timeout-ms']),
    inDoubtMarginMs: num(values['in-doubt-margin-ms']),
    ...(pinHashCost === undefined ? {} : { scrypt: { N: pinHashCost, r: 8, p: 1 } }),
  },
  shipping: values['ship-log'] ? { postgresUrl: values['ship-log'] } : null,
  ...(config && configFile ? { config: { file: resolve(configFile), config } } : {}),
};
// Signals are watched from before the data directory is locked: a SIGTERM that arrives while the
// terminal starts (or just after the URL line, before a later handler would exist) must still
// close the terminal and release the lock, never kill the process with it held.
let running: { host: { close(): Promise<void> }; terminal: HostedTerminal } | null = null;
let stopRequested = false;
let stopping = false;
async function stop(): Promise<void> {
  if (!running) {
    // Still starting: the start finishes (a half-made terminal is not left behind), then stops.
    if (!stopRequested) log.info('asked to stop while starting: stopping once the start is done');
    stopRequested = true;
    return;
  }
  stopRequested = true;
  if (stopping) return;
  stopping = true;
  await running.host.close();
  await running.terminal.close();
  log.info('web host stopped');
  installedLog.close();
  process.exit(0);
}
stopOnSignalOrOrphan(() => void stop());

const terminal = await (
  values['service-process']
    ? startTerminalService({ spawn: nodeServiceSpawner(), options: { ...runtimeOptions, logDir }, onLog: writeLogLine }).then(served)
    : startRuntime(runtimeOptions).then(inProcess)
).catch((e: unknown) => {
  // The file is good but cannot be applied to this terminal now (a switch with rows still queued): bad input, exit 2.
  if (e instanceof ProvisioningError) refuseConfig(e);
  if (e instanceof ServiceStartError && e.causeName === 'ProvisioningError') {
    process.stderr.write(`${e.message}\n`);
    log.error(e.message);
    process.exit(2);
  }
  // Another process holds this data directory: say who, and stop (exit 3), without a stack trace.
  const locked = e instanceof DataDirLockedError || (e instanceof ServiceStartError && e.causeName === 'DataDirLockedError');
  if (!locked) throw e;
  log.error((e as Error).message);
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(3);
});
const host = await startWebHost({
  dispatch: terminal.call,
  subscribe: terminal.subscribe,
  openExport: terminal.openExport,
  rendererDir: values['renderer-dir'] ?? resolve(here, '../../dist/renderer'),
  port,
  host: values.host,
});
running = { host, terminal };
if (stopRequested) await stop(); // asked to stop while starting: never print a URL for a closing terminal
const { mode, sandboxUrl, connectionTest: t, shipping } = terminal.info();
const modeLine =
  mode === 'live'
    ? `live mode: ${t?.program ?? '?'}${t?.environment ? ` (${t.environment})` : ''}; connection test ${t?.ok ? 'passed' : `FAILED at ${t?.failed?.step}: ${t?.failed?.message}`}`
    : sandboxUrl
      ? `training mode: embedded sandbox at ${sandboxUrl}`
      : `training mode: sandbox at ${values.backend}`;
// stdout is this command's interface (the URL on the first line), not a log.
process.stdout.write(
  [
    host.openUrl,
    `data directory: ${dataDir}`,
    `logs: ${logDir}`,
    modeLine,
    ...(shipping.enabled ? [`shipping the log to ${shipping.target}`] : []),
    ...(values['service-process'] ? [`terminal service: child process ${terminal.pid() ?? '?'}`] : []),
  ].join('\n') + '\n',
);
log.info('web host started', { dataDir, port: new URL(host.openUrl).port, mode });

/** What this host needs from the terminal, wherever it runs. */
interface HostedTerminal {
  call: Dispatch;
  subscribe(listener: (e: TerminalEvent) => void): () => void;
  openExport(ticket: string): WebDownload | null | Promise<WebDownload | null>;
  info(): Pick<ServiceInfo, 'mode' | 'sandboxUrl' | 'connectionTest' | 'shipping'>;
  pid(): number | undefined;
  close(): Promise<void>;
}

function inProcess(runtime: Runtime): HostedTerminal {
  return {
    call: runtime.call,
    subscribe: runtime.subscribe,
    openExport: (ticket) => runtime.openExport(ticket),
    info: () => {
      const shipping = runtime.shipping.current().state();
      return {
        mode: runtime.mode,
        sandboxUrl: runtime.sandboxUrl ?? null,
        connectionTest: runtime.connectionTest,
        shipping: { enabled: shipping.enabled, target: shipping.target ?? null },
      };
    },
    pid: () => process.pid,
    close: () => runtime.close(),
  };
}

function served(client: TerminalServiceClient): HostedTerminal {
  return {
    call: (method, input) => client.call(method, input),
    subscribe: (listener) => client.subscribe(listener),
    openExport: (ticket) => client.openExport(ticket),
    info: () => client.info,
    pid: () => client.pid(),
    close: () => client.close(),
  };
}
