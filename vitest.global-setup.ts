/**
 * Before the tests: build dist/ from the source under test, because the end-to-end tests run the
 * CLI as users do, `node bin/idemcheck.js`, which loads dist/. tsc's incremental build re-emits
 * what changed (its build info sits inside dist/, so removing dist/ rebuilds all), so the CLI tests
 * can never run a dist/ older than the source. A type error fails the run here, with tsc's output.
 */

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building dist/ for the tests failed (npm run build):\n${built.stdout}${built.stderr}`);
}
