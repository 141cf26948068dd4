import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files at once. Vitest's default is one less than the cores: ONE on a two-core CI
 * machine, so every second a test spends waiting (a child process starting, a held fault,
 * a PostgreSQL cluster, a crash harness's kill timer) left both cores idle. Most integration
 * files wait more than they compute, so two per core keeps the cores busy.
 */
const FILES_AT_ONCE = Math.min(8, 2 * availableParallelism());

/**
 * Three projects: `unit` (pure code: shared/, the renderer's logic, the repository rules),
 * `integration` (the terminal service, store, adapters and emulators over real SQLite files
 * and real loopback HTTP), `bench` (the benchmark and crash harnesses at their quick size;
 * some need the built renderer). `npm run test:unit` runs the first alone, with no build.
 */
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    maxWorkers: FILES_AT_ONCE,
    projects: [
      { extends: true, test: { name: 'unit', include: ['shared/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'test/**/*.test.ts', 'scripts/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['electron/**/*.test.ts', 'sandbox/**/*.test.ts'] } },
      { extends: true, test: { name: 'bench', include: ['bench/**/*.test.ts'] } },
    ],
  },
});
