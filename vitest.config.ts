import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // reports/examples holds committed example reports: their generated tests pin each anomaly.
    include: ['src/**/*.test.ts', 'properties/**/*.test.ts', 'reports/examples/**/*.test.ts'],
    setupFiles: ['./vitest.setup.ts'],
    testTimeout: 120_000,
  },
});
