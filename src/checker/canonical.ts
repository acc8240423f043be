/**
 * Canonical state keys for the exhaustive explorer: two states that cannot behave differently
 * get the same key, so the explorer visits them once.
 *
 * Normalised away:
 * - batch and request ids, which only name things: each is replaced by its rank among the live
 *   ones (ids are handed out in increasing order, so ranks keep their order);
 * - the events counter: breadth-first search reaches a state first at its smallest depth, and a
 *   state with fewer events used can do everything the same state with more can;
 * - the ghost's statistics and the error text of failed sends, which no invariant reads;
 * - the coordinator's next producer id is kept (producer ids are stored in broker state);
 * - on the consumer side (`walkConsumers`): member ids, ranked among the live ones like batch ids,
 *   the group's next member id (new ids are always above the live ones), and the consumer
 *   statistics, which only witnesses read.
 *
 * The explorer hashes the key to 64 bits (`stateKey`, two independent 32-bit mixes over the same
 * fields, without building the text). With N states the chance of any collision is about
 * N² / 2^65: 3 in a million for ten million states. `canonicalText` is the readable definition
 * of the same key, used by tests.
 */

import type { ConsumedRecord, ConsumerSide } from '../model/consumer-types.js';
import type { TxnSide } from '../model/txn-types.js';
import type { State } from '../model/types.js';

function rankMap(ids: Iterable<number>): Map<number, number> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  return new Map(sorted.map((id, rank) => [id, rank]));
}

/** The state as a string with names normalised and bookkeeping dropped. */
export function canonicalText(state: State): string {
  const p = state.producer;
  const batchRank = rankMap(p.batches.map((b) => b.id));
  const requestRank = requestRanks(state);
  const b = (id: number): number => batchRank.get(id) ?? -1;
  const r = (id: number): number => requestRank.get(id) ?? -1;
  const producer: unknown[] = [
    p.session,
    p.producerId,
    p.epoch,
    p.epochBumpRequired,
    p.partitionsToRewrite,
    p.unresolved,
    p.partitions.map((part) => [
      part.queue.map(b),
      part.producerId,
      part.epoch,
      part.nextSequence,
      part.lastAckedSequence,
      part.lastAckedOffset,
      part.inFlight.map(b),
      part.muted,
    ]),
    p.batches.map((x) => [x.partition, x.sends, x.producerId, x.epoch, x.baseSequence, x.attempts, x.inRetry, x.reopened, x.drained, x.done, x.deadlinePassed]),
    p.requests.map((rs) => rs.map((x) => [r(x.id), x.batches.map(b)])),
    p.drainIndex,
  ];
  const network = state.network.map((conn) => [
    conn.toBroker.map((x) => [r(x.id), x.acks, x.batches.map((w) => [w.partition, b(w.batch), w.producerId, w.epoch, w.baseSequence, w.sends])]),
    conn.pending === null ? null : [r(conn.pending.id), conn.pending.partitions],
    conn.toClient.map((x) => [r(x.id), x.partitions]),
  ]);
  const sends = state.ghost.sends.map((s) => [s.record, s.partition, s.session, s.outcome, s.offset, s.transmitted, s.rejected]);
  const c = state.counters;
  const counters = [c.records, c.resends, c.lostMessages, c.restarts, c.crashes, c.clusterChanges, c.powerLosses];
  const key: unknown[] = [producer, network, state.cluster, state.nextProducerId, state.application.toResend, sends, counters];
  // delayed-produce's held requests, only when there are some (so other keys stay as they were). No
  // rule reads a held request's id or batch ids (its answer is dropped), so the key leaves them out.
  if (state.held.length > 0) key.push(['held', state.held.map((h) => [h.broker, h.request.acks, h.request.batches.map((w) => [w.partition, w.producerId, w.epoch, w.baseSequence, w.sends, w.transactional === true]), h.overtaken])]);
  if (state.consumers !== null) {
    const consumerFields: number[] = [];
    walkConsumers(state.consumers, (n) => consumerFields.push(n));
    key.push(consumerFields);
  }
  if (state.txn !== null) {
    const txnFields: number[] = [];
    walkTxn(state.txn, (n) => txnFields.push(n));
    key.push(txnFields);
  }
  return JSON.stringify(key);
}

/**
 * Every field of the transactional side, as numbers in a fixed order, for both forms of the key:
 * a generic walk of the plain data (numbers, booleans, strings by their characters, lists and
 * objects with their lengths, keys in their fixed order), leaving out the coordinator metadata's
 * `txnStartMs` and `timeoutMs` (the model's clock is abstract: no rule reads them). Request ids
 * are kept as they are: a key may then separate states that differ only in ids, never merge two
 * that differ.
 */
export function walkTxn(txn: TxnSide, emit: (n: number) => void): void {
  walkValue(txn, emit);
}

function walkValue(value: unknown, emit: (n: number) => void): void {
  if (value === null || value === undefined) emit(-101);
  else if (typeof value === 'number') emit(value);
  else if (typeof value === 'boolean') emit(value ? -102 : -103);
  else if (typeof value === 'string') {
    emit(-104);
    emit(value.length);
    for (let i = 0; i < value.length; i++) emit(value.charCodeAt(i));
  } else if (Array.isArray(value)) {
    emit(-105);
    emit(value.length);
    for (const item of value) walkValue(item, emit);
  } else {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => k !== 'txnStartMs' && k !== 'timeoutMs');
    emit(-106);
    emit(keys.length);
    for (const k of keys) {
      emit(k.length);
      walkValue(record[k], emit);
    }
  }
}

const CONSUMER_CODES: Readonly<Record<string, number>> = {
  poll: 1,
  commit: 2,
  process: 3,
  'write-id': 4,
  INITIALIZING: 5,
  FETCHING: 6,
  AWAIT_RESET: 7,
  AWAIT_VALIDATION: 8,
  Empty: 9,
  PreparingRebalance: 10,
  Stable: 11,
};

/**
 * Every field of the consumer side a rule or an invariant reads, as numbers in a fixed order, for
 * both forms of the key. Member ids are ranked among the ids in use (the group's members and the
 * ids consumers believe they hold); lists carry their lengths so that no two sides run together.
 */
export function walkConsumers(side: ConsumerSide, emit: (n: number) => void): void {
  const ids = new Set<number>();
  for (const m of side.group.members) ids.add(m.memberId);
  for (const c of side.consumers) if (c.memberId >= 0) ids.add(c.memberId);
  const sorted = [...ids].sort((a, b) => a - b);
  const member = (id: number): number => (id < 0 ? -1 : sorted.indexOf(id));
  const code = (text: string): number => CONSUMER_CODES[text] ?? -7;
  const record = (r: ConsumedRecord): void => {
    emit(r.partition);
    emit(r.offset);
    emit(r.send);
    emit(r.key);
    emit(r.leaderEpoch);
    emit(r.generation);
  };
  emit(side.consumers.length);
  for (const c of side.consumers) {
    emit(c.running ? 1 : 0);
    emit(c.session);
    emit(code(c.phase));
    emit(c.idToWrite);
    emit(c.retryOffsets === null ? -1 : c.retryOffsets.length);
    for (const e of c.retryOffsets ?? []) {
      emit(e.partition);
      emit(e.offset);
      emit(e.leaderEpoch);
    }
    emit(member(c.memberId));
    emit(c.generation);
    emit(c.assigned.length);
    for (const a of c.assigned) {
      emit(a.partition);
      emit(code(a.fetchState));
      emit(a.position.offset);
      emit(a.position.offsetEpoch);
      emit(a.position.leaderEpoch);
      if (a.buffered === null) emit(-1);
      else {
        emit(a.buffered.fetchOffset);
        emit(a.buffered.nextFetchOffset);
        emit(a.buffered.lastEpoch);
        emit(a.buffered.records.length);
        for (const r of a.buffered.records) record(r);
      }
    }
    emit(c.returned.length);
    for (const r of c.returned) record(r);
  }
  const g = side.group;
  emit(code(g.phase));
  emit(g.generation);
  emit(g.members.length);
  for (const m of g.members) {
    emit(member(m.memberId));
    emit(m.consumer);
    emit(m.joined ? 1 : 0);
    emit(m.assignment.length);
    for (const p of m.assignment) emit(p);
  }
  for (const e of g.committed) {
    emit(e.offset);
    emit(e.leaderEpoch);
  }
  // Effects in order (ProcessedInLogOrder reads it), processed ids in order (dedup-window evicts the oldest).
  emit(side.sink.effects.length);
  for (const e of side.sink.effects) {
    emit(e.key);
    emit(e.partition);
    emit(e.offset);
    emit(e.send);
    emit(e.consumer);
    emit(e.session);
    emit(e.generation);
  }
  emit(side.sink.processedIds.length);
  for (const id of side.sink.processedIds) emit(id);
  for (const o of side.sink.offsets) emit(o);
  // The keys are implied by the ghost's sends (each send's record), which the key holds; kept for safety.
  emit(side.keys.length);
  for (const k of side.keys) emit(k);
  emit(side.counters.consumerCrashes);
  emit(side.counters.lostCommitResponses);
  emit(side.counters.rebalances);
}

const CODES: Readonly<Record<string, number>> = {
  pending: 1,
  ok: 2,
  fail: 3,
  info: 4,
  NONE: 10,
  NETWORK_EXCEPTION: 11,
  REQUEST_TIMED_OUT: 12,
  NOT_LEADER_OR_FOLLOWER: 13,
  NOT_ENOUGH_REPLICAS: 14,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 15,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 16,
  INVALID_PRODUCER_EPOCH: 17,
  INVALID_TXN_STATE: 18,
  INVALID_PRODUCER_ID_MAPPING: 19,
  TRANSACTION_ABORTABLE: 20,
};

// The hash state of the key being computed: two independent 32-bit mixes (FNV-1a-style per
// 32-bit word, with different primes). Kept in a typed array so the hot loop allocates nothing
// (a module-level number variable holding a 32-bit value would be boxed on every write).
const H = new Int32Array(2);

function mix(n: number): void {
  const x = n | 0;
  H[0] = Math.imul((H[0] as number) ^ x, 0x01000193);
  const h2 = Math.imul((H[1] as number) ^ x, 0x5bd1e995);
  H[1] = h2 ^ (h2 >>> 13);
}

function mixBool(b: boolean): void {
  mix(b ? 1 : 0);
}

function mixCode(text: string): void {
  mix(CODES[text] ?? -7);
}

function mixInts(xs: readonly number[]): void {
  mix(xs.length);
  for (let i = 0; i < xs.length; i++) mix(xs[i] as number);
}

/** Rank of a live batch id: batches are kept sorted by id, so its index. */
function batchRank(batches: readonly { readonly id: number }[], id: number): number {
  for (let i = 0; i < batches.length; i++) if ((batches[i] as { id: number }).id === id) return i;
  return -1;
}

const requestIds: number[] = [];

/** Collect the live request ids, sorted, into `requestIds`; a request's rank is its index there. */
function collectRequestIds(state: State): void {
  requestIds.length = 0;
  for (const rs of state.producer.requests) for (const r of rs) insertSorted(r.id);
  for (const conn of state.network) {
    for (const r of conn.toBroker) insertSorted(r.id);
    for (const r of conn.toClient) insertSorted(r.id);
    if (conn.pending !== null) insertSorted(conn.pending.id);
  }
}

/** Insertion into `requestIds` in ascending order: a handful of ids, mostly arriving in order. */
function insertSorted(id: number): void {
  let at = requestIds.length;
  requestIds.push(id);
  while (at > 0 && (requestIds[at - 1] as number) > id) {
    requestIds[at] = requestIds[at - 1] as number;
    at -= 1;
  }
  requestIds[at] = id;
}

function requestRank(id: number): number {
  return requestIds.indexOf(id);
}

/**
 * The canonical key of a state as a 64-bit hash, computed by walking the same fields, with the
 * same normalisation, as `canonicalText` (a test checks the two agree on which states are equal).
 * `extra` bits (the explorer's witness values) are mixed in at the end.
 */
export function stateKey(state: State, extra: number): [number, number] {
  H[0] = 0x811c9dc5;
  H[1] = 0x9747b28c;
  const p = state.producer;
  const batches = p.batches;
  collectRequestIds(state);
  mix(p.session);
  mix(p.producerId);
  mix(p.epoch);
  mixBool(p.epochBumpRequired);
  mixInts(p.partitionsToRewrite);
  mixInts(p.unresolved);
  for (const part of p.partitions) {
    mix(part.queue.length);
    for (const id of part.queue) mix(batchRank(batches, id));
    mix(part.producerId);
    mix(part.epoch);
    mix(part.nextSequence);
    mix(part.lastAckedSequence);
    mix(part.lastAckedOffset);
    mix(part.inFlight.length);
    for (const id of part.inFlight) mix(batchRank(batches, id));
    mixBool(part.muted);
  }
  mix(batches.length);
  for (const x of batches) {
    mix(x.partition);
    mixInts(x.sends);
    mix(x.producerId);
    mix(x.epoch);
    mix(x.baseSequence);
    mix(x.attempts);
    mixBool(x.inRetry);
    mixBool(x.reopened);
    mixBool(x.drained);
    mixBool(x.done);
    mixBool(x.deadlinePassed);
  }
  for (const rs of p.requests) {
    mix(rs.length);
    for (const x of rs) {
      mix(requestRank(x.id));
      mix(x.batches.length);
      for (const id of x.batches) mix(batchRank(batches, id));
    }
  }
  mixInts(p.drainIndex);
  for (const conn of state.network) {
    mix(conn.toBroker.length);
    for (const x of conn.toBroker) {
      mix(requestRank(x.id));
      mix(x.acks);
      mix(x.batches.length);
      for (const w of x.batches) {
        mix(w.partition);
        mix(batchRank(batches, w.batch));
        mix(w.producerId);
        mix(w.epoch);
        mix(w.baseSequence);
        mixInts(w.sends);
      }
    }
    if (conn.pending === null) mix(-1);
    else {
      mix(requestRank(conn.pending.id));
      mix(conn.pending.partitions.length);
      for (const e of conn.pending.partitions) {
        mix(e.partition);
        mixCode(e.error);
        mix(e.baseOffset);
        mix(e.requiredOffset);
      }
    }
    mix(conn.toClient.length);
    for (const x of conn.toClient) {
      mix(requestRank(x.id));
      mix(x.partitions.length);
      for (const e of x.partitions) {
        mix(e.partition);
        mixCode(e.error);
        mix(e.baseOffset);
      }
    }
  }
  for (const alive of state.cluster.alive) mixBool(alive);
  for (const part of state.cluster.partitions) {
    mix(part.leader);
    mix(part.leaderEpoch);
    mixInts(part.isr);
    mix(part.leaderEpochStartOffset);
    mixInts(part.followerLeo);
    for (const replica of part.replicas) {
      mix(replica.log.length);
      for (const batch of replica.log) {
        mix(batch.baseOffset);
        mix(batch.leaderEpoch);
        mix(batch.producerId);
        mix(batch.epoch);
        mix(batch.baseSequence);
        mixInts(batch.sends);
        // Transactional batches only (absent otherwise, so a producer-only key is what it was).
        if (batch.transactional === true) mix(-201);
        if (batch.control !== undefined) {
          mix(batch.control.result === 'COMMIT' ? -202 : -203);
          mix(batch.control.coordinatorEpoch);
        }
      }
      mix(replica.hw);
      mix(replica.flushed);
      mixEntries(replica.producers);
      mix(replica.snapshots.length);
      for (const snap of replica.snapshots) {
        mix(snap.offset);
        mixEntries(snap.entries);
      }
    }
  }
  mix(state.nextProducerId);
  mixInts(state.application.toResend);
  mix(state.ghost.sends.length);
  for (const x of state.ghost.sends) {
    mix(x.record);
    mix(x.partition);
    mix(x.session);
    mixCode(x.outcome);
    mix(x.offset);
    mix(x.transmitted);
    mix(x.rejected);
  }
  const c = state.counters;
  mix(c.records);
  mix(c.resends);
  mix(c.lostMessages);
  mix(c.restarts);
  mix(c.crashes);
  mix(c.clusterChanges);
  mix(c.powerLosses);
  if (state.held.length > 0) {
    mix(-301);
    mix(state.held.length);
    for (const h of state.held) {
      mix(h.broker);
      mix(h.request.acks);
      mix(h.request.batches.length);
      for (const w of h.request.batches) {
        mix(w.partition);
        mix(w.producerId);
        mix(w.epoch);
        mix(w.baseSequence);
        mixInts(w.sends);
        mixBool(w.transactional === true);
      }
      mixBool(h.overtaken);
    }
  }
  if (state.consumers !== null) walkConsumers(state.consumers, mix);
  if (state.txn !== null) walkTxn(state.txn, mix);
  mix(extra);
  return [(H[0] as number) >>> 0, (H[1] as number) >>> 0];
}

function mixEntries(entries: State['cluster']['partitions'][number]['replicas'][number]['producers']): void {
  mix(entries.length);
  for (const e of entries) {
    mix(e.producerId);
    mix(e.epoch);
    mix(e.batches.length);
    for (const m of e.batches) {
      mix(m.firstSeq);
      mix(m.lastSeq);
      mix(m.firstOffset);
      mix(m.lastOffset);
    }
  }
}

function requestRanks(state: State): Map<number, number> {
  collectRequestIds(state);
  return new Map(requestIds.map((id, rank) => [id, rank]));
}

/** 64-bit hash of a string as two 32-bit halves. */
export function hash64(text: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return [h1 >>> 0, h2 >>> 0];
}

/** The visited set lives in fingerprint-set.ts; exported here too for existing importers. */
export { FingerprintSet } from './fingerprint-set.js';
