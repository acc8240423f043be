/**
 * The transaction coordinator (TC): its handlers for InitProducerId, AddPartitionsToTxn,
 * TxnOffsetCommit and EndTxn, its transitions through its log (TSM `appendTransactionToLog`), the
 * markers it writes to partition leaders (TMCM) and its failover. The rules are txn.ts's pure
 * functions (cited there); this file wires them to State. Aliases as in txn-types.ts.
 */

import * as make from './records.js';
import { at, partitionAt, replicaAt, setPartition } from './access.js';
import { appendControlAsLeader, maybeIncrementLeaderHw, replaceAt } from './broker.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { Setup } from './events.js';
import { txnView } from './txn-partition.js';
import type { CoordinatorMarker, PendingTxnWrite, TransactionMetadata, TxnClient, TxnCoordinator, TxnError, TxnMarker, TxnRequest, TxnResponse, TxnResult } from './txn-types.js';
import { addPartitions, appendMarker, completeTransaction, endTransaction, initProducerId, newTransactionMetadata } from './txn.js';
import type { InitResult } from './txn.js';
import type { State } from './types.js';
import { OFFSETS_PARTITION, TXN_TIMEOUT_MS, txnOf, visibleMeta, withClient, withCoordinator, withGhost, withTxn } from './txn-side.js';

// ---------------------------------------------------------------------------------------------
// The coordinator.
// ---------------------------------------------------------------------------------------------

/** A response on its way to the instance that sent the request; an instance that is gone never reads it. */
function deliver(state: State, response: TxnResponse): State {
  const t = txnOf(state);
  if (response.session === state.producer.session) return withClient(state, { ...t.client, responses: [...t.client.responses, response] });
  if (t.zombie !== null && t.zombie.producer.session === response.session) {
    return withTxn(state, { ...t, zombie: { ...t.zombie, client: { ...t.zombie.client, responses: [...t.zombie.client.responses, response] } } });
  }
  return state;
}

export function reply(request: TxnRequest, error: TxnError, producerId = -1, epoch = -1): TxnResponse {
  return { id: request.id, session: request.session, error, producerId, epoch };
}

/** Mutant `no-fence-bump`: the fence and the InitProducerId bump keep the epoch (txn.ts's rules bump it). */
export function withoutBump(before: TransactionMetadata, meta: TransactionMetadata): TransactionMetadata {
  return { ...meta, epoch: before.epoch, lastEpoch: before.lastEpoch };
}

export function unbumpedMarkers(markers: readonly TxnMarker[], epoch: number): readonly TxnMarker[] {
  return markers.map((m) => ({ ...m, epoch }));
}

/**
 * TC `handleInitProducerId` with a transactional.id: a new id gets metadata with a fresh pid (TC
 * `handleInitProducerId`, `producerIdManager.generateProducerId`); KIP-360's expected pid/epoch
 * must match the current or last one (TC `prepareInitProducerIdTransit`, `isValidProducerId`:
 * else PRODUCER_FENCED); then txn.ts `initProducerId`. A fence answers CONCURRENT_TRANSACTIONS at
 * once and the client retries (TC `handleInitProducerId`'s PrepareEpochFence branch).
 */
function receiveInit(setup: Setup, state: State, request: TxnRequest): State {
  const t = txnOf(state);
  const c = t.coordinator;
  let next = state;
  let meta = visibleMeta(c);
  if (meta === null) {
    meta = newTransactionMetadata(state.nextProducerId, TXN_TIMEOUT_MS, setup.config.txn?.version ?? 1);
    next = withCoordinator(make.state({ ...next, nextProducerId: next.nextProducerId + 1 }), { ...c, meta });
  }
  if (request.producerId >= 0 && !(request.producerId === meta.producerId && (request.epoch === meta.epoch || request.epoch === meta.lastEpoch))) {
    return withGhost(deliver(next, reply(request, 'PRODUCER_FENCED')), { fencedRequests: t.ghost.fencedRequests + 1 });
  }
  const mutant = setup.config.mutant?.kind === 'no-fence-bump';
  let result: InitResult = initProducerId(meta, next.nextProducerId, c.coordinatorEpoch);
  if (mutant && result.kind === 'ok') result = { ...result, meta: withoutBump(meta, result.meta), epoch: meta.epoch };
  if (mutant && result.kind === 'fencing') result = { ...result, meta: withoutBump(meta, result.meta), markers: unbumpedMarkers(result.markers, meta.epoch) };
  const coordinator = txnOf(next).coordinator;
  switch (result.kind) {
    case 'error':
      return deliver(next, reply(request, result.error));
    case 'ok':
      return withCoordinator(next, { ...coordinator, pending: { meta: result.meta, markers: [], reply: reply(request, 'NONE', result.producerId, result.epoch) } });
    case 'fencing':
      return deliver(withCoordinator(next, { ...coordinator, pending: { meta: result.meta, markers: result.markers, reply: null } }), reply(request, 'CONCURRENT_TRANSACTIONS'));
  }
}

/** TC `handleAddPartitionsToTransaction` (txn.ts `addPartitions`): a change waits for its log append, OK is answered after it. */
function receiveAddPartitions(state: State, request: TxnRequest): State {
  const c = txnOf(state).coordinator;
  const meta = visibleMeta(c);
  if (meta === null) return deliver(state, reply(request, 'INVALID_PRODUCER_ID_MAPPING'));
  const added = addPartitions(meta, request.producerId, request.epoch, request.partitions, 0);
  if (added.error === 'PRODUCER_FENCED') state = withGhost(state, { fencedRequests: txnOf(state).ghost.fencedRequests + 1 });
  if (added.error !== 'NONE' || added.meta === meta) return deliver(state, reply(request, added.error));
  return withCoordinator(state, { ...c, pending: { meta: added.meta, markers: [], reply: reply(request, 'NONE') } });
}

/**
 * ctp's AddOffsetsToTxn then TxnOffsetCommit, as one request here: the TC adds the group's
 * offsets partition to the transaction (TC `handleAddPartitionsToTransaction` with
 * `__consumer_offsets`' partition), and the group coordinator keeps the offset pending for the
 * producer id until the marker (GroupMetadata `prepareTxnOffsetCommit`). Two round trips in Kafka
 * under transaction.version=1; under version 2 the client sends TxnOffsetCommit alone (v5) and the
 * group coordinator adds the offsets partition through the same TC handler (4.0
 * `txnOffsetCommitRequestVersionToTransactionSupportedOperation`: ADD_PARTITION).
 */
function receiveTxnOffsetCommit(state: State, request: TxnRequest): State {
  const c = txnOf(state).coordinator;
  const meta = visibleMeta(c);
  if (meta === null) return deliver(state, reply(request, 'INVALID_PRODUCER_ID_MAPPING'));
  const added = addPartitions(meta, request.producerId, request.epoch, [OFFSETS_PARTITION], 0);
  if (added.error !== 'NONE') return deliver(state, reply(request, added.error));
  const t = txnOf(state);
  const grouped = withTxn(state, { ...t, group: { ...t.group, pendingOffset: { producerId: request.producerId, offset: request.offset } } });
  if (added.meta === meta) return deliver(grouped, reply(request, 'NONE'));
  return withCoordinator(grouped, { ...c, pending: { meta: added.meta, markers: [], reply: reply(request, 'NONE') } });
}

/** ctp-separate-commit: OffsetCommit outside the transaction (GroupCoordinator `handleCommitOffsets`), stored at once. */
function receiveOffsetCommit(state: State, request: TxnRequest): State {
  const t = txnOf(state);
  return deliver(withTxn(state, { ...t, group: { ...t.group, committed: request.offset } }), reply(request, 'NONE'));
}

/** TC `handleEndTransaction` (txn.ts `endTransaction`): Prepare* waits for its log append, then OK (TV2: with the bumped epoch) and the markers. */
function receiveEndTxn(state: State, request: TxnRequest): State {
  const t = txnOf(state);
  const c = t.coordinator;
  const meta = visibleMeta(c);
  if (meta === null || request.result === null) return deliver(state, reply(request, 'INVALID_PRODUCER_ID_MAPPING'));
  const ended = endTransaction(meta, request.producerId, request.epoch, request.result, true, c.coordinatorEpoch);
  if (ended.kind === 'answered') {
    const stale = !(t.client.inFlight?.id === request.id && request.session === state.producer.session);
    const fenced = ended.error === 'PRODUCER_FENCED' ? withGhost(state, { fencedRequests: t.ghost.fencedRequests + 1, staleEndTxnFenced: t.ghost.staleEndTxnFenced + (stale ? 1 : 0) }) : state;
    return deliver(fenced, reply(request, ended.error, meta.producerId, meta.epoch));
  }
  // An EndTxn that its client no longer waits for (a timed-out copy) and that starts a transition: the stale end of KAFKA-17754.
  const current = t.client.inFlight?.id === request.id && request.session === state.producer.session;
  let marked = current ? state : withGhost(state, { staleEndTxn: t.ghost.staleEndTxn + 1 });
  // An older instance's commit accepted after a newer one was answered its InitProducerId (ghost, for ZombieFenced).
  const fence = t.ghost.fence;
  if (request.result === 'COMMIT' && fence !== null && request.session < fence.session) marked = withGhost(marked, { zombieCommits: txnOf(marked).ghost.zombieCommits + 1 });
  return withCoordinator(marked, { ...c, pending: { meta: ended.meta, markers: ended.markers, reply: reply(request, 'NONE', ended.meta.producerId, ended.meta.epoch) } });
}

export function coordinatorReceive(setup: Setup, state: State, delayed: boolean, nth: number): State {
  const c = txnOf(state).coordinator;
  const request = at(delayed ? c.delayed : c.inbox, nth, 'coordinator request');
  const next = withCoordinator(state, delayed ? { ...c, delayed: c.delayed.filter((_, i) => i !== nth) } : { ...c, inbox: c.inbox.filter((_, i) => i !== nth) });
  switch (request.kind) {
    case 'InitProducerId':
      return receiveInit(setup, next, request);
    case 'AddPartitionsToTxn':
      return receiveAddPartitions(next, request);
    case 'EndTxn':
      return receiveEndTxn(next, request);
    case 'TxnOffsetCommit':
      return receiveTxnOffsetCommit(next, request);
    case 'OffsetCommit':
      return receiveOffsetCommit(next, request);
  }
}

/**
 * TSM `appendTransactionToLog` completes (acks=all on `__transaction_state`): the pending
 * transition is applied (TMD `completeTransitionTo`), its answer sent, and a Prepare*'s markers
 * handed to TMCM (`addTxnMarkersToSend`).
 */
export function coordinatorAppendLog(state: State): State {
  const t = txnOf(state);
  const c = t.coordinator;
  const pending = c.pending as PendingTxnWrite;
  const coordinator: TxnCoordinator = { ...c, meta: pending.meta, log: [...c.log, pending.meta], pending: null, markers: [...c.markers, ...pending.markers] };
  let next = withCoordinator(state, coordinator);
  if (pending.meta.state.startsWith('Complete') && c.coordinatorEpoch > 0 && t.ghost.failovers > 0) {
    next = withGhost(next, { preparedCompletedAfterFailover: t.ghost.preparedCompletedAfterFailover + 1 });
  }
  if (pending.reply !== null) next = deliver(next, pending.reply);
  // TMCM `addTxnMarkersToSend` ends with `maybeWriteTxnCompletion`: a Prepare* with no partition
  // (TV2's empty abort) is completed at once.
  return pending.meta.state.startsWith('Prepare') && pending.markers.length === 0 ? maybeComplete(next) : next;
}

/** What a partition leader did with a marker: appended at `offset`, or not (`offset` -1). */
export interface MarkerWrite {
  readonly state: State;
  /** `appended`; `rejected` by its epoch checks; `refused` below min.insync.replicas; `offsets`: the group coordinator's partition. */
  readonly outcome: 'appended' | 'rejected' | 'refused' | 'offsets';
  readonly offset: number;
}

/**
 * A marker's partition leader handles WriteTxnMarkers (KafkaApis `handleWriteTxnMarkersRequest`:
 * ReplicaManager `appendRecords` with `requiredAcks = -1`, origin COORDINATOR). With acks -1 an
 * ISR below min.insync.replicas refuses the append (PART `appendRecordsToLeader`:
 * NOT_ENOUGH_REPLICAS); then txn.ts `appendMarker`'s checks (a rejected marker changes nothing),
 * the append and the HW (PART `maybeIncrementLeaderHW`). The group's offsets partition: a COMMIT
 * makes the pending offset the committed one, an ABORT drops it (GroupMetadata
 * `completePendingTxnOffsetCommit`).
 */
export function writeMarker(setup: Setup, state: State, marker: TxnMarker): MarkerWrite {
  if (marker.partition === OFFSETS_PARTITION) {
    const t = txnOf(state);
    const pending = t.group.pendingOffset;
    if (pending === null || pending.producerId !== marker.producerId) return { state, outcome: 'offsets', offset: -1 };
    const committed = marker.result === 'COMMIT' ? pending.offset : t.group.committed;
    return { state: withTxn(state, { ...t, group: { committed, pendingOffset: null } }), outcome: 'offsets', offset: -1 };
  }
  const minIsr = effectiveMinIsr(setup.config.topic);
  const partition = partitionAt(state, marker.partition);
  if (partition.isr.length < minIsr) return { state, outcome: 'refused', offset: -1 };
  const leader = replicaAt(partition, partition.leader);
  if (appendMarker(txnView(leader), marker).kind === 'rejected') return { state, outcome: 'rejected', offset: -1 };
  const appended = appendControlAsLeader(leader, marker, partition.leaderEpoch, dedupWindow(setup.config));
  const updated = make.partition({ ...partition, replicas: replaceAt(partition.replicas, partition.leader, appended.replica) });
  return { state: setPartition(state, marker.partition, maybeIncrementLeaderHw(updated, minIsr)), outcome: 'appended', offset: appended.offset };
}

/** After the last marker is acknowledged, TMCM `maybeWriteTxnCompletion` → TMD `prepareComplete` (txn.ts `completeTransaction`), via the log. */
function maybeComplete(state: State): State {
  const c = txnOf(state).coordinator;
  if (c.markers.length > 0 || c.pending !== null || c.meta === null) return state;
  if (c.meta.state !== 'PrepareCommit' && c.meta.state !== 'PrepareAbort') return state;
  return withCoordinator(state, { ...c, pending: { meta: completeTransaction(c.meta), markers: [], reply: null } });
}

/** The answer a parked marker's leader gives it now, or null while it waits for the HW. */
export type MarkerAnswer = 'NONE' | 'NOT_LEADER_OR_FOLLOWER' | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';

/**
 * DelayedProduce `tryComplete` for a parked marker (PART `checkEnoughReplicasReachOffset`): the
 * leader gone → NOT_LEADER_OR_FOLLOWER (a leader that became a follower completes its parked
 * appends at once, RM `applyLocalFollowersDelta` → `completeDelayedFetchOrProduceRequests`, so a
 * new leader epoch answers it even if the broker leads again; a crashed leader's connection
 * breaks, which TMRH `onComplete` handles alike); the HW not past it → wait; else NONE, or
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank below min.insync.replicas meanwhile.
 */
export function markerAnswer(setup: Setup, state: State, marker: CoordinatorMarker): MarkerAnswer | null {
  const a = marker.appended;
  if (a === undefined) return null;
  const partition = partitionAt(state, marker.partition);
  if (partition.leader !== a.broker || partition.leaderEpoch !== a.leaderEpoch || state.cluster.alive[a.broker] !== true) return 'NOT_LEADER_OR_FOLLOWER';
  if (replicaAt(partition, a.broker).hw < a.requiredOffset) return null;
  return partition.isr.length >= effectiveMinIsr(setup.config.topic) ? 'NONE' : 'NOT_ENOUGH_REPLICAS_AFTER_APPEND';
}

/**
 * A leader handles a marker TMCM sends it (`writeMarker`). Appended, it is answered at once when
 * the HW already passes it (RM `appendRecords` → DelayedProducePurgatory `tryCompleteElseWatch`,
 * always so with replication.factor=1), else it stays TMCM's, parked at that leader until
 * `brokerCompleteMarker`. Rejected by its epoch checks, it leaves TMCM's set as an acknowledged
 * one does (TMRH instead cancels the transaction's markers, `removeMarkersForTxn`: a
 * simplification the model had before replication, kept).
 */
export function brokerWriteMarker(setup: Setup, state: State, nth: number): State {
  const c = txnOf(state).coordinator;
  const marker = at(c.markers, nth, 'marker');
  const rest = c.markers.filter((_, i) => i !== nth);
  const written = writeMarker(setup, withCoordinator(state, { ...c, markers: rest }), marker);
  if (written.outcome === 'refused') throw new Error('model bug: a marker written below min.insync.replicas');
  if (written.outcome !== 'appended') return maybeComplete(written.state);
  const partition = partitionAt(written.state, marker.partition);
  const parked: CoordinatorMarker = { ...marker, appended: { broker: partition.leader, leaderEpoch: partition.leaderEpoch, requiredOffset: written.offset + 1 } };
  if (markerAnswer(setup, written.state, parked) === 'NONE') return maybeComplete(written.state);
  const after = txnOf(written.state).coordinator;
  return withCoordinator(written.state, { ...after, markers: [...after.markers.slice(0, nth), parked, ...after.markers.slice(nth)] });
}

/**
 * A parked marker is answered (`markerAnswer`): NONE acknowledges it (TMRH: `removePartition`,
 * then `maybeWriteTxnCompletion` once none is left); NOT_LEADER_OR_FOLLOWER and
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND are retriable, and TMCM sends it again to the partition's
 * leader as it is then (TMRH → `addTxnMarkersToBrokerQueue`, "re-enqueue with possible new leaders").
 */
export function brokerCompleteMarker(setup: Setup, state: State, nth: number): State {
  const t = txnOf(state);
  const c = t.coordinator;
  const marker = at(c.markers, nth, 'marker');
  const answer = markerAnswer(setup, state, marker);
  if (answer === null) throw new Error('model bug: a marker answered before its HW or a leader change');
  if (answer === 'NONE') {
    const next = withTxn(state, { ...t, coordinator: { ...c, markers: c.markers.filter((_, i) => i !== nth) }, ghost: { ...t.ghost, markersReplicated: (t.ghost.markersReplicated ?? 0) + 1 } });
    return maybeComplete(next);
  }
  const { appended: _sent, ...unsent } = marker;
  const ghost = answer === 'NOT_LEADER_OR_FOLLOWER' ? { ...t.ghost, markersResent: (t.ghost.markersResent ?? 0) + 1 } : t.ghost;
  return withTxn(state, { ...t, coordinator: { ...c, markers: replaceAt(c.markers, nth, unsent) }, ghost });
}

/** Whether a marker can be sent to its leader now: not sent yet, and a live leader (the group coordinator always is). */
export function markerWritable(state: State, marker: CoordinatorMarker): boolean {
  if (marker.appended !== undefined) return false;
  if (marker.partition === OFFSETS_PARTITION) return true;
  const partition = partitionAt(state, marker.partition);
  return partition.leader >= 0 && state.cluster.alive[partition.leader] === true;
}

/**
 * The log partition's leadership moves (TC `onElection` → TSM `loadTransactionsForTxnTopicPartition`):
 * a new coordinator epoch, the metadata reloaded from the log's last record (a pending transition
 * never written is gone), requests to the old coordinator unanswered (the client's in-flight one
 * is sent again: NOT_COORDINATOR → FindCoordinator → retry, TM `TxnRequestHandler`), and the
 * markers of a Prepare* sent again with the new epoch (TMCM `addTxnMarkersToSend`). The old
 * coordinator's unacknowledged markers are dropped (TMCM `removeMarkersForTxnTopicPartition`).
 */
export function coordinatorFailover(state: State): State {
  const t = txnOf(state);
  const c = t.coordinator;
  const coordinatorEpoch = c.coordinatorEpoch + 1;
  const meta = c.log.length === 0 ? null : (c.log[c.log.length - 1] as TransactionMetadata);
  const preparing = meta !== null && (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort');
  const result: TxnResult = meta?.state === 'PrepareCommit' ? 'COMMIT' : 'ABORT';
  const markers: readonly TxnMarker[] = preparing ? meta.partitions.map((partition) => ({ partition, producerId: meta.producerId, epoch: meta.epoch, result, coordinatorEpoch })) : [];
  const coordinator: TxnCoordinator = { ...c, coordinatorEpoch, meta, pending: null, inbox: [], delayed: [], markers };
  const answered = (client: TxnClient): TxnClient => (client.inFlight !== null && !client.responses.some((r) => r.id === client.inFlight?.id) ? { ...client, inFlight: null } : client);
  const zombie = t.zombie === null ? null : { ...t.zombie, client: answered(t.zombie.client) };
  const next = withTxn(state, { ...t, coordinator, client: answered(t.client), zombie, ghost: { ...t.ghost, failovers: t.ghost.failovers + 1 } });
  return maybeComplete(next);
}
