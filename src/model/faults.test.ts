/**
 * The fault table drives the model's enabling and counting: a fault left out disables its events
 * with its reason, each event of a fault uses up the fault's bound, and isFault agrees.
 */

import { describe, expect, it } from 'vitest';
import { play, setupWithFaults, walk } from '../checker/fixtures.js';
import type { Bounds, Fault } from './faults.js';
import { BOUNDS, FAULT_TABLE, FAULTS, FAULTS_OF_BOUND, faultOffReason, isFault } from './faults.js';
import { whyDisabled } from './system.js';
import type { State } from './types.js';

const BOUNDS_SMALL: Bounds = {
  recordsMax: 3,
  resendsMax: 2,
  eventsMax: 40,
  lostMessagesMax: 2,
  restartsMax: 1,
  crashesMax: 1,
  clusterChangesMax: 2,
  powerLossesMax: 1,
  consumerCrashesMax: 1,
  lostCommitResponsesMax: 1,
  rebalancesMax: 1,
  transactionsMax: 2,
  txnTimeoutsMax: 1,
  coordinatorFailoversMax: 1,
  delayedRequestsMax: 1,
  zombieStepsMax: 4,
  delayedProducesMax: 1,
};

/** A bound's counter in a state: State.counters, or the consumer or transactional side's. */
function counterIn(state: State | undefined, counter: string): number {
  const counters = { ...state?.counters, ...state?.consumers?.counters, ...state?.txn?.counters } as Record<string, number>;
  return counters[counter] ?? 0;
}

describe('Faults: the table', () => {
  it('each fault bound lists the faults whose events use it up, in table order', () => {
    expect(FAULTS_OF_BOUND).toEqual({
      lostMessagesMax: ['disconnect', 'request-timeout', 'drop-message', 'txn-request-timeout', 'marker-retry'],
      restartsMax: ['producer-restart'],
      crashesMax: ['broker-crash', 'broker-clean-shutdown'],
      clusterChangesMax: ['isr-shrink', 'leader-change', 'producer-state-loss'],
      powerLossesMax: ['power-loss'],
      consumerCrashesMax: ['consumer-crash'],
      lostCommitResponsesMax: ['lost-commit-response'],
      rebalancesMax: ['rebalance', 'poll-timeout'],
      zombieStepsMax: ['zombie'],
      txnTimeoutsMax: ['txn-timeout'],
      coordinatorFailoversMax: ['coordinator-failover'],
      delayedRequestsMax: ['delayed-request'],
      delayedProducesMax: ['delayed-produce'],
    });
  });

  it('a fault left out disables its events with its reason, before any other reason', () => {
    const { setup, last } = play({ network: 'lossy' }, []);
    for (const fault of FAULTS) {
      const without = { ...setup, faults: FAULTS.filter((f) => f !== fault) };
      for (const kind of FAULT_TABLE[fault].events) {
        if (FAULT_TABLE[fault].outOfOrderOnly) continue;
        // Out-of-range indices: the fault's reason still comes first.
        const event = { kind, broker: 9, partition: 9, replica: 9, nth: 9, direction: 'request' } as never;
        expect(whyDisabled(without, last, event), `${fault} ${kind}`).toBe(faultOffReason(fault));
      }
    }
  });

  it('every fault event, and only those and out-of-order reads, is a fault; each uses up its bound by one', () => {
    const producerSide = setupWithFaults({ network: 'lossy', 'replication.factor': 3, 'min.insync.replicas': 2, application: 'at-least-once' }, BOUNDS_SMALL);
    // The consumer faults need a consumer group (two consumers, so that a member can be evicted).
    const consumerSide = setupWithFaults({ consumer: 'process-then-commit', consumers: 2 }, BOUNDS_SMALL);
    // The transactional faults need transactional.id (and an old instance for the zombie's steps).
    const txnSide = setupWithFaults({ 'transactional.id': 't', partitions: 2, application: 'at-least-once' }, { ...BOUNDS_SMALL, eventsMax: 60 });
    const seen = new Set<Fault>();
    for (let seed = 0; seed < 240; seed++) {
      const setup = [producerSide, consumerSide, txnSide, txnSide][seed % 4] as typeof producerSide;
      const choices = Array.from({ length: setup === txnSide ? 60 : 40 }, (_, i) => (seed * 7919 + i * 104729) % 1024);
      const { events, states } = walk(setup, choices);
      events.forEach((event, i) => {
        const fault = FAULTS.find((f) => (FAULT_TABLE[f].events as readonly string[]).includes(event.kind) && (!FAULT_TABLE[f].outOfOrderOnly || ('nth' in event && event.nth > 0)));
        expect(isFault(event), event.kind).toBe(fault !== undefined);
        if (fault === undefined) return;
        seen.add(fault);
        const bound = FAULT_TABLE[fault].bound;
        if (bound === null) return;
        const counter = BOUNDS[bound].counter;
        expect(counterIn(states[i + 1], counter) - counterIn(states[i], counter), `${event.kind} uses up ${bound}`).toBe(1);
      });
    }
    expect([...seen].sort()).toEqual([...FAULTS].sort());
  });
});
