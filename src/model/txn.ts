/**
 * Transactions (issue 19, phase 1) as pure functions, one Kafka 3.8.0 rule each, cited beside the
 * code (aliases in txn-types.ts). Coordinator transitions are applied at once: the transaction-log
 * append that TSM `appendTransactionToLog` makes before applying one is phase 2's event.
 */

import type {
  AbortedTxn,
  TmState,
  TransactionMetadata,
  TransactionVersion,
  TxnBatch,
  TxnError,
  TxnMarker,
  TxnPartition,
  TxnProducerEntry,
  TxnResult,
} from './txn-types.js';

/** Short.MaxValue: TMD `isEpochExhausted` is epoch >= Short.MaxValue - 1. */
const SHORT_MAX = 32767;

export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

export function newTransactionMetadata(producerId: number, timeoutMs: number, version: TransactionVersion = 1): TransactionMetadata {
  return { producerId, epoch: -1, lastEpoch: -1, state: 'Empty', pendingState: null, partitions: [], timeoutMs, txnStartMs: -1, version };
}

// ---------------------------------------------------------------------------------------------
// Coordinator.
// ---------------------------------------------------------------------------------------------

export type InitResult =
  | { readonly kind: 'ok'; readonly meta: TransactionMetadata; readonly producerId: number; readonly epoch: number }
  /** Ongoing: the fence (epoch+1) and its abort were started; the client gets CONCURRENT_TRANSACTIONS and retries. */
  | { readonly kind: 'fencing'; readonly meta: TransactionMetadata; readonly markers: readonly TxnMarker[] }
  | { readonly kind: 'error'; readonly error: TxnError };

/**
 * InitProducerId with a transactional.id (TC `handleInitProducerId` → `prepareInitProducerIdTransit`):
 * a pending transition or Prepare* → CONCURRENT_TRANSACTIONS; Empty/Complete* → same pid, epoch+1
 * (TMD `prepareIncrementProducerEpoch`), or `newProducerId` at epoch 0 once the epoch is exhausted
 * (TMD `prepareProducerIdRotation`); Ongoing → TMD `prepareFenceProducerEpoch` then the abort
 * (TC `handleInitProducerId`'s PrepareEpochFence branch → `endTransaction(ABORT, isFromClient=false)`).
 * Without the KIP-360 expected epoch (a fresh initTransactions()), so any older instance is fenced.
 */
export function initProducerId(meta: TransactionMetadata, newProducerId: number, coordinatorEpoch: number): InitResult {
  if (meta.pendingState !== null) return { kind: 'error', error: 'CONCURRENT_TRANSACTIONS' };
  switch (meta.state) {
    case 'PrepareCommit':
    case 'PrepareAbort':
      return { kind: 'error', error: 'CONCURRENT_TRANSACTIONS' };
    case 'Empty':
    case 'CompleteCommit':
    case 'CompleteAbort': {
      const rotated = isEpochExhausted(meta.epoch);
      const next: TransactionMetadata = rotated
        ? { ...meta, producerId: newProducerId, epoch: 0, lastEpoch: -1, state: 'Empty', partitions: [], txnStartMs: -1 }
        : { ...meta, epoch: meta.epoch + 1, lastEpoch: -1, state: 'Empty', partitions: [], txnStartMs: -1 };
      return { kind: 'ok', meta: next, producerId: next.producerId, epoch: next.epoch };
    }
    case 'Ongoing': {
      const fenced = fenceProducerEpoch(meta);
      const ended = endTransaction(fenced, meta.producerId, fenced.epoch, 'ABORT', false, coordinatorEpoch);
      if (ended.kind !== 'prepared') throw new Error(`model bug: the fencing abort gave ${ended.kind}`);
      return { kind: 'fencing', meta: ended.meta, markers: ended.markers };
    }
    case 'PrepareEpochFence':
      throw new Error('model bug: PrepareEpochFence is never a written state (TC prepareInitProducerIdTransit)');
  }
}

/**
 * TMD `prepareFenceProducerEpoch`: pending PrepareEpochFence with epoch+1 and lastEpoch -1. In
 * Kafka the bumped epoch lives in the transit metadata until TC `endTransaction(ABORT,
 * isFromClient=false)` copies it in (isEpochFence); both happen in one call (TC
 * `handleInitProducerId`, `abortTimedOutTransactions`), so holding it in `epoch` here is the same.
 * `hasFailedEpochFence` (a failed log write, no second bump) is phase 2's, with log-append failures.
 */
export function fenceProducerEpoch(meta: TransactionMetadata): TransactionMetadata {
  return { ...meta, pendingState: 'PrepareEpochFence', epoch: meta.epoch + 1, lastEpoch: -1 };
}

/**
 * AddPartitionsToTxn (TC `handleAddPartitionsToTransaction`; under TV2 a pending transition is
 * checked first, below): pid mismatch →
 * INVALID_PRODUCER_ID_MAPPING; epoch ≠ current → PRODUCER_FENCED; pending or Prepare* →
 * CONCURRENT_TRANSACTIONS; Ongoing with every partition present → OK unchanged; otherwise Ongoing
 * with the union, the start time reset when coming from Empty/Complete* (TMD `prepareAddPartitions`).
 */
export function addPartitions(meta: TransactionMetadata, producerId: number, epoch: number, partitions: readonly number[], nowMs: number): { readonly error: TxnError; readonly meta: TransactionMetadata } {
  // 4.0 checks a pending transition first (KAFKA-18660: under TV2 the producer may already use
  // the epoch of a transition still pending); 3.8.0 after the pid and epoch.
  if (meta.version === 2 && meta.pendingState !== null) return { error: 'CONCURRENT_TRANSACTIONS', meta };
  if (meta.producerId !== producerId) return { error: 'INVALID_PRODUCER_ID_MAPPING', meta };
  if (meta.epoch !== epoch) return { error: 'PRODUCER_FENCED', meta };
  if (meta.pendingState !== null || meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return { error: 'CONCURRENT_TRANSACTIONS', meta };
  if (meta.state === 'Ongoing' && partitions.every((p) => meta.partitions.includes(p))) return { error: 'NONE', meta };
  const fresh = meta.state === 'Empty' || meta.state === 'CompleteCommit' || meta.state === 'CompleteAbort';
  const union = [...new Set([...meta.partitions, ...partitions])].sort((a, b) => a - b);
  return { error: 'NONE', meta: { ...meta, state: 'Ongoing', partitions: union, txnStartMs: fresh ? nowMs : meta.txnStartMs } };
}

/**
 * KIP-890 part 1 verification (TC `handleVerifyPartitionsInTransaction`): the leader asks whether
 * `partition` is in the transaction open with (pid, epoch). Mismatched pid →
 * INVALID_PRODUCER_ID_MAPPING; epoch → PRODUCER_FENCED (the producer sees INVALID_PRODUCER_EPOCH);
 * Prepare* → CONCURRENT_TRANSACTIONS (pending transitions are not checked); not in the partitions →
 * TRANSACTION_ABORTABLE.
 */
export function verifyPartition(meta: TransactionMetadata, producerId: number, epoch: number, partition: number): TxnError {
  if (meta.producerId !== producerId) return 'INVALID_PRODUCER_ID_MAPPING';
  if (meta.epoch !== epoch) return 'PRODUCER_FENCED';
  if (meta.state === 'PrepareCommit' || meta.state === 'PrepareAbort') return 'CONCURRENT_TRANSACTIONS';
  return meta.partitions.includes(partition) ? 'NONE' : 'TRANSACTION_ABORTABLE';
}

export type EndResult =
  | { readonly kind: 'prepared'; readonly meta: TransactionMetadata; readonly markers: readonly TxnMarker[] }
  /** Answered without a state change: NONE (a retry of a completed end) or an error. */
  | { readonly kind: 'answered'; readonly error: TxnError };

/**
 * The epoch check of TC `endTransaction`: TV1 (3.8.0) and TV2 (4.0's `endTransaction` above
 * `endTransactionWithTV1`, `isValidEpoch`): under TV2 a Prepare* takes only a retry of the EndTxn
 * that bumped it (`retryOnEpochBump`), a Complete* takes that retry or the current epoch (the next
 * transaction's end), Ongoing and Empty the current epoch. A fence (PrepareEpochFence) is judged
 * as under TV1 in both ("it bumps the epoch differently"). `retryOnOverflow` belongs to the pid
 * rotation at Short.MaxValue, which the model leaves out (see `completeTransaction`).
 */
function endTxnEpochValid(meta: TransactionMetadata, epoch: number, isFromClient: boolean): boolean {
  const v2 = meta.pendingState !== 'PrepareEpochFence' && meta.version === 2;
  if (!v2) return (!isFromClient || epoch === meta.epoch) && epoch >= meta.epoch;
  const retryOnEpochBump = meta.epoch === epoch + 1;
  switch (meta.state) {
    case 'PrepareCommit':
    case 'PrepareAbort':
      return retryOnEpochBump;
    case 'CompleteCommit':
    case 'CompleteAbort':
      return retryOnEpochBump || epoch === meta.epoch;
    default:
      return epoch === meta.epoch;
  }
}

/**
 * EndTxn (TC `endTransaction`, 3.8.0; 4.0's TV2 `endTransaction` for version 2). Pid mismatch →
 * INVALID_PRODUCER_ID_MAPPING; epoch check failed → PRODUCER_FENCED; another pending transition →
 * CONCURRENT_TRANSACTIONS. Ongoing → Prepare* (TMD `prepareAbortOrCommit`; under TV2 with
 * epoch+1 and lastEpoch = the old one), answered OK before the markers are written, which go to
 * every partition of the transaction with the (new) epoch (TMCM `addTxnMarkersToSend`).
 * TV1: Complete* of the same result → OK, nothing done (a retry); Prepare* of the same result →
 * CONCURRENT_TRANSACTIONS; anything else (Empty, mismatched result) → INVALID_TXN_STATE. TV1
 * judges the request by (pid, epoch, state) only: nothing says which transaction it ends
 * (reference §4.3, KAFKA-17754). TV2 (`endTransactionV2`) tells a retry from the next end by the
 * epoch, and aborts a transaction that added no partition.
 */
export function endTransaction(
  meta: TransactionMetadata,
  producerId: number,
  epoch: number,
  result: TxnResult,
  isFromClient: boolean,
  coordinatorEpoch: number,
): EndResult {
  const pendingOther = meta.pendingState !== null && meta.pendingState !== 'PrepareEpochFence';
  if (meta.producerId !== producerId) return { kind: 'answered', error: 'INVALID_PRODUCER_ID_MAPPING' };
  // 4.0's TV2 path checks a pending transition before the epoch (KAFKA-18464: the producer's next
  // EndTxn, at the bumped epoch, while the last transaction's markers are out); 3.8.0 after it.
  if (meta.version === 2 && pendingOther) return { kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' };
  if (!endTxnEpochValid(meta, epoch, isFromClient)) return { kind: 'answered', error: 'PRODUCER_FENCED' };
  if (pendingOther) return { kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' };
  if (meta.version === 2 && meta.pendingState !== 'PrepareEpochFence') return endTransactionV2(meta, epoch, result, coordinatorEpoch);
  switch (meta.state) {
    case 'Ongoing': {
      let base = meta;
      // The fence's bumped epoch is written with PrepareAbort (TC `endTransaction`, isEpochFence).
      if (result === 'ABORT' && meta.pendingState === 'PrepareEpochFence') base = { ...meta, pendingState: null, epoch, lastEpoch: -1 };
      else if (meta.pendingState !== null) return { kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' };
      // 4.0.0 passes the server's transaction version to the fence's abort (TC `handleInitProducerId`,
      // `abortTimedOutTransactions`: `txnManager.transactionVersionLevel()`), so under TV2 TMD
      // `prepareAbortOrCommit` bumps once more: the fence ends at epoch+2. KAFKA-19367 (merged
      // 2025-06, after 4.0.0) makes it one bump; the model follows 4.0.0.
      return prepareEnd(base, result, base.version === 2, coordinatorEpoch);
    }
    case 'CompleteCommit':
      return { kind: 'answered', error: result === 'COMMIT' ? 'NONE' : 'INVALID_TXN_STATE' };
    case 'CompleteAbort':
      return { kind: 'answered', error: result === 'ABORT' ? 'NONE' : 'INVALID_TXN_STATE' };
    case 'PrepareCommit':
      return { kind: 'answered', error: result === 'COMMIT' ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE' };
    case 'PrepareAbort':
      return { kind: 'answered', error: result === 'ABORT' ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE' };
    case 'Empty':
      return { kind: 'answered', error: 'INVALID_TXN_STATE' };
    case 'PrepareEpochFence':
      throw new Error('model bug: PrepareEpochFence is never a written state (TC endTransaction)');
  }
}

/**
 * TMD `prepareAbortOrCommit`: Prepare* with the markers for every partition of the transaction.
 * Under TV2 (`clientTransactionVersion.supportsEpochBump`) the epoch is bumped and lastEpoch keeps
 * the old one.
 */
function prepareEnd(base: TransactionMetadata, result: TxnResult, bump: boolean, coordinatorEpoch: number): EndResult {
  const next: TransactionMetadata = {
    ...base,
    state: result === 'COMMIT' ? 'PrepareCommit' : 'PrepareAbort',
    epoch: bump ? base.epoch + 1 : base.epoch,
    lastEpoch: bump ? base.epoch : base.lastEpoch,
  };
  const markers = next.partitions.map((partition) => ({ partition, producerId: next.producerId, epoch: next.epoch, result, coordinatorEpoch }));
  return { kind: 'prepared', meta: next, markers };
}

/**
 * TC `endTransaction` under TV2 (4.0), after the checks above, by state and whether the request is
 * a retry (`isRetry`: the epoch is one below the bumped one): Ongoing → Prepare* with a bump;
 * Complete* of the same result → OK when a retry, else a commit is INVALID_TXN_STATE and an abort
 * is a new, empty one; CompleteCommit with a retried abort → INVALID_TXN_STATE; Empty: an abort
 * is an empty one, a commit INVALID_TXN_STATE; Prepare* as under TV1. An empty abort
 * (`noPartitionAdded`: the client added a partition locally but no leader added it at the
 * coordinator) bumps the epoch and has no marker ("With transaction V2, it is allowed to abort the
 * transaction without adding any partitions", TMD `prepareAbortOrCommit`).
 */
function endTransactionV2(meta: TransactionMetadata, epoch: number, result: TxnResult, coordinatorEpoch: number): EndResult {
  const isRetry = meta.epoch === epoch + 1;
  const emptyAbort = (): EndResult => prepareEnd({ ...meta, partitions: [], txnStartMs: 0 }, 'ABORT', true, coordinatorEpoch);
  switch (meta.state) {
    case 'Ongoing':
      return prepareEnd(meta, result, true, coordinatorEpoch);
    case 'CompleteCommit':
      if (result === 'COMMIT') return { kind: 'answered', error: isRetry ? 'NONE' : 'INVALID_TXN_STATE' };
      return isRetry ? { kind: 'answered', error: 'INVALID_TXN_STATE' } : emptyAbort();
    case 'CompleteAbort':
      if (result === 'COMMIT') return { kind: 'answered', error: 'INVALID_TXN_STATE' };
      return isRetry ? { kind: 'answered', error: 'NONE' } : emptyAbort();
    case 'Empty':
      return result === 'ABORT' ? emptyAbort() : { kind: 'answered', error: 'INVALID_TXN_STATE' };
    case 'PrepareCommit':
      return { kind: 'answered', error: result === 'COMMIT' ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE' };
    case 'PrepareAbort':
      return { kind: 'answered', error: result === 'ABORT' ? 'CONCURRENT_TRANSACTIONS' : 'INVALID_TXN_STATE' };
    case 'PrepareEpochFence':
      throw new Error('model bug: PrepareEpochFence is never a written state (TC endTransaction)');
  }
}

/**
 * Once every marker is acknowledged, Complete* is written (TMCM `maybeWriteTxnCompletion` → TMD
 * `prepareComplete`): the partitions are cleared, pid and epoch kept. Not modelled: TV2's pid
 * rotation when an EndTxn bumps the epoch to Short.MaxValue (4.0 TC `endTransaction`'s
 * `nextProducerId`, `retryOnOverflow`): it takes 32,766 transactions of one producer id, far
 * beyond any bounded run, and no pinned 4.0.0 source for the answer it sends was at hand.
 */
export function completeTransaction(meta: TransactionMetadata): TransactionMetadata {
  if (meta.state !== 'PrepareCommit' && meta.state !== 'PrepareAbort') throw new Error(`model bug: complete from ${meta.state}`);
  return { ...meta, state: meta.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort', partitions: [] };
}

/**
 * The timeout abort (TC `abortTimedOutTransactions`, TSM `timedOutTransactions`): an Ongoing
 * transaction with no pending transition and txnStart + timeout < now is fenced (epoch+1) and
 * aborted as if by `endTransaction(ABORT, isFromClient=false)` with the bumped epoch. Null when
 * the transaction has not timed out.
 */
export function abortIfTimedOut(meta: TransactionMetadata, coordinatorEpoch: number, nowMs: number): { readonly meta: TransactionMetadata; readonly markers: readonly TxnMarker[] } | null {
  if (meta.state !== 'Ongoing' || meta.pendingState !== null || !(meta.txnStartMs + meta.timeoutMs < nowMs)) return null;
  const fenced = fenceProducerEpoch(meta);
  const ended = endTransaction(fenced, meta.producerId, fenced.epoch, 'ABORT', false, coordinatorEpoch);
  if (ended.kind !== 'prepared') throw new Error(`model bug: the timeout abort gave ${ended.kind}`);
  return { meta: ended.meta, markers: ended.markers };
}

// ---------------------------------------------------------------------------------------------
// Client TransactionManager.
// ---------------------------------------------------------------------------------------------

/** TM `State.isTransitionValid` (TM lines 205–229): FATAL_ERROR from anywhere, the rest from the listed sources. */
export function tmTransitionValid(source: TmState, target: TmState): boolean {
  switch (target) {
    case 'UNINITIALIZED':
      return source === 'READY' || source === 'ABORTABLE_ERROR';
    case 'INITIALIZING':
      return source === 'UNINITIALIZED' || source === 'ABORTING_TRANSACTION';
    case 'READY':
      return source === 'INITIALIZING' || source === 'COMMITTING_TRANSACTION' || source === 'ABORTING_TRANSACTION';
    case 'IN_TRANSACTION':
      return source === 'READY';
    case 'COMMITTING_TRANSACTION':
      return source === 'IN_TRANSACTION';
    case 'ABORTING_TRANSACTION':
      return source === 'IN_TRANSACTION' || source === 'ABORTABLE_ERROR';
    case 'ABORTABLE_ERROR':
      return source === 'IN_TRANSACTION' || source === 'COMMITTING_TRANSACTION' || source === 'ABORTABLE_ERROR' || source === 'INITIALIZING';
    case 'FATAL_ERROR':
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Partition leader.
// ---------------------------------------------------------------------------------------------

export const EMPTY_TXN_PARTITION: TxnPartition = { log: [], hw: 0, producers: [], ongoing: [], unreplicated: [], abortedIndex: [] };

export function txnLogEndOffset(p: TxnPartition): number {
  const last = p.log[p.log.length - 1];
  return last === undefined ? 0 : batchEnd(last);
}

/** The offset after the batch (a control batch holds one record). */
function batchEnd(b: TxnBatch): number {
  return b.baseOffset + Math.max(1, b.sends.length);
}

function entryOf(p: TxnPartition, producerId: number): TxnProducerEntry | undefined {
  return p.producers.find((e) => e.producerId === producerId);
}

function withEntry(p: TxnPartition, entry: TxnProducerEntry): readonly TxnProducerEntry[] {
  const rest = p.producers.filter((e) => e.producerId !== entry.producerId);
  return [...rest, entry].sort((a, b) => a.producerId - b.producerId);
}

export type TxnAppend = { readonly kind: 'appended'; readonly partition: TxnPartition; readonly baseOffset: number } | { readonly kind: 'rejected'; readonly error: TxnError };

/**
 * A data batch's transactional checks at the leader (PAI `appendDataBatch`, `checkProducerEpoch`):
 * epoch below the entry's → INVALID_PRODUCER_EPOCH; a non-transactional batch while a transaction
 * is open → INVALID_TXN_STATE; the first transactional batch with none open opens one at its
 * offset (PSE `currentTxnFirstOffset`, PSM `ongoingTxns`). Sequence checks are broker.ts's and
 * verification (KIP-890 part 1) is `verifyPartition`'s, both before this.
 */
export function appendTxnData(p: TxnPartition, producerId: number, epoch: number, transactional: boolean, sends: readonly number[]): TxnAppend {
  const entry = entryOf(p, producerId);
  if (entry !== undefined && epoch < entry.epoch) return { kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' };
  const open = entry !== undefined && entry.currentTxnFirstOffset >= 0;
  if (open && !transactional) return { kind: 'rejected', error: 'INVALID_TXN_STATE' };
  const baseOffset = txnLogEndOffset(p);
  const firstOffset = !open && transactional ? baseOffset : (entry?.currentTxnFirstOffset ?? -1);
  const next: TxnProducerEntry = { producerId, epoch, coordinatorEpoch: entry?.coordinatorEpoch ?? -1, currentTxnFirstOffset: firstOffset };
  const ongoing = !open && transactional ? [...p.ongoing, { producerId, firstOffset: baseOffset, lastOffset: -1 }] : p.ongoing;
  const batch: TxnBatch = { baseOffset, producerId, epoch, transactional, control: 'none', sends };
  return { kind: 'appended', baseOffset, partition: { ...p, log: [...p.log, batch], producers: withEntry(p, next), ongoing } };
}

/**
 * The first offset of the next open transaction of another producer, or the marker's offset + 1
 * (PSM `lastStableOffset(CompletedTxn)`): the LSO written into an aborted-index entry.
 */
function lsoAfterCompletion(p: TxnPartition, producerId: number, markerOffset: number): number {
  const other = p.ongoing.find((t) => t.producerId !== producerId);
  return other === undefined ? markerOffset + 1 : other.firstOffset;
}

/**
 * A marker appended by the leader (APIS `handleWriteTxnMarkersRequest` → PAI `appendEndTxnMarker`):
 * epoch below the entry's → INVALID_PRODUCER_EPOCH (`checkProducerEpoch`; an equal epoch passes
 * even when the open transaction is a newer one); coordinator epoch below the entry's →
 * TRANSACTION_COORDINATOR_FENCED (`checkCoordinatorEpoch`). The control batch is appended; if a
 * transaction was open it completes (PSM `completeTxn`: ongoing → unreplicated until the HW
 * passes the marker) and an ABORT writes an aborted-index entry (UL `append`, TransactionIndex).
 * The entry takes the marker's epoch and coordinator epoch and has no open transaction
 * (PSE `update`).
 */
export function appendMarker(p: TxnPartition, marker: TxnMarker): TxnAppend {
  const entry = entryOf(p, marker.producerId);
  if (entry !== undefined && marker.epoch < entry.epoch) return { kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' };
  if (entry !== undefined && marker.coordinatorEpoch < entry.coordinatorEpoch) return { kind: 'rejected', error: 'TRANSACTION_COORDINATOR_FENCED' };
  const offset = txnLogEndOffset(p);
  const control: TxnBatch = { baseOffset: offset, producerId: marker.producerId, epoch: marker.epoch, transactional: true, control: marker.result, sends: [] };
  const firstOffset = entry?.currentTxnFirstOffset ?? -1;
  let ongoing = p.ongoing;
  let unreplicated = p.unreplicated;
  let abortedIndex = p.abortedIndex;
  if (firstOffset >= 0) {
    ongoing = p.ongoing.filter((t) => t.firstOffset !== firstOffset);
    unreplicated = [...p.unreplicated, { producerId: marker.producerId, firstOffset, lastOffset: offset }].sort((a, b) => a.firstOffset - b.firstOffset);
    if (marker.result === 'ABORT') {
      const aborted: AbortedTxn = { producerId: marker.producerId, firstOffset, lastOffset: offset, lastStableOffset: lsoAfterCompletion(p, marker.producerId, offset) };
      abortedIndex = [...p.abortedIndex, aborted];
    }
  }
  const next: TxnProducerEntry = { producerId: marker.producerId, epoch: marker.epoch, coordinatorEpoch: marker.coordinatorEpoch, currentTxnFirstOffset: -1 };
  return { kind: 'appended', baseOffset: offset, partition: { ...p, log: [...p.log, control], producers: withEntry(p, next), ongoing, unreplicated, abortedIndex } };
}

/** The HW moves (UL `updateHighWatermarkMetadata` → PSM `onHighWatermarkUpdated`): completed transactions whose marker is below it leave `unreplicated`. */
export function setHighWatermark(p: TxnPartition, hw: number): TxnPartition {
  return { ...p, hw, unreplicated: p.unreplicated.filter((t) => !(t.lastOffset < hw)) };
}

/**
 * UL `lastStableOffset`: the first unstable offset (PSM `firstUnstableOffset`: the oldest first
 * offset among open transactions and completed ones whose marker is not yet below the HW) when it
 * is below the HW, else the HW.
 */
export function lastStableOffset(p: TxnPartition): number {
  const firsts = [...p.ongoing, ...p.unreplicated].map((t) => t.firstOffset);
  const first = firsts.length === 0 ? Infinity : Math.min(...firsts);
  return first < p.hw ? first : p.hw;
}

// ---------------------------------------------------------------------------------------------
// Consumer reads.
// ---------------------------------------------------------------------------------------------

/** One returned record: its offset and the send it came from. */
export interface VisibleRecord {
  readonly offset: number;
  readonly send: number;
}

function dataRecords(b: TxnBatch, fetchOffset: number): VisibleRecord[] {
  return b.sends.map((send, i) => ({ offset: b.baseOffset + i, send })).filter((r) => r.offset >= fetchOffset);
}

/** read_uncommitted (FI `of`, UL `read`; CF `nextFetchedRecord`): every data record up to the HW; control records are never returned. */
export function readUncommitted(p: TxnPartition, fetchOffset: number): readonly VisibleRecord[] {
  return p.log.filter((b) => b.control === 'none' && b.baseOffset < p.hw).flatMap((b) => dataRecords(b, fetchOffset).filter((r) => r.offset < p.hw));
}

/**
 * read_committed. Broker: batches below the LSO (UL `read` with FetchIsolation TXN_COMMITTED)
 * with the aborted transactions whose lastOffset ≥ fetchOffset and firstOffset < the LSO
 * (LL `addAbortedTransactions`, TI `collectAbortedTxns`). Client (CF `nextFetchedRecord`, ref
 * §1.2): a batch with a producer id first moves the aborted entries with firstOffset ≤ its last
 * offset into `abortedPids`; an ABORT control batch removes its pid; a transactional data batch
 * of a pid in the set is skipped; control records are never returned. `ignoreAbortedIndex` is the
 * mutant consumer of issue 19 (skips nothing).
 */
export function readCommitted(p: TxnPartition, fetchOffset: number, ignoreAbortedIndex = false): readonly VisibleRecord[] {
  const lso = lastStableOffset(p);
  const batches = p.log.filter((b) => batchEnd(b) > fetchOffset && batchEnd(b) <= lso);
  let pending = ignoreAbortedIndex ? [] : p.abortedIndex.filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < lso).sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedPids = new Set<number>();
  const out: VisibleRecord[] = [];
  for (const b of batches) {
    const last = batchEnd(b) - 1;
    if (b.producerId >= 0) {
      for (const a of pending.filter((x) => x.firstOffset <= last)) abortedPids.add(a.producerId);
      pending = pending.filter((x) => x.firstOffset > last);
    }
    if (b.control === 'ABORT') {
      abortedPids.delete(b.producerId);
      continue;
    }
    if (b.control === 'COMMIT') continue;
    if (b.transactional && abortedPids.has(b.producerId)) continue;
    out.push(...dataRecords(b, fetchOffset));
  }
  return out;
}

