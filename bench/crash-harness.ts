/**
 * `npm run test:crash -- [--backend whitelabel|uitpas|capillary|gafapay] [--kills N] [--seed S] [--lanes L] [--tsx]`
 *
 * Every program that redeems at the counter (bench/crash-programs.ts ties
 * each emulator's ledger to the terminal's references); card-linked offers
 * have no redemption at the counter, so no crash run.
 *
 * The long crash run (bench/crash-lib.ts): at least N SIGKILLs of a terminal
 * (the web host as a child process) while cashier lanes drive redemptions,
 * voids and refunds through its HTTP API, with kills placed by failpoints
 * between the local commit and the post, between the post and storing the
 * answer, and at random moments. Then the queue drains and the sandbox's
 * ledger is compared with the terminal's SQLite file. Prints the kill count
 * and the verdict; exits 1 on any lost, duplicated or unconfirmed redemption
 * or refund, or a balance that does not match.
 */
import { parseArgs } from 'node:util';
import { runCrashHarness } from './crash-lib.js';
import { CRASH_PROGRAMS, isCrashProgram } from './crash-programs.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '200' },
    seed: { type: 'string' },
    lanes: { type: 'string', default: '3' },
    tsx: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'whitelabel' },
  },
});
const kills = Number(values.kills);
const usage = `usage: npm run test:crash -- [--backend ${CRASH_PROGRAMS.join('|')}] [--kills N] [--seed S] [--lanes L] [--tsx]`;
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isInteger(kills) || kills < 1 || !Number.isInteger(seed)) {
  console.error(usage);
  process.exit(2);
}
const program = values.backend;
if (!isCrashProgram(program)) {
  console.error(`no crash run for "${program}": it is not a program that redeems at the counter.\n${usage}`);
  process.exit(2);
}
console.log(`crash harness: ${program}, ${kills} kills, seed ${seed} (rerun with --backend ${program} --seed ${seed})`);
try {
  const result = await runCrashHarness({
    program,
    kills,
    seed,
    lanes: Number(values.lanes),
    runner: values.tsx ? 'tsx' : 'bundle',
    keepOnFailure: true,
    log: (l) => console.log(l),
  });
  console.log(result.verdict);
  process.exit(result.ok ? 0 : 1);
} catch (e) {
  console.error(`crash harness failed to run (${program}, seed ${seed}):`, e);
  process.exit(1);
}
