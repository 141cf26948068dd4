/**
 * The counter, renderer-size and scanning benchmarks at their --quick size, so
 * their harnesses cannot rot (drain and manager have their own files). Figures
 * here are held to sanity bounds that catch a broken harness, not to the
 * targets: this machine is shared with the rest of the suite. The renderer
 * must be built first (`npm test` builds it before vitest).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { COUNTER_QUICK, runCounterBench } from './counter-bench.js';
import { measureRendererSize, RENDERER_TARGET_KB } from './renderer-size.js';
import { runScanBench, SCAN_QUICK } from './scan-bench.js';
import { OUTAGE_QUICK, runOutageBench } from './outage-bench.js';
import type { Figure } from './stats.js';

const RENDERER = resolve('dist/renderer');
const shown = (figures: Figure[]) => figures.map((f) => `${f.name}: ${f.value} ${f.unit}`).join('\n');
const byName = (figures: Figure[], start: string) => {
  const f = figures.find((x) => x.name.startsWith(start));
  if (!f) throw new Error(`no figure "${start}" in:\n${shown(figures)}`);
  return f.value;
};

it('counter benchmark (quick): commits, identifies through a remote sandbox, starts cold', async () => {
  const figures = await runCounterBench(COUNTER_QUICK);
  for (const f of figures) expect(Number.isFinite(f.value), shown(figures)).toBe(true);
  expect(byName(figures, 'local commit of a redemption, median')).toBeGreaterThan(0);
  // The injected latency is in the figure: below it, the latency was not applied; far above, the harness is broken.
  expect(byName(figures, 'identify-to-balance, median')).toBeGreaterThanOrEqual(COUNTER_QUICK.latencyMs);
  expect(byName(figures, 'identify-to-balance, median')).toBeLessThan(COUNTER_QUICK.latencyMs * 10);
  expect(byName(figures, 'service cold start')).toBeLessThan(5_000);
}, 60_000);

it('renderer size: finds the initial scripts of the built renderer and stays under its target', () => {
  expect(existsSync(resolve(RENDERER, 'index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const figures = measureRendererSize(RENDERER);
  expect(byName(figures, 'renderer initial JS, gzipped')).toBeGreaterThan(20);
  // A size, not a timing: it holds on any machine, so the test holds issue 18's target itself.
  expect(byName(figures, 'renderer initial JS, gzipped')).toBeLessThan(RENDERER_TARGET_KB);
});

it('scan benchmark (quick): scans and a camera read are timed in Chromium', async () => {
  expect(existsSync(resolve(RENDERER, 'index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const figures = await runScanBench(SCAN_QUICK);
  for (const f of figures) expect(Number.isFinite(f.value), shown(figures)).toBe(true);
  expect(byName(figures, 'scan (Enter) to balance on screen, p50')).toBeGreaterThan(0);
  expect(byName(figures, 'camera: open to decoded QR, median')).toBeGreaterThan(0);
}, 120_000);

it('outage benchmark (quick): measures while the queue drains, paces to the limit, meets no 429', async () => {
  expect(existsSync(resolve(RENDERER, 'index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const figures = await runOutageBench(OUTAGE_QUICK);
  for (const f of figures) expect(Number.isFinite(f.value), shown(figures)).toBe(true);
  // Properties of the harness and the pacer, not timings: the draining figures were taken while
  // rows were still queued, every queued row was posted (runOutageBench throws otherwise), and the
  // backend never had to refuse the terminal.
  expect(byName(figures, 'rows still queued when the draining figures were taken'), shown(figures)).toBeGreaterThan(0);
  // Without pacing the drain meets a 429 for a third of its requests here; with it, none is the rule
  // (the pacer's own test proves it on a fake clock). An emulator stalled longer than the burst lasts
  // (it shares this loaded machine) can cause a few: tolerated up to 2%.
  const requests = byName(figures, 'drain: requests the backend let through');
  expect(byName(figures, 'drain: 429 answers met'), shown(figures)).toBeLessThanOrEqual(Math.ceil(requests * 0.02));
  // Sanity: well above a drain that does not pace to the limit at all (a loaded CI machine may not reach 0.9).
  expect(byName(figures, 'drain: share of the published limit'), shown(figures)).toBeGreaterThan(0.3);
  expect(byName(figures, 'drain: share of the published limit'), shown(figures)).toBeLessThanOrEqual(1);
}, 180_000);
