/**
 * Broker side of one partition replica: the log, the producer-state table and its snapshots,
 * the leader's idempotence checks, follower replication, truncation and the high watermark.
 *
 * Modelled (Kafka 3.8.0):
 * - the order of checks on a client append: duplicate, then epoch, then sequence
 *   (UL `analyzeAndValidateProducerState`, PSE `findDuplicateBatch`, PAI `maybeValidateDataBatch`);
 * - the 5-batch window per producer id (PSE `NUM_BATCHES_TO_RETAIN`), a new epoch clearing it
 *   (PSE `maybeUpdateProducerEpoch`), an unknown producer id accepting any sequence (PAI `checkSequence`);
 * - REPLICATION-origin appends on followers: no sequence check, an old epoch only logged (PAI);
 * - truncation rebuilding producer state from the newest snapshot at or below the target plus the
 *   log (UL `truncateTo`, `rebuildProducerState`), with snapshots that keep one batch per producer
 *   (PSM); a restart loading the one snapshot at the log end (LogLoader, `reloadAfterRestart`);
 * - the leader's HW: the minimum LEO over the ISR, frozen below min.insync.replicas (PART `maybeIncrementLeaderHW`).
 *
 * Not modelled (on purpose): timestamps and the expiry clock (expiry is a fault event), transactions
 * and their markers, segment rolls (no snapshot is taken at a roll), log retention, sequence wrap-around
 * at Int.MAX (it needs 2^31 records), and "caught-up" replicas outside the ISR holding the HW back
 * (that rule only delays the HW, so leaving it out removes no behaviour that matters for loss).
 */

import * as make from './records.js';
import type { TxnResult } from './txn-types.js';
import type {
  BatchMetadata,
  ErrorCode,
  LogBatch,
  PartitionState,
  ProducerEntry,
  ProducerSnapshot,
  Replica,
  WireBatch,
} from './types.js';

export const EMPTY_REPLICA: Replica = make.replica({ log: [], hw: 0, flushed: 0, producers: [], snapshots: [] });

/** Offsets a batch takes: its records, or one for a control batch (its EndTransactionMarker record). */
export function batchSize(batch: LogBatch): number {
  return batch.control === undefined ? batch.sends.length : 1;
}

export function logEndOffset(replica: Replica): number {
  const last = replica.log[replica.log.length - 1];
  return last === undefined ? 0 : last.baseOffset + batchSize(last);
}

export function lastOffsetOf(batch: LogBatch): number {
  return batch.baseOffset + batchSize(batch) - 1;
}

export function findProducer(producers: readonly ProducerEntry[], producerId: number): ProducerEntry | undefined {
  return producers.find((entry) => entry.producerId === producerId);
}

function putProducer(producers: readonly ProducerEntry[], entry: ProducerEntry): readonly ProducerEntry[] {
  const rest = producers.filter((e) => e.producerId !== entry.producerId);
  const at = rest.findIndex((e) => e.producerId > entry.producerId);
  return at < 0 ? [...rest, entry] : [...rest.slice(0, at), entry, ...rest.slice(at)];
}

/**
 * PSE `addBatch`: `maybeUpdateProducerEpoch` clears the cached batches when the epoch changes,
 * then `addBatchMetadata` drops the oldest batch when the deque holds `window` batches.
 */
function addBatch(
  entry: ProducerEntry | undefined,
  producerId: number,
  epoch: number,
  metadata: BatchMetadata,
  window: number,
): ProducerEntry {
  const kept = entry === undefined || entry.epoch !== epoch ? [] : entry.batches;
  const trimmed = kept.length >= window ? kept.slice(kept.length - window + 1) : kept;
  return make.producerEntry({ producerId, epoch, batches: [...trimmed, metadata] });
}

function metadataOf(batch: LogBatch): BatchMetadata {
  return {
    firstSeq: batch.baseSequence,
    lastSeq: batch.baseSequence + batch.sends.length - 1,
    firstOffset: batch.baseOffset,
    lastOffset: lastOffsetOf(batch),
  };
}

/** Apply one stored batch to the producer table with REPLICATION origin: no checks, only updates. */
function replayBatch(producers: readonly ProducerEntry[], batch: LogBatch, window: number): readonly ProducerEntry[] {
  if (batch.producerId < 0) return producers;
  const entry = findProducer(producers, batch.producerId);
  if (batch.control !== undefined) {
    // A marker adds no batch metadata; PSE `update` → `maybeUpdateProducerEpoch` clears the cached
    // batches when the epoch changes (PAI `appendEndTxnMarker`). The transactional fields
    // (coordinator epoch, open transaction) are derived from the log by txn-partition.ts.
    const kept = entry === undefined || entry.epoch !== batch.epoch ? [] : entry.batches;
    return putProducer(producers, make.producerEntry({ producerId: batch.producerId, epoch: batch.epoch, batches: kept }));
  }
  return putProducer(producers, addBatch(entry, batch.producerId, batch.epoch, metadataOf(batch), window));
}

export type LeaderAppend =
  | { readonly kind: 'appended'; readonly replica: Replica; readonly baseOffset: number; readonly lastOffset: number }
  | { readonly kind: 'duplicate'; readonly baseOffset: number; readonly lastOffset: number }
  | { readonly kind: 'rejected'; readonly error: ErrorCode };

export interface AppendRules {
  /** ProducerStateEntry.NUM_BATCHES_TO_RETAIN, 5 unless a mutant changes it. */
  readonly window: number;
  /** Mutant: skip the duplicate and sequence checks (a broker without idempotence). */
  readonly ignoreSequences: boolean;
}

/**
 * A client-origin append on the partition leader (UL `append` with origin CLIENT).
 *
 * 1. Duplicate: same epoch and a cached batch with exactly the same (firstSeq, lastSeq): nothing is
 *    appended and the original offsets are returned (UL `analyzeAndValidateProducerState`, PSE
 *    `findDuplicateBatch`/`batchWithSequenceRange`).
 * 2. Epoch: an older epoch is INVALID_PRODUCER_EPOCH (PAI `checkProducerEpoch`).
 * 3. Sequence (PAI `checkSequence`): a new epoch must start at 0 unless the producer id is unknown;
 *    the same epoch must continue at lastSeq + 1; an unknown producer id accepts any sequence.
 *    Anything else, including an old batch that fell out of the cache, is OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
export function appendAsLeader(replica: Replica, wire: WireBatch, leaderEpoch: number, rules: AppendRules): LeaderAppend {
  const firstSeq = wire.baseSequence;
  const lastSeq = wire.baseSequence + wire.sends.length - 1;
  if (wire.producerId >= 0) {
    const entry = findProducer(replica.producers, wire.producerId);
    if (!rules.ignoreSequences && entry !== undefined && entry.epoch === wire.epoch) {
      const duplicate = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (duplicate !== undefined) {
        return { kind: 'duplicate', baseOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset };
      }
    }
    const storedEpoch = entry === undefined ? -1 : entry.epoch;
    if (wire.epoch < storedEpoch) return { kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' };
    if (!rules.ignoreSequences && entry !== undefined) {
      if (wire.epoch !== storedEpoch) {
        // "Invalid sequence number for new epoch": a higher epoch must start at sequence 0.
        if (firstSeq !== 0) return { kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
      } else {
        // An entry whose cache is empty has lastSeq -1, so only sequence 0 is in order.
        const last = entry.batches[entry.batches.length - 1];
        const currentLastSeq = last === undefined ? -1 : last.lastSeq;
        if (firstSeq !== currentLastSeq + 1) return { kind: 'rejected', error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' };
      }
    }
  }
  const baseOffset = logEndOffset(replica);
  const stored: LogBatch =
    wire.transactional === true
      ? { baseOffset, leaderEpoch, producerId: wire.producerId, epoch: wire.epoch, baseSequence: wire.baseSequence, sends: wire.sends, transactional: true }
      : {
          baseOffset,
          leaderEpoch,
          producerId: wire.producerId,
          epoch: wire.epoch,
          baseSequence: wire.baseSequence,
          sends: wire.sends,
        };
  const appended: Replica = make.replica({
    ...replica,
    log: [...replica.log, stored],
    producers: replayBatch(replica.producers, stored, rules.window),
  });
  return { kind: 'appended', replica: appended, baseOffset, lastOffset: lastOffsetOf(stored) };
}

/**
 * A WriteTxnMarkers append on the leader (origin COORDINATOR, ReplicaManager `appendRecords` from
 * KafkaApis `handleWriteTxnMarkersRequest`): one control batch. The transactional checks
 * (`checkProducerEpoch`, `checkCoordinatorEpoch`) are txn.ts `appendMarker`'s, made before this.
 */
export function appendControlAsLeader(
  replica: Replica,
  marker: { readonly producerId: number; readonly epoch: number; readonly result: TxnResult; readonly coordinatorEpoch: number },
  leaderEpoch: number,
  window: number,
): { readonly replica: Replica; readonly offset: number } {
  const offset = logEndOffset(replica);
  const stored: LogBatch = {
    baseOffset: offset,
    leaderEpoch,
    producerId: marker.producerId,
    epoch: marker.epoch,
    baseSequence: -1,
    sends: [],
    control: { result: marker.result, coordinatorEpoch: marker.coordinatorEpoch },
  };
  return { replica: make.replica({ ...replica, log: [...replica.log, stored], producers: replayBatch(replica.producers, stored, window) }), offset };
}

/** Follower append of batches copied from the leader (REPLICATION origin: PAI skips `checkSequence`). */
export function appendAsFollower(replica: Replica, batches: readonly LogBatch[], window: number): Replica {
  if (batches.length === 0) return replica;
  let producers = replica.producers;
  for (const batch of batches) producers = replayBatch(producers, batch, window);
  return make.replica({ ...replica, log: [...replica.log, ...batches], producers });
}

/** PSM `writeSnapshot`: each producer keeps only its last batch's metadata. */
function snapshotEntries(producers: readonly ProducerEntry[]): readonly ProducerEntry[] {
  return producers.map((entry) => make.producerEntry({ ...entry, batches: entry.batches.slice(-1) }));
}

function withSnapshot(
  snapshots: readonly ProducerSnapshot[],
  offset: number,
  producers: readonly ProducerEntry[],
): readonly ProducerSnapshot[] {
  const others = snapshots.filter((s) => s.offset !== offset);
  return [...others, make.snapshot({ offset, entries: snapshotEntries(producers) })].sort((a, b) => a.offset - b.offset);
}

/**
 * UL `rebuildProducerState` after `truncateAndReload`: drop snapshots above the target, load the
 * newest one at or below it (or nothing), replay the log from the snapshot offset up to the
 * target, and take a snapshot at the target. The replay is skipped when the producer state was
 * empty before (`isEmptyBeforeTruncation`), as Kafka does.
 */
function rebuildProducerState(replica: Replica, target: number, window: number, emptyBefore: boolean): Replica {
  const kept = replica.snapshots.filter((s) => s.offset <= target);
  const latest = kept[kept.length - 1];
  let producers: readonly ProducerEntry[] = latest === undefined ? [] : latest.entries;
  const mapEndOffset = latest === undefined ? 0 : latest.offset;
  if (target > mapEndOffset && !emptyBefore) {
    for (const batch of replica.log) {
      if (batch.baseOffset >= mapEndOffset && batch.baseOffset < target) producers = replayBatch(producers, batch, window);
    }
  }
  return make.replica({ ...replica, producers, snapshots: withSnapshot(kept, target, producers) });
}

/**
 * UL `truncateTo(target)`: remove the log suffix from `target`, rebuild producer state and lower
 * the HW to the new log end if it was above it. Targets always fall on batch boundaries here.
 */
export function truncateTo(replica: Replica, target: number, window: number): Replica {
  if (target >= logEndOffset(replica)) return replica;
  const log = replica.log.filter((b) => b.baseOffset < target);
  const truncated: Replica = make.replica({ ...replica, log, hw: Math.min(replica.hw, target), flushed: Math.min(replica.flushed, target) });
  return rebuildProducerState(truncated, target, window, replica.producers.length === 0);
}

/**
 * Log loading after a restart (`LogLoader.load`), for the model's log of one segment from offset 0.
 * Either way the broker comes back with one snapshot, at the log end, holding each producer's last
 * batch, and loads it (UL `rebuildProducerState` → PSM `truncateAndReload`; nothing is left to
 * replay after it):
 * - after a crash, `LogLoader.recoverLog` recovers the segment holding the recovery point, which is
 *   the only one: `recoverSegment` rebuilds a temporary ProducerStateManager up to the segment's
 *   base offset 0 (its `truncateAndReload` deletes every snapshot), replays the whole segment into
 *   it (`LogSegment.recover`) and takes a snapshot at the log end;
 * - after a clean shutdown, `close` took that snapshot from memory (UL `close`), and memory holds
 *   what a replay of the log gives, so the model does not keep it apart: a clean shutdown and a
 *   crash leave the same producer state here.
 * `removeStraySnapshots` then deletes every other snapshot (a truncation's, say). So a crash, like
 * a clean shutdown, leaves a dedup window of one batch per producer.
 *
 * Expiry is by time in Kafka (PSM `isProducerExpired`), and `loadFromSnapshot` drops expired
 * entries. The model has no clock: it keeps the ids the broker held in memory when it stopped, so
 * an id it had expired stays expired. An id Kafka would expire at load anyway (one whose last
 * write is old enough, or that a truncation's replay brought back after its expiry) stays until a
 * later `BrokerExpireProducer`, so the model can need one more cluster change to reach that state.
 */
export function reloadAfterRestart(replica: Replica, window: number): Replica {
  const leo = logEndOffset(replica);
  let replayed: readonly ProducerEntry[] = [];
  for (const batch of replica.log) replayed = replayBatch(replayed, batch, window);
  const kept = replayed.filter((entry) => findProducer(replica.producers, entry.producerId) !== undefined);
  const producers = snapshotEntries(kept);
  return make.replica({ ...replica, producers, snapshots: [make.snapshot({ offset: leo, entries: producers })] });
}

/**
 * The page cache reaches the disk up to the log end (UL `flush`: `LocalLog.flush` forces the
 * segments, and the recovery point moves there). Kafka calls it at a segment roll, at clean
 * shutdown (LogManager `shutdown`: `log.flush(true)`) and, by default, never per message
 * (`flush.messages` = Long.MAX_VALUE); the OS writes dirty pages back on its own as well. One
 * event stands for any of these.
 */
export function flushLog(replica: Replica): Replica {
  const leo = logEndOffset(replica);
  return replica.flushed === leo ? replica : make.replica({ ...replica, flushed: leo });
}

/**
 * Power loss: what was not flushed is gone. LogLoader's recovery after the unclean restart
 * (`recoverLog`, `LogSegment.recover`) keeps the valid prefix on disk, which the model takes to
 * be exactly the flushed one (the OS may have written more back: a BrokerFlush before the loss
 * stands for that). The HW checkpoint (`replication-offset-checkpoint`, `CheckpointFile.write`
 * fsyncs it) is loaded and bounded by the log end (UL `updateHighWatermark`); the model keeps the
 * HW it had, bounded the same way (Kafka's checkpoint, every 5 s, may be older). Producer-state
 * snapshots are fsynced when written (PSM `writeSnapshot` forces the file), but those above the
 * recovered log end are deleted at load and the restart rebuilds one at the log end
 * (`reloadAfterRestart`), so they need no handling here. Returns the replica and the batches lost.
 */
export function loseUnflushed(replica: Replica): { replica: Replica; lost: number } {
  if (logEndOffset(replica) <= replica.flushed) return { replica, lost: 0 };
  const log = replica.log.filter((b) => b.baseOffset < replica.flushed);
  return { replica: make.replica({ ...replica, log, hw: Math.min(replica.hw, replica.flushed) }), lost: replica.log.length - log.length };
}

/** PSM `removeExpiredProducers` for one producer id: from memory and from snapshots (they are as old). */
export function expireProducer(replica: Replica, producerId: number): Replica {
  return make.replica({
    ...replica,
    producers: replica.producers.filter((e) => e.producerId !== producerId),
    snapshots: replica.snapshots.map((s) => make.snapshot({ ...s, entries: s.entries.filter((e) => e.producerId !== producerId) })),
  });
}

/** Two replicas hold the same batch at a position when offsets and leader epoch agree. */
function sameBatch(a: LogBatch, b: LogBatch): boolean {
  return a.baseOffset === b.baseOffset && a.leaderEpoch === b.leaderEpoch && batchSize(a) === batchSize(b);
}

/**
 * Where a follower's log diverges from the leader's: the length of the common prefix, in batches.
 * KIP-101/279 truncation by leader epoch (the fetch's diverging-epoch reply, `truncateTo`) yields
 * exactly this point for logs built by Kafka's rules, where one leader epoch writes an offset once.
 */
export function commonPrefix(follower: Replica, leader: Replica): number {
  let i = 0;
  while (i < follower.log.length && i < leader.log.length) {
    const f = follower.log[i];
    const l = leader.log[i];
    if (f === undefined || l === undefined || !sameBatch(f, l)) break;
    i += 1;
  }
  return i;
}

/**
 * PART `maybeIncrementLeaderHW`: the HW becomes the minimum LEO over the ISR (a follower whose
 * LEO the leader does not know yet holds it back) and never moves backwards. Since 3.7
 * (KAFKA-15583) it does not move at all while the ISR is smaller than min.insync.replicas.
 */
export function maybeIncrementLeaderHw(partition: PartitionState, minIsr: number): PartitionState {
  const leader = partition.leader;
  const leaderReplica = partition.replicas[leader];
  if (leader < 0 || leaderReplica === undefined) return partition;
  if (partition.isr.length < minIsr) return partition;
  let newHw = logEndOffset(leaderReplica);
  for (const r of partition.isr) {
    if (r !== leader) newHw = Math.min(newHw, partition.followerLeo[r] ?? -1);
  }
  if (newHw <= leaderReplica.hw) return partition;
  return make.partition({ ...partition, replicas: replaceAt(partition.replicas, leader, make.replica({ ...leaderReplica, hw: newHw })) });
}

export function replaceAt<T>(items: readonly T[], index: number, value: T): readonly T[] {
  const copy = items.slice();
  copy[index] = value;
  return copy;
}
