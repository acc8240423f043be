/**
 * The transactional side's events (issue 19): the rule table that wires the client
 * (txn-client.ts) and the coordinator (txn-coordinator.ts) into the model's events, their
 * candidates for enabledEvents, and the check a transactional batch meets at its leader before
 * broker.ts's (KIP-890 part 1 verification). Aliases as in txn-types.ts.
 */

import * as make from './records.js';
import { settle, updateSends } from './ghost.js';
import { at, badIndex, inRange } from './access.js';
import type { Event, EventRules, Setup } from './events.js';
import { txnView } from './txn-partition.js';
import type { CoordinatorMarker, GhostTxn, PendingTxnWrite, TmState, TransactionMetadata, TxnError, TxnMarker, TxnRequest } from './txn-types.js';
import { abortIfTimedOut, addPartitions, appendTxnData, verifyPartition } from './txn.js';
import type { ErrorCode, Replica, State } from './types.js';
import { nextRequest, receiveTxnResponse, sendTxnRequest } from './txn-client.js';
import { brokerCompleteMarker, brokerWriteMarker, coordinatorAppendLog, coordinatorFailover, coordinatorReceive, markerAnswer, markerWritable, unbumpedMarkers, withoutBump, writeMarker } from './txn-coordinator.js';
import { effectiveMinIsr } from './config.js';
import { lastCommittedInput, openTxnIndex, tmTo, txnOf, visibleMeta, withClient, withCoordinator, withGhost, withTxn } from './txn-side.js';

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
  | 'CoordinatorReceiveDelayed'
  | 'BrokerCompleteMarker';

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
      void setup;
      const ghost = updateSends(next.ghost, undrained.flatMap((b) => b.sends), (info) => settle(info, 'fail', info.offset, 'TransactionAbortedException'));
      return make.state({ ...next, ghost });
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
    disabled(setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const markers = txnOf(state).coordinator.markers;
      if (!inRange(event.nth, markers.length)) return markers.length === 0 ? 'no marker is on its way' : `nth must be 0..${markers.length - 1}`;
      const marker = markers[event.nth] as CoordinatorMarker;
      if (marker.appended !== undefined) return `the marker was appended at b${marker.appended.broker} and waits there for the HW`;
      if (!markerWritable(state, marker)) return "the marker's partition has no live leader";
      // PART `appendRecordsToLeader` refuses an acks=-1 append below min.insync.replicas (NOT_ENOUGH_REPLICAS); TMCM retries it, which changes nothing.
      const partition = marker.partition < 0 ? null : state.cluster.partitions[marker.partition];
      return partition !== null && partition !== undefined && partition.isr.length < effectiveMinIsr(setup.config.topic) ? "the partition's ISR is below min.insync.replicas (NOT_ENOUGH_REPLICAS; the coordinator retries)" : null;
    },
    apply: (setup, state, event) => brokerWriteMarker(setup, state, event.nth),
  },
  BrokerCompleteMarker: {
    disabled(setup, state, event) {
      const why = noTxn(state);
      if (why !== null) return why;
      const markers = txnOf(state).coordinator.markers;
      if (!inRange(event.nth, markers.length)) return markers.length === 0 ? 'no marker is on its way' : `nth must be 0..${markers.length - 1}`;
      const marker = markers[event.nth] as CoordinatorMarker;
      if (marker.appended === undefined) return 'the marker has not been appended by a leader yet';
      return markerAnswer(setup, state, marker) === null ? "the leader's high watermark has not passed the marker yet" : null;
    },
    apply: (setup, state, event) => brokerCompleteMarker(setup, state, event.nth),
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
      if (!inRange(event.nth, markers.length)) return markers.length === 0 ? 'no marker is on its way' : `nth must be 0..${markers.length - 1}`;
      // A marker parked at its leader has landed: a disconnect now re-sends it with no copy left on the way (BrokerCompleteMarker's retry).
      return (markers[event.nth] as CoordinatorMarker).appended === undefined ? null : 'the marker was appended and waits for the HW: no copy of it is on its way';
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
      // Below min.insync.replicas the leader refuses it (NOT_ENOUGH_REPLICAS) and nobody sends it again.
      const written = writeMarker(setup, next, marker).state;
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
  t.coordinator.markers.forEach((m, n) => {
    if (m.appended !== undefined) out.push({ kind: 'BrokerCompleteMarker', nth: n });
  });
  void setup;
  return out;
}

/** A partition's index among partitions, checked (trace files hold anything). */
export function badPartition(setup: Setup, partition: number): string | null {
  return badIndex('partition', partition, setup.config.topic.partitions);
}

/** What `txnProduceCheck` decided: the state (transaction.version=2 may have added the partition at the coordinator) and the error, or null when the batch may go on. */
export interface TxnProduceCheck {
  readonly state: State;
  readonly error: ErrorCode | null;
}

/**
 * A transactional batch at its leader, before broker.ts's duplicate, epoch and sequence checks.
 * transaction.version=1: KIP-890 part 1 verification when the producer has no open transaction on
 * the partition and transaction.partition.verification.enable is on (ReplicaManager
 * `appendRecords` → AddPartitionsToTxnManager → TC `handleVerifyPartitionsInTransaction`, txn.ts
 * `verifyPartition`), with the errors a 3.8 producer is sent (AddPartitionsToTxnManager:
 * PRODUCER_FENCED → INVALID_PRODUCER_EPOCH, TRANSACTION_ABORTABLE → INVALID_TXN_STATE;
 * ReplicaManager line 839: CONCURRENT_TRANSACTIONS → NOT_ENOUGH_REPLICAS, retriable).
 * transaction.version=2: `v2AddPartition`. Then the transactional epoch check (txn.ts
 * `appendTxnData`, PAI `checkProducerEpoch` against the entry a marker may have bumped). The
 * coordinator's answer and the append happen in the same step (the VerificationGuard's window is
 * not modelled).
 */
export function txnProduceCheck(setup: Setup, state: State, wire: { readonly partition: number; readonly producerId: number; readonly epoch: number; readonly sends: readonly number[] }, leader: Replica): TxnProduceCheck {
  const view = txnView(leader);
  const entry = view.producers.find((e) => e.producerId === wire.producerId);
  const open = entry !== undefined && entry.currentTxnFirstOffset >= 0;
  let next = state;
  if (setup.config.txn?.version === 2) {
    const added = v2AddPartition(state, wire, open && entry.epoch === wire.epoch);
    if (added.error !== null) return added;
    next = added.state;
  } else if (setup.config.txn?.verification === true && !open) {
    const meta = visibleMeta(txnOf(state).coordinator);
    const error = meta === null ? 'INVALID_PRODUCER_ID_MAPPING' : verifyPartition(meta, wire.producerId, wire.epoch, wire.partition);
    const mapped = v1VerificationError(error);
    if (mapped !== null) return { state, error: mapped };
  }
  const appended = appendTxnData(view, wire.producerId, wire.epoch, true, wire.sends);
  // A rejected batch keeps what the leader's add wrote at the coordinator (`next`).
  if (appended.kind === 'rejected') return { state: next, error: appended.error === 'INVALID_PRODUCER_EPOCH' ? 'INVALID_PRODUCER_EPOCH' : 'INVALID_TXN_STATE' };
  return { state: next, error: null };
}

/** The error a 3.8 producer is sent for a failed verification, or null when it passed. */
function v1VerificationError(error: TxnError): ErrorCode | null {
  switch (error) {
    case 'NONE':
      return null;
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

/**
 * transaction.version=2 (KIP-890 part 2, Kafka 4.0): the server-side AddPartitions. A produce
 * request of version 12 is ADD_PARTITION (AddPartitionsToTxnManager
 * `produceRequestVersionToTransactionSupportedOperation`). Unless the producer has a transaction
 * open on the partition at this epoch (UnifiedLog `maybeStartTransactionVerification`,
 * `hasOngoingTransaction(producerId, epoch)`), the leader sends AddPartitionsToTxn with
 * verifyOnly=false for the producer (AddPartitionsToTxnManager `addOrVerifyTransaction`), whatever
 * transaction.partition.verification.enable says (ReplicaManager
 * `maybeSendPartitionsToTransactionCoordinator` skips only when `!supportsEpochBump`). The
 * coordinator handles it as the client's own (TC `handleAddPartitionsToTransaction`, txn.ts
 * `addPartitions`) and writes the change to its log; here that write is in the same step.
 * Errors: PRODUCER_FENCED → INVALID_PRODUCER_EPOCH (AddPartitionsToTxnManager "Producers expect
 * to handle INVALID_PRODUCER_EPOCH"); CONCURRENT_TRANSACTIONS stays CONCURRENT_TRANSACTIONS for
 * TV2 (ReplicaManager `postVerificationCallback`, KAFKA-18662; the leader's own retries until
 * add.partitions.to.txn.retry.backoff.max.ms are folded into the producer's retry).
 */
function v2AddPartition(state: State, wire: { readonly partition: number; readonly producerId: number; readonly epoch: number }, ongoing: boolean): TxnProduceCheck {
  if (ongoing) return { state, error: null };
  const c = txnOf(state).coordinator;
  const meta = visibleMeta(c);
  if (meta === null) return { state, error: 'INVALID_PRODUCER_ID_MAPPING' };
  const added = addPartitions(meta, wire.producerId, wire.epoch, [wire.partition], 0);
  switch (added.error) {
    case 'NONE':
      if (added.meta === meta) return { state, error: null };
      return { state: withCoordinator(state, { ...c, meta: added.meta, log: [...c.log, added.meta] }), error: null };
    case 'PRODUCER_FENCED':
      return { state: withGhost(state, { fencedRequests: txnOf(state).ghost.fencedRequests + 1 }), error: 'INVALID_PRODUCER_EPOCH' };
    case 'CONCURRENT_TRANSACTIONS':
      return { state, error: 'CONCURRENT_TRANSACTIONS' };
    case 'INVALID_PRODUCER_ID_MAPPING':
      return { state, error: 'INVALID_PRODUCER_ID_MAPPING' };
    default:
      throw new Error(`model bug: AddPartitionsToTxn answered ${added.error}`);
  }
}
