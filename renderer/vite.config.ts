import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// `POS_API=http://127.0.0.1:PORT npx vite --config renderer/vite.config.ts` develops against a running web host.
const apiTarget = process.env.POS_API;

/**
 * The renderer is written against React's API and runs on React. It can be built on Preact
 * (preact/compat), a third of the JavaScript a counter PC parses and runs at page load (README,
 * "The renderer's runtime"; issue 18), with POS_RENDERER_RUNTIME=preact: for A/B and for finding
 * what still differs. It is not the default: in A/B it loaded the counter faster but gave no gain
 * the whole low-end benchmark could show, and its scans were slower (README). The dev server
 * always runs React, for StrictMode's development checks, which only React has.
 */
const RUNTIMES = ['react', 'preact'] as const;
type Runtime = (typeof RUNTIMES)[number];
function runtimeFor(command: 'build' | 'serve'): Runtime {
  const asked = process.env.POS_RENDERER_RUNTIME;
  if (asked === undefined || asked === '') return 'react';
  if (asked === 'react' || (asked === 'preact' && command === 'build')) return asked;
  throw new Error(`POS_RENDERER_RUNTIME=${asked}: expected ${command === 'build' ? RUNTIMES.join(' or ') : 'react (the dev server runs React)'}`);
}

// Exact names only: 'react-dom/client' and the JSX runtimes have their own Preact modules.
const PREACT_ALIASES = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react\/jsx-dev-runtime$/, replacement: 'preact/jsx-dev-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
  // The runtime's own set-up before the first render (renderer/src/runtime/setup.ts says why).
  { find: /^\.\/runtime\/setup$/, replacement: fileURLToPath(new URL('./src/runtime/preact-setup.ts', import.meta.url)) },
];

/**
 * V8's explicit compile hint (Chromium 136 and later, so Electron 41's too), the first line of the
 * counter's first file: V8 then compiles all its functions while the file streams in, on its
 * background thread, instead of each on the main thread when first called. Nearly all of that
 * file runs at a page load. Measured (README, issue 18): the page's main-thread CPU to counter
 * ready -11 to -17%; counter ready at 4x CPU -13% (DevTools' throttling slows the main thread
 * only, so the compile thread's share is free there); with the whole browser on one core, no
 * change (the work moves, the core is the same). A counter PC's Celeron has two cores or more.
 * bench/renderer-build.test.ts checks the built file.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
function compileEntryEagerly(): Plugin {
  return {
    name: 'pos:compile-hint',
    apply: 'build',
    // Last of all the plugins' (Vite's own prepends its chunk map to the same file here): the hint
    // works only as a file's first line.
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        for (const file of Object.values(bundle)) if (file.type === 'chunk' && file.isEntry) file.code = `${COMPILE_HINT}\n${file.code}`;
      },
    },
  };
}

export default defineConfig(({ command }) => ({
  root,
  base: './',
  // The Content-Security-Policy comes from the hosts as a header (electron/shell and the web host), one source of truth.
  plugins: [react(), compileEntryEagerly()],
  resolve: { alias: runtimeFor(command) === 'preact' ? PREACT_ALIASES : [] },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Chromium (Electron's and the web host's browsers) has <link rel="modulepreload">: Vite's
    // polyfill only costs the page's start (~13 ms of main thread at 4x CPU, issue 18's profile).
    modulePreload: { polyfill: false },
    // Everything loads from the page's own folder (Electron's app:// protocol, the web host): no data: URLs for assets.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // Everything the first paint needs in one file (one request, one gzip window: smaller than
        // the several small shared chunks automatic splitting makes); the rest loads on demand
        // (issue 18: initial JS < 120 KB gzipped; bench/renderer-size.ts measures it).
        codeSplitting: { groups: [{ name: 'counter', tags: ['$initial'] }] },
      },
    },
  },
  // The camera's decode worker (renderer/src/scanner/camera-decode.worker.ts) is a module worker, its own file in assets/.
  worker: { format: 'es' },
  server: apiTarget ? { proxy: { '/api': { target: apiTarget, changeOrigin: false } } } : undefined,
}));
