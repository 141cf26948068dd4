import { defineConfig } from 'vitest/config';

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
