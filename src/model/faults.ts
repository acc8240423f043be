/**
 * Faults and bounds: one table each. A fault names the events it enables, the bound its events
 * use up, what it needs to fire at all, and its help text. The model's enabling and counting
 * (system.ts), suite validation, the CLI's checks (idle bounds, faults that can never fire) and
 * `idemcheck list` all read these tables.
 */

import type { Event, EventKind, Setup } from './events.js';
import type { ConsumerCounters } from './consumer-types.js';
import type { TxnCounters } from './txn-types.js';
import type { Counters } from './types.js';

/** Explicit limits on one behaviour (qualifier last, as TigerStyle asks). */
export interface Bounds {
  /** New records the application sends. */
  readonly recordsMax: number;
  /** Resends by an at-least-once application. */
  readonly resendsMax: number;
  /** Steps in one behaviour. */
  readonly eventsMax: number;
  /** Disconnects, request timeouts, broker produce timeouts and dropped messages. */
  readonly lostMessagesMax: number;
  /** Producer restarts. */
  readonly restartsMax: number;
  /** Broker crashes and clean shutdowns (their restarts are free). */
  readonly crashesMax: number;
  /** ISR shrinks, leader moves and producer-state losses. */
  readonly clusterChangesMax: number;
  /** Broker power losses (their restarts are free). */
  readonly powerLossesMax: number;
  // The consumer side's bounds. Optional: a setup without `consumer=` leaves them out, and a
  // missing one is 0 (its faults cannot fire without a consumer group anyway).
  /** Consumer crashes (restarts are free). */
  readonly consumerCrashesMax?: number;
  /** Lost OffsetCommit responses. */
  readonly lostCommitResponsesMax?: number;
  /** Rebalances forced on a stable group, and evictions of a live member. */
  readonly rebalancesMax?: number;
  // The transactional side's bounds (transactional.id). Optional like the consumer's; a missing one is 0.
  /** Transactions the application begins (beginTransaction() calls). */
  readonly transactionsMax?: number;
  /** Transaction timeouts (the coordinator's abort). */
  readonly txnTimeoutsMax?: number;
  /** Transaction coordinator failovers. */
  readonly coordinatorFailoversMax?: number;
  /** Requests to the coordinator held up on their way (delayed-request). */
  readonly delayedRequestsMax?: number;
  /** Steps of the zombie instance. */
  readonly zombieStepsMax?: number;
  /** Produce requests a broker handles after their connection closed (delayed-produce). Optional; a missing one is 0. */
  readonly delayedProducesMax?: number;
}

/** A bound's value in a setup: a missing (consumer) bound is 0. */
export function boundValue(bounds: Bounds, bound: keyof Bounds): number {
  return bounds[bound] ?? 0;
}

/** The consumer side's bounds (the optional ones). */
export const CONSUMER_BOUNDS: readonly (keyof Bounds)[] = ['consumerCrashesMax', 'lostCommitResponsesMax', 'rebalancesMax'];

/** The transactional side's bounds (optional, like the consumer's). */
export const TXN_BOUNDS: readonly (keyof Bounds)[] = ['transactionsMax', 'txnTimeoutsMax', 'coordinatorFailoversMax', 'delayedRequestsMax', 'zombieStepsMax'];

/** delayed-produce's bound (optional too: a setup without the fault leaves it out). */
export const DELAYED_PRODUCE_BOUNDS: readonly (keyof Bounds)[] = ['delayedProducesMax'];

/** Every optional bound: a setup may leave each out, and a missing one is 0. */
export const OPTIONAL_BOUNDS: readonly (keyof Bounds)[] = [...CONSUMER_BOUNDS, ...TXN_BOUNDS, ...DELAYED_PRODUCE_BOUNDS];

interface BoundRule {
  /** The counter (State.counters, or State.consumers.counters for a consumer bound) that the events using the bound raise. */
  readonly counter: keyof Counters | keyof ConsumerCounters | keyof TxnCounters;
  /** Its name in "the ... bound is reached". */
  readonly name: string;
  readonly help: string;
}

export const BOUNDS: { readonly [B in keyof Bounds]-?: BoundRule } = {
  recordsMax: { counter: 'records', name: 'records', help: 'new records the application sends' },
  resendsMax: { counter: 'resends', name: 'resends', help: 'resends by an at-least-once application' },
  eventsMax: { counter: 'events', name: 'events', help: 'steps in one behaviour' },
  lostMessagesMax: { counter: 'lostMessages', name: 'lost-messages', help: 'disconnects, request timeouts, broker produce timeouts and dropped messages' },
  restartsMax: { counter: 'restarts', name: 'restarts', help: 'producer restarts' },
  crashesMax: { counter: 'crashes', name: 'crashes', help: 'broker crashes and clean shutdowns (restarts are free)' },
  clusterChangesMax: { counter: 'clusterChanges', name: 'cluster-changes', help: 'ISR shrinks, leader moves and producer-state losses' },
  powerLossesMax: { counter: 'powerLosses', name: 'power-losses', help: 'broker power losses (restarts are free)' },
  consumerCrashesMax: { counter: 'consumerCrashes', name: 'consumer-crashes', help: 'consumer crashes (restarts are free); needs consumer=' },
  lostCommitResponsesMax: { counter: 'lostCommitResponses', name: 'lost-commit-responses', help: 'lost OffsetCommit responses; needs consumer=' },
  rebalancesMax: { counter: 'rebalances', name: 'rebalances', help: 'rebalances of a stable group and evictions of a live member; needs consumer=' },
  transactionsMax: { counter: 'transactions', name: 'transactions', help: 'transactions the application begins; needs transactional.id' },
  txnTimeoutsMax: { counter: 'txnTimeouts', name: 'txn-timeouts', help: "transaction timeouts (the coordinator's abort); needs transactional.id" },
  coordinatorFailoversMax: { counter: 'coordinatorFailovers', name: 'coordinator-failovers', help: 'transaction coordinator failovers; needs transactional.id' },
  delayedRequestsMax: { counter: 'delayedRequests', name: 'delayed-requests', help: 'coordinator requests read after later ones; needs transactional.id' },
  delayedProducesMax: { counter: 'delayedProduces', name: 'delayed-produces', help: 'produce requests a broker handles after the client closed their connection (delayed-produce)' },
  zombieStepsMax: { counter: 'zombieSteps', name: 'zombie-steps', help: 'steps of the old producer instance after a restart; needs transactional.id' },
};

/** Bounds on progress rather than faults: the event kind that uses each up. */
const PROGRESS_BOUNDS: Readonly<Partial<Record<EventKind, keyof Bounds>>> = { AppSend: 'recordsMax', AppResend: 'resendsMax', AppBeginTransaction: 'transactionsMax' };

interface FaultRule {
  /** The event kinds the fault enables. */
  readonly events: readonly EventKind[];
  /** The fault enables only the out-of-order reads (nth above 0) of its kinds; in-order reads are progress. */
  readonly outOfOrderOnly: boolean;
  /** The bound each of its events uses up, or null when it has none. */
  readonly bound: keyof Bounds | null;
  /** It needs network=lossy: beyond what TCP allows. */
  readonly lossyOnly: boolean;
  /** Why it can never fire with replication.factor=1, or null when it can. */
  readonly needsFollower: string | null;
  readonly help: string;
  /** Why its events are disabled while it is off (the default names the fault). */
  readonly off?: string;
  /** It needs a consumer group (`consumer=`): its events act on the consumer side. */
  readonly needsConsumer?: true;
  /** It needs a transactional producer (`transactional.id`): its events act on the transactional side. */
  readonly needsTxn?: true;
}

/**
 * Faults a suite may allow. Normal protocol steps (sends, drains, deliveries, fetches, restarts of
 * crashed brokers) are always allowed; each fault enables a family of events.
 */
export const FAULT_TABLE = {
  disconnect: {
    events: ['NetworkDisconnect'],
    outOfOrderOnly: false,
    bound: 'lostMessagesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a connection breaks, losing every unread request and response on it (the "lost ack")',
  },
  'request-timeout': {
    events: ['ProducerRequestTimeout', 'BrokerProduceTimeout'],
    outOfOrderOnly: false,
    bound: 'lostMessagesMax',
    lossyOnly: false,
    needsFollower: null,
    help: "the client's request timeout closes a connection; the broker's purgatory times out",
  },
  'delivery-timeout': {
    events: ['ProducerDeliveryTimeout'],
    outOfOrderOnly: false,
    bound: null,
    lossyOnly: false,
    needsFollower: null,
    help: 'delivery.timeout.ms runs out for a batch: the sender expires it, or a response after it fails it',
  },
  'producer-restart': {
    events: ['ProducerRestart'],
    outOfOrderOnly: false,
    bound: 'restartsMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'the producer process restarts and gets a new producer id',
  },
  'broker-crash': {
    events: ['BrokerCrash'],
    outOfOrderOnly: false,
    bound: 'crashesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a broker crashes (crash-stop, log kept) and may restart; leaders fail over',
  },
  'broker-clean-shutdown': {
    events: ['BrokerShutdown'],
    outOfOrderOnly: false,
    bound: 'crashesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a broker shuts down cleanly, keeping one batch per producer in its snapshot',
  },
  'isr-shrink': {
    events: ['LeaderShrinkIsr'],
    outOfOrderOnly: false,
    bound: 'clusterChangesMax',
    lossyOnly: false,
    needsFollower: 'it drops a lagging follower from the ISR',
    help: 'a lagging follower is dropped from the ISR',
  },
  'leader-change': {
    events: ['ControllerMoveLeader'],
    outOfOrderOnly: false,
    bound: 'clusterChangesMax',
    lossyOnly: false,
    needsFollower: 'it moves leadership to another live in-sync replica',
    help: 'leadership moves between live in-sync replicas (NOT_LEADER_OR_FOLLOWER)',
  },
  'power-loss': {
    events: ['BrokerPowerLoss'],
    outOfOrderOnly: false,
    bound: 'powerLossesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a broker loses power and restarts without what it had not flushed to disk (BrokerFlush events flush)',
  },
  'producer-state-loss': {
    events: ['BrokerExpireProducer'],
    outOfOrderOnly: false,
    bound: 'clusterChangesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a replica expires a producer id (producer.id.expiration.ms)',
  },
  'drop-message': {
    events: ['NetworkDrop'],
    outOfOrderOnly: false,
    bound: 'lostMessagesMax',
    lossyOnly: true,
    needsFollower: null,
    help: 'lossy network only: one message is dropped without breaking the connection',
    off: 'dropping single messages needs network=lossy (and, in a suite, the drop-message fault)',
  },
  'reorder-message': {
    events: ['ProducerReceive', 'BrokerReceive'],
    outOfOrderOnly: true,
    bound: null,
    lossyOnly: true,
    needsFollower: null,
    help: 'lossy network only: a later message overtakes an earlier one',
    off: 'reordering needs network=lossy and, in a suite, the reorder-message fault',
  },
  'consumer-crash': {
    events: ['ConsumerCrash'],
    outOfOrderOnly: false,
    bound: 'consumerCrashesMax',
    lossyOnly: false,
    needsFollower: null,
    needsConsumer: true,
    help: 'a consumer process crashes (at any point of poll, process, commit) and may restart as a new member',
  },
  'lost-commit-response': {
    events: ['ConsumerCommitResponseLost'],
    outOfOrderOnly: false,
    bound: 'lostCommitResponsesMax',
    lossyOnly: false,
    needsFollower: null,
    needsConsumer: true,
    help: 'the coordinator stores an OffsetCommit but its response is lost; commitSync retries the same offsets',
  },
  rebalance: {
    events: ['GroupPrepareRebalance'],
    outOfOrderOnly: false,
    bound: 'rebalancesMax',
    lossyOnly: false,
    needsFollower: null,
    needsConsumer: true,
    help: 'the stable group rebalances while its members live (e.g. a metadata change): each rejoins at its next poll()',
  },
  'poll-timeout': {
    events: ['GroupEvictMember'],
    outOfOrderOnly: false,
    bound: 'rebalancesMax',
    lossyOnly: false,
    needsFollower: null,
    needsConsumer: true,
    help: "a live member's poll() is late (max.poll.interval.ms): the group evicts it while it still processes what poll returned",
  },
  'txn-request-timeout': {
    events: ['ProducerTxnRequestTimeout'],
    outOfOrderOnly: false,
    bound: 'lostMessagesMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: "request.timeout.ms on the transaction coordinator connection: the transaction manager sends its request again while the first copy may still arrive",
  },
  zombie: {
    events: ['ProducerZombieStep'],
    outOfOrderOnly: false,
    bound: 'zombieStepsMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: 'a restarted transactional producer\'s old instance keeps running (its sends, commits and requests carry the old epoch)',
  },
  'txn-timeout': {
    events: ['CoordinatorAbortTimedOut'],
    outOfOrderOnly: false,
    bound: 'txnTimeoutsMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: 'transaction.timeout.ms passes: the coordinator bumps the epoch and aborts an Ongoing transaction',
  },
  'coordinator-failover': {
    events: ['CoordinatorFailover'],
    outOfOrderOnly: false,
    bound: 'coordinatorFailoversMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: 'the transaction coordinator moves: a new coordinator epoch reloads the transaction log',
  },
  'delayed-request': {
    events: ['CoordinatorDelayRequest'],
    outOfOrderOnly: false,
    bound: 'delayedRequestsMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: 'a request to the transaction coordinator (a timed-out EndTxn, say) is held up on its way and arrives after later ones of the same producer',
  },
  'delayed-produce': {
    events: ['BrokerDelayProduce'],
    outOfOrderOnly: false,
    bound: 'delayedProducesMax',
    lossyOnly: false,
    needsFollower: null,
    help: 'a produce request the broker has read outlives its connection (request.timeout.ms): the client retries it on a new connection and the broker still appends the first copy later',
  },
  'marker-retry': {
    events: ['CoordinatorRetryMarker'],
    outOfOrderOnly: false,
    bound: 'lostMessagesMax',
    lossyOnly: false,
    needsFollower: null,
    needsTxn: true,
    help: 'a WriteTxnMarkers request is retried after a disconnect while its first copy still lands later',
  },
} as const satisfies Readonly<Record<string, FaultRule>>;

export type Fault = keyof typeof FAULT_TABLE;

export const FAULTS: readonly Fault[] = Object.keys(FAULT_TABLE) as Fault[];

export function faultRule(fault: Fault): FaultRule {
  return FAULT_TABLE[fault];
}

export const FAULT_HELP: Readonly<Record<Fault, string>> = Object.fromEntries(FAULTS.map((f) => [f, faultRule(f).help])) as Record<Fault, string>;

export const BOUND_HELP: Readonly<Record<keyof Bounds, string>> = Object.fromEntries(Object.entries(BOUNDS).map(([b, rule]) => [b, rule.help])) as Record<keyof Bounds, string>;

/** The faults whose events use up each fault bound; with none of them injected the bound limits nothing. */
export const FAULTS_OF_BOUND: Readonly<Partial<Record<keyof Bounds, readonly Fault[]>>> = (() => {
  const out: Partial<Record<keyof Bounds, Fault[]>> = {};
  for (const fault of FAULTS) {
    const bound = faultRule(fault).bound;
    if (bound !== null) (out[bound] ??= []).push(fault);
  }
  return out;
})();

/**
 * Whether a bound limits anything in a setup: a fault bound needs one of its faults injected,
 * resendsMax an application that resends (AppResend is enabled only for at-least-once).
 */
export function boundInUse(bound: keyof Bounds, faults: readonly Fault[], application: string): boolean {
  if (bound === 'resendsMax') return application === 'at-least-once';
  const using = FAULTS_OF_BOUND[bound];
  return using === undefined || using.some((f) => faults.includes(f));
}

/** Whether `fault` can fire in a setup: it is injected, on a network it needs. */
export function faultOn(setup: Setup, fault: Fault): boolean {
  const rule = faultRule(fault);
  return (
    setup.faults.includes(fault) &&
    (!rule.lossyOnly || setup.config.network === 'lossy') &&
    (rule.needsConsumer !== true || setup.config.consumer !== null) &&
    (rule.needsTxn !== true || setup.config.txn !== null)
  );
}

/** Why the events of `fault` are disabled while it is off. */
export function faultOffReason(fault: Fault): string {
  return faultRule(fault).off ?? `the ${fault} fault is not enabled`;
}

/** Whether `fault` acts on the consumer side (and so needs `consumer=`). */
export function needsConsumer(fault: Fault): boolean {
  return faultRule(fault).needsConsumer === true;
}

/** Whether `fault` acts on the transactional side (and so needs `transactional.id`). */
export function needsTxn(fault: Fault): boolean {
  return faultRule(fault).needsTxn === true;
}

/** The faults a network allows: all of them on a lossy one, the TCP ones otherwise. */
export function faultsAllowedOn(network: string): readonly Fault[] {
  return FAULTS.filter((f) => network === 'lossy' || !faultRule(f).lossyOnly);
}

/** Per event kind: the fault that enables every event of the kind, and the bound each uses up. */
export interface KindGate {
  readonly fault: Fault | null;
  readonly bound: keyof Bounds | null;
}

export const KIND_GATES: Readonly<Partial<Record<EventKind, KindGate>>> = (() => {
  const out: Partial<Record<EventKind, KindGate>> = {};
  for (const [kind, bound] of Object.entries(PROGRESS_BOUNDS) as [EventKind, keyof Bounds][]) out[kind] = { fault: null, bound };
  for (const fault of FAULTS) {
    const rule = faultRule(fault);
    if (rule.outOfOrderOnly) continue;
    for (const kind of rule.events) out[kind] = { fault, bound: rule.bound };
  }
  return out;
})();

/** The kinds of which only the out-of-order reads are a fault (reorder-message). */
const OUT_OF_ORDER_KINDS: readonly EventKind[] = FAULTS.flatMap((f) => (faultRule(f).outOfOrderOnly ? faultRule(f).events : []));

/**
 * Events that inject a fault (as opposed to the protocol making progress). Explorers draw them
 * less often, so that runs make progress between faults. Reading a message out of order is a
 * fault too (lossy network only).
 */
export function isFault(event: Event): boolean {
  const gate = KIND_GATES[event.kind];
  if (gate !== undefined && gate.fault !== null) return true;
  return OUT_OF_ORDER_KINDS.includes(event.kind) && 'nth' in event && event.nth > 0;
}

/**
 * Events the random explorer draws as seldom as a fault: the faults, and a page-cache flush, which
 * stands for seconds passing (a segment roll, the OS writing dirty pages back); drawn as often as
 * a protocol step it would close almost every window a power loss needs.
 */
export function drawnRarely(event: Event): boolean {
  return isFault(event) || event.kind === 'BrokerFlush';
}

/** Whether a setup's faults allow events of `kind` at all (kinds no fault gates always are). */
export function kindOn(setup: Setup, kind: EventKind): boolean {
  const gate = KIND_GATES[kind];
  return gate === undefined || gate.fault === null || faultOn(setup, gate.fault);
}
