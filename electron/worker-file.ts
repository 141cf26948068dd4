/**
 * Starts a worker thread from a real file. In the Electron build each worker
 * is its own bundle beside main.cjs (scripts/build-electron.mjs WORKER_BUNDLES);
 * from the sources (web host, tests, benchmarks) it is the TypeScript file,
 * loaded through tsx's require hook.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * @param bundle the bundle's file name beside main.cjs, e.g. 'csv-export-worker.cjs'
 * @param source the TypeScript file, as `new URL('./x-worker.ts', import.meta.url)` from its neighbour
 */
export function startWorkerFile(bundle: string, source: URL, workerData: unknown): Worker {
  // In the bundle, import.meta.url is main.cjs's own URL (build-electron.mjs defines it).
  const bundled = fileURLToPath(new URL(`./${bundle}`, import.meta.url));
  // execArgv: [] — the worker must not inherit a loader the host was started with (the tsx
  // CLI's --import hooks deadlock a worker on Node 20); from the sources it brings its own.
  if (existsSync(bundled)) return new Worker(bundled, { workerData, execArgv: [] });
  const req = createRequire(import.meta.url);
  const boot = `require(${JSON.stringify(req.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(fileURLToPath(source))});`;
  return new Worker(boot, { eval: true, workerData, execArgv: [] });
}
