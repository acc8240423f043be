/**
 * The model's state: readonly plain data (no classes, Map, Set or Date) so that it round-trips
 * through JSON, can be fingerprinted and compared, and is safe to share between steps.
 *
 * Protocol state (producer, network, cluster, coordinator, application) is what the real system
 * has. `ghost` is history kept beside it for invariants and witnesses only (TLA+'s auxiliary
 * variables); `counters` feed the exploration bounds. Protocol handlers never read either.
 *
 * Identifiers: brokers are 0..RF-1 and host one replica of every partition; partitions are 0..P-1.
 * A "send" is one call of the application's send(); its id is also the record's payload, so the
 * log says exactly which send each stored record came from. A "record" is the application's unit:
 * an at-least-once application may send the same record several times.
 */

import type { Acks } from './config.js';
import type { ConsumerSide } from './consumer-types.js';
import type { TxnResult, TxnSide } from './txn-types.js';

// ---------------------------------------------------------------------------------------------
// Kafka error codes used in produce responses (ERR, `Errors.java`).
// ---------------------------------------------------------------------------------------------

export type ErrorCode =
  | 'NONE'
  | 'NETWORK_EXCEPTION' // client-side: the connection broke (Sender.handleProduceResponse)
  | 'REQUEST_TIMED_OUT' // client-side request timeout, or the broker's purgatory timeout
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  // Transactional produce (issue 19): PAI `appendDataBatch`, KIP-890 verification.
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'TRANSACTION_ABORTABLE'
  // transaction.version=2: the leader's AddPartitionsToTxn met a transition in progress (retriable).
  | 'CONCURRENT_TRANSACTIONS';

// ---------------------------------------------------------------------------------------------
// Producer (Java client): KafkaProducer + RecordAccumulator + Sender + TransactionManager.
// ---------------------------------------------------------------------------------------------

/** ProducerBatch (PB), with only the fields the protocol reads. */
export interface Batch {
  readonly id: number;
  readonly partition: number;
  /** The records: ids of the sends they came from, in append order. */
  readonly sends: readonly number[];
  /** Producer id, epoch and base sequence written into the batch at drain; -1 when unset. */
  readonly producerId: number;
  readonly epoch: number;
  readonly baseSequence: number;
  /** Number of re-enqueues (PB `attempts`, incremented by `reenqueued`). */
  readonly attempts: number;
  /** PB `retry`: the batch has been re-enqueued at least once. */
  readonly inRetry: boolean;
  /** PB `reopened` (`sequenceHasBeenReset`): sequence rewritten by an epoch bump since its last drain. */
  readonly reopened: boolean;
  /** Closed for appends: drained at least once (RA `tryAppend` only appends to an open last batch). */
  readonly drained: boolean;
  /** PB `finalState` is set: completed, failed or expired. Kept only while a request still refers to it. */
  readonly done: boolean;
  /** delivery.timeout.ms has passed since the batch was created (PB `hasReachedDeliveryTimeout`). */
  readonly deadlinePassed: boolean;
}

/** TxnPartitionEntry (TPE) + the accumulator's deque + the sender's mute flag, per partition. */
export interface ProducerPartition {
  /** RecordAccumulator deque: batch ids, head first. */
  readonly queue: readonly number[];
  /** TPE `producerIdAndEpoch`: the PID/epoch this partition currently uses (-1/-1 = NONE). */
  readonly producerId: number;
  readonly epoch: number;
  readonly nextSequence: number;
  readonly lastAckedSequence: number;
  readonly lastAckedOffset: number;
  /** TPE `inflightBatchesBySequence`: drained and not yet completed or failed, sorted by (pid, epoch, seq). */
  readonly inFlight: readonly number[];
  /** RA `muted`: only used when max.in.flight.requests.per.connection = 1 (`guaranteeMessageOrder`). */
  readonly muted: boolean;
}

/** A produce request the client has sent and not yet seen answered (NetworkClient InFlightRequests). */
export interface ClientRequest {
  readonly id: number;
  readonly batches: readonly number[];
}

export interface ProducerState {
  /** Incarnation of the producer process; a restart starts a new session. */
  readonly session: number;
  /** TM `producerIdAndEpoch`; -1/-1 when idempotence is off. */
  readonly producerId: number;
  readonly epoch: number;
  /** TM `epochBumpRequired` and `partitionsToRewriteSequences`. */
  readonly epochBumpRequired: boolean;
  readonly partitionsToRewrite: readonly number[];
  /** TM `partitionsWithUnresolvedSequences`: per partition the sequence after the expired batch, or -1. */
  readonly unresolved: readonly number[];
  readonly partitions: readonly ProducerPartition[];
  /** Every batch still alive, by ascending id (= creation order). */
  readonly batches: readonly Batch[];
  /** Per broker: requests awaiting a response, oldest first. */
  readonly requests: readonly (readonly ClientRequest[])[];
  /** RA `nodesDrainIndex`: where the next drain for each broker starts among its partitions. */
  readonly drainIndex: readonly number[];
  readonly nextBatchId: number;
  readonly nextRequestId: number;
}

// ---------------------------------------------------------------------------------------------
// Network: one TCP connection per (producer, broker).
// ---------------------------------------------------------------------------------------------

/** A batch as written on the wire: a copy of the batch's header at the time of this attempt. */
export interface WireBatch {
  readonly partition: number;
  readonly batch: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly baseSequence: number;
  readonly sends: readonly number[];
  /** RecordBatch `isTransactional` (absent for a non-transactional producer). */
  readonly transactional?: true;
}

export interface ProduceRequest {
  readonly id: number;
  readonly acks: Acks;
  readonly batches: readonly WireBatch[];
}

export interface PartitionResponse {
  readonly partition: number;
  readonly error: ErrorCode;
  /** Base offset of the appended (or original, for a duplicate) batch; -1 on error. */
  readonly baseOffset: number;
}

export interface ProduceResponse {
  readonly id: number;
  readonly partitions: readonly PartitionResponse[];
}

/** A DelayedProduce in the broker's purgatory (DP): acks=all waiting for the high watermark. */
export interface PendingPartition {
  readonly partition: number;
  /** Result so far: an error decided at append time, or NONE while waiting. */
  readonly error: ErrorCode;
  readonly baseOffset: number;
  /** HW the response waits for (last offset + 1); -1 when the partition already has its answer. */
  readonly requiredOffset: number;
}

export interface PendingProduce {
  readonly id: number;
  readonly partitions: readonly PendingPartition[];
}

export interface Connection {
  /** Requests written by the client and not yet read by the broker, oldest first. */
  readonly toBroker: readonly ProduceRequest[];
  /**
   * The request the broker has read and parked in purgatory. The broker reads the next request
   * on a connection only after answering this one (SocketServer mutes the channel per request).
   */
  readonly pending: PendingProduce | null;
  /** Responses written by the broker and not yet read by the client, oldest first. */
  readonly toClient: readonly ProduceResponse[];
}

/**
 * delayed-produce: a produce request a broker read off a connection the client has since closed
 * (its request.timeout.ms), still waiting for a request handler. Kafka keeps such requests: the
 * Selector keeps a channel closed by the client while a request read from it is being handled
 * (Selector `close` → `maybeReadFromClosingChannel`, `closingChannels`), KafkaRequestHandler `run`
 * handles every request RequestChannel's queue holds without asking whether its connection is
 * still open, and the answer is dropped (SocketServer Processor `sendResponse`: "no open
 * connection"). Handler threads take requests of different connections concurrently, so this one
 * may be appended after requests the producer sent later on a new connection.
 */
export interface HeldProduce {
  readonly broker: number;
  readonly request: ProduceRequest;
  /** Ghost (witnesses only, no rule reads it): a later request carrying the same producer id was handled first. */
  readonly overtaken: boolean;
}

// ---------------------------------------------------------------------------------------------
// Brokers and replicated partitions.
// ---------------------------------------------------------------------------------------------

/** A record batch in a replica's log (DefaultRecordBatch header fields the model needs). */
export interface LogBatch {
  readonly baseOffset: number;
  /** Leader epoch under which the batch was appended (partition leader epoch field). */
  readonly leaderEpoch: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly baseSequence: number;
  /** Record payloads: the ids of the sends they came from. */
  readonly sends: readonly number[];
  /** RecordBatch `isTransactional` (absent for a non-transactional batch). */
  readonly transactional?: true;
  /**
   * A control batch (RecordBatch `isControlBatch`): one EndTransactionMarker record, holding its
   * type and the coordinator epoch, and no send; it takes one offset. Absent for a data batch.
   */
  readonly control?: { readonly result: TxnResult; readonly coordinatorEpoch: number };
}

/** BatchMetadata (BM): the broker's memory of one recent batch of a producer. */
export interface BatchMetadata {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

/** ProducerStateEntry (PSE): epoch and the last (at most 5) batches of one producer id. */
export interface ProducerEntry {
  readonly producerId: number;
  readonly epoch: number;
  readonly batches: readonly BatchMetadata[];
}

/** A producer-state snapshot file: taken at an offset, holding only each producer's last batch. */
export interface ProducerSnapshot {
  readonly offset: number;
  readonly entries: readonly ProducerEntry[];
}

export interface Replica {
  readonly log: readonly LogBatch[];
  readonly hw: number;
  /**
   * The log below this offset is on disk (fsynced); the rest is only in the page cache and a
   * power loss drops it. Kafka leaves flushing to the OS by default (`flush.messages` and
   * `log.flush.interval.messages` are Long.MAX_VALUE).
   */
  readonly flushed: number;
  /** ProducerStateManager's in-memory entries, sorted by producer id. */
  readonly producers: readonly ProducerEntry[];
  readonly snapshots: readonly ProducerSnapshot[];
}

export interface PartitionState {
  /** Current leader's broker id, or -1 when the partition is offline. */
  readonly leader: number;
  readonly leaderEpoch: number;
  /** In-sync replicas, ascending. */
  readonly isr: readonly number[];
  /** The leader's LEO when it became leader (Partition `leaderEpochStartOffsetOpt`). */
  readonly leaderEpochStartOffset: number;
  /** The leader's view of each replica's LEO, learnt from fetches; -1 when unknown. */
  readonly followerLeo: readonly number[];
  /** One replica per broker. */
  readonly replicas: readonly Replica[];
}

export interface ClusterState {
  readonly alive: readonly boolean[];
  readonly partitions: readonly PartitionState[];
}

// ---------------------------------------------------------------------------------------------
// The application and the ghost history.
// ---------------------------------------------------------------------------------------------

export interface ApplicationState {
  /** Records whose latest send failed and that an at-least-once application will resend. */
  readonly toResend: readonly number[];
}

/** Jepsen's completion types: ok, fail (definitely not written), info (indeterminate). */
export type Outcome = 'pending' | 'ok' | 'fail' | 'info';

export interface SendInfo {
  readonly record: number;
  readonly partition: number;
  readonly session: number;
  readonly outcome: Outcome;
  /** Offset the producer reported for an ok outcome; -1 when none (acks=0) or not ok. */
  readonly offset: number;
  /** The error that reached the application, for fail and info outcomes. */
  readonly error: string | null;
  /** While pending: attempts written to the network, and how many of those the broker definitely rejected. 0 once the send has its outcome (ghost.ts `settle`). */
  readonly transmitted: number;
  readonly rejected: number;
}

/** Counts of notable protocol moments, read by witnesses and the suite summary. */
export interface Stats {
  readonly retries: number;
  /** Drains made while another request to the same broker was unanswered (pipelining). */
  readonly pipelinedDrains: number;
  /** Drains that left max.in.flight.requests.per.connection (above 1) requests to one broker unanswered. */
  readonly fullPipelines: number;
  readonly lostRequests: number;
  readonly lostResponses: number;
  readonly dedupHits: number;
  readonly outOfOrder: number;
  readonly invalidEpoch: number;
  readonly epochBumps: number;
  readonly deliveryTimeouts: number;
  /** Batches failed by a response or disconnect after their deadline (SND `canRetry` false, adjust true). */
  readonly deadlineFailures: number;
  readonly notEnoughReplicas: number;
  readonly notEnoughReplicasAfterAppend: number;
  readonly notLeader: number;
  readonly leaderElections: number;
  readonly uncleanElections: number;
  readonly truncations: number;
  readonly producerStateLosses: number;
  readonly producerRestarts: number;
  readonly brokerCrashes: number;
  readonly isrShrinks: number;
  readonly resends: number;
  readonly powerLosses: number;
  /** Batches a power loss dropped from a replica's log (written, never flushed). */
  readonly unflushedBatchesLost: number;
  /** delayed-produce: batches a held request appended after a later request of its producer was handled. */
  readonly lateAppends: number;
  /** delayed-produce: batches of a held request the leader deduplicated or refused (epoch, sequence, transactional checks). */
  readonly lateRefused: number;
}

export interface Ghost {
  /** Every send, by id. */
  readonly sends: readonly SendInfo[];
  readonly stats: Stats;
}

/** Bookkeeping for the exploration bounds. */
export interface Counters {
  readonly events: number;
  readonly records: number;
  readonly resends: number;
  readonly lostMessages: number;
  readonly restarts: number;
  readonly crashes: number;
  readonly clusterChanges: number;
  readonly powerLosses: number;
  /** Produce requests held by a broker past their connection's close (delayed-produce). */
  readonly delayedProduces: number;
}

export interface State {
  readonly producer: ProducerState;
  /** One connection per broker. */
  readonly network: readonly Connection[];
  readonly cluster: ClusterState;
  /** delayed-produce: produce requests brokers hold past their connection's close, in the order read. */
  readonly held: readonly HeldProduce[];
  /** The coordinator's producer-id allocator (TC `handleInitProducerId` hands out a new PID). */
  readonly nextProducerId: number;
  readonly application: ApplicationState;
  readonly ghost: Ghost;
  readonly counters: Counters;
  /**
   * The consumer group, its sink and the key each send's record carries (consumer-types.ts); null
   * when no `consumer=` is set, and then the state is exactly what the producer-only model had.
   */
  readonly consumers: ConsumerSide | null;
  /**
   * The transactional side (txn-types.ts): coordinator, TransactionManager, ghost; null without
   * `transactional.id`, and then the state is what the model had before transactions.
   */
  readonly txn: TxnSide | null;
}
