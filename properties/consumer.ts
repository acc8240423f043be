/**
 * The consumer side (issue 18): what a consumer group's processing loop makes of the log, from
 * send() to the effect in the application's sink. The idempotent producer writes a record once
 * per producer session only; these suites check what each consume loop does with duplicates in the
 * log and with its own crashes, lost commit responses and rebalances, and whether a consumer can
 * act on a record that a failover later removes.
 */

import { defineSuite } from '../src/checker/suite.js';
import type { Suite } from '../src/checker/suite.js';
import type { Bounds } from '../src/model/events.js';
import { SMALL } from './common.js';
import { consumerFacts } from './trace-facts.js';

/** Two records, no producer faults, one consumer crash. */
const CONSUMER_SMALL: Bounds = { ...SMALL, recordsMax: 2, lostMessagesMax: 0, eventsMax: 30, consumerCrashesMax: 1, lostCommitResponsesMax: 0, rebalancesMax: 0 };

export const processThenCommitDuplicates: Suite = defineSuite({
  name: 'consumer.process-then-commit-duplicates',
  claim: 'At-least-once processing (poll, process, then commitSync) processes a record twice when the consumer crashes between the effect and the commit.',
  config: { consumer: 'process-then-commit' },
  faults: ['consumer-crash'],
  bounds: CONSUMER_SMALL,
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  // Found within 80 runs at the median seed and 450 at the slowest of 14 seeds tried.
  runs: 2000,
  mechanism: {
    how: 'a consumer crashed after processing a record and before committing it; its restart resumed at the old committed offset and processed the record again',
    shows: (trace) => trace.config.consumer?.kind === 'process-then-commit' && consumerFacts(trace).crashBetweenEffectAndCommit,
  },
});

export const processThenCommitNoSkip: Suite = defineSuite({
  name: 'consumer.process-then-commit-no-skip',
  claim: 'At-least-once processing never skips a record, whatever the consumer crashes: it commits only what it has processed, in log order.',
  config: { consumer: 'process-then-commit' },
  faults: ['consumer-crash'],
  bounds: CONSUMER_SMALL,
  invariants: ['NoRecordSkipped', 'ProcessedInLogOrder', 'NoEffectOfLostRecord'],
  witnesses: ['ConsumerCrashed', 'RecordProcessed'],
  expect: { verdict: 'holds' },
  runs: 300,
});

export const commitThenProcessLoses: Suite = defineSuite({
  name: 'consumer.commit-then-process-loses',
  claim: 'At-most-once processing (poll, commitSync, then process) skips a record when the consumer crashes between the commit and the effect.',
  config: { consumer: 'commit-then-process' },
  faults: ['consumer-crash'],
  bounds: CONSUMER_SMALL,
  invariants: ['NoRecordSkipped'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordSkipped' },
  runs: 300,
  mechanism: {
    how: "a consumer committed the offsets after the records poll() returned, then crashed before processing them; the group resumes after them",
    shows: (trace) => trace.config.consumer?.kind === 'commit-then-process' && consumerFacts(trace).crashBetweenCommitAndEffect,
  },
});

export const autoCommitAtLeastOnce: Suite = defineSuite({
  name: 'consumer.auto-commit-at-least-once',
  claim:
    'enable.auto.commit=true with a synchronous loop is at-least-once: it never skips a record, because poll() commits only what earlier polls returned, and the loop polls again only after processing all of it.',
  config: { consumer: 'auto-commit' },
  faults: ['consumer-crash', 'rebalance', 'poll-timeout'],
  bounds: { ...CONSUMER_SMALL, rebalancesMax: 1 },
  invariants: ['NoRecordSkipped', 'ProcessedInLogOrder'],
  witnesses: ['ConsumerCrashed', 'RebalanceCompleted', 'RecordProcessed'],
  expect: { verdict: 'holds' },
  runs: 400,
});

export const autoCommitDuplicates: Suite = defineSuite({
  name: 'consumer.auto-commit-duplicates',
  claim: 'enable.auto.commit=true processes a record twice when the consumer crashes before the next poll() auto-commits what it processed.',
  config: { consumer: 'auto-commit' },
  faults: ['consumer-crash'],
  bounds: CONSUMER_SMALL,
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 300,
  mechanism: {
    how: 'a consumer crashed after processing records that no auto-commit had covered yet; its restart resumed at the old committed offset',
    shows: (trace) => trace.config.consumer?.kind === 'auto-commit' && consumerFacts(trace).crashBetweenEffectAndCommit,
  },
});

/** The end-to-end pipeline: an at-least-once producer application that restarts and resends. */
const PIPELINE = { application: 'at-least-once', consumers: 2 } as const;
const PIPELINE_BOUNDS: Bounds = {
  ...SMALL,
  recordsMax: 1,
  resendsMax: 1,
  lostMessagesMax: 1,
  restartsMax: 1,
  eventsMax: 40,
  consumerCrashesMax: 1,
  lostCommitResponsesMax: 1,
  rebalancesMax: 1,
};

export const dedupEndToEnd: Suite = defineSuite({
  name: 'consumer.dedup-end-to-end',
  claim:
    "Idempotent producer, producer restart with application resends, and a consumer that stores each record's id with its effect in one transaction: every record is processed once, although the resend put it in the log twice.",
  config: { ...PIPELINE, consumer: 'dedup' },
  faults: ['disconnect', 'producer-restart', 'consumer-crash', 'lost-commit-response', 'poll-timeout'],
  bounds: PIPELINE_BOUNDS,
  invariants: ['NoRecordProcessedTwice', 'NoRecordSkipped', 'ProcessedInLogOrder'],
  witnesses: ['DuplicateReachedLog', 'DuplicateSkippedByDedup', 'ConsumerCrashed', 'CommitResponseLost', 'ProcessedAfterPartitionLost'],
  expect: { verdict: 'holds' },
  runs: 3000,
});

export const dedupWindowOne: Suite = defineSuite({
  name: 'consumer.dedup-window-1',
  claim: 'A dedup sink that remembers only the last record id processes a record twice once another record comes between its two deliveries.',
  config: { application: 'at-least-once', consumer: 'dedup-window:1' },
  faults: ['disconnect', 'producer-restart'],
  bounds: { ...PIPELINE_BOUNDS, recordsMax: 2, consumerCrashesMax: 0, lostCommitResponsesMax: 0, rebalancesMax: 0 },
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 1000,
  mechanism: {
    how: 'the sink had forgotten the record id (a window of one id) by the time the record came again',
    shows: (trace) => trace.config.consumer?.kind === 'dedup-window' && consumerFacts(trace).duplicateInLog,
  },
});

export const dedupNonAtomic: Suite = defineSuite({
  name: 'consumer.dedup-non-atomic',
  claim: 'A dedup sink that writes the effect and then, in a second step, the record id processes a record twice when the consumer crashes between the two writes.',
  config: { consumer: 'dedup-non-atomic' },
  faults: ['consumer-crash'],
  bounds: CONSUMER_SMALL,
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 300,
  mechanism: {
    how: 'the consumer crashed after writing the effect and before writing the record id, so the re-delivered record was not recognised',
    shows: (trace) => consumerFacts(trace).crashBetweenEffectAndId,
  },
});

export const offsetsInSinkVsResend: Suite = defineSuite({
  name: 'consumer.offsets-in-sink-vs-resend',
  claim:
    'Storing the offset with the effect processes each log record once, not each application record: a resend after a producer restart is a new offset, and is processed again.',
  config: { application: 'at-least-once', consumer: 'offsets-in-sink' },
  faults: ['disconnect', 'producer-restart'],
  bounds: { ...PIPELINE_BOUNDS, consumerCrashesMax: 0, lostCommitResponsesMax: 0, rebalancesMax: 0 },
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 1000,
  mechanism: {
    how: 'the application resent a record after a producer restart; the second copy in the log has its own offset, so offset tracking processed it again',
    shows: (trace) => trace.config.consumer?.kind === 'offsets-in-sink' && consumerFacts(trace).duplicateInLog && !consumerFacts(trace).consumerCrashed,
  },
});

export const offsetsInSinkCrash: Suite = defineSuite({
  name: 'consumer.offsets-in-sink-crash',
  claim: 'Storing the next offset with the effect in one transaction, and seeking there on assignment, processes each log record exactly once across consumer crashes.',
  config: { consumer: 'offsets-in-sink' },
  faults: ['consumer-crash'],
  bounds: { ...CONSUMER_SMALL, consumerCrashesMax: 2 },
  invariants: ['NoRecordProcessedTwice', 'NoRecordSkipped'],
  witnesses: ['ConsumerCrashed', 'RecordProcessed'],
  expect: { verdict: 'holds' },
  runs: 300,
});

export const rebalanceOldOwnerDuplicates: Suite = defineSuite({
  name: 'consumer.rebalance-old-owner-duplicates',
  claim:
    'A member evicted for a late poll() still processes what poll returned; its commit is rejected and the new owner resumes at the old committed offset, so at-least-once processing duplicates.',
  config: { consumer: 'process-then-commit', consumers: 2 },
  faults: ['poll-timeout'],
  bounds: { ...CONSUMER_SMALL, consumerCrashesMax: 0, rebalancesMax: 1, eventsMax: 40 },
  invariants: ['NoRecordProcessedTwice'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoRecordProcessedTwice' },
  runs: 1000,
  mechanism: {
    how: "the group evicted a live member whose poll() was late; it went on processing records of the partition the new owner re-read from the old committed offset",
    shows: (trace) => consumerFacts(trace).processedAfterLoss,
  },
});

export const rebalanceEagerHandover: Suite = defineSuite({
  name: 'consumer.rebalance-eager-clean-handover',
  claim:
    'A rebalance alone moves a partition cleanly: under EAGER the old owner gives its partitions up in its own next poll(), after processing and committing; the duplicate needs the owner to be evicted.',
  config: { consumer: 'process-then-commit', consumers: 2, partitions: 2 },
  faults: ['rebalance'],
  bounds: { ...CONSUMER_SMALL, consumerCrashesMax: 0, rebalancesMax: 1, eventsMax: 40 },
  invariants: ['NoRecordProcessedTwice', 'NoRecordSkipped'],
  witnesses: ['RebalanceCompleted', 'PartitionHandedOver'],
  expect: { verdict: 'holds' },
  runs: 1500,
});

/** One consumer with at-least-once processing beside a replicated topic whose leader fails over. */
const FAILOVER_BOUNDS: Bounds = { ...CONSUMER_SMALL, consumerCrashesMax: 0, crashesMax: 1, clusterChangesMax: 1, eventsMax: 30 };

export const failoverAcksOne: Suite = defineSuite({
  name: 'consumer.failover-acks1-clean',
  claim:
    'acks=1 loses acknowledged records on failover, never consumed ones: a consumer reads only below the high watermark, which every clean leader holds.',
  config: { acks: '1', 'replication.factor': 2, consumer: 'process-then-commit' },
  faults: ['broker-crash', 'isr-shrink'],
  bounds: FAILOVER_BOUNDS,
  invariants: ['NoEffectOfLostRecord', 'ProcessedInLogOrder'],
  witnesses: ['RecordProcessed', 'LeaderFailedOver'],
  expect: { verdict: 'holds' },
  runs: 600,
});

export const failoverAcksAll: Suite = defineSuite({
  name: 'consumer.failover-acks-all-clean',
  claim: 'With acks=all and clean elections, no consumer acts on a record that a failover removes.',
  config: { 'replication.factor': 3, 'min.insync.replicas': 2, consumer: 'process-then-commit' },
  faults: ['broker-crash', 'isr-shrink', 'leader-change'],
  bounds: { ...FAILOVER_BOUNDS, eventsMax: 35 },
  invariants: ['NoEffectOfLostRecord', 'ProcessedInLogOrder'],
  witnesses: ['RecordProcessed', 'LeaderFailedOver'],
  expect: { verdict: 'holds' },
  runs: 600,
});

export const failoverUnclean: Suite = defineSuite({
  name: 'consumer.failover-unclean',
  claim:
    'With unclean.leader.election.enable=true a consumer can process a record that the unclean election then removes from the log: the effect stands for a record Kafka no longer has.',
  config: { 'replication.factor': 2, 'unclean.leader.election.enable': true, consumer: 'process-then-commit' },
  faults: ['broker-crash', 'isr-shrink'],
  bounds: FAILOVER_BOUNDS,
  invariants: ['NoEffectOfLostRecord'],
  witnesses: [],
  expect: { verdict: 'violated', invariant: 'NoEffectOfLostRecord' },
  runs: 4000,
  mechanism: {
    how: 'the ISR shrank to the leader, a consumer processed what the leader alone held, and an out-of-sync replica was elected without it',
    shows: (trace) => trace.violations.some((v) => v.code === 'effect_of_lost_record') && consumerFacts(trace).uncleanElection,
  },
});

export default [
  processThenCommitDuplicates,
  processThenCommitNoSkip,
  commitThenProcessLoses,
  autoCommitAtLeastOnce,
  autoCommitDuplicates,
  dedupEndToEnd,
  dedupWindowOne,
  dedupNonAtomic,
  offsetsInSinkVsResend,
  offsetsInSinkCrash,
  rebalanceOldOwnerDuplicates,
  rebalanceEagerHandover,
  failoverAcksOne,
  failoverAcksAll,
  failoverUnclean,
];
