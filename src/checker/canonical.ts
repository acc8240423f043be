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
 * - the coordinator's next producer id is kept (producer ids are stored in broker state).
 *
 * The explorer hashes the key to 64 bits (`stateKey`, two independent 32-bit mixes over the same
 * fields, without building the text). With N states the chance of any collision is about
 * N² / 2^65: 3 in a million for ten million states. `canonicalText` is the readable definition
 * of the same key, used by tests.
 */

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
  const counters = [c.records, c.resends, c.lostMessages, c.restarts, c.crashes, c.clusterChanges];
  return JSON.stringify([producer, network, state.cluster, state.nextProducerId, state.application.toResend, sends, counters]);
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
};

/**
 * Hashes a stream of integers into two independent 32-bit halves (FNV-1a-style mixing per 32-bit
 * word, with different primes), without building a string: the explorer's hot path.
 */
class Hasher {
  h1 = 0x811c9dc5;
  h2 = 0x9747b28c;
  int(n: number): void {
    const x = n | 0;
    this.h1 = Math.imul(this.h1 ^ x, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ x, 0x5bd1e995);
    this.h2 ^= this.h2 >>> 13;
  }
  bool(b: boolean): void {
    this.int(b ? 1 : 0);
  }
  code(text: string): void {
    this.int(CODES[text] ?? -7);
  }
  ints(xs: readonly number[]): void {
    this.int(xs.length);
    for (const x of xs) this.int(x);
  }
}

/**
 * The canonical key of a state as a 64-bit hash, computed by walking the same fields, with the
 * same normalisation, as `canonicalText` (a test checks the two agree on which states are equal).
 * `extra` bits (the explorer's witness values) are mixed in at the end.
 */
export function stateKey(state: State, extra: number): [number, number] {
  const h = new Hasher();
  const p = state.producer;
  // Ranks of live batch ids: batches are kept sorted by id.
  const batchRank = new Map<number, number>();
  p.batches.forEach((b, i) => batchRank.set(b.id, i));
  const requestRank = requestRanks(state);
  h.int(p.session);
  h.int(p.producerId);
  h.int(p.epoch);
  h.bool(p.epochBumpRequired);
  h.ints(p.partitionsToRewrite);
  h.ints(p.unresolved);
  for (const part of p.partitions) {
    h.int(part.queue.length);
    for (const id of part.queue) h.int((batchRank.get(id) ?? -1));
    h.int(part.producerId);
    h.int(part.epoch);
    h.int(part.nextSequence);
    h.int(part.lastAckedSequence);
    h.int(part.lastAckedOffset);
    h.int(part.inFlight.length);
    for (const id of part.inFlight) h.int((batchRank.get(id) ?? -1));
    h.bool(part.muted);
  }
  h.int(p.batches.length);
  for (const x of p.batches) {
    h.int(x.partition);
    h.ints(x.sends);
    h.int(x.producerId);
    h.int(x.epoch);
    h.int(x.baseSequence);
    h.int(x.attempts);
    h.bool(x.inRetry);
    h.bool(x.reopened);
    h.bool(x.drained);
    h.bool(x.done);
    h.bool(x.deadlinePassed);
  }
  for (const rs of p.requests) {
    h.int(rs.length);
    for (const x of rs) {
      h.int((requestRank.get(x.id) ?? -1));
      h.int(x.batches.length);
      for (const id of x.batches) h.int((batchRank.get(id) ?? -1));
    }
  }
  h.ints(p.drainIndex);
  for (const conn of state.network) {
    h.int(conn.toBroker.length);
    for (const x of conn.toBroker) {
      h.int((requestRank.get(x.id) ?? -1));
      h.int(x.acks);
      h.int(x.batches.length);
      for (const w of x.batches) {
        h.int(w.partition);
        h.int((batchRank.get(w.batch) ?? -1));
        h.int(w.producerId);
        h.int(w.epoch);
        h.int(w.baseSequence);
        h.ints(w.sends);
      }
    }
    if (conn.pending === null) h.int(-1);
    else {
      h.int((requestRank.get(conn.pending.id) ?? -1));
      h.int(conn.pending.partitions.length);
      for (const e of conn.pending.partitions) {
        h.int(e.partition);
        h.code(e.error);
        h.int(e.baseOffset);
        h.int(e.requiredOffset);
      }
    }
    h.int(conn.toClient.length);
    for (const x of conn.toClient) {
      h.int((requestRank.get(x.id) ?? -1));
      h.int(x.partitions.length);
      for (const e of x.partitions) {
        h.int(e.partition);
        h.code(e.error);
        h.int(e.baseOffset);
      }
    }
  }
  for (const alive of state.cluster.alive) h.bool(alive);
  for (const part of state.cluster.partitions) {
    h.int(part.leader);
    h.int(part.leaderEpoch);
    h.ints(part.isr);
    h.int(part.leaderEpochStartOffset);
    h.ints(part.followerLeo);
    for (const replica of part.replicas) {
      h.int(replica.log.length);
      for (const batch of replica.log) {
        h.int(batch.baseOffset);
        h.int(batch.leaderEpoch);
        h.int(batch.producerId);
        h.int(batch.epoch);
        h.int(batch.baseSequence);
        h.ints(batch.sends);
      }
      h.int(replica.hw);
      hashEntries(h, replica.producers);
      h.int(replica.snapshots.length);
      for (const snap of replica.snapshots) {
        h.int(snap.offset);
        hashEntries(h, snap.entries);
      }
    }
  }
  h.int(state.nextProducerId);
  h.ints(state.application.toResend);
  h.int(state.ghost.sends.length);
  for (const x of state.ghost.sends) {
    h.int(x.record);
    h.int(x.partition);
    h.int(x.session);
    h.code(x.outcome);
    h.int(x.offset);
    h.int(x.transmitted);
    h.int(x.rejected);
  }
  const c = state.counters;
  h.int(c.records);
  h.int(c.resends);
  h.int(c.lostMessages);
  h.int(c.restarts);
  h.int(c.crashes);
  h.int(c.clusterChanges);
  h.int(extra);
  return [h.h1 >>> 0, h.h2 >>> 0];
}

function hashEntries(h: Hasher, entries: State['cluster']['partitions'][number]['replicas'][number]['producers']): void {
  h.int(entries.length);
  for (const e of entries) {
    h.int(e.producerId);
    h.int(e.epoch);
    h.int(e.batches.length);
    for (const m of e.batches) {
      h.int(m.firstSeq);
      h.int(m.lastSeq);
      h.int(m.firstOffset);
      h.int(m.lastOffset);
    }
  }
}

function requestRanks(state: State): Map<number, number> {
  const ids: number[] = [];
  for (const rs of state.producer.requests) for (const r of rs) ids.push(r.id);
  for (const conn of state.network) {
    for (const r of conn.toBroker) ids.push(r.id);
    for (const r of conn.toClient) ids.push(r.id);
    if (conn.pending !== null) ids.push(conn.pending.id);
  }
  return rankMap(ids);
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

/** An open-addressing set of 64-bit fingerprints in typed arrays (no per-entry objects). */
export class FingerprintSet {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private used: Uint8Array;
  private count = 0;

  constructor(capacity = 1 << 16) {
    this.lo = new Uint32Array(capacity);
    this.hi = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Add a fingerprint; returns false when it was already there. */
  add(a: number, b: number): boolean {
    if ((this.count + 1) * 2 > this.used.length) this.grow();
    const mask = this.used.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.used[i] === 1) {
      if (this.lo[i] === a && this.hi[i] === b) return false;
      i = (i + 1) & mask;
    }
    this.used[i] = 1;
    this.lo[i] = a;
    this.hi[i] = b;
    this.count += 1;
    return true;
  }

  private grow(): void {
    const { lo, hi, used } = this;
    this.lo = new Uint32Array(used.length * 2);
    this.hi = new Uint32Array(used.length * 2);
    this.used = new Uint8Array(used.length * 2);
    this.count = 0;
    for (let i = 0; i < used.length; i++) if (used[i] === 1) this.add(lo[i] as number, hi[i] as number);
  }
}
