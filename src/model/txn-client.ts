/**
 * The transactional client: the application's calls and send() under a transaction, the
 * TransactionManager's (TM) one request at a time to the coordinator and how it reads each
 * response (KafkaProducer, TransactionManager, Sender), and restarts with a zombie instance.
 * The rules are txn.ts's pure functions (cited there); this file wires them to State, citing what
 * it adds. Aliases as in txn-types.ts.
 */

import * as make from './records.js';
import { at, replicaAt } from './access.js';
import { logEndOffset, replaceAt } from './broker.js';
import type { Event, Setup } from './events.js';
import { faultOn } from './faults.js';
import { initialProducer } from './producer.js';
import type { GhostTxn, TxnClient, TxnError, TxnRequest, TxnResponse } from './txn-types.js';
import type { State } from './types.js';
import { closeOpenTxn, isCtp, newTxnClient, OFFSETS_PARTITION, openTxnIndex, resendTxn, setProducerIdAndEpoch, tmTo, txnOf, withClient, withGhost, withTxn } from './txn-side.js';

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
 * input offset is consumed (the position moves past it). Under transaction.version=2 (4.0 TM
 * `maybeAddPartition`, `isTransactionV2Enabled()` branch) the partition goes straight into
 * `partitionsInTransaction` with no request: the leader adds it at the coordinator when the
 * first batch arrives (txn-events.ts `txnProduceCheck`).
 */
export function txnAfterSend(setup: Setup, state: State, partition: number, send: number): State {
  const t = txnOf(state);
  const tm = t.client.tm;
  const known = tm.partitionsInTxn.includes(partition) || tm.pendingPartitions.includes(partition);
  const add = (list: readonly number[]): readonly number[] => [...list, partition].sort((a, b) => a - b);
  const v2 = setup.config.txn?.version === 2;
  const client = known ? t.client : { ...t.client, tm: v2 ? { ...tm, partitionsInTxn: add(tm.partitionsInTxn) } : { ...tm, pendingPartitions: add(tm.pendingPartitions) } };
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
 * Under transaction.version=2 the client requests no bump of its own: the EndTxn that aborts bumps
 * the epoch (4.x TM `needToTriggerEpochBumpFromClient`: `coordinatorSupportsBumpingEpoch &&
 * !isTransactionV2Enabled`), so no InitProducerId follows the abort.
 */
export function txnOnBatchFailed(setup: Setup, state: State, error: string): State {
  if (state.txn === null || error === 'producer restarted') return state;
  const c = state.txn.client;
  const s = c.tm.state;
  if (s !== 'IN_TRANSACTION' && s !== 'COMMITTING_TRANSACTION' && s !== 'ABORTABLE_ERROR') return state;
  const completing = s === 'COMMITTING_TRANSACTION';
  const clientBump = setup.config.txn?.version !== 2 && !completing;
  const next = tmTo(c, 'ABORTABLE_ERROR');
  return withClient(state, { ...next, ending: null, tm: { ...next.tm, epochBumpRequired: next.tm.epochBumpRequired || clientBump } });
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
 * partitions (never under transaction.version=2); ctp: the offsets before the commit
 * (AddOffsetsToTxn + TxnOffsetCommit, one request here; under version 2 TxnOffsetCommit alone,
 * 4.0 TM `sendOffsetsToTransaction`, and the group coordinator adds the offsets partition); EndTxn
 * once no batch is incomplete, or a local completion when no partition was ever added
 * (`transactionStarted` false, TM line 797).
 */
export function nextRequest(state: State): NextRequest {
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

export function sendTxnRequest(setup: Setup, state: State): State {
  const next = nextRequest(state);
  if (next === null) throw new Error('model bug: ProducerSendTxnRequest with nothing to send');
  if (next.kind === 'complete-locally') return completeTransactionLocally(setup, state);
  const t = txnOf(state);
  const request: TxnRequest = { ...next.request, id: t.client.nextRequestId, session: state.producer.session };
  const client: TxnClient = { ...t.client, inFlight: request, nextRequestId: t.client.nextRequestId + 1 };
  return withTxn(state, { ...t, client, coordinator: { ...t.coordinator, inbox: [...t.coordinator.inbox, request] } });
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

export function receiveTxnResponse(setup: Setup, state: State): State {
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
