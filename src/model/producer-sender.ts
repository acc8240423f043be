/**
 * The Java producer's Sender.sendProducerData (Kafka 3.8.0): drain the ready partitions a broker
 * leads into one produce request (RA `drain`, `drainBatchesForOneNode`,
 * `shouldStopDrainBatchesForPartition`) within max.in.flight.requests.per.connection
 * (InFlightRequests `canSendMore`), and expire the batches past delivery.timeout.ms
 * (`getExpiredInflightBatches`, RA `expiredBatches`). producer.ts keeps the producer's state,
 * completion and retries.
 */

import { at, requestsTo } from './access.js';
import type { ModelConfig } from './config.js';
import { collectBatches, failBatch, getBatch, lastSequence, partitionOf, putBatch, putPartition, sortInFlight, withUnresolved } from './producer.js';
import type { ProducerOutbox } from './producer.js';
import * as make from './records.js';
import type { Batch, ClientRequest, ProduceRequest, ProducerState, WireBatch } from './types.js';


/** RA `shouldStopDrainBatchesForPartition` for the idempotent producer. */
function shouldStopDrain(producer: ProducerState, first: Batch): boolean {
  if (producer.producerId < 0) return true;
  const part = partitionOf(producer, first.partition);
  if (first.baseSequence < 0) {
    const stale = part.producerId !== producer.producerId || part.epoch !== producer.epoch;
    if (part.inFlight.length > 0 && stale) return true;
    if (at(producer.unresolved, first.partition, 'partition') >= 0) return true;
  }
  const lowest = part.inFlight[0];
  const firstInFlightSequence = lowest === undefined ? -1 : getBatch(producer, lowest).baseSequence;
  return firstInFlightSequence >= 0 && first.baseSequence >= 0 && first.baseSequence !== firstInFlightSequence;
}

/**
 * What `drain` does with one partition it visits: skip it (muted, or nothing queued), stop the
 * whole drain for the broker (`shouldStopDrainBatchesForPartition`), or take its head batch.
 */
function drainDecision(producer: ProducerState, idempotence: boolean, partition: number, allowed: readonly number[] | null): 'skip' | 'stop' | 'take' {
  const part = partitionOf(producer, partition);
  const headId = part.queue[0];
  if (part.muted || headId === undefined) return 'skip';
  // A transactional producer first: TM `isSendToPartitionAllowed` (the partition is in the transaction, no fatal error).
  if (allowed !== null && !allowed.includes(partition)) return 'stop';
  return idempotence && shouldStopDrain(producer, getBatch(producer, headId)) ? 'stop' : 'take';
}

export interface DrainResult {
  readonly producer: ProducerState;
  /** The request to write on the connection, or null when nothing was drainable. */
  readonly request: ProduceRequest | null;
}

/**
 * Sender.sendProducerData for one ready broker: RA `drainBatchesForOneNode` visits the partitions
 * the broker leads, starting at the broker's drain index, and takes the head batch of each one
 * that may be drained. A partition that must wait stops the whole drain for this broker (`break`).
 */
export function drain(producer: ProducerState, config: ModelConfig, broker: number, leaders: readonly number[], allowed: readonly number[] | null = null): DrainResult {
  const settings = config.producer;
  const parts = leaders.flatMap((leader, partition) => (leader === broker ? [partition] : []));
  const inFlightRequests = requestsTo(producer, broker).length;
  if (parts.length === 0 || inFlightRequests >= settings.maxInFlight) return { producer, request: null };

  let p = producer;
  const drained: Batch[] = [];
  const start = at(p.drainIndex, broker, 'drain index') % parts.length;
  let index = start;
  do {
    const partition = parts[index] as number;
    p = make.producer({ ...p, drainIndex: p.drainIndex.map((d, b) => (b === broker ? index : d)) });
    index = (index + 1) % parts.length;
    const part = partitionOf(p, partition);
    const decision = drainDecision(p, settings.idempotence, partition, allowed);
    if (decision === 'skip') continue;
    if (decision === 'stop') break;

    let batch = getBatch(p, part.queue[0] as number);
    let current = make.producerPartition({ ...part, queue: part.queue.slice(1) });
    if (settings.idempotence && batch.baseSequence < 0) {
      // TM `maybeUpdateProducerIdAndEpoch`: a partition still on an older PID/epoch with nothing
      // in flight starts again at sequence 0 under the current one.
      if ((current.producerId !== p.producerId || current.epoch !== p.epoch) && current.inFlight.length === 0) {
        current = make.producerPartition({ ...current, producerId: p.producerId, epoch: p.epoch, nextSequence: 0, lastAckedSequence: -1 });
      }
      batch = make.batch({ ...batch, producerId: p.producerId, epoch: p.epoch, baseSequence: current.nextSequence });
      current = make.producerPartition({ ...current, nextSequence: current.nextSequence + batch.sends.length, inFlight: [...current.inFlight, batch.id] });
    }
    // ProducerBatch.close() clears `reopened`; a drained batch is closed for appends.
    batch = make.batch({ ...batch, drained: true, reopened: false });
    p = putBatch(p, batch);
    p = putPartition(p, partition, make.producerPartition({ ...current, inFlight: sortInFlight(p, current.inFlight) }));
    drained.push(batch);
  } while (index !== start);

  if (drained.length === 0) return { producer, request: null };

  // KP `guaranteeMessageOrder` (max.in.flight = 1): mute every drained partition.
  if (settings.maxInFlight === 1) {
    for (const batch of drained) p = putPartition(p, batch.partition, make.producerPartition({ ...partitionOf(p, batch.partition), muted: true }));
  }
  const wire: WireBatch[] = drained.map((b) =>
    settings.transactionalId === null
      ? { partition: b.partition, batch: b.id, producerId: b.producerId, epoch: b.epoch, baseSequence: b.baseSequence, sends: b.sends }
      : { partition: b.partition, batch: b.id, producerId: b.producerId, epoch: b.epoch, baseSequence: b.baseSequence, sends: b.sends, transactional: true },
  );
  const request: ProduceRequest = { id: p.nextRequestId, acks: settings.acks, batches: wire };
  p = make.producer({ ...p, nextRequestId: p.nextRequestId + 1 });
  if (settings.acks !== 0) {
    const tracked: ClientRequest = { id: request.id, batches: drained.map((b) => b.id) };
    p = make.producer({ ...p, requests: p.requests.map((rs, b) => (b === broker ? [...rs, tracked] : rs)) });
  }
  return { producer: p, request };
}

/** Is there a batch that a drain to `broker` would take right now? */
export function canDrain(producer: ProducerState, config: ModelConfig, broker: number, leaders: readonly number[], allowed: readonly number[] | null = null): boolean {
  // `drain` makes a request exactly when, visiting the broker's partitions from its drain index,
  // it meets a partition to take before one that stops it: until it takes one, it changes nothing
  // that `drainDecision` reads (only the drain index). Same visiting order as `drain`.
  if (requestsTo(producer, broker).length >= config.producer.maxInFlight) return false;
  let led = 0;
  for (const leader of leaders) if (leader === broker) led += 1;
  if (led === 0) return false;
  const start = at(producer.drainIndex, broker, 'drain index') % led;
  for (let k = 0; k < led; k++) {
    const decision = drainDecision(producer, config.producer.idempotence, nthLed(leaders, broker, (start + k) % led), allowed);
    if (decision !== 'skip') return decision === 'take';
  }
  return false;
}

/** The `n`th partition (ascending) that `broker` leads. */
function nthLed(leaders: readonly number[], broker: number, n: number): number {
  let seen = 0;
  for (let p = 0; p < leaders.length; p++) {
    if (leaders[p] !== broker) continue;
    if (seen === n) return p;
    seen += 1;
  }
  return -1;
}


/** The partition's oldest live batch whose delivery deadline has not passed yet (batches are created in id order). */
export function nextDeadline(producer: ProducerState, partition: number): Batch | undefined {
  return producer.batches.find((b) => b.partition === partition && !b.done && !b.deadlinePassed);
}

/** Time passes: delivery.timeout.ms runs out for the partition's oldest batch still within it. */
export function passDeadline(producer: ProducerState, partition: number): ProducerState {
  const batch = nextDeadline(producer, partition);
  return batch === undefined ? producer : putBatch(producer, make.batch({ ...batch, deadlinePassed: true }));
}

/**
 * The batches the next Sender loop expires: per partition, RA `expiredBatches` walks the queue
 * from its head and SND `getExpiredInflightBatches` walks the batches in flight in drain order,
 * each stopping at the first batch still within its deadline. Accumulator batches come first
 * (`expiredBatches.addAll(expiredInflightBatches)`).
 */
export function expirableBatches(producer: ProducerState, justDrained: readonly number[] = []): Batch[] {
  const fromQueues: Batch[] = [];
  const inFlight: Batch[] = [];
  producer.partitions.forEach((part, partition) => {
    for (const id of part.queue) {
      const batch = getBatch(producer, id);
      if (!batch.deadlinePassed) break;
      fromQueues.push(batch);
    }
    const sent: { batch: Batch; request: number }[] = [];
    for (const requests of producer.requests) {
      for (const r of requests) {
        for (const id of r.batches) {
          const batch = getBatch(producer, id);
          if (batch.partition === partition && !batch.done) sent.push({ batch, request: r.id });
        }
      }
    }
    sent.sort((x, y) => x.request - y.request);
    // acks=0 batches are in the Sender's in-flight list from their drain to the next poll, which
    // completes them (SND `addToInflightBatches`, `handleProduceResponse`'s no-response branch).
    for (const id of justDrained) {
      const batch = getBatch(producer, id);
      if (batch.partition === partition && !batch.done) sent.push({ batch, request: Number.POSITIVE_INFINITY });
    }
    for (const { batch } of sent) {
      if (!batch.deadlinePassed) break;
      inFlight.push(batch);
    }
  });
  return [...fromQueues, ...inFlight];
}

/**
 * SND `sendProducerData`'s expiry: each batch past its deadline fails with TimeoutException
 * without adjusting sequences; one that had been retried marks its partition unresolved
 * (TM `markSequenceUnresolved`). A batch still in flight stays referenced by its request.
 */
export function expireBatches(producer: ProducerState, config: ModelConfig, out: ProducerOutbox, justDrained: readonly number[] = []): ProducerState {
  let p = producer;
  for (const batch of expirableBatches(producer, justDrained)) {
    const part = partitionOf(p, batch.partition);
    p = putPartition(p, batch.partition, make.producerPartition({ ...part, queue: part.queue.filter((id) => id !== batch.id) }));
    p = failBatch(p, config, batch.id, 'TimeoutException', false, out);
    out.expired += 1;
    if (config.producer.idempotence && batch.inRetry) {
      const next = lastSequence(batch) + 1;
      p = withUnresolved(p, batch.partition, Math.max(at(p.unresolved, batch.partition, 'partition'), next));
    }
  }
  return collectBatches(p);
}

