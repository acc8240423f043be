/**
 * Reference §7, the worked examples: each reaches its anomaly in about the stated number of
 * steps under the stated config, and a bounded search finds no such anomaly under the config that
 * rules it out.
 *
 * Step counts: the reference counts "send m, batch transmitted" as one step; here the
 * application's send and the sender's drain are two events, and the broker reading the request
 * is a third, so counts are a little higher than the reference's.
 */

import { describe, expect, it } from 'vitest';
import { play } from '../checker/fixtures.js';
import { explore } from '../checker/explore.js';
import { firstViolation } from '../checker/replay.js';
import { defineSuite } from '../checker/suite.js';
import type { SuiteDefinition } from '../checker/suite.js';
import { invariantByName } from './invariants.js';
import type { Invariant } from './invariants.js';

function invariant(name: string): Invariant {
  const found = invariantByName(name);
  if (found === undefined) throw new Error(name);
  return found;
}

/** The 1-based step at which `name` first fails, or null. */
function failsAt(config: Record<string, string | number | boolean>, events: readonly string[], name: string): number | null {
  return firstViolation(play(config, events).states, [invariant(name)])?.step ?? null;
}

const bounds = { recordsMax: 2, resendsMax: 1, eventsMax: 30, lostMessagesMax: 2, restartsMax: 1, crashesMax: 1, clusterChangesMax: 1, powerLossesMax: 0 };

/** The invariants hold in every state reachable within the bounds: breadth-first search, not a sample. */
function holdsUnder(def: Omit<SuiteDefinition, 'name' | 'claim' | 'witnesses' | 'expect' | 'runs'>): void {
  const suite = defineSuite({ ...def, name: 'scenario', claim: 'ruled out', witnesses: [], expect: { verdict: 'holds' }, runs: 500 });
  if (suite.setup === null) throw new Error('the scenario config is rejected');
  expect(explore(suite.setup, suite.checked, [], { maxStates: 300_000 }).verdict).toEqual({ kind: 'complete' });
}

describe('Reference §7: non-idempotent retry creates a duplicate (5 steps)', () => {
  const events = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'NetworkDisconnect(b0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)'];

  it('with acks=1 and enable.idempotence=false the retry is appended again at step 6', () => {
    expect(failsAt({ acks: '1', 'enable.idempotence': false }, events, 'NoDuplicateRecord')).toBe(6);
  });

  it('with idempotence the same steps deduplicate the retry', () => {
    expect(failsAt({}, events, 'NoDuplicateRecord')).toBeNull();
    expect(play({}, events).last.ghost.stats.dedupHits).toBe(1);
  });

  it('with idempotence no interleaving within the bounds duplicates', () => {
    holdsUnder({ config: {}, faults: ['disconnect', 'request-timeout'], bounds, invariants: ['NoDuplicateRecord'] });
  });
});

describe('Reference §7: idempotent producer restarts after a lost ack, creating a duplicate (5 steps)', () => {
  const events = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerRestart', 'AppResend(#0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)'];

  it('the resend under a new producer id is accepted as new at step 7', () => {
    const { last } = play({ application: 'at-least-once' }, events);
    expect(last.producer.producerId).toBe(2);
    expect(failsAt({ application: 'at-least-once' }, events, 'NoDuplicateRecord')).toBe(7);
  });

  it('no producer setting prevents it: one request in flight and acks=all duplicate just the same', () => {
    const config = { application: 'at-least-once', 'max.in.flight.requests.per.connection': 1, acks: 'all', 'enable.idempotence': true };
    expect(failsAt(config, events, 'NoDuplicateRecord')).toBe(7);
  });

  it('without application resends restarts never duplicate', () => {
    holdsUnder({ config: {}, faults: ['disconnect', 'producer-restart'], bounds, invariants: ['NoDuplicateRecord'] });
  });
});

describe('Reference §7: acks=1 loses an acknowledged write on failover (4–5 steps)', () => {
  const events = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', 'BrokerCrash(b0)'];

  it('the cleanly elected follower never had it: lost at step 5', () => {
    expect(failsAt({ acks: '1', 'replication.factor': 2 }, events, 'NoAckedRecordLost')).toBe(5);
  });

  it('with acks=all the producer gets no ack before the follower has the record', () => {
    expect(() => play({ 'replication.factor': 2 }, events)).toThrow(/step 4 \(ProducerReceive\) is not enabled/);
    holdsUnder({ config: { 'replication.factor': 2 }, faults: ['broker-crash', 'disconnect'], bounds, invariants: ['NoAckedRecordLost'] });
  });
});

describe('Reference §7: more than 5 in flight against a 5-batch cache (a mutant, about 11 steps)', () => {
  const sixSent = Array.from({ length: 6 }, () => ['AppSend(p0)', 'ProducerDrain(b0)']).flat();
  const events = [
    ...sixSent,
    ...Array.from({ length: 6 }, () => 'BrokerReceive(b0)'),
    'NetworkDisconnect(b0)',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ProducerReceive(b0)',
    'ProducerResolve',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
  ];

  it('b1 falls out of the cache, its retry is OUT_OF_ORDER, the epoch bump rewrites it from sequence 0 and it is appended again', () => {
    expect(failsAt({ mutant: 'in-flight:6' }, events, 'NoDuplicateRecord')).toBe(25);
    const { last } = play({ mutant: 'in-flight:6' }, events);
    expect(last.ghost.stats).toMatchObject({ outOfOrder: 1, epochBumps: 1 });
  });

  it('max.in.flight.requests.per.connection <= 5 does not let the sixth batch out', () => {
    expect(() => play({}, events)).toThrow(/step 12 \(ProducerDrain\) is not enabled/);
  });
});

describe('Finding 3: a broker restart, clean or after a crash, keeps one batch per producer (14 steps)', () => {
  const restartAfter = (stop: string): string[] => [
    ...['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerReceive(b0)'],
    stop,
    'BrokerRestart(b0)',
    ...['ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', 'ProducerResolve', 'ProducerDrain(b0)', 'BrokerReceive(b0)'],
  ];

  it.each(['BrokerShutdown(b0)', 'BrokerCrash(b0)'])('after %s the retry of the first batch is OUT_OF_ORDER and the epoch bump appends both again', (stop) => {
    expect(failsAt({}, restartAfter(stop), 'NoDuplicateRecord')).toBe(14);
    const { last } = play({}, restartAfter(stop));
    expect(last.ghost.stats).toMatchObject({ outOfOrder: 1, epochBumps: 1 });
  });

  it('with one request in flight no interleaving within the bounds duplicates', () => {
    holdsUnder({
      config: { 'max.in.flight.requests.per.connection': 1 },
      faults: ['broker-crash', 'broker-clean-shutdown', 'disconnect'],
      bounds: { ...bounds, recordsMax: 3 },
      invariants: ['NoDuplicateRecord'],
    });
  });
});
