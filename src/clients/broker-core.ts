/**
 * The wire broker's logic, without sockets: decode a request frame, answer it, and for Produce
 * hand every batch to the model (src/model) so that partition state and every idempotence
 * decision are the model's own: one specification, not two. The cluster is the model's: N
 * brokers (1 to 3, one listener each), every partition replicated to all of them, its leader,
 * ISR and high watermark the model's, min.insync.replicas 2 when there are several brokers.
 * Followers fetch as the model's ReplicaFetch, after each produce request; acks=all is answered
 * when the model's DelayedProduce completes (BrokerCompleteProduce), or times out.
 *
 * Faults come from outside (a schedule keyed to the order of produce requests) and change only
 * what happens around the model's decision: lose the request, lose the answer (close the
 * connection), answer an error with or without the append, hold the answer, forget producer
 * state first; and on a cluster: move the partition's leader (ControllerMoveLeader), crash the
 * leader (BrokerCrash; it restarts two produce requests later), or let the followers fall behind
 * so that the leader shrinks the ISR below min.insync.replicas (LeaderShrinkIsr).
 */

import { resolveConfig } from '../model/config.js';
import type { ConfigInput } from '../model/config.js';
import { traceSetup } from '../model/events.js';
import type { Setup } from '../model/events.js';
import { assignment } from '../model/cluster.js';
import { initialState, step, whyDisabled } from '../model/system.js';
import type { Event } from '../model/events.js';
import type { ErrorCode, ProduceRequest, State, WireBatch } from '../model/types.js';
import { ProtocolError, Reader, Writer } from '../wire/codec.js';
import {
  API,
  decodeInitProducerIdRequest,
  decodeMetadataRequest,
  decodeProduceRequest,
  encodeApiVersionsResponse,
  encodeInitProducerIdResponse,
  encodeMetadataResponse,
  encodeProduceResponse,
  ERROR,
  readRequestHeader,
  supportedVersion,
  writeResponseHeader,
} from '../wire/messages.js';
import type { ProducePartitionResult, RequestHeader } from '../wire/messages.js';
import { decodeRecordBatches, RecordBatchError } from '../wire/records.js';

export type Fault =
  | 'lose-request'
  | 'lose-response'
  | 'error-after-append'
  | 'error-without-append'
  | 'hold-response'
  | 'state-loss'
  | 'move-leader'
  | 'crash-leader'
  | 'shrink-isr';

export const CLIENT_FAULTS: readonly Fault[] = ['lose-request', 'lose-response', 'error-after-append', 'error-without-append', 'hold-response', 'state-loss', 'move-leader', 'crash-leader', 'shrink-isr'];

/** Faults that need a cluster of several brokers. */
export const CLUSTER_FAULTS: readonly Fault[] = ['move-leader', 'crash-leader', 'shrink-isr'];

/** A crashed broker restarts when this many later produce requests have arrived. */
const RESTART_AFTER = 2;

/** What the connection should do with a frame's answer. */
export type Action =
  | { readonly kind: 'respond'; readonly frame: Buffer }
  | { readonly kind: 'hold'; readonly frame: Buffer }
  | { readonly kind: 'none' }
  | { readonly kind: 'close'; readonly reason: string };

/** One produce request as the broker saw it: the trace a report is drawn from. */
export interface TraceEntry {
  readonly ordinal: number;
  /** The broker (listener) the request came to. */
  readonly broker: number;
  readonly connection: number;
  readonly apiVersion: number;
  readonly acks: number;
  readonly fault: Fault | null;
  /**
   * Produce requests on this connection awaiting an answer when this one arrived, itself
   * included: the client sent them all before it could have read the earlier answers (a lower
   * bound of what it had in flight; see server.ts).
   */
  readonly inFlight: number;
  readonly batches: readonly {
    readonly partition: number;
    readonly producerId: number;
    readonly epoch: number;
    readonly baseSequence: number;
    readonly sends: readonly number[];
    /** appended@offset, duplicate@offset, or an error name. */
    readonly result: string;
  }[];
  /** What became of the answer. */
  readonly answer: 'sent' | 'lost' | 'held' | 'none';
}

export interface BrokerCore {
  readonly topic: string;
  readonly setup: Setup;
  state: State;
  readonly trace: TraceEntry[];
  /** Map a record value to the id of the send it came from; unknown values get phantom ids. */
  readonly sendIdOf: (value: Buffer | null) => number;
  produceCount: number;
  nextModelRequest: number;
  /** broker → the produce ordinal at which it crashed (while it is down). */
  readonly crashedAt: Map<number, number>;
  readonly port: (broker: number) => number;
  readonly log: (line: string) => void;
}

export interface CoreOptions {
  readonly topic: string;
  readonly partitions: number;
  /** Brokers in the cluster (1 to 3); every partition has a replica on each. */
  readonly brokers: number;
  readonly config?: ConfigInput;
  readonly sendIdOf: (value: Buffer | null) => number;
  readonly port: (broker: number) => number;
  readonly log: (line: string) => void;
}

export function createBrokerCore(options: CoreOptions): BrokerCore {
  const resolved = resolveConfig({
    'min.insync.replicas': Math.min(2, options.brokers),
    ...options.config,
    partitions: options.partitions,
    'replication.factor': options.brokers,
  });
  if (!resolved.ok) throw new Error(`broker config: ${resolved.error}`);
  const setup = traceSetup(resolved.config);
  return {
    topic: options.topic,
    setup,
    state: initialState(setup),
    trace: [],
    sendIdOf: options.sendIdOf,
    produceCount: 0,
    nextModelRequest: 0,
    crashedAt: new Map(),
    port: options.port,
    log: options.log,
  };
}

function frame(header: RequestHeader, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  writeResponseHeader(w, header);
  body(w);
  const payload = w.bytes();
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

const MODEL_ERROR_CODES: Readonly<Record<ErrorCode, number>> = {
  NONE: ERROR.NONE,
  NETWORK_EXCEPTION: ERROR.NETWORK_EXCEPTION,
  REQUEST_TIMED_OUT: ERROR.REQUEST_TIMED_OUT,
  NOT_LEADER_OR_FOLLOWER: ERROR.NOT_LEADER_OR_FOLLOWER,
  NOT_ENOUGH_REPLICAS: ERROR.NOT_ENOUGH_REPLICAS,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: ERROR.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  OUT_OF_ORDER_SEQUENCE_NUMBER: ERROR.OUT_OF_ORDER_SEQUENCE_NUMBER,
  INVALID_PRODUCER_EPOCH: ERROR.INVALID_PRODUCER_EPOCH,
  // Transactional produce errors (Errors.java codes); the wire broker never produces them (no transactional APIs).
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  TRANSACTION_ABORTABLE: 120,
  CONCURRENT_TRANSACTIONS: 51,
};

const ERROR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(ERROR).map(([name, code]) => [code, name]));

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `error ${code}`;
}

/**
 * Handle one request frame (without its size prefix). `faultFor(ordinal)` decides the fault of
 * the nth produce request. Malformed input closes the connection with a reason; the model is only
 * ever given batches that decoded and verified.
 */
export function handleFrame(core: BrokerCore, broker: number, connection: number, payload: Buffer, faultFor: (ordinal: number) => Fault | null, inFlight = 1): Action {
  if (core.state.cluster.alive[broker] !== true) return { kind: 'close', reason: `broker ${broker} is down` };
  let header: RequestHeader;
  const r = new Reader(payload);
  try {
    header = readRequestHeader(r);
  } catch (error) {
    return { kind: 'close', reason: `unreadable request header (${(error as Error).message})` };
  }
  try {
    switch (header.apiKey) {
      case API.ApiVersions:
        // An unsupported ApiVersions version is answered in v0 format with UNSUPPORTED_VERSION.
        return {
          kind: 'respond',
          frame: frame(header, (w) => encodeApiVersionsResponse(w, header.apiVersion, supportedVersion(API.ApiVersions, header.apiVersion) ? ERROR.NONE : ERROR.UNSUPPORTED_VERSION)),
        };
      case API.Metadata:
        if (!supportedVersion(header.apiKey, header.apiVersion)) return { kind: 'close', reason: `Metadata v${header.apiVersion} is not supported` };
        return { kind: 'respond', frame: metadata(core, header, r) };
      case API.InitProducerId:
        if (!supportedVersion(header.apiKey, header.apiVersion)) return { kind: 'close', reason: `InitProducerId v${header.apiVersion} is not supported` };
        return initProducerId(core, header, r);
      case API.Produce:
        if (!supportedVersion(header.apiKey, header.apiVersion)) return { kind: 'close', reason: `Produce v${header.apiVersion} is not supported` };
        return produce(core, broker, connection, header, r, faultFor, inFlight);
      default:
        return { kind: 'close', reason: `API key ${header.apiKey} v${header.apiVersion} is not served` };
    }
  } catch (error) {
    if (error instanceof ProtocolError) return { kind: 'close', reason: `malformed request (api ${header.apiKey} v${header.apiVersion}): ${error.message}` };
    throw error;
  }
}

function metadata(core: BrokerCore, header: RequestHeader, r: Reader): Buffer {
  const request = decodeMetadataRequest(r, header.apiVersion);
  const names = request.topics ?? [core.topic];
  const { alive, partitions } = core.state.cluster;
  const topics = names.map((name) => {
    if (name !== core.topic) return { errorCode: ERROR.UNKNOWN_TOPIC_OR_PARTITION, name, partitions: [] };
    return {
      errorCode: ERROR.NONE,
      name,
      // The model's cluster: leader (or none: LEADER_NOT_AVAILABLE), leader epoch, replicas and ISR.
      partitions: partitions.map((p, index) => ({
        errorCode: p.leader < 0 ? ERROR.LEADER_NOT_AVAILABLE : ERROR.NONE,
        index,
        leader: p.leader,
        leaderEpoch: p.leaderEpoch,
        replicas: [...assignment(index, alive.length)],
        isr: [...p.isr],
      })),
    };
  });
  // Metadata lists the live brokers; the controller is the first of them.
  const live = alive.flatMap((up, b) => (up ? [b] : []));
  return frame(header, (w) =>
    encodeMetadataResponse(w, header.apiVersion, {
      brokers: live.map((b) => ({ nodeId: b, host: '127.0.0.1', port: core.port(b) })),
      clusterId: 'idemcheck',
      controllerId: live[0] ?? -1,
      topics,
    }),
  );
}

/** Step the model if `event` is enabled; whether it was. */
function tryStep(core: BrokerCore, event: Event): boolean {
  if (whyDisabled(core.setup, core.state, event) !== null) return false;
  core.state = step(core.setup, core.state, event);
  return true;
}

/**
 * Follower fetch, as the model's ReplicaFetch: every live follower of `partitions` fetches until
 * it has nothing more to do (caught up, knows the HW, back in the ISR).
 */
export function replicate(core: BrokerCore, partitions: readonly number[] = core.state.cluster.partitions.map((_, p) => p)): void {
  const brokers = core.state.cluster.alive.length;
  for (let round = 0; round < 4; round++) {
    let moved = false;
    for (const partition of partitions) for (let replica = 0; replica < brokers; replica++) moved = tryStep(core, { kind: 'ReplicaFetch', partition, replica }) || moved;
    if (!moved) return;
  }
}

/** Restart the brokers that crashed at least RESTART_AFTER produce requests ago (all of them with `all`), then let followers catch up. */
export function restartDue(core: BrokerCore, ordinal: number, all = false): void {
  for (const [broker, at] of [...core.crashedAt]) {
    if (!all && ordinal - at < RESTART_AFTER) continue;
    core.crashedAt.delete(broker);
    tryStep(core, { kind: 'BrokerRestart', broker });
    core.log(`broker ${broker} restarted`);
  }
  replicate(core);
}

/** A cluster fault on `partition` before the request is handled; what it did, or null when it could not apply. */
function clusterFault(core: BrokerCore, fault: Fault, partition: number, ordinal: number): string | null {
  const p = core.state.cluster.partitions[partition];
  if (p === undefined || p.leader < 0) return null;
  const others = p.isr.filter((r) => r !== p.leader && core.state.cluster.alive[r] === true);
  if (fault === 'move-leader') {
    const to = others[0];
    if (to === undefined || !tryStep(core, { kind: 'ControllerMoveLeader', partition, replica: to })) return null;
    return `leader of partition ${partition} moved from broker ${p.leader} to ${to}`;
  }
  if (fault === 'crash-leader') {
    if (others.length === 0 || !tryStep(core, { kind: 'BrokerCrash', broker: p.leader })) return null;
    core.crashedAt.set(p.leader, ordinal);
    return `broker ${p.leader} (leader of partition ${partition}) crashed`;
  }
  return null;
}

function initProducerId(core: BrokerCore, header: RequestHeader, r: Reader): Action {
  const request = decodeInitProducerIdRequest(r, header.apiVersion);
  if (request.transactionalId !== null) return { kind: 'close', reason: 'transactional producers are not supported by this broker' };
  // TransactionCoordinator.handleInitProducerId without a transactional id: a new producer id, epoch 0.
  const producerId = core.state.nextProducerId;
  core.state = { ...core.state, nextProducerId: producerId + 1 };
  return { kind: 'respond', frame: frame(header, (w) => encodeInitProducerIdResponse(w, header.apiVersion, ERROR.NONE, producerId, 0)) };
}

/** Expire every producer id on every replica of every partition (producer-state loss). */
function forgetProducers(core: BrokerCore): void {
  core.state.cluster.partitions.forEach((partition, p) => {
    partition.replicas.forEach((replica, r) => {
      for (let n = replica.producers.length - 1; n >= 0; n--) tryStep(core, { kind: 'BrokerExpireProducer', partition: p, replica: r, nth: n });
    });
  });
}

function produce(core: BrokerCore, broker: number, connection: number, header: RequestHeader, r: Reader, faultFor: (ordinal: number) => Fault | null, inFlight: number): Action {
  const request = decodeProduceRequest(r, header.apiVersion);
  const ordinal = core.produceCount++;
  const fault = faultFor(ordinal);
  // Before each request: crashed brokers due back restart, and followers catch up (ReplicaFetch).
  restartDue(core, ordinal);
  const acks = request.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1) {
    return answerProduce(header, request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: ERROR.INVALID_REQUIRED_ACKS, baseOffset: -1 })) })));
  }
  const entry: { batches: TraceEntry['batches'][number][] } = { batches: [] };
  const record = (answer: TraceEntry['answer']): void => {
    core.trace.push({ ordinal, broker, connection, apiVersion: header.apiVersion, acks, fault, inFlight, batches: entry.batches, answer });
  };

  // Validate every partition's records; decodable batches go to the model. As in
  // KafkaApis.handleProduceRequest, partitions are keyed by topic-partition: a partition named
  // twice keeps its last valid records, and an invalid entry's error overrides in the answer.
  const invalid = new Map<string, ProducePartitionResult>();
  const results = new Map<string, ProducePartitionResult>();
  const valid = new Map<number, WireBatch>();
  const key = (topic: string, index: number): string => `${topic}/${index}`;
  for (const topic of request.topics) {
    for (const part of topic.partitions) {
      const fail = (code: number, why: string): void => {
        invalid.set(key(topic.name, part.index), { index: part.index, errorCode: code, baseOffset: -1 });
        core.log(`produce #${ordinal}: ${topic.name}/${part.index} rejected: ${why}`);
      };
      if (topic.name !== core.topic || part.index < 0 || part.index >= core.state.cluster.partitions.length) {
        fail(ERROR.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic or partition');
        continue;
      }
      let batches;
      try {
        batches = decodeRecordBatches(part.records ?? Buffer.alloc(0));
      } catch (error) {
        if (error instanceof RecordBatchError) fail(error.errorCode, error.message);
        else if (error instanceof ProtocolError) fail(ERROR.CORRUPT_MESSAGE, error.message);
        else throw error;
        continue;
      }
      const batch = batches[0];
      if (batches.length !== 1 || batch === undefined) {
        // ProduceRequest.validateRecords: v3+ carries exactly one record batch per partition.
        fail(ERROR.INVALID_RECORD, `${batches.length} record batches (one per partition is served)`);
        continue;
      }
      const sends = batch.records.map((rec) => core.sendIdOf(rec.value));
      valid.set(part.index, { partition: part.index, batch: core.nextModelRequest, producerId: batch.producerId, epoch: batch.producerEpoch, baseSequence: batch.baseSequence, sends });
    }
  }
  const wires = [...valid.values()];

  if (fault === 'lose-request') {
    // The request is lost before the broker reads it: the model never sees its batches.
    for (const w of wires) entry.batches.push({ partition: w.partition, producerId: w.producerId, epoch: w.epoch, baseSequence: w.baseSequence, sends: w.sends, result: 'lost' });
    record('lost');
    return { kind: 'close', reason: `fault: request #${ordinal} lost` };
  }
  if (fault === 'state-loss') forgetProducers(core);
  const first = wires[0];
  if ((fault === 'move-leader' || fault === 'crash-leader') && first !== undefined) {
    const did = clusterFault(core, fault, first.partition, ordinal);
    if (did !== null) core.log(`produce #${ordinal}: ${did}`);
    if (core.state.cluster.alive[broker] !== true) {
      // This broker crashed under the request: nothing is read, the connection goes with it.
      for (const w of wires) entry.batches.push({ partition: w.partition, producerId: w.producerId, epoch: w.epoch, baseSequence: w.baseSequence, sends: w.sends, result: 'lost' });
      record('lost');
      return { kind: 'close', reason: `fault: broker ${broker} crashed` };
    }
  }

  if (fault === 'error-without-append') {
    const code = acks === -1 ? ERROR.NOT_ENOUGH_REPLICAS : ERROR.NOT_LEADER_OR_FOLLOWER;
    for (const w of wires) {
      results.set(key(core.topic, w.partition), { index: w.partition, errorCode: code, baseOffset: -1 });
      entry.batches.push({ partition: w.partition, producerId: w.producerId, epoch: w.epoch, baseSequence: w.baseSequence, sends: w.sends, result: errorName(code) });
    }
  } else if (wires.length > 0) {
    // The model's broker handles the batches: BrokerReceive on its connection to this broker.
    const id = core.nextModelRequest++;
    const modelRequest: ProduceRequest = { id, acks: acks as -1 | 0 | 1, batches: wires };
    const network = [...core.state.network];
    network[broker] = { toBroker: [modelRequest], toClient: [], pending: null };
    core.state = { ...core.state, network };
    const logsBefore = core.state.cluster.partitions.map((p) => p.replicas[broker]?.log.length ?? 0);
    core.state = step(core.setup, core.state, { kind: 'BrokerReceive', broker, nth: 0 });
    const touched = wires.map((w) => w.partition);
    if (fault === 'shrink-isr') {
      // The followers fall behind: they do not fetch, and the leader drops them from the ISR.
      for (const partition of touched) for (let replica = 0; replica < core.state.cluster.alive.length; replica++) tryStep(core, { kind: 'LeaderShrinkIsr', partition, replica });
    } else {
      replicate(core, touched);
    }
    // acks=all: the parked request completes once the HW passes it, else it times out (REQUEST_TIMED_OUT).
    if (core.state.network[broker]?.pending != null && !tryStep(core, { kind: 'BrokerCompleteProduce', broker })) tryStep(core, { kind: 'BrokerProduceTimeout', broker });
    const after = core.state.network[broker];
    const response = after?.toClient.find((x) => x.id === id);
    for (const w of wires) {
      const answer = response?.partitions.find((p) => p.partition === w.partition);
      let code = answer === undefined ? ERROR.NONE : MODEL_ERROR_CODES[answer.error];
      const appended = (core.state.cluster.partitions[w.partition]?.replicas[broker]?.log.length ?? 0) > (logsBefore[w.partition] ?? 0);
      if (fault === 'error-after-append' && code === ERROR.NONE) code = ERROR.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
      const baseOffset = answer?.baseOffset ?? -1;
      results.set(key(core.topic, w.partition), { index: w.partition, errorCode: code, baseOffset: code === ERROR.NONE || code === ERROR.NOT_ENOUGH_REPLICAS_AFTER_APPEND ? baseOffset : -1 });
      const result = answer === undefined ? (appended ? 'appended' : 'no answer') : appended ? (answer.error === 'NONE' ? `appended@${baseOffset}` : `appended, ${answer.error}`) : answer.error === 'NONE' ? `duplicate@${baseOffset}` : answer.error;
      entry.batches.push({ partition: w.partition, producerId: w.producerId, epoch: w.epoch, baseSequence: w.baseSequence, sends: w.sends, result });
    }
    const cleared = [...core.state.network];
    cleared[broker] = { toBroker: [], toClient: [], pending: null };
    core.state = { ...core.state, network: cleared };
  }

  if (acks === 0) {
    // KafkaApis.handleProduceRequest: acks=0 sends nothing back, and closes the connection on an error.
    const failed = invalid.size > 0 || [...results.values()].some((x) => x.errorCode !== ERROR.NONE);
    record('none');
    return failed ? { kind: 'close', reason: `acks=0 produce #${ordinal} failed` } : { kind: 'none' };
  }
  if (fault === 'lose-response') {
    record('lost');
    return { kind: 'close', reason: `fault: the answer to request #${ordinal} is lost` };
  }
  // One answer per distinct topic-partition, in the order first named.
  const topics = [...new Set(request.topics.map((t) => t.name))].map((name) => ({
    name,
    partitions: [...new Set(request.topics.filter((t) => t.name === name).flatMap((t) => t.partitions.map((p) => p.index)))].map(
      (index) => invalid.get(key(name, index)) ?? results.get(key(name, index)) ?? { index, errorCode: ERROR.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 },
    ),
  }));
  const action = answerProduce(header, topics);
  if (fault === 'hold-response' && action.kind === 'respond') {
    record('held');
    return { kind: 'hold', frame: action.frame };
  }
  record('sent');
  return action;
}

function answerProduce(header: RequestHeader, topics: readonly { name: string; partitions: readonly ProducePartitionResult[] }[]): Action {
  return { kind: 'respond', frame: frame(header, (w) => encodeProduceResponse(w, header.apiVersion, topics)) };
}
