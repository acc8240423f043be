/**
 * Witnesses ("sometimes" properties): moments a suite must reach at least once, so that no
 * invariant passes vacuously. An invariant never tested under a lost ack proves nothing about
 * lost acks. Witnesses read the ghost (its counters and sends), the consumer side's statistics and
 * sink, and, for a duplicate in the log, the leaders' logs; no protocol rule reads what they return.
 */

import type { ConsumerStats } from './consumer-types.js';
import { lastStableOffset } from './txn.js';
import { abortedOffsets } from './txn-invariants.js';
import { txnView } from './txn-partition.js';
import type { State } from './types.js';

export interface Witness<N extends string = string> {
  readonly name: N;
  readonly claim: string;
  readonly holds: (state: State) => boolean;
}

/** A consumer-side count (0 without a consumer side). */
function consumerStat(s: State, key: keyof ConsumerStats): number {
  return s.consumers?.stats[key] ?? 0;
}

/** Some application record is twice in a partition's leader log: a resend reached the log. */
export function duplicateInLog(s: State): boolean {
  return s.cluster.partitions.some((p) => {
    const leader = p.replicas[p.leader];
    if (leader === undefined) return false;
    const seen = new Set<number>();
    for (const batch of leader.log) {
      for (const send of batch.sends) {
        const record = s.ghost.sends[send]?.record ?? -1;
        if (seen.has(record)) return true;
        seen.add(record);
      }
    }
    return false;
  });
}

/** Some partition holds aborted transactional records below its LSO: a read_committed fetch skips them (CompletedFetch's aborted index). */
function abortedSkipped(s: State): boolean {
  if (s.txn === null || s.txn.isolation !== 'read_committed') return false;
  return s.cluster.partitions.some((p) => {
    const leader = p.replicas[p.leader];
    if (leader === undefined) return false;
    const aborted = abortedOffsets(leader.log);
    if (aborted.size === 0) return false;
    const lso = lastStableOffset(txnView(leader));
    return [...aborted].some((o) => o < lso);
  });
}

/**
 * A read_committed consumer of the group stands at the LSO of a partition with records above it
 * below the HW: an open transaction holds its fetch (UL `read` bounded by the LSO), which returns
 * nothing until the transaction's marker lands.
 */
function consumerWaitsAtLso(s: State): boolean {
  if (s.txn === null || s.txn.isolation !== 'read_committed' || s.consumers === null) return false;
  return s.consumers.consumers.some(
    (c) =>
      c.running &&
      c.assigned.some((a) => {
        const p = s.cluster.partitions[a.partition];
        const leader = p?.replicas[p.leader];
        if (a.fetchState !== 'FETCHING' || a.buffered !== null || leader === undefined) return false;
        return a.position.offset === lastStableOffset(txnView(leader)) && a.position.offset < leader.hw;
      }),
  );
}

function witness<N extends string>(name: N, claim: string, holds: (state: State) => boolean): Witness<N> {
  return { name, claim, holds };
}

const ALL = [
  witness('RecordAcknowledged', 'some record was acknowledged', (s) => s.ghost.sends.some((x) => x.outcome === 'ok')),
  witness('RecordFailed', 'some send failed (definitely or not)', (s) => s.ghost.sends.some((x) => x.outcome === 'fail' || x.outcome === 'info')),
  witness('BatchRetried', 'a batch was re-enqueued after an error', (s) => s.ghost.stats.retries > 0),
  witness('Pipelined', 'a batch was drained while another request to its broker was unanswered', (s) => s.ghost.stats.pipelinedDrains > 0),
  witness(
    'PipelineFull',
    'max.in.flight.requests.per.connection requests (more than one) to one broker were unanswered at once',
    (s) => s.ghost.stats.fullPipelines > 0,
  ),
  witness('AckLost', 'a response (or a parked, appended request) was lost with its connection', (s) => s.ghost.stats.lostResponses > 0),
  witness('RequestLost', 'a request was lost before the broker read it', (s) => s.ghost.stats.lostRequests > 0),
  witness(
    'LostAckDeduplicated',
    'after a lost ack, a retried batch was recognised as a duplicate and answered with its original offset',
    (s) => s.ghost.stats.lostResponses > 0 && s.ghost.stats.dedupHits > 0,
  ),
  witness('OutOfOrderAnswered', 'a broker answered OUT_OF_ORDER_SEQUENCE_NUMBER', (s) => s.ghost.stats.outOfOrder > 0),
  witness('EpochBumped', 'the producer bumped its epoch locally (KIP-360)', (s) => s.ghost.stats.epochBumps > 0),
  witness('DeliveryTimedOut', 'a batch expired after delivery.timeout.ms', (s) => s.ghost.stats.deliveryTimeouts > 0),
  witness('FailedAfterDeadline', 'a response or disconnect after a batch\'s deadline failed it (with an epoch bump)', (s) => s.ghost.stats.deadlineFailures > 0),
  witness('ProducerRestarted', 'the producer restarted with a new producer id', (s) => s.ghost.stats.producerRestarts > 0),
  witness('RecordResent', 'the application resent a failed record', (s) => s.ghost.stats.resends > 0),
  witness('NotEnoughReplicas', 'a produce was rejected with NOT_ENOUGH_REPLICAS', (s) => s.ghost.stats.notEnoughReplicas > 0),
  witness('LeaderFailedOver', 'a partition got a new leader', (s) => s.ghost.stats.leaderElections > 0),
  witness('UncleanElection', 'an out-of-sync replica was elected leader', (s) => s.ghost.stats.uncleanElections > 0),
  witness('LogTruncated', 'a replica truncated a diverged suffix of its log', (s) => s.ghost.stats.truncations > 0),
  witness('IsrShrunk', 'a lagging follower was dropped from the ISR', (s) => s.ghost.stats.isrShrinks > 0),
  witness('ProducerStateLost', 'a replica forgot a producer id', (s) => s.ghost.stats.producerStateLosses > 0),
  witness('UnflushedTailLost', 'a power loss dropped written but unflushed batches from a replica\'s log', (s) => s.ghost.stats.unflushedBatchesLost > 0),
  // delayed-produce.
  witness('DelayedProduceAppendedLate', 'a produce request handled after its connection closed appended a batch after a later request of the same producer', (s) => s.ghost.stats.lateAppends > 0),
  witness('DelayedProduceRefused', "a produce request handled after its connection closed was deduplicated or refused by the leader's epoch, sequence or transactional checks", (s) => s.ghost.stats.lateRefused > 0),
  // The consumer side (consumer=).
  witness('RecordProcessed', 'the application processed a record into the sink', (s) => (s.consumers?.sink.effects.length ?? 0) > 0),
  witness('ConsumerCrashed', 'a consumer crashed', (s) => consumerStat(s, 'consumerCrashes') > 0),
  witness('CommitResponseLost', 'an OffsetCommit was stored but its response lost, and commitSync retried it', (s) => consumerStat(s, 'lostCommitResponses') > 0),
  witness('CommitRejected', 'the coordinator (or the client) rejected a commit: the member or its generation was gone', (s) => consumerStat(s, 'commitsRejected') > 0),
  witness('ProcessedAfterPartitionLost', 'a consumer processed a record of a partition it no longer owned in the group', (s) => consumerStat(s, 'processedAfterLoss') > 0),
  witness('RebalanceCompleted', 'the group completed a rebalance after its first one', (s) => consumerStat(s, 'rebalances') > 1),
  witness('DuplicateReachedLog', "an application record is twice in a partition's log (a resend written again)", duplicateInLog),
  witness('DuplicateSkippedByDedup', 'a deduplicating sink skipped a record whose id it held from another send: the resent copy in the log', (s) => consumerStat(s, 'resentCopySkips') > 0),
  witness('PartitionHandedOver', 'a rebalance gave a partition with committed progress to another consumer', (s) => consumerStat(s, 'handovers') > 0),
  witness('TruncationDetected', 'a consumer found, validating its position with a new leader, that the log it read was truncated', (s) => consumerStat(s, 'truncationsDetected') > 0),
  // Transactions (transactional.id).
  witness('TransactionCommitted', 'commitTransaction() returned for some transaction', (s) => (s.txn?.ghost.txns ?? []).some((t) => t.outcome === 'committed')),
  witness('AbortedTransactionSkipped', 'a read_committed consumer skips the records of an aborted transaction below the LSO', abortedSkipped),
  witness('ConsumerSkippedAbortedTxn', "a read_committed consumer of the group fetched an aborted transaction's records and dropped them by the aborted index", (s) => (s.txn?.ghost.abortedSkipped ?? 0) > 0),
  witness('ConsumerWaitedAtLso', 'a read_committed consumer of the group stood at the LSO below the HW: an open transaction held its fetch', consumerWaitsAtLso),
  witness('ZombieFencedWrite', 'an old instance\'s write or coordinator request was rejected for its epoch (INVALID_PRODUCER_EPOCH or PRODUCER_FENCED)', (s) => s.txn !== null && s.txn.zombie !== null && s.txn.ghost.fencedWrites + s.txn.ghost.fencedRequests > 0),
  witness('TransactionTimedOut', 'the coordinator aborted a transaction for its timeout', (s) => (s.txn?.ghost.timeoutAborts ?? 0) > 0),
  witness('TimedOutProducerFenced', 'after a timeout abort, the producer was rejected for its old epoch', (s) => s.txn !== null && s.txn.ghost.timeoutAborts > 0 && s.txn.ghost.fencedWrites + s.txn.ghost.fencedRequests > 0),
  witness('CoordinatorFailedOver', 'the transaction coordinator failed over and the new one completed a transaction from the log', (s) => (s.txn?.ghost.preparedCompletedAfterFailover ?? 0) > 0),
  witness('StaleEndTxnApplied', 'an EndTxn its client no longer waited for started a transition at the coordinator', (s) => (s.txn?.ghost.staleEndTxn ?? 0) > 0),
  witness('StaleEndTxnFenced', 'an EndTxn its client no longer waited for was answered PRODUCER_FENCED (transaction.version=2)', (s) => (s.txn?.ghost.staleEndTxnFenced ?? 0) > 0),
  witness('LateMarkerWritten', 'the first copy of a retried marker was appended late', (s) => (s.txn?.ghost.lateMarkersWritten ?? 0) > 0),
  witness('MarkerAwaitedReplication', "a transaction marker was acknowledged only once its leader's HW passed it (acks=-1, replication.factor > 1)", (s) => (s.txn?.ghost.markersReplicated ?? 0) > 0),
  witness('MarkerResentToNewLeader', 'a marker its leader had appended was answered NOT_LEADER_OR_FOLLOWER after a leader change, and the coordinator sent it again', (s) => (s.txn?.ghost.markersResent ?? 0) > 0),
] as const;

/** The name of a witness: a suite that names one the model lacks does not compile. */
export type WitnessName = (typeof ALL)[number]['name'];

export const WITNESSES: readonly Witness[] = ALL;

export function witnessByName(name: string): Witness | undefined {
  return WITNESSES.find((w) => w.name === name);
}
