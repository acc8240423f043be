/**
 * Naming a known mechanism: each shipped suite that shows a violation must be recognised from its
 * own counterexample (found by fast-check and shrunk, as a user's check would find it), and a
 * trace of another mechanism must not be given that suite's name.
 */

import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import { adHocSuite } from '../checker/ad-hoc.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { buildReport, buildReportFrom } from '../checker/build-report.js';
import { explore } from '../checker/explore.js';
import { runSuite } from '../checker/run-suite.js';
import { seedFromEnvironment } from '../checker/seed.js';
import type { Suite } from '../checker/suite.js';
import { knownMechanism } from './known.js';
import type { Report } from './report.js';

/** Suites that show a violation by a documented mechanism (mutants show a broken model on purpose). */
const SHOWN = SUITES.filter((s) => s.expect.verdict === 'violated' && !s.name.startsWith('mutant.'));

/** A suite that exists for a config Kafka accepts silently, with the mechanism of another suite. */
const SAME_AS: Readonly<Record<string, string>> = { 'config.implicit-acks-1-disables-idempotence': 'delivery.acks1-retry-duplicates' };

/** The shortest counterexample of an ad-hoc suite, as `explore` reports it. */
function shortestAdHoc(options: AdHocOptions): Report {
  const suite = adHocSuite(options);
  if (suite.setup === null) throw new Error('Kafka refuses this config');
  const found = explore(suite.setup, suite.checked, [], { maxStates: 200_000 });
  if (found.verdict.kind !== 'violated') throw new Error(`expected a violation, got ${found.verdict.kind}`);
  const length = found.verdict.events.length;
  const lengths = { found: length, shrunk: length, minimal: length, shortest: length };
  const firstFailure = found.verdict.results[0]?.invariant ?? '';
  return buildReportFrom(suite, { events: found.verdict.events, results: found.verdict.results, eventsMax: suite.bounds.eventsMax, fastCheck: null, explorer: null, firstFailure, lengths }, true);
}

function counterexample(suite: Suite): Report {
  const report = buildReport(suite, runSuite(suite, { seed: seedFromEnvironment(process.env), runs: suite.runs }), false);
  if (report === null) throw new Error(`${suite.name}: no counterexample`);
  return report;
}

describe('knownMechanism', () => {
  it('covers every suite that shows a violation', () => {
    expect(SHOWN.length).toBeGreaterThanOrEqual(12);
  });

  it.each(SHOWN.map((s) => [s.name, s] as const))('recognises the counterexample of %s as its own mechanism', (name, suite) => {
    expect(knownMechanism(counterexample(suite))?.suite).toBe(SAME_AS[name] ?? name);
  });

  it('names the snapshot mechanism for a broker that crashes once (log recovery snapshots at the log end and loads that)', () => {
    const report = shortestAdHoc({ config: { 'replication.factor': 1 }, faults: ['broker-crash', 'disconnect'], bounds: { crashesMax: 1 } });
    expect(report.events.filter((e) => e.kind === 'BrokerCrash')).toHaveLength(1);
    expect(knownMechanism(report)?.suite).toBe('finding.clean-broker-restart-duplicates');
  });

  it('names the unknown-producer mechanism by its cause, when the first batch was lost with a connection rather than rejected', () => {
    const report = shortestAdHoc({ config: { 'replication.factor': 2, 'min.insync.replicas': 1 }, faults: ['leader-change', 'disconnect'] });
    expect(report.violation.invariant).toBe('SessionOrderKept');
    expect(report.states.at(-1)?.ghost.stats.notLeader).toBe(0);
    expect(knownMechanism(report)?.suite).toBe('finding.new-producer-id-reordered-by-leader-move');
  });

  it('names nothing for a mutant, whose violation is the point', () => {
    const mutant = SUITES.find((s) => s.name === 'mutant.broker-ignores-sequences') as Suite;
    expect(knownMechanism(counterexample(mutant))).toBeNull();
  });

  it('names nothing when the trace lacks the mechanism: the deadline finding without its deadline failure', () => {
    const suite = SUITES.find((s) => s.name === 'finding.failure-after-deadline-rewrites-in-flight') as Suite;
    const report = counterexample(suite);
    // The same trace, with no step counted as a deadline failure: the bump has another cause.
    const states = report.states.map((state) => ({ ...state, ghost: { ...state.ghost, stats: { ...state.ghost.stats, deadlineFailures: 0 } } }));
    expect(knownMechanism({ ...report, states })).toBeNull();
  });
});
