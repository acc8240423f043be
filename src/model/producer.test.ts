/**
 * Reference §3: the Java producer's batching, pipelining, response handling, epoch bumps and
 * delivery timeouts. Each test names the rule and the Kafka 3.8.0 source it follows.
 */

import { describe, expect, it } from 'vitest';
import { logRecords, outcomes, play } from '../checker/fixtures.js';
import { resolveConfig } from './config.js';
import { traceSetup } from './events.js';
import { getBatch, handleResponse, newOutbox } from './producer.js';
import { initialState, isEnabled, step } from './system.js';
import type { State } from './types.js';

const drainTwice = ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerDrain(b0)'];

/**
 * With min.insync.replicas=2 on 2 brokers: broker 1 stops, so the first of two pipelined batches is
 * rejected NOT_ENOUGH_REPLICAS; broker 1 returns and the second batch, with the sequence after it,
 * reaches the leader.
 */
const firstRejectedSecondArrives = [
  'BrokerCrash(b1)',
  ...drainTwice,
  'BrokerReceive(b0)',
  'BrokerRestart(b1)',
  'ReplicaFetch(p0,b1)',
  'BrokerReceive(b0)',
  'ProducerReceive(b0)',
];

/** For a fresh producer id the second batch is appended and acknowledged; the first waits for its retry. */
const newPidFirstRejected = [...firstRejectedSecondArrives, 'ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b1)', 'BrokerCompleteProduce(b0)', 'ProducerReceive(b0)'];

function wireSequences(state: State, broker = 0): number[] {
  return (state.network[broker]?.toBroker ?? []).flatMap((r) => r.batches.map((b) => b.baseSequence));
}

describe('Producer: batching and sequences (RA tryAppend, drainBatchesForOneNode)', () => {
  it('records sent before a drain share one batch, so a batch covers a sequence range', () => {
    const { last } = play({}, ['AppSend(p0)', 'AppSend(p0)', 'AppSend(p0)', 'ProducerDrain(b0)']);
    const batch = last.network[0]?.toBroker[0]?.batches[0];
    expect(batch).toMatchObject({ producerId: 1, epoch: 0, baseSequence: 0 });
    expect(batch?.sends).toHaveLength(3);
    expect(last.producer.partitions[0]?.nextSequence).toBe(3);
  });

  it('the sequence is assigned at drain, not at send', () => {
    const { states } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)']);
    expect(states[1]?.producer.batches[0]?.baseSequence).toBe(-1);
    expect(states[2]?.producer.batches[0]?.baseSequence).toBe(0);
  });

  it('a drained batch is closed: the next record starts a new batch', () => {
    const { last } = play({}, drainTwice);
    expect(wireSequences(last)).toEqual([0, 1]);
  });

  it('a retried batch keeps its producer id, epoch and sequence (never reassigned at drain)', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'NetworkDisconnect(b0)', 'AppSend(p0)', 'ProducerDrain(b0)']);
    const batches = last.network[0]?.toBroker[0]?.batches ?? [];
    expect(batches.map((b) => [b.producerId, b.epoch, b.baseSequence])).toEqual([[1, 0, 0]]);
    expect(last.producer.batches.find((b) => b.id === batches[0]?.batch)?.attempts).toBe(1);
  });
});

describe('Producer: pipelining (InFlightRequests canSendMore, RA shouldStopDrainBatchesForPartition)', () => {
  it('at most max.in.flight.requests.per.connection requests are unanswered per broker', () => {
    const events = Array.from({ length: 5 }, () => ['AppSend(p0)', 'ProducerDrain(b0)']).flat();
    const { last, setup } = play({}, [...events, 'AppSend(p0)']);
    expect(last.producer.requests[0]).toHaveLength(5);
    expect(isEnabled(setup, last, { kind: 'ProducerDrain', broker: 0 })).toBe(false);
  });

  it('max.in.flight.requests.per.connection=1 mutes the partition until its batch completes (KP guaranteeMessageOrder)', () => {
    const { last, setup } = play({ 'max.in.flight.requests.per.connection': 1 }, ['AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)']);
    expect(last.producer.partitions[0]?.muted).toBe(true);
    expect(isEnabled(setup, last, { kind: 'ProducerDrain', broker: 0 })).toBe(false);
  });

  it('after a retry only the lowest in-flight batch is drained: one batch in flight', () => {
    const { last, setup } = play({}, [...drainTwice, 'NetworkDisconnect(b0)', 'ProducerDrain(b0)']);
    expect(wireSequences(last)).toEqual([0]);
    // The queued seq-1 batch is a retry that is not the lowest in flight, so it waits.
    expect(isEnabled(setup, last, { kind: 'ProducerDrain', broker: 0 })).toBe(false);
  });

  it('retried batches go back in sequence order (RA insertInSequenceOrder)', () => {
    const { last } = play({}, [...drainTwice, 'AppSend(p0)', 'NetworkDisconnect(b0)']);
    const queue = last.producer.partitions[0]?.queue ?? [];
    expect(queue.map((id) => getBatch(last.producer, id).baseSequence)).toEqual([0, 1, -1]);
  });

  it('without idempotence a disconnect reverses pipelined batches: oldest completed first, each put at the front (InFlightRequests clearAll, RA reenqueue)', () => {
    const { last } = play({ 'enable.idempotence': false, acks: '1' }, [...drainTwice, 'NetworkDisconnect(b0)']);
    const queue = last.producer.partitions[0]?.queue ?? [];
    expect(queue.map((id) => getBatch(last.producer, id).sends[0])).toEqual([1, 0]);
    const resent = play({ 'enable.idempotence': false, acks: '1' }, [...drainTwice, 'NetworkDisconnect(b0)', 'ProducerDrain(b0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerReceive(b0)']);
    expect(logRecords(resent.last, 0, 0)).toEqual([1, 0]);
  });
});

describe('Producer: responses (SND completeBatch, TM canRetry / handleCompletedBatch / handleFailedBatch)', () => {
  it('NONE completes the batch with its offset and advances lastAckedSequence', () => {
    const { last } = play({}, ['AppSend(p0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']);
    expect(last.ghost.sends.map((s) => [s.outcome, s.offset])).toEqual([
      ['ok', 0],
      ['ok', 1],
    ]);
    expect(last.producer.partitions[0]?.lastAckedSequence).toBe(1);
  });

  it('a lost ack is retried with the same sequence and deduplicated: acknowledged once with the original offset', () => {
    const { last } = play({}, [
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'NetworkDisconnect(b0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
    ]);
    expect(logRecords(last, 0, 0)).toEqual([0]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'ok', offset: 0 });
    expect(last.ghost.stats.dedupHits).toBe(1);
  });

  const firstAcked = [
    'AppSend(p0)',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ReplicaFetch(p0,b1)',
    'ReplicaFetch(p0,b1)',
    'BrokerCompleteProduce(b0)',
    'ProducerReceive(b0)',
  ];

  it('OUT_OF_ORDER_SEQUENCE_NUMBER for a batch that is not next is retried without an epoch bump (collateral damage)', () => {
    // min.insync.replicas=2: after r0 is acknowledged broker 1 stops, so r1's batch is rejected with
    // NOT_ENOUGH_REPLICAS (retriable, nothing appended). Broker 1 returns and rejoins the ISR, and
    // r2's batch reaches the leader with a gap before it: OUT_OF_ORDER_SEQUENCE_NUMBER. It is not
    // the next expected batch (lastAcked + 1 = 1, its sequence is 2), so it is retried as is.
    const { last } = play({ 'replication.factor': 2, 'min.insync.replicas': 2 }, [
      ...firstAcked,
      ...firstRejectedSecondArrives,
      'ProducerReceive(b0)',
    ]);
    expect(last.ghost.stats).toMatchObject({ notEnoughReplicas: 1, outOfOrder: 1, retries: 2 });
    expect(last.producer.epochBumpRequired).toBe(false);
    expect(outcomes(last)).toEqual(['ok', 'pending', 'pending']);
    const queue = last.producer.partitions[0]?.queue ?? [];
    expect(queue.map((id) => getBatch(last.producer, id).baseSequence)).toEqual([1, 2]);
  });

  it('a new producer id is unknown to the broker, so any sequence is accepted: a rejected first batch lets the second in first', () => {
    // PAI checkSequence accepts any sequence for a producer id with no entry (KAFKA-8710). The first
    // batch of a fresh producer is rejected with NOT_ENOUGH_REPLICAS; the second (sequence 1) is then
    // appended; the first, retried, is OUT_OF_ORDER (not next: lastAcked is 1) and can never land.
    const { last } = play({ 'replication.factor': 2, 'min.insync.replicas': 2 }, [
      ...newPidFirstRejected,
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
    ]);
    expect(logRecords(last, 0, 0)).toEqual([1]);
    expect(last.ghost.stats).toMatchObject({ notEnoughReplicas: 1, outOfOrder: 1 });
    expect(outcomes(last)).toEqual(['pending', 'ok']);
    expect(last.producer.epochBumpRequired).toBe(false);
  });

  it('after that, maybeResolveSequences takes the expired first batch for written, because a later batch was acknowledged', () => {
    // TM maybeResolveSequences: lastAcked + 1 == nextSequence "proves" the expired batch was written,
    // which holds only if the broker appended in order; for an unknown producer id it did not.
    const { states, last, setup } = play({ 'replication.factor': 2, 'min.insync.replicas': 2 }, [
      ...newPidFirstRejected,
      'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches',
    ]);
    expect(last.producer.unresolved).toEqual([1]);
    const resolved = step(setup, last, { kind: 'ProducerResolve' });
    expect(resolved.producer).toMatchObject({ unresolved: [-1], epoch: 0, epochBumpRequired: false });
    expect(logRecords(resolved, 0, 0)).toEqual([1]);
    // Its only attempt was rejected with NOT_ENOUGH_REPLICAS, so the failure is definite: r0 is not in the log.
    // The attempt counts decide that while r0 is pending; with the outcome they are cleared (ghost.ts settle).
    expect(states[states.length - 2]?.ghost.sends[0]).toMatchObject({ outcome: 'pending', transmitted: 1, rejected: 1 });
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'fail', error: 'TimeoutException', transmitted: 0, rejected: 0 });
    expect(resolved.ghost.sends[0]).toMatchObject({ outcome: 'fail', error: 'TimeoutException' });
  });

  it('OUT_OF_ORDER_SEQUENCE_NUMBER for the next batch is a real gap: the epoch is bumped and sequences restart at 0 (KIP-360)', () => {
    // With a 1-batch dedup window (a mutant), the retry of an acknowledged-but-lost batch is no longer
    // recognised and is answered OUT_OF_ORDER_SEQUENCE_NUMBER while it is the next expected one.
    const { states, last } = play({ mutant: 'dedup-window:1' }, [
      ...drainTwice,
      'BrokerReceive(b0)',
      'BrokerReceive(b0)',
      'NetworkDisconnect(b0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      'ProducerResolve',
    ]);
    expect(states[states.length - 2]?.producer).toMatchObject({ epochBumpRequired: true, partitionsToRewrite: [0] });
    expect(last.producer).toMatchObject({ epoch: 1, epochBumpRequired: false });
    const rewritten = (last.producer.partitions[0]?.inFlight ?? []).map((id) => getBatch(last.producer, id));
    expect(rewritten.map((b) => [b.epoch, b.baseSequence, b.reopened])).toEqual([
      [1, 0, true],
      [1, 1, true],
    ]);
    expect(outcomes(last)).toEqual(['pending', 'pending']);
  });

  it('the last acknowledged offset only rises: a later answer for an earlier batch leaves it (TxnPartitionMap updateLastAckedOffset)', () => {
    const { setup, last } = play({}, drainTwice);
    const out = newOutbox();
    const second = handleResponse(last.producer, setup.config, 0, 1, [{ partition: 0, error: 'NONE', baseOffset: 5 }], out);
    expect(second.partitions[0]?.lastAckedOffset).toBe(5);
    const first = handleResponse(second, setup.config, 0, 0, [{ partition: 0, error: 'NONE', baseOffset: 2 }], out);
    expect(first.partitions[0]).toMatchObject({ lastAckedOffset: 5, lastAckedSequence: 1 });
  });

  it('INVALID_PRODUCER_EPOCH fails the batch and requests an epoch bump while retries remain (TM handleFailedBatch)', () => {
    const { setup, last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)']);
    const out = newOutbox();
    const producer = handleResponse(last.producer, setup.config, 0, 0, [{ partition: 0, error: 'INVALID_PRODUCER_EPOCH', baseOffset: -1 }], out);
    expect(out.completions).toEqual([{ kind: 'failed', sends: [0], error: 'INVALID_PRODUCER_EPOCH' }]);
    expect(producer).toMatchObject({ epochBumpRequired: true, partitionsToRewrite: [0] });
  });

  it('a retriable error after retries are used up fails the batch as indeterminate (SND canRetry: attempts < retries)', () => {
    const { last } = play({ retries: 1 }, [
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'NetworkDisconnect(b0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'NetworkDisconnect(b0)',
    ]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'info', error: 'NETWORK_EXCEPTION' });
    expect(logRecords(last, 0, 0)).toEqual([0]);
    // adjustSequences is false when retries are exhausted: no epoch bump.
    expect(last.producer.epochBumpRequired).toBe(false);
  });

  it('without idempotence OUT_OF_ORDER cannot occur and retriable errors are simply retried', () => {
    const { last } = play({ acks: '1', 'enable.idempotence': false }, ['AppSend(p0)', 'ProducerDrain(b0)', 'NetworkDisconnect(b0)']);
    expect(last.producer.partitions[0]?.queue).toHaveLength(1);
    expect(last.producer.producerId).toBe(-1);
  });
});

describe('Producer: delivery timeout and unresolved sequences (SND sendProducerData, TM maybeResolveSequences)', () => {
  it('an in-flight batch expires with TimeoutException and an indeterminate outcome', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches']);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'info', error: 'TimeoutException' });
    // Expired on its first attempt: not in retry, so the partition is not marked unresolved.
    expect(last.producer.unresolved).toEqual([-1]);
  });

  it('a batch that never left the accumulator fails definitely', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches']);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'fail', error: 'TimeoutException' });
  });

  it('a retried batch that expires marks the partition unresolved; a later acknowledged batch resolves it without a bump', () => {
    const events = [
      ...drainTwice,
      'BrokerReceive(b0)',
      'BrokerReceive(b0)',
      'NetworkDisconnect(b0)',
      'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches',
    ];
    const { last: expired } = play({}, events);
    expect(expired.producer.unresolved).toEqual([1]);
    const { last, setup } = play({}, [...events, 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']);
    expect(isEnabled(setup, last, { kind: 'ProducerResolve' })).toBe(true);
    const resolved = step(setup, last, { kind: 'ProducerResolve' });
    expect(resolved.producer).toMatchObject({ unresolved: [-1], epoch: 0, epochBumpRequired: false });
  });

  it('when nothing later was acknowledged, resolving bumps the epoch (the expired batch may or may not be in the log)', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'NetworkDisconnect(b0)', 'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches', 'ProducerResolve']);
    expect(last.producer).toMatchObject({ epoch: 1, unresolved: [-1] });
    expect(last.ghost.sends[0]?.outcome).toBe('info');
  });

  it('the deadline passing only marks the batch; the Sender expires it in its next loop (SND sendProducerData)', () => {
    const { last, setup } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'ProducerDeliveryTimeout(p0)']);
    expect(last.producer.batches[0]).toMatchObject({ deadlinePassed: true, done: false });
    expect(last.ghost.sends[0]?.outcome).toBe('pending');
    expect(isEnabled(setup, last, { kind: 'ProducerExpireBatches' })).toBe(true);
  });

  it('a response handled after the deadline fails the batch and requests an epoch bump that rewrites the retried batch behind it: a duplicate (KAFKA-14034, not fixed in 3.8)', () => {
    // SND canRetry is false past the deadline, so completeBatch calls failBatch(adjustSequences =
    // attempts < retries); TM handleFailedBatch requests an epoch bump; the bump rewrites the
    // second batch, already appended, to (epoch 1, seq 0), which the broker accepts as new.
    const { last } = play({}, [
      ...drainTwice,
      'BrokerReceive(b0)',
      'BrokerReceive(b0)',
      'ProducerDeliveryTimeout(p0)',
      'NetworkDisconnect(b0)',
      'ProducerResolve',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
    ]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'info', error: 'NETWORK_EXCEPTION' });
    expect(last.ghost.stats).toMatchObject({ deadlineFailures: 1, epochBumps: 1 });
    expect(logRecords(last, 0, 0)).toEqual([0, 1, 1]);
  });

  it('a drain expires in the same step what is past its deadline, so a later response cannot fail it after the deadline (SND sendProducerData: drain, then expire)', () => {
    // Deadline passes -> the next loop drains the second batch -> its response is read. In Kafka the
    // sendProducerData that drains also expires the first batch (TimeoutException, no sequence
    // adjustment), before any later poll: its response finds it done, with no epoch bump.
    const { last, setup } = play({}, [
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'AppSend(p0)',
      'BrokerReceive(b0)',
      'ProducerDeliveryTimeout(p0)',
      'ProducerDrain(b0)',
    ]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'info', error: 'TimeoutException' });
    expect(last.ghost.stats.deliveryTimeouts).toBe(1);
    const after = step(setup, last, { kind: 'ProducerReceive', broker: 0, nth: 0 });
    expect(after.ghost.stats).toMatchObject({ deadlineFailures: 0, epochBumps: 0 });
    expect(after.producer.epochBumpRequired).toBe(false);
  });

  it('with a batch past its deadline the prologue does not stand alone: it runs first inside the next sendProducerData, which expires the batch (SND runOnce)', () => {
    // Two batches in flight; the first passes its deadline and the disconnect (in that poll) fails
    // it with adjustSequences, requesting a bump, and queues the second for retry; then the second
    // passes its deadline too. The loop after that poll runs the prologue and then expires it, so
    // no poll can read anything between them.
    const { last, setup } = play({}, [
      ...drainTwice,
      'ProducerDeliveryTimeout(p0)',
      'NetworkDisconnect(b0)',
      'ProducerDeliveryTimeout(p0)',
    ]);
    expect(last.producer.epochBumpRequired).toBe(true);
    expect(isEnabled(setup, last, { kind: 'ProducerResolve' })).toBe(false);
    const next = step(setup, last, { kind: 'ProducerExpireBatches' });
    expect(next.producer).toMatchObject({ epoch: 1, epochBumpRequired: false });
    expect(next.ghost.sends.map((s) => s.error)).toEqual(['NETWORK_EXCEPTION', 'TimeoutException']);
    // The expired batch had been retried: its partition waits, unresolved (TM markSequenceUnresolved).
    expect(next.producer.unresolved).toEqual([1]);
  });

  it('acks=0: a batch drained past its deadline is expired before the poll completes it (SND sendProducerData, then handleCompletedSends)', () => {
    const { last } = play({ acks: '0', 'enable.idempotence': false }, ['AppSend(p0)', 'ProducerDeliveryTimeout(p0)', 'ProducerDrain(b0)']);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'info', error: 'TimeoutException' });
    expect(last.network[0]?.toBroker).toHaveLength(1);
  });

  it('new batches are not drained while a sequence is unresolved', () => {
    const { last, setup } = play({}, [...drainTwice, 'NetworkDisconnect(b0)', 'ProducerDeliveryTimeout(p0)', 'ProducerExpireBatches', 'AppSend(p0)']);
    // Batch seq 1 is still in flight (queued for retry), so the unresolved partition waits.
    expect(last.producer.unresolved).toEqual([1]);
    expect(isEnabled(setup, last, { kind: 'ProducerResolve' })).toBe(false);
  });
});

describe('Producer: restart (TC handleInitProducerId without transactional.id)', () => {
  it('a restarted producer gets a new producer id with epoch 0 and abandons its batches', () => {
    const { last } = play({}, ['AppSend(p0)', 'AppSend(p0)', 'ProducerDrain(b0)', 'AppSend(p0)', 'ProducerRestart']);
    expect(last.producer).toMatchObject({ session: 1, producerId: 2, epoch: 0, batches: [] });
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['info', 'info', 'fail']);
    expect(last.network[0]?.toBroker).toEqual([]);
  });
});

describe('Producer: the sender prologue comes first (Sender.runOnce)', () => {
  it('a requested epoch bump must be applied (ProducerResolve) before the next drain', () => {
    const resolved = resolveConfig({});
    if (!resolved.ok) throw new Error('config');
    const setup = traceSetup(resolved.config);
    let state = initialState(setup);
    state = { ...state, producer: { ...state.producer, epochBumpRequired: true } };
    state = step(setup, state, { kind: 'AppSend', partition: 0 });
    expect(isEnabled(setup, state, { kind: 'ProducerDrain', broker: 0 })).toBe(false);
    expect(step(setup, state, { kind: 'ProducerResolve' }).producer.epoch).toBe(1);
  });
});
