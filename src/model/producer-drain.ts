/**
 * The Java producer's drain (Kafka 3.8.0): Sender.sendProducerData asks RecordAccumulator to drain
 * the ready partitions a broker leads into one produce request (RA `drain`,
 * `drainBatchesForOneNode`, `shouldStopDrainBatchesForPartition`), within
 * max.in.flight.requests.per.connection (InFlightRequests `canSendMore`). Split from producer.ts,
 * which keeps the producer's state, completion, retries and expiry.
 */

import { at, requestsTo } from './access.js';
import type { ModelConfig } from './config.js';
import { getBatch, partitionOf, putBatch, putPartition, sortInFlight } from './producer.js';
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
function drainDecision(producer: ProducerState, idempotence: boolean, partition: number): 'skip' | 'stop' | 'take' {
  const part = partitionOf(producer, partition);
  const headId = part.queue[0];
  if (part.muted || headId === undefined) return 'skip';
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
export function drain(producer: ProducerState, config: ModelConfig, broker: number, leaders: readonly number[]): DrainResult {
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
    const decision = drainDecision(p, settings.idempotence, partition);
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
  const wire: WireBatch[] = drained.map((b) => ({
    partition: b.partition,
    batch: b.id,
    producerId: b.producerId,
    epoch: b.epoch,
    baseSequence: b.baseSequence,
    sends: b.sends,
  }));
  const request: ProduceRequest = { id: p.nextRequestId, acks: settings.acks, batches: wire };
  p = make.producer({ ...p, nextRequestId: p.nextRequestId + 1 });
  if (settings.acks !== 0) {
    const tracked: ClientRequest = { id: request.id, batches: drained.map((b) => b.id) };
    p = make.producer({ ...p, requests: p.requests.map((rs, b) => (b === broker ? [...rs, tracked] : rs)) });
  }
  return { producer: p, request };
}

/** Is there a batch that a drain to `broker` would take right now? */
export function canDrain(producer: ProducerState, config: ModelConfig, broker: number, leaders: readonly number[]): boolean {
  // `drain` makes a request exactly when, visiting the broker's partitions from its drain index,
  // it meets a partition to take before one that stops it: until it takes one, it changes nothing
  // that `drainDecision` reads (only the drain index). Same visiting order as `drain`.
  if (requestsTo(producer, broker).length >= config.producer.maxInFlight) return false;
  let led = 0;
  for (const leader of leaders) if (leader === broker) led += 1;
  if (led === 0) return false;
  const start = at(producer.drainIndex, broker, 'drain index') % led;
  for (let k = 0; k < led; k++) {
    const decision = drainDecision(producer, config.producer.idempotence, nthLed(leaders, broker, (start + k) % led));
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

