/**
 * The suites as vitest tests, from the same definitions the CLI runs, with the fixed default seed
 * (FC_SEED overrides it). A failure prints the counterexample trace. One test file per suite file
 * (properties/*.test.ts), so that vitest's `--shard`, which deals out whole files, spreads the
 * suites over machines.
 */

import { describe, expect, it } from 'vitest';
import { judge, runSuite } from '../src/checker/run-suite.js';
import { seedFromEnvironment } from '../src/checker/seed.js';
import type { Suite } from '../src/checker/suite.js';
import { describeExpectation } from '../src/checker/suite.js';
import { formatEvent } from '../src/report/format.js';

export function testSuites(group: string, suites: readonly Suite[]): void {
  const seed = seedFromEnvironment(process.env);
  describe(`${group} suites (seed ${seed})`, () => {
    it.each(suites.map((suite) => [suite.name, suite] as const))('%s', (_name, suite) => {
      const result = runSuite(suite, { seed, runs: suite.runs });
      const verdict = judge(suite, result);
      const trace = result.counterexample?.events.map(formatEvent).join(' → ') ?? '(no counterexample)';
      expect(verdict.problem, `${suite.claim}\nexpected: ${describeExpectation(suite.expect)}, got: ${verdict.got}\ntrace: ${trace}`).toBeNull();
    });
  });
}
