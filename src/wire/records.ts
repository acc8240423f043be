/**
 * RecordBatch v2 (DefaultRecordBatch): the 61-byte header, CRC-32C over everything from the
 * attributes to the end, and the varint-encoded records inside.
 *
 * Only uncompressed batches are read; a compressed one is refused with a clear reason (all three
 * clients send uncompressed batches by default).
 */

import { crc32c, ProtocolError, Reader, Writer } from './codec.js';

export const RECORD_BATCH_OVERHEAD = 61;

export interface WireRecord {
  readonly offsetDelta: number;
  readonly timestampDelta: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly { readonly key: string; readonly value: Buffer | null }[];
}

export interface RecordBatch {
  readonly baseOffset: number;
  readonly partitionLeaderEpoch: number;
  readonly attributes: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly records: readonly WireRecord[];
}

export class RecordBatchError extends ProtocolError {
  constructor(
    message: string,
    /** The Kafka error code a broker answers with (CORRUPT_MESSAGE 2, UNSUPPORTED_COMPRESSION_TYPE 76, INVALID_RECORD 87). */
    readonly errorCode: number,
  ) {
    super(message);
  }
}

function readRecord(r: Reader): WireRecord {
  const length = r.varint();
  if (length < 0 || length > r.remaining) throw new RecordBatchError(`record length ${length} exceeds the ${r.remaining} bytes left`, 2);
  const body = new Reader(r.raw(length, 'record'));
  body.int8(); // attributes (unused)
  const timestampDelta = body.varlong();
  const offsetDelta = body.varint();
  const keyLength = body.varint();
  const key = keyLength < 0 ? null : body.raw(keyLength, 'record key');
  const valueLength = body.varint();
  const value = valueLength < 0 ? null : body.raw(valueLength, 'record value');
  const headerCount = body.varint();
  if (headerCount < 0 || headerCount * 2 > body.remaining) throw new RecordBatchError(`header count ${headerCount}`, 2);
  const headers: { key: string; value: Buffer | null }[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLen = body.varint();
    if (keyLen < 0) throw new RecordBatchError('null header key', 2);
    const hkey = body.raw(keyLen, 'header key').toString('utf8');
    const valueLen = body.varint();
    headers.push({ key: hkey, value: valueLen < 0 ? null : body.raw(valueLen, 'header value') });
  }
  if (body.remaining !== 0) throw new RecordBatchError(`record has ${body.remaining} trailing bytes`, 2);
  return { offsetDelta, timestampDelta, key, value, headers };
}

/** Decode the record batches of one partition's `records` field. */
export function decodeRecordBatches(bytes: Buffer): RecordBatch[] {
  const r = new Reader(bytes);
  const batches: RecordBatch[] = [];
  while (r.remaining > 0) {
    if (r.remaining < RECORD_BATCH_OVERHEAD) throw new RecordBatchError(`a record batch needs ${RECORD_BATCH_OVERHEAD} bytes, ${r.remaining} left`, 2);
    const baseOffset = r.int64();
    const batchLength = r.int32();
    if (batchLength < RECORD_BATCH_OVERHEAD - 12 || batchLength > r.remaining) {
      throw new RecordBatchError(`batch length ${batchLength} does not fit the ${r.remaining} bytes left`, 2);
    }
    const body = new Reader(r.raw(batchLength, 'record batch'));
    const partitionLeaderEpoch = body.int32();
    const magic = body.int8();
    if (magic !== 2) throw new RecordBatchError(`magic ${magic}: only RecordBatch v2 is supported`, 2);
    const crc = body.uint32();
    const checked = body.raw(body.remaining, 'batch contents');
    if (crc32c(checked) !== crc) throw new RecordBatchError('CRC-32C mismatch', 2);
    const c = new Reader(checked);
    const attributes = c.int16();
    if ((attributes & 0x07) !== 0) throw new RecordBatchError(`compression type ${attributes & 0x07} is not supported`, 76);
    if ((attributes & 0x30) !== 0) throw new RecordBatchError('transactional and control batches are not supported', 87);
    const lastOffsetDelta = c.int32();
    const baseTimestamp = c.int64();
    const maxTimestamp = c.int64();
    const producerId = c.int64();
    const producerEpoch = c.int16();
    const baseSequence = c.int32();
    const count = c.int32();
    if (count < 0 || count > c.remaining) throw new RecordBatchError(`record count ${count}`, 2);
    const records: WireRecord[] = [];
    for (let i = 0; i < count; i++) records.push(readRecord(c));
    if (c.remaining !== 0) throw new RecordBatchError(`batch has ${c.remaining} trailing bytes`, 2);
    if (count === 0 || lastOffsetDelta !== count - 1) throw new RecordBatchError(`lastOffsetDelta ${lastOffsetDelta} for ${count} records`, 87);
    batches.push({ baseOffset, partitionLeaderEpoch, attributes, lastOffsetDelta, baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, records });
  }
  return batches;
}

/** Encode one uncompressed batch (for tests and the fuzzer's valid seeds). */
export function encodeRecordBatch(batch: Omit<RecordBatch, 'attributes' | 'lastOffsetDelta'> & { readonly attributes?: number }): Buffer {
  const records = new Writer();
  batch.records.forEach((record, i) => {
    const body = new Writer();
    body.int8(0).varlong(record.timestampDelta).varint(i);
    if (record.key === null) body.varint(-1);
    else body.varint(record.key.length).raw(record.key);
    if (record.value === null) body.varint(-1);
    else body.varint(record.value.length).raw(record.value);
    body.varint(record.headers.length);
    for (const h of record.headers) {
      const k = Buffer.from(h.key, 'utf8');
      body.varint(k.length).raw(k);
      if (h.value === null) body.varint(-1);
      else body.varint(h.value.length).raw(h.value);
    }
    records.varint(body.length).raw(body.bytes());
  });
  const checked = new Writer()
    .int16(batch.attributes ?? 0)
    .int32(batch.records.length - 1)
    .int64(batch.baseTimestamp)
    .int64(batch.maxTimestamp)
    .int64(batch.producerId)
    .int16(batch.producerEpoch)
    .int32(batch.baseSequence)
    .int32(batch.records.length)
    .raw(records.bytes())
    .bytes();
  const afterLength = new Writer().int32(batch.partitionLeaderEpoch).int8(2).uint32(crc32c(checked)).raw(checked).bytes();
  return new Writer().int64(batch.baseOffset).int32(afterLength.length).raw(afterLength).bytes();
}
