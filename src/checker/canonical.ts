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
 * The key is hashed to 64 bits (two independent 32-bit FNV-1a variants). With N states the chance
 * of any collision is about N² / 2^65: 3 in a million for ten million states.
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
  const requestIds: number[] = [];
  for (const rs of p.requests) for (const r of rs) requestIds.push(r.id);
  for (const conn of state.network) {
    for (const r of conn.toBroker) requestIds.push(r.id);
    for (const r of conn.toClient) requestIds.push(r.id);
    if (conn.pending !== null) requestIds.push(conn.pending.id);
  }
  const requestRank = rankMap(requestIds);
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
    p.batches.map((x) => [x.partition, x.sends, x.producerId, x.epoch, x.baseSequence, x.attempts, x.inRetry, x.reopened, x.drained, x.done]),
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
