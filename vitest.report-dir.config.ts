import { defineConfig } from 'vitest/config';
import { IDEMCHECK_ALIAS } from './vitest.alias.js';

// Regression tests that `idemcheck check --report-dir DIR` writes outside reports/: run with
// `npx vitest run -c vitest.report-dir.config.ts --root DIR` from this directory (the test
// names the command). Every test file under DIR is included.
export default defineConfig({
  resolve: { alias: IDEMCHECK_ALIAS },
  test: { include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 60_000 },
});
