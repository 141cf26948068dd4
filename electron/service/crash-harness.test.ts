/**
 * A short run of the crash harness (bench/crash-lib.ts; the long one is
 * `npm run test:crash`), so it cannot rot: a handful of SIGKILLs of the web
 * host child process, placed by failpoints and timers, then the ledger and the
 * terminal's SQLite file must agree.
 */
import { expect, it } from 'vitest';
import { runCrashHarness } from '../../bench/crash-lib.js';

it('survives SIGKILLs mid-redemption and mid-refund: nothing lost, nothing doubled', async () => {
  const result = await runCrashHarness({ kills: 6, seed: 20_261_122 });
  expect(result.ok, result.verdict).toBe(true);
  expect(result.kills).toBeGreaterThanOrEqual(6);
  expect(result.report.redemptions.committed).toBeGreaterThan(0);
  expect(result.report.lost).toEqual([]);
  expect(result.report.duplicated).toEqual([]);
}, 60_000);
