/**
 * Transactions (issue 19): what transactional.id, read_committed and the coordinator's fencing add
 * to the idempotent producer, and where even transactions fall short (KAFKA-17754, the late
 * duplicated marker). Each expected verdict is what Kafka's source gives (cited beside the rules in
 * src/model/txn.ts and txn-events.ts), not what the checker happened to find.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite } from '../src/checker/suite.js';
import type { Bounds } from '../src/model/events.js';
import { SMALL } from './common.js';

/** One partition, two records, one restart, two transactions. */
const TXN_SMALL: Bounds = { ...SMALL, recordsMax: 2, resendsMax: 2, eventsMax: 60, lostMessagesMax: 0, restartsMax: 1, transactionsMax: 2 };

const RESTART_CONFIG = { 'transactional.id': 'orders', application: 'at-least-once' } as const;

export const restartReadCommitted: Suite = defineSuite({
  name: 'txn.restart-read-committed',
  claim: 'A transactional producer restarted mid-transaction is fenced by its new instance, which aborts the open transaction; a read_committed consumer never sees the aborted copy of a resent record, and every transaction is whole.',
  config: { ...RESTART_CONFIG, 'isolation.level': 'read_committed' },
  faults: ['producer-restart'],
  bounds: TXN_SMALL,
  invariants: ['NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: ['ProducerRestarted', 'RecordResent', 'TransactionCommitted', 'AbortedTransactionSkipped'],
  expect: { verdict: 'holds' },
  runs: 400,
});

export const restartReadUncommitted: Suite = defineSuite({
  name: 'txn.restart-read-uncommitted-sees-aborted',
  claim: 'The same restart read with isolation.level=read_uncommitted returns the aborted copy of the resent record: only read_committed consumers get the transactional guarantee.',
  config: { ...RESTART_CONFIG, 'isolation.level': 'read_uncommitted' },
  faults: ['producer-restart'],
  bounds: TXN_SMALL,
  invariants: ['NoAbortedRead'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoAbortedRead' },
  runs: 400,
  mechanism: {
    how: "the producer restarted mid-transaction; the new instance's InitProducerId fenced the old epoch and aborted the open transaction, whose records a read_uncommitted consumer still returns",
    // The reader from offset 0 (no `consumer`): a consumer group's own aborted read is txn.group-read-uncommitted-processes-aborted's.
    shows: (trace) => trace.config.txn?.isolation === 'read_uncommitted' && trace.events.some((e) => e.kind === 'ProducerRestart') && trace.violations.some((v) => v.code === 'aborted_read' && v.consumer === undefined),
  },
});


const ZOMBIE_BOUNDS: Bounds = { ...TXN_SMALL, recordsMax: 3, resendsMax: 0, eventsMax: 70, zombieStepsMax: 10 };
const ZOMBIE_CONFIG = { 'transactional.id': 'orders', 'isolation.level': 'read_committed' } as const;

export const zombieFenced: Suite = defineSuite({
  name: 'txn.zombie-fenced',
  claim: "An old instance that keeps running after its restart is fenced: once the new instance's initTransactions() returned, nothing the old one writes becomes visible to read_committed and it commits nothing.",
  config: ZOMBIE_CONFIG,
  faults: ['producer-restart', 'zombie'],
  bounds: ZOMBIE_BOUNDS,
  invariants: ['ZombieFenced', 'NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: ['ZombieFencedWrite', 'TransactionCommitted'],
  expect: { verdict: 'holds' },
  runs: 1500,
});

export const timeoutFences: Suite = defineSuite({
  name: 'txn.timeout-aborts-and-fences',
  claim: 'A transaction open past transaction.timeout.ms is aborted by the coordinator with an epoch bump: its records never become visible and the producer is fenced.',
  config: ZOMBIE_CONFIG,
  faults: ['txn-timeout'],
  bounds: { ...TXN_SMALL, restartsMax: 0, txnTimeoutsMax: 1 },
  invariants: ['NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: ['TransactionTimedOut', 'TimedOutProducerFenced', 'AbortedTransactionSkipped'],
  expect: { verdict: 'holds' },
  runs: 800,
});

export const coordinatorFailover: Suite = defineSuite({
  name: 'txn.coordinator-failover',
  claim: 'A transaction coordinator failover reloads the transaction log: a transaction already prepared is completed by the new coordinator, and transactions stay whole.',
  config: ZOMBIE_CONFIG,
  faults: ['coordinator-failover'],
  bounds: { ...TXN_SMALL, restartsMax: 0, coordinatorFailoversMax: 1 },
  invariants: ['NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: ['CoordinatorFailedOver', 'TransactionCommitted'],
  expect: { verdict: 'holds' },
  runs: 800,
});

export const mutantNoFenceBump: Suite = defineSuite({
  name: 'mutant.txn-no-fence-bump',
  claim: "A coordinator that forgets to bump the epoch when a new instance initialises leaves the old instance's epoch valid: the zombie's writes or commit get through.",
  config: { ...ZOMBIE_CONFIG, mutant: 'no-fence-bump' },
  faults: ['producer-restart', 'zombie'],
  bounds: ZOMBIE_BOUNDS,
  invariants: ['ZombieFenced'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'ZombieFenced' },
  runs: 3000,
});

export const mutantIgnoreAbortedIndex: Suite = defineSuite({
  name: 'mutant.txn-ignore-aborted-index',
  claim: 'A read_committed consumer that ignores the aborted-transaction index returns the aborted copy after a restart mid-transaction.',
  config: { ...RESTART_CONFIG, 'isolation.level': 'read_committed', mutant: 'ignore-aborted-index' },
  faults: ['producer-restart'],
  bounds: TXN_SMALL,
  invariants: ['NoAbortedRead'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoAbortedRead' },
  runs: 2000,
});

/**
 * A consumer group reading the transactional topic (consumer=): two consumers that store each
 * partition's next offset with the effect, so that their own crashes and rebalances neither skip
 * nor repeat a record, beside a transactional producer that restarts and resends its open
 * transaction.
 */
const GROUP_CONFIG = { ...RESTART_CONFIG, consumer: 'offsets-in-sink', consumers: 2 } as const;
const GROUP_BOUNDS: Bounds = { ...TXN_SMALL, eventsMax: 70, consumerCrashesMax: 1, lostCommitResponsesMax: 0, rebalancesMax: 1 };
const GROUP_FAULTS = ['producer-restart', 'consumer-crash', 'rebalance'] as const;

export const groupReadCommitted: Suite = defineSuite({
  name: 'txn.group-read-committed',
  claim:
    "A read_committed consumer group never gets or processes a record of an aborted transaction: its fetches stop at the LSO and drop what the aborted index lists, across the producer's restart and the group's crashes and rebalances; no transaction is torn, and no committed record is skipped.",
  config: { ...GROUP_CONFIG, 'isolation.level': 'read_committed' },
  faults: GROUP_FAULTS,
  bounds: GROUP_BOUNDS,
  invariants: ['NoAbortedRecordProcessed', 'NoAbortedRead', 'TransactionAtomic', 'NoRecordSkipped', 'ProcessedInLogOrder'],
  witnesses: ['ProducerRestarted', 'ConsumerSkippedAbortedTxn', 'ConsumerWaitedAtLso', 'RecordProcessed', 'ConsumerCrashed', 'RebalanceCompleted'],
  expect: { verdict: 'holds' },
  runs: 300,
});

/**
 * The contrast, kept small for its shrinking's sake (a read_uncommitted group's counterexample needs
 * only the restart): one consumer, no consumer faults, one record.
 */
export const groupReadUncommitted: Suite = defineSuite({
  name: 'txn.group-read-uncommitted-processes-aborted',
  claim: 'A consumer group reading with isolation.level=read_uncommitted gets the record of the transaction a producer restart aborted: its fetch reads up to the HW, past the open transaction, and the aborted index is not consulted.',
  config: { 'transactional.id': 'orders', consumer: 'offsets-in-sink', 'isolation.level': 'read_uncommitted' },
  faults: ['producer-restart'],
  bounds: { ...TXN_SMALL, recordsMax: 1, resendsMax: 0, transactionsMax: 1, eventsMax: 40, consumerCrashesMax: 0, lostCommitResponsesMax: 0, rebalancesMax: 0 },
  invariants: ['NoAbortedRecordProcessed'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoAbortedRecordProcessed' },
  runs: 300,
  mechanism: {
    how: 'a read_uncommitted consumer of the group fetched the record of an open transaction up to the HW; the restarted producer then fenced and aborted that transaction, and the group had its record',
    shows: (trace) => trace.config.txn?.isolation === 'read_uncommitted' && trace.config.consumer !== null && trace.violations.some((v) => v.code === 'aborted_read' && v.consumer !== undefined),
  },
});

/** Two partitions, two transactions, one timed-out EndTxn re-sent, the first copy read late. */
const DELAYED_BOUNDS: Bounds = { ...SMALL, recordsMax: 3, resendsMax: 0, eventsMax: 60, lostMessagesMax: 1, restartsMax: 0, transactionsMax: 2, delayedRequestsMax: 1 };
const DELAYED_CONFIG = { 'transactional.id': 'orders', partitions: 2, 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' } as const;

/**
 * Not among the suites `check` runs (REACHED_BY_TRACE): the model reaches this violation by the
 * 53-event trace examples/kafka-17754-stale-endtxn-tv1.json (NoCommittedWriteLost at event 51,
 * TransactionAtomic at 53; also txn-events.test.ts), but the random search did not find it: none
 * in 150,000 runs under the swarm-only draws, none in 100,000 ad-hoc runs under the mixed draws,
 * and the explorer reached depth 29 in 300,000 states.
 */
export const staleEndTxnTv1: Suite = defineSuite({
  name: 'txn.kafka-17754-stale-endtxn-tv1',
  claim: "Under transaction.version=1 (3.8's protocol) an EndTxn that timed out and was re-sent can land in the producer's next transaction, ending part of it: the transaction is torn (KAFKA-17754).",
  config: { ...DELAYED_CONFIG, 'transaction.version': 1 },
  faults: ['txn-request-timeout', 'delayed-request'],
  bounds: DELAYED_BOUNDS,
  invariants: ['NoCommittedWriteLost', 'TransactionAtomic'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoCommittedWriteLost' },
  runs: 20000,
  mechanism: {
    how: "an EndTxn the client had given up on (request timeout, sent again) was read by the coordinator after the next transaction began: TV1 checks only the producer id and epoch, so it ended the new transaction's first partitions",
    shows: (trace) => trace.config.txn?.version === 1 && (trace.states.at(-1)?.txn?.ghost.staleEndTxn ?? 0) > 0,
  },
});

/**
 * The witness StaleEndTxnFenced makes this verdict mean something: a late EndTxn reached the
 * coordinator and was fenced. The random search reaches that path rarely (11 runs in 30,000 at the
 * default seed, the first at run 8,461), hence the run count.
 */
export const staleEndTxnTv2: Suite = defineSuite({
  name: 'txn.kafka-17754-stale-endtxn-tv2',
  claim: 'Under transaction.version=2 (KIP-890 part 2) every EndTxn bumps the epoch, so a late EndTxn of an earlier transaction is fenced (PRODUCER_FENCED) and transactions stay whole.',
  config: { ...DELAYED_CONFIG, 'transaction.version': 2 },
  faults: ['txn-request-timeout', 'delayed-request'],
  bounds: DELAYED_BOUNDS,
  invariants: ['TransactionAtomic', 'NoCommittedWriteLost', 'NoAbortedRead'],
  witnesses: ['TransactionCommitted', 'StaleEndTxnFenced'],
  expect: { verdict: 'holds' },
  runs: 30000,
});

/**
 * One partition, two transactions, one produce request held by the broker past its connection's
 * close (delayed-produce), and batches that may pass delivery.timeout.ms.
 */
const DELAYED_PRODUCE_BOUNDS: Bounds = { ...SMALL, recordsMax: 2, resendsMax: 0, eventsMax: 50, lostMessagesMax: 0, restartsMax: 0, transactionsMax: 2, delayedProducesMax: 1 };
const DELAYED_PRODUCE_CONFIG = { 'transactional.id': 'orders', 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' } as const;

/**
 * Not among the suites `check` runs (REACHED_BY_TRACE): the model reaches it by the 38-event
 * trace examples/kafka-17754-delayed-produce-tv1.json (NoAbortedRead at event 38; also
 * src/model/delayed-produce.test.ts), but the random search did not find it: none in 100,000
 * ad-hoc runs (seed 20261125, 40 steps, 323 s) nor in 20,000 at 50 steps with three records.
 * It needs a batch past its deadline drained while commitTransaction() waits, the abort, and the
 * held request handled in the window between T2's AddPartitionsToTxn and T2's own write.
 */
export const delayedProduceTv1: Suite = defineSuite({
  name: 'txn.kafka-17754-delayed-produce-tv1',
  claim: "Under transaction.version=1 (3.8's protocol, partition verification on) a produce request of an aborted transaction that the broker handles late can join the producer's next transaction, which commits it: a read_committed consumer reads a record of an aborted transaction (Jepsen's produce variant of KAFKA-17754).",
  config: { ...DELAYED_PRODUCE_CONFIG, 'transaction.version': 1 },
  faults: ['delivery-timeout', 'delayed-produce'],
  bounds: DELAYED_PRODUCE_BOUNDS,
  invariants: ['NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoAbortedRead' },
  runs: 100000,
  mechanism: {
    how: "a batch of a transaction that was then aborted without an epoch bump (it failed while the transaction was completing) reached its leader after the next transaction had added the partition: verification saw the same epoch in an Ongoing transaction holding the partition, and the next commit made the aborted record visible",
    shows: (trace) => trace.config.txn?.version === 1 && trace.violations.some((v) => v.code === 'aborted_read'),
  },
});

/**
 * The witness DelayedProduceRefused makes the verdict mean something: a held request reached its
 * leader late and was refused (40 of its 1,000 runs at the default seed; 114 of 3,000).
 */
export const delayedProduceTv2: Suite = defineSuite({
  name: 'txn.kafka-17754-delayed-produce-tv2',
  claim: 'Under transaction.version=2 (KIP-890 part 2) every transaction end bumps the epoch, so a produce request of an earlier transaction that the broker handles late is fenced, and transactions stay whole.',
  config: { ...DELAYED_PRODUCE_CONFIG, 'transaction.version': 2 },
  faults: ['delivery-timeout', 'delayed-produce'],
  bounds: DELAYED_PRODUCE_BOUNDS,
  invariants: ['NoAbortedRead', 'TransactionAtomic', 'NoCommittedWriteLost'],
  witnesses: ['DelayedProduceRefused', 'TransactionCommitted'],
  expect: { verdict: 'holds' },
  runs: 1000,
});

const CTP_BOUNDS: Bounds = { ...SMALL, recordsMax: 3, resendsMax: 0, eventsMax: 60, lostMessagesMax: 0, restartsMax: 1, transactionsMax: 3 };

export const ctpSendOffsets: Suite = defineSuite({
  name: 'txn.ctp-send-offsets-exactly-once',
  claim: 'Consume-transform-produce with sendOffsetsToTransaction (transaction.version=2) is exactly once across a producer restart: each input offset below the committed one has exactly one committed output.',
  config: { 'transactional.id': 'orders', 'txn-app': 'ctp', 'transaction.version': 2, 'isolation.level': 'read_committed' },
  faults: ['producer-restart'],
  bounds: CTP_BOUNDS,
  invariants: ['ExactlyOnceProcessing', 'TransactionAtomic', 'NoAbortedRead'],
  witnesses: ['ProducerRestarted', 'TransactionCommitted'],
  expect: { verdict: 'holds' },
  runs: 1000,
});

export const ctpSeparateCommit: Suite = defineSuite({
  name: 'txn.ctp-separate-commit-duplicates',
  claim: 'Consume-transform-produce that commits its consumer offsets after commitTransaction(), outside the transaction, produces an input twice when the producer restarts between the two commits.',
  config: { 'transactional.id': 'orders', 'txn-app': 'ctp-separate-commit', 'transaction.version': 2, 'isolation.level': 'read_committed' },
  faults: ['producer-restart'],
  bounds: { ...CTP_BOUNDS, recordsMax: 2, transactionsMax: 2, eventsMax: 50 },
  invariants: ['ExactlyOnceProcessing'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'ExactlyOnceProcessing' },
  runs: 2000,
  mechanism: {
    how: "the application committed the transaction with the output, then restarted before its separate offset commit; the new instance resumed at the old committed offset and produced the input's output again",
    shows: (trace) => trace.config.txn?.app === 'ctp-separate-commit' && trace.events.some((e) => e.kind === 'ProducerRestart') && trace.violations.some((v) => v.code === 'output_not_exactly_once'),
  },
});

/** One partition, two transactions, one marker retried while its first copy is still on its way. */
const MARKER_BOUNDS: Bounds = { ...SMALL, recordsMax: 2, resendsMax: 0, eventsMax: 36, lostMessagesMax: 1, restartsMax: 0, transactionsMax: 2 };
const MARKER_CONFIG = { 'transactional.id': 'orders', 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' } as const;

/**
 * Not among the suites `check` runs (too many runs for a check): the model reaches it under TV1 and
 * TV2 (txn-events.test.ts, "The late duplicated marker"), and the ad-hoc check `--set
 * transactional.id=o --set isolation.level=read_committed --set txn-app=commit-or-abort --faults
 * marker-retry --records 2 --max-steps 50 --lost 1 --transactions 2 --invariants
 * NoAbortedRead,NoCommittedWriteLost,TransactionAtomic --runs 60000` finds it at run 15,096 (seed
 * 20261125, 34 steps, NoCommittedWriteLost).
 *
 * The late duplicated marker (reference §5's residual gap, closed by KIP-1228 in 4.2): the first
 * copy of a retried WriteTxnMarkers lands after the producer's next transaction wrote to the same
 * partition; PAI `checkProducerEpoch` rejects only a lower epoch, so it ends that transaction there.
 */
function markerRetrySuite(version: 1 | 2): Suite {
  return defineSuite({
    name: `txn.late-marker-tv${version}`,
    claim: `Under transaction.version=${version} the first copy of a retried transaction marker, landing after the next transaction wrote to the same partition, ends that transaction's records there with the earlier transaction's result.`,
    config: { ...MARKER_CONFIG, 'transaction.version': version },
    faults: ['marker-retry'],
    bounds: MARKER_BOUNDS,
    invariants: ['NoCommittedWriteLost', 'NoAbortedRead', 'TransactionAtomic'],
    witnesses: [],
    expect: { verdict: 'violated', invariant: 'NoCommittedWriteLost' },
    runs: 30000,
    mechanism: {
      how: "a transaction marker's first copy, delayed while its retry was acknowledged, landed after the producer's next transaction had written to the partition, and ended that transaction's records there with the earlier result",
      shows: (trace) => trace.config.txn?.version === version && (trace.states.at(-1)?.txn?.ghost.lateMarkersWritten ?? 0) > 0,
    },
  });
}

export const lateMarkerTv1 = markerRetrySuite(1);
export const lateMarkerTv2 = markerRetrySuite(2);

/**
 * Replicated transactional partitions (replication.factor 3, min.insync.replicas 2, acks=all): the
 * producer restarts, a broker crashes, leadership moves. Markers are appended with acks=-1 and
 * acknowledged once the HW passes them (KafkaApis `handleWriteTxnMarkersRequest`), so a commit's
 * records and markers are on min.insync.replicas replicas before the transaction completes, and a
 * clean election keeps them.
 */
export const rf3RestartFailover: Suite = defineSuite({
  name: 'txn.rf3-restart-failover',
  claim: 'With replication.factor=3 and min.insync.replicas=2, a transactional producer that restarts while a broker crashes or leadership moves loses no committed record, reads no aborted one and tears no transaction: markers wait for the ISR before the coordinator completes.',
  config: { 'transactional.id': 'orders', application: 'at-least-once', 'isolation.level': 'read_committed', 'replication.factor': 3, 'min.insync.replicas': 2 },
  faults: ['producer-restart', 'broker-crash', 'leader-change'],
  bounds: { ...TXN_SMALL, eventsMax: 60, crashesMax: 1, clusterChangesMax: 1 },
  invariants: ['NoCommittedWriteLost', 'TransactionAtomic', 'NoAbortedRead'],
  witnesses: ['TransactionCommitted', 'MarkerAwaitedReplication', 'LeaderFailedOver', 'ProducerRestarted'],
  expect: { verdict: 'holds' },
  runs: 200,
});

/**
 * A marker parked at its leader when leadership moves is answered NOT_LEADER_OR_FOLLOWER, and TMCM
 * sends it again to the new leader (TransactionMarkerRequestCompletionHandler): the new leader's
 * log may lack the marker (truncated from the old one later), never the transaction's records.
 * Many leader moves, so that one falls while a marker waits.
 */
export const rf2MarkerResent: Suite = defineSuite({
  name: 'txn.rf2-marker-resent-to-new-leader',
  claim: 'A marker waiting for replication when its leader loses leadership is sent again to the new leader, and the transaction commits whole on every replica.',
  config: { 'transactional.id': 'orders', 'isolation.level': 'read_committed', 'replication.factor': 2, 'min.insync.replicas': 2 },
  faults: ['leader-change'],
  bounds: { ...SMALL, recordsMax: 1, resendsMax: 0, eventsMax: 60, lostMessagesMax: 0, transactionsMax: 1, clusterChangesMax: 10 },
  invariants: ['NoCommittedWriteLost', 'TransactionAtomic', 'NoAbortedRead'],
  witnesses: ['TransactionCommitted', 'MarkerAwaitedReplication', 'MarkerResentToNewLeader'],
  expect: { verdict: 'holds' },
  runs: 200,
});

/**
 * Not among the suites `check` runs (REACHED_BY_TRACE): the model reaches it by the 24-event trace
 * examples/txn-rf2-unclean-election-loses-commit.json (also txn-replication.test.ts); an ad-hoc
 * check of the same setup found nothing in 2,000 runs, since the ISR must shrink while the
 * follower lags and the leader crash must come after the commit.
 *
 * With unclean.leader.election.enable=true (and min.insync.replicas=1, which lets the ISR be the
 * leader alone) the durability of a transaction is the replication's: an out-of-sync replica
 * elected leader (PartitionChangeBuilder `electAnyLeader`, UNCLEAN) lacks the committed records.
 * Kafka documents the setting as choosing availability over durability.
 */
export const rf2UncleanLosesCommit: Suite = defineSuite({
  name: 'txn.rf2-unclean-election-loses-commit',
  claim: 'With unclean.leader.election.enable=true and min.insync.replicas=1, a transaction committed while the ISR was its leader alone is lost when that leader crashes and the out-of-sync follower is elected.',
  config: { 'transactional.id': 'orders', 'isolation.level': 'read_committed', 'replication.factor': 2, 'min.insync.replicas': 1, 'unclean.leader.election.enable': true },
  faults: ['isr-shrink', 'broker-crash'],
  bounds: { ...SMALL, recordsMax: 1, resendsMax: 0, eventsMax: 40, lostMessagesMax: 0, transactionsMax: 1, crashesMax: 1, clusterChangesMax: 1 },
  invariants: ['NoCommittedWriteLost'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoCommittedWriteLost' },
  runs: 2000,
  mechanism: {
    how: 'the ISR shrank to the leader, so the HW passed the transaction and its COMMIT marker on the leader alone; the leader crashed and the out-of-sync follower was elected uncleanly, without the committed records',
    shows: (trace) => trace.config.topic.uncleanLeaderElection && (trace.states.at(-1)?.ghost.stats.uncleanElections ?? 0) > 0 && trace.violations.some((v) => v.code === 'committed_write_lost'),
  },
});

/**
 * Suites whose counterexample the random search cannot afford to find, reached instead by a
 * hand-written trace of the suite (`idemcheck run --trace`, with `"suite"` in the file): `check`
 * does not run them; `run` steps a trace with their setup and invariants.
 */
export const REACHED_BY_TRACE: readonly Suite[] = [staleEndTxnTv1, lateMarkerTv1, lateMarkerTv2, rf2UncleanLosesCommit, delayedProduceTv1];

export default [
  restartReadCommitted,
  restartReadUncommitted,
  zombieFenced,
  timeoutFences,
  coordinatorFailover,
  // staleEndTxnTv1, lateMarkerTv1 and lateMarkerTv2 are left out: the random search needs more runs than a check can afford (see their comments).
  staleEndTxnTv2,
  rf3RestartFailover,
  rf2MarkerResent,
  // delayedProduceTv1 is left out too (REACHED_BY_TRACE): the random search did not find it in 100,000 runs.
  delayedProduceTv2,
  ctpSendOffsets,
  ctpSeparateCommit,
  mutantNoFenceBump,
  mutantIgnoreAbortedIndex,
  groupReadCommitted,
  groupReadUncommitted,
];
