/**
 * Entry of the Electron main process (bundled to dist/electron/main.cjs by
 * scripts/build-electron.mjs). Wires the real runtime into the lifecycle;
 * everything else is in lifecycle.ts, which the tests drive with `electron`
 * mocked.
 */
import { startRuntime } from '../runtime.js';
import { runApp } from './lifecycle.js';

runApp({ startRuntime });
