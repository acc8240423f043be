/**
 * What each event kind, invariant and witness reads and writes: the declarations the explorer's
 * partial-order reduction (src/checker/por.ts) derives independence and invisibility from. Two
 * events are independent when neither writes a cell the other reads or writes; an event is
 * invisible when it writes no cell a checked invariant (or a sought witness) reads.
 *
 * Sound by default: a kind, invariant or witness missing from these tables reads and writes every
 * cell ('*'), so it is dependent on everything and visible to everything, and a new event kind
 * (or a new State field, which only undeclared kinds touch) cannot make the reduction unsound.
 *
 * Cells. A footprint is an over-approximation, valid in every state where the event is enabled
 * (reads include what `disabled` reads):
 *   producer        the producer client, the application's resend list, the next producer id
 *   sends           the ghost's sends (ids, outcomes, offsets): the invariants' view of the application
 *   stats           the ghost's statistics: only added to (withStats/bump), so two adds commute;
 *                   an add is still a write for visibility (witnesses read the statistics)
 *   toBroker:b      the requests on the connection to broker b
 *   toClient:b      the responses and the parked produce request on that connection
 *   alive:b         whether broker b runs
 *   leader:p        partition p's leader, leader epoch and the epoch's start offset
 *   isr:p           partition p's ISR and the leader's view of its followers' log ends
 *   leaderLog:p     the log of partition p's current leader replica
 *   leaderRest:p    the rest of that replica (high watermark, producer state, flushed offset)
 *   followerLog:p:r the log of replica r of partition p, while r is not its leader
 *   follower:p:r    the rest of that replica (high watermark, producer state, flushed offset)
 *   counter:NAME    a bound's counter (State.counters or the consumer side's); every event's own
 *                   bound is added by por.ts from faults.ts's KIND_GATES, not declared here
 *   consumers       the whole consumer side
 * `leaderLog`, `leaderRest`, `followerLog` and `follower` name a replica by its role, which `leader:p` decides:
 * por.ts makes every footprint that touches a role cell of p read `leader:p` as well, and every
 * write of `leader:p` write all of p's cells (a new leader renames the roles).
 * The events counter (the depth bound) is not a cell: explore.ts distrusts a reduced search that
 * reaches that bound (the reduction holds for the unbounded system, see por.ts).
 */

import type { EventKind } from './events.js';

export interface Footprint {
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** Cells only added to (commutative): they conflict with reads, not with other adds. */
  readonly adds?: readonly string[];
}

/** The indices of one class of events: the event's own fields except `nth` (which footprints never depend on). */
export interface EventIndices {
  readonly broker?: number;
  readonly partition?: number;
  readonly replica?: number;
  readonly direction?: string;
}

export interface Dimensions {
  readonly brokers: number;
  readonly partitions: number;
}

export const ALL_CELLS = '*';

/** The index fields of each declared kind's events (besides `nth`): the classes a footprint is declared for. */
export const EVENT_INDICES: Readonly<Partial<Record<EventKind, readonly (keyof EventIndices)[]>>> = {
  AppSend: ['partition'],
  AppResend: [],
  ProducerResolve: [],
  ProducerDrain: ['broker'],
  ProducerReceive: ['broker'],
  ProducerDeliveryTimeout: ['partition'],
  ProducerExpireBatches: [],
  ProducerRequestTimeout: ['broker'],
  ProducerRestart: [],
  NetworkDisconnect: ['broker'],
  NetworkDrop: ['broker', 'direction'],
  BrokerReceive: ['broker'],
  BrokerCompleteProduce: ['broker'],
  BrokerProduceTimeout: ['broker'],
  ReplicaFetch: ['partition', 'replica'],
  LeaderShrinkIsr: ['partition', 'replica'],
  BrokerCrash: ['broker'],
  BrokerShutdown: ['broker'],
  BrokerRestart: ['broker'],
  ControllerMoveLeader: ['partition', 'replica'],
  BrokerExpireProducer: ['partition', 'replica'],
  BrokerFlush: ['broker'],
  BrokerPowerLoss: ['broker'],
};

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const each = (n: number, cell: (i: number) => string): string[] => range(n).map(cell);
/** Every cell of partition p. */
const partitionCells = (p: number, d: Dimensions): string[] => [`leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`, ...followerCells(p, d)];
const followerCells = (p: number, d: Dimensions): string[] => range(d.brokers).flatMap((r) => [`followerLog:${p}:${r}`, `follower:${p}:${r}`]);
/** The log of every replica of partition p. */
const allLogs = (p: number, d: Dimensions): string[] => [`leaderLog:${p}`, ...each(d.brokers, (r) => `followerLog:${p}:${r}`)];
const allPartitions = (d: Dimensions): string[] => range(d.partitions).flatMap((p) => partitionCells(p, d));
const allLeaders = (d: Dimensions): string[] => each(d.partitions, (p) => `leader:${p}`);
/** A completion of sends reaches the application (application.ts applyOutbox): outcomes, resend list, statistics. */
const OUTBOX = ['producer', 'sends'];
/** network.ts breakConnection(b): the connection emptied, the producer fails its requests (applyOutbox). */
const breakConnection = (b: number): string[] => [`toBroker:${b}`, `toClient:${b}`, ...OUTBOX];

/**
 * Footprints of the producer-side and cluster kinds, each with the rule it was read from. The
 * consumer kinds are left undeclared (dependent on everything) for now.
 */
export const EVENT_FOOTPRINTS: Readonly<Partial<Record<EventKind, (e: EventIndices, d: Dimensions) => Footprint>>> = {
  // application.ts appSend: the producer's accumulator, a new send (its id is the sends' length), the record's key.
  AppSend: () => ({ reads: ['producer', 'sends', 'consumers'], writes: ['producer', 'sends', 'consumers'] }),
  // application.ts AppResend: the resend list, a new send, the producer's accumulator.
  AppResend: () => ({ reads: ['producer', 'sends', 'consumers'], writes: ['producer', 'sends', 'consumers'], adds: ['stats'] }),
  // producer-events.ts ProducerResolve: the prologue (resolveAndBump reads the next producer id), then applyOutbox.
  ProducerResolve: () => ({ reads: OUTBOX, writes: OUTBOX, adds: ['stats'] }),
  // producer-events.ts ProducerDrain: alive[b] and every partition's leader (`leaders`), the producer; appends a
  // request to toBroker:b; marks sends transmitted; expiry's completions (applyOutbox).
  ProducerDrain: (e, d) => ({ reads: [`alive:${e.broker}`, ...allLeaders(d), ...OUTBOX, `toBroker:${e.broker}`], writes: [...OUTBOX, `toBroker:${e.broker}`], adds: ['stats'] }),
  // producer-events.ts producerReceive: takes a response off toClient:b, completes or retries batches, marks sends rejected.
  ProducerReceive: (e) => ({ reads: [`toClient:${e.broker}`, ...OUTBOX], writes: [`toClient:${e.broker}`, ...OUTBOX], adds: ['stats'] }),
  // producer-events.ts ProducerDeliveryTimeout: passDeadline changes the producer only.
  ProducerDeliveryTimeout: () => ({ reads: ['producer'], writes: ['producer'] }),
  // producer-events.ts ProducerExpireBatches: beforeSend and expireBatches, then applyOutbox.
  ProducerExpireBatches: () => ({ reads: OUTBOX, writes: OUTBOX, adds: ['stats'] }),
  // producer-events.ts ProducerRequestTimeout: enabled by the producer's requests to b; breakConnection(b).
  ProducerRequestTimeout: (e) => ({ reads: breakConnection(e.broker as number), writes: breakConnection(e.broker as number), adds: ['stats'] }),
  // producer-events.ts producerRestart: every connection emptied, a new producer (next producer id), applyOutbox.
  ProducerRestart: (_e, d) => {
    const cells = [...each(d.brokers, (b) => `toBroker:${b}`), ...each(d.brokers, (b) => `toClient:${b}`), ...OUTBOX];
    return { reads: cells, writes: cells, adds: ['stats'] };
  },
  // network.ts NetworkDisconnect: enabled by a busy connection (connectionBusy reads both queues); breakConnection(b).
  NetworkDisconnect: (e) => ({ reads: breakConnection(e.broker as number), writes: breakConnection(e.broker as number), adds: ['stats'] }),
  // network.ts NetworkDrop: removes one request or response of connection b; statistics.
  NetworkDrop: (e) => {
    const cell = e.direction === 'request' ? `toBroker:${e.broker}` : `toClient:${e.broker}`;
    return { reads: [cell], writes: [cell], adds: ['stats'] };
  },
  // produce.ts brokerReceive: alive[b], a request off toBroker:b; for each partition in it the leader, ISR
  // and the leader's replica (appendAsLeader, maybeIncrementLeaderHw), or b's own replica read as a
  // non-leader; a response or a parked request (tryComplete reads every partition); with acks=0 a
  // failure breaks the connection.
  BrokerReceive: (e, d) => {
    const b = e.broker as number;
    const partitions = range(d.partitions).flatMap((p) => [`leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`, `followerLog:${p}:${b}`, `follower:${p}:${b}`]);
    return { reads: [`alive:${b}`, ...partitions, ...breakConnection(b)], writes: [...range(d.partitions).flatMap((p) => [`leaderLog:${p}`, `leaderRest:${p}`]), ...breakConnection(b)], adds: ['stats'] };
  },
  // produce.ts tryComplete(b): the parked request against every partition's leader, ISR and high watermark.
  BrokerCompleteProduce: (e, d) => ({
    reads: [`toClient:${e.broker}`, ...range(d.partitions).flatMap((p) => [`leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`])],
    writes: [`toClient:${e.broker}`],
    adds: ['stats'],
  }),
  // produce.ts BrokerProduceTimeout: answers the parked request of connection b.
  BrokerProduceTimeout: (e) => ({ reads: [`toClient:${e.broker}`], writes: [`toClient:${e.broker}`], adds: ['stats'] }),
  // cluster-events.ts ReplicaFetch / cluster.ts replicaFetch: enabled for a live follower with work (fetchHasWork
  // reads the leader's log and HW); the follower truncates and appends, the leader learns its log end (isr:p,
  // ISR expansion) and may advance its HW (leaderRest:p). The leader's log is only read.
  ReplicaFetch: (e) => {
    const { partition: p, replica: r } = e;
    return {
      reads: [`alive:${r}`, `leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`, `followerLog:${p}:${r}`, `follower:${p}:${r}`],
      writes: [`isr:${p}`, `leaderRest:${p}`, `followerLog:${p}:${r}`, `follower:${p}:${r}`],
      adds: ['stats'],
    };
  },
  // cluster-events.ts LeaderShrinkIsr / cluster.ts isOutOfSync, shrinkIsr: the ISR against the leader's log end; the HW may advance.
  LeaderShrinkIsr: (e) => {
    const p = e.partition as number;
    return { reads: [`leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`], writes: [`isr:${p}`, `leaderRest:${p}`], adds: ['stats'] };
  },
  // cluster-events.ts stopBroker: breakConnection(b), alive[b], and every partition fenced (fenceBroker reads
  // every broker's alive flag to elect).
  BrokerCrash: (e, d) => stopFootprint(e.broker as number, d),
  BrokerShutdown: (e, d) => stopFootprint(e.broker as number, d),
  BrokerPowerLoss: (e, d) => stopFootprint(e.broker as number, d),
  // cluster-events.ts restartBroker: alive[b], b's replicas reloaded, elections (unfenceBroker).
  BrokerRestart: (e, d) => ({ reads: [`alive:${e.broker}`, ...allPartitions(d)], writes: [`alive:${e.broker}`, ...allPartitions(d)], adds: ['stats'] }),
  // cluster-events.ts ControllerMoveLeader: a new leader for p (all of p's cells), and the old leader's parked
  // produce completes (tryComplete on the old leader: any connection's toClient).
  ControllerMoveLeader: (e, d) => {
    const cells = [`alive:${e.replica}`, ...partitionCells(e.partition as number, d), ...each(d.brokers, (b) => `toClient:${b}`), ...range(d.partitions).flatMap((p) => [`leader:${p}`, `isr:${p}`, `leaderLog:${p}`, `leaderRest:${p}`])];
    return { reads: cells, writes: [...partitionCells(e.partition as number, d), ...each(d.brokers, (b) => `toClient:${b}`)], adds: ['stats'] };
  },
  // cluster-events.ts BrokerExpireProducer / broker.ts expireProducer: replica r's producer state (not its log), r leader or not.
  BrokerExpireProducer: (e) => {
    const { partition: p, replica: r } = e;
    return { reads: [`alive:${r}`, `leader:${p}`, `leaderRest:${p}`, `follower:${p}:${r}`], writes: [`leaderRest:${p}`, `follower:${p}:${r}`], adds: ['stats'] };
  },
  // cluster-events.ts BrokerFlush: every replica of b flushed to its log end (b leader or not).
  BrokerFlush: (e, d) => {
    const b = e.broker as number;
    const replicas = range(d.partitions).flatMap((p) => [`leader:${p}`, `leaderLog:${p}`, `leaderRest:${p}`, `followerLog:${p}:${b}`, `follower:${p}:${b}`]);
    return { reads: [`alive:${b}`, ...replicas], writes: range(d.partitions).flatMap((p) => [`leaderRest:${p}`, `follower:${p}:${b}`]) };
  },
};

function stopFootprint(b: number, d: Dimensions): Footprint {
  const cells = [...each(d.brokers, (x) => `alive:${x}`), ...allPartitions(d), ...breakConnection(b)];
  return { reads: cells, writes: cells, adds: ['stats'] };
}

/**
 * What each invariant reads (invariants.ts). Most read the leader's log of every partition, which
 * (by the role rule) includes the leader's identity.
 */
export const INVARIANT_READS: Readonly<Record<string, (d: Dimensions) => readonly string[]>> = {
  // leaderReplica(p).log, and inTransit: every connection's requests.
  NoAckedRecordLost: (d) => ['sends', ...each(d.partitions, (p) => `leaderLog:${p}`), ...each(d.brokers, (b) => `toBroker:${b}`)],
  // loadCommitted: the leader's log below its HW.
  NoDuplicateRecord: (d) => ['sends', ...each(d.partitions, (p) => `leaderLog:${p}`), ...each(d.partitions, (p) => `leaderRest:${p}`)],
  SessionOrderKept: (d) => ['sends', ...each(d.partitions, (p) => `leaderLog:${p}`), ...each(d.partitions, (p) => `leaderRest:${p}`)],
  // Every replica's log.
  NoPhantomRecord: (d) => ['sends', ...range(d.partitions).flatMap((p) => allLogs(p, d))],
  AckedOffsetHoldsRecord: (d) => ['sends', ...each(d.partitions, (p) => `leaderLog:${p}`)],
  FailedRecordAbsent: (d) => ['sends', ...range(d.partitions).flatMap((p) => allLogs(p, d))],
  DistinctAckedOffsets: () => ['sends'],
  NoDuplicateAcrossPartitions: (d) => ['sends', ...each(d.partitions, (p) => `leaderLog:${p}`), ...each(d.partitions, (p) => `leaderRest:${p}`)],
};

/** What each witness reads (witnesses.ts): the sends, or the ghost's statistics. */
export const WITNESS_READS: Readonly<Record<string, (d: Dimensions) => readonly string[]>> = Object.fromEntries([
  ['RecordAcknowledged', () => ['sends']],
  ['RecordFailed', () => ['sends']],
  ...[
    'BatchRetried',
    'Pipelined',
    'PipelineFull',
    'AckLost',
    'RequestLost',
    'LostAckDeduplicated',
    'OutOfOrderAnswered',
    'EpochBumped',
    'DeliveryTimedOut',
    'FailedAfterDeadline',
    'ProducerRestarted',
    'RecordResent',
    'NotEnoughReplicas',
    'LeaderFailedOver',
    'UncleanElection',
    'LogTruncated',
    'IsrShrunk',
    'ProducerStateLost',
    'UnflushedTailLost',
    'DelayedProduceAppendedLate',
    'DelayedProduceRefused',
  ].map((name) => [name, () => ['stats']]),
]);
