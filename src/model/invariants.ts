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

import type { LogBatch, Replica, SendInfo, State } from './types.js';

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
      readonly code: 'failed_record_present';
      readonly partition: number;
      readonly replica: number;
      readonly send: number;
      readonly offset: number;
    };

export type ViolationCode = Violation['code'];

export interface Invariant {
  readonly name: string;
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

function leaderReplica(state: State, partition: number): Replica | undefined {
  const p = state.cluster.partitions[partition];
  return p === undefined || p.leader < 0 ? undefined : p.replicas[p.leader];
}

function committed(replica: Replica): StoredRecord[] {
  return recordsOf(replica.log).filter((r) => r.offset < replica.hw);
}

/** Is a send still on its way to a broker, so that it may yet be appended? */
function inTransit(state: State, send: number): boolean {
  return state.network.some((conn) => conn.toBroker.some((req) => req.batches.some((b) => b.sends.includes(send))));
}

function forEachSend(state: State, fn: (info: SendInfo, id: number) => void): void {
  state.ghost.sends.forEach((info, id) => fn(info, id));
}

/**
 * INV: NoAckedRecordLost (Jepsen `:lost-write`).
 */
export const NoAckedRecordLost: Invariant = {
  name: 'NoAckedRecordLost',
  claim: 'Every acknowledged record is in its partition leader\'s log (or still on its way there).',
  why:
    'An acknowledgement is the producer\'s promise to the application. With acks=all and clean election Kafka ' +
    'keeps every acknowledged record across leader failover (reference §5); acks=1 and acks=0 do not promise it.',
  check(state) {
    const violations: Violation[] = [];
    const present = new Map<number, Set<number>>();
    forEachSend(state, (info, id) => {
      if (info.outcome !== 'ok') return;
      const replica = leaderReplica(state, info.partition);
      if (replica === undefined) return;
      let sends = present.get(info.partition);
      if (sends === undefined) {
        sends = new Set(recordsOf(replica.log).map((r) => r.send));
        present.set(info.partition, sends);
      }
      if (sends.has(id) || inTransit(state, id)) return;
      violations.push({ code: 'acked_record_lost', partition: info.partition, send: id, record: info.record, ackedOffset: info.offset });
    });
    return violations;
  },
};

/**
 * INV: NoDuplicateRecord (Jepsen `:duplicate`).
 */
export const NoDuplicateRecord: Invariant = {
  name: 'NoDuplicateRecord',
  claim: 'No application record appears twice in a partition\'s committed log.',
  why:
    'A retried batch must be recognised by its producer id, epoch and sequence and answered with its original ' +
    'offset, not appended again (`ProducerStateEntry.findDuplicateBatch`). Idempotence promises this within one producer session; ' +
    'an application that resends after an error or a restart is outside that promise.',
  check(state) {
    const violations: Violation[] = [];
    state.cluster.partitions.forEach((_, partition) => {
      const replica = leaderReplica(state, partition);
      if (replica === undefined) return;
      const byRecord = new Map<number, StoredRecord[]>();
      for (const stored of committed(replica)) {
        const record = state.ghost.sends[stored.send]?.record;
        if (record === undefined) continue;
        const list = byRecord.get(record) ?? [];
        list.push(stored);
        byRecord.set(record, list);
      }
      for (const [record, list] of byRecord) {
        if (list.length < 2) continue;
        violations.push({
          code: 'duplicate_record',
          partition,
          record,
          offsets: list.map((r) => r.offset),
          sends: list.map((r) => r.send),
        });
      }
    });
    return violations;
  },
};

/**
 * INV: SessionOrderKept (Jepsen `:nonmonotonic-send`).
 */
export const SessionOrderKept: Invariant = {
  name: 'SessionOrderKept',
  claim: 'Within one producer session, records reach a partition\'s committed log in the order they were sent.',
  why:
    'Kafka orders a partition\'s records by send order for the idempotent producer (sequence numbers) and for ' +
    'max.in.flight.requests.per.connection=1; with retries, more in flight and no idempotence a failed batch can be ' +
    'retried after a later one was appended (reference §3.1).',
  check(state) {
    const violations: Violation[] = [];
    state.cluster.partitions.forEach((_, partition) => {
      const replica = leaderReplica(state, partition);
      if (replica === undefined) return;
      const seen = new Set<number>();
      const latest = new Map<number, StoredRecord>();
      for (const stored of committed(replica)) {
        if (seen.has(stored.send)) continue;
        seen.add(stored.send);
        const session = state.ghost.sends[stored.send]?.session;
        if (session === undefined) continue;
        const before = latest.get(session);
        if (before !== undefined && before.send > stored.send) {
          violations.push({ code: 'session_order_violated', partition, session, later: before, earlier: stored });
          continue;
        }
        latest.set(session, stored);
      }
    });
    return violations;
  },
};

/**
 * INV: NoPhantomRecord.
 */
export const NoPhantomRecord: Invariant = {
  name: 'NoPhantomRecord',
  claim: 'Every record in any replica\'s log came from a send of the application.',
  why: 'A broker must store only what producers sent; anything else is corruption (a guard for the broker code).',
  check(state) {
    const violations: Violation[] = [];
    state.cluster.partitions.forEach((p, partition) => {
      for (const replica of p.replicas) {
        for (const stored of recordsOf(replica.log)) {
          const info = state.ghost.sends[stored.send];
          if (info === undefined || info.partition !== partition) {
            violations.push({ code: 'phantom_record', partition, offset: stored.offset, send: stored.send });
          }
        }
      }
    });
    return violations;
  },
};

/**
 * INV: AckedOffsetHoldsRecord.
 */
export const AckedOffsetHoldsRecord: Invariant = {
  name: 'AckedOffsetHoldsRecord',
  claim: 'An acknowledged record that is in the log sits at the offset its acknowledgement reported.',
  why:
    'Applications store offsets from acknowledgements (for lookups, exactly-once sinks). A duplicate must be answered ' +
    'with the original batch\'s offset (`UnifiedLog.analyzeAndValidateProducerState`), so the reported offset holds the record.',
  check(state) {
    const violations: Violation[] = [];
    const offsets = new Map<number, Map<number, number[]>>();
    forEachSend(state, (info, id) => {
      if (info.outcome !== 'ok' || info.offset < 0) return;
      const replica = leaderReplica(state, info.partition);
      if (replica === undefined) return;
      let bySend = offsets.get(info.partition);
      if (bySend === undefined) {
        bySend = new Map();
        for (const stored of recordsOf(replica.log)) bySend.set(stored.send, [...(bySend.get(stored.send) ?? []), stored.offset]);
        offsets.set(info.partition, bySend);
      }
      const at = bySend.get(id);
      if (at === undefined || at.includes(info.offset)) return;
      violations.push({ code: 'acked_offset_mismatch', partition: info.partition, send: id, ackedOffset: info.offset, offsets: at });
    });
    return violations;
  },
};

/**
 * INV: FailedRecordAbsent (Jepsen `:G1a`-like: a definite failure must not take effect).
 */
export const FailedRecordAbsent: Invariant = {
  name: 'FailedRecordAbsent',
  claim: 'A send that failed definitely is in no replica\'s log.',
  why:
    'A definite failure (every attempt rejected before appending: NOT_ENOUGH_REPLICAS, INVALID_PRODUCER_EPOCH, ' +
    'OUT_OF_ORDER_SEQUENCE_NUMBER, or never sent) tells the application the record was not written (reference §3.4).',
  check(state) {
    const violations: Violation[] = [];
    const failed = new Set<number>();
    forEachSend(state, (info, id) => {
      if (info.outcome === 'fail') failed.add(id);
    });
    if (failed.size === 0) return violations;
    state.cluster.partitions.forEach((p, partition) => {
      p.replicas.forEach((replica, r) => {
        for (const stored of recordsOf(replica.log)) {
          if (failed.has(stored.send)) {
            violations.push({ code: 'failed_record_present', partition, replica: r, send: stored.send, offset: stored.offset });
          }
        }
      });
    });
    return violations;
  },
};

export const INVARIANTS: readonly Invariant[] = [
  NoAckedRecordLost,
  NoDuplicateRecord,
  SessionOrderKept,
  NoPhantomRecord,
  AckedOffsetHoldsRecord,
  FailedRecordAbsent,
];

export function invariantByName(name: string): Invariant | undefined {
  return INVARIANTS.find((inv) => inv.name === name);
}

export interface InvariantResult {
  readonly invariant: string;
  readonly violations: readonly Violation[];
}

/** Check invariants and return those that are violated. */
export function violatedInvariants(state: State, invariants: readonly Invariant[]): InvariantResult[] {
  const out: InvariantResult[] = [];
  for (const invariant of invariants) {
    const violations = invariant.check(state);
    if (violations.length > 0) out.push({ invariant: invariant.name, violations });
  }
  return out;
}
