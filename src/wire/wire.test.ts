/**
 * The wire codec: primitives round-trip, truncated or lying input is a ProtocolError (never a
 * RangeError or a huge allocation), CRC-32C matches the standard check value, and RecordBatch v2
 * agrees byte for byte with an independent implementation (@platformatic/kafka's own encoder and
 * decoder), both ways.
 */

import { createRecordsBatch, crc32c as theirCrc32c, readRecordsBatches, Reader as TheirReader } from '@platformatic/kafka';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, ProtocolError, Reader, Writer } from './codec.js';
import { decodeProduceRequest } from './messages.js';
import { decodeRecordBatches, encodeRecordBatch, RECORD_BATCH_OVERHEAD, RecordBatchError } from './records.js';
import type { WireRecord } from './records.js';

const FC = { seed: 20261125, numRuns: 200 } as const;

describe('CRC-32C', () => {
  it('gives the standard check value for "123456789" (RFC 3720 / Castagnoli)', () => {
    expect(crc32c(Buffer.from('123456789', 'ascii'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with @platformatic/kafka on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(crc32c(buf)).toBe(theirCrc32c(buf) >>> 0);
      }),
      FC,
    );
  });
});

describe('primitives round-trip', () => {
  it('varint, varlong, unsigned varint, int16/32/64, strings, bytes, compact forms and arrays', () => {
    const value = fc.record({
      i16: fc.integer({ min: -32768, max: 32767 }),
      i32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      i64: fc.maxSafeInteger(),
      varint: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      varlong: fc.maxSafeInteger(),
      uvarint: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      str: fc.option(fc.string({ unit: 'grapheme', maxLength: 20 }), { nil: null }),
      compact: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      bytes: fc.option(fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), { nil: null }),
      list: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(value, (v) => {
        const w = new Writer()
          .int16(v.i16)
          .int32(v.i32)
          .int64(v.i64)
          .varint(v.varint)
          .varlong(v.varlong)
          .unsignedVarint(v.uvarint)
          .nullableString(v.str)
          .compactNullableString(v.compact)
          .nullableBytes(v.bytes)
          .compactNullableBytes(v.bytes)
          .array(v.list, (ww, x) => ww.int32(x))
          .compactArray(v.list, (ww, x) => ww.int32(x))
          .taggedFields();
        const r = new Reader(w.bytes());
        expect(r.int16()).toBe(v.i16);
        expect(r.int32()).toBe(v.i32);
        expect(r.int64()).toBe(v.i64);
        expect(r.varint()).toBe(v.varint);
        expect(r.varlong()).toBe(v.varlong);
        expect(r.unsignedVarint()).toBe(v.uvarint);
        expect(r.nullableString()).toBe(v.str);
        expect(r.compactNullableString()).toBe(v.compact);
        expect(r.nullableBytes()).toEqual(v.bytes);
        expect(r.compactNullableBytes()).toEqual(v.bytes);
        expect(r.array((rr) => rr.int32(), 4)).toEqual(v.list);
        expect(r.compactArray((rr) => rr.int32(), 4)).toEqual(v.list);
        r.taggedFields();
        expect(r.remaining).toBe(0);
      }),
      FC,
    );
  });

  it('zig-zag varints use the documented encodings (0→00, -1→01, 1→02, 63→7e, -64→7f, 64→8001)', () => {
    const enc = (n: number): string => new Writer().varint(n).bytes().toString('hex');
    expect([0, -1, 1, 63, -64, 64].map(enc)).toEqual(['00', '01', '02', '7e', '7f', '8001']);
  });

  it('varlongs zig-zag over 64 bits, as ByteUtils.writeVarlong does: 2^31 → 80 80 80 80 10, 2^40 → 6 bytes', () => {
    const enc = (n: number): string => new Writer().varlong(n).bytes().toString('hex');
    expect(enc(2 ** 31)).toBe('8080808010');
    expect(enc(-(2 ** 31) - 1)).toBe('8180808010');
    expect(enc(2 ** 40)).toBe('808080808040');
  });

  it('refuses varints longer than 5 bytes and varlongs longer than 10', () => {
    expect(() => new Reader(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).varint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(11, 0x80)).varlong()).toThrow(ProtocolError);
  });

  it('refuses int64 values a number cannot hold exactly', () => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64BE(2n ** 60n);
    expect(() => new Reader(buf).int64()).toThrow(/out of range/);
  });
});

describe('lying lengths and truncation are protocol errors, checked before allocation', () => {
  it('a claimed array of 2^31-1 elements in a short buffer is refused from its length alone', () => {
    const w = new Writer().int32(2 ** 31 - 1).int32(1);
    expect(() => new Reader(w.bytes()).array((r) => r.int32(), 4)).toThrow(/cannot fit/);
    const c = new Writer().unsignedVarint(2 ** 31 - 1);
    expect(() => new Reader(c.bytes()).compactArray((r) => r.int32(), 4)).toThrow(/cannot fit/);
    const t = new Writer().unsignedVarint(2 ** 30);
    expect(() => new Reader(t.bytes()).taggedFields()).toThrow(/cannot fit/);
  });

  it('strings and bytes longer than what is left, and negative lengths, are refused', () => {
    expect(() => new Reader(new Writer().int16(500).bytes()).nullableString()).toThrow(/truncated/);
    expect(() => new Reader(new Writer().int16(-7).bytes()).nullableString()).toThrow(/length -7/);
    expect(() => new Reader(new Writer().int32(2 ** 31 - 1).bytes()).nullableBytes()).toThrow(/truncated/);
    expect(() => new Reader(new Writer().unsignedVarint(2 ** 31).bytes()).compactNullableBytes()).toThrow(/truncated/);
  });

  it('every prefix of a well-formed Produce request fails with a ProtocolError, never another error', () => {
    const batch = encodeRecordBatch(sampleBatch([record('a'), record('b')]));
    const body = new Writer()
      .nullableString(null)
      .int16(-1)
      .int32(30000)
      .array([0], (w) => w.nullableString('t').array([0], (ww) => ww.int32(0).nullableBytes(batch)))
      .bytes();
    expect(decodeProduceRequest(new Reader(body), 7).topics[0]?.partitions[0]?.records).toEqual(batch);
    for (let n = 0; n < body.length; n++) {
      expect(() => decodeProduceRequest(new Reader(body.subarray(0, n)), 7), `prefix of ${n} bytes`).toThrow(ProtocolError);
    }
  });
});

function record(value: string, key: string | null = null): WireRecord {
  return { offsetDelta: 0, timestampDelta: 0, key: key === null ? null : Buffer.from(key), value: Buffer.from(value), headers: [] };
}

function sampleBatch(records: readonly WireRecord[]) {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: 0,
    baseTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000,
    producerId: 1000,
    producerEpoch: 0,
    baseSequence: 0,
    records,
  };
}

const arbRecord: fc.Arbitrary<WireRecord> = fc.record({
  offsetDelta: fc.constant(0),
  timestampDelta: fc.integer({ min: 0, max: 10_000 }),
  key: fc.option(fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 30 }).map((b) => Buffer.from(b)), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 6 }), value: fc.option(fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)), { nil: null }) }), {
    maxLength: 3,
  }),
});

const arbBatch = fc.record({
  baseOffset: fc.constant(0),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 100 }),
  baseTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  maxTimestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  records: fc.array(arbRecord, { minLength: 1, maxLength: 5 }),
});

describe('RecordBatch v2', () => {
  it('decode(encode(b)) = b, with offset deltas numbered from 0', () => {
    fc.assert(
      fc.property(arbBatch, (b) => {
        const [decoded, ...rest] = decodeRecordBatches(encodeRecordBatch(b));
        expect(rest).toEqual([]);
        expect(decoded).toEqual({ ...b, attributes: 0, lastOffsetDelta: b.records.length - 1, records: b.records.map((r, i) => ({ ...r, offsetDelta: i })) });
      }),
      FC,
    );
  });

  // Timestamps stay within 2^31 ms of each other here: @platformatic/dynamic-buffer 0.3.1 zig-zags
  // 64-bit varints with `>> 31n` instead of `>> 63n` and stops at bit 32, so a record whose
  // timestamp delta is 2^31 ms or more (about 25 days) is written as the wrong delta (2^31 → -1).
  // Ours follows Kafka's ByteUtils.writeVarlong ((v << 1) ^ (v >> 63)); see the zig-zag test above.
  it('reads batches written by @platformatic/kafka (an independent encoder) field for field', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.uint8Array({ minLength: 1, maxLength: 8 }), value: fc.uint8Array({ minLength: 1, maxLength: 20 }), ts: fc.bigInt({ min: 0n, max: 2n ** 31n - 1n }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 100 }),
        (messages, producerId, producerEpoch) => {
          const theirs = createRecordsBatch(
            messages.map((m) => ({ topic: 't', partition: 0, key: Buffer.from(m.key), value: Buffer.from(m.value), timestamp: m.ts, headers: new Map() })),
            { producerId: BigInt(producerId), producerEpoch },
          ).buffer;
          const [b] = decodeRecordBatches(theirs);
          const first = messages[0]?.ts ?? 0n;
          expect(b?.producerId).toBe(producerId);
          expect(b?.producerEpoch).toBe(producerEpoch);
          expect(b?.baseTimestamp).toBe(Number(first));
          expect(b?.records.map((r) => [r.key?.toString('hex'), r.value?.toString('hex'), r.timestampDelta])).toEqual(
            messages.map((m) => [Buffer.from(m.key).toString('hex'), Buffer.from(m.value).toString('hex'), Number(m.ts - first)]),
          );
        },
      ),
      FC,
    );
  });

  it('writes batches @platformatic/kafka reads back, CRC and all', () => {
    fc.assert(
      fc.property(arbBatch, (b) => {
        const bytes = encodeRecordBatch(b);
        const [theirs] = readRecordsBatches(TheirReader.from(bytes));
        const checked = bytes.subarray(21);
        expect(theirs?.crc).toBe(theirCrc32c(checked) >>> 0);
        expect(Number(theirs?.producerId)).toBe(b.producerId);
        expect(theirs?.producerEpoch).toBe(b.producerEpoch);
        expect(theirs?.firstSequence).toBe(b.baseSequence);
        expect(theirs?.records.map((r) => r.value?.toString('hex') ?? null)).toEqual(b.records.map((r) => r.value?.toString('hex') ?? null));
      }),
      FC,
    );
  });

  it('a flipped bit anywhere after the CRC field is a CRC-32C mismatch (CORRUPT_MESSAGE)', () => {
    const bytes = encodeRecordBatch(sampleBatch([record('x'), record('y', 'k')]));
    for (let i = 21; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = (copy[i] as number) ^ 0x10;
      try {
        decodeRecordBatches(copy);
        expect.unreachable(`byte ${i}: corrupt batch accepted`);
      } catch (error) {
        expect(error).toBeInstanceOf(RecordBatchError);
        expect((error as RecordBatchError).errorCode).toBe(2);
      }
    }
  });

  it('compressed batches are refused as UNSUPPORTED_COMPRESSION_TYPE, transactional ones as INVALID_RECORD', () => {
    const gzip = encodeRecordBatch({ ...sampleBatch([record('x')]), attributes: 1 });
    expect(() => decodeRecordBatches(gzip)).toThrow(expect.objectContaining({ errorCode: 76 }));
    const txn = encodeRecordBatch({ ...sampleBatch([record('x')]), attributes: 0x10 });
    expect(() => decodeRecordBatches(txn)).toThrow(expect.objectContaining({ errorCode: 87 }));
  });

  it('every truncation of a batch is a RecordBatchError', () => {
    const bytes = encodeRecordBatch(sampleBatch([record('x'), record('y', 'k')]));
    expect(bytes.length).toBeGreaterThan(RECORD_BATCH_OVERHEAD);
    for (let n = 1; n < bytes.length; n++) expect(() => decodeRecordBatches(bytes.subarray(0, n)), `${n} bytes`).toThrow(RecordBatchError);
  });
});
