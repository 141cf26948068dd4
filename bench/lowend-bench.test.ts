/**
 * The low-end benchmark at its quick size, so its harness cannot rot: CPU
 * throttling through CDP, the terminal on one core, every figure measured
 * (page load with its main-thread CPU, scans, keypad taps, a camera read)
 * and a short shift through the UI with the memory of the service process and
 * the tab (bench/shift-memory.ts). Figures are
 * checked for being there and sane, never against the targets: this machine
 * is shared with the rest of the suite. The renderer must be built first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { LOWEND_QUICK, LOWEND_TARGETS_4X, runLowEndBench } from './lowend-bench.js';

it('low-end benchmark (quick): throttled loads, scans, keypad taps, a camera read and a short shift are all measured', async () => {
  expect(existsSync(resolve('dist/renderer/index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const figures = await runLowEndBench(LOWEND_QUICK);
  const shown = figures.map((f) => `${f.name}: ${f.value} ${f.unit}`).join('\n');
  for (const f of figures) expect(Number.isFinite(f.value), shown).toBe(true);
  const figure = (start: string) => {
    const f = figures.find((x) => x.name.startsWith(start));
    if (!f) throw new Error(`no figure "${start}" in:\n${shown}`);
    return f;
  };
  for (const rate of LOWEND_QUICK.rates) {
    expect(figure(`[${rate}x] page load to counter ready`).value).toBeGreaterThan(0);
    expect(figure(`[${rate}x]   of which the renderer's main thread on the CPU`).value).toBeGreaterThan(0);
    // The same load in a tab with no DevTools attached (raw-tab.ts), as a counter's window.
    expect(figure(`[${rate}x] page load to counter ready in a bare tab`).value).toBeGreaterThan(0);
    expect(figure(`[${rate}x] scan (Enter) to balance`).value).toBeGreaterThan(0);
    // What a scan and a tap cost the page's thread, comparable whatever the machine's load.
    expect(figure(`[${rate}x]   renderer main-thread CPU per scan`).value).toBeGreaterThan(0);
    expect(figure(`[${rate}x]   renderer main-thread CPU per keypad tap`).value).toBeGreaterThan(0);
    // The service's quote comes after the counter's own preview of it.
    expect(figure(`[${rate}x]   keypad to the service's quote`).value).toBeGreaterThanOrEqual(figure(`[${rate}x] keypad to quote on screen`).value);
    expect(figure(`[${rate}x] camera open to decoded QR`).value).toBeGreaterThan(0);
    // The worker's decode is measured, and the estimate with it slowed as much as the page adds it.
    const decodeMs = figure(`[${rate}x]   of which the decode worker`).value;
    expect(decodeMs).toBeGreaterThan(0);
    expect(figure(`[${rate}x] camera open to decoded QR, the worker's decode slowed`).value).toBeGreaterThanOrEqual(
      figure(`[${rate}x] camera open to decoded QR`).value,
    );
  }
  // At 4x every timed figure carries its target and the verdict that goes with its value.
  const atFour: [string, number][] = [
    ['[4x] page load to counter ready', LOWEND_TARGETS_4X.counterReadyMs],
    ['[4x] page load to counter ready in a bare tab', LOWEND_TARGETS_4X.counterReadyMs],
    ['[4x] scan (Enter) to balance on screen (painted), p95', LOWEND_TARGETS_4X.scanP95Ms],
    ['[4x] keypad to quote on screen', LOWEND_TARGETS_4X.keypadP95Ms],
    ['[4x] camera open to decoded QR', LOWEND_TARGETS_4X.cameraMedianMs],
    ["[4x] camera open to decoded QR, the worker's decode slowed", LOWEND_TARGETS_4X.cameraMedianMs],
  ];
  for (const [name, target] of atFour) expect(figure(name).ok, name).toBe(figure(name).value < target);
  // Both processes were found and measured, after a forced GC, at the start, the baseline and the end.
  for (const at of ['  at start', `  after ${LOWEND_QUICK.shift!.baselineAfter} sales`, `  after ${LOWEND_QUICK.shift!.redemptions} sales`]) {
    expect(figure(`${at}: terminal service PSS`).value).toBeGreaterThan(10);
    expect(figure(`${at}: renderer tab PSS`).value).toBeGreaterThan(10);
    expect(figure(`${at}: service JS heap used`).value).toBeGreaterThan(1);
    expect(figure(`${at}: tab JS heap used`).value).toBeGreaterThan(0.5);
    expect(figure(`${at}: tab DOM nodes`).value).toBeGreaterThan(10);
  }
  // Growth is counted on the processes' own memory; PSS growth (which moves with other processes on the machine) is beside it.
  for (const name of ['  service own memory growth', '  tab own memory growth', '  PSS growth after the first', '  resident memory after the shift'])
    expect(Number.isFinite(figure(name).value), name).toBe(true);
  expect(figure('  resident memory after the shift').value).toBeGreaterThan(20);
  expect(figure('shift: memory growth').name).toContain('own memory');
  expect(figure('shift: memory growth').target).toBe(`< ${LOWEND_TARGETS_4X.shiftGrowthMb} MB`);
}, 600_000);
