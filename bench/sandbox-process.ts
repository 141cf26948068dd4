/**
 * A sandbox in its own process, for the drain benchmark: the terminal's
 * process then holds only the terminal (its RSS is what the memory figure
 * measures, not the emulator's growing ledger), and the two share the two
 * cores the way a terminal and a remote backend would not compete for one
 * event loop.
 *
 *   node --import tsx bench/sandbox-process.ts --members N --points P [--rate PER_SECOND] [--burst N]
 *
 * Prints one JSON line {url, controlToken, rateLimit} on stdout once it listens. Members are
 * `benchCard(0..N-1)` with P points each. Stops on SIGTERM or when stdin closes
 * (so it never outlives the benchmark).
 */
import { parseArgs } from 'node:util';
import { startSandbox } from '../sandbox/server.js';
import { benchCard } from './bench-members.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', default: '0' },
      points: { type: 'string', default: '1000000000' },
      rate: { type: 'string', default: '1000000' },
      burst: { type: 'string' },
    },
  });
  const rate = Number(values.rate);
  const rateLimit = { perSecond: rate, burst: values.burst ? Number(values.burst) : rate };
  const sandbox = await startSandbox({ port: 0, seedDemo: true, whitelabel: { rateLimit } });
  const points = Number(values.points);
  for (let i = 0; i < Number(values.members); i++) sandbox.backends.whitelabel.state.addUser(benchCard(i), points);
  process.stdout.write(JSON.stringify({ url: sandbox.url, controlToken: sandbox.controlToken, rateLimit }) + '\n');
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('close', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

await main();
