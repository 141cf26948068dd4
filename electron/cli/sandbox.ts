/**
 * `npm run sandbox -- --port N [--host H] [--empty]`
 *
 * Starts the loyalty sandbox. The FIRST line of stdout is the base URL and
 * nothing else (scripts and the e2e suite read it); the demo members and
 * credentials follow for people. Stops cleanly on SIGTERM / SIGINT and when
 * the command that started it (npm, a shell) goes away.
 */
import { parseArgs } from 'node:util';
import { DEMO_MEMBERS, SANDBOX_CREDENTIALS } from '../../sandbox/demo-data.js';
import { startSandbox } from '../../sandbox/server.js';
import { stopOnSignalOrOrphan, type StopReason } from './stop-guard.js';

interface CliArgs {
  port: number;
  host: string;
  seedDemo: boolean;
}

export function parseSandboxArgs(argv: readonly string[]): CliArgs {
  let values: { port?: string; host?: string; empty?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, host: { type: 'string' }, empty: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message} (use --port N, --host H, --empty)`);
  }
  const port = values.port === undefined ? 0 : /^\d+$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be 0..65535');
  return { port, host: values.host ?? '127.0.0.1', seedDemo: !values.empty };
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseSandboxArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox(args);
  const wl = SANDBOX_CREDENTIALS.whitelabel;
  const lines = [
    sandbox.url,
    '',
    'Loyalty sandbox (training data only).',
    `Control API:   ${sandbox.url}/_control/health   (see sandbox/README.md)`,
    `Control token: ${sandbox.controlToken}   (send as x-sandbox-token on every other control call; new each start)`,
    '',
    'White Label',
    `  API base:    ${sandbox.url}/whitelabel/v1`,
    `  Token URL:   ${sandbox.url}/whitelabel/auth/oauth/token`,
    `  X-Api-Key:   ${wl.apiKey}`,
    `  Client:      ${wl.clientId} / ${wl.clientSecret}`,
    `  Point value: ${wl.pointsCurrencyValue} ${wl.currency}`,
    '',
    args.seedDemo ? 'Demo members (card number, points):' : 'No demo members (--empty).',
    ...(args.seedDemo ? Object.entries(DEMO_MEMBERS).map(([name, m]) => `  ${m.cardNumber}  ${String(m.points).padStart(6)}  ${name}: ${m.purpose}`) : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');

  const stop = (reason: StopReason) => {
    process.stderr.write(`sandbox: ${reason}, stopping\n`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  stopOnSignalOrOrphan(stop);
}

// Run only as a program, so the argument parser can be imported by a test.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('electron/cli/sandbox.ts')) {
  void main();
}
