/**
 * Test-only: puts a stand-in `electron` module where CommonJS code in
 * node_modules (electron-updater) will `require("electron")`. vi.mock only
 * reaches modules Vite loads; electron-updater is loaded by Node's own
 * require, which reads require.cache first. Returns the function that takes
 * the stand-in out again.
 */
import { createRequire } from 'node:module';

export function provideElectronToCjs(fake: Record<string, unknown>): () => void {
  const require = createRequire(import.meta.url);
  const id = require.resolve('electron');
  const saved = require.cache[id];
  require.cache[id] = { id, filename: id, loaded: true, exports: fake, children: [], paths: [] } as unknown as NodeJS.Module;
  return () => {
    if (saved) require.cache[id] = saved;
    else delete require.cache[id];
  };
}
