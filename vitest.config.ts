import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files at once: one per core. Vitest's default is one less than the cores, which is ONE
 * on a two-core CI machine: every second a file spent waiting (a child process starting, a
 * PostgreSQL cluster, a crash harness's kill timer) left the other core idle. Not more than
 * one per core: at two per core on this shared machine (load 20), tests bound by a real
 * request timeout (an adapter's 1.5 s) timed out by the dozen.
 */
const FILES_AT_ONCE = availableParallelism();

/**
 * Three projects: `unit` (pure code: shared/, the renderer's logic, the repository rules),
 * `integration` (the terminal service, store, adapters and emulators over real SQLite files
 * and real loopback HTTP), `bench` (the benchmark and crash harnesses at their quick size;
 * some need the built renderer). `npm run test:unit` runs the first alone, with no build.
 */
const COUNTER_ON_REAL_TERMINAL = ['renderer/src/state/store.test.ts', 'renderer/src/state/counter-flows.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    maxWorkers: FILES_AT_ONCE,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: COUNTER_ON_REAL_TERMINAL,
        },
      },
      // The counter store's flows run against the real terminal (test/counter-store-harness.ts): integration tests.
      { extends: true, test: { name: 'integration', include: ['electron/**/*.test.ts', 'sandbox/**/*.test.ts', ...COUNTER_ON_REAL_TERMINAL] } },
      { extends: true, test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
    ],
  },
});
