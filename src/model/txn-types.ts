/**
 * Transactions: the state of the transaction coordinator, of the client's TransactionManager and
 * of a partition's transactional side, as readonly plain data like types.ts (State.txn).
 *
 * Aliases as in the team's reference kafka-consumer-and-transactions.md §0 (Kafka 3.8.0):
 * TC TransactionCoordinator, TMD TransactionMetadata, TSM TransactionStateManager, TMCM
 * TransactionMarkerChannelManager, TM the client's TransactionManager, PSM ProducerStateManager,
 * PAI ProducerAppendInfo, UL UnifiedLog, CF CompletedFetch. "trunk" = apache/kafka 1eb7644349c
 * (2024-10, before 4.0). transaction.version 2 follows 4.0.0: its rules were read from stored
 * copies of later trunk (TC `endTransaction` with its TV2 table, December 2024; TM
 * `maybeAddPartition` and `sendOffsetsToTransaction`; ReplicaManager and AddPartitionsToTxnManager's
 * ADD_PARTITION) and, for what changed before 4.0.0, from the named KAFKA issues (18464, 18660,
 * 18662, 18654; 19367 came after 4.0.0). No file pinned to the 4.0.0 tag was at hand.
 */

import type { Connection, ProducerState } from './types.js';

/**
 * `transaction.version` (TV `TransactionVersion`, trunk): 1 is 3.8's protocol (no epoch bump at
 * the end of a transaction); 2 is KIP-890 part 2 (4.0): an epoch bump at every EndTxn, and the
 * partition leader adds a partition to the transaction when the first batch arrives (the client
 * sends no AddPartitionsToTxn).
 */
export type TransactionVersion = 1 | 2;

/** EndTxn's and the marker's result (TransactionResult). */
export type TxnResult = 'COMMIT' | 'ABORT';

/** TMD `TransactionState` without Dead (no id expiry in the model). PrepareEpochFence is only ever pending. */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort' | 'PrepareEpochFence';

/** TMD, per transactional.id, as the coordinator holds it in memory (TSM `transactionMetadataCache`). */
export interface TransactionMetadata {
  readonly producerId: number;
  /** TMD `producerEpoch`; -1 before the first InitProducerId. */
  readonly epoch: number;
  /** TMD `lastProducerEpoch`: the epoch before the last bump (KIP-360 retries; TV2 retries of EndTxn). */
  readonly lastEpoch: number;
  /** The state last written to the transaction log (never PrepareEpochFence). */
  readonly state: TxnState;
  /** TMD `pendingState`: a transition waiting for its log append; other requests get CONCURRENT_TRANSACTIONS. */
  readonly pendingState: TxnState | null;
  /** TMD `topicPartitions`: the partitions in the open transaction, ascending. */
  readonly partitions: readonly number[];
  readonly timeoutMs: number;
  /** TMD `txnStartTimestamp`: reset when AddPartitions moves Empty/Complete* to Ongoing. */
  readonly txnStartMs: number;
  /** TMD `clientTransactionVersion` (trunk); 1 throughout 3.8. */
  readonly version: TransactionVersion;
}

/** WriteTxnMarkers for one partition (TMCM `addTxnMarkersToSend`): what the coordinator asks a leader to append. */
export interface TxnMarker {
  readonly partition: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly result: TxnResult;
  readonly coordinatorEpoch: number;
}

/**
 * A marker a leader appended with acks=-1 (APIS `handleWriteTxnMarkersRequest`: `requiredAcks = -1`)
 * and parked in its purgatory (RM `delayedProduceRequestRequired`, DelayedProduce) until its HW
 * passes the marker: the leader, its leader epoch then, and the HW the answer waits for.
 */
export interface MarkerAppend {
  readonly broker: number;
  readonly leaderEpoch: number;
  readonly requiredOffset: number;
}

/**
 * A marker TMCM holds until its leader acknowledges it. `appended` is absent while it is to be
 * sent (so a replication.factor=1 state, where the HW passes a marker at its append, is as before).
 */
export interface CoordinatorMarker extends TxnMarker {
  readonly appended?: MarkerAppend;
}

/** The client's TransactionManager state (TM `State`, lines 196–231). */
export type TmState =
  | 'UNINITIALIZED'
  | 'INITIALIZING'
  | 'READY'
  | 'IN_TRANSACTION'
  | 'COMMITTING_TRANSACTION'
  | 'ABORTING_TRANSACTION'
  | 'ABORTABLE_ERROR'
  | 'FATAL_ERROR';

/** TM's transactional fields the model needs. */
export interface TransactionManagerState {
  readonly state: TmState;
  readonly producerId: number;
  readonly epoch: number;
  /** TM `partitionsInTransaction`: AddPartitionsToTxn acknowledged. */
  readonly partitionsInTxn: readonly number[];
  /** TM `newPartitionsInTransaction` + `pendingPartitionsInTransaction`: first send seen, add not yet acknowledged. */
  readonly pendingPartitions: readonly number[];
  /** TM `epochBumpRequired` (set by a failed produce batch; the abort then re-inits with InitProducerId). */
  readonly epochBumpRequired: boolean;
}

// ---------------------------------------------------------------------------------------------
// Partition side (PSM, PAI, UL, TransactionIndex).
// ---------------------------------------------------------------------------------------------

/** Control records: 'none' for a data batch, else the marker's type (ControlRecordType). */
export type ControlType = 'none' | TxnResult;

/** A batch of a partition's log with its transactional attributes (RecordBatch `isTransactional`, `isControlBatch`). */
export interface TxnBatch {
  readonly baseOffset: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly transactional: boolean;
  readonly control: ControlType;
  /** Data records: send ids (as types.ts LogBatch.sends). A control batch holds one record and no send. */
  readonly sends: readonly number[];
}

/** ProducerStateEntry's transactional fields. */
export interface TxnProducerEntry {
  readonly producerId: number;
  readonly epoch: number;
  /** The coordinator epoch of the last marker (PSE `coordinatorEpoch`), -1 before one. */
  readonly coordinatorEpoch: number;
  /** PSE `currentTxnFirstOffset`, -1 when no transaction is open on this partition. */
  readonly currentTxnFirstOffset: number;
}

/** PSM `TxnMetadata`: an open transaction (`ongoingTxns`) or a completed one whose marker is not below the HW (`unreplicatedTxns`, lastOffset set). */
export interface PartitionTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The marker's offset once completed; -1 while open. */
  readonly lastOffset: number;
}

/** TransactionIndex `AbortedTxn`: written by an ABORT marker that completes a non-empty transaction. */
export interface AbortedTxn {
  readonly producerId: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly lastStableOffset: number;
}

/** One partition leader's transactional view (one replica: replication stays in types.ts's Replica). */
export interface TxnPartition {
  readonly log: readonly TxnBatch[];
  readonly hw: number;
  readonly producers: readonly TxnProducerEntry[];
  /** PSM `ongoingTxns`, by first offset. */
  readonly ongoing: readonly PartitionTxn[];
  /** PSM `unreplicatedTxns`, by first offset. */
  readonly unreplicated: readonly PartitionTxn[];
  readonly abortedIndex: readonly AbortedTxn[];
}

/** Errors of the transactional RPCs and appends (Errors.java). */
export type TxnError =
  | 'NONE'
  | 'CONCURRENT_TRANSACTIONS'
  | 'PRODUCER_FENCED'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_PRODUCER_EPOCH'
  | 'INVALID_TXN_STATE'
  | 'TRANSACTION_COORDINATOR_FENCED'
  | 'TRANSACTION_ABORTABLE';

// ---------------------------------------------------------------------------------------------
// Phase 2: the transactional side of State (State.txn; null without transactional.id).
// ---------------------------------------------------------------------------------------------

/** The transactional settings (`transactional.id` and the keys that only mean something with it). */
export interface TxnSettings {
  readonly transactionalId: string;
  readonly version: TransactionVersion;
  /** The consumer's `isolation.level` (ConsumerConfig, default read_uncommitted). */
  readonly isolation: 'read_uncommitted' | 'read_committed';
  /** `transaction.partition.verification.enable` (TransactionLogConfig, default true in 3.8). */
  readonly verification: boolean;
  /** The application loop: `plain` transactions (committed; aborted after errors), `commit-or-abort` (aborted by choice too), or consume-transform-produce (ctp). */
  readonly app: 'plain' | 'commit-or-abort' | 'ctp' | 'ctp-separate-commit';
}

/** A request of the client's TransactionManager to the transaction (or group) coordinator. */
export interface TxnRequest {
  readonly id: number;
  /** The producer session (instance) that sent it: its answer goes back to that instance's connection. */
  readonly session: number;
  readonly kind: 'InitProducerId' | 'AddPartitionsToTxn' | 'EndTxn' | 'TxnOffsetCommit' | 'OffsetCommit';
  /** pid/epoch written into the request; -1/-1 for a first InitProducerId (KIP-360's expected epoch otherwise). */
  readonly producerId: number;
  readonly epoch: number;
  readonly partitions: readonly number[];
  readonly result: TxnResult | null;
  /** ctp: the input offset committed (the next one to read); -1 otherwise. */
  readonly offset: number;
}

export interface TxnResponse {
  readonly id: number;
  readonly session: number;
  readonly error: TxnError;
  readonly producerId: number;
  readonly epoch: number;
}

/** One instance's TransactionManager and its connection to the coordinator. */
export interface TxnClient {
  readonly tm: TransactionManagerState;
  /** The transaction end in progress (COMMITTING/ABORTING), or null. */
  readonly ending: TxnResult | null;
  /** KIP-360 re-init after an abort with epochBumpRequired (TM `beginCompletingTransaction` → `initializeTransactions(producerIdAndEpoch)`). */
  readonly reinitAfterAbort: boolean;
  /** ctp with sendOffsetsToTransaction: the offset to add before the commit, -1 once added. */
  readonly pendingOffset: number;
  /** TM: one transactional request at a time. */
  readonly inFlight: TxnRequest | null;
  /** Responses on their way to this instance, oldest first. */
  readonly responses: readonly TxnResponse[];
  readonly nextRequestId: number;
}

/** A record of the transaction log (`__transaction_state`, TSM `appendTransactionToLog`): the metadata written. */
export type TxnLogRecord = TransactionMetadata;

/** A transition waiting for its log append (TMD `pendingState`), with what the append then does. */
export interface PendingTxnWrite {
  readonly meta: TransactionMetadata;
  readonly markers: readonly TxnMarker[];
  /** The answer sent once the write is applied (EndTxn: OK before the markers), or null. */
  readonly reply: TxnResponse | null;
}

export interface TxnCoordinator {
  readonly coordinatorEpoch: number;
  /** The metadata in memory; null before the first InitProducerId of the transactional.id. */
  readonly meta: TransactionMetadata | null;
  /** The transaction log's records, oldest first (written with acks=all: a failover reloads the last). */
  readonly log: readonly TxnLogRecord[];
  readonly pending: PendingTxnWrite | null;
  /** Requests on their way to the coordinator, in the order sent (one connection, FIFO). */
  readonly inbox: readonly TxnRequest[];
  /** delayed-request: copies held up on their way (an old connection), which later ones overtake. */
  readonly delayed: readonly TxnRequest[];
  /** WriteTxnMarkers not yet acknowledged by their partition's leader (TMCM): to send, or appended and waiting for the HW. */
  readonly markers: readonly CoordinatorMarker[];
  /** marker-retry: copies of acknowledged markers still on their way (a retried request's first copy). */
  readonly lateMarkers: readonly TxnMarker[];
}

/** The group coordinator's view of the ctp input topic: committed offset and pending transactional offset commits. */
export interface TxnGroup {
  /** The committed offset of the input partition (next offset to consume). */
  readonly committed: number;
  /** TxnOffsetCommit waiting for the marker (GMM `pendingTransactionalOffsetCommits`): pid, epoch, offset. */
  readonly pendingOffset: { readonly producerId: number; readonly offset: number } | null;
}

/** One logical transaction as the application saw it (ghost). */
export interface GhostTxn {
  readonly session: number;
  readonly sends: readonly number[];
  /** What the application was told: commitTransaction()/abortTransaction() returned, or threw. */
  readonly outcome: 'open' | 'committed' | 'aborted' | 'failed';
  /** ctp: the input offset this transaction processed, -1 otherwise. */
  readonly input: number;
}

export interface TxnGhost {
  readonly txns: readonly GhostTxn[];
  /** Per session, the epoch its InitProducerId returned (-1 before). */
  readonly initEpochs: readonly number[];
  readonly fencedWrites: number;
  readonly fencedRequests: number;
  readonly timeoutAborts: number;
  readonly failovers: number;
  readonly preparedCompletedAfterFailover: number;
  /** Fetches of a read_committed consumer of the group that dropped aborted records (consumer-events.ts ConsumerFetch). */
  readonly abortedSkipped: number;
  readonly staleEndTxn: number;
  /** An EndTxn its client no longer waited for, answered PRODUCER_FENCED (TV2's epoch check closing KAFKA-17754's path). */
  readonly staleEndTxnFenced: number;
  readonly lateMarkersWritten: number;
  /**
   * replication.factor > 1: markers acknowledged after waiting in the leader's purgatory for the
   * HW, and markers answered NOT_LEADER_OR_FOLLOWER there (their leader lost leadership) and sent
   * again. Absent until the first (so replication.factor=1 states are as before).
   */
  readonly markersReplicated?: number;
  readonly markersResent?: number;
  /** A commit acknowledged to a session older than the newest one InitProducerId answered (a zombie's commit). */
  readonly zombieCommits: number;
  /** The newest initialised session's fence: its epoch and each partition's log end when InitProducerId answered it. */
  readonly fence: { readonly session: number; readonly producerId: number; readonly epoch: number; readonly logEnds: readonly number[] } | null;
}

export interface TxnCounters {
  readonly transactions: number;
  readonly txnTimeouts: number;
  readonly coordinatorFailovers: number;
  readonly delayedRequests: number;
  readonly zombieSteps: number;
}

/** The old producer instance of `zombie`: its producer, connections and TransactionManager. */
export interface ZombieInstance {
  readonly producer: ProducerState;
  readonly network: readonly Connection[];
  readonly client: TxnClient;
}

export interface TxnSide {
  /** The consumer's isolation.level, which the transactional invariants read with (a setting, copied here so that invariants, which see only the state, can read it). */
  readonly isolation: 'read_uncommitted' | 'read_committed';
  /** Mutant `ignore-aborted-index`: the read_committed consumer skips nothing. */
  readonly ignoreAbortedIndex: boolean;
  readonly coordinator: TxnCoordinator;
  readonly client: TxnClient;
  readonly zombie: ZombieInstance | null;
  readonly group: TxnGroup;
  /** ctp: the input offset the application consumes next (its position), -1 before the first fetch. */
  readonly position: number;
  readonly ghost: TxnGhost;
  readonly counters: TxnCounters;
}
