/**
 * Bookkeeping kept beside the protocol: the ghost history (every send's outcome and the protocol
 * statistics, read by invariants and witnesses) and the counters the exploration bounds read.
 * Protocol rules never read either; the event rules write them through these helpers.
 */

import { at } from './access.js';
import * as make from './records.js';
import type { Counters, ErrorCode, Ghost, Outcome, SendInfo, State, Stats } from './types.js';

const ZERO_STATS: Stats = make.stats({
  retries: 0,
  pipelinedDrains: 0,
  fullPipelines: 0,
  lostRequests: 0,
  lostResponses: 0,
  dedupHits: 0,
  outOfOrder: 0,
  invalidEpoch: 0,
  epochBumps: 0,
  deliveryTimeouts: 0,
  deadlineFailures: 0,
  notEnoughReplicas: 0,
  notEnoughReplicasAfterAppend: 0,
  notLeader: 0,
  leaderElections: 0,
  uncleanElections: 0,
  truncations: 0,
  producerStateLosses: 0,
  producerRestarts: 0,
  brokerCrashes: 0,
  isrShrinks: 0,
  resends: 0,
  powerLosses: 0,
  unflushedBatchesLost: 0,
  lateAppends: 0,
  lateRefused: 0,
});

export const ZERO_COUNTERS: Counters = make.counters({ events: 0, records: 0, resends: 0, lostMessages: 0, restarts: 0, crashes: 0, clusterChanges: 0, powerLosses: 0, delayedProduces: 0 });

export const EMPTY_GHOST: Ghost = make.ghost({ sends: [], stats: ZERO_STATS });

/** Add `changes` to the counters in `base`: a copy built by `build`, or `base` itself when nothing changes. */
function addTo<T extends object>(base: T, changes: Partial<Record<keyof T, number>>, build: (sum: T) => T): T {
  let next: Record<string, number> | null = null;
  for (const key in changes) {
    const value = changes[key] ?? 0;
    if (value === 0) continue;
    next ??= { ...(base as Record<string, number>) };
    next[key] = (next[key] ?? 0) + value;
  }
  return next === null ? base : build(next as T);
}

export function bump(stats: Stats, changes: Partial<Stats>): Stats {
  return addTo(stats, changes, make.stats);
}

export function count(counters: Counters, changes: Partial<Counters>): Counters {
  return addTo(counters, changes, make.counters);
}

export function withStats(state: State, changes: Partial<Stats>): State {
  const stats = bump(state.ghost.stats, changes);
  return stats === state.ghost.stats ? state : make.state({ ...state, ghost: make.ghost({ ...state.ghost, stats }) });
}

/** Tallies built up one at a time, then added with `withStats`. */
export type Tally = { -readonly [K in keyof Stats]?: number };

export function tally(stats: Tally, key: keyof Stats): void {
  stats[key] = (stats[key] ?? 0) + 1;
}

export function updateSends(ghost: Ghost, ids: readonly number[], change: (info: SendInfo, i: number) => SendInfo): Ghost {
  if (ids.length === 0) return ghost;
  const sends = ghost.sends.slice();
  ids.forEach((id, i) => {
    sends[id] = change(at(sends, id, 'send'), i);
  });
  return make.ghost({ ...ghost, sends });
}

/** A new send of `record` by the current producer session, pending; its id is the next index. */
export function recordSend(ghost: Ghost, record: number, partition: number, session: number): Ghost {
  const info: SendInfo = make.sendInfo({ record, partition, session, outcome: 'pending', offset: -1, error: null, transmitted: 0, rejected: 0 });
  return make.ghost({ ...ghost, sends: [...ghost.sends, info] });
}

/*
 * A send's attempt counts (`transmitted`, `rejected`) are read once: when it fails, to choose `fail`
 * or `info` (application.ts applyOutbox). An outcome is never recomputed (a send is in one batch, and
 * every path that completes a batch skips one already done: producer.ts completeBatch, failBatch,
 * abandonedBatches), so once the send has its outcome nothing reads them again. They are therefore
 * counted only while the send is pending and set to 0 with its outcome (`settle`): states that
 * differ only in a completed send's counts behave alike, and the explorer's key, which holds every
 * field, then merges them (bench/results/state-counts.md, item 1). The transactional abort
 * (txn-events.ts AppAbortTransaction) fails only sends of batches never drained, whose counts are 0.
 */

/** The send gets its outcome; its attempt counts are cleared (nothing reads them after this). */
export function settle(info: SendInfo, outcome: Exclude<Outcome, 'pending'>, offset: number, error: string | null): SendInfo {
  return make.sendInfo({ ...info, outcome, offset, error, transmitted: 0, rejected: 0 });
}

/** The sends among `sends` still waiting for their outcome: the only ones whose attempts are counted. */
function pendingOf(ghost: Ghost, sends: readonly number[]): readonly number[] {
  return sends.filter((id) => at(ghost.sends, id, 'send').outcome === 'pending');
}

/** Each of `sends` still pending was written to the network once more (an expired batch can still be in a request). */
export function markTransmitted(ghost: Ghost, sends: readonly number[]): Ghost {
  return updateSends(ghost, pendingOf(ghost, sends), (info) => make.sendInfo({ ...info, transmitted: info.transmitted + 1 }));
}

/** Errors after which the client knows the broker did not append this attempt (reference §3.4). */
export function definitelyRejected(error: ErrorCode): boolean {
  return (
    error === 'NOT_ENOUGH_REPLICAS' ||
    error === 'INVALID_PRODUCER_EPOCH' ||
    error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' ||
    error === 'INVALID_TXN_STATE' ||
    error === 'INVALID_PRODUCER_ID_MAPPING' ||
    error === 'TRANSACTION_ABORTABLE' ||
    error === 'CONCURRENT_TRANSACTIONS'
  );
}

/** One attempt of each of `sends` still pending was definitely rejected (a late answer for an expired batch counts for nothing). */
export function markRejected(ghost: Ghost, sends: readonly number[]): Ghost {
  return updateSends(ghost, pendingOf(ghost, sends), (info) => make.sendInfo({ ...info, rejected: info.rejected + 1 }));
}
