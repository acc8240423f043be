/**
 * Invariants: named claims checked after every step, each with the reason it matters and
 * structured violations (never a bare boolean). They read the protocol state and the ghost
 * history; nothing else reads the ghost.
 *
 * Vocabulary: a partition's "log" is its current leader's log; its "committed log" is that log
 * below the leader's high watermark, which is what consumers can read. While a partition has no
 * leader nothing can be read from it and the log-based invariants skip it: an acknowledged record
 * on a stopped in-sync replica is not lost yet.
 */

import { CONSUMER_STATE_INVARIANTS } from './consumer-invariants.js';
import type { ConsumerViolation } from './consumer-invariants.js';
import { TXN_INVARIANTS } from './txn-invariants.js';
import type { TxnViolation } from './txn-invariants.js';
import type { LogBatch, PartitionState, Replica, SendInfo, State } from './types.js';

export type Violation =
  | {
      readonly code: 'acked_record_lost';
      readonly partition: number;
      readonly send: number;
      readonly record: number;
      readonly ackedOffset: number;
    }
  | {
      readonly code: 'duplicate_record';
      readonly partition: number;
      readonly record: number;
      readonly offsets: readonly number[];
      readonly sends: readonly number[];
    }
  | {
      readonly code: 'session_order_violated';
      readonly partition: number;
      readonly session: number;
      /** The later send, found in the log before the earlier one. */
      readonly later: { readonly send: number; readonly offset: number };
      readonly earlier: { readonly send: number; readonly offset: number };
    }
  | { readonly code: 'phantom_record'; readonly partition: number; readonly offset: number; readonly send: number }
  | {
      readonly code: 'acked_offset_mismatch';
      readonly partition: number;
      readonly send: number;
      readonly ackedOffset: number;
      readonly offsets: readonly number[];
    }
  | {
      readonly code: 'acked_offset_shared';
      readonly partition: number;
      readonly offset: number;
      /** The two sends acknowledged at that offset, earlier send first, and their records. */
      readonly sends: readonly [number, number];
      readonly records: readonly [number, number];
    }
  | {
      readonly code: 'duplicate_across_partitions';
      readonly record: number;
      /** Each partition whose committed log holds the record, with the offset of its first copy there. */
      readonly partitions: readonly number[];
      readonly offsets: readonly number[];
    }
  | {
      /** Liveness (src/checker/liveness.ts): with faults stopped, the system did not settle. */
      readonly code: 'not_settled';
      /** Sends still pending when it stopped. */
      readonly pending: readonly number[];
      /** No event was enabled (a deadlock), rather than the step budget running out. */
      readonly stuck: boolean;
      readonly steps: number;
    }
  | {
      readonly code: 'failed_record_present';
      readonly partition: number;
      readonly replica: number;
      readonly send: number;
      readonly offset: number;
    }
  // The consumer side's (consumer-invariants.ts).
  | ConsumerViolation
  // The transactional side's (txn-invariants.ts).
  | TxnViolation;

export type ViolationCode = Violation['code'];

export interface Invariant<N extends string = string> {
  readonly name: N;
  /** One sentence: what must always hold. */
  readonly claim: string;
  /** Why it matters and where Kafka promises it. */
  readonly why: string;
  readonly check: (state: State) => readonly Violation[];
}

/** One stored record: its offset and the send it came from. */
export interface StoredRecord {
  readonly offset: number;
  readonly send: number;
}

export function recordsOf(log: readonly LogBatch[]): StoredRecord[] {
  const out: StoredRecord[] = [];
  for (const batch of log) batch.sends.forEach((send, i) => out.push({ offset: batch.baseOffset + i, send }));
  return out;
}

// The checks below run on every state the explorer visits, so they loop over the logs directly and
// allocate only when they find a violation: on a state that holds they return the shared empty
// `NONE`. `recordsOf` above is the readable view of a log, for reports and tests. The few scratch
// arrays below are module-level but overwritten from the start by each call that reads them, so
// the checks stay pure functions of the state.

const NONE: readonly Violation[] = Object.freeze([]);

function leaderReplica(state: State, partition: number): Replica | undefined {
  const p = state.cluster.partitions[partition];
  return p === undefined || p.leader < 0 ? undefined : p.replicas[p.leader];
}

/** Is the send stored anywhere in the log? */
function logHolds(log: readonly LogBatch[], send: number): boolean {
  for (const batch of log) if (batch.sends.includes(send)) return true;
  return false;
}

/** Is a send still on its way to a broker, so that it may yet be appended? */
function inTransit(state: State, send: number): boolean {
  for (const conn of state.network) for (const req of conn.toBroker) for (const b of req.batches) if (b.sends.includes(send)) return true;
  // delayed-produce: a request a broker holds past its connection's close is on its way too.
  for (const h of state.held) for (const b of h.request.batches) if (b.sends.includes(send)) return true;
  return false;
}

/**
 * The committed records of a replica (offset below the high watermark), in log order, as two
 * parallel scratch arrays that each call overwrites: `committedSends[k]` at `committedOffsets[k]`.
 * Returns how many there are.
 */
const committedSends: number[] = [];
const committedOffsets: number[] = [];
function loadCommitted(replica: Replica): number {
  let n = 0;
  for (const batch of replica.log) {
    for (let i = 0; i < batch.sends.length && batch.baseOffset + i < replica.hw; i++) {
      committedSends[n] = batch.sends[i] as number;
      committedOffsets[n] = batch.baseOffset + i;
      n += 1;
    }
  }
  return n;
}

/** Does the send appear among the first `n` committed records? */
function committedBefore(n: number, send: number): boolean {
  for (let k = 0; k < n; k++) if (committedSends[k] === send) return true;
  return false;
}

/**
 * INV: NoAckedRecordLost (Jepsen `:lost-write`).
 */
export const NoAckedRecordLost: Invariant<'NoAckedRecordLost'> = {
  name: 'NoAckedRecordLost',
  claim: 'Every acknowledged record is in its partition leader\'s log (or still on its way there).',
  why:
    'An acknowledgement is the producer\'s promise to the application. With acks=all and clean election Kafka ' +
    'keeps every acknowledged record across leader failover (reference §5); acks=1 and acks=0 do not promise it.',
  check(state) {
    let violations: Violation[] | null = null;
    const sends = state.ghost.sends;
    for (let id = 0; id < sends.length; id++) {
      const info = sends[id] as SendInfo;
      if (info.outcome !== 'ok') continue;
      const replica = leaderReplica(state, info.partition);
      if (replica === undefined || logHolds(replica.log, id) || inTransit(state, id)) continue;
      (violations ??= []).push({ code: 'acked_record_lost', partition: info.partition, send: id, record: info.record, ackedOffset: info.offset });
    }
    return violations ?? NONE;
  },
};

function recordOf(state: State, send: number): number {
  return state.ghost.sends[send]?.record ?? -1;
}

/**
 * INV: NoDuplicateRecord (Jepsen `:duplicate`).
 */
export const NoDuplicateRecord: Invariant<'NoDuplicateRecord'> = {
  name: 'NoDuplicateRecord',
  claim: 'No application record appears twice in a partition\'s committed log.',
  why:
    'A retried batch must be recognised by its producer id, epoch and sequence and answered with its original ' +
    'offset, not appended again (`ProducerStateEntry.findDuplicateBatch`). Idempotence promises this within one producer session; ' +
    'an application that resends after an error or a restart is outside that promise.',
  check(state) {
    let violations: Violation[] | null = null;
    for (let partition = 0; partition < state.cluster.partitions.length; partition++) {
      const replica = leaderReplica(state, partition);
      if (replica === undefined) continue;
      const n = loadCommitted(replica);
      // One violation per record that is stored more than once, at its first copy, listing every copy.
      for (let k = 0; k < n; k++) {
        const record = recordOf(state, committedSends[k] as number);
        if (record < 0) continue;
        let earlier = false;
        for (let j = 0; j < k && !earlier; j++) earlier = recordOf(state, committedSends[j] as number) === record;
        if (earlier) continue;
        let copies: number[] | null = null;
        for (let j = k + 1; j < n; j++) if (recordOf(state, committedSends[j] as number) === record) (copies ??= [k]).push(j);
        if (copies === null) continue;
        (violations ??= []).push({
          code: 'duplicate_record',
          partition,
          record,
          offsets: copies.map((j) => committedOffsets[j] as number),
          sends: copies.map((j) => committedSends[j] as number),
        });
      }
    }
    return violations ?? NONE;
  },
};

/** SessionOrderKept's scratch: for each session seen so far, its latest record in order (an index into the committed records). */
const latestSession: number[] = [];
const latestIndex: number[] = [];

/**
 * INV: SessionOrderKept (Jepsen `:nonmonotonic-send`).
 */
export const SessionOrderKept: Invariant<'SessionOrderKept'> = {
  name: 'SessionOrderKept',
  claim: 'Within one producer session, records reach a partition\'s committed log in the order they were sent.',
  why:
    'Kafka orders a partition\'s records by send order for the idempotent producer (sequence numbers) and for ' +
    'max.in.flight.requests.per.connection=1; with retries, more in flight and no idempotence a failed batch can be ' +
    'retried after a later one was appended (reference §3.1).',
  check(state) {
    let violations: Violation[] | null = null;
    for (let partition = 0; partition < state.cluster.partitions.length; partition++) {
      const replica = leaderReplica(state, partition);
      if (replica === undefined) continue;
      const n = loadCommitted(replica);
      // For each session, the latest record in order so far (index into the committed records);
      // a record out of order is reported and not made the latest.
      let sessions = 0;
      for (let k = 0; k < n; k++) {
        const send = committedSends[k] as number;
        if (committedBefore(k, send)) continue;
        const session = state.ghost.sends[send]?.session;
        if (session === undefined) continue;
        let at = 0;
        while (at < sessions && latestSession[at] !== session) at += 1;
        const before = at < sessions ? (latestIndex[at] as number) : -1;
        if (before >= 0 && (committedSends[before] as number) > send) {
          (violations ??= []).push({
            code: 'session_order_violated',
            partition,
            session,
            later: { offset: committedOffsets[before] as number, send: committedSends[before] as number },
            earlier: { offset: committedOffsets[k] as number, send },
          });
          continue;
        }
        latestSession[at] = session;
        latestIndex[at] = k;
        if (at === sessions) sessions += 1;
      }
    }
    return violations ?? NONE;
  },
};

/**
 * INV: NoPhantomRecord.
 */
export const NoPhantomRecord: Invariant<'NoPhantomRecord'> = {
  name: 'NoPhantomRecord',
  claim: 'Every record in any replica\'s log came from a send of the application.',
  why: 'A broker must store only what producers sent; anything else is corruption (a guard for the broker code).',
  check(state) {
    let violations: Violation[] | null = null;
    const partitions = state.cluster.partitions;
    for (let partition = 0; partition < partitions.length; partition++) {
      for (const replica of (partitions[partition] as PartitionState).replicas) {
        for (const batch of replica.log) {
          for (let i = 0; i < batch.sends.length; i++) {
            const send = batch.sends[i] as number;
            const info = state.ghost.sends[send];
            if (info !== undefined && info.partition === partition) continue;
            (violations ??= []).push({ code: 'phantom_record', partition, offset: batch.baseOffset + i, send });
          }
        }
      }
    }
    return violations ?? NONE;
  },
};

/**
 * INV: AckedOffsetHoldsRecord.
 */
export const AckedOffsetHoldsRecord: Invariant<'AckedOffsetHoldsRecord'> = {
  name: 'AckedOffsetHoldsRecord',
  claim: 'An acknowledged record that is in the log sits at the offset its acknowledgement reported.',
  why:
    'Applications store offsets from acknowledgements (for lookups, exactly-once sinks). A duplicate must be answered ' +
    'with the original batch\'s offset (`UnifiedLog.analyzeAndValidateProducerState`), so the reported offset holds the record.',
  check(state) {
    let violations: Violation[] | null = null;
    const sends = state.ghost.sends;
    for (let id = 0; id < sends.length; id++) {
      const info = sends[id] as SendInfo;
      if (info.outcome !== 'ok' || info.offset < 0) continue;
      const replica = leaderReplica(state, info.partition);
      if (replica === undefined) continue;
      // Where the send is stored; only a send stored elsewhere than its acknowledged offset violates.
      let stored = false;
      let atAcked = false;
      for (const batch of replica.log) {
        for (let i = 0; i < batch.sends.length; i++) {
          if (batch.sends[i] !== id) continue;
          stored = true;
          if (batch.baseOffset + i === info.offset) atAcked = true;
        }
      }
      if (!stored || atAcked) continue;
      const offsets: number[] = [];
      for (const batch of replica.log) batch.sends.forEach((send, i) => send === id && offsets.push(batch.baseOffset + i));
      (violations ??= []).push({ code: 'acked_offset_mismatch', partition: info.partition, send: id, ackedOffset: info.offset, offsets });
    }
    return violations ?? NONE;
  },
};

/**
 * INV: FailedRecordAbsent (Jepsen `:G1a`-like: a definite failure must not take effect).
 */
export const FailedRecordAbsent: Invariant<'FailedRecordAbsent'> = {
  name: 'FailedRecordAbsent',
  claim: 'A send that failed definitely is in no replica\'s log.',
  why:
    'A definite failure (every attempt rejected before appending: NOT_ENOUGH_REPLICAS, INVALID_PRODUCER_EPOCH, ' +
    'OUT_OF_ORDER_SEQUENCE_NUMBER, or never sent) tells the application the record was not written (reference §3.4).',
  check(state) {
    if (!state.ghost.sends.some((info) => info.outcome === 'fail')) return NONE;
    let violations: Violation[] | null = null;
    const partitions = state.cluster.partitions;
    for (let partition = 0; partition < partitions.length; partition++) {
      const replicas = (partitions[partition] as PartitionState).replicas;
      for (let r = 0; r < replicas.length; r++) {
        for (const batch of (replicas[r] as Replica).log) {
          for (let i = 0; i < batch.sends.length; i++) {
            const send = batch.sends[i] as number;
            if (state.ghost.sends[send]?.outcome !== 'fail') continue;
            (violations ??= []).push({ code: 'failed_record_present', partition, replica: r, send, offset: batch.baseOffset + i });
          }
        }
      }
    }
    return violations ?? NONE;
  },
};

/**
 * INV: DistinctAckedOffsets.
 */
export const DistinctAckedOffsets: Invariant<'DistinctAckedOffsets'> = {
  name: 'DistinctAckedOffsets',
  claim: 'Two different records are never acknowledged at the same offset of a partition.',
  why:
    'An offset names one record for good: applications store acknowledged offsets and consumers commit them. ' +
    'Two acknowledgements for one offset mean the log was rewritten under an acknowledged record (an unclean ' +
    'election truncates it, `UnifiedLog.truncateTo`) or a batch was taken for a retry of another ' +
    '(`ProducerStateEntry.findDuplicateBatch`); AckedOffsetHoldsRecord sees only the record that is still there.',
  check(state) {
    let violations: Violation[] | null = null;
    const sends = state.ghost.sends;
    for (let id = 0; id < sends.length; id++) {
      const info = sends[id] as SendInfo;
      if (info.outcome !== 'ok' || info.offset < 0) continue;
      for (let other = 0; other < id; other++) {
        const earlier = sends[other] as SendInfo;
        if (earlier.outcome !== 'ok' || earlier.partition !== info.partition || earlier.offset !== info.offset || earlier.record === info.record) continue;
        (violations ??= []).push({ code: 'acked_offset_shared', partition: info.partition, offset: info.offset, sends: [other, id], records: [earlier.record, info.record] });
        break;
      }
    }
    return violations ?? NONE;
  },
};

/** The offset of the first copy of `record` in a replica's committed log, or -1. */
function committedOffsetOf(state: State, replica: Replica, record: number): number {
  for (const batch of replica.log) {
    for (let i = 0; i < batch.sends.length && batch.baseOffset + i < replica.hw; i++) {
      if (recordOf(state, batch.sends[i] as number) === record) return batch.baseOffset + i;
    }
  }
  return -1;
}

/**
 * INV: NoDuplicateAcrossPartitions (Jepsen `:duplicate`, topic-wide).
 */
export const NoDuplicateAcrossPartitions: Invariant<'NoDuplicateAcrossPartitions'> = {
  name: 'NoDuplicateAcrossPartitions',
  claim: 'No application record is in the committed logs of two partitions of the topic.',
  why:
    'A consumer of the topic reads every partition, so a record written to two of them is processed twice. ' +
    'Idempotence is per partition (sequences live in `TxnPartitionEntry`, dedup in each partition\'s ' +
    '`ProducerStateManager`): nothing in Kafka recognises a resend that the partitioner sends elsewhere. ' +
    'NoDuplicateRecord stays per partition, where the idempotent producer makes its promise.',
  check(state) {
    const partitions = state.cluster.partitions.length;
    if (partitions < 2) return NONE;
    let violations: Violation[] | null = null;
    for (let p = 0; p < partitions; p++) {
      const replica = leaderReplica(state, p);
      if (replica === undefined) continue;
      const n = loadCommitted(replica);
      for (let k = 0; k < n; k++) {
        const record = recordOf(state, committedSends[k] as number);
        if (record < 0) continue;
        let repeated = false;
        for (let j = 0; j < k && !repeated; j++) repeated = recordOf(state, committedSends[j] as number) === record;
        if (repeated) continue;
        // Reported once, from the first partition that holds it; earlier partitions were checked already.
        let inEarlier = false;
        for (let q = 0; q < p && !inEarlier; q++) {
          const other = leaderReplica(state, q);
          inEarlier = other !== undefined && committedOffsetOf(state, other, record) >= 0;
        }
        if (inEarlier) continue;
        let found: { partitions: number[]; offsets: number[] } | null = null;
        for (let q = p + 1; q < partitions; q++) {
          const other = leaderReplica(state, q);
          const offset = other === undefined ? -1 : committedOffsetOf(state, other, record);
          if (offset < 0) continue;
          found ??= { partitions: [p], offsets: [committedOffsets[k] as number] };
          found.partitions.push(q);
          found.offsets.push(offset);
        }
        if (found !== null) (violations ??= []).push({ code: 'duplicate_across_partitions', record, ...found });
      }
    }
    return violations ?? NONE;
  },
};

const ALL = [
  NoAckedRecordLost,
  NoDuplicateRecord,
  SessionOrderKept,
  NoPhantomRecord,
  AckedOffsetHoldsRecord,
  FailedRecordAbsent,
  DistinctAckedOffsets,
  NoDuplicateAcrossPartitions,
  ...CONSUMER_STATE_INVARIANTS,
  ...TXN_INVARIANTS,
] as const;

/** The name of an invariant: a suite that names one the model lacks does not compile. */
export type InvariantName = (typeof ALL)[number]['name'];

/** Every invariant, in the order reports list them. */
export const INVARIANTS: readonly Invariant[] = ALL;

export function invariantByName(name: string): Invariant | undefined {
  return INVARIANTS.find((inv) => inv.name === name);
}

export interface InvariantResult {
  readonly invariant: string;
  readonly violations: readonly Violation[];
}

/** Check invariants and return those that are violated. */
const HOLDS: readonly InvariantResult[] = Object.freeze([]);

export function violatedInvariants(state: State, invariants: readonly Invariant[]): readonly InvariantResult[] {
  let out: InvariantResult[] | null = null;
  for (const invariant of invariants) {
    const violations = invariant.check(state);
    if (violations.length > 0) (out ??= []).push({ invariant: invariant.name, violations });
  }
  return out ?? HOLDS;
}
