/**
 * Events: every transition of the model, as a discriminated union named Actor + Verb.
 * Every nondeterministic choice is a small index (broker, partition, replica, nth), so that a
 * random explorer, an exhaustive explorer and a hand-written trace all drive the same model.
 */

import type { ModelConfig } from './config.js';
import { faultsAllowedOn } from './faults.js';
import type { Bounds, Fault } from './faults.js';
import type { State } from './types.js';

export type Event =
  // The application.
  | { readonly kind: 'AppSend'; readonly partition: number }
  | { readonly kind: 'AppResend'; readonly nth: number }
  // The producer client.
  | { readonly kind: 'ProducerResolve' }
  | { readonly kind: 'ProducerDrain'; readonly broker: number }
  | { readonly kind: 'ProducerReceive'; readonly broker: number; readonly nth: number }
  | { readonly kind: 'ProducerDeliveryTimeout'; readonly partition: number }
  | { readonly kind: 'ProducerExpireBatches' }
  | { readonly kind: 'ProducerRequestTimeout'; readonly broker: number }
  | { readonly kind: 'ProducerRestart' }
  // The network.
  | { readonly kind: 'NetworkDisconnect'; readonly broker: number }
  | { readonly kind: 'NetworkDrop'; readonly broker: number; readonly direction: 'request' | 'response'; readonly nth: number }
  // Brokers and the controller.
  | { readonly kind: 'BrokerReceive'; readonly broker: number; readonly nth: number }
  | { readonly kind: 'BrokerCompleteProduce'; readonly broker: number }
  | { readonly kind: 'BrokerProduceTimeout'; readonly broker: number }
  | { readonly kind: 'ReplicaFetch'; readonly partition: number; readonly replica: number }
  | { readonly kind: 'LeaderShrinkIsr'; readonly partition: number; readonly replica: number }
  | { readonly kind: 'BrokerCrash'; readonly broker: number }
  | { readonly kind: 'BrokerShutdown'; readonly broker: number }
  | { readonly kind: 'BrokerRestart'; readonly broker: number }
  | { readonly kind: 'ControllerMoveLeader'; readonly partition: number; readonly replica: number }
  | { readonly kind: 'BrokerExpireProducer'; readonly partition: number; readonly replica: number; readonly nth: number }
  | { readonly kind: 'BrokerFlush'; readonly broker: number }
  | { readonly kind: 'BrokerPowerLoss'; readonly broker: number }
  // delayed-produce (produce.ts): a request held past its connection's close, handled later.
  | { readonly kind: 'BrokerDelayProduce'; readonly broker: number }
  | { readonly kind: 'BrokerReceiveDelayed'; readonly nth: number }
  // The consumer group (consumer-events.ts), with `consumer=` only.
  | { readonly kind: 'ConsumerPoll'; readonly consumer: number }
  | { readonly kind: 'ConsumerPollAutoCommit'; readonly consumer: number }
  | { readonly kind: 'ConsumerFetch'; readonly consumer: number; readonly partition: number }
  | { readonly kind: 'ConsumerProcess'; readonly consumer: number }
  | { readonly kind: 'ConsumerWriteId'; readonly consumer: number }
  | { readonly kind: 'ConsumerCommit'; readonly consumer: number }
  | { readonly kind: 'ConsumerCommitResponseLost'; readonly consumer: number }
  | { readonly kind: 'ConsumerCrash'; readonly consumer: number }
  | { readonly kind: 'ConsumerRestart'; readonly consumer: number }
  | { readonly kind: 'GroupCompleteRebalance' }
  | { readonly kind: 'GroupExpireSession'; readonly nth: number }
  | { readonly kind: 'GroupEvictMember'; readonly nth: number }
  | { readonly kind: 'GroupPrepareRebalance' }
  // Transactions (txn-events.ts), with transactional.id only.
  | { readonly kind: 'AppInitTransactions' }
  | { readonly kind: 'AppBeginTransaction' }
  | { readonly kind: 'AppCommitTransaction' }
  | { readonly kind: 'AppAbortTransaction' }
  | { readonly kind: 'ProducerSendTxnRequest' }
  | { readonly kind: 'ProducerReceiveTxnResponse' }
  | { readonly kind: 'ProducerTxnRequestTimeout' }
  | { readonly kind: 'CoordinatorReceive'; readonly nth: number }
  | { readonly kind: 'CoordinatorAppendLog' }
  | { readonly kind: 'BrokerWriteMarker'; readonly nth: number }
  | { readonly kind: 'CoordinatorAbortTimedOut' }
  | { readonly kind: 'CoordinatorFailover' }
  | { readonly kind: 'CoordinatorRetryMarker'; readonly nth: number }
  | { readonly kind: 'BrokerWriteLateMarker'; readonly nth: number }
  | { readonly kind: 'AppCommitOffsets' }
  | { readonly kind: 'ProducerZombieStep'; readonly nth: number }
  | { readonly kind: 'CoordinatorDelayRequest'; readonly nth: number }
  | { readonly kind: 'CoordinatorReceiveDelayed'; readonly nth: number }
  | { readonly kind: 'BrokerCompleteMarker'; readonly nth: number };

export type EventKind = Event['kind'];

// The fault and bound vocabulary, declared in faults.ts, also under this module's name.
export { BOUND_HELP, BOUNDS, boundInUse, boundValue, CONSUMER_BOUNDS, OPTIONAL_BOUNDS, TXN_BOUNDS, FAULT_HELP, FAULT_TABLE, FAULTS, FAULTS_OF_BOUND, drawnRarely, isFault, needsConsumer } from './faults.js';
export type { Bounds, Fault } from './faults.js';

/** The events of one kind. */
export type EventOf<K extends EventKind> = Extract<Event, { readonly kind: K }>;

/**
 * One event kind's rule, written as TLA+ writes an action: its enabling condition beside its state
 * change. `disabled` says why the event cannot happen in a state (null when it can) and must give a
 * reason, not throw, for any event a trace file may hold; `apply` is called only for an enabled event.
 * Each actor's file exports the rules of its events; system.ts dispatches through them and, from
 * faults.ts's tables, checks the fault that enables a kind (before `disabled`) and the bound it
 * uses up (after), and counts that bound when it applies the event.
 */
export interface EventRule<K extends EventKind> {
  disabled(setup: Setup, state: State, event: EventOf<K>): string | null;
  apply(setup: Setup, state: State, event: EventOf<K>): State;
}

/** The rules of a set of event kinds, one entry per kind. */
export type EventRules<K extends EventKind> = { readonly [P in K]: EventRule<P> };

export const EVENT_KINDS: readonly EventKind[] = [
  'AppSend',
  'AppResend',
  'ProducerResolve',
  'ProducerDrain',
  'ProducerReceive',
  'ProducerDeliveryTimeout',
  'ProducerExpireBatches',
  'ProducerRequestTimeout',
  'ProducerRestart',
  'NetworkDisconnect',
  'NetworkDrop',
  'BrokerReceive',
  'BrokerCompleteProduce',
  'BrokerProduceTimeout',
  'ReplicaFetch',
  'LeaderShrinkIsr',
  'BrokerCrash',
  'BrokerShutdown',
  'BrokerRestart',
  'ControllerMoveLeader',
  'BrokerExpireProducer',
  'BrokerFlush',
  'BrokerPowerLoss',
  'BrokerDelayProduce',
  'BrokerReceiveDelayed',
  'ConsumerPoll',
  'ConsumerPollAutoCommit',
  'ConsumerFetch',
  'ConsumerProcess',
  'ConsumerWriteId',
  'ConsumerCommit',
  'ConsumerCommitResponseLost',
  'ConsumerCrash',
  'ConsumerRestart',
  'GroupCompleteRebalance',
  'GroupExpireSession',
  'GroupEvictMember',
  'GroupPrepareRebalance',
  'AppInitTransactions',
  'AppBeginTransaction',
  'AppCommitTransaction',
  'AppAbortTransaction',
  'ProducerSendTxnRequest',
  'ProducerReceiveTxnResponse',
  'ProducerTxnRequestTimeout',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'BrokerWriteMarker',
  'CoordinatorAbortTimedOut',
  'CoordinatorFailover',
  'CoordinatorRetryMarker',
  'BrokerWriteLateMarker',
  'AppCommitOffsets',
  'ProducerZombieStep',
  'CoordinatorDelayRequest',
  'CoordinatorReceiveDelayed',
  'BrokerCompleteMarker',
];

/** delayed-produce's kinds (produce.ts): a setup without the fault never takes them. */
export const DELAYED_PRODUCE_KINDS: readonly EventKind[] = ['BrokerDelayProduce', 'BrokerReceiveDelayed'];

/** The transactional side's kinds (txn-events.ts): they act only with `transactional.id`. */
export const TXN_KINDS: readonly EventKind[] = EVENT_KINDS.slice(EVENT_KINDS.indexOf('AppInitTransactions'));

export function isTxnKind(kind: EventKind): boolean {
  return TXN_KINDS.includes(kind);
}

/** The consumer side's kinds (consumer-events.ts): they act only with `consumer=`. */
export type ConsumerKind = Extract<EventKind, `Consumer${string}` | `Group${string}`>;

export function isConsumerKind(kind: EventKind): kind is ConsumerKind {
  return kind.startsWith('Consumer') || kind.startsWith('Group');
}

/** One line of explanation per event kind. */
export const EVENT_HELP: Readonly<Record<EventKind, string>> = {
  AppSend: 'the application sends a new record to a partition (it joins the open batch or starts one)',
  AppResend: 'an at-least-once application resends a record whose send failed',
  ProducerResolve: "Sender.runOnce's prologue: resolve unresolved sequences, then bump the epoch if one was requested (with a batch past its deadline, the prologue runs inside the next drain or expiry)",
  ProducerDrain: 'the sender drains one batch per ready partition led by a broker into a produce request, then expires the batches past delivery.timeout.ms (Sender.sendProducerData)',
  ProducerReceive: 'the producer reads a produce response and completes, retries or fails each batch',
  ProducerDeliveryTimeout: "time passes: delivery.timeout.ms runs out for a partition's oldest batch still within it",
  ProducerExpireBatches: 'a sendProducerData that drains nothing: the sender fails the batches past delivery.timeout.ms with TimeoutException',
  ProducerRequestTimeout: 'request.timeout.ms: the producer closes its connection to a broker',
  ProducerRestart: 'the producer process restarts: new PID, unsent and in-flight batches gone',
  NetworkDisconnect: 'the TCP connection to a broker breaks: unread requests and unread responses are lost',
  NetworkDrop: 'lossy network only: a single request or response is dropped, beyond what TCP allows',
  BrokerReceive: 'a broker reads the next produce request on a connection and appends or rejects each batch',
  BrokerCompleteProduce: 'a parked acks=all produce completes: HW reached or leadership lost',
  BrokerProduceTimeout: "the broker's purgatory timeout answers a parked produce with REQUEST_TIMED_OUT",
  ReplicaFetch: 'a follower fetches from the leader: truncates a diverged suffix, appends, learns the HW',
  LeaderShrinkIsr: 'the leader removes a lagging follower from the ISR (replica.lag.time.max.ms)',
  BrokerCrash: 'a broker crashes; the controller fences it, shrinks ISRs and elects new leaders (uncleanly if allowed and needed)',
  BrokerShutdown: 'a broker shuts down cleanly (producer snapshots at the log end); it stops and restarts as after a crash, whose log recovery writes the same snapshot',
  BrokerRestart: 'a stopped broker restarts from a producer snapshot at its log end (one batch per producer) and rejoins',
  ControllerMoveLeader: 'leadership moves to another in-sync replica while the old leader lives',
  BrokerExpireProducer: "a replica forgets a producer id (producer.id.expiration.ms)",
  BrokerFlush: "a broker's page cache reaches the disk: every replica's log is flushed to its end (a segment roll, or the OS writing back; only with the power-loss fault)",
  BrokerPowerLoss: 'a broker loses power: it stops as after a crash, and each of its replicas loses the log past its last flush',
  BrokerDelayProduce:
    "a broker has read the next produce request on a connection and not yet handled it when the client's request.timeout.ms closes the connection: the client fails and retries what it sent there; the broker keeps the request",
  BrokerReceiveDelayed: 'a request handler finally handles a produce request whose connection is closed: appends or rejects each batch as BrokerReceive does; the answer is dropped',
  ConsumerPoll: 'a consumer calls poll(): joins or rejoins the group, takes its assignment, or returns the fetched records',
  ConsumerPollAutoCommit: 'consumer=auto-commit: poll() after auto.commit.interval.ms, which first commits what earlier polls returned',
  ConsumerFetch: "a consumer's fetch-side round trip for one partition: fetch up to the HW, reset, or validate after a leader change",
  ConsumerProcess: 'the application processes the next returned record into the sink (or skips a remembered id)',
  ConsumerWriteId: 'consumer=dedup-non-atomic: the second write, the processed id, after the effect',
  ConsumerCommit: "the application's commitSync(): the coordinator checks member and generation and stores the offsets",
  ConsumerCommitResponseLost: 'commitSync()\'s offsets are stored but the response is lost; the client will send them again',
  ConsumerCrash: 'a consumer process crashes: positions, fetched and returned records gone; the group still lists it',
  ConsumerRestart: 'a crashed consumer restarts as a new process; its first poll joins the group as a new member',
  GroupCompleteRebalance: 'every member has rejoined: a new generation, RangeAssignor assigns the partitions',
  GroupExpireSession: "the coordinator removes a member whose process is gone (session.timeout.ms)",
  GroupEvictMember: 'the coordinator removes a live member whose poll() is late (max.poll.interval.ms), which goes on processing',
  GroupPrepareRebalance: 'the stable group starts a rebalance while its members live (e.g. a metadata change); all must rejoin',
  AppInitTransactions: 'initTransactions(): the transaction manager will ask the coordinator for the producer id and a new epoch',
  AppBeginTransaction: 'beginTransaction(): READY to IN_TRANSACTION, locally',
  AppCommitTransaction: 'commitTransaction(): COMMITTING; EndTxn(COMMIT) goes once every batch is complete (ctp: the offsets first)',
  AppAbortTransaction: 'abortTransaction(): ABORTING; undrained batches fail, EndTxn(ABORT) goes once the rest are complete',
  ProducerSendTxnRequest: "the transaction manager sends its next request (InitProducerId, AddPartitionsToTxn, offsets, EndTxn), one at a time",
  ProducerReceiveTxnResponse: 'the transaction manager reads the coordinator\'s answer: done, retried, abortable or fatal',
  ProducerTxnRequestTimeout: 'request.timeout.ms on the coordinator connection: the transaction manager sends its request again; the first copy may still arrive',
  CoordinatorReceive: 'the transaction coordinator handles the next request on its connection',
  CoordinatorAppendLog: 'the coordinator\'s pending transition is written to the transaction log and applied; its answer goes out',
  BrokerWriteMarker: "a partition leader appends a transaction marker (COMMIT or ABORT) the coordinator sent it",
  CoordinatorAbortTimedOut: 'transaction.timeout.ms passes: the coordinator fences the epoch and aborts the Ongoing transaction',
  CoordinatorFailover: 'the transaction log partition changes leader: a new coordinator epoch reloads the state from the log',
  CoordinatorRetryMarker: 'a WriteTxnMarkers request is retried after a disconnect while its first copy is still on its way',
  BrokerWriteLateMarker: 'the first copy of a retried marker lands late at its partition leader',
  AppCommitOffsets: 'txn-app=ctp-separate-commit: after commitTransaction() returned, the consumer commits its offsets in a separate OffsetCommit',
  ProducerZombieStep: 'the old producer instance, still running after the restart, takes one of its own steps',
  CoordinatorDelayRequest: 'a request to the coordinator is held up on its way (a connection the client gave up on): later requests overtake it',
  CoordinatorReceiveDelayed: 'a delayed request finally reaches the coordinator, which handles it',
  BrokerCompleteMarker: "a marker parked at its leader (acks=-1) is answered: acknowledged once the HW passes it, or, after a leader change or the ISR below min.insync.replicas, sent again by the coordinator",
};

/** Everything the model needs besides the state: what is simulated and within which limits. */
export interface Setup {
  readonly config: ModelConfig;
  readonly faults: readonly Fault[];
  readonly bounds: Bounds;
}

/** Bounds that never bind, for stepping a hand-written trace. */
export const UNBOUNDED: Bounds = {
  recordsMax: Number.POSITIVE_INFINITY,
  resendsMax: Number.POSITIVE_INFINITY,
  eventsMax: Number.POSITIVE_INFINITY,
  lostMessagesMax: Number.POSITIVE_INFINITY,
  restartsMax: Number.POSITIVE_INFINITY,
  crashesMax: Number.POSITIVE_INFINITY,
  clusterChangesMax: Number.POSITIVE_INFINITY,
  powerLossesMax: Number.POSITIVE_INFINITY,
  consumerCrashesMax: Number.POSITIVE_INFINITY,
  lostCommitResponsesMax: Number.POSITIVE_INFINITY,
  rebalancesMax: Number.POSITIVE_INFINITY,
  transactionsMax: Number.POSITIVE_INFINITY,
  txnTimeoutsMax: Number.POSITIVE_INFINITY,
  coordinatorFailoversMax: Number.POSITIVE_INFINITY,
  delayedRequestsMax: Number.POSITIVE_INFINITY,
  zombieStepsMax: Number.POSITIVE_INFINITY,
  delayedProducesMax: Number.POSITIVE_INFINITY,
};

/** A setup for stepping a hand-written trace: every fault the network mode allows, no bounds. */
export function traceSetup(config: ModelConfig): Setup {
  return { config, faults: faultsAllowedOn(config.network), bounds: UNBOUNDED };
}
