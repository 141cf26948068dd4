/**
 * The preload: exposes `window.pos` (the contract's PosBridge, see
 * bridge.ts) and nothing else.
 *
 * Runs in a sandboxed renderer, where `require` is limited to a few modules
 * (`electron` among them), so scripts/build-electron.mjs bundles this file and
 * its imports into one CJS file with only `electron` external. It exports
 * nothing, so the bundle does not depend on a `module` object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('pos', createBridge(ipcRenderer));
