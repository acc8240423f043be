/**
 * The consumer's fetch side in Kafka 3.8.0, as pure functions: what the partition leader answers
 * to a consumer's reads (Fetch up to the HW, OffsetsForLeaderEpoch, ListOffsets(EARLIEST)), and one
 * fetch round trip of one assigned partition, chosen by its SubscriptionState fetch state. The group,
 * commits, poll() and processing are in consumer.ts. Aliases as in consumer-types.ts.
 */

import { logEndOffset, replaceAt } from './broker.js';
import type { AssignedPartition, BufferedFetch, ConsumedRecord, ConsumerState, FetchPosition } from './consumer-types.js';
import type { PartitionState, Replica } from './types.js';

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
  | { readonly kind: 'records'; readonly data: BufferedFetch }
  /** fetchOffset in [HW, LEO]: nothing readable yet (LL `read` with maxOffset = HW). */
  | { readonly kind: 'empty' }
  | { readonly kind: 'OFFSET_OUT_OF_RANGE' }
  /** The consumer's leader epoch is older than the leader's (PART `checkCurrentLeaderEpoch`). */
  | { readonly kind: 'FENCED_LEADER_EPOCH' }
  /** No leader: the client's fetch gets NOT_LEADER_OR_FOLLOWER or no connection. */
  | { readonly kind: 'NOT_LEADER_OR_FOLLOWER' };

/**
 * A read_uncommitted consumer fetch on the leader: RM `fetchMessages` → PART `fetchRecords`
 * (`checkCurrentLeaderEpoch`) → UL `read` with maxOffset = HW (FI `of`, UL line 1236) → LL `read`:
 * an offset above the LEO (or below the log start, 0 here) is OFFSET_OUT_OF_RANGE, one in [HW, LEO]
 * reads nothing. The client skips records below the fetch offset of a batch read from its middle
 * (CF `nextFetchedRecord`) and reads each record's key as it deserializes it.
 */
export function fetchFromLeader(
  partition: PartitionState,
  index: number,
  position: FetchPosition,
  keys: readonly number[],
  generation: number,
): LeaderFetch {
  const leader: Replica | undefined = partition.replicas[partition.leader];
  if (partition.leader < 0 || leader === undefined) return { kind: 'NOT_LEADER_OR_FOLLOWER' };
  if (position.leaderEpoch >= 0 && position.leaderEpoch < partition.leaderEpoch) return { kind: 'FENCED_LEADER_EPOCH' };
  const fetchOffset = position.offset;
  if (fetchOffset < 0 || fetchOffset > logEndOffset(leader)) return { kind: 'OFFSET_OUT_OF_RANGE' };
  const records: ConsumedRecord[] = [];
  let lastEpoch = position.offsetEpoch;
  for (const batch of leader.log) {
    for (let i = 0; i < batch.sends.length; i++) {
      const offset = batch.baseOffset + i;
      if (offset < fetchOffset || offset >= leader.hw) continue;
      const send = batch.sends[i] as number;
      records.push({ partition: index, offset, send, key: keyOf(keys, send), leaderEpoch: batch.leaderEpoch, generation });
      lastEpoch = batch.leaderEpoch;
    }
  }
  const last = records[records.length - 1];
  if (last === undefined) return { kind: 'empty' };
  return { kind: 'records', data: { fetchOffset, records, nextFetchOffset: last.offset + 1, lastEpoch } };
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
 * - FETCHING: a fetch, unless data is still buffered (AF `fetchablePartitions`); out of range
 *   goes to AWAIT_RESET with auto.offset.reset=earliest (FC `handleInitializeErrors`).
 */
export function fetchStep(
  consumer: ConsumerState,
  index: number,
  partition: PartitionState,
  keys: readonly number[],
): { readonly consumer: ConsumerState; readonly outcome: FetchOutcome } {
  const at = consumer.assigned.findIndex((a) => a.partition === index);
  const assigned = consumer.assigned[at];
  const unchanged = { consumer, outcome: 'nothing' as const };
  if (assigned === undefined || partition.leader < 0) return unchanged;
  const leaderEpoch = partition.leaderEpoch;
  switch (assigned.fetchState) {
    case 'INITIALIZING':
      return unchanged; // OffsetFetch happens inside poll (CC `refreshCommittedOffsetsIfNeeded`)
    case 'AWAIT_RESET': {
      const earliest = listEarliest(partition);
      const position = { offset: earliest.offset, offsetEpoch: earliest.epoch, leaderEpoch };
      return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position, buffered: null }), outcome: 'reset' };
    }
    case 'AWAIT_VALIDATION': {
      const answer = endOffsetForEpoch(partition, assigned.position.offsetEpoch);
      const current = { ...assigned.position, leaderEpoch };
      if (answer.endOffset < 0 || answer.epoch < 0) {
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'AWAIT_RESET', position: NO_POSITION, buffered: null }), outcome: 'truncation-detected' };
      }
      if (answer.endOffset < current.offset) {
        const position = { offset: answer.endOffset, offsetEpoch: answer.epoch, leaderEpoch };
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position, buffered: null }), outcome: 'truncation-detected' };
      }
      return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'FETCHING', position: current }), outcome: 'validated' };
    }
    case 'FETCHING': {
      if (assigned.position.leaderEpoch !== leaderEpoch) {
        const position = { ...assigned.position, leaderEpoch };
        const fetchState = assigned.position.offsetEpoch >= 0 ? 'AWAIT_VALIDATION' : 'FETCHING';
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState, position }), outcome: 'leader-changed' };
      }
      if (assigned.buffered !== null) return unchanged;
      const read = fetchFromLeader(partition, index, assigned.position, keys, consumer.generation);
      if (read.kind === 'records') return { consumer: setPartitionState(consumer, at, { ...assigned, buffered: read.data }), outcome: 'fetched' };
      if (read.kind === 'OFFSET_OUT_OF_RANGE') {
        return { consumer: setPartitionState(consumer, at, { ...assigned, fetchState: 'AWAIT_RESET', position: NO_POSITION, buffered: null }), outcome: 'out-of-range' };
      }
      return unchanged;
    }
  }
}

/** Would `fetchStep` change anything? (A no-op round trip is not an event worth exploring.) */
export function fetchHasWork(consumer: ConsumerState, index: number, partition: PartitionState, keys: readonly number[]): boolean {
  return fetchStep(consumer, index, partition, keys).outcome !== 'nothing';
}
