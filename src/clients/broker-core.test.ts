/**
 * The wire broker's request handling, without sockets: well-formed requests get Kafka's answers
 * with the model's idempotence decisions, and any byte string a client (or a fuzzer) sends is
 * answered or refused without an exception, without touching the log when it is refused.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../wire/codec.js';
import { API, ERROR } from '../wire/messages.js';
import { encodeRecordBatch } from '../wire/records.js';
import { createBrokerCore, handleFrame } from './broker-core.js';
import type { Action, BrokerCore, Fault } from './broker-core.js';

const TOPIC = 'idemcheck';

function core(partitions = 2, brokers = 1): BrokerCore {
  return createBrokerCore({
    topic: TOPIC,
    partitions,
    brokers,
    sendIdOf: (value) => {
      const n = Number(value?.toString('utf8'));
      return Number.isInteger(n) && n >= 0 && n < 1000 ? n : 1000;
    },
    port: () => 9092,
    log: () => undefined,
  });
}

const noFault = (): Fault | null => null;

/** Request header v1: api key, version, correlation id, client id. */
function request(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString('test');
  body(w);
  return Buffer.from(w.bytes());
}

interface BatchSpec {
  readonly partition: number;
  readonly producerId: number;
  readonly epoch: number;
  readonly baseSequence: number;
  readonly sends: readonly number[];
}

/** One partition's record batch: each send's id as its record value. */
function batchBytes(b: BatchSpec): Buffer {
  return encodeRecordBatch({
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: b.producerId,
    producerEpoch: b.epoch,
    baseSequence: b.baseSequence,
    records: b.sends.map((s) => ({ offsetDelta: 0, timestampDelta: 0, key: null, value: Buffer.from(String(s)), headers: [] })),
  });
}

function produce(correlationId: number, acks: number, batches: readonly BatchSpec[], version = 7): Buffer {
  return request(API.Produce, version, correlationId, (w) =>
    w
      .nullableString(null)
      .int16(acks)
      .int32(30_000)
      .array([TOPIC], (ww, name) => ww.nullableString(name).array(batches, (x, b) => x.int32(b.partition).nullableBytes(batchBytes(b)))),
  );
}

interface PartitionAnswer {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: number;
}

function readProduceResponse(action: Action, version = 7): { correlationId: number; partitions: PartitionAnswer[] } {
  if (action.kind !== 'respond' && action.kind !== 'hold') throw new Error(`expected an answer, got ${JSON.stringify(action)}`);
  const r = new Reader(action.frame);
  expect(r.int32()).toBe(action.frame.length - 4);
  const correlationId = r.int32();
  const partitions: PartitionAnswer[] = [];
  r.array((rr) => {
    rr.nullableString();
    rr.array((x) => {
      const p = { index: x.int32(), errorCode: x.int16(), baseOffset: x.int64() };
      if (version >= 2) x.int64();
      if (version >= 5) x.int64();
      partitions.push(p);
    });
  });
  r.int32();
  expect(r.remaining).toBe(0);
  return { correlationId, partitions };
}

const logs = (c: BrokerCore): string => JSON.stringify(c.state.cluster.partitions.map((p) => p.replicas[0]?.log));

describe('the wire broker answers as Kafka does, with the model deciding', () => {
  it('ApiVersions, Metadata and InitProducerId', () => {
    const c = core();
    const versions = handleFrame(c, 0, 0, request(API.ApiVersions, 0, 1, () => undefined), noFault);
    expect(versions.kind).toBe('respond');
    const metadata = handleFrame(c, 0, 0, request(API.Metadata, 1, 2, (w) => w.int32(-1)), noFault);
    expect(metadata.kind).toBe('respond');
    const init = handleFrame(c, 0, 0, request(API.InitProducerId, 0, 3, (w) => w.nullableString(null).int32(60_000)), noFault);
    if (init.kind !== 'respond') throw new Error('no answer');
    const r = new Reader(init.frame);
    r.int32();
    expect(r.int32()).toBe(3); // correlation id
    r.int32(); // throttle
    expect(r.int16()).toBe(ERROR.NONE);
    const pid = r.int64();
    expect(r.int16()).toBe(0);
    const again = handleFrame(c, 0, 0, request(API.InitProducerId, 0, 4, (w) => w.nullableString(null).int32(60_000)), noFault);
    if (again.kind !== 'respond') throw new Error('no answer');
    expect(again.frame.readBigInt64BE(14)).toBe(BigInt(pid + 1));
  });

  it('a resent batch is acknowledged at its first offset and not written again (ProducerStateManager duplicate check)', () => {
    const c = core();
    const first = readProduceResponse(handleFrame(c, 0, 0, produce(1, -1, [{ partition: 0, producerId: 0, epoch: 0, baseSequence: 0, sends: [0, 1] }]), noFault));
    expect(first.partitions).toEqual([{ index: 0, errorCode: ERROR.NONE, baseOffset: 0 }]);
    const resent = readProduceResponse(handleFrame(c, 0, 0, produce(2, -1, [{ partition: 0, producerId: 0, epoch: 0, baseSequence: 0, sends: [0, 1] }]), noFault));
    expect(resent.partitions).toEqual([{ index: 0, errorCode: ERROR.NONE, baseOffset: 0 }]);
    expect(c.state.cluster.partitions[0]?.replicas[0]?.log).toHaveLength(1);
    const gap = readProduceResponse(handleFrame(c, 0, 0, produce(3, -1, [{ partition: 0, producerId: 0, epoch: 0, baseSequence: 5, sends: [2] }]), noFault));
    expect(gap.partitions[0]?.errorCode).toBe(ERROR.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('faults act around the model: a lost request is never appended, error-after-append is', () => {
    const c = core();
    const lost = handleFrame(c, 0, 0, produce(1, -1, [{ partition: 0, producerId: 0, epoch: 0, baseSequence: 0, sends: [0] }]), () => 'lose-request');
    expect(lost.kind).toBe('close');
    expect(logs(c)).toBe(logs(core()));
    const after = readProduceResponse(handleFrame(c, 0, 0, produce(2, -1, [{ partition: 1, producerId: 0, epoch: 0, baseSequence: 0, sends: [1] }]), () => 'error-after-append'));
    expect(after.partitions[0]?.errorCode).toBe(ERROR.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    expect(c.state.cluster.partitions[1]?.replicas[0]?.log).toHaveLength(1);
    expect(c.trace.map((t) => t.answer)).toEqual(['lost', 'sent']);
  });

  it('a partition named twice in one request is appended once, with its last records (KafkaApis keys by topic-partition)', () => {
    const c = core();
    const answer = readProduceResponse(
      handleFrame(
        c,
        0,
        0,
        produce(1, -1, [
          { partition: 0, producerId: -1, epoch: -1, baseSequence: -1, sends: [0] },
          { partition: 0, producerId: -1, epoch: -1, baseSequence: -1, sends: [1, 2] },
        ]),
        noFault,
      ),
    );
    expect(answer.partitions).toEqual([{ index: 0, errorCode: ERROR.NONE, baseOffset: 0 }]);
    expect(c.state.cluster.partitions[0]?.replicas[0]?.log.map((b) => b.sends)).toEqual([[1, 2]]);
  });

  it('acks=0 gets no answer; acks=2 gets INVALID_REQUIRED_ACKS and nothing is written', () => {
    const c = core();
    expect(handleFrame(c, 0, 0, produce(1, 0, [{ partition: 0, producerId: -1, epoch: -1, baseSequence: -1, sends: [0] }]), noFault)).toEqual({ kind: 'none' });
    const before = logs(c);
    const bad = readProduceResponse(handleFrame(c, 0, 0, produce(2, 2, [{ partition: 0, producerId: -1, epoch: -1, baseSequence: -1, sends: [1] }]), noFault));
    expect(bad.partitions[0]?.errorCode).toBe(ERROR.INVALID_REQUIRED_ACKS);
    expect(logs(c)).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: valid requests, mutated requests and noise, in any order.
// ---------------------------------------------------------------------------------------------

const arbBatch: fc.Arbitrary<BatchSpec> = fc.record({
  partition: fc.integer({ min: -1, max: 2 }),
  producerId: fc.integer({ min: -1, max: 3 }),
  epoch: fc.integer({ min: -1, max: 2 }),
  baseSequence: fc.integer({ min: -1, max: 8 }),
  sends: fc.array(fc.integer({ min: 0, max: 1100 }), { minLength: 1, maxLength: 3 }),
});

const arbValid: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.integer({ min: 3, max: 7 }), fc.constantFrom(-1, 0, 1, 2), fc.array(arbBatch, { minLength: 1, maxLength: 2 })).map(([v, acks, batches]) => produce(9, acks, batches, v)),
  fc.integer({ min: 0, max: 3 }).map((v) => request(API.ApiVersions, v, 1, (w) => (v >= 3 ? w.compactNullableString('x').compactNullableString('1').taggedFields() : undefined))),
  fc.integer({ min: 1, max: 8 }).map((v) => request(API.Metadata, v, 2, (w) => (v >= 4 ? w.array([TOPIC], (ww, t) => ww.nullableString(t)).bool(false) : w.int32(-1)))),
  fc.constant(request(API.InitProducerId, 0, 3, (w) => w.nullableString(null).int32(1000))),
);

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'cut'; at: number } | { kind: 'splice'; at: number; bytes: Uint8Array } | { kind: 'big'; at: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  // A length field that lies: 0x7fffffff written over four bytes.
  fc.record({ kind: fc.constant('big' as const), at: fc.nat() }),
);

function mutate(frame: Buffer, m: Mutation): Buffer {
  const out = Buffer.from(frame);
  if (out.length === 0) return out;
  const at = m.at % out.length;
  switch (m.kind) {
    case 'flip':
      out[at] = (out[at] as number) ^ (1 << m.bit);
      return out;
    case 'cut':
      return out.subarray(0, at);
    case 'splice':
      return Buffer.concat([out.subarray(0, at), Buffer.from(m.bytes), out.subarray(at)]);
    case 'big':
      if (at + 4 <= out.length) out.writeInt32BE(0x7fffffff, at);
      return out;
  }
}

const arbFrame: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 2, arbitrary: arbValid },
  { weight: 4, arbitrary: fc.tuple(arbValid, fc.array(arbMutation, { minLength: 1, maxLength: 3 })).map(([f, ms]) => ms.reduce(mutate, f)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

describe('fuzzing handleFrame', () => {
  it('never throws, answers every readable request with its correlation id, and refused input leaves the partitions untouched', () => {
    const faults: (Fault | null)[] = [null, 'lose-response', 'error-after-append', 'error-without-append', 'hold-response', 'lose-request'];
    fc.assert(
      fc.property(fc.array(fc.tuple(arbFrame, fc.constantFrom(...faults)), { minLength: 1, maxLength: 25 }), (frames) => {
        const c = core();
        for (const [payload, fault] of frames) {
          const before = logs(c);
          const action = handleFrame(c, 0, 0, payload, () => fault);
          expect(['respond', 'hold', 'none', 'close']).toContain(action.kind);
          // A refused request changes nothing. (Injected faults and an acks=0 request with a failed
          // partition close the connection after the valid partitions were appended, as Kafka does.)
          if (action.kind === 'close' && !/^(fault|acks=0)/.test(action.reason)) expect(logs(c), action.reason).toBe(before);
          if (action.kind === 'respond' || action.kind === 'hold') {
            expect(action.frame.readInt32BE(0)).toBe(action.frame.length - 4);
            expect(action.frame.readInt32BE(4)).toBe(payload.readInt32BE(4));
          }
          // Every record in every log came from a batch that decoded and passed its CRC: the
          // model never sees bytes that failed validation, so logs only hold the fuzzer's sends.
          for (const p of c.state.cluster.partitions) for (const batch of p.replicas[0]?.log ?? []) for (const s of batch.sends) expect(s).toBeLessThanOrEqual(1000);
        }
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 20261125), numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('a produce request whose batch fails validation is answered with a partition error and appends nothing', () => {
    fc.assert(
      fc.property(arbBatch.filter((b) => b.partition >= 0 && b.partition < 2), fc.nat(), fc.integer({ min: 0, max: 7 }), (b, at, bit) => {
        const c = core();
        const good = produce(5, -1, [b]);
        // Flip one bit inside the record batch, after its CRC field: the CRC-32C must catch it.
        const batchStart = good.length - batchBytes(b).length; // the batch ends the request
        const from = batchStart + 21;
        const bad = Buffer.from(good);
        const i = from + (at % (bad.length - from));
        bad[i] = (bad[i] as number) ^ (1 << bit);
        const answer = readProduceResponse(handleFrame(c, 0, 0, bad, noFault));
        expect(answer.partitions).toEqual([{ index: b.partition, errorCode: ERROR.CORRUPT_MESSAGE, baseOffset: -1 }]);
        expect(logs(c)).toBe(logs(core()));
      }),
      { seed: 20261125, numRuns: 200 },
    );
  });
});
