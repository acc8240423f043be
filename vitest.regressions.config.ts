import { defineConfig } from 'vitest/config';

// Regression tests that `idemcheck check` writes next to its reports (reports/*.test.ts).
export default defineConfig({
  test: { include: ['reports/**/*.test.ts'], testTimeout: 60_000 },
});
