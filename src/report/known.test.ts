/**
 * Naming a known mechanism: each shipped suite that shows a violation must be recognised from its
 * own counterexample (found by fast-check and shrunk, as a user's check would find it), each
 * suite's detector must not claim another suite's counterexample, and a trace of a mechanism no
 * suite documents must not be given a suite's name.
 *
 * The tests on each suite's own counterexample are in properties/suite-tests.ts, beside the
 * suite's search, which they read rather than search and shrink again.
 */

import { describe, expect, it } from 'vitest';
import { SUITES } from '../../properties/index.js';
import { othersOf, SAME_AS, SHOWN } from '../../properties/suite-tests.js';
import { adHocSuite } from '../checker/ad-hoc.js';
import type { AdHocOptions } from '../checker/ad-hoc.js';
import { buildReport, buildReportFrom } from '../checker/build-report.js';
import { explore } from '../checker/explore.js';
import { replayScenario } from '../checker/replay.js';
import { runSuite } from '../checker/run-suite.js';
import { seedFromEnvironment } from '../checker/seed.js';
import type { Suite } from '../checker/suite.js';
import type { ConfigInput } from '../model/config.js';
import type { Event } from '../model/events.js';
import { invariantByName, violatedInvariants } from '../model/invariants.js';
import type { Invariant } from '../model/invariants.js';
import { knownMechanism } from './known.js';
import type { Report } from './report.js';

function suiteNamed(name: string): Suite {
  const suite = SUITES.find((s) => s.name === name);
  if (suite === undefined) throw new Error(`no suite ${name}`);
  return suite;
}

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

const counterexamples = new Map<string, Report>();

/** A suite's counterexample from its own runs (computed once per suite). */
function counterexample(suite: Suite): Report {
  const cached = counterexamples.get(suite.name);
  if (cached !== undefined) return cached;
  const report = buildReport(suite, runSuite(suite, { seed: seedFromEnvironment(process.env), runs: suite.runs }), false);
  if (report === null) throw new Error(`${suite.name}: no counterexample`);
  counterexamples.set(suite.name, report);
  return report;
}

/** A hand-written trace, replayed step by step, that breaks `invariant` in its last state. */
function handTrace(configInput: ConfigInput, invariant: string, events: readonly Event[]): Pick<Report, 'configInput' | 'events' | 'states' | 'violation'> {
  const { states } = replayScenario(configInput, events);
  const last = states.at(-1);
  const [result] = last === undefined ? [] : violatedInvariants(last, [invariantByName(invariant) as Invariant]);
  if (result === undefined) throw new Error(`the trace does not break ${invariant}`);
  const violation = { invariant, claim: '', why: '', violations: result.violations, explanation: '', firstFailure: invariant };
  return { configInput, events, states, violation };
}

describe('knownMechanism', () => {
  it('covers every suite that shows a violation: each has a detector, or the mechanism of one that has', () => {
    expect(SHOWN.length).toBeGreaterThanOrEqual(13);
    for (const suite of SHOWN) expect(suite.mechanism !== null || SAME_AS[suite.name] !== undefined, suite.name).toBe(true);
  });

  it("tries each detector on another suite's counterexample (properties/suite-tests.ts tries it on each)", () => {
    for (const suite of SHOWN) if (suite.mechanism !== null) expect(othersOf(suite).length, suite.name).toBeGreaterThan(0);
  });

  it('names a resend after a delivery timeout, with no producer restart, after no restart', () => {
    // The batch is appended, its deadline passes, and it expires in flight (TimeoutException); the
    // at-least-once application resends the record, a new send with the next sequence.
    const trace = handTrace({ application: 'at-least-once' }, 'NoDuplicateRecord', [
      { kind: 'AppSend', partition: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'ProducerDeliveryTimeout', partition: 0 },
      { kind: 'ProducerExpireBatches' },
      { kind: 'AppResend', nth: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
    ]);
    expect(trace.states.at(-1)?.ghost.stats.producerRestarts).toBe(0);
    expect(knownMechanism(trace, SUITES)?.suite).toBe('delivery.resend-after-timeout-duplicates');
  });

  it('names a resend after a producer restart after the restart, not after a delivery timeout', () => {
    const trace = handTrace({ application: 'at-least-once' }, 'NoDuplicateRecord', [
      { kind: 'AppSend', partition: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'ProducerRestart' },
      { kind: 'AppResend', nth: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
    ]);
    expect(trace.states.at(-1)?.ghost.stats.deliveryTimeouts).toBe(0);
    expect(knownMechanism(trace, SUITES)?.suite).toBe('restart.at-least-once-duplicates');
  });

  it('names a new producer id reordered below min ISR, with no leader move, by a name that does not claim one', () => {
    // b1 crashes, so the first batch is rejected with NOT_ENOUGH_REPLICAS; b1 comes back into the
    // ISR and the second is appended; its ack lost, the first's retry is OUT_OF_ORDER and "next",
    // and the epoch bump writes it after the second.
    const trace = handTrace({ 'replication.factor': 2, 'min.insync.replicas': 2 }, 'SessionOrderKept', [
      { kind: 'AppSend', partition: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'AppSend', partition: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerCrash', broker: 1 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'BrokerRestart', broker: 1 },
      { kind: 'ReplicaFetch', partition: 0, replica: 1 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'NetworkDisconnect', broker: 0 },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'ProducerReceive', broker: 0, nth: 0 },
      { kind: 'ProducerResolve' },
      { kind: 'ProducerDrain', broker: 0 },
      { kind: 'BrokerReceive', broker: 0, nth: 0 },
      { kind: 'ReplicaFetch', partition: 0, replica: 1 },
      { kind: 'ReplicaFetch', partition: 0, replica: 1 },
    ]);
    const stats = trace.states.at(-1)?.ghost.stats;
    expect(stats?.leaderElections).toBe(0);
    expect(stats?.notEnoughReplicas).toBe(1);
    const named = knownMechanism(trace, SUITES)?.suite;
    expect(named).toBe('finding.new-producer-id-reordered');
    expect(named).not.toMatch(/leader/);
  });

  it('names the snapshot mechanism for a broker that crashes once (log recovery snapshots at the log end and loads that)', () => {
    const report = shortestAdHoc({ config: { 'replication.factor': 1 }, faults: ['broker-crash', 'disconnect'], bounds: { crashesMax: 1 } });
    expect(report.events.filter((e) => e.kind === 'BrokerCrash')).toHaveLength(1);
    expect(knownMechanism(report, SUITES)?.suite).toBe('finding.clean-broker-restart-duplicates');
  });

  it('names the unknown-producer mechanism by its cause, when the first batch was lost with a connection rather than rejected', () => {
    const report = shortestAdHoc({ config: { 'replication.factor': 2, 'min.insync.replicas': 1 }, faults: ['leader-change', 'disconnect'] });
    expect(report.violation.invariant).toBe('SessionOrderKept');
    expect(report.states.at(-1)?.ghost.stats.notLeader).toBe(0);
    expect(knownMechanism(report, SUITES)?.suite).toBe('finding.new-producer-id-reordered');
  });

  it('names nothing when the trace lacks the mechanism: the deadline finding without its deadline failure', () => {
    const report = counterexample(suiteNamed('finding.failure-after-deadline-rewrites-in-flight'));
    // The same trace, with no step counted as a deadline failure: the bump has another cause.
    const states = report.states.map((state) => ({ ...state, ghost: { ...state.ghost, stats: { ...state.ghost.stats, deadlineFailures: 0 } } }));
    expect(knownMechanism({ ...report, states }, SUITES)).toBeNull();
  });

  it('names nothing for a resend whose send failed for another reason than a restart or a delivery timeout', () => {
    const report = counterexample(suiteNamed('delivery.resend-after-timeout-duplicates'));
    // The same trace, with no batch past its deadline and the failure given another error.
    const states = report.states.map((state) => ({
      ...state,
      producer: { ...state.producer, batches: state.producer.batches.map((b) => ({ ...b, deadlinePassed: false })) },
      ghost: { ...state.ghost, sends: state.ghost.sends.map((s) => (s.error === null ? s : { ...s, error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' })) },
    }));
    expect(knownMechanism({ ...report, states }, SUITES)).toBeNull();
  });
});
