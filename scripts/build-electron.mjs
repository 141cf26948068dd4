#!/usr/bin/env node
/**
 * Bundles the Electron main process and the preload with esbuild.
 *
 *  electron/shell/main.ts    -> dist/electron/main.cjs     (Node, CJS; electron and
 *                                                            better-sqlite3 stay external:
 *                                                            the first is Electron's own,
 *                                                            the second a native addon
 *                                                            loaded from node_modules)
 *  electron/shell/preload.ts -> dist/electron/preload.cjs  (one self-contained, minified
 *                                                            CJS file: a sandboxed preload
 *                                                            can only require('electron')
 *                                                            and a few polyfilled modules)
 *
 *  electron/shell/terminal-service-entry.ts -> dist/electron/terminal-service.cjs: the terminal
 *                                   service (runtime, SQLite, outbox, adapters), run by the main
 *                                   process in Electron's utilityProcess (electron/terminal-process/)
 *  worker threads (WORKER_BUNDLES)  -> dist/electron/<name>-worker.cjs: the log shipper's,
 *                                   the log export's and the fast verify's (electron/worker-file.ts
 *                                   starts them)
 *  electron/chain/sql/*.sql        -> dist/electron/chain-sql/ (the chain's central schema,
 *                                   read at run time by electron/chain/central-schema.ts)
 *
 * package.json "main" points at dist/electron/main.cjs; `npm start` runs
 * `npm run build && electron .`.
 *
 * Usage: node scripts/build-electron.mjs [--watch]
 */
import { build, context } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'electron');
const watch = process.argv.includes('--watch');

/**
 * Native addons and Electron itself: required at run time, never bundled.
 * 'kerberos' is https-proxy-agent's optional peer, imported only for
 * Negotiate proxy sign-in, which the terminal never asks for (in Electron,
 * Chromium's stack handles the system's proxy and its sign-in).
 */
export const MAIN_EXTERNALS = ['electron', 'better-sqlite3', 'pg-native', 'kerberos'];
export const PRELOAD_EXTERNALS = ['electron'];

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'cjs',
  sourcemap: true,
  logLevel: 'info',
  legalComments: 'none',
  absWorkingDir: root,
};

/** @type {import('esbuild').BuildOptions} */
export const mainOptions = {
  ...common,
  entryPoints: [path.join(root, 'electron/shell/main.ts')],
  outfile: path.join(outdir, 'main.cjs'),
  platform: 'node',
  // Electron 41 runs Node 24; node20 keeps the output valid on this machine's Node too.
  target: 'node20',
  external: MAIN_EXTERNALS,
  // The sources are ESM; in a CJS bundle import.meta is empty, so give
  // import.meta.url a real value (the bundle's own file URL).
  define: { 'import.meta.url': '__bundle_import_meta_url' },
  banner: { js: "const __bundle_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

/** The terminal service's utility process, beside main.cjs (electron/shell/main.ts starts it). */
/** @type {import('esbuild').BuildOptions} */
export const serviceOptions = {
  ...mainOptions,
  entryPoints: [path.join(root, 'electron/shell/terminal-service-entry.ts')],
  outfile: path.join(outdir, 'terminal-service.cjs'),
};

/**
 * Worker threads, each its own bundle beside main.cjs (electron/worker-file.ts
 * starts them by these names).
 * @type {Record<string, string>}
 */
export const WORKER_BUNDLES = {
  'chain-ship-worker.cjs': 'electron/chain/ship-worker.ts',
  'csv-export-worker.cjs': 'electron/service/csv-export-worker.ts',
  'log-verify-worker.cjs': 'electron/service/log-verify-worker.ts',
};

/** @type {import('esbuild').BuildOptions[]} */
export const workerOptions = Object.entries(WORKER_BUNDLES).map(([out, source]) => ({
  ...mainOptions,
  entryPoints: [path.join(root, source)],
  outfile: path.join(outdir, out),
}));

/** The chain's numbered SQL files, beside the bundle (central-schema.ts looks for ./chain-sql/). */
function copyChainSql() {
  cpSync(path.join(root, 'electron/chain/sql'), path.join(outdir, 'chain-sql'), { recursive: true });
}

/** @type {import('esbuild').BuildOptions} */
export const preloadOptions = {
  ...common,
  entryPoints: [path.join(root, 'electron/shell/preload.ts')],
  outfile: path.join(outdir, 'preload.cjs'),
  // Not 'node': the sandboxed preload has no Node built-ins, and platform
  // 'browser' makes esbuild fail the build if one is ever imported.
  platform: 'browser',
  target: 'chrome120',
  external: PRELOAD_EXTERNALS,
  // Only the contract's method names come along (shared/contract/method-names.ts),
  // not its schemas: electron/shell/bundle.test.ts checks that zod stays out.
  minify: true,
};

async function main() {
  mkdirSync(outdir, { recursive: true });
  copyChainSql();
  if (watch) {
    const contexts = await Promise.all([context(mainOptions), context(serviceOptions), ...workerOptions.map((o) => context(o)), context(preloadOptions)]);
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('[build-electron] watching for changes');
    return;
  }
  await Promise.all([build(mainOptions), build(serviceOptions), ...workerOptions.map((o) => build(o)), build(preloadOptions)]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
