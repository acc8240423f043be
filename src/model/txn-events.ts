/**
 * The transactional side's events (issue 19, phase 2): the application's transaction calls, the
 * client's TransactionManager (TM) and its one request at a time to the transaction coordinator
 * (TC), the coordinator's transitions through its log (TSM `appendTransactionToLog`) and markers
 * (TMCM), its timeout abort and failover, a zombie instance, and late marker copies. The rules
 * themselves are txn.ts's pure functions (cited there); this file wires them to State, citing what
 * it adds. Aliases as in txn-types.ts.
 */

import { at, badIndex, inRange, partitionAt, replicaAt, setPartition } from './access.js';
import { appendControlAsLeader, logEndOffset, maybeIncrementLeaderHw, replaceAt } from './broker.js';
import { dedupWindow, effectiveMinIsr } from './config.js';
import type { ModelConfig } from './config.js';
import type { Event, EventRules, Setup } from './events.js';
import { faultOn } from './faults.js';
import { initialProducer } from './producer.js';
import * as make from './records.js';
import {
  abortIfTimedOut,
  addPartitions,
  appendMarker,
  appendTxnData,
  completeTransaction,
  endTransaction,
  initProducerId,
  newTransactionMetadata,
  tmTransitionValid,
  verifyPartition,
} from './txn.js';
import type { InitResult } from './txn.js';
import { txnView } from './txn-partition.js';
import type {
  GhostTxn,
  PendingTxnWrite,
  TmState,
  TransactionMetadata,
  TxnClient,
  TxnCoordinator,
  TxnError,
  TxnGhost,
  TxnMarker,
  TxnRequest,
  TxnResponse,
  TxnResult,
  TxnSide,
} from './txn-types.js';
import type { ErrorCode, Replica, State } from './types.js';

/** A consume-transform-produce application (txn-app=ctp or ctp-separate-commit). */
export function isCtp(config: ModelConfig): boolean {
  return config.txn?.app === 'ctp' || config.txn?.app === 'ctp-separate-commit';
}

/** transaction.timeout.ms (ProducerConfig default 60000): only its existence matters, the model's clock is abstract. */
const TXN_TIMEOUT_MS = 60000;

/** The topic-partition index of the group's offsets partition (`__consumer_offsets`) in a transaction (ctp). */
export const OFFSETS_PARTITION = -1;

export function newTxnClient(): TxnClient {
  return {
    tm: { state: 'UNINITIALIZED', producerId: -1, epoch: -1, partitionsInTxn: [], pendingPartitions: [], epochBumpRequired: false },
    ending: null,
    reinitAfterAbort: false,
    pendingOffset: -1,
    inFlight: null,
    responses: [],
    nextRequestId: 0,
  };
}

const EMPTY_TXN_GHOST: TxnGhost = {
  txns: [],
  initEpochs: [],
  fencedWrites: 0,
  fencedRequests: 0,
  timeoutAborts: 0,
  failovers: 0,
  preparedCompletedAfterFailover: 0,
  abortedSkipped: 0,
  staleEndTxn: 0,
  staleEndTxnFenced: 0,
  lateMarkersWritten: 0,
  zombieCommits: 0,
  fence: null,
};

export function initialTxnSide(config: ModelConfig): TxnSide | null {
  if (config.txn === null) return null;
  return {
    isolation: config.txn.isolation,
    ignoreAbortedIndex: config.mutant?.kind === 'ignore-aborted-index',
    coordinator: { coordinatorEpoch: 0, meta: null, log: [], pending: null, inbox: [], delayed: [], markers: [], lateMarkers: [] },
    client: newTxnClient(),
    zombie: null,
    group: { committed: 0, pendingOffset: null },
    position: -1,
    ghost: EMPTY_TXN_GHOST,
    counters: { transactions: 0, txnTimeouts: 0, coordinatorFailovers: 0, delayedRequests: 0, zombieSteps: 0 },
  };
}

export function txnOf(state: State): TxnSide {
  if (state.txn === null) throw new Error('model bug: a transactional rule ran without transactional.id');
  return state.txn;
}

function withTxn(state: State, txn: TxnSide): State {
  return make.state({ ...state, txn });
}

function withClient(state: State, client: TxnClient): State {
  return withTxn(state, { ...txnOf(state), client });
}

function withCoordinator(state: State, coordinator: TxnCoordinator): State {
  return withTxn(state, { ...txnOf(state), coordinator });
}

function withGhost(state: State, change: Partial<TxnGhost>): State {
  const t = txnOf(state);
  return withTxn(state, { ...t, ghost: { ...t.ghost, ...change } });
}

/** TM `transitionTo`: an invalid transition is a bug in the model (Kafka throws IllegalStateException). */
function tmTo(client: TxnClient, target: TmState): TxnClient {
  if (!tmTransitionValid(client.tm.state, target)) throw new Error(`model bug: TM transition ${client.tm.state} -> ${target}`);
  return { ...client, tm: { ...client.tm, state: target } };
}

/** The TM's producerIdAndEpoch is the accumulator's: the producer's pid/epoch move with it. */
function setProducerIdAndEpoch(state: State, producerId: number, epoch: number): State {
  const c = txnOf(state).client;
  const next = withClient(state, { ...c, tm: { ...c.tm, producerId, epoch } });
  return make.state({ ...next, producer: make.producer({ ...next.producer, producerId, epoch }) });
}

/** The coordinator's metadata as its handlers see it: a transition waiting for its log append is TMD `pendingState`. */
export function visibleMeta(c: TxnCoordinator): TransactionMetadata | null {
  if (c.meta === null) return null;
  return c.pending === null ? c.meta : { ...c.meta, pendingState: c.pending.meta.state };
}

/** The open logical transaction of the current session (ghost), or -1. */
function openTxnIndex(state: State, session = state.producer.session): number {
  const txns = txnOf(state).ghost.txns;
  for (let i = txns.length - 1; i >= 0; i--) {
    const t = txns[i] as GhostTxn;
    if (t.session === session && t.outcome === 'open') return i;
  }
  return -1;
}

/**
 * Close the session's open logical transaction with what the application was told; an
 * at-least-once application resends the records of a transaction that did not commit.
 */
export function closeOpenTxn(setup: Setup, state: State, outcome: GhostTxn['outcome'], session = state.producer.session): State {
  const i = openTxnIndex(state, session);
  if (i < 0) return state;
  const t = txnOf(state);
  const txn = t.ghost.txns[i] as GhostTxn;
  const txns = replaceAt(t.ghost.txns, i, { ...txn, outcome });
  let next = withGhost(state, { txns });
  // A consume-transform-produce application whose transaction did not commit seeks back to the input it had read (KafkaConsumer.seek), to process it again.
  if (outcome !== 'committed' && txn.input >= 0 && session === state.producer.session) next = withTxn(next, { ...txnOf(next), position: txn.input });
  return outcome === 'committed' ? next : resendTxn(setup, next, txn);
}

/** An at-least-once application sends the records of a transaction that did not commit again. */
function resendTxn(setup: Setup, state: State, txn: GhostTxn): State {
  if (setup.config.application !== 'at-least-once' || isCtp(setup.config)) return state;
  let toResend = state.application.toResend;
  for (const send of txn.sends) {
    const record = at(state.ghost.sends, send, 'send').record;
    if (!toResend.includes(record)) toResend = [...toResend, record];
  }
  return toResend === state.application.toResend ? state : make.state({ ...state, application: { toResend } });
}

/** The input of this session's last transaction if commitTransaction() returned for it, else -1 (ctp-separate-commit commits its offset next). */
function lastCommittedInput(state: State): number {
  const txns = txnOf(state).ghost.txns;
  for (let i = txns.length - 1; i >= 0; i--) {
    const t = txns[i] as GhostTxn;
    if (t.session !== state.producer.session) continue;
    return t.outcome === 'committed' ? t.input : -1;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// The application's calls and send().
// ---------------------------------------------------------------------------------------------

/** Why the application cannot send now (KafkaProducer.send → TM `maybeAddPartition` needs IN_TRANSACTION), or null. */
export function txnSendDisabled(setup: Setup, state: State): string | null {
  const t = txnOf(state);
  if (t.client.tm.state !== 'IN_TRANSACTION') return `the transaction manager is ${t.client.tm.state}, not IN_TRANSACTION`;
  if (isCtp(setup.config)) {
    const i = openTxnIndex(state);
    if (i >= 0 && (t.ghost.txns[i] as GhostTxn).sends.length > 0) return 'the transaction already holds the output of its input record';
  }
  return null;
}

/** The record a ctp application writes next: its input offset (the output's key). */
export function ctpRecord(state: State): number {
  return txnOf(state).position;
}

/**
 * After `appSend` put send `send` in the accumulator: TM `maybeAddPartition` notes a partition not
 * yet in the transaction (its batches wait until AddPartitionsToTxn answers,
 * `isSendToPartitionAllowed`), and the ghost adds the send to the open transaction. ctp: the
 * input offset is consumed (the position moves past it).
 */
export function txnAfterSend(setup: Setup, state: State, partition: number, send: number): State {
  const t = txnOf(state);
  const tm = t.client.tm;
  const known = tm.partitionsInTxn.includes(partition) || tm.pendingPartitions.includes(partition);
  const client = known ? t.client : { ...t.client, tm: { ...tm, pendingPartitions: [...tm.pendingPartitions, partition].sort((a, b) => a - b) } };
  const i = openTxnIndex(state);
  if (i < 0) throw new Error('model bug: a transactional send without an open transaction');
  const txn = t.ghost.txns[i] as GhostTxn;
  const ctp = isCtp(setup.config);
  const updated: GhostTxn = { ...txn, sends: [...txn.sends, send], input: ctp ? t.position : txn.input };
  return withTxn(state, { ...t, client, position: ctp ? t.position + 1 : t.position, ghost: { ...t.ghost, txns: replaceAt(t.ghost.txns, i, updated) } });
}

/**
 * TM `maybeTransitionToErrorState` for a failed batch: the transaction becomes abortable (and an
 * epoch bump is required unless it is completing), or fatal for a fence; ABORTING stays
 * (`transitionToAbortableError` skips it). Called with every failed completion (application.ts).
 */
export function txnOnBatchFailed(state: State, error: string): State {
  if (state.txn === null || error === 'producer restarted') return state;
  const c = state.txn.client;
  const s = c.tm.state;
  if (s !== 'IN_TRANSACTION' && s !== 'COMMITTING_TRANSACTION' && s !== 'ABORTABLE_ERROR') return state;
  const completing = s === 'COMMITTING_TRANSACTION';
  const next = tmTo(c, 'ABORTABLE_ERROR');
  return withClient(state, { ...next, ending: null, tm: { ...next.tm, epochBumpRequired: next.tm.epochBumpRequired || !completing } });
}

/** The accumulator's batches that are not complete (RA `hasIncomplete`). */
function hasIncompleteBatches(state: State): boolean {
  return state.producer.batches.some((b) => !b.done);
}

/** TM `isSendToPartitionAllowed` for the drain: only partitions in the transaction, none after a fatal error. */
export function sendAllowed(state: State): readonly number[] | null {
  if (state.txn === null) return null;
  const tm = state.txn.client.tm;
  return tm.state === 'FATAL_ERROR' ? [] : tm.partitionsInTxn;
}

// ---------------------------------------------------------------------------------------------
// The TransactionManager's requests.
// ---------------------------------------------------------------------------------------------

type NextRequest = { readonly kind: 'send'; readonly request: Omit<TxnRequest, 'id' | 'session'> } | { readonly kind: 'complete-locally' } | null;

/**
 * TM `nextRequest` (3.8.0) with `hasIncompleteBatches`: InitProducerId while INITIALIZING (with
 * KIP-360's expected pid/epoch after an abort that needs a bump); AddPartitionsToTxn for new
 * partitions; ctp: the offsets (AddOffsetsToTxn + TxnOffsetCommit) before the commit; EndTxn once
 * no batch is incomplete, or a local completion when no partition was ever added
 * (`transactionStarted` false, TM line 797).
 */
function nextRequest(state: State): NextRequest {
  const c = txnOf(state).client;
  if (c.inFlight !== null) return null;
  const tm = c.tm;
  switch (tm.state) {
    case 'INITIALIZING':
      return {
        kind: 'send',
        request: { kind: 'InitProducerId', producerId: c.reinitAfterAbort ? tm.producerId : -1, epoch: c.reinitAfterAbort ? tm.epoch : -1, partitions: [], result: null, offset: -1 },
      };
    case 'IN_TRANSACTION':
    case 'COMMITTING_TRANSACTION':
    case 'ABORTING_TRANSACTION': {
      if (tm.pendingPartitions.length > 0) {
        return { kind: 'send', request: { kind: 'AddPartitionsToTxn', producerId: tm.producerId, epoch: tm.epoch, partitions: tm.pendingPartitions, result: null, offset: -1 } };
      }
      if (c.ending === null) return null;
      if (c.pendingOffset >= 0) {
        return { kind: 'send', request: { kind: 'TxnOffsetCommit', producerId: tm.producerId, epoch: tm.epoch, partitions: [OFFSETS_PARTITION], result: null, offset: c.pendingOffset } };
      }
      if (hasIncompleteBatches(state)) return null;
      if (tm.partitionsInTxn.length === 0) return { kind: 'complete-locally' };
      return { kind: 'send', request: { kind: 'EndTxn', producerId: tm.producerId, epoch: tm.epoch, partitions: [], result: c.ending, offset: -1 } };
    }
    default:
      return null;
  }
}

/** The transaction ended as the application is told (TM `completeTransaction`): READY, or re-init for KIP-360's bump. */
function completeTransactionLocally(setup: Setup, state: State): State {
  const c = txnOf(state).client;
  const result = c.ending;
  const reinit = result === 'ABORT' && c.tm.epochBumpRequired;
  const moved = tmTo(c, reinit ? 'INITIALIZING' : 'READY');
  const client: TxnClient = { ...moved, ending: null, reinitAfterAbort: reinit, pendingOffset: -1, tm: { ...moved.tm, partitionsInTxn: [], pendingPartitions: [] } };
  return closeOpenTxn(setup, withClient(state, client), result === 'COMMIT' ? 'committed' : 'aborted');
}

function sendTxnRequest(setup: Setup, state: State): State {
  const next = nextRequest(state);
  if (next === null) throw new Error('model bug: ProducerSendTxnRequest with nothing to send');
  if (next.kind === 'complete-locally') return completeTransactionLocally(setup, state);
  const t = txnOf(state);
  const request: TxnRequest = { ...next.request, id: t.client.nextRequestId, session: state.producer.session };
  const client: TxnClient = { ...t.client, inFlight: request, nextRequestId: t.client.nextRequestId + 1 };
  return withTxn(state, { ...t, client, coordinator: { ...t.coordinator, inbox: [...t.coordinator.inbox, request] } });
}

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

function reply(request: TxnRequest, error: TxnError, producerId = -1, epoch = -1): TxnResponse {
  return { id: request.id, session: request.session, error, producerId, epoch };
}

/** Mutant `no-fence-bump`: the fence and the InitProducerId bump keep the epoch (txn.ts's rules bump it). */
function withoutBump(before: TransactionMetadata, meta: TransactionMetadata): TransactionMetadata {
  return { ...meta, epoch: before.epoch, lastEpoch: before.lastEpoch };
}

function unbumpedMarkers(markers: readonly TxnMarker[], epoch: number): readonly TxnMarker[] {
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
 * producer id until the marker (GroupMetadata `prepareTxnOffsetCommit`). Two round trips in Kafka.
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

function coordinatorReceive(setup: Setup, state: State, delayed: boolean, nth: number): State {
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
function coordinatorAppendLog(state: State): State {
  const t = txnOf(state);
  const c = t.coordinator;
  const pending = c.pending as PendingTxnWrite;
  const coordinator: TxnCoordinator = { ...c, meta: pending.meta, log: [...c.log, pending.meta], pending: null, markers: [...c.markers, ...pending.markers] };
  let next = withCoordinator(state, coordinator);
  if (pending.meta.state.startsWith('Complete') && c.coordinatorEpoch > 0 && t.ghost.failovers > 0) {
    next = withGhost(next, { preparedCompletedAfterFailover: t.ghost.preparedCompletedAfterFailover + 1 });
  }
  return pending.reply === null ? next : deliver(next, pending.reply);
}

/**
 * A marker's partition leader handles WriteTxnMarkers (KafkaApis `handleWriteTxnMarkersRequest`,
 * txn.ts `appendMarker` then the append, origin COORDINATOR). A rejected marker changes nothing.
 * The group's offsets partition: a COMMIT makes the pending offset the committed one, an ABORT
 * drops it (GroupMetadata `completePendingTxnOffsetCommit`).
 */
function writeMarker(setup: Setup, state: State, marker: TxnMarker): State {
  if (marker.partition === OFFSETS_PARTITION) {
    const t = txnOf(state);
    const pending = t.group.pendingOffset;
    if (pending === null || pending.producerId !== marker.producerId) return state;
    const committed = marker.result === 'COMMIT' ? pending.offset : t.group.committed;
    return withTxn(state, { ...t, group: { committed, pendingOffset: null } });
  }
  const partition = partitionAt(state, marker.partition);
  const leader = replicaAt(partition, partition.leader);
  if (appendMarker(txnView(leader), marker).kind === 'rejected') return state;
  const appended = appendControlAsLeader(leader, marker, partition.leaderEpoch, dedupWindow(setup.config));
  const updated = make.partition({ ...partition, replicas: replaceAt(partition.replicas, partition.leader, appended.replica) });
  return setPartition(state, marker.partition, maybeIncrementLeaderHw(updated, effectiveMinIsr(setup.config.topic)));
}

/** After the last marker is acknowledged, TMCM `maybeWriteTxnCompletion` → TMD `prepareComplete` (txn.ts `completeTransaction`), via the log. */
function maybeComplete(state: State): State {
  const c = txnOf(state).coordinator;
  if (c.markers.length > 0 || c.pending !== null || c.meta === null) return state;
  if (c.meta.state !== 'PrepareCommit' && c.meta.state !== 'PrepareAbort') return state;
  return withCoordinator(state, { ...c, pending: { meta: completeTransaction(c.meta), markers: [], reply: null } });
}

function brokerWriteMarker(setup: Setup, state: State, nth: number): State {
  const c = txnOf(state).coordinator;
  const marker = at(c.markers, nth, 'marker');
  const next = withCoordinator(state, { ...c, markers: c.markers.filter((_, i) => i !== nth) });
  return maybeComplete(writeMarker(setup, next, marker));
}

/** Leaders a marker can be written to now (the group coordinator always is). */
function markerWritable(state: State, marker: TxnMarker): boolean {
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
function coordinatorFailover(state: State): State {
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

// ---------------------------------------------------------------------------------------------
// The client reads a response.
// ---------------------------------------------------------------------------------------------

/** TM's handlers' fatal errors: PRODUCER_FENCED, INVALID_PRODUCER_EPOCH and INVALID_TXN_STATE on coordinator RPCs (TM `InitProducerIdHandler`, `AddPartitionsToTxnHandler`, `EndTxnHandler`). */
function fatalOnRpc(error: TxnError): boolean {
  return error === 'PRODUCER_FENCED' || error === 'INVALID_PRODUCER_EPOCH' || error === 'INVALID_TXN_STATE' || error === 'TRANSACTION_COORDINATOR_FENCED';
}

function toFatal(setup: Setup, state: State): State {
  const c = txnOf(state).client;
  const next = withClient(state, { ...tmTo(c, 'FATAL_ERROR'), ending: null });
  return closeOpenTxn(setup, next, 'failed');
}

function receiveTxnResponse(setup: Setup, state: State): State {
  const t = txnOf(state);
  const c = t.client;
  const response = c.responses[0] as TxnResponse;
  let next = withClient(state, { ...c, responses: c.responses.slice(1) });
  const request = c.inFlight;
  // A response to a request the TM no longer waits for (timed out, sent again) is dropped.
  if (request === null || request.id !== response.id) return next;
  next = withClient(next, { ...txnOf(next).client, inFlight: null });
  if (response.error === 'CONCURRENT_TRANSACTIONS') return next; // retried: the TM re-enqueues it (TxnRequestHandler `reenqueue`)
  if (fatalOnRpc(response.error)) return toFatal(setup, next);
  switch (request.kind) {
    case 'InitProducerId': {
      if (response.error !== 'NONE') return toFatal(setup, next);
      // TM `InitProducerIdHandler.handleResponse`: setProducerIdAndEpoch, READY (partitions reset).
      next = setProducerIdAndEpoch(next, response.producerId, response.epoch);
      const cl = txnOf(next).client;
      const ready = tmTo(cl, 'READY');
      next = withClient(next, { ...ready, reinitAfterAbort: false, tm: { ...ready.tm, epochBumpRequired: false, partitionsInTxn: [], pendingPartitions: [] } });
      const g = txnOf(next).ghost;
      const initEpochs = Array.from({ length: Math.max(g.initEpochs.length, state.producer.session + 1) }, (_, i) => g.initEpochs[i] ?? -1);
      initEpochs[state.producer.session] = response.epoch;
      const logEnds = next.cluster.partitions.map((p) => (p.leader < 0 ? 0 : logEndOffset(replicaAt(p, p.leader))));
      next = withGhost(next, { initEpochs, fence: { session: state.producer.session, producerId: response.producerId, epoch: response.epoch, logEnds } });
      // ctp: the new instance's consumer starts from the group's committed offset (SS `resetToCommitted`).
      if (isCtp(setup.config) && txnOf(next).position < 0) next = withTxn(next, { ...txnOf(next), position: txnOf(next).group.committed });
      return next;
    }
    case 'AddPartitionsToTxn': {
      if (response.error !== 'NONE') return withClient(next, { ...tmTo(txnOf(next).client, 'ABORTABLE_ERROR'), ending: null });
      const cl = txnOf(next).client;
      const partitionsInTxn = [...new Set([...cl.tm.partitionsInTxn, ...request.partitions])].sort((a, b) => a - b);
      return withClient(next, { ...cl, tm: { ...cl.tm, partitionsInTxn, pendingPartitions: cl.tm.pendingPartitions.filter((p) => !request.partitions.includes(p)) } });
    }
    case 'TxnOffsetCommit': {
      const cl = txnOf(next).client;
      if (response.error !== 'NONE') return withClient(next, { ...tmTo(cl, 'ABORTABLE_ERROR'), ending: null, pendingOffset: -1 });
      return withClient(next, { ...cl, pendingOffset: -1, tm: { ...cl.tm, partitionsInTxn: [...new Set([...cl.tm.partitionsInTxn, OFFSETS_PARTITION])].sort((a, b) => a - b) } });
    }
    case 'OffsetCommit':
      return next;
    case 'EndTxn': {
      if (response.error !== 'NONE') return toFatal(setup, next);
      // TV2 (trunk TM `EndTxnHandler`): the response carries the bumped epoch, which the client adopts.
      if (setup.config.txn?.version === 2) next = setProducerIdAndEpoch(next, response.producerId, response.epoch);
      return completeTransactionLocally(setup, next);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Restarts and the zombie.
// ---------------------------------------------------------------------------------------------

/**
 * A producer restart with transactional.id: the new instance starts UNINITIALIZED with no
 * producer id (its initTransactions() gets the same pid with a higher epoch); its open
 * transaction is lost to the application. With the zombie fault the old instance goes on running
 * (its producer, connections and TM kept aside) instead of dying.
 */
export function txnRestart(setup: Setup, before: State, after: State): State {
  const t = txnOf(before);
  const keepZombie = faultOn(setup, 'zombie') && t.zombie === null;
  // The new instance's application did not see the open transaction commit: it sends its records
  // again. The old one's outcome stays open when the old instance lives on (the zombie may end it).
  const session = before.producer.session;
  const open = openTxnIndex(after, session);
  let next = keepZombie ? (open < 0 ? after : resendTxn(setup, after, t.ghost.txns[open] as GhostTxn)) : closeOpenTxn(setup, after, 'failed', session);
  const producer = make.producer({ ...initialProducer(setup.config, before.producer.session + 1, -1), producerId: -1, epoch: -1 });
  const tx = txnOf(next);
  const zombie = keepZombie ? { producer: before.producer, network: before.network, client: t.client } : tx.zombie;
  next = make.state({ ...next, producer, nextProducerId: before.nextProducerId });
  return withTxn(next, { ...txnOf(next), client: newTxnClient(), zombie, position: -1 });
}

/** The zombie's state swapped into the current instance's place (and back: the swap is its own inverse). */
function swapZombie(state: State): State {
  const t = txnOf(state);
  const z = t.zombie;
  if (z === null) throw new Error('model bug: no zombie to swap in');
  const zombie = { producer: state.producer, network: state.network, client: t.client };
  return make.state({ ...state, producer: z.producer, network: z.network, txn: { ...t, client: z.client, zombie } });
}

/** The zombie's own events: its application's calls, its Sender and TM, and the brokers reading its connections. */
const ZOMBIE_KINDS: readonly Event['kind'][] = [
  'AppSend',
  'AppCommitTransaction',
  'AppAbortTransaction',
  'ProducerDrain',
  'ProducerReceive',
  'BrokerReceive',
  'BrokerCompleteProduce',
  'ProducerSendTxnRequest',
  'ProducerReceiveTxnResponse',
];

/** The events the zombie could take now, given the enabled events of the swapped state. */
export function zombieEvents(state: State, enabledIn: (swapped: State) => readonly Event[]): readonly Event[] {
  if (state.txn?.zombie == null) return [];
  // The current instance is left out of the swapped state here, so that the zombie's candidates do not recurse into its own.
  const swapped = swapZombie(state);
  const alone = make.state({ ...swapped, txn: { ...txnOf(swapped), zombie: null } });
  return enabledIn(alone).filter((e) => ZOMBIE_KINDS.includes(e.kind));
}

export function zombieStep(state: State, nth: number, enabledIn: (swapped: State) => readonly Event[], apply: (swapped: State, event: Event) => State): State {
  const swapped = swapZombie(state);
  const event = at(zombieEvents(state, enabledIn), nth, 'zombie event');
  return swapZombie(apply(swapped, event));
}

// ---------------------------------------------------------------------------------------------
// Event rules.
// ---------------------------------------------------------------------------------------------

function noTxn(state: State): string | null {
  return state.txn === null ? 'there is no transactional producer (set transactional.id)' : null;
}

function tmState(state: State): TmState {
  return txnOf(state).client.tm.state;
}

type TxnEventKind =
  | 'AppInitTransactions'
  | 'AppBeginTransaction'
  | 'AppCommitTransaction'
  | 'AppAbortTransaction'
  | 'ProducerSendTxnRequest'
  | 'ProducerReceiveTxnResponse'
  | 'ProducerTxnRequestTimeout'
  | 'CoordinatorReceive'
  | 'CoordinatorAppendLog'
  | 'BrokerWriteMarker'
  | 'CoordinatorAbortTimedOut'
  | 'CoordinatorFailover'
  | 'CoordinatorRetryMarker'
  | 'BrokerWriteLateMarker'
  | 'AppCommitOffsets'
  | 'CoordinatorDelayRequest'
  | 'CoordinatorReceiveDelayed';

export const TXN_EVENTS: EventRules<TxnEventKind> = {
  AppInitTransactions: {
    disabled: (_setup, state) => noTxn(state) ?? (tmState(state) === 'UNINITIALIZED' ? null : `initTransactions() was called already (${tmState(state)})`),
    // KafkaProducer.initTransactions → TM `initializeTransactions`: INITIALIZING, InitProducerId queued.
    apply: (_setup, state) => withClient(state, tmTo(txnOf(state).client, 'INITIALIZING')),
  },
  AppBeginTransaction: {
    disabled: (_setup, state) => noTxn(state) ?? (tmState(state) === 'READY' ? null : `beginTransaction() needs READY, the transaction manager is ${tmState(state)}`),
    // TM `beginTransaction`: READY → IN_TRANSACTION, locally.
    apply(_setup, state) {
      const t = txnOf(state);
      const txn: GhostTxn = { session: state.producer.session, sends: [], outcome: 'open', input: -1 };
      return withTxn(state, { ...t, client: tmTo(t.client, 'IN_TRANSACTION'), ghost: { ...t.ghost, txns: [...t.ghost.txns, txn] }, counters: { ...t.counters, transactions: t.counters.transactions + 1 } });
    },
  },
  AppCommitTransaction: {
    disabled(_setup, state) {
      const why = noTxn(state);
      if (why !== null) return why;
      if (tmState(state) !== 'IN_TRANSACTION') return `commitTransaction() needs IN_TRANSACTION, the transaction manager is ${tmState(state)}`;
      // The model's application commits a transaction once it has sent something in it.
      const i = openTxnIndex(state);
      return i >= 0 && (txnOf(state).ghost.txns[i] as GhostTxn).sends.length > 0 ? null : 'the application commits a transaction after sending in it';
    },
    // TM `beginCommit`: COMMITTING_TRANSACTION; ctp: sendOffsetsToTransaction before it (the offset after the input processed).
    apply(setup, state) {
      const t = txnOf(state);
      const i = openTxnIndex(state);
      const input = i < 0 ? -1 : (t.ghost.txns[i] as GhostTxn).input;
      const pendingOffset = setup.config.txn?.app === 'ctp' && input >= 0 ? input + 1 : -1;
      return withClient(state, { ...tmTo(t.client, 'COMMITTING_TRANSACTION'), ending: 'COMMIT', pendingOffset });
    },
  },
  AppAbortTransaction: {
    disabled(setup, state) {
      const why = noTxn(state);
      if (why !== null) return why;
      // The model's application aborts after an abortable error (commitTransaction() or send() threw); txn-app=commit-or-abort
      // (and a ctp application, which may fail processing) also by choice, a transaction it has sent in.
      const s = tmState(state);
      if (s === 'ABORTABLE_ERROR') return null;
      if (setup.config.txn?.app === 'plain') return `the application aborts after an abortable error (txn-app=commit-or-abort aborts by choice too); the transaction manager is ${s}`;
      if (s !== 'IN_TRANSACTION') return `abortTransaction() needs IN_TRANSACTION or ABORTABLE_ERROR, the transaction manager is ${s}`;
      const i = openTxnIndex(state);
      return i >= 0 && (txnOf(state).ghost.txns[i] as GhostTxn).sends.length > 0 ? null : 'the application aborts a transaction after sending in it';
    },
    /**
     * TM `beginAbort`: ABORTING_TRANSACTION, new partitions forgotten; the Sender's next loop fails
     * the undrained batches (SND `maybeSendAndPollTransactionalRequest` → RA `abortUndrainedBatches`), folded in here.
     */
    apply(setup, state) {
      const t = txnOf(state);
      const moved = tmTo(t.client, 'ABORTING_TRANSACTION');
      let next = withClient(state, { ...moved, ending: 'ABORT', pendingOffset: -1, tm: { ...moved.tm, pendingPartitions: [] } });
      const undrained = next.producer.batches.filter((b) => !b.drained && !b.done);
      if (undrained.length === 0) return next;
      const ids = new Set(undrained.map((b) => b.id));
      const producer = make.producer({
        ...next.producer,
        batches: next.producer.batches.filter((b) => !ids.has(b.id)),
        partitions: next.producer.partitions.map((p) => make.producerPartition({ ...p, queue: p.queue.filter((id) => !ids.has(id)) })),
      });
      next = make.state({ ...next, producer });
      const ghostSends = next.ghost.sends.slice();
      for (const b of undrained) for (const send of b.sends) ghostSends[send] = make.sendInfo({ ...at(ghostSends, send, 'send'), outcome: 'fail', error: 'TransactionAbortedException' });
      void setup;
      return make.state({ ...next, ghost: make.ghost({ ...next.ghost, sends: ghostSends }) });
    },
  },
  ProducerSendTxnRequest: {
    disabled: (_setup, state) => noTxn(state) ?? (nextRequest(state) === null ? 'the transaction manager has no request to send now' : null),
    apply: (setup, state) => sendTxnRequest(setup, state),
  },
  ProducerReceiveTxnResponse: {
    disabled: (_setup, state) => noTxn(state) ?? (txnOf(state).client.responses.length === 0 ? 'no coordinator response is on its way' : null),
    apply: (setup, state) => receiveTxnResponse(setup, state),
  },
  ProducerTxnRequestTimeout: {
    disabled: (_setup, state) => noTxn(state) ?? (txnOf(state).client.inFlight === null ? 'no transactional request awaits an answer' : null),
    // request.timeout.ms: the connection to the coordinator closes, unread answers are lost, and the
    // TM sends the request again (TxnRequestHandler `onComplete` → `reenqueue`); a copy the coordinator has not read yet stays on its way.
    apply: (_setup, state) => withClient(state, { ...txnOf(state).client, inFlight: null, responses: [] }),
  },
  CoordinatorReceive: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const inbox = txnOf(state).coordinator.inbox;
      if (inbox.length === 0) return 'no request is on its way to the coordinator';
      // One connection, read in order; a copy is overtaken only once delayed (CoordinatorDelayRequest).
      return event.nth === 0 ? null : 'nth must be 0 (the coordinator reads its connection in order; a delayed copy comes by CoordinatorReceiveDelayed)';
    },
    apply: (setup, state, event) => coordinatorReceive(setup, state, false, event.nth),
  },
  CoordinatorDelayRequest: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const inbox = txnOf(state).coordinator.inbox;
      return inRange(event.nth, inbox.length) ? null : inbox.length === 0 ? 'no request is on its way to the coordinator' : `nth must be 0..${inbox.length - 1}`;
    },
    // The request is held up on its way (a connection the client has given up on); later requests overtake it.
    apply(_setup, state, event) {
      const c = txnOf(state).coordinator;
      return withCoordinator(state, { ...c, inbox: c.inbox.filter((_, i) => i !== event.nth), delayed: [...c.delayed, at(c.inbox, event.nth, 'coordinator request')] });
    },
  },
  CoordinatorReceiveDelayed: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const delayed = txnOf(state).coordinator.delayed;
      return inRange(event.nth, delayed.length) ? null : delayed.length === 0 ? 'no delayed request is on its way' : `nth must be 0..${delayed.length - 1}`;
    },
    apply: (setup, state, event) => coordinatorReceive(setup, state, true, event.nth),
  },
  CoordinatorAppendLog: {
    disabled: (_setup, state) => noTxn(state) ?? (txnOf(state).coordinator.pending === null ? 'the coordinator has no transition waiting for the log' : null),
    apply: (_setup, state) => coordinatorAppendLog(state),
  },
  BrokerWriteMarker: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const markers = txnOf(state).coordinator.markers;
      if (!inRange(event.nth, markers.length)) return markers.length === 0 ? 'no marker is on its way' : `nth must be 0..${markers.length - 1}`;
      return markerWritable(state, markers[event.nth] as TxnMarker) ? null : "the marker's partition has no live leader";
    },
    apply: (setup, state, event) => brokerWriteMarker(setup, state, event.nth),
  },
  CoordinatorAbortTimedOut: {
    disabled(_setup, state) {
      const why = noTxn(state);
      if (why !== null) return why;
      const c = txnOf(state).coordinator;
      return c.meta !== null && c.meta.state === 'Ongoing' && c.pending === null ? null : 'no Ongoing transaction without a pending transition';
    },
    // TC `abortTimedOutTransactions` (txn.ts `abortIfTimedOut`): time passes beyond transaction.timeout.ms.
    apply(setup, state) {
      const t = txnOf(state);
      const c = t.coordinator;
      const meta = c.meta as TransactionMetadata;
      const aborted = abortIfTimedOut(meta, c.coordinatorEpoch, Number.MAX_SAFE_INTEGER);
      if (aborted === null) throw new Error('model bug: an Ongoing transaction did not time out');
      const mutant = setup.config.mutant?.kind === 'no-fence-bump';
      const pending: PendingTxnWrite = mutant
        ? { meta: withoutBump(meta, aborted.meta), markers: unbumpedMarkers(aborted.markers, meta.epoch), reply: null }
        : { meta: aborted.meta, markers: aborted.markers, reply: null };
      return withTxn(state, { ...t, coordinator: { ...c, pending }, ghost: { ...t.ghost, timeoutAborts: t.ghost.timeoutAborts + 1 } });
    },
  },
  CoordinatorFailover: {
    disabled: (_setup, state) => noTxn(state),
    apply: (_setup, state) => coordinatorFailover(state),
  },
  CoordinatorRetryMarker: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const markers = txnOf(state).coordinator.markers;
      return inRange(event.nth, markers.length) ? null : markers.length === 0 ? 'no marker is on its way' : `nth must be 0..${markers.length - 1}`;
    },
    // TMRH `onComplete` on a disconnect re-enqueues the markers (TMCM `addTxnMarkersToBrokerQueue`): the first copy may still land later.
    apply(_setup, state, event) {
      const c = txnOf(state).coordinator;
      return withCoordinator(state, { ...c, lateMarkers: [...c.lateMarkers, at(c.markers, event.nth, 'marker')] });
    },
  },
  BrokerWriteLateMarker: {
    disabled(_setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const late = txnOf(state).coordinator.lateMarkers;
      if (!inRange(event.nth, late.length)) return late.length === 0 ? 'no late marker copy is on its way' : `nth must be 0..${late.length - 1}`;
      return markerWritable(state, late[event.nth] as TxnMarker) ? null : "the marker's partition has no live leader";
    },
    // The first copy of a retried WriteTxnMarkers lands; its answer goes to a request TMCM no longer tracks.
    apply(setup, state, event) {
      const t = txnOf(state);
      const marker = at(t.coordinator.lateMarkers, event.nth, 'late marker');
      const next = withCoordinator(state, { ...t.coordinator, lateMarkers: t.coordinator.lateMarkers.filter((_, i) => i !== event.nth) });
      const written = writeMarker(setup, next, marker);
      return written === next ? written : withGhost(written, { lateMarkersWritten: txnOf(written).ghost.lateMarkersWritten + 1 });
    },
  },
  AppCommitOffsets: {
    disabled(setup, state) {
      const why = noTxn(state);
      if (why !== null) return why;
      if (setup.config.txn?.app !== 'ctp-separate-commit') return 'only txn-app=ctp-separate-commit commits offsets outside the transaction';
      const t = txnOf(state);
      if (t.client.tm.state !== 'READY' || t.client.inFlight !== null) return 'the application commits offsets after a commitTransaction() returned';
      return lastCommittedInput(state) + 1 > t.group.committed ? null : 'no input of a committed transaction is left to commit';
    },
    // consumer.commitSync(offset after the input of the transaction just committed): a separate OffsetCommit to the group coordinator.
    apply(_setup, state) {
      const t = txnOf(state);
      const offset = lastCommittedInput(state) + 1;
      const request: TxnRequest = { id: t.client.nextRequestId, session: state.producer.session, kind: 'OffsetCommit', producerId: -1, epoch: -1, partitions: [], result: null, offset };
      return withTxn(state, { ...t, client: { ...t.client, inFlight: request, nextRequestId: t.client.nextRequestId + 1 }, coordinator: { ...t.coordinator, inbox: [...t.coordinator.inbox, request] } });
    },
  },
};

/** Whether a produce error from a transactional batch was a fence (ghost: witnesses). */
export function isFencedWrite(error: ErrorCode): boolean {
  return error === 'INVALID_PRODUCER_EPOCH';
}

/** Count a fenced transactional write (ghost). */
export function countFencedWrite(state: State): State {
  return state.txn === null ? state : withGhost(state, { fencedWrites: state.txn.ghost.fencedWrites + 1 });
}

/** Candidates for enabledEvents, in a fixed order (appended after every other actor's). */
export function txnCandidates(setup: Setup, state: State): Event[] {
  if (state.txn === null) return [];
  const t = state.txn;
  const out: Event[] = [
    { kind: 'AppInitTransactions' },
    { kind: 'AppBeginTransaction' },
    { kind: 'AppCommitTransaction' },
    { kind: 'AppAbortTransaction' },
    { kind: 'ProducerSendTxnRequest' },
    { kind: 'ProducerReceiveTxnResponse' },
    { kind: 'ProducerTxnRequestTimeout' },
  ];
  if (t.coordinator.inbox.length > 0) out.push({ kind: 'CoordinatorReceive', nth: 0 });
  out.push({ kind: 'CoordinatorAppendLog' });
  for (let n = 0; n < t.coordinator.markers.length; n++) out.push({ kind: 'BrokerWriteMarker', nth: n });
  out.push({ kind: 'CoordinatorAbortTimedOut' });
  out.push({ kind: 'CoordinatorFailover' });
  for (let n = 0; n < t.coordinator.markers.length; n++) out.push({ kind: 'CoordinatorRetryMarker', nth: n });
  for (let n = 0; n < t.coordinator.lateMarkers.length; n++) out.push({ kind: 'BrokerWriteLateMarker', nth: n });
  out.push({ kind: 'AppCommitOffsets' });
  for (let n = 0; n < t.coordinator.inbox.length; n++) out.push({ kind: 'CoordinatorDelayRequest', nth: n });
  for (let n = 0; n < t.coordinator.delayed.length; n++) out.push({ kind: 'CoordinatorReceiveDelayed', nth: n });
  void setup;
  return out;
}

/** A partition's index among partitions, checked (trace files hold anything). */
export function badPartition(setup: Setup, partition: number): string | null {
  return badIndex('partition', partition, setup.config.topic.partitions);
}

/**
 * A transactional batch at its leader, before broker.ts's duplicate, epoch and sequence checks:
 * KIP-890 part 1 verification when the producer has no open transaction on the partition and
 * transaction.partition.verification.enable is on (ReplicaManager `appendRecords` →
 * AddPartitionsToTxnManager → TC `handleVerifyPartitionsInTransaction`, txn.ts
 * `verifyPartition`), with the errors a 3.8 producer is sent (AddPartitionsToTxnManager:
 * PRODUCER_FENCED → INVALID_PRODUCER_EPOCH, TRANSACTION_ABORTABLE → INVALID_TXN_STATE;
 * ReplicaManager line 839: CONCURRENT_TRANSACTIONS → NOT_ENOUGH_REPLICAS, retriable); then the
 * transactional epoch check (txn.ts `appendTxnData`, PAI `checkProducerEpoch` against the entry a
 * marker may have bumped). The verification reads the coordinator and the append follows in the
 * same step (the VerificationGuard's window is not modelled). Null when the batch may go on.
 */
export function txnProduceCheck(setup: Setup, state: State, wire: { readonly partition: number; readonly producerId: number; readonly epoch: number; readonly sends: readonly number[] }, leader: Replica): ErrorCode | null {
  const view = txnView(leader);
  const entry = view.producers.find((e) => e.producerId === wire.producerId);
  const open = entry !== undefined && entry.currentTxnFirstOffset >= 0;
  if (setup.config.txn?.verification === true && !open) {
    const meta = visibleMeta(txnOf(state).coordinator);
    const error = meta === null ? 'INVALID_PRODUCER_ID_MAPPING' : verifyPartition(meta, wire.producerId, wire.epoch, wire.partition);
    switch (error) {
      case 'NONE':
        break;
      case 'PRODUCER_FENCED':
        return 'INVALID_PRODUCER_EPOCH';
      case 'TRANSACTION_ABORTABLE':
        return 'INVALID_TXN_STATE';
      case 'CONCURRENT_TRANSACTIONS':
        return 'NOT_ENOUGH_REPLICAS';
      case 'INVALID_PRODUCER_ID_MAPPING':
        return 'INVALID_PRODUCER_ID_MAPPING';
      default:
        return 'INVALID_TXN_STATE';
    }
  }
  const appended = appendTxnData(view, wire.producerId, wire.epoch, true, wire.sends);
  if (appended.kind === 'rejected') return appended.error === 'INVALID_PRODUCER_EPOCH' ? 'INVALID_PRODUCER_EPOCH' : 'INVALID_TXN_STATE';
  return null;
}
