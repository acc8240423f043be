import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { IDEMCHECK_ALIAS } from './vitest.alias.js';

export default defineConfig({
  resolve: { alias: IDEMCHECK_ALIAS },
  test: {
    // reports/examples holds committed example reports: their generated tests pin each anomaly.
    include: ['src/**/*.test.ts', 'properties/**/*.test.ts', 'reports/examples/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    // The CLI tests run bin/idemcheck.js, which loads dist/: build it from this source first.
    globalSetup: ['./vitest.global-setup.ts'],
    testTimeout: 120_000,
    // Vitest's default leaves one core free: one worker on a 2-core machine, where the CLI tests
    // (child processes, mostly waiting) then run alone. Two workers took 89 s instead of 119 s there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
