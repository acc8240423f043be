/**
 * The Java producer client (Kafka 3.8.0): RecordAccumulator, Sender and, for the idempotent
 * producer, TransactionManager + TxnPartitionEntry.
 *
 * Sender.sendProducerData's drain (RA `drain`, the in-flight limit,
 * `shouldStopDrainBatchesForPartition`) and its expiry of batches past delivery.timeout.ms are in
 * producer-sender.ts; this file holds the producer's state, completion and retries.
 *
 * Modelled:
 * - records join the partition's open last batch until it is drained (RA `tryAppend`);
 * - sequences are assigned at drain, never reassigned to a batch that has one (RA `drainBatchesForOneNode`);
 * - when a partition is not drained (RA `shouldStopDrainBatchesForPartition`): no PID, in-flight
 *   batches of an older PID/epoch, an unresolved sequence, or a retried batch that is not the
 *   lowest in flight; muted partitions when max.in.flight = 1 (KP `guaranteeMessageOrder`);
 * - at most max.in.flight unanswered requests per broker (InFlightRequests `canSendMore`);
 * - response handling (SND `completeBatch`, `canRetry`; TM `canRetry`, `handleCompletedBatch`,
 *   `handleFailedBatch`), re-enqueue in sequence order (RA `reenqueue`/`insertInSequenceOrder`);
 * - the KIP-360 local epoch bump and sequence rewrite (TM `bumpIdempotentProducerEpoch`,
 *   TPE `startSequencesAtBeginning`), lazily moving other partitions to the new epoch
 *   (TM `maybeUpdateProducerIdAndEpoch`);
 * - delivery timeout in two steps, as in Kafka: time passes (a batch's deadline), then the Sender's
 *   next sendProducerData expires it right after its drain (SND `sendProducerData`, TM
 *   `markSequenceUnresolved`, `maybeResolveSequences`; producer-events.ts says how the loop's steps
 *   are kept together); a response handled in the poll where the deadline passed fails the batch
 *   with adjustSequences (SND `canRetry`).
 *
 * Not modelled: transactions, MESSAGE_TOO_LARGE splits (the model has no sizes), retry backoff
 * and linger timing (timers are events that may fire whenever the protocol allows; a partition in
 * retry backoff is not skipped at drain, so a drain takes every drainable head), metadata
 * staleness (the client always knows the current leader when it drains), UNKNOWN_PRODUCER_ID and
 * DUPLICATE_SEQUENCE_NUMBER handling (a 3.8 broker never sends them on produce, reference §2.2),
 * and epoch exhaustion at Short.MAX_VALUE beyond getting a fresh producer id at once.
 */

import { at, requestsTo } from './access.js';
import type { ModelConfig } from './config.js';
import * as make from './records.js';
import type { Batch, ErrorCode, ProduceRequest, ProducerPartition, ProducerState } from './types.js';

/** Effects a producer transition reports to the application (the callbacks) and to the stats. */
export interface ProducerOutbox {
  readonly completions: Completion[];
  retries: number;
  epochBumps: number;
  expired: number;
  deadlineFailures: number;
}

export type Completion =
  | { readonly kind: 'ok'; readonly sends: readonly number[]; readonly baseOffset: number }
  | { readonly kind: 'failed'; readonly sends: readonly number[]; readonly error: string };

export function newOutbox(): ProducerOutbox {
  return { completions: [], retries: 0, epochBumps: 0, expired: 0, deadlineFailures: 0 };
}

const SHORT_MAX = 32767;

function emptyPartition(): ProducerPartition {
  return make.producerPartition({
    queue: [],
    producerId: -1,
    epoch: -1,
    nextSequence: 0,
    lastAckedSequence: -1,
    lastAckedOffset: -1,
    inFlight: [],
    muted: false,
  });
}

/** A freshly started producer; with idempotence its InitProducerId has returned `producerId` with epoch 0. */
export function initialProducer(config: ModelConfig, session: number, producerId: number): ProducerState {
  const partitions = config.topic.partitions;
  const brokers = config.topic.replicationFactor;
  return make.producer({
    session,
    producerId: config.producer.idempotence ? producerId : -1,
    epoch: config.producer.idempotence ? 0 : -1,
    epochBumpRequired: false,
    partitionsToRewrite: [],
    unresolved: Array.from({ length: partitions }, () => -1),
    partitions: Array.from({ length: partitions }, emptyPartition),
    batches: [],
    requests: Array.from({ length: brokers }, () => []),
    drainIndex: Array.from({ length: brokers }, () => 0),
    nextBatchId: 0,
    nextRequestId: 0,
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers over the producer's tables.
// ---------------------------------------------------------------------------------------------

export function getBatch(producer: ProducerState, id: number): Batch {
  const batch = producer.batches.find((b) => b.id === id);
  if (batch === undefined) throw new Error(`model bug: batch ${id} is not alive`);
  return batch;
}

export function putBatch(producer: ProducerState, batch: Batch): ProducerState {
  return make.producer({ ...producer, batches: producer.batches.map((b) => (b.id === batch.id ? batch : b)) });
}

export function putPartition(producer: ProducerState, index: number, partition: ProducerPartition): ProducerState {
  return make.producer({ ...producer, partitions: producer.partitions.map((p, i) => (i === index ? partition : p)) });
}

export function partitionOf(producer: ProducerState, index: number): ProducerPartition {
  const partition = producer.partitions[index];
  if (partition === undefined) throw new Error(`model bug: no producer partition ${index}`);
  return partition;
}

export function lastSequence(batch: Batch): number {
  return batch.baseSequence + batch.sends.length - 1;
}

/** TPE's comparator: (producerId, epoch, baseSequence). */
function compareBySequence(a: Batch, b: Batch): number {
  return a.producerId - b.producerId || a.epoch - b.epoch || a.baseSequence - b.baseSequence;
}

export function sortInFlight(producer: ProducerState, ids: readonly number[]): readonly number[] {
  return ids
    .map((id) => getBatch(producer, id))
    .sort(compareBySequence)
    .map((b) => b.id);
}

/** Forget batches that are done and no longer referenced by an unanswered request. */
export function collectBatches(producer: ProducerState): ProducerState {
  const referenced = new Set<number>();
  for (const requests of producer.requests) for (const r of requests) for (const id of r.batches) referenced.add(id);
  const batches = producer.batches.filter((b) => !b.done || referenced.has(b.id));
  return batches.length === producer.batches.length ? producer : make.producer({ ...producer, batches });
}

export function withUnresolved(producer: ProducerState, partition: number, value: number): ProducerState {
  return make.producer({ ...producer, unresolved: producer.unresolved.map((u, i) => (i === partition ? value : u)) });
}

/** TM `requestEpochBumpForPartition`. */
function requestEpochBump(producer: ProducerState, partition: number): ProducerState {
  const rewrite = producer.partitionsToRewrite.includes(partition)
    ? producer.partitionsToRewrite
    : [...producer.partitionsToRewrite, partition].sort((a, b) => a - b);
  return make.producer({ ...producer, epochBumpRequired: true, partitionsToRewrite: rewrite });
}

// ---------------------------------------------------------------------------------------------
// The application's send().
// ---------------------------------------------------------------------------------------------

/** KafkaProducer.send → RA `append`: join the open last batch of the partition, or start a new one. */
export function appendRecord(producer: ProducerState, partition: number, send: number): ProducerState {
  const part = partitionOf(producer, partition);
  const lastId = part.queue[part.queue.length - 1];
  const last = lastId === undefined ? undefined : getBatch(producer, lastId);
  if (last !== undefined && !last.drained) {
    return putBatch(producer, make.batch({ ...last, sends: [...last.sends, send] }));
  }
  const batch: Batch = make.batch({
    id: producer.nextBatchId,
    partition,
    sends: [send],
    producerId: -1,
    epoch: -1,
    baseSequence: -1,
    attempts: 0,
    inRetry: false,
    reopened: false,
    drained: false,
    done: false,
    deadlinePassed: false,
  });
  const withBatch: ProducerState = make.producer({ ...producer, batches: [...producer.batches, batch], nextBatchId: producer.nextBatchId + 1 });
  return putPartition(withBatch, partition, make.producerPartition({ ...part, queue: [...part.queue, batch.id] }));
}

// ---------------------------------------------------------------------------------------------
// Sender.runOnce prologue: maybeResolveSequences, then bumpIdempotentEpochAndResetIdIfNeeded.
// ---------------------------------------------------------------------------------------------

/** Would the prologue of the next Sender loop change anything? */
export function resolveNeeded(producer: ProducerState, config: ModelConfig): boolean {
  if (!config.producer.idempotence) return false;
  if (producer.epochBumpRequired) return true;
  return producer.unresolved.some((u, i) => u >= 0 && partitionOf(producer, i).inFlight.length === 0);
}

/**
 * TM `maybeResolveSequences`: a drained unresolved partition is resolved when a later batch was
 * acknowledged (lastAcked + 1 == nextSequence proves the expired batch was written, since the broker
 * appends in order); otherwise the idempotent producer requests an epoch bump for it.
 * Then TM `bumpIdempotentProducerEpoch`: epoch + 1, locally, and the requesting partitions' in-flight
 * batches are rewritten from sequence 0 under the new epoch.
 */
export function resolveAndBump(producer: ProducerState, nextProducerId: number, out: ProducerOutbox): { producer: ProducerState; usedProducerId: boolean } {
  let p = producer;
  p.unresolved.forEach((unresolvedSeq, i) => {
    if (unresolvedSeq < 0 || partitionOf(p, i).inFlight.length > 0) return;
    const part = partitionOf(p, i);
    if (part.nextSequence - part.lastAckedSequence !== 1) p = requestEpochBump(p, i);
    p = withUnresolved(p, i, -1);
  });
  if (!p.epochBumpRequired) return { producer: p, usedProducerId: false };

  // At Short.MAX_VALUE the idempotent producer drops its PID and asks for a new one
  // (TM `resetIdempotentProducerId`); the model answers that InitProducerId at once.
  const exhausted = p.epoch >= SHORT_MAX;
  const producerId = exhausted ? nextProducerId : p.producerId;
  const epoch = exhausted ? 0 : p.epoch + 1;
  p = make.producer({ ...p, producerId, epoch });
  out.epochBumps += 1;
  for (const index of p.partitionsToRewrite) {
    p = startSequencesAtBeginning(p, index);
    p = withUnresolved(p, index, -1);
  }
  return { producer: make.producer({ ...p, partitionsToRewrite: [], epochBumpRequired: false }), usedProducerId: exhausted };
}

/**
 * TPE `startSequencesAtBeginning`: the partition moves to the producer's current PID/epoch; its
 * in-flight batches get sequences 0, count, ... in their current order and are marked reopened.
 */
function startSequencesAtBeginning(producer: ProducerState, index: number): ProducerState {
  const part = partitionOf(producer, index);
  let p = producer;
  let sequence = 0;
  for (const id of part.inFlight) {
    const batch = getBatch(p, id);
    p = putBatch(p, make.batch({ ...batch, producerId: p.producerId, epoch: p.epoch, baseSequence: sequence, reopened: true }));
    sequence += batch.sends.length;
  }
  return putPartition(
    p,
    index,
    make.producerPartition({
      ...part,
      inFlight: sortInFlight(p, part.inFlight),
      producerId: p.producerId,
      epoch: p.epoch,
      nextSequence: sequence,
      lastAckedSequence: -1,
    }),
  );
}

/**
 * acks=0: NetworkClient completes the request as soon as it is written and the Sender completes
 * every batch as a success with no offset (SND `handleProduceResponse`, the no-response branch).
 */
export function completeUnacknowledged(producer: ProducerState, config: ModelConfig, request: ProduceRequest, out: ProducerOutbox): ProducerState {
  let p = producer;
  for (const wire of request.batches) {
    // A batch the same sendProducerData expired is gone: `batch.complete` is false for it, and
    // acks=0 has no TransactionManager (idempotence needs acks=all).
    if (!p.batches.some((b) => b.id === wire.batch)) continue;
    p = completeBatch(p, config, wire.batch, 'NONE', -1, out);
  }
  return collectBatches(p);
}

// ---------------------------------------------------------------------------------------------
// Completing, retrying and failing batches.
// ---------------------------------------------------------------------------------------------

/** `error.exception() instanceof RetriableException` for the errors a produce can end with. */
export function isRetriable(error: ErrorCode): boolean {
  switch (error) {
    case 'NETWORK_EXCEPTION':
    case 'REQUEST_TIMED_OUT':
    case 'NOT_LEADER_OR_FOLLOWER':
    case 'NOT_ENOUGH_REPLICAS':
    case 'NOT_ENOUGH_REPLICAS_AFTER_APPEND':
    case 'CONCURRENT_TRANSACTIONS': // ConcurrentTransactionsException extends RetriableException
      return true;
    case 'NONE':
    case 'OUT_OF_ORDER_SEQUENCE_NUMBER':
    case 'INVALID_PRODUCER_EPOCH':
    case 'INVALID_TXN_STATE':
    case 'INVALID_PRODUCER_ID_MAPPING':
    case 'TRANSACTION_ABORTABLE':
      return false;
  }
}

/**
 * TM `canRetry` for the idempotent, non-transactional producer. OUT_OF_ORDER_SEQUENCE_NUMBER is
 * always retried; it requests an epoch bump only when the batch is the next one expected
 * (baseSeq == lastAcked + 1 and not already reset) or directly follows an unresolved sequence.
 */
function transactionManagerCanRetry(producer: ProducerState, batch: Batch, error: ErrorCode, transactional: boolean): { producer: ProducerState; retry: boolean } {
  if (error !== 'OUT_OF_ORDER_SEQUENCE_NUMBER') return { producer, retry: isRetriable(error) };
  const part = partitionOf(producer, batch.partition);
  const unresolved = at(producer.unresolved, batch.partition, 'partition');
  const isNext = batch.baseSequence - part.lastAckedSequence === 1;
  if (unresolved < 0 && (batch.reopened || !isNext)) return { producer, retry: true };
  // The transactional producer does not retry it: the batch fails and the transaction must abort (TM `canRetry`, `!isTransactional()` branch).
  if (transactional) return { producer, retry: false };
  if (unresolved < 0 || batch.baseSequence === unresolved) {
    return { producer: requestEpochBump(producer, batch.partition), retry: true };
  }
  return { producer, retry: true };
}

function removeFromInFlight(producer: ProducerState, batch: Batch): ProducerState {
  const part = partitionOf(producer, batch.partition);
  if (!part.inFlight.includes(batch.id)) return producer;
  return putPartition(producer, batch.partition, make.producerPartition({ ...part, inFlight: part.inFlight.filter((id) => id !== batch.id) }));
}

/** RA `reenqueue`: the idempotent producer inserts in sequence order, otherwise at the front. */
function reenqueue(producer: ProducerState, config: ModelConfig, batch: Batch): ProducerState {
  const retried: Batch = make.batch({ ...batch, attempts: batch.attempts + 1, inRetry: true });
  let p = putBatch(producer, retried);
  const part = partitionOf(p, batch.partition);
  let queue: readonly number[];
  if (!config.producer.idempotence) {
    queue = [batch.id, ...part.queue];
  } else {
    // RA `insertInSequenceOrder`: skip queued batches that have a smaller sequence.
    let at = 0;
    while (at < part.queue.length) {
      const queued = getBatch(p, part.queue[at] as number);
      if (queued.baseSequence < 0 || queued.baseSequence >= retried.baseSequence) break;
      at += 1;
    }
    queue = [...part.queue.slice(0, at), batch.id, ...part.queue.slice(at)];
  }
  p = putPartition(p, batch.partition, make.producerPartition({ ...part, queue }));
  return p;
}

/**
 * SND `completeBatch(batch, response, ...)` for one batch of a response (or of a broken connection).
 */
function completeBatch(producer: ProducerState, config: ModelConfig, batchId: number, error: ErrorCode, baseOffset: number, out: ProducerOutbox): ProducerState {
  const settings = config.producer;
  const batch = getBatch(producer, batchId);
  let p = producer;
  if (error === 'NONE') {
    // TM `handleCompletedBatch` runs even for a batch that already expired.
    if (settings.idempotence) {
      const part = partitionOf(p, batch.partition);
      // TM `updateLastAckedOffset` → TxnPartitionMap `updateLastAckedOffset`: only ever raised (a
      // late answer for an earlier batch leaves it), and not at all without an offset.
      const lastAckedOffset = baseOffset < 0 ? part.lastAckedOffset : Math.max(part.lastAckedOffset, baseOffset + batch.sends.length - 1);
      p = putPartition(
        p,
        batch.partition,
        make.producerPartition({
          ...part,
          lastAckedSequence: Math.max(part.lastAckedSequence, lastSequence(batch)),
          lastAckedOffset,
        }),
      );
      p = removeFromInFlight(p, batch);
    }
    if (!batch.done) {
      p = putBatch(p, make.batch({ ...getBatch(p, batchId), done: true }));
      out.completions.push({ kind: 'ok', sends: batch.sends, baseOffset });
    }
  } else {
    // SND `canRetry`: within delivery.timeout.ms, attempts < retries, not done, then TM or retriable.
    let retry = false;
    if (!batch.deadlinePassed && batch.attempts < settings.retries && !batch.done) {
      if (settings.idempotence) {
        const decided = transactionManagerCanRetry(p, batch, error, settings.transactionalId !== null);
        p = decided.producer;
        retry = decided.retry;
      } else {
        retry = isRetriable(error);
      }
    }
    if (retry) {
      out.retries += 1;
      p = reenqueue(p, config, getBatch(p, batchId));
    } else {
      // Past its deadline a batch fails with the response's error and, with retries left,
      // adjustSequences = true: an epoch bump that rewrites the partition's other in-flight
      // batches (KAFKA-14034; its proposed fix, pull request #13796, was not merged).
      if (batch.deadlinePassed && !batch.done) out.deadlineFailures += 1;
      p = failBatch(p, config, batchId, error, batch.attempts < settings.retries, out);
    }
  }
  // Sender.completeBatch unmutes the partition whatever the outcome.
  if (settings.maxInFlight === 1) p = putPartition(p, batch.partition, make.producerPartition({ ...partitionOf(p, batch.partition), muted: false }));
  return p;
}

/**
 * SND `failBatch` + TM `handleFailedBatch`: the application gets the error; an
 * OUT_OF_ORDER_SEQUENCE_NUMBER, or any error while retries remain, requests an epoch bump.
 */
export function failBatch(producer: ProducerState, config: ModelConfig, batchId: number, error: ErrorCode | 'TimeoutException', adjustSequences: boolean, out: ProducerOutbox): ProducerState {
  const batch = getBatch(producer, batchId);
  if (batch.done) return producer;
  let p = putBatch(producer, make.batch({ ...batch, done: true }));
  out.completions.push({ kind: 'failed', sends: batch.sends, error });
  if (!config.producer.idempotence) return p;
  p = removeFromInFlight(p, batch);
  // A transactional producer never bumps locally: the failure makes the transaction abortable and
  // the TransactionManager re-inits after the abort (TM `handleFailedBatch`, `!isTransactional()`; txn-client.ts).
  if (config.producer.transactionalId !== null) return p;
  if (error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' || adjustSequences) p = requestEpochBump(p, batch.partition);
  return p;
}

/** A produce response arrived from `broker`: complete each of the request's batches. */
export function handleResponse(
  producer: ProducerState,
  config: ModelConfig,
  broker: number,
  requestId: number,
  results: readonly { readonly partition: number; readonly error: ErrorCode; readonly baseOffset: number }[],
  out: ProducerOutbox,
): ProducerState {
  const requests = requestsTo(producer, broker);
  const request = requests.find((r) => r.id === requestId);
  if (request === undefined) return producer;
  let p = producer;
  for (const result of results) {
    const batchId = request.batches.find((id) => getBatch(p, id).partition === result.partition);
    if (batchId !== undefined) p = completeBatch(p, config, batchId, result.error, result.baseOffset, out);
  }
  p = make.producer({ ...p, requests: p.requests.map((rs, b) => (b === broker ? rs.filter((r) => r.id !== requestId) : rs)) });
  return collectBatches(p);
}

/**
 * The connection to `broker` closed (NetworkClient `processDisconnection`): every unanswered
 * request fails with NETWORK_EXCEPTION, or REQUEST_TIMED_OUT when the client timed it out.
 * InFlightRequests keeps the newest request at the head and `clearAll` returns
 * `descendingIterator()`, so requests complete oldest first. Without idempotence each retried
 * batch goes to the front of the queue (RA `reenqueue`: `addFirst`), which reverses their order.
 */
export function handleDisconnect(producer: ProducerState, config: ModelConfig, broker: number, error: ErrorCode, out: ProducerOutbox): ProducerState {
  const requests = requestsTo(producer, broker);
  let p = producer;
  for (const request of requests) {
    for (const id of request.batches) p = completeBatch(p, config, id, error, -1, out);
  }
  p = make.producer({ ...p, requests: p.requests.map((rs, b) => (b === broker ? [] : rs)) });
  return collectBatches(p);
}

/** Sends of every batch that is still alive and not done (what a restart abandons). */
export function abandonedBatches(producer: ProducerState): readonly Batch[] {
  return producer.batches.filter((b) => !b.done);
}
