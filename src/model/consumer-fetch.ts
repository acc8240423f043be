/**
 * The consumer's fetch side in Kafka 3.8.0, as pure functions: what the partition leader answers
 * to a consumer's reads (Fetch up to the HW, or up to the LSO with the aborted transactions for
 * read_committed; OffsetsForLeaderEpoch; ListOffsets(EARLIEST)), what the client keeps of it
 * (CompletedFetch), and one fetch round trip of one assigned partition, chosen by its
 * SubscriptionState fetch state. The group, commits, poll() and processing are in consumer.ts.
 * Aliases as in consumer-types.ts, plus UL UnifiedLog, LL LocalLog, TI TransactionIndex, FI
 * FetchIsolation (reference §0).
 */

import { logEndOffset, replaceAt } from './broker.js';
import type { AssignedPartition, BufferedFetch, ConsumedRecord, ConsumerState, FetchPosition } from './consumer-types.js';
import { lastStableOffset } from './txn.js';
import { txnView } from './txn-partition.js';
import type { AbortedTxn } from './txn-types.js';
import type { LogBatch, PartitionState, Replica } from './types.js';

/** The consumer's `isolation.level` (CCFG, default read_uncommitted), and the ignore-aborted-index mutant (not Kafka). */
export interface ReadIsolation {
  readonly level: 'read_uncommitted' | 'read_committed';
  readonly ignoreAbortedIndex: boolean;
}

export const READ_UNCOMMITTED: ReadIsolation = { level: 'read_uncommitted', ignoreAbortedIndex: false };

/** No position: AWAIT_RESET and INITIALIZING (SS `FetchPosition` absent). */
export const NO_POSITION: FetchPosition = { offset: -1, offsetEpoch: -1, leaderEpoch: -1 };

/** The record's key as the consumer deserializes it: the application record id the producer wrote. */
function keyOf(keys: readonly number[], send: number): number {
  return keys[send] ?? -1;
}

// ---------------------------------------------------------------------------------------------
// Broker side of the consumer's requests (reads only; the leader's state is not changed).
// ---------------------------------------------------------------------------------------------

export interface EpochEntry {
  readonly epoch: number;
  readonly startOffset: number;
}

/**
 * The leader's LeaderEpochFileCache: the first offset of each epoch among its batches, plus its
 * own epoch at the offset where it became leader (PART `makeLeader` → `maybeAssignEpochStartOffset`).
 * A replica that led an epoch without writing in it kept an entry this derivation lacks; that
 * changes no answer to a consumer, whose offsetEpoch is always a batch's epoch.
 */
export function epochCache(partition: PartitionState): readonly EpochEntry[] {
  const leader = partition.replicas[partition.leader];
  if (leader === undefined) return [];
  const out: EpochEntry[] = [];
  for (const batch of leader.log) {
    const last = out[out.length - 1];
    if (last === undefined || batch.leaderEpoch > last.epoch) out.push({ epoch: batch.leaderEpoch, startOffset: batch.baseOffset });
  }
  const last = out[out.length - 1];
  if (last === undefined || partition.leaderEpoch > last.epoch) out.push({ epoch: partition.leaderEpoch, startOffset: partition.leaderEpochStartOffset });
  return out;
}

/** OffsetsForLeaderEpoch's answer; endOffset -1 = UNDEFINED_EPOCH_OFFSET. */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/**
 * PART `lastOffsetForLeaderEpoch` → UL `endOffsetForEpoch` → LeaderEpochFileCache `endOffsetFor`:
 * the current epoch ends at the LEO; an older one at the start of the next higher epoch, answered
 * with the largest epoch not above it (or the requested epoch when none is).
 */
export function endOffsetForEpoch(partition: PartitionState, requested: number): EpochEndOffset {
  const leader = partition.replicas[partition.leader];
  const cache = epochCache(partition);
  if (leader === undefined || requested < 0) return { epoch: -1, endOffset: -1 };
  const latest = cache[cache.length - 1];
  if (latest !== undefined && latest.epoch === requested) return { epoch: requested, endOffset: logEndOffset(leader) };
  const higher = cache.find((e) => e.epoch > requested);
  if (higher === undefined) return { epoch: -1, endOffset: -1 };
  const floor = [...cache].reverse().find((e) => e.epoch <= requested);
  return { epoch: floor === undefined ? requested : floor.epoch, endOffset: higher.startOffset };
}

export type LeaderFetch =
  | {
      readonly kind: 'records';
      /** What the client keeps: the records poll() will return (possibly none) and the offset after the last batch read. */
      readonly data: BufferedFetch;
      /** The read's upper bound: the HW, or the LSO for read_committed (UL `read`). */
      readonly bound: number;
      /** Offsets of data records in the read that the client dropped as aborted (CF `isBatchAborted`). */
      readonly abortedSkipped: readonly number[];
      /** Offsets of control records (markers) in the read, never returned (CF `nextFetchedRecord`). */
      readonly controlSkipped: readonly number[];
    }
  /** fetchOffset in [bound, LEO]: nothing readable yet (LL `read` with maxOffset = the HW or the LSO). */
  | { readonly kind: 'empty' }
  | { readonly kind: 'OFFSET_OUT_OF_RANGE' }
  /** The consumer's leader epoch is older than the leader's (PART `checkCurrentLeaderEpoch`). */
  | { readonly kind: 'FENCED_LEADER_EPOCH' }
  /** No leader: the client's fetch gets NOT_LEADER_OR_FOLLOWER or no connection. */
  | { readonly kind: 'NOT_LEADER_OR_FOLLOWER' };

/** The offset after the batch: a control batch holds one record (EndTransactionMarker). */
function batchEnd(batch: LogBatch): number {
  return batch.baseOffset + Math.max(1, batch.sends.length);
}

/**
 * The broker side of a read_committed fetch: the LSO as the read's upper bound (FI `of` →
 * TXN_COMMITTED; UL `read` line 1244 → `fetchLastStableOffsetMetadata`), and the aborted
 * transactions of the transaction index that overlap the read, by first offset (LL `read` with
 * includeAbortedTxns → `addAbortedTransactions` → TI `collectAbortedTxns`: lastOffset ≥ the fetch
 * offset and firstOffset < the read's upper offset; the read ends at the LSO here). The partition's
 * transactional state is the replay of the leader's log (txn-partition.ts `txnView`).
 */
function committedReadBounds(leader: Replica, fetchOffset: number, ignoreAbortedIndex: boolean): { readonly bound: number; readonly aborted: readonly AbortedTxn[] } {
  const view = txnView(leader);
  const bound = lastStableOffset(view);
  const aborted = ignoreAbortedIndex ? [] : view.abortedIndex.filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < bound).sort((a, b) => a.firstOffset - b.firstOffset);
  return { bound, aborted };
}

/**
 * A consumer fetch on the leader: RM `fetchMessages` → PART `fetchRecords`
 * (`checkCurrentLeaderEpoch`) → UL `read` with maxOffset = the HW for read_uncommitted or the LSO
 * for read_committed (FI `of`, UL line 1241) → LL `read`: an offset above the LEO (or below the log
 * start, 0 here) is OFFSET_OUT_OF_RANGE, one in [bound, LEO] reads nothing (LL lines 373–376).
 *
 * The client side, CF `nextFetchedRecord` (line 185) batch by batch in offset order:
 * - every batch read sets `lastEpoch` to its leader epoch;
 * - read_committed only, for a batch with a producer id: aborted transactions of the response
 *   whose firstOffset ≤ the batch's last offset join `abortedProducerIds`
 *   (`consumeAbortedTransactionsUpTo`); an ABORT control batch removes its producer id
 *   (`containsAbortMarker`); a transactional data batch of a producer id in the set is skipped
 *   whole and the next fetch offset moves past it (`isBatchAborted`);
 * - control records are never returned, under either isolation; the next fetch offset moves past them;
 * - records below the fetch offset (a batch read from its middle) are skipped;
 * and each returned record's key is read as it is deserialized. The next fetch offset is the
 * offset after the last record or batch read (CF `fetchRecords`, and `currentBatch.nextOffset()`
 * once the batches are exhausted), so a read of only aborted or control batches still moves the
 * position when poll() drains it (FC `fetchRecords`: positionAdvanced with no records).
 */
export function fetchFromLeader(
  partition: PartitionState,
  index: number,
  position: FetchPosition,
  keys: readonly number[],
  generation: number,
  read: ReadIsolation = READ_UNCOMMITTED,
): LeaderFetch {
  const leader: Replica | undefined = partition.replicas[partition.leader];
  if (partition.leader < 0 || leader === undefined) return { kind: 'NOT_LEADER_OR_FOLLOWER' };
  if (position.leaderEpoch >= 0 && position.leaderEpoch < partition.leaderEpoch) return { kind: 'FENCED_LEADER_EPOCH' };
  const fetchOffset = position.offset;
  if (fetchOffset < 0 || fetchOffset > logEndOffset(leader)) return { kind: 'OFFSET_OUT_OF_RANGE' };
  const committed = read.level === 'read_committed';
  const { bound, aborted } = committed ? committedReadBounds(leader, fetchOffset, read.ignoreAbortedIndex) : { bound: leader.hw, aborted: [] };
  let pending = aborted;
  const abortedProducerIds = new Set<number>();
  const records: ConsumedRecord[] = [];
  const abortedSkipped: number[] = [];
  const controlSkipped: number[] = [];
  let lastEpoch = position.offsetEpoch;
  let nextFetchOffset = fetchOffset;
  for (const batch of leader.log) {
    if (batchEnd(batch) <= fetchOffset || batch.baseOffset >= bound) continue;
    lastEpoch = batch.leaderEpoch;
    if (committed && batch.producerId >= 0) {
      const last = batchEnd(batch) - 1;
      for (const a of pending) if (a.firstOffset <= last) abortedProducerIds.add(a.producerId);
      pending = pending.filter((a) => a.firstOffset > last);
      if (batch.control?.result === 'ABORT') abortedProducerIds.delete(batch.producerId);
      else if (batch.transactional === true && batch.control === undefined && abortedProducerIds.has(batch.producerId)) {
        batch.sends.forEach((_, i) => {
          if (batch.baseOffset + i >= fetchOffset) abortedSkipped.push(batch.baseOffset + i);
        });
        nextFetchOffset = batchEnd(batch);
        continue;
      }
    }
    if (batch.control !== undefined) {
      controlSkipped.push(batch.baseOffset);
      nextFetchOffset = batch.baseOffset + 1;
      continue;
    }
    for (let i = 0; i < batch.sends.length; i++) {
      const offset = batch.baseOffset + i;
      if (offset < fetchOffset || offset >= bound) continue;
      const send = batch.sends[i] as number;
      records.push({ partition: index, offset, send, key: keyOf(keys, send), leaderEpoch: batch.leaderEpoch, generation });
      nextFetchOffset = offset + 1;
    }
  }
  if (nextFetchOffset === fetchOffset) return { kind: 'empty' };
  return { kind: 'records', data: { fetchOffset, records, nextFetchOffset, lastEpoch }, bound, abortedSkipped, controlSkipped };
}

/**
 * ListOffsets(EARLIEST) on the leader: the log start offset, with the earliest cached epoch when
 * it starts there (UL `fetchOffsetByTimestamp`, EARLIEST_TIMESTAMP; PART `fetchOffsetForTimestamp`).
 */
export function listEarliest(partition: PartitionState): { readonly offset: number; readonly epoch: number } {
  const first = epochCache(partition)[0];
  return { offset: 0, epoch: first !== undefined && first.startOffset <= 0 ? first.epoch : -1 };
}

// ---------------------------------------------------------------------------------------------
// Fetching: one round trip for one assigned partition, chosen by its fetch state.
// ---------------------------------------------------------------------------------------------

export type FetchOutcome =
  | 'fetched'
  | 'nothing' // nothing changed: no leader, nothing readable, or data still buffered
  | 'reset' // AWAIT_RESET → FETCHING at the earliest offset
  | 'out-of-range' // FETCHING → AWAIT_RESET
  | 'leader-changed' // FETCHING → AWAIT_VALIDATION (or FETCHING without an epoch to validate)
  | 'validated'
  | 'truncation-detected';

function setPartitionState(consumer: ConsumerState, at: number, next: AssignedPartition): ConsumerState {
  return { ...consumer, assigned: replaceAt(consumer.assigned, at, next) };
}

/**
 * The next fetch-side round trip of `consumer` for `partition` (topic partition `index`), given
 * the partition as the cluster now has it:
 * - AWAIT_RESET: ListOffsets(earliest), then FETCHING there (OF `resetPositionsIfNeeded`,
 *   SS `maybeSeekUnvalidated`);
 * - AWAIT_VALIDATION: OffsetsForLeaderEpoch(offsetEpoch) to the leader; an end offset below the
 *   position is a truncation: seek to it (the reset policy is set), an undefined one resets, else
 *   the position stands (SS `maybeCompleteValidation`; OF `validatePositionsAsync`);
 * - FETCHING with an older leader epoch than the partition's: the fetch is fenced, metadata is
 *   refreshed and the position awaits validation if it has an epoch (FC `handleInitializeErrors`,
 *   SS `maybeValidatePositionForCurrentLeader` → `validatePosition`);
 * - FETCHING: a fetch of the configured isolation.level (`fetchFromLeader`), unless data is still
 *   buffered (AF `fetchablePartitions`); out of range goes to AWAIT_RESET with
 *   auto.offset.reset=earliest (FC `handleInitializeErrors`).
 * `abortedSkipped`: data records the fetch dropped as aborted (for a witness).
 */
export function fetchStep(
  consumer: ConsumerState,
  index: number,
  partition: PartitionState,
  keys: readonly number[],
  read: ReadIsolation = READ_UNCOMMITTED,
): { readonly consumer: ConsumerState; readonly outcome: FetchOutcome; readonly abortedSkipped: number } {
  const at = consumer.assigned.findIndex((a) => a.partition === index);
  const assigned = consumer.assigned[at];
  const unchanged = { consumer, outcome: 'nothing' as const, abortedSkipped: 0 };
  if (assigned === undefined || partition.leader < 0) return unchanged;
  const leaderEpoch = partition.leaderEpoch;
  switch (assigned.fetchState) {
    case 'INITIALIZING':
      return unchanged; // OffsetFetch happens inside poll (CC `refreshCommittedOffsetsIfNeeded`)
    case 'AWAIT_RESET': {
      const earliest = listEarliest(partition);
      const position = { offset: earliest.offset, offsetEpoch: earliest.epoch, leaderEpoch };
      return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position, buffered: null }), outcome: 'reset', abortedSkipped: 0 };
    }
    case 'AWAIT_VALIDATION': {
      const answer = endOffsetForEpoch(partition, assigned.position.offsetEpoch);
      const current = { ...assigned.position, leaderEpoch };
      if (answer.endOffset < 0 || answer.epoch < 0) {
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'AWAIT_RESET', position: NO_POSITION, buffered: null }), outcome: 'truncation-detected', abortedSkipped: 0 };
      }
      if (answer.endOffset < current.offset) {
        const position = { offset: answer.endOffset, offsetEpoch: answer.epoch, leaderEpoch };
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position, buffered: null }), outcome: 'truncation-detected', abortedSkipped: 0 };
      }
      return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position: current }), outcome: 'validated', abortedSkipped: 0 };
    }
    case 'FETCHING': {
      if (assigned.position.leaderEpoch !== leaderEpoch) {
        const position = { ...assigned.position, leaderEpoch };
        const fetchState = assigned.position.offsetEpoch >= 0 ? 'AWAIT_VALIDATION' : 'FETCHING';
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState, position }), outcome: 'leader-changed', abortedSkipped: 0 };
      }
      if (assigned.buffered !== null) return unchanged;
      const answer = fetchFromLeader(partition, index, assigned.position, keys, consumer.generation, read);
      if (answer.kind === 'records') return { consumer: setPartitionState(consumer, at, { ...assigned, buffered: answer.data }), outcome: 'fetched', abortedSkipped: answer.abortedSkipped.length };
      if (answer.kind === 'OFFSET_OUT_OF_RANGE') {
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'AWAIT_RESET', position: NO_POSITION, buffered: null }), outcome: 'out-of-range', abortedSkipped: 0 };
      }
      return unchanged;
    }
  }
}

/** Would `fetchStep` change anything? (A no-op round trip is not an event worth exploring.) */
export function fetchHasWork(consumer: ConsumerState, index: number, partition: PartitionState, keys: readonly number[], read: ReadIsolation = READ_UNCOMMITTED): boolean {
  return fetchStep(consumer, index, partition, keys, read).outcome !== 'nothing';
}
