/**
 * The broker's handling of produce requests (KafkaApis `handleProduceRequest`, ReplicaManager
 * `appendRecords`): reading a request off a connection, the leader append of each partition's
 * batch, and, for acks=all, the DelayedProduce parked in purgatory until the high watermark
 * passes every appended batch (`tryComplete`), leadership moves away, or it times out.
 */

import { connectionAt, inRange, partitionAt, replicaAt, setPartition } from './access.js';
import { appendAsLeader, maybeIncrementLeaderHw, replaceAt } from './broker.js';
import type { AppendRules } from './broker.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { EventRules, Setup } from './events.js';
import { faultOffReason, faultOn } from './faults.js';
import { tally, withStats } from './ghost.js';
import type { Tally } from './ghost.js';
import { breakConnection, setConnection } from './network.js';
import * as make from './records.js';
import { countFencedWrite, txnProduceCheck } from './txn-events.js';
import type { ErrorCode, PartitionResponse, PendingPartition, PendingProduce, State, Stats } from './types.js';

function appendRules(setup: Setup): AppendRules {
  return { window: dedupWindow(setup.config), ignoreSequences: setup.config.mutant?.kind === 'ignore-sequences' };
}

/** A partition of a produce request answered with an error before anything was appended. */
function rejectedEntry(partition: number, error: ErrorCode): PendingPartition {
  return make.pendingPartition({ partition, error, baseOffset: -1, requiredOffset: -1 });
}

/**
 * A broker reads a produce request and handles each partition's batch: NOT_LEADER_OR_FOLLOWER if
 * it does not lead it, NOT_ENOUGH_REPLICAS for acks=all below min ISR with nothing appended
 * (PART `appendRecordsToLeader`), else the leader append with its idempotence checks. Then:
 * acks=0 answers nothing but closes the connection on any error (KafkaApis `handleProduceRequest`);
 * acks=1 answers at once; acks=all parks the request until the HW passes every appended batch
 * (RM `delayedProduceRequestRequired`, DP), answering at once when it already has.
 */
function brokerReceive(setup: Setup, state: State, broker: number, nth: number): State {
  const { config } = setup;
  const minIsr = effectiveMinIsr(config.topic);
  const conn = connectionAt(state, broker);
  const request = conn.toBroker[nth];
  if (request === undefined) throw new Error(`model bug: no request at index ${nth} on the connection to broker ${broker}`);
  let next = setConnection(state, broker, make.connection({ ...conn, toBroker: conn.toBroker.filter((_, i) => i !== nth) }));
  const entries: PendingPartition[] = [];
  const stats: Tally = {};
  for (const wire of request.batches) {
    const partition = partitionAt(next, wire.partition);
    if (partition.leader !== broker) {
      tally(stats, 'notLeader');
      entries.push(rejectedEntry(wire.partition, 'NOT_LEADER_OR_FOLLOWER'));
      continue;
    }
    if (request.acks === -1 && partition.isr.length < minIsr) {
      tally(stats, 'notEnoughReplicas');
      entries.push(rejectedEntry(wire.partition, 'NOT_ENOUGH_REPLICAS'));
      continue;
    }
    if (wire.transactional === true && next.txn !== null) {
      const error = txnProduceCheck(setup, next, wire, replicaAt(partition, broker));
      if (error !== null) {
        if (error === 'INVALID_PRODUCER_EPOCH') {
          tally(stats, 'invalidEpoch');
          next = countFencedWrite(next);
        }
        entries.push(rejectedEntry(wire.partition, error));
        continue;
      }
    }
    const result = appendAsLeader(replicaAt(partition, broker), wire, partition.leaderEpoch, appendRules(setup));
    if (result.kind === 'rejected') {
      tally(stats, result.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' ? 'outOfOrder' : 'invalidEpoch');
      entries.push(rejectedEntry(wire.partition, result.error));
      continue;
    }
    if (result.kind === 'duplicate') tally(stats, 'dedupHits');
    if (result.kind === 'appended') {
      const updated = make.partition({ ...partition, replicas: replaceAt(partition.replicas, broker, result.replica) });
      next = setPartition(next, wire.partition, maybeIncrementLeaderHw(updated, minIsr));
    }
    entries.push(make.pendingPartition({ partition: wire.partition, error: 'NONE', baseOffset: result.baseOffset, requiredOffset: result.lastOffset + 1 }));
  }
  next = withStats(next, stats);
  const after = connectionAt(next, broker);

  if (request.acks === 0) {
    const failed = entries.some((e) => e.error !== 'NONE');
    return failed ? breakConnection(setup, next, broker, 'NETWORK_EXCEPTION') : next;
  }
  if (request.acks === 1) {
    const partitions = entries.map((e) => ({ partition: e.partition, error: e.error, baseOffset: e.baseOffset }));
    return setConnection(next, broker, make.connection({ ...after, toClient: [...after.toClient, { id: request.id, partitions }] }));
  }
  // acks=all: park the request and try to complete it at once (ReplicaManager tryCompleteElseWatch).
  return tryComplete(setConnection(next, broker, make.connection({ ...after, pending: make.pending({ id: request.id, partitions: entries }) })), broker, minIsr);
}

/**
 * DP `tryComplete` for one partition of a parked produce: its answer once decided, or undefined
 * while it must wait. A decided answer is fixed (requiredOffset -1), as DelayedProduce fixes
 * `responseStatus` and clears `acksPending` (PART `checkEnoughReplicasReachOffset`).
 */
function decide(state: State, broker: number, minIsr: number, entry: PendingPartition): PendingPartition | undefined {
  if (entry.requiredOffset < 0) return entry;
  const partition = partitionAt(state, entry.partition);
  if (partition.leader !== broker) return make.pendingPartition({ ...entry, error: 'NOT_LEADER_OR_FOLLOWER', baseOffset: -1, requiredOffset: -1 });
  if (replicaAt(partition, broker).hw < entry.requiredOffset) return undefined;
  const error: ErrorCode = partition.isr.length >= minIsr ? 'NONE' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
  return make.pendingPartition({ ...entry, error, requiredOffset: -1 });
}

/** Could `tryComplete` decide something now that is still open? */
function completable(state: State, broker: number, minIsr: number, pending: readonly PendingPartition[]): boolean {
  return pending.some((e) => e.requiredOffset >= 0 && decide(state, broker, minIsr, e) !== undefined);
}

/**
 * DelayedProduce.tryComplete on broker `broker`: decide every partition that can be decided, and
 * answer the request once all are (`forceComplete`). The broker then reads its next request.
 */
export function tryComplete(state: State, broker: number, minIsr: number): State {
  const conn = connectionAt(state, broker);
  const pending = conn.pending;
  if (pending === null) return state;
  const partitions = pending.partitions.map((e) => decide(state, broker, minIsr, e) ?? e);
  if (partitions.some((e) => e.requiredOffset >= 0)) {
    return setConnection(state, broker, make.connection({ ...conn, pending: make.pending({ ...pending, partitions }) }));
  }
  return answerParked(state, broker, make.pending({ ...pending, partitions }));
}

/** Answer a parked produce: partitions still waiting get REQUEST_TIMED_OUT (DP `onExpiration`). */
function answerParked(state: State, broker: number, pending: PendingProduce): State {
  const conn = connectionAt(state, broker);
  const partitions: PartitionResponse[] = pending.partitions.map((e) =>
    e.requiredOffset >= 0
      ? { partition: e.partition, error: 'REQUEST_TIMED_OUT', baseOffset: -1 }
      : { partition: e.partition, error: e.error, baseOffset: e.error === 'NONE' || e.error === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' ? e.baseOffset : -1 },
  );
  const next = withStats(state, responseStats(partitions));
  return setConnection(next, broker, make.connection({ ...conn, pending: null, toClient: [...conn.toClient, { id: pending.id, partitions }] }));
}

function responseStats(partitions: readonly PartitionResponse[]): Partial<Stats> {
  return {
    notLeader: partitions.filter((p) => p.error === 'NOT_LEADER_OR_FOLLOWER').length,
    notEnoughReplicasAfterAppend: partitions.filter((p) => p.error === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND').length,
  };
}

/** The parked produce on the connection to `broker`; the rule's enabling condition found one. */
function parked(state: State, broker: number): PendingProduce {
  const pending = connectionAt(state, broker).pending;
  if (pending === null) throw new Error(`model bug: broker ${broker} has no parked produce request`);
  return pending;
}

export const PRODUCE_EVENTS: EventRules<'BrokerReceive' | 'BrokerCompleteProduce' | 'BrokerProduceTimeout'> = {
  BrokerReceive: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is down`;
      const conn = connectionAt(state, event.broker);
      if (conn.toBroker.length === 0) return `no request is on its way to broker ${event.broker}`;
      if (conn.pending !== null) return `broker ${event.broker} is still answering the previous request on this connection`;
      if (event.nth !== 0 && !faultOn(setup, 'reorder-message')) return `nth must be 0 (${faultOffReason('reorder-message')})`;
      return inRange(event.nth, conn.toBroker.length) ? null : `nth must be 0..${conn.toBroker.length - 1}`;
    },
    apply: (setup, state, event) => brokerReceive(setup, state, event.broker, event.nth),
  },
  BrokerCompleteProduce: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      const pending = connectionAt(state, event.broker).pending;
      if (pending === null) return `broker ${event.broker} has no parked produce request`;
      return completable(state, event.broker, effectiveMinIsr(setup.config.topic), pending.partitions) ? null : 'the high watermark has not reached the request yet';
    },
    apply: (setup, state, event) => tryComplete(state, event.broker, effectiveMinIsr(setup.config.topic)),
  },
  BrokerProduceTimeout: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (connectionAt(state, event.broker).pending === null) return `broker ${event.broker} has no parked produce request`;
      return null;
    },
    // DelayedProduce expires: partitions still waiting are answered REQUEST_TIMED_OUT.
    apply(_setup, state, event) {
      return answerParked(state, event.broker, parked(state, event.broker));
    },
  },
};
