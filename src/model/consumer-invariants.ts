/**
 * Invariants of the consumer side: what the application's sink holds against the log. Like
 * invariants.ts, each is a named claim with its reason and structured violations. They read the
 * cluster (each partition's leader log and high watermark), the group's committed offsets, the
 * sink, the consumers' unprocessed records, and the key each send's record carries.
 *
 * A partition with no leader is skipped by the log-based checks, as in invariants.ts: nothing can
 * be read from it, and a record on a stopped in-sync replica is not lost yet.
 */

import type { ConsumerSide, Effect } from './consumer-types.js';
import type { Invariant } from './invariants.js';
import { abortedOffsets } from './txn-invariants.js';
import type { ClusterState, Replica, State } from './types.js';

/**
 * What the consumer invariants read: the State's cluster and its (non-null) consumer side, and
 * whether the group reads read_committed (transactional.id with isolation.level=read_committed;
 * absent: read_uncommitted).
 */
export interface ConsumerView {
  readonly cluster: ClusterState;
  readonly consumers: ConsumerSide;
  readonly readCommitted?: boolean;
}

export type ConsumerViolation =
  | {
      readonly code: 'record_processed_twice';
      readonly record: number;
      readonly effects: readonly { readonly partition: number; readonly offset: number; readonly consumer: number; readonly session: number }[];
    }
  | {
      readonly code: 'record_skipped';
      readonly partition: number;
      readonly offset: number;
      readonly send: number;
      readonly record: number;
      /** The resume point it lies below: the group's committed offset or the sink's. */
      readonly resumeOffset: number;
    }
  | {
      readonly code: 'processed_out_of_order';
      readonly partition: number;
      readonly consumer: number;
      readonly session: number;
      readonly generation: number;
      readonly earlierEffect: { readonly offset: number; readonly record: number };
      readonly laterEffect: { readonly offset: number; readonly record: number };
    }
  | { readonly code: 'effect_of_lost_record'; readonly partition: number; readonly offset: number; readonly send: number; readonly record: number };

export interface ConsumerInvariant {
  readonly name: string;
  readonly claim: string;
  readonly why: string;
  readonly check: (view: ConsumerView) => readonly ConsumerViolation[];
}

const NONE: readonly ConsumerViolation[] = Object.freeze([]);

function leaderReplica(cluster: ClusterState, partition: number): Replica | undefined {
  const p = cluster.partitions[partition];
  return p === undefined || p.leader < 0 ? undefined : p.replicas[p.leader];
}

/** The send the leader's log holds at `offset`, or -1. */
function sendAt(replica: Replica, offset: number): number {
  for (const batch of replica.log) {
    const i = offset - batch.baseOffset;
    if (i >= 0 && i < batch.sends.length) return batch.sends[i] as number;
  }
  return -1;
}

/**
 * INV: NoRecordProcessedTwice (Jepsen `:duplicate`, on the consumer's side).
 */
export const NoRecordProcessedTwice: ConsumerInvariant = {
  name: 'NoRecordProcessedTwice',
  claim: 'Each application record has at most one effect in the sink.',
  why:
    'Once-only processing is what the idempotent producer leaves to the consumer: a resend after a producer restart is a ' +
    'second record in the log with the same key, and a consumer crash or lost partition re-delivers records already ' +
    'processed (reference §6.4). Only deduplication by the record\'s own key, stored atomically with the effect, removes both.',
  check({ consumers }) {
    const effects = consumers.sink.effects;
    let out: ConsumerViolation[] | null = null;
    for (let i = 0; i < effects.length; i++) {
      const key = (effects[i] as Effect).key;
      let earlier = false;
      for (let j = 0; j < i && !earlier; j++) earlier = (effects[j] as Effect).key === key;
      if (earlier) continue;
      const copies = effects.filter((e) => e.key === key);
      if (copies.length < 2) continue;
      (out ??= []).push({
        code: 'record_processed_twice',
        record: key,
        effects: copies.map((e) => ({ partition: e.partition, offset: e.offset, consumer: e.consumer, session: e.session })),
      });
    }
    return out ?? NONE;
  },
};

/**
 * INV: NoRecordSkipped (Jepsen `:lost`, on the consumer's side).
 */
export const NoRecordSkipped: ConsumerInvariant = {
  name: 'NoRecordSkipped',
  claim:
    'Every record of the committed log below the group\'s committed offset (or the sink\'s stored offset) has its effect in the sink, ' +
    'or a running consumer still holds it, unprocessed.',
  why:
    'A committed offset tells the group "everything before this is done": a restarted or new owner resumes there and never ' +
    'reads what lies below (CU `refreshCommittedOffsets`). Committing before processing, or a commit the client saw fail ' +
    'but the coordinator stored, leaves records below it that nobody will process (reference §6.4). The effect is looked ' +
    'up by the record\'s key, so a duplicate that deduplication skipped counts as processed. A read_committed group never ' +
    'returns a record of an aborted transaction (CompletedFetch), so none of those is owed an effect.',
  check({ cluster, consumers, readCommitted }) {
    let out: ConsumerViolation[] | null = null;
    const { group, sink, keys } = consumers;
    for (let partition = 0; partition < cluster.partitions.length; partition++) {
      const replica = leaderReplica(cluster, partition);
      if (replica === undefined) continue;
      const resumeOffset = Math.max(group.committed[partition]?.offset ?? -1, sink.offsets[partition] ?? -1);
      const below = Math.min(resumeOffset, replica.hw);
      const aborted = readCommitted === true ? abortedOffsets(replica.log) : null;
      for (const batch of replica.log) {
        for (let i = 0; i < batch.sends.length && batch.baseOffset + i < below; i++) {
          if (aborted?.has(batch.baseOffset + i) === true) continue;
          const send = batch.sends[i] as number;
          const record = keys[send] ?? -1;
          if (sink.effects.some((e) => e.key === record)) continue;
          if (consumers.consumers.some((c) => c.running && c.returned.some((r) => r.key === record))) continue;
          (out ??= []).push({ code: 'record_skipped', partition, offset: batch.baseOffset + i, send, record, resumeOffset });
        }
      }
    }
    return out ?? NONE;
  },
};

/**
 * INV: ProcessedInLogOrder.
 */
export const ProcessedInLogOrder: ConsumerInvariant = {
  name: 'ProcessedInLogOrder',
  claim: 'Within a partition, one consumer session\'s effects of one group generation follow log order.',
  why:
    'Kafka\'s ordering promise is per partition: a consumer returns a partition\'s records in offset order (FC `fetchRecords` ' +
    'returns only the batch next in line for the position). A new generation or a new session starts again from a committed ' +
    'offset, which is re-delivery, not reordering; going back within one generation happens only when the consumer detects ' +
    'that the log it read was truncated (SS `maybeCompleteValidation`) or is reset.',
  check({ consumers }) {
    const effects = consumers.sink.effects;
    let out: ConsumerViolation[] | null = null;
    for (let i = 0; i < effects.length; i++) {
      const later = effects[i] as Effect;
      // The latest earlier effect of the same partition, consumer, session and generation.
      for (let j = i - 1; j >= 0; j--) {
        const earlier = effects[j] as Effect;
        if (earlier.partition !== later.partition || earlier.consumer !== later.consumer || earlier.session !== later.session || earlier.generation !== later.generation) continue;
        if (earlier.offset >= later.offset) {
          (out ??= []).push({
            code: 'processed_out_of_order',
            partition: later.partition,
            consumer: later.consumer,
            session: later.session,
            generation: later.generation,
            earlierEffect: { offset: earlier.offset, record: earlier.key },
            laterEffect: { offset: later.offset, record: later.key },
          });
        }
        break;
      }
    }
    return out ?? NONE;
  },
};

/**
 * INV: NoEffectOfLostRecord (Jepsen `:lost-write` seen by a reader).
 */
export const NoEffectOfLostRecord: ConsumerInvariant = {
  name: 'NoEffectOfLostRecord',
  claim: 'Every effect comes from a record that is still in its partition leader\'s log, at the offset it was read from.',
  why:
    'Consumers read only below the high watermark (UL `read`), which with clean elections every future leader holds, so ' +
    'what a consumer processed is never truncated, whatever the producer\'s acks. An unclean election elects a replica ' +
    'without it: the effect then stands for a record the log no longer has. The leader\'s whole log is compared, not ' +
    'only below its HW, because a new leader\'s HW lags until its followers fetch again (PART `makeLeader`).',
  check({ cluster, consumers }) {
    let out: ConsumerViolation[] | null = null;
    for (const e of consumers.sink.effects) {
      const replica = leaderReplica(cluster, e.partition);
      if (replica === undefined || sendAt(replica, e.offset) === e.send) continue;
      (out ??= []).push({ code: 'effect_of_lost_record', partition: e.partition, offset: e.offset, send: e.send, record: e.key });
    }
    return out ?? NONE;
  },
};

export const CONSUMER_INVARIANTS: readonly ConsumerInvariant[] = [NoRecordProcessedTwice, NoRecordSkipped, ProcessedInLogOrder, NoEffectOfLostRecord];

/**
 * The consumer invariants as the model's invariants over a whole State (invariants.ts lists them):
 * a state without a consumer side has no effects, so each holds there trivially.
 */
function onState<N extends string>(name: N, inv: ConsumerInvariant): Invariant<N> {
  return {
    name,
    claim: inv.claim,
    why: inv.why,
    check: (state: State) => (state.consumers === null ? NONE : inv.check({ cluster: state.cluster, consumers: state.consumers, readCommitted: state.txn?.isolation === 'read_committed' })),
  };
}

export const CONSUMER_STATE_INVARIANTS = [
  onState('NoRecordProcessedTwice', NoRecordProcessedTwice),
  onState('NoRecordSkipped', NoRecordSkipped),
  onState('ProcessedInLogOrder', ProcessedInLogOrder),
  onState('NoEffectOfLostRecord', NoEffectOfLostRecord),
] as const;
