/**
 * The built renderer's first file(s), as a counter loads them (the renderer must be built first,
 * as npm test does): each starts with V8's compile hint, which only works on a file's first line
 * (renderer/vite.config.ts says why it is there). Their size target: bench/scan-quick.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { COMPILE_HINT } from '../renderer/vite.config.js';
import { initialScripts } from './renderer-size.js';

const RENDERER_DIR = resolve('dist/renderer');

it("the counter's first file starts with V8's compile hint", () => {
  expect(existsSync(resolve(RENDERER_DIR, 'index.html')), 'build the renderer first: npm run build:renderer').toBe(true);
  const files = initialScripts(RENDERER_DIR);
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) expect(readFileSync(file, 'utf8').split('\n', 1)[0], file).toBe(COMPILE_HINT);
});
