/**
 * The broker's handling of produce requests (KafkaApis `handleProduceRequest`, ReplicaManager
 * `appendRecords`): reading a request off a connection, the leader append of each partition's
 * batch, and, for acks=all, the DelayedProduce parked in purgatory until the high watermark
 * passes every appended batch (`tryComplete`), leadership moves away, or it times out.
 */

import { at, connectionAt, inRange, partitionAt, replicaAt, requestsTo, setPartition } from './access.js';
import { appendAsLeader, logEndOffset, maybeIncrementLeaderHw, replaceAt } from './broker.js';
import type { AppendRules } from './broker.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { EventRules, Setup } from './events.js';
import { faultOffReason, faultOn } from './faults.js';
import { tally, withStats } from './ghost.js';
import type { Tally } from './ghost.js';
import { breakConnection, setConnection } from './network.js';
import * as make from './records.js';
import { countFencedWrite, txnProduceCheck } from './txn-events.js';
import type { ErrorCode, HeldProduce, PartitionResponse, PendingPartition, PendingProduce, ProduceRequest, State, Stats } from './types.js';

function appendRules(setup: Setup): AppendRules {
  return { window: dedupWindow(setup.config), ignoreSequences: setup.config.mutant?.kind === 'ignore-sequences' };
}

/** A partition of a produce request answered with an error before anything was appended. */
function rejectedEntry(partition: number, error: ErrorCode): PendingPartition {
  return make.pendingPartition({ partition, error, baseOffset: -1, requiredOffset: -1 });
}

/**
 * A broker handles a produce request's batches (KafkaApis `handleProduceRequest` →
 * ReplicaManager `appendRecords`): NOT_LEADER_OR_FOLLOWER if it does not lead the partition,
 * NOT_ENOUGH_REPLICAS for acks=all below min ISR with nothing appended (PART
 * `appendRecordsToLeader`), the transactional check (txn-events.ts `txnProduceCheck`), else the
 * leader append with its idempotence checks. Returns the state after the appends and each
 * partition's result; what the broker answers is the caller's.
 */
function handleProduce(setup: Setup, state: State, broker: number, request: ProduceRequest): { readonly state: State; readonly entries: readonly PendingPartition[] } {
  const minIsr = effectiveMinIsr(setup.config.topic);
  let next = state;
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
      const checked = txnProduceCheck(setup, next, wire, replicaAt(partition, broker));
      next = checked.state;
      const error = checked.error;
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
  return { state: withStats(next, stats), entries };
}

/** Whether two produce requests carry batches of the same producer id (ghost: a held request overtaken). */
function sameProducer(a: ProduceRequest, b: ProduceRequest): boolean {
  return a.batches.some((x) => x.producerId >= 0 && b.batches.some((y) => y.producerId === x.producerId));
}

/** Ghost: the held requests of the producer that sent `request` are overtaken by it. */
function markOvertaken(state: State, request: ProduceRequest): State {
  if (state.held.length === 0 || state.held.every((h) => h.overtaken || !sameProducer(h.request, request))) return state;
  const held = state.held.map((h): HeldProduce => (h.overtaken || !sameProducer(h.request, request) ? h : { ...h, overtaken: true }));
  return make.state({ ...state, held });
}

/**
 * A broker reads a produce request off a connection and handles it (`handleProduce`). Then:
 * acks=0 answers nothing but closes the connection on any error (KafkaApis `handleProduceRequest`);
 * acks=1 answers at once; acks=all parks the request until the HW passes every appended batch
 * (RM `delayedProduceRequestRequired`, DP), answering at once when it already has.
 */
function brokerReceive(setup: Setup, state: State, broker: number, nth: number): State {
  const minIsr = effectiveMinIsr(setup.config.topic);
  const conn = connectionAt(state, broker);
  const request = conn.toBroker[nth];
  if (request === undefined) throw new Error(`model bug: no request at index ${nth} on the connection to broker ${broker}`);
  const read = setConnection(state, broker, make.connection({ ...conn, toBroker: conn.toBroker.filter((_, i) => i !== nth) }));
  const handled = handleProduce(setup, read, broker, request);
  const entries = handled.entries;
  const next = markOvertaken(handled.state, request);
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
 * delayed-produce, first step: the broker's network thread has read the next request on the
 * connection (SocketServer Processor `processCompletedReceives` → RequestChannel `sendRequest`,
 * then `selector.mute`: nothing more is read from the connection until it is answered) and no
 * request handler has taken it yet, or one is still working on it. Then request.timeout.ms passes
 * on the client: NetworkClient `handleTimedOutRequests` closes the connection and fails every
 * request in flight on it, which the Sender completes as REQUEST_TIMED_OUT (SND
 * `handleProduceResponse`, `wasTimedOut`) and retries by its rules; requests the broker has not
 * read are lost with the connection, as with ProducerRequestTimeout. The broker keeps the request
 * it read (Selector `close`: a channel muted for a request in progress goes to `closingChannels`
 * "so that all received records may be processed").
 */
function brokerDelayProduce(setup: Setup, state: State, broker: number): State {
  const conn = connectionAt(state, broker);
  const request = conn.toBroker[0];
  if (request === undefined) throw new Error(`model bug: no request on the connection to broker ${broker}`);
  const read = setConnection(state, broker, make.connection({ ...conn, toBroker: conn.toBroker.slice(1) }));
  const held = make.state({ ...read, held: [...read.held, { broker, request, overtaken: false }] });
  return breakConnection(setup, held, broker, 'REQUEST_TIMED_OUT');
}

/**
 * delayed-produce, second step: a request handler handles the held request (KafkaRequestHandler
 * `run` → KafkaApis `handle`; nothing there asks whether the connection is still open) against the
 * leader's state now: the same checks and appends as BrokerReceive (`handleProduce`). The answer
 * goes nowhere: SocketServer Processor `sendResponse` finds no open connection ("Attempting to send
 * response via channel for which there is no open connection"); an acks=all request is answered
 * the same way once complete, so nothing is parked for it.
 */
function brokerReceiveDelayed(setup: Setup, state: State, nth: number): State {
  const held = at(state.held, nth, 'held produce request');
  const taken = make.state({ ...state, held: state.held.filter((_, i) => i !== nth) });
  const handled = handleProduce(setup, taken, held.broker, held.request);
  const stats: Tally = {};
  for (const e of handled.entries) {
    const before = logEndOffset(replicaAt(partitionAt(taken, e.partition), held.broker));
    const appended = e.error === 'NONE' && e.baseOffset >= before;
    if (appended && held.overtaken) tally(stats, 'lateAppends');
    if (!appended && e.error !== 'NOT_LEADER_OR_FOLLOWER' && e.error !== 'NOT_ENOUGH_REPLICAS') tally(stats, 'lateRefused');
  }
  if (held.request.acks !== 0) tally(stats, 'lostResponses');
  return markOvertaken(withStats(handled.state, stats), held.request);
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

export const PRODUCE_EVENTS: EventRules<'BrokerReceive' | 'BrokerCompleteProduce' | 'BrokerProduceTimeout' | 'BrokerDelayProduce' | 'BrokerReceiveDelayed'> = {
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
  BrokerDelayProduce: {
    disabled(setup, state, event) {
      const brokers = setup.config.topic.replicationFactor;
      if (!inRange(event.broker, brokers)) return `broker must be 0..${brokers - 1}`;
      if (state.cluster.alive[event.broker] !== true) return `broker ${event.broker} is down`;
      const conn = connectionAt(state, event.broker);
      const request = conn.toBroker[0];
      if (request === undefined) return `no request is on its way to broker ${event.broker}`;
      if (conn.pending !== null) return `broker ${event.broker} is still answering the previous request on this connection`;
      // request.timeout.ms applies to a request the client awaits an answer to (not acks=0).
      if (!requestsTo(state.producer, event.broker).some((r) => r.id === request.id)) return `the producer awaits no answer to the next request to broker ${event.broker}`;
      return null;
    },
    apply: (setup, state, event) => brokerDelayProduce(setup, state, event.broker),
  },
  BrokerReceiveDelayed: {
    disabled(_setup, state, event) {
      if (!inRange(event.nth, state.held.length)) return state.held.length === 0 ? 'no broker holds a produce request' : `nth must be 0..${state.held.length - 1}`;
      const broker = (state.held[event.nth] as HeldProduce).broker;
      // A broker that stops loses what it held (cluster-events.ts); this guards trace files.
      return state.cluster.alive[broker] === true ? null : `broker ${broker} is down`;
    },
    apply: (setup, state, event) => brokerReceiveDelayed(setup, state, event.nth),
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
