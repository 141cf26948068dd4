/**
 * The renderer-size and scanning benchmarks (bench/renderer-size.ts, bench/scan-bench.ts)
 * at their --quick size, so their harnesses cannot rot. The renderer must be built first
 * (`npm test` builds it before vitest).
 * Figures here are held to sanity bounds that catch a broken harness, not to
 * the targets: this machine is shared with the rest of the suite. One file per
 * harness, so vitest runs them side by side.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { measureRendererSize, RENDERER_TARGET_KB } from './renderer-size.js';
import { runScanBench, SCAN_QUICK } from './scan-bench.js';
import { byName, shown } from './stats.js';

const RENDERER = resolve('dist/renderer');

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
