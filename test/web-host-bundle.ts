/**
 * The web host (`npm run web`'s electron/cli/web.ts) bundled once with esbuild, for the
 * harnesses that start it as a child process many times (the e2e fixtures, the crash
 * harness): through tsx every start costs about 3 s of CPU compiling and loading the
 * sources, the bundle about 1 s. The code run is the same sources, not a build product's
 * variant: each module keeps its own `import.meta.url` (rewritten to its source file's URL),
 * so the paths it finds beside itself (renderer, SQL files, worker sources loaded through
 * tsx, package.json) are the ones it finds when run through tsx.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Where a Playwright run's bundle is, for its workers (e2e/global-setup.ts sets it, e2e/fixtures.ts reads it). */
export const WEB_HOST_BUNDLE_ENV = 'PWP_E2E_WEB_HOST';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every TypeScript module keeps the URL of its source file (esbuild would give each the bundle's). */
const ownUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.tsx?$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
      loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts',
    }));
  },
};

export interface WebHostBundle {
  /** Start it with `node <file> --data-dir ... --port 0 ...`. */
  file: string;
  remove(): void;
}

/**
 * Bundles the web host into the repository's node_modules/.cache (so its bare imports,
 * better-sqlite3 and the rest, resolve from there), under a name of its own.
 */
export async function bundleWebHost(name = `web-${process.pid}-${Date.now()}`): Promise<WebHostBundle> {
  const file = join(REPO, 'node_modules', '.cache', 'pwp-web-host', `${name}.mjs`);
  mkdirSync(dirname(file), { recursive: true });
  await build({
    entryPoints: [join(REPO, 'electron/cli/web.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: file,
    logLevel: 'warning',
    plugins: [ownUrl],
  });
  return { file, remove: () => rmSync(file, { force: true }) };
}
