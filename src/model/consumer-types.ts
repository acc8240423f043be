/**
 * The consumer side's state: one consumer group of one or two classic-protocol consumers, the
 * group coordinator's view of it, and the sink the application writes its effects to. Readonly
 * plain data like types.ts; the model's State holds it as `State.consumers` (null without `consumer=`).
 *
 * Aliases as in the team's reference kafka-consumer-and-transactions.md §0 (Kafka 3.8.0):
 * SS SubscriptionState, FC FetchCollector, AF AbstractFetch, CF CompletedFetch, LKC
 * LegacyKafkaConsumer, CC ConsumerCoordinator, AC AbstractCoordinator, GC GroupCoordinator,
 * GM GroupMetadata.
 *
 * Record ids: a record in a log holds the id of the send it came from (types.ts `LogBatch.sends`).
 * The application's own record id, the key a deduplicating consumer keys on, is a field the
 * producer wrote into the record (its key): `ConsumerSide.keys[send]`. It is protocol state, not
 * ghost state: a consumer reads it as it deserializes the record (consumer.ts `keyOf`).
 */

/** The application's consume loop (the `consumer=` setting). */
export type ConsumerMode =
  /** poll → commitSync() → process: at most once. */
  | { readonly kind: 'commit-then-process' }
  /** poll → process → commitSync(): at least once. */
  | { readonly kind: 'process-then-commit' }
  /** enable.auto.commit=true (the 3.8 default): poll commits what earlier polls returned. */
  | { readonly kind: 'auto-commit' }
  /** process-then-commit into a sink that stores the record id with the effect in one transaction. */
  | { readonly kind: 'dedup' }
  /** `dedup` remembering only the last `size` ids. */
  | { readonly kind: 'dedup-window'; readonly size: number }
  /** `dedup` writing the effect and then the id, as two steps. */
  | { readonly kind: 'dedup-non-atomic' }
  /** The sink stores each partition's next offset with the effect; the consumer resumes from there. */
  | { readonly kind: 'offsets-in-sink' };

export type ConsumerModeKind = ConsumerMode['kind'];

export const CONSUMER_MODES: readonly string[] = [
  'commit-then-process',
  'process-then-commit',
  'auto-commit',
  'dedup',
  'dedup-window:N',
  'dedup-non-atomic',
  'offsets-in-sink',
];

export type ConsumerModeResult = { readonly ok: true; readonly mode: ConsumerMode } | { readonly ok: false; readonly error: string };

/** Parse the `consumer=` setting. */
export function parseConsumerMode(text: string): ConsumerModeResult {
  const window = /^dedup-window:(\d+)$/.exec(text);
  if (window !== null) {
    const size = Number(window[1]);
    return size >= 1 ? { ok: true, mode: { kind: 'dedup-window', size } } : { ok: false, error: 'dedup-window:N needs N >= 1' };
  }
  switch (text) {
    case 'commit-then-process':
    case 'process-then-commit':
    case 'auto-commit':
    case 'dedup':
    case 'dedup-non-atomic':
    case 'offsets-in-sink':
      return { ok: true, mode: { kind: text } };
    default:
      return { ok: false, error: `consumer must be one of ${CONSUMER_MODES.join(', ')}` };
  }
}

export function consumerModeName(mode: ConsumerMode): string {
  return mode.kind === 'dedup-window' ? `dedup-window:${mode.size}` : mode.kind;
}

// ---------------------------------------------------------------------------------------------
// One consumer (LegacyKafkaConsumer + SubscriptionState + ConsumerCoordinator's member state).
// ---------------------------------------------------------------------------------------------

/** SS `FetchStates` (SS line 1170). */
export type FetchState = 'INITIALIZING' | 'FETCHING' | 'AWAIT_RESET' | 'AWAIT_VALIDATION';

/** SS `FetchPosition`: offset, epoch of the last batch read, and the leader epoch the consumer knows. -1 = absent. */
export interface FetchPosition {
  readonly offset: number;
  readonly offsetEpoch: number;
  readonly leaderEpoch: number;
}

/** A record as the consumer returns it from poll(). */
export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: number;
  /** The record's payload: the send it came from. */
  readonly send: number;
  /** The record's key: the application's record id (the producer wrote it; a resend carries it again). */
  readonly key: number;
  /** Leader epoch of the batch it was read from (CF `lastEpoch`). */
  readonly leaderEpoch: number;
  /** The consumer's group generation when poll() returned it (for ProcessedInLogOrder). */
  readonly generation: number;
}

/** A CompletedFetch in the FetchBuffer: fetched, not yet returned by poll(). */
export interface BufferedFetch {
  /** The fetch offset; FC `fetchRecords` drops the data unless it still equals the position. */
  readonly fetchOffset: number;
  readonly records: readonly ConsumedRecord[];
  /** CF `nextFetchOffset` and `lastEpoch` after the last record. */
  readonly nextFetchOffset: number;
  readonly lastEpoch: number;
}

/** SS `TopicPartitionState` of one assigned partition. */
export interface AssignedPartition {
  readonly partition: number;
  readonly fetchState: FetchState;
  /** Meaningful in FETCHING and AWAIT_VALIDATION; offset -1 otherwise. */
  readonly position: FetchPosition;
  readonly buffered: BufferedFetch | null;
}

/** One OffsetCommit entry: next offset to read and its leader epoch (OffsetAndMetadata). */
export interface CommitEntry {
  readonly partition: number;
  readonly offset: number;
  readonly leaderEpoch: number;
}

/**
 * Where the application's loop stands: about to poll, to commit, to process the next returned
 * record, or (dedup-non-atomic) to write the id of the record whose effect it has just written.
 */
export type LoopPhase = 'poll' | 'commit' | 'process' | 'write-id';

export interface ConsumerState {
  readonly running: boolean;
  /** Incarnation of the consumer process; a restart starts a new session. */
  readonly session: number;
  /** AC `generation`: member id and generation, -1 when unknown (UNKNOWN_MEMBER_ID, NO_GENERATION). */
  readonly memberId: number;
  readonly generation: number;
  /** SS assignment: the partitions this consumer believes it owns (it may have lost them). */
  readonly assigned: readonly AssignedPartition[];
  /** Records poll() returned that the application has not processed yet, in order. */
  readonly returned: readonly ConsumedRecord[];
  readonly phase: LoopPhase;
  /** commitSync() retrying after a retriable failure (a lost response): the offsets it re-sends. */
  readonly retryOffsets: readonly CommitEntry[] | null;
  /** dedup-non-atomic: the key whose effect is written and whose id is not yet; -1 when none. */
  readonly idToWrite: number;
}

// ---------------------------------------------------------------------------------------------
// The group coordinator (GroupCoordinator + GroupMetadata, classic protocol, EAGER).
// ---------------------------------------------------------------------------------------------

/**
 * GM group states. CompletingRebalance is folded into the step that completes a rebalance
 * (JoinGroup response and SyncGroup in one step), so the model never holds it: a client does not
 * commit in it anyway (CC `sendOffsetCommitRequest` fails locally while not STABLE).
 */
export type GroupPhase = 'Empty' | 'PreparingRebalance' | 'Stable';

export interface GroupMember {
  readonly memberId: number;
  /** Which consumer (0 or 1) holds this member id. */
  readonly consumer: number;
  /** Has sent JoinGroup for the rebalance in progress (GM `awaitingJoinCallback`). */
  readonly joined: boolean;
  /** Partitions of the current generation's assignment. */
  readonly assignment: readonly number[];
}

export interface GroupState {
  readonly phase: GroupPhase;
  readonly generation: number;
  readonly members: readonly GroupMember[];
  readonly nextMemberId: number;
  /** Committed offsets per partition (GMM `offsets`); offset -1 when none. */
  readonly committed: readonly CommitEntry[];
}

// ---------------------------------------------------------------------------------------------
// The sink: the application's database.
// ---------------------------------------------------------------------------------------------

/** One effect: what processing one record left behind (a row). */
export interface Effect {
  readonly key: number;
  readonly partition: number;
  readonly offset: number;
  readonly send: number;
  readonly consumer: number;
  readonly session: number;
  readonly generation: number;
}

export interface Sink {
  /** Effects in the order they were written. */
  readonly effects: readonly Effect[];
  /** dedup modes: the ids processed, oldest first (dedup-window keeps the last N). */
  readonly processedIds: readonly number[];
  /** offsets-in-sink: per partition the next offset to read, -1 when none. */
  readonly offsets: readonly number[];
}

/** Counts of notable consumer moments, for witnesses (ghost: no protocol handler reads them). */
export interface ConsumerStats {
  readonly recordsReturned: number;
  readonly dedupSkips: number;
  readonly commitsAccepted: number;
  readonly commitsRejected: number;
  readonly lostCommitResponses: number;
  readonly consumerCrashes: number;
  readonly rebalances: number;
  readonly evictions: number;
  /** Processed records whose consumer no longer owned their partition in the group. */
  readonly processedAfterLoss: number;
  readonly truncationsDetected: number;
  readonly offsetResets: number;
  /** Dedup skips of a record whose id the sink holds from another send: a resent copy in the log. */
  readonly resentCopySkips: number;
  /** Rebalances that gave a partition with committed progress to another consumer. */
  readonly handovers: number;
}

/**
 * Bookkeeping for the consumer side's exploration bounds (faults.ts BOUNDS names them). Kept here,
 * not in State.counters, so that a state without a consumer side is byte for byte what it was
 * before the consumer side existed (its fingerprints and reports unchanged).
 */
export interface ConsumerCounters {
  readonly consumerCrashes: number;
  readonly lostCommitResponses: number;
  readonly rebalances: number;
}

export interface ConsumerSide {
  readonly consumers: readonly ConsumerState[];
  readonly group: GroupState;
  readonly sink: Sink;
  /** The key (application record id) each send's record carries, by send id. */
  readonly keys: readonly number[];
  readonly stats: ConsumerStats;
  readonly counters: ConsumerCounters;
}
