/**
 * Transactions (issue 19, phase 1): the state of the transaction coordinator, of the client's
 * TransactionManager and of a partition's transactional side, as readonly plain data like
 * types.ts. Nothing imports this yet; phase 2 (/work/txn-integration.md) wires it into State.
 *
 * Aliases as in /work/shared/reference/kafka-consumer-and-transactions.md §0 (Kafka 3.8.0):
 * TC TransactionCoordinator, TMD TransactionMetadata, TSM TransactionStateManager, TMCM
 * TransactionMarkerChannelManager, TM the client's TransactionManager, PSM ProducerStateManager,
 * PAI ProducerAppendInfo, UL UnifiedLog, CF CompletedFetch. "trunk" = apache/kafka 1eb7644349c
 * (2024-10, before 4.0), the source read for transaction.version 2.
 */

/**
 * `transaction.version` (TV `TransactionVersion`, trunk): 1 is 3.8's protocol (no epoch bump at
 * the end of a transaction); 2 is KIP-890 part 2 (4.0): an epoch bump at every EndTxn.
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
