/**
 * The transactional side of State (issue 19): its initial value, the accessors and updaters the
 * client, coordinator and event files share, and the ghost's view of logical transactions
 * (opened, closed, sent again). Aliases as in txn-types.ts.
 */

import * as make from './records.js';
import { at } from './access.js';
import { replaceAt } from './broker.js';
import type { ModelConfig } from './config.js';
import type { Setup } from './events.js';
import type { GhostTxn, TmState, TransactionMetadata, TxnClient, TxnCoordinator, TxnGhost, TxnSide } from './txn-types.js';
import { tmTransitionValid } from './txn.js';
import type { State } from './types.js';

/** A consume-transform-produce application (txn-app=ctp or ctp-separate-commit). */
export function isCtp(config: ModelConfig): boolean {
  return config.txn?.app === 'ctp' || config.txn?.app === 'ctp-separate-commit';
}

/** transaction.timeout.ms (ProducerConfig default 60000): only its existence matters, the model's clock is abstract. */
export const TXN_TIMEOUT_MS = 60000;

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

export function withTxn(state: State, txn: TxnSide): State {
  return make.state({ ...state, txn });
}

export function withClient(state: State, client: TxnClient): State {
  return withTxn(state, { ...txnOf(state), client });
}

export function withCoordinator(state: State, coordinator: TxnCoordinator): State {
  return withTxn(state, { ...txnOf(state), coordinator });
}

export function withGhost(state: State, change: Partial<TxnGhost>): State {
  const t = txnOf(state);
  return withTxn(state, { ...t, ghost: { ...t.ghost, ...change } });
}

/** TM `transitionTo`: an invalid transition is a bug in the model (Kafka throws IllegalStateException). */
export function tmTo(client: TxnClient, target: TmState): TxnClient {
  if (!tmTransitionValid(client.tm.state, target)) throw new Error(`model bug: TM transition ${client.tm.state} -> ${target}`);
  return { ...client, tm: { ...client.tm, state: target } };
}

/** The TM's producerIdAndEpoch is the accumulator's: the producer's pid/epoch move with it. */
export function setProducerIdAndEpoch(state: State, producerId: number, epoch: number): State {
  const c = txnOf(state).client;
  const next = withClient(state, { ...c, tm: { ...c.tm, producerId, epoch } });
  return make.state({ ...next, producer: make.producer({ ...next.producer, producerId, epoch }) });
}

/**
 * The coordinator's metadata as its handlers see it: a transition waiting for its log append is
 * TMD `pendingState`. A written Prepare* has Complete* pending from then on while its markers are
 * out: TC `endTransaction`'s `sendTxnMarkersCallback` calls TMD `prepareComplete` (which sets
 * `pendingState`, TMD `prepareTransitionTo`) before TMCM `addTxnMarkersToSend`, and a failover's
 * reload does the same (TSM `loadTransactionsForTxnTopicPartition`).
 */
export function visibleMeta(c: TxnCoordinator): TransactionMetadata | null {
  if (c.meta === null) return null;
  if (c.pending !== null) return { ...c.meta, pendingState: c.pending.meta.state };
  if (c.meta.state === 'PrepareCommit') return { ...c.meta, pendingState: 'CompleteCommit' };
  if (c.meta.state === 'PrepareAbort') return { ...c.meta, pendingState: 'CompleteAbort' };
  return c.meta;
}

/** The open logical transaction of the current session (ghost), or -1. */
export function openTxnIndex(state: State, session = state.producer.session): number {
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
export function resendTxn(setup: Setup, state: State, txn: GhostTxn): State {
  if (setup.config.application !== 'at-least-once' || isCtp(setup.config)) return state;
  let toResend = state.application.toResend;
  for (const send of txn.sends) {
    const record = at(state.ghost.sends, send, 'send').record;
    if (!toResend.includes(record)) toResend = [...toResend, record];
  }
  return toResend === state.application.toResend ? state : make.state({ ...state, application: { toResend } });
}

/** The input of this session's last transaction if commitTransaction() returned for it, else -1 (ctp-separate-commit commits its offset next). */
export function lastCommittedInput(state: State): number {
  const txns = txnOf(state).ghost.txns;
  for (let i = txns.length - 1; i >= 0; i--) {
    const t = txns[i] as GhostTxn;
    if (t.session !== state.producer.session) continue;
    return t.outcome === 'committed' ? t.input : -1;
  }
  return -1;
}
