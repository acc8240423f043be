/**
 * The requests and responses the broker speaks: ApiVersions v0–v3, Metadata v1–v9,
 * InitProducerId v0–v3 and Produce v3–v7, with request header v1/v2 and response header v0/v1
 * (flexible versions use compact types and tagged fields, KIP-482). Fetch v4 is advertised, as
 * librdkafka requires it before it sends RecordBatch v2, but not served.
 */

import { ProtocolError, Reader, Writer } from './codec.js';

export const API = { Produce: 0, Fetch: 1, Metadata: 3, ApiVersions: 18, InitProducerId: 22 } as const;

/** [apiKey, minVersion, maxVersion] advertised in ApiVersions. */
export const SUPPORTED: readonly (readonly [number, number, number])[] = [
  [API.Produce, 3, 7],
  [API.Fetch, 4, 4],
  [API.Metadata, 1, 9],
  [API.ApiVersions, 0, 3],
  [API.InitProducerId, 0, 3],
];

export const ERROR = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  NETWORK_EXCEPTION: 13,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  UNSUPPORTED_VERSION: 35,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

export function isFlexible(apiKey: number, version: number): boolean {
  switch (apiKey) {
    case API.ApiVersions:
      return version >= 3;
    case API.Metadata:
      return version >= 9;
    case API.InitProducerId:
      return version >= 2;
    case API.Produce:
      return version >= 9;
    default:
      return false;
  }
}

export function supportedVersion(apiKey: number, version: number): boolean {
  return SUPPORTED.some(([key, min, max]) => key === apiKey && version >= min && version <= max);
}

export interface RequestHeader {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
}

/** Request header v1 (and v2, which adds tagged fields, for flexible versions). */
export function readRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  if (isFlexible(apiKey, apiVersion) && supportedVersion(apiKey, apiVersion)) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Response header v0, or v1 for flexible versions, except ApiVersions which always uses v0. */
export function writeResponseHeader(w: Writer, header: RequestHeader): void {
  w.int32(header.correlationId);
  if (header.apiKey !== API.ApiVersions && isFlexible(header.apiKey, header.apiVersion)) w.taggedFields();
}

// ---------------------------------------------------------------------------------------------
// ApiVersions
// ---------------------------------------------------------------------------------------------

export function encodeApiVersionsResponse(w: Writer, version: number, errorCode: number): void {
  // An unsupported version is answered in v0 format (KIP-511).
  const v = supportedVersion(API.ApiVersions, version) ? version : 0;
  w.int16(errorCode);
  if (v >= 3) {
    w.compactArray(SUPPORTED, (ww, [key, min, max]) => ww.int16(key).int16(min).int16(max).taggedFields());
  } else {
    w.array(SUPPORTED, (ww, [key, min, max]) => ww.int16(key).int16(min).int16(max));
  }
  if (v >= 1) w.int32(0);
  if (v >= 3) w.taggedFields();
}

// ---------------------------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------------------------

export interface MetadataRequest {
  /** null means every topic. */
  readonly topics: readonly string[] | null;
}

export function decodeMetadataRequest(r: Reader, version: number): MetadataRequest {
  if (version >= 9) {
    const topics = r.compactNullableArray((rr) => {
      const name = rr.compactString();
      rr.taggedFields();
      return name;
    });
    r.bool(); // allow_auto_topic_creation
    r.bool(); // include_cluster_authorized_operations
    r.bool(); // include_topic_authorized_operations
    r.taggedFields();
    return { topics };
  }
  const topics = r.nullableArray((rr) => rr.string(), 2);
  if (version >= 4) r.bool();
  if (version >= 8) {
    r.bool();
    r.bool();
  }
  return { topics };
}

export interface MetadataPartition {
  readonly errorCode: number;
  readonly index: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface MetadataTopic {
  readonly errorCode: number;
  readonly name: string;
  readonly partitions: readonly MetadataPartition[];
}

export interface MetadataResponse {
  readonly brokers: readonly { readonly nodeId: number; readonly host: string; readonly port: number }[];
  readonly clusterId: string;
  readonly controllerId: number;
  readonly topics: readonly MetadataTopic[];
}

export function encodeMetadataResponse(w: Writer, version: number, m: MetadataResponse): void {
  const flexible = version >= 9;
  const str = (ww: Writer, s: string | null): Writer => (flexible ? ww.compactNullableString(s) : ww.nullableString(s));
  const arr = <T>(ww: Writer, items: readonly T[], f: (x: Writer, item: T) => void): Writer => (flexible ? ww.compactArray(items, f) : ww.array(items, f));
  const tags = (ww: Writer): void => {
    if (flexible) ww.taggedFields();
  };
  if (version >= 3) w.int32(0);
  arr(w, m.brokers, (ww, b) => {
    ww.int32(b.nodeId);
    str(ww, b.host);
    ww.int32(b.port);
    str(ww, null);
    tags(ww);
  });
  if (version >= 2) str(w, m.clusterId);
  w.int32(m.controllerId);
  arr(w, m.topics, (ww, t) => {
    ww.int16(t.errorCode);
    str(ww, t.name);
    ww.bool(false);
    arr(ww, t.partitions, (www, p) => {
      www.int16(p.errorCode);
      www.int32(p.index);
      www.int32(p.leader);
      if (version >= 7) www.int32(p.leaderEpoch);
      arr(www, p.replicas, (x, id) => x.int32(id));
      arr(www, p.isr, (x, id) => x.int32(id));
      if (version >= 5) arr(www, [] as number[], (x, id) => x.int32(id));
      tags(www);
    });
    if (version >= 8) ww.int32(-2147483648);
    tags(ww);
  });
  if (version >= 8) w.int32(-2147483648);
  tags(w);
}

// ---------------------------------------------------------------------------------------------
// InitProducerId
// ---------------------------------------------------------------------------------------------

export interface InitProducerIdRequest {
  readonly transactionalId: string | null;
}

export function decodeInitProducerIdRequest(r: Reader, version: number): InitProducerIdRequest {
  const flexible = version >= 2;
  const transactionalId = flexible ? r.compactNullableString() : r.nullableString();
  r.int32(); // transaction_timeout_ms
  if (version >= 3) {
    r.int64(); // producer_id
    r.int16(); // producer_epoch
  }
  if (flexible) r.taggedFields();
  return { transactionalId };
}

export function encodeInitProducerIdResponse(w: Writer, version: number, errorCode: number, producerId: number, epoch: number): void {
  w.int32(0).int16(errorCode).int64(producerId).int16(epoch);
  if (version >= 2) w.taggedFields();
}

// ---------------------------------------------------------------------------------------------
// Produce
// ---------------------------------------------------------------------------------------------

export interface ProduceRequestData {
  readonly transactionalId: string | null;
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topics: readonly { readonly name: string; readonly partitions: readonly { readonly index: number; readonly records: Buffer | null }[] }[];
}

export function decodeProduceRequest(r: Reader, version: number): ProduceRequestData {
  if (version < 3 || version > 8) throw new ProtocolError(`Produce v${version} is not supported`);
  const transactionalId = r.nullableString();
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = r.array(
    (rr) => ({
      name: rr.string(),
      partitions: rr.array((x) => ({ index: x.int32(), records: x.nullableBytes() }), 8),
    }),
    6,
  );
  return { transactionalId, acks, timeoutMs, topics };
}

export interface ProducePartitionResult {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: number;
}

export function encodeProduceResponse(w: Writer, version: number, topics: readonly { readonly name: string; readonly partitions: readonly ProducePartitionResult[] }[]): void {
  w.array(topics, (ww, t) => {
    ww.nullableString(t.name);
    ww.array(t.partitions, (x, p) => {
      x.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (version >= 2) x.int64(-1); // log_append_time_ms
      if (version >= 5) x.int64(0); // log_start_offset
    });
  });
  w.int32(0); // throttle_time_ms
}
