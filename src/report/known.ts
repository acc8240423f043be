/**
 * Which shipped suite a counterexample repeats. A user's ad-hoc check (or a suite expected to hold)
 * that breaks an invariant by a mechanism the project already documents should say so: "see
 * finding X" is a minute's reading, a fresh trace is ten.
 *
 * Each suite that shows a documented mechanism carries its own detector (`mechanism` in its
 * properties/ file), which reads the trace itself, never a suite name. The suites are given in the
 * order `check` runs them, and the first whose expected violation is the trace's and whose detector
 * recognises the trace is named; a trace none recognises gets no name, which says nothing more than
 * that, and a mutant's trace gets none.
 */

import type { Suite } from '../checker/suite.js';
import { resolveConfig } from '../model/config.js';
import type { Report } from './report.js';

export interface KnownMechanism {
  /** The suite that shows this mechanism. */
  readonly suite: string;
  /** The mechanism, in a clause. */
  readonly how: string;
}

type Trace = Pick<Report, 'configInput' | 'events' | 'states' | 'violation'>;

/** The suites a trace is compared with: their names, expectations and detectors. */
export type KnownSuites = readonly Pick<Suite, 'name' | 'expect' | 'mechanism'>[];

/**
 * The other shipped suite whose mechanism this counterexample repeats, or null: none for a mutant's
 * trace, none for a suite's own mechanism.
 */
export function otherKnownMechanism(report: Trace & Pick<Report, 'suite'>, suites: KnownSuites): KnownMechanism | null {
  const known = knownMechanism(report, suites);
  return known === null || known.suite === report.suite ? null : known;
}

/** The sentence a report or a table row gives for it. */
export function describeKnown(known: KnownMechanism): string {
  return `the trace repeats a known mechanism, shown by suite ${known.suite}: ${known.how} (npx idemcheck check --suite ${known.suite})`;
}

/** The first of `suites` whose mechanism this counterexample shows, or null. A mutant's trace gets none. */
export function knownMechanism(trace: Trace, suites: KnownSuites): KnownMechanism | null {
  const resolved = resolveConfig(trace.configInput);
  if (!resolved.ok || resolved.config.mutant !== null || trace.states.length === 0) return null;
  const read = { config: resolved.config, events: trace.events, states: trace.states, invariant: trace.violation.invariant, violations: trace.violation.violations };
  for (const suite of suites) {
    const { mechanism, expect } = suite;
    if (mechanism === null || expect.verdict !== 'violated' || expect.invariant !== read.invariant) continue;
    if (mechanism.shows(read)) return { suite: suite.name, how: mechanism.how };
  }
  return null;
}
