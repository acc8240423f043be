/**
 * `enabledEvents` and `canDrain` are the fast paths of the explorer and the random runner. They
 * must agree with the rules they shortcut: `enabledEvents` lists exactly the events `whyDisabled`
 * accepts, and `canDrain` says yes exactly when `drain` would write a request.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setupWithFaults, walk } from '../checker/fixtures.js';
import type { ConfigInput } from './config.js';
import { EVENT_KINDS } from './events.js';
import type { Event, EventKind, Setup } from './events.js';
import { canDrain, drain } from './producer-sender.js';
import { enabledEvents, whyDisabled } from './system.js';

const BOUNDS = {
  recordsMax: 4,
  resendsMax: 2,
  eventsMax: 40,
  lostMessagesMax: 3,
  restartsMax: 1,
  crashesMax: 2,
  clusterChangesMax: 2,
  powerLossesMax: 0,
  consumerCrashesMax: 2,
  lostCommitResponsesMax: 1,
  rebalancesMax: 2,
  transactionsMax: 3,
  txnTimeoutsMax: 1,
  coordinatorFailoversMax: 1,
  delayedRequestsMax: 1,
  zombieStepsMax: 4,
  delayedProducesMax: 1,
};

function setupFor(input: ConfigInput): Setup {
  return setupWithFaults(input, BOUNDS);
}

const SETUPS = [
  setupFor({}),
  setupFor({ 'max.in.flight.requests.per.connection': 1, partitions: 2 }),
  setupFor({ 'replication.factor': 3, 'min.insync.replicas': 2, partitions: 2, application: 'at-least-once' }),
  setupFor({ acks: '1', 'enable.idempotence': false, 'replication.factor': 2, 'unclean.leader.election.enable': true }),
  setupFor({ network: 'lossy', 'replication.factor': 2, partitions: 2 }),
  { ...setupFor({ 'replication.factor': 2 }), faults: [] },
  setupFor({ consumer: 'auto-commit', consumers: 2, partitions: 2 }),
  setupFor({ consumer: 'dedup-non-atomic', consumers: 2, 'replication.factor': 2, 'unclean.leader.election.enable': true, application: 'at-least-once' }),
  setupFor({ 'transactional.id': 't', partitions: 2, application: 'at-least-once', 'isolation.level': 'read_committed' }),
  setupFor({ 'transactional.id': 't', partitions: 2, 'transaction.version': 2, 'txn-app': 'ctp-separate-commit' }),
  setupFor({ 'transactional.id': 't', 'replication.factor': 3, 'min.insync.replicas': 2, 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' }),
];

/** Every event of the union for the setup's sizes, with indexes up to `nthMax`. */
function everyEvent(setup: Setup, nthMax: number): Event[] {
  const brokers = setup.config.topic.replicationFactor;
  const partitions = setup.config.topic.partitions;
  const nths = Array.from({ length: nthMax + 1 }, (_, n) => n);
  const bs = Array.from({ length: brokers }, (_, b) => b);
  const ps = Array.from({ length: partitions }, (_, p) => p);
  const cs = [0, 1, 2];
  const all: Event[] = [];
  const byKind: Record<EventKind, () => Event[]> = {
    AppSend: () => ps.map((partition) => ({ kind: 'AppSend', partition })),
    AppResend: () => nths.map((nth) => ({ kind: 'AppResend', nth })),
    ProducerResolve: () => [{ kind: 'ProducerResolve' }],
    ProducerDrain: () => bs.map((broker) => ({ kind: 'ProducerDrain', broker })),
    ProducerReceive: () => bs.flatMap((broker) => nths.map((nth) => ({ kind: 'ProducerReceive', broker, nth }) as Event)),
    ProducerDeliveryTimeout: () => ps.map((partition) => ({ kind: 'ProducerDeliveryTimeout', partition })),
    ProducerExpireBatches: () => [{ kind: 'ProducerExpireBatches' }],
    ProducerRequestTimeout: () => bs.map((broker) => ({ kind: 'ProducerRequestTimeout', broker })),
    ProducerRestart: () => [{ kind: 'ProducerRestart' }],
    NetworkDisconnect: () => bs.map((broker) => ({ kind: 'NetworkDisconnect', broker })),
    NetworkDrop: () =>
      bs.flatMap((broker) => (['request', 'response'] as const).flatMap((direction) => nths.map((nth) => ({ kind: 'NetworkDrop', broker, direction, nth }) as Event))),
    BrokerReceive: () => bs.flatMap((broker) => nths.map((nth) => ({ kind: 'BrokerReceive', broker, nth }) as Event)),
    BrokerCompleteProduce: () => bs.map((broker) => ({ kind: 'BrokerCompleteProduce', broker })),
    BrokerProduceTimeout: () => bs.map((broker) => ({ kind: 'BrokerProduceTimeout', broker })),
    ReplicaFetch: () => ps.flatMap((partition) => bs.map((replica) => ({ kind: 'ReplicaFetch', partition, replica }) as Event)),
    LeaderShrinkIsr: () => ps.flatMap((partition) => bs.map((replica) => ({ kind: 'LeaderShrinkIsr', partition, replica }) as Event)),
    BrokerCrash: () => bs.map((broker) => ({ kind: 'BrokerCrash', broker })),
    BrokerShutdown: () => bs.map((broker) => ({ kind: 'BrokerShutdown', broker })),
    BrokerRestart: () => bs.map((broker) => ({ kind: 'BrokerRestart', broker })),
    ControllerMoveLeader: () => ps.flatMap((partition) => bs.map((replica) => ({ kind: 'ControllerMoveLeader', partition, replica }) as Event)),
    BrokerExpireProducer: () =>
      ps.flatMap((partition) => bs.flatMap((replica) => nths.map((nth) => ({ kind: 'BrokerExpireProducer', partition, replica, nth }) as Event))),
    BrokerFlush: () => bs.map((broker) => ({ kind: 'BrokerFlush', broker })),
    BrokerPowerLoss: () => bs.map((broker) => ({ kind: 'BrokerPowerLoss', broker })),
    BrokerDelayProduce: () => bs.map((broker) => ({ kind: 'BrokerDelayProduce', broker })),
    BrokerReceiveDelayed: () => nths.map((nth) => ({ kind: 'BrokerReceiveDelayed', nth })),
    ConsumerPoll: () => cs.map((consumer) => ({ kind: 'ConsumerPoll', consumer })),
    ConsumerPollAutoCommit: () => cs.map((consumer) => ({ kind: 'ConsumerPollAutoCommit', consumer })),
    ConsumerFetch: () => cs.flatMap((consumer) => ps.map((partition) => ({ kind: 'ConsumerFetch', consumer, partition }) as Event)),
    ConsumerProcess: () => cs.map((consumer) => ({ kind: 'ConsumerProcess', consumer })),
    ConsumerWriteId: () => cs.map((consumer) => ({ kind: 'ConsumerWriteId', consumer })),
    ConsumerCommit: () => cs.map((consumer) => ({ kind: 'ConsumerCommit', consumer })),
    ConsumerCommitResponseLost: () => cs.map((consumer) => ({ kind: 'ConsumerCommitResponseLost', consumer })),
    ConsumerCrash: () => cs.map((consumer) => ({ kind: 'ConsumerCrash', consumer })),
    ConsumerRestart: () => cs.map((consumer) => ({ kind: 'ConsumerRestart', consumer })),
    GroupCompleteRebalance: () => [{ kind: 'GroupCompleteRebalance' }],
    GroupExpireSession: () => nths.map((nth) => ({ kind: 'GroupExpireSession', nth })),
    GroupEvictMember: () => nths.map((nth) => ({ kind: 'GroupEvictMember', nth })),
    GroupPrepareRebalance: () => [{ kind: 'GroupPrepareRebalance' }],
    AppInitTransactions: () => [{ kind: 'AppInitTransactions' }],
    AppBeginTransaction: () => [{ kind: 'AppBeginTransaction' }],
    AppCommitTransaction: () => [{ kind: 'AppCommitTransaction' }],
    AppAbortTransaction: () => [{ kind: 'AppAbortTransaction' }],
    ProducerSendTxnRequest: () => [{ kind: 'ProducerSendTxnRequest' }],
    ProducerReceiveTxnResponse: () => [{ kind: 'ProducerReceiveTxnResponse' }],
    ProducerTxnRequestTimeout: () => [{ kind: 'ProducerTxnRequestTimeout' }],
    CoordinatorReceive: () => nths.map((nth) => ({ kind: 'CoordinatorReceive', nth })),
    CoordinatorAppendLog: () => [{ kind: 'CoordinatorAppendLog' }],
    BrokerWriteMarker: () => nths.map((nth) => ({ kind: 'BrokerWriteMarker', nth })),
    CoordinatorAbortTimedOut: () => [{ kind: 'CoordinatorAbortTimedOut' }],
    CoordinatorFailover: () => [{ kind: 'CoordinatorFailover' }],
    CoordinatorRetryMarker: () => nths.map((nth) => ({ kind: 'CoordinatorRetryMarker', nth })),
    BrokerWriteLateMarker: () => nths.map((nth) => ({ kind: 'BrokerWriteLateMarker', nth })),
    AppCommitOffsets: () => [{ kind: 'AppCommitOffsets' }],
    ProducerZombieStep: () => nths.map((nth) => ({ kind: 'ProducerZombieStep', nth })),
    CoordinatorDelayRequest: () => nths.map((nth) => ({ kind: 'CoordinatorDelayRequest', nth })),
    CoordinatorReceiveDelayed: () => nths.map((nth) => ({ kind: 'CoordinatorReceiveDelayed', nth })),
    BrokerCompleteMarker: () => nths.map((nth) => ({ kind: 'BrokerCompleteMarker', nth })),
  };
  for (const kind of EVENT_KINDS) all.push(...byKind[kind]());
  return all;
}

const choicesArb = fc.array(fc.nat({ max: 1023 }), { minLength: 10, maxLength: 40 });
const key = (e: Event): string => JSON.stringify(e);

describe('Fast paths agree with the rules', () => {
  it('enabledEvents lists exactly the events whyDisabled accepts, each once', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SETUPS), choicesArb, (setup, choices) => {
        for (const state of walk(setup, choices).states) {
          const listed = enabledEvents(setup, state).map(key);
          const accepted = everyEvent(setup, 8)
            .filter((e) => whyDisabled(setup, state, e) === null)
            .map(key);
          expect(new Set(listed).size).toBe(listed.length);
          expect([...listed].sort()).toEqual([...accepted].sort());
          checked += 1;
        }
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(1000);
  });

  it('canDrain is true exactly when drain writes a request', () => {
    let yes = 0;
    let no = 0;
    // States where a drain stops at a partition that must wait while a batch is queued: the case
    // where answering "some queue is non-empty" would be wrong.
    let stopped = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SETUPS), choicesArb, (setup, choices) => {
        for (const state of walk(setup, choices).states) {
          const leaders = state.cluster.partitions.map((p) => p.leader);
          for (let b = 0; b < setup.config.topic.replicationFactor; b++) {
            const can = canDrain(state.producer, setup.config, b, leaders);
            expect(can).toBe(drain(state.producer, setup.config, b, leaders).request !== null);
            if (can) yes += 1;
            else no += 1;
            const queued = state.producer.partitions.some((part, p) => leaders[p] === b && part.queue.length > 0 && !part.muted);
            if (!can && queued && (state.producer.requests[b]?.length ?? 0) < setup.config.producer.maxInFlight) stopped += 1;
          }
        }
      }),
      { numRuns: 2000 },
    );
    // Both answers occur, so the comparison above tested something either way.
    expect(yes).toBeGreaterThan(100);
    expect(no).toBeGreaterThan(100);
    expect(stopped).toBeGreaterThan(10);
  });
});
