/**
 * The low-end benchmark at its quick size, so its harness cannot rot: CPU
 * throttling through CDP, the terminal on one core, every figure measured,
 * and a short shift through the UI. Timings are held to sanity only (this
 * machine is shared with the rest of the suite); the renderer must be built.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { LOWEND_QUICK, runLowEndBench } from './lowend-bench.js';

it('low-end benchmark (quick): throttled loads, scans, keypad taps, a camera read and a short shift are all measured', async () => {
  expect(existsSync(resolve('dist/renderer/index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const figures = await runLowEndBench(LOWEND_QUICK);
  const shown = figures.map((f) => `${f.name}: ${f.value} ${f.unit}`).join('\n');
  for (const f of figures) expect(Number.isFinite(f.value), shown).toBe(true);
  const value = (start: string) => {
    const f = figures.find((x) => x.name.startsWith(start));
    if (!f) throw new Error(`no figure "${start}" in:\n${shown}`);
    return f;
  };
  for (const rate of LOWEND_QUICK.rates) {
    expect(value(`[${rate}x] page load to counter ready`).value).toBeGreaterThan(0);
    expect(value(`[${rate}x] scan (Enter) to balance`).value).toBeGreaterThan(0);
    // The service's quote comes after the counter's own preview of it.
    expect(value(`[${rate}x]   keypad to the service's quote`).value).toBeGreaterThanOrEqual(value(`[${rate}x] keypad to quote on screen`).value);
    expect(value(`[${rate}x] camera open to decoded QR`).value).toBeGreaterThan(0);
  }
  // At 4x the figures carry their targets and verdicts.
  const load4 = value('[4x] page load to counter ready');
  expect(load4.ok).toBe(load4.value < 600);
  // Both processes were found and measured.
  expect(value('  resident memory at start: terminal service').value).toBeGreaterThan(10);
  expect(value('  resident memory at start: renderer tab').value).toBeGreaterThan(10);
}, 300_000);
