/**
 * What the suites' mechanism detectors read from a counterexample: each fact comes from the events
 * and the states step by step (what requested an epoch bump, what a restarted broker kept, what a
 * leader accepted from an unknown producer id, what failed a send the application resent), never
 * from a suite name.
 */

import type { MechanismTrace } from '../src/checker/suite.js';
import { logEndOffset } from '../src/model/broker.js';
import type { Violation } from '../src/model/invariants.js';
import { duplicateInLog } from '../src/model/witnesses.js';

type Duplicate = Extract<Violation, { code: 'duplicate_record' }>;

function duplicates(trace: MechanismTrace): readonly Duplicate[] {
  return trace.violations.filter((v): v is Duplicate => v.code === 'duplicate_record');
}

/** A duplicate made by retrying one send: two copies of the record come from the same send. */
export function retriedSendWrittenTwice(trace: MechanismTrace): boolean {
  return duplicates(trace).some((v) => new Set(v.sends).size < v.sends.length);
}

/** What failed a send before the application resent its record. */
export type ResendCause = 'producer-restart' | 'delivery-timeout' | 'other';

/**
 * A duplicate whose copies come from different sends: the application sent the record again after
 * a send failed although its batch had been written. Returns what failed that send, read at the
 * step where its outcome left `pending`: a producer restart (which fails every pending send), a
 * delivery timeout (the batch expired, or failed past its deadline: SND `canRetry` false), or
 * something else; null when no duplicate comes from a resend.
 */
export function resendCause(trace: MechanismTrace): ResendCause | null {
  const resent = duplicates(trace).find((v) => new Set(v.sends).size > 1);
  if (resent === undefined) return null;
  const final = trace.states.at(-1);
  // The copy whose send failed: the application resends only a failed record.
  const failed = [...resent.sends].sort((a, b) => a - b).find((send) => {
    const outcome = final?.ghost.sends[send]?.outcome;
    return outcome === 'info' || outcome === 'fail';
  });
  if (failed === undefined) return 'other';
  for (let i = 0; i < trace.events.length; i++) {
    const before = trace.states[i];
    const after = trace.states[i + 1];
    if (before?.ghost.sends[failed]?.outcome !== 'pending' || after?.ghost.sends[failed]?.outcome === 'pending') continue;
    if (trace.events[i]?.kind === 'ProducerRestart') return 'producer-restart';
    const batch = before.producer.batches.find((b) => b.sends.includes(failed));
    if (after?.ghost.sends[failed]?.error === 'TimeoutException' || batch?.deadlinePassed === true) return 'delivery-timeout';
    return 'other';
  }
  return 'other';
}

/**
 * What made the producer request the epoch bump that preceded the violation: a batch failed past
 * its delivery deadline (SND `canRetry` false, TM `handleFailedBatch` with adjustSequences), or an
 * OUT_OF_ORDER_SEQUENCE_NUMBER answer (TM `canRetry`); null when no bump was requested.
 */
export function epochBumpCause(trace: MechanismTrace): 'deadline' | 'out-of-order' | 'other' | null {
  const { events, states } = trace;
  let cause: 'deadline' | 'out-of-order' | 'other' | null = null;
  events.forEach((event, i) => {
    const before = states[i];
    const after = states[i + 1];
    if (before === undefined || after === undefined) return;
    if (before.producer.epochBumpRequired || !after.producer.epochBumpRequired) return;
    if (after.ghost.stats.deadlineFailures > before.ghost.stats.deadlineFailures) cause = 'deadline';
    else if (event.kind === 'ProducerReceive' && (before.network[event.broker]?.toClient[event.nth]?.partitions ?? []).some((p) => p.error === 'OUT_OF_ORDER_SEQUENCE_NUMBER')) cause = 'out-of-order';
    else cause = 'other';
  });
  return cause;
}

/**
 * A broker came back caching fewer batches for a producer than it had when it stopped: its log
 * loading started from a snapshot, which keeps only each producer's last batch. A clean shutdown
 * writes one at the log end (UL `close`); after a crash, log recovery writes one there
 * (LogLoader `recoverSegment`) and the broker loads it (broker.ts `reloadAfterRestart`).
 */
export function restartForgotBatches(trace: MechanismTrace): boolean {
  const { events, states } = trace;
  const stoppedAt = new Map<number, number>();
  return events.some((event, i) => {
    if (event.kind === 'BrokerCrash' || event.kind === 'BrokerShutdown') stoppedAt.set(event.broker, i);
    if (event.kind !== 'BrokerRestart') return false;
    const before = states[stoppedAt.get(event.broker) ?? -1];
    const after = states[i + 1];
    if (before === undefined || after === undefined) return false;
    return before.cluster.partitions.some((partition, p) =>
      (partition.replicas[event.broker]?.producers ?? []).some((entry) => {
        const kept = after.cluster.partitions[p]?.replicas[event.broker]?.producers.find((e) => e.producerId === entry.producerId);
        return (kept?.batches.length ?? 0) < entry.batches.length;
      }),
    );
  });
}

/**
 * A leader appended a batch with sequence > 0 from a producer id it had no state for: it accepts
 * any sequence from an unknown producer id (PAI `checkSequence`), so a later batch got in while an
 * earlier one of the same producer was not in its log. Whatever kept the earlier one out (a
 * NOT_ENOUGH_REPLICAS or NOT_LEADER_OR_FOLLOWER rejection, a lost connection) is not read here.
 */
export function unknownProducerAcceptedGap(trace: MechanismTrace): boolean {
  const { events, states } = trace;
  return events.some((event, i) => {
    if (event.kind !== 'BrokerReceive') return false;
    const before = states[i];
    const after = states[i + 1];
    if (before === undefined || after === undefined) return false;
    return after.cluster.partitions.some((partition, p) => {
      const old = before.cluster.partitions[p]?.replicas[event.broker];
      const now = partition.replicas[event.broker];
      if (old === undefined || now === undefined) return false;
      const end = logEndOffset(old);
      return now.log.some((b) => b.baseOffset >= end && b.producerId >= 0 && b.baseSequence > 0 && !old.producers.some((e) => e.producerId === b.producerId));
    });
  });
}

/** The final state's ghost statistics (counts of notable moments over the whole trace). */
export function finalStats(trace: MechanismTrace): MechanismTrace['states'][number]['ghost']['stats'] | null {
  return trace.states.at(-1)?.ghost.stats ?? null;
}

/** What the consumer suites' detectors read from a counterexample (consumer=). */
export interface ConsumerFacts {
  /** A consumer crashed while an effect it had written was not yet covered by the group's committed offset. */
  readonly crashBetweenEffectAndCommit: boolean;
  /** A consumer crashed holding returned, unprocessed records that the group's committed offset already passed. */
  readonly crashBetweenCommitAndEffect: boolean;
  /** A consumer crashed between writing an effect and writing its record id (dedup-non-atomic). */
  readonly crashBetweenEffectAndId: boolean;
  /** Some application record is twice in a partition leader's log (a resend written again). */
  readonly duplicateInLog: boolean;
  readonly consumerCrashed: boolean;
  /** A consumer processed a record of a partition the group no longer gave it. */
  readonly processedAfterLoss: boolean;
  readonly uncleanElection: boolean;
}

export function consumerFacts(trace: MechanismTrace): ConsumerFacts {
  const final = trace.states.at(-1);
  let effectThenCrash = false;
  let commitThenCrash = false;
  let idThenCrash = false;
  trace.events.forEach((event, i) => {
    if (event.kind !== 'ConsumerCrash') return;
    const side = trace.states[i]?.consumers;
    const consumer = side?.consumers[event.consumer];
    if (side === undefined || side === null || consumer === undefined) return;
    const committed = (p: number): number => side.group.committed[p]?.offset ?? -1;
    if (side.sink.effects.some((e) => e.consumer === event.consumer && e.session === consumer.session && e.offset >= committed(e.partition))) effectThenCrash = true;
    if (consumer.returned.some((r) => r.offset < committed(r.partition))) commitThenCrash = true;
    if (consumer.phase === 'write-id') idThenCrash = true;
  });
  const stats = final?.consumers?.stats;
  return {
    crashBetweenEffectAndCommit: effectThenCrash,
    crashBetweenCommitAndEffect: commitThenCrash,
    crashBetweenEffectAndId: idThenCrash,
    duplicateInLog: final !== undefined && duplicateInLog(final),
    consumerCrashed: (stats?.consumerCrashes ?? 0) > 0,
    processedAfterLoss: (stats?.processedAfterLoss ?? 0) > 0,
    uncleanElection: (final?.ghost.stats.uncleanElections ?? 0) > 0,
  };
}
