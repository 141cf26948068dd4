// ESLint: typescript-eslint's recommended rules, React's hooks rules, and the layer
// boundaries (the same rules the per-layer tsconfigs enforce for globals, here for imports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'tls',
  'child_process',
  'url',
  'util',
  'stream',
  'zlib',
  'worker_threads',
  'events',
  'buffer',
  'process',
];
const PLATFORM_PACKAGES = ['better-sqlite3', 'pg', 'pino', 'electron-updater'];
/** The `electron` module and its subpaths, and nothing else (not a relative path through electron/). */
const ELECTRON_MODULE = { regex: '^electron(/.*)?$', message: 'Only electron/shell/ imports the electron module.' };
/** A relative import into another top-level folder: `../electron/...`, `../../renderer/...`. */
const into = (...folders) => ({ regex: `^(\\.\\./)+(${folders.join('|')})/`, message: `this layer imports nothing from ${folders.join('/, ')}/` });

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // ESLint 10's newest recommended rules flag the "default, then try to improve it" and
      // "rethrow in plain words" patterns this code base uses on purpose.
      'no-useless-assignment': 'off',
      'preserve-caught-error': 'off',
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Build scripts run as plain Node ES modules.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // Tests read JSON answers of every shape; `any` there is the honest type.
    files: ['**/*.test.{ts,tsx}', 'e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The classic hooks rules; the React Compiler's stricter set is not adopted (no compiler here).
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-syntax': [
        'error',
        {
          // The renderer runs on Preact, which leaves autoFocus to the browser (first element of a page only).
          selector: 'JSXOpeningElement[name.name=/^[a-z]/] > JSXAttribute[name.name="autoFocus"]',
          message: 'autoFocus is not applied on Preact: use ref={focusOnMount} or useFocusOnMount (components/focus-on-mount.ts).',
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...NODE_BUILTINS, ...PLATFORM_PACKAGES, 'react', 'react-dom', 'zustand'],
              message: 'shared/ is platform-free: no Node, database or UI imports.',
            },
            ELECTRON_MODULE,
            into('electron', 'renderer', 'sandbox', 'bench', 'e2e'),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    ignores: ['renderer/src/**/*.test.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...NODE_BUILTINS, ...PLATFORM_PACKAGES], message: 'renderer/ has no Node: it reaches the terminal through the contract.' },
            ELECTRON_MODULE,
            into('electron', 'sandbox', 'bench', 'e2e'),
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts', 'sandbox/**/*.ts'],
    ignores: ['electron/shell/**', 'electron/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              ...ELECTRON_MODULE,
              message: 'Only electron/shell/ imports electron: the service runs the same under Electron, in tests and behind the web host.',
            },
            into('renderer', 'bench', 'e2e'),
          ],
        },
      ],
    },
  },
);
