/**
 * The cluster's events: follower replication (ReplicaFetch), the leader's ISR shrink, brokers
 * stopping and restarting, and the controller's leader moves; and a replica forgetting a producer
 * id. The partition rules they run are cluster.ts's and broker.ts's.
 */

import { badIndex, inRange, partitionAt, replicaAt, setPartition } from './access.js';
import { expireProducer, flushLog, loseUnflushed, reloadAfterRestart, replaceAt } from './broker.js';
import { fenceBroker, fetchHasWork, isOutOfSync, moveLeader, replicaFetch, shrinkIsr, unfenceBroker } from './cluster.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { EventRules, Setup } from './events.js';
import { faultOn } from './faults.js';
import { withStats } from './ghost.js';
import { breakConnection } from './network.js';
import { tryComplete } from './produce.js';
import * as make from './records.js';
import type { Replica, State } from './types.js';

/** Why (partition, replica) names no replica of the topic, or null. */
function badReplica(setup: Setup, partition: number, replica: number): string | null {
  return badIndex('partition', partition, setup.config.topic.partitions) ?? badIndex('replica', replica, setup.config.topic.replicationFactor);
}

/**
 * A broker stops, by a crash or a clean shutdown: the same here, since both restart from a
 * snapshot at the log end (broker.ts `reloadAfterRestart`). A controlled shutdown's leader moves
 * before the stop are ControllerMoveLeader events of their own.
 */
function stopBroker(setup: Setup, state: State, broker: number): State {
  const minIsr = effectiveMinIsr(setup.config.topic);
  let next = breakConnection(setup, state, broker, 'NETWORK_EXCEPTION');
  // The requests it held die with the process (delayed-produce).
  if (next.held.some((h) => h.broker === broker)) next = make.state({ ...next, held: next.held.filter((h) => h.broker !== broker) });
  const alive = replaceAt(next.cluster.alive, broker, false);
  const unclean = setup.config.topic.uncleanLeaderElection;
  let elections = 0;
  let uncleanElections = 0;
  const partitions = next.cluster.partitions.map((partition, p) => {
    const outcome = fenceBroker(partition, p, broker, alive, minIsr, unclean);
    if (outcome.elected) elections += 1;
    if (outcome.unclean) uncleanElections += 1;
    return outcome.partition;
  });
  next = make.state({ ...next, cluster: make.cluster({ alive, partitions }) });
  return withStats(next, { brokerCrashes: 1, leaderElections: elections, uncleanElections });
}

function restartBroker(setup: Setup, state: State, broker: number): State {
  const minIsr = effectiveMinIsr(setup.config.topic);
  const window = dedupWindow(setup.config);
  const unclean = setup.config.topic.uncleanLeaderElection;
  let elections = 0;
  let uncleanElections = 0;
  const partitions = state.cluster.partitions.map((partition) => {
    const reloaded = make.partition({ ...partition, replicas: replaceAt(partition.replicas, broker, reloadAfterRestart(replicaAt(partition, broker), window)) });
    const outcome = unfenceBroker(reloaded, broker, minIsr, unclean);
    if (outcome.elected) elections += 1;
    if (outcome.unclean) uncleanElections += 1;
    return outcome.partition;
  });
  const next: State = make.state({ ...state, cluster: make.cluster({ alive: replaceAt(state.cluster.alive, broker, true), partitions }) });
  return withStats(next, { leaderElections: elections, uncleanElections });
}

/** Apply `change` to every replica `broker` hosts. */
function onBroker(state: State, broker: number, change: (replica: Replica) => Replica): State {
  const partitions = state.cluster.partitions.map((partition) => {
    const replica = replicaAt(partition, broker);
    const changed = change(replica);
    return changed === replica ? partition : make.partition({ ...partition, replicas: replaceAt(partition.replicas, broker, changed) });
  });
  return make.state({ ...state, cluster: make.cluster({ ...state.cluster, partitions }) });
}

/**
 * Power loss: the broker stops as after a crash (the controller fences it), and each of its
 * replicas keeps only the log it had flushed (broker.ts `loseUnflushed`); it restarts through the
 * same unclean-restart path as after a crash (BrokerRestart, `reloadAfterRestart`).
 */
function powerLoss(setup: Setup, state: State, broker: number): State {
  let lost = 0;
  const stopped = stopBroker(setup, state, broker);
  const next = onBroker(stopped, broker, (replica) => {
    const outcome = loseUnflushed(replica);
    lost += outcome.lost;
    return outcome.replica;
  });
  return withStats(next, { powerLosses: 1, unflushedBatchesLost: lost });
}

/** BrokerCrash and BrokerShutdown: the same stop, each enabled by its own fault (faults.ts). */
function stopDisabled(setup: Setup, state: State, broker: number): string | null {
  const bad = badIndex('broker', broker, setup.config.topic.replicationFactor);
  if (bad !== null) return bad;
  if (state.cluster.alive[broker] !== true) return `broker ${broker} is already down`;
  return null;
}

type ClusterEventKind =
  | 'ReplicaFetch'
  | 'LeaderShrinkIsr'
  | 'BrokerCrash'
  | 'BrokerShutdown'
  | 'BrokerRestart'
  | 'ControllerMoveLeader'
  | 'BrokerExpireProducer'
  | 'BrokerFlush'
  | 'BrokerPowerLoss';

export const CLUSTER_EVENTS: EventRules<ClusterEventKind> = {
  ReplicaFetch: {
    disabled(setup, state, event) {
      const bad = badReplica(setup, event.partition, event.replica);
      if (bad !== null) return bad;
      const partition = partitionAt(state, event.partition);
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (partition.leader === event.replica) return `replica ${event.replica} is the leader`;
      if (state.cluster.alive[event.replica] !== true) return `broker ${event.replica} is down`;
      return fetchHasWork(partition, event.replica) ? null : `replica ${event.replica} is caught up and knows the HW`;
    },
    apply(setup, state, event) {
      const outcome = replicaFetch(partitionAt(state, event.partition), event.replica, effectiveMinIsr(setup.config.topic), dedupWindow(setup.config));
      const next = setPartition(state, event.partition, outcome.partition);
      return outcome.truncatedBatches > 0 ? withStats(next, { truncations: 1 }) : next;
    },
  },
  LeaderShrinkIsr: {
    disabled(setup, state, event) {
      const bad = badReplica(setup, event.partition, event.replica);
      if (bad !== null) return bad;
      const partition = partitionAt(state, event.partition);
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (!isOutOfSync(partition, event.replica)) return `replica ${event.replica} is not an out-of-sync ISR member`;
      return null;
    },
    apply(setup, state, event) {
      const next = setPartition(state, event.partition, shrinkIsr(partitionAt(state, event.partition), event.replica, effectiveMinIsr(setup.config.topic)));
      return withStats(next, { isrShrinks: 1 });
    },
  },
  BrokerCrash: {
    disabled: (setup, state, event) => stopDisabled(setup, state, event.broker),
    apply: (setup, state, event) => stopBroker(setup, state, event.broker),
  },
  BrokerShutdown: {
    disabled: (setup, state, event) => stopDisabled(setup, state, event.broker),
    // LogManager `shutdown` flushes every log before closing it (`log.flush(true)`).
    apply: (setup, state, event) => stopBroker(setup, onBroker(state, event.broker, flushLog), event.broker),
  },
  BrokerRestart: {
    disabled(setup, state, event) {
      const bad = badIndex('broker', event.broker, setup.config.topic.replicationFactor);
      if (bad !== null) return bad;
      return state.cluster.alive[event.broker] === true ? `broker ${event.broker} is running` : null;
    },
    apply: (setup, state, event) => restartBroker(setup, state, event.broker),
  },
  ControllerMoveLeader: {
    disabled(setup, state, event) {
      const bad = badReplica(setup, event.partition, event.replica);
      if (bad !== null) return bad;
      const partition = partitionAt(state, event.partition);
      if (partition.leader < 0) return `partition ${event.partition} has no leader`;
      if (partition.leader === event.replica) return `replica ${event.replica} already leads`;
      if (!partition.isr.includes(event.replica) || state.cluster.alive[event.replica] !== true) {
        return `replica ${event.replica} is not a live in-sync replica`;
      }
      return null;
    },
    apply(setup, state, event) {
      const minIsr = effectiveMinIsr(setup.config.topic);
      const partition = partitionAt(state, event.partition);
      // The old leader becomes a follower and completes its parked produce requests for the
      // partition at once: NOT_LEADER_OR_FOLLOWER (ReplicaManager applyLocalFollowersDelta →
      // completeDelayedFetchOrProduceRequests).
      const moved = setPartition(state, event.partition, moveLeader(partition, event.replica, minIsr));
      const next = tryComplete(moved, partition.leader, minIsr);
      return withStats(next, { leaderElections: 1 });
    },
  },
  BrokerFlush: {
    disabled(setup, state, event) {
      const bad = badIndex('broker', event.broker, setup.config.topic.replicationFactor);
      if (bad !== null) return bad;
      // Flushes change what a power loss keeps and nothing else: without that fault they are left out.
      if (!faultOn(setup, 'power-loss')) return 'flushes matter only with the power-loss fault';
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is down`;
      const unflushed = state.cluster.partitions.some((p) => {
        const replica = replicaAt(p, event.broker);
        return flushLog(replica) !== replica;
      });
      return unflushed ? null : `broker ${event.broker} has nothing unflushed`;
    },
    apply: (_setup, state, event) => onBroker(state, event.broker, flushLog),
  },
  BrokerPowerLoss: {
    disabled: (setup, state, event) => stopDisabled(setup, state, event.broker),
    apply: (setup, state, event) => powerLoss(setup, state, event.broker),
  },
  BrokerExpireProducer: {
    disabled(setup, state, event) {
      const bad = badReplica(setup, event.partition, event.replica);
      if (bad !== null) return bad;
      if (state.cluster.alive[event.replica] !== true) return `broker ${event.replica} is down`;
      const producers = replicaAt(partitionAt(state, event.partition), event.replica).producers;
      if (!inRange(event.nth, producers.length)) return `replica ${event.replica} has no producer entry at index ${event.nth}`;
      return null;
    },
    apply(_setup, state, event) {
      const partition = partitionAt(state, event.partition);
      const replica = replicaAt(partition, event.replica);
      const entry = replica.producers[event.nth];
      if (entry === undefined) throw new Error(`model bug: replica ${event.replica} has no producer entry at index ${event.nth}`);
      const next = setPartition(state, event.partition, make.partition({ ...partition, replicas: replaceAt(partition.replicas, event.replica, expireProducer(replica, entry.producerId)) }));
      return withStats(next, { producerStateLosses: 1 });
    },
  },
};
