/**
 * Which shipped suite a counterexample repeats. A user's ad-hoc check (or a suite expected to hold)
 * that breaks an invariant by a mechanism the project already documents should say so: "see
 * finding X" is a minute's reading, a fresh trace is ten.
 *
 * Each mechanism is read from the trace itself, never from a suite name: the config, the violation,
 * and the states step by step (what requested the epoch bump, what a restarted broker kept, what a
 * leader accepted from an unknown producer id). The first that matches is named; a trace matching
 * none gets no name, which says nothing more than that.
 */

import { logEndOffset } from '../model/broker.js';
import type { Violation } from '../model/invariants.js';
import type { State } from '../model/types.js';
import type { Report } from './report.js';

export interface KnownMechanism {
  /** The suite that shows this mechanism. */
  readonly suite: string;
  /** The mechanism, in a clause. */
  readonly how: string;
}

type Trace = Pick<Report, 'config' | 'events' | 'states' | 'violation'>;

interface Facts {
  readonly idempotence: boolean;
  readonly acks: string;
  readonly mutant: boolean;
  readonly final: State;
  readonly violations: readonly Violation[];
  readonly trace: Trace;
}

interface Mechanism extends KnownMechanism {
  readonly invariant: string;
  readonly matches: (facts: Facts) => boolean;
}

/**
 * A broker came back caching fewer batches for a producer than it had when it stopped: its log
 * loading started from a snapshot, which keeps only each producer's last batch. A clean shutdown
 * writes one at the log end (UL `close`); after a crash, log recovery writes one there
 * (LogLoader `recoverSegment`) and the broker loads it (broker.ts `reloadAfterRestart`).
 */
function restartForgotBatches(facts: Facts): boolean {
  const { events, states } = facts.trace;
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
 * earlier one of the same producer was not in its log.
 */
function unknownProducerAcceptedGap(facts: Facts): boolean {
  const { events, states } = facts.trace;
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

/**
 * What made the producer request the epoch bump that preceded the violation: a batch failed past
 * its delivery deadline (SND `canRetry` false, TM `handleFailedBatch` with adjustSequences), or an
 * OUT_OF_ORDER_SEQUENCE_NUMBER answer (TM `canRetry`); null when no bump was requested.
 */
function bumpRequestedBy(facts: Facts): 'deadline' | 'out-of-order' | 'other' | null {
  const { events, states } = facts.trace;
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

/** A duplicate whose copies come from different sends: the application sent the record again. */
function resent(facts: Facts): boolean {
  return facts.violations.some((v) => v.code === 'duplicate_record' && new Set(v.sends).size > 1);
}

const MECHANISMS: readonly Mechanism[] = [
  {
    invariant: 'NoDuplicateRecord',
    suite: 'restart.at-least-once-duplicates',
    how: 'the application sent the record again; a new send gets a new sequence, which idempotence does not recognise',
    matches: resent,
  },
  {
    invariant: 'NoDuplicateRecord',
    suite: 'delivery.acks1-retry-duplicates',
    how: 'idempotence is off, so a retry after a lost acknowledgement appends the batch again',
    matches: (f) => !f.idempotence,
  },
  {
    invariant: 'NoDuplicateRecord',
    suite: 'caveat.producer-id-expiry-duplicates',
    how: 'a broker expired the producer id, so the retry of an appended batch was accepted as new',
    matches: (f) => f.final.ghost.stats.producerStateLosses > 0,
  },
  {
    invariant: 'NoDuplicateRecord',
    suite: 'finding.failure-after-deadline-rewrites-in-flight',
    how: 'a batch failed after its delivery deadline, and the epoch bump that followed rewrote an appended batch behind it from sequence 0',
    matches: (f) => bumpRequestedBy(f) === 'deadline',
  },
  {
    invariant: 'NoDuplicateRecord',
    suite: 'finding.clean-broker-restart-duplicates',
    how: "a broker restarted from a producer snapshot, which keeps only each producer's last batch (a clean shutdown writes one at the log end; log recovery after a crash writes one there too), so the retry of an earlier appended batch was OUT_OF_ORDER and the epoch bump wrote it again",
    matches: (f) => restartForgotBatches(f) && bumpRequestedBy(f) === 'out-of-order',
  },
  {
    invariant: 'NoDuplicateRecord',
    suite: 'finding.new-producer-id-duplicated-below-min-isr',
    how: "a leader that did not know the producer id accepted a later batch while the first was not in its log; the first's retry was OUT_OF_ORDER, and the epoch bump rewrote the appended one",
    matches: (f) => unknownProducerAcceptedGap(f) && bumpRequestedBy(f) === 'out-of-order',
  },
  {
    invariant: 'SessionOrderKept',
    suite: 'ordering.non-idempotent-pipelined-reorders',
    how: 'idempotence is off, so a retried batch is appended after a later one that got through first',
    matches: (f) => !f.idempotence,
  },
  {
    invariant: 'SessionOrderKept',
    suite: 'finding.new-producer-id-reordered-by-leader-move',
    how: 'a leader that did not know the producer id accepted a later batch while the first was not in its log (it accepts any sequence from an unknown producer id)',
    matches: unknownProducerAcceptedGap,
  },
  {
    invariant: 'NoAckedRecordLost',
    suite: 'delivery.acks0-loses-acknowledged',
    how: 'with acks=0 a record counts as acknowledged when it is sent, before any broker has it',
    matches: (f) => f.acks === '0',
  },
  {
    invariant: 'NoAckedRecordLost',
    suite: 'replication.unclean-election-loses',
    how: 'an out-of-sync replica was elected (unclean election) without what the old leader had acknowledged',
    matches: (f) => f.final.ghost.stats.uncleanElections > 0,
  },
  {
    invariant: 'NoAckedRecordLost',
    suite: 'replication.acks1-loses-on-failover',
    how: 'with acks=1 the leader acknowledged before a follower had the record, and then lost leadership',
    matches: (f) => f.acks === '1' && f.final.ghost.stats.leaderElections > 0,
  },
];

/**
 * The other shipped suite whose mechanism this counterexample repeats, or null: none for a mutant's
 * trace, none for a suite's own mechanism.
 */
export function otherKnownMechanism(report: Trace & Pick<Report, 'suite'>): KnownMechanism | null {
  const known = knownMechanism(report);
  return known === null || known.suite === report.suite ? null : known;
}

/** The sentence a report or a table row gives for it. */
export function describeKnown(known: KnownMechanism): string {
  return `the trace repeats a known mechanism, shown by suite ${known.suite}: ${known.how} (npx idemcheck check --suite ${known.suite})`;
}

/** The shipped suite whose mechanism this counterexample repeats, or null. A mutant's trace gets none. */
export function knownMechanism(trace: Trace): KnownMechanism | null {
  const final = trace.states.at(-1);
  if (final === undefined) return null;
  const facts: Facts = {
    idempotence: String(trace.config['enable.idempotence']) === 'true',
    acks: String(trace.config.acks),
    mutant: trace.config.mutant !== undefined && trace.config.mutant !== 'none',
    final,
    violations: trace.violation.violations,
    trace,
  };
  if (facts.mutant) return null;
  const found = MECHANISMS.find((m) => m.invariant === trace.violation.invariant && m.matches(facts));
  return found === undefined ? null : { suite: found.suite, how: found.how };
}
