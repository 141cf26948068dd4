/**
 * Short runs of the crash harness (bench/crash-lib.ts; the long ones are
 * `npm run test:crash -- --backend <program>`), one per program that redeems
 * at the counter, so neither the harness nor any program's ledger tie-up
 * (bench/crash-programs.ts) can rot: a few SIGKILLs of the web host child
 * process, placed by failpoints and timers, then the ledger and the
 * terminal's SQLite file must agree.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCrashHarness } from '../../bench/crash-lib.js';
import { CRASH_PROGRAMS } from '../../bench/crash-programs.js';
import { bundleWebHost, type WebHostBundle } from '../../test/web-host-bundle.js';

// One web host bundle for the four runs (bundling costs seconds of CPU each time).
let webHost: WebHostBundle;
beforeAll(async () => {
  webHost = await bundleWebHost();
}, 60_000);
afterAll(() => webHost?.remove());

it('survives SIGKILLs mid-redemption and mid-refund: nothing lost, nothing doubled (White Label)', async () => {
  const result = await runCrashHarness({ kills: 6, seed: 20_261_122, webHost: webHost.file });
  expect(result.ok, result.verdict).toBe(true);
  expect(result.kills).toBeGreaterThanOrEqual(6);
  expect(result.report.redemptions.committed).toBeGreaterThan(0);
  expect(result.report.lost).toEqual([]);
  expect(result.report.duplicated).toEqual([]);
  expect(result.verdict).toMatch(
    /^summary: program whitelabel, seed 20261122, kills \d+, redemptions \d+, refunds \d+, lost 0, duplicated 0, cannot tell: \d+ applied \/ \d+ sent again/m,
  );
}, 90_000);

it.each(CRASH_PROGRAMS.filter((p) => p !== 'whitelabel'))(
  "%s: a few SIGKILLs, then the emulator's ledger and the terminal agree",
  async (program) => {
    const result = await runCrashHarness({ program, kills: 3, seed: 20_261_206, webHost: webHost.file });
    expect(result.ok, result.verdict).toBe(true);
    expect(result.program).toBe(program);
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.report.redemptions.committed, result.verdict).toBeGreaterThan(0);
    expect(result.verdict).toContain(`summary: program ${program}, seed 20261206`);
  },
  120_000,
);
