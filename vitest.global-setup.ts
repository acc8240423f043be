/**
 * Before the tests: build dist/ from the source under test, because the end-to-end tests run the
 * CLI as users do, `node bin/idemcheck.js`, which loads dist/. tsc's incremental build compares
 * each source file's content with what it last compiled and re-emits what changed (about 4 s of
 * CPU when nothing did); it does not notice an output that was deleted, so a missing one makes it
 * start over. The CLI tests can then never run a dist/ that differs from the source. A type error
 * fails the run here, with tsc's output.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export default function setup(): void {
  const root = fileURLToPath(new URL('.', import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (config === undefined || config.options.outDir === undefined || config.options.tsBuildInfoFile === undefined) throw new Error('tsconfig.build.json: no outDir or tsBuildInfoFile');
  const outDir = config.options.outDir;
  const missing = config.fileNames.some((file) => !existsSync(join(outDir, relative(root, file)).replace(/\.ts$/, '.js')));
  if (missing) rmSync(config.options.tsBuildInfoFile, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building dist/ for the tests failed (npm run build):\n${built.stdout}${built.stderr}`);
}
