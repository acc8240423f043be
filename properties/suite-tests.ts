/**
 * The suites as vitest tests, from the same definitions the CLI runs, with the fixed default seed
 * (FC_SEED overrides it). A failure prints the counterexample trace. One test file per suite file
 * (properties/*.test.ts), so that vitest's `--shard`, which deals out whole files, spreads the
 * suites over machines.
 *
 * Each suite's search runs once per test file (vitest gives each file its own worker), and every
 * test about its result reads that one run: the verdict, the explorer's agreement with it, and
 * whether its counterexample is named by its own mechanism and by no other suite's
 * (src/report/known.ts). Searching and shrinking again for each of these cost about as much as
 * the suites themselves.
 */

import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/checker/build-report.js';
import { explore } from '../src/checker/explore.js';
import { judge, runSuite } from '../src/checker/run-suite.js';
import type { SuiteResult } from '../src/checker/run-suite.js';
import { DEFAULT_SEED, seedFromEnvironment } from '../src/checker/seed.js';
import type { Suite } from '../src/checker/suite.js';
import { describeExpectation } from '../src/checker/suite.js';
import { formatEvent } from '../src/report/format.js';
import { knownMechanism } from '../src/report/known.js';
import type { Report } from '../src/report/report.js';
import { SUITES } from './index.js';

/** Suites that show a violation by a documented mechanism (mutants show a broken model on purpose). */
export const SHOWN: readonly Suite[] = SUITES.filter((s) => s.expect.verdict === 'violated' && s.modelConfig?.mutant === null);

/** A suite that exists for a config Kafka accepts silently, with the mechanism of another suite. */
export const SAME_AS: Readonly<Record<string, string>> = { 'config.implicit-acks-1-disables-idempotence': 'delivery.acks1-retry-duplicates' };

function expectedInvariant(suite: Suite): string {
  return suite.expect.verdict === 'violated' ? suite.expect.invariant : '';
}

/**
 * The suites whose counterexamples `detector`'s mechanism must not claim: every other shown suite
 * breaking the same invariant, or, for the only suite breaking its invariant (a consumer one, say),
 * every other shown suite.
 */
export function othersOf(detector: Suite): readonly Suite[] {
  const distinct = SHOWN.filter((t) => t.name !== detector.name && SAME_AS[t.name] !== detector.name);
  const sameInvariant = distinct.filter((t) => expectedInvariant(t) === expectedInvariant(detector));
  return sameInvariant.length > 0 ? sameInvariant : distinct;
}

/**
 * A suite whose `holds` verdict rests on a witness that the search reaches rarely, tested more
 * cheaply than `check` runs it: the first `runs` runs must hold, and run `witnessRun` (0-based, at
 * the default seed, one of the suite's runs) must reach every witness of the suite and hold too.
 * Replaying that run costs one run; the full search (`npm run check`) still runs all of them.
 */
export interface RareWitness {
  readonly runs: number;
  readonly witnessRun: number;
}

const results = new Map<string, SuiteResult>();

/** The suite's search at `seed` (by default the test seed), run once per test file. */
export function suiteResult(suite: Suite, seed: number = seedFromEnvironment(process.env)): SuiteResult {
  const key = `${suite.name}@${seed}`;
  const cached = results.get(key);
  if (cached !== undefined) return cached;
  const result = runSuite(suite, { seed, runs: suite.runs });
  results.set(key, result);
  return result;
}

const reports = new Map<string, Report>();

/** The report of a suite's counterexample from its own search (run once per test file). */
export function suiteCounterexample(suite: Suite): Report {
  const cached = reports.get(suite.name);
  if (cached !== undefined) return cached;
  const report = buildReport(suite, suiteResult(suite), false);
  if (report === null) throw new Error(`${suite.name}: no counterexample`);
  reports.set(suite.name, report);
  return report;
}

function traceOf(result: SuiteResult): string {
  return result.counterexample?.events.map(formatEvent).join(' → ') ?? '(no counterexample)';
}

function testVerdict(suite: Suite, seed: number, rare: RareWitness | undefined): void {
  if (rare === undefined || seed !== DEFAULT_SEED) {
    const result = suiteResult(suite);
    const verdict = judge(suite, result);
    expect(verdict.problem, `${suite.claim}\nexpected: ${describeExpectation(suite.expect)}, got: ${verdict.got}\ntrace: ${traceOf(result)}`).toBeNull();
    return;
  }
  expect(suite.expect.verdict, `${suite.name}: a rare witness stands in only for a suite that holds`).toBe('holds');
  expect(rare.witnessRun, `${suite.name}: the witness run is one that \`check\` runs`).toBeLessThan(suite.runs);
  expect(rare.runs).toBeLessThan(suite.runs);
  const first = runSuite(suite, { seed, runs: rare.runs });
  expect(first.verdict, `${suite.claim}\nin the first ${rare.runs} runs: ${first.verdict}\ntrace: ${traceOf(first)}`).toBe('holds');
  const witness = runSuite(suite, { seed, runs: 1, path: String(rare.witnessRun) });
  expect(witness.verdict, `${suite.claim}\nrun ${rare.witnessRun}: ${witness.verdict}\ntrace: ${traceOf(witness)}`).toBe('holds');
  const missed = suite.sought.filter((w) => (witness.witnessRuns[w.name] ?? 0) === 0).map((w) => w.name);
  expect(missed, `run ${rare.witnessRun} at seed ${seed} no longer reaches ${missed.join(', ')}: if the model changed, find the first run of \`check --suite ${suite.name}\` that does`).toEqual([]);
}

/**
 * Each suite's verdict; for a suite that shows a documented mechanism, that its counterexample is
 * named by it and by no other suite; for a mutant, that it is named by none; and, where the explorer
 * decides the suite within 10,000 states, that it agrees with the search.
 */
export function testSuites(group: string, suites: readonly Suite[], rareWitnesses: Readonly<Record<string, RareWitness>> = {}): void {
  const seed = seedFromEnvironment(process.env);
  for (const name of Object.keys(rareWitnesses)) if (!suites.some((s) => s.name === name)) throw new Error(`rare witness for ${name}, which is not among the ${group} suites`);
  describe(`${group} suites (seed ${seed})`, () => {
    it.each(suites.map((suite) => [suite.name, suite] as const))('%s', (name, suite) => {
      testVerdict(suite, seed, rareWitnesses[name]);
    });

    const shown = suites.filter((s) => SHOWN.includes(s));
    it.each(shown.map((s) => [s.name, s] as const))('the counterexample of %s is recognised as its own mechanism', (name, suite) => {
      expect(knownMechanism(suiteCounterexample(suite), SUITES)?.suite).toBe(SAME_AS[name] ?? name);
    });

    it.each(shown.map((s) => [s.name, s] as const))("no other suite's detector claims the counterexample of %s", (name, suite) => {
      const report = suiteCounterexample(suite);
      const read = { config: suite.modelConfig as NonNullable<Suite['modelConfig']>, events: report.events, states: report.states, invariant: report.violation.invariant, violations: report.violation.violations };
      for (const detector of SHOWN) {
        if (detector.mechanism === null || !othersOf(detector).includes(suite)) continue;
        expect(detector.mechanism.shows(read), `${detector.name} on the counterexample of ${name}`).toBe(false);
      }
    });

    const mutants = suites.filter((s) => s.expect.verdict === 'violated' && s.modelConfig !== null && s.modelConfig.mutant !== null);
    it.each(mutants.map((s) => [s.name, s] as const))('names no mechanism for the counterexample of %s, a mutant whose violation is the point', (_name, suite) => {
      expect(knownMechanism(suiteCounterexample(suite), SUITES)).toBeNull();
    });

    // At the default seed, whatever FC_SEED says: some seeds may miss what the explorer finds.
    const explorable = suites.filter((s) => s.setup !== null);
    it.each(explorable.map((s) => [s.name, s] as const))(`the explorer and the search at seed ${DEFAULT_SEED} agree on %s where the explorer decides it within 10,000 states`, (_name, suite) => {
      if (suite.setup === null) return;
      const explored = explore(suite.setup, suite.checked, [], { maxStates: 10_000 });
      if (explored.verdict.kind === 'incomplete') return;
      const checked = suiteResult(suite, DEFAULT_SEED);
      if (explored.verdict.kind === 'complete') {
        expect(checked.verdict).toBe('holds');
      } else {
        expect(checked.verdict).toBe('violated');
        expect(checked.counterexample?.results[0]?.invariant).toBe(explored.verdict.results[0]?.invariant);
        // The checker's minimised counterexample is never shorter than the shortest one.
        expect(checked.counterexample?.events.length ?? 0).toBeGreaterThanOrEqual(explored.verdict.events.length);
      }
    });
  });
}
