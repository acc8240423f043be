import { defineConfig } from 'vitest/config';
import { IDEMCHECK_ALIAS } from './vitest.alias.js';

// Regression tests that `idemcheck check` writes next to its reports (reports/*.test.ts).
export default defineConfig({
  resolve: { alias: IDEMCHECK_ALIAS },
  test: { include: ['reports/**/*.test.ts'], testTimeout: 60_000 },
});
