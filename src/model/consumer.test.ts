/**
 * The consumer core, rule by rule, on small hand-built partitions. Each test names the Kafka
 * 3.8.0 source it pins (aliases as in consumer-types.ts).
 */

import { describe, expect, it } from 'vitest';
import { initialPartition, makeLeader } from './cluster.js';
import { endOffsetForEpoch, epochCache, fetchFromLeader, fetchStep } from './consumer-fetch.js';
import { allConsumed, closeConsumer, commitStep, completeRebalance, crashConsumer, evictMember, initialConsumerSide, pollStep, prepareRebalance, processStep, rangeAssign, recordKey, restartConsumer, sendOffsetCommit, storeOffsets, validateOffsetCommit, writeIdStep } from './consumer.js';
import type { ConsumerMode, ConsumerSide, ConsumerState } from './consumer-types.js';
import { parseConsumerMode } from './consumer-types.js';
import * as make from './records.js';
import type { LogBatch, PartitionState } from './types.js';

const batch = (baseOffset: number, sends: number[], leaderEpoch = 0): LogBatch => ({
  baseOffset,
  leaderEpoch,
  producerId: 1,
  epoch: 0,
  baseSequence: baseOffset,
  sends,
});

/** Partition `index` with one replica (broker 0, the leader) holding `log` with high watermark `hw`. */
function single(log: LogBatch[], hw: number, index = 0): PartitionState {
  const p = initialPartition(index, 1);
  return make.partition({ ...p, replicas: [make.replica({ ...(p.replicas[0] as PartitionState['replicas'][number]), log, hw })] });
}

const MODE = (text: string): ConsumerMode => {
  const r = parseConsumerMode(text);
  if (!r.ok) throw new Error(r.error);
  return r.mode;
};

/** Keys: send i carries record id `keys[i]`. */
function withKeys(side: ConsumerSide, keys: number[]): ConsumerSide {
  return keys.reduce((s, record, send) => recordKey(s, send, record), side);
}

const consumerOf = (side: ConsumerSide, c = 0): ConsumerState => side.consumers[c] as ConsumerState;

const withConsumer = (side: ConsumerSide, c: number, consumer: ConsumerState): ConsumerSide => ({
  ...side,
  consumers: side.consumers.map((x, i) => (i === c ? consumer : x)),
});

/**
 * One consumer that joined, got partition 0 of `partition` and polled everything below the HW:
 * join → complete → sync → (reset or validation) → fetch → poll.
 */
function polledAll(partition: PartitionState, mode: ConsumerMode, keys: number[], start?: ConsumerSide): ConsumerSide {
  let side = start ?? withKeys(initialConsumerSide(1, 1), keys);
  side = pollStep(side, 0, mode, [partition.leaderEpoch], false).side;
  side = completeRebalance(side, 1);
  side = pollStep(side, 0, mode, [partition.leaderEpoch], false).side;
  for (let i = 0; i < 3; i++) side = withConsumer(side, 0, fetchStep(consumerOf(side), 0, partition, side.keys).consumer);
  return pollStep(side, 0, mode, [partition.leaderEpoch], false).side;
}

const LOG3 = single([batch(0, [0, 1]), batch(2, [2])], 3);

describe('fetch from the leader (UL read, LL read, CF nextFetchedRecord)', () => {
  it('reads from the position up to the HW and never above it (read_uncommitted: FI of, UL read maxOffset = HW)', () => {
    const p = single([batch(0, [0, 1]), batch(2, [2])], 2);
    const read = fetchFromLeader(p, 0, { offset: 0, offsetEpoch: -1, leaderEpoch: 0 }, [10, 11, 12], 1);
    expect(read.kind).toBe('records');
    if (read.kind !== 'records') return;
    expect(read.data.records.map((r) => [r.offset, r.send, r.key])).toEqual([
      [0, 0, 10],
      [1, 1, 11],
    ]);
    expect(read.data.nextFetchOffset).toBe(2);
  });

  it('skips the records of a batch below the fetch offset (CF nextFetchedRecord)', () => {
    const read = fetchFromLeader(LOG3, 0, { offset: 1, offsetEpoch: 0, leaderEpoch: 0 }, [], 1);
    expect(read.kind === 'records' && read.data.records.map((r) => r.offset)).toEqual([1, 2]);
  });

  it('a fetch offset between the HW and the LEO reads nothing, one above the LEO is OFFSET_OUT_OF_RANGE (LL read)', () => {
    const p = single([batch(0, [0, 1, 2])], 1);
    expect(fetchFromLeader(p, 0, { offset: 2, offsetEpoch: 0, leaderEpoch: 0 }, [], 1).kind).toBe('empty');
    expect(fetchFromLeader(p, 0, { offset: 3, offsetEpoch: 0, leaderEpoch: 0 }, [], 1).kind).toBe('empty');
    expect(fetchFromLeader(p, 0, { offset: 4, offsetEpoch: 0, leaderEpoch: 0 }, [], 1).kind).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('an older leader epoch is fenced (PART checkCurrentLeaderEpoch); no leader, no read', () => {
    const moved = makeLeader(LOG3, 0, [0], 1);
    expect(fetchFromLeader(moved, 0, { offset: 0, offsetEpoch: -1, leaderEpoch: 0 }, [], 1).kind).toBe('FENCED_LEADER_EPOCH');
    expect(fetchFromLeader(make.partition({ ...LOG3, leader: -1 }), 0, { offset: 0, offsetEpoch: -1, leaderEpoch: 0 }, [], 1).kind).toBe('NOT_LEADER_OR_FOLLOWER');
  });

  it('the key a record carries is the application record id, so a resend reads the same key (keys table)', () => {
    const side = polledAll(single([batch(0, [0, 1])], 2), MODE('dedup'), [7, 7]);
    expect(consumerOf(side).returned.map((r) => [r.send, r.key])).toEqual([
      [0, 7],
      [1, 7],
    ]);
  });
});

describe('epoch cache and OffsetsForLeaderEpoch (LeaderEpochFileCache endOffsetFor, PART makeLeader)', () => {
  // Offsets 0-1 in epoch 0, 2 in epoch 2; the leader is now in epoch 3 from offset 3.
  const p = make.partition({ ...single([batch(0, [0, 1], 0), batch(2, [2], 2)], 3), leaderEpoch: 3, leaderEpochStartOffset: 3 });

  it('holds each batch epoch at its first offset and the current epoch where the leader took over', () => {
    expect(epochCache(p)).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
      { epoch: 3, startOffset: 3 },
    ]);
  });

  it('the current epoch ends at the LEO; an older one at the next epoch start, answered with the floor epoch', () => {
    expect(endOffsetForEpoch(p, 3)).toEqual({ epoch: 3, endOffset: 3 });
    expect(endOffsetForEpoch(p, 0)).toEqual({ epoch: 0, endOffset: 2 });
    expect(endOffsetForEpoch(p, 1)).toEqual({ epoch: 0, endOffset: 2 });
    expect(endOffsetForEpoch(p, 4)).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe('positions and validation (SS, FC, OF; KIP-320)', () => {
  const mode = MODE('process-then-commit');

  it('a group with no committed offset starts at the earliest offset (SS resetInitializingPositions, OF resetPositionsIfNeeded)', () => {
    let side = withKeys(initialConsumerSide(1, 1), [0, 1, 2]);
    side = pollStep(side, 0, mode, [0], false).side;
    side = completeRebalance(side, 1);
    side = pollStep(side, 0, mode, [0], false).side;
    expect(consumerOf(side).assigned[0]?.fetchState).toBe('AWAIT_RESET');
    const reset = fetchStep(consumerOf(side), 0, LOG3, side.keys);
    expect(reset.outcome).toBe('reset');
    expect(reset.consumer.assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 0, offsetEpoch: 0 } });
  });

  it('fetching does not move the position; poll() returning the records does (FC fetchRecords)', () => {
    let side = withKeys(initialConsumerSide(1, 1), [0, 1, 2]);
    side = pollStep(side, 0, mode, [0], false).side;
    side = completeRebalance(side, 1);
    side = pollStep(side, 0, mode, [0], false).side;
    side = { ...side, consumers: [fetchStep(consumerOf(side), 0, LOG3, side.keys).consumer] };
    const fetched = fetchStep(consumerOf(side), 0, LOG3, side.keys);
    expect(fetched.outcome).toBe('fetched');
    expect(fetched.consumer.assigned[0]?.position.offset).toBe(0);
    expect(allConsumed(fetched.consumer)).toEqual([{ partition: 0, offset: 0, leaderEpoch: 0 }]);
    // Data still buffered: no second fetch (AF fetchablePartitions).
    expect(fetchStep(fetched.consumer, 0, LOG3, side.keys).outcome).toBe('nothing');
    const polled = pollStep({ ...side, consumers: [fetched.consumer] }, 0, mode, [0], false).side;
    expect(consumerOf(polled).returned.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(consumerOf(polled).assigned[0]?.position).toMatchObject({ offset: 3, offsetEpoch: 0 });
  });

  it('buffered data whose fetch offset is no longer the position is dropped (FC fetchRecords, obsolete fetch)', () => {
    const side = polledAll(LOG3, mode, [0, 1, 2]);
    const c = consumerOf(side);
    const stale = { ...c, phase: 'poll' as const, returned: [], assigned: [{ ...(c.assigned[0] as ConsumerState['assigned'][number]), buffered: { fetchOffset: 1, records: [], nextFetchOffset: 9, lastEpoch: 0 } }] };
    const after = consumerOf(pollStep({ ...side, consumers: [stale] }, 0, mode, [0], false).side);
    expect(after.assigned[0]).toMatchObject({ buffered: null, position: { offset: 3 } });
    expect(after.returned).toEqual([]);
  });

  it('a leader change sends a position with an epoch to validation; an end offset at or above it keeps it (SS maybeValidatePositionForCurrentLeader, maybeCompleteValidation)', () => {
    const side = polledAll(LOG3, mode, [0, 1, 2]);
    const moved = makeLeader(LOG3, 0, [0], 1);
    const step1 = fetchStep(consumerOf(side), 0, moved, side.keys);
    expect(step1.outcome).toBe('leader-changed');
    expect(step1.consumer.assigned[0]).toMatchObject({ fetchState: 'AWAIT_VALIDATION', position: { offset: 3, leaderEpoch: 1 } });
    // AWAIT_VALIDATION has no valid position: allConsumed leaves it out (SS FetchStates).
    expect(allConsumed(step1.consumer)).toEqual([]);
    const step2 = fetchStep(step1.consumer, 0, moved, side.keys);
    expect(step2.outcome).toBe('validated');
    expect(step2.consumer.assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 3 } });
  });

  it('after an unclean election the new leader ends the old epoch below the position: seek back to it (SS maybeCompleteValidation, truncation)', () => {
    // The consumer read offsets 0-2 (epoch 0); the new leader (epoch 1) has only offset 0.
    const side = polledAll(LOG3, mode, [0, 1, 2]);
    const unclean = make.partition({ ...single([batch(0, [0], 0)], 1), leaderEpoch: 1, leaderEpochStartOffset: 1 });
    const validating = fetchStep(consumerOf(side), 0, unclean, side.keys).consumer;
    const seek = fetchStep(validating, 0, unclean, side.keys);
    expect(seek.outcome).toBe('truncation-detected');
    expect(seek.consumer.assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 1, offsetEpoch: 0, leaderEpoch: 1 } });
  });

  it('without an epoch the position skips validation (SS validatePosition); above the LEO it is reset to the earliest (FC handleInitializeErrors)', () => {
    const side = polledAll(LOG3, MODE('offsets-in-sink'), [0, 1, 2]);
    const c = consumerOf(side);
    const noEpoch = { ...c, assigned: [{ ...(c.assigned[0] as ConsumerState['assigned'][number]), position: { offset: 3, offsetEpoch: -1, leaderEpoch: 0 } }] };
    const shorter = make.partition({ ...single([batch(0, [0], 0)], 1), leaderEpoch: 1, leaderEpochStartOffset: 1 });
    const moved = fetchStep(noEpoch, 0, shorter, side.keys);
    expect(moved.consumer.assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 3, leaderEpoch: 1 } });
    const out = fetchStep(moved.consumer, 0, shorter, side.keys);
    expect(out.outcome).toBe('out-of-range');
    expect(out.consumer.assigned[0]?.fetchState).toBe('AWAIT_RESET');
    expect(fetchStep(out.consumer, 0, shorter, side.keys).consumer.assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 0 } });
  });
});

describe('commits (GC validateOffsetCommit, doCommitOffsets; GMM storeOffsets; CC commitOffsetsSync)', () => {
  const mode = MODE('process-then-commit');

  it('the coordinator checks the member first, then the generation', () => {
    const group = completeRebalance(pollStep(initialConsumerSide(1, 1), 0, mode, [0], false).side, 1).group;
    expect(group).toMatchObject({ phase: 'Stable', generation: 1 });
    expect(validateOffsetCommit(group, 0, 1)).toBe('NONE');
    expect(validateOffsetCommit(group, 0, 0)).toBe('ILLEGAL_GENERATION');
    expect(validateOffsetCommit(group, 5, 0)).toBe('UNKNOWN_MEMBER_ID');
  });

  it('a commit is accepted while the group prepares a rebalance (doCommitOffsets: Stable | PreparingRebalance)', () => {
    const side = polledAll(LOG3, mode, [0, 1, 2]);
    const preparing = prepareRebalance(side);
    const r = sendOffsetCommit(preparing, 0, allConsumed(consumerOf(preparing)));
    expect(r.error).toBe('NONE');
    expect(r.side.group.committed[0]).toEqual({ partition: 0, offset: 3, leaderEpoch: 0 });
  });

  it('a smaller offset replaces a larger one: the last commit wins (GMM storeOffsets)', () => {
    const group = initialConsumerSide(1, 1).group;
    const g = storeOffsets(storeOffsets(group, [{ partition: 0, offset: 10, leaderEpoch: 0 }]), [{ partition: 0, offset: 3, leaderEpoch: 0 }]);
    expect(g.committed[0]?.offset).toBe(3);
  });

  it('commitSync after processing commits the positions (LKC commitSync → SS allConsumed)', () => {
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    expect(consumerOf(side).phase).toBe('commit');
    side = commitStep(side, 0, mode, false);
    expect(side.group.committed[0]?.offset).toBe(3);
    expect(consumerOf(side).phase).toBe('poll');
  });

  it('a lost response: the offsets are stored, commitSync retries them (DisconnectException is retriable: AC CoordinatorResponseHandler.onFailure)', () => {
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    side = commitStep(side, 0, mode, true);
    expect(side.group.committed[0]?.offset).toBe(3);
    expect(consumerOf(side)).toMatchObject({ phase: 'commit', retryOffsets: [{ partition: 0, offset: 3, leaderEpoch: 0 }] });
    side = commitStep(side, 0, mode, false);
    expect(consumerOf(side)).toMatchObject({ phase: 'poll', retryOffsets: null });
    expect(side.stats).toMatchObject({ lostCommitResponses: 1, commitsAccepted: 2 });
  });

  it('without a generation the commit fails locally (CC sendOffsetCommitRequest: generationIfStable is null)', () => {
    const side = polledAll(LOG3, mode, [0, 1, 2]);
    const noGen = { ...side, consumers: [{ ...consumerOf(side), generation: -1 }] };
    expect(sendOffsetCommit(noGen, 0, allConsumed(consumerOf(side))).error).toBe('COMMIT_FAILED_LOCALLY');
  });

  it('commit-then-process commits what poll returned before processing any of it', () => {
    const ctp = MODE('commit-then-process');
    let side = polledAll(LOG3, ctp, [0, 1, 2]);
    expect(consumerOf(side).phase).toBe('commit');
    side = commitStep(side, 0, ctp, false);
    expect(side.group.committed[0]?.offset).toBe(3);
    expect(side.sink.effects).toEqual([]);
    expect(consumerOf(side).phase).toBe('process');
  });
});

describe('auto-commit (CC poll, onJoinPrepare, close)', () => {
  const mode = MODE('auto-commit');

  it('poll commits the positions of records earlier polls returned, not of the ones it returns (CC poll line 533, before pollForFetches)', () => {
    // Poll 1 returns offsets 0-1 (HW 2); the interval has not passed.
    const p2 = single([batch(0, [0, 1]), batch(2, [2])], 2);
    let side = polledAll(p2, mode, [0, 1, 2]);
    expect(side.group.committed[0]?.offset).toBe(-1);
    side = processStep(processStep(side, 0, mode), 0, mode);
    // The HW moves to 3 and offset 2 is fetched; poll 2, with the interval passed, commits 2 and returns offset 2.
    const p3 = single([batch(0, [0, 1]), batch(2, [2])], 3);
    side = { ...side, consumers: [fetchStep(consumerOf(side), 0, p3, side.keys).consumer] };
    side = pollStep(side, 0, mode, [0], true).side;
    expect(side.group.committed[0]?.offset).toBe(2);
    expect(consumerOf(side).returned.map((r) => r.offset)).toEqual([2]);
  });

  it('before a rebalance, onJoinPrepare commits, then EAGER revokes everything (CC onJoinPrepare)', () => {
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    side = prepareRebalance(side);
    const r = pollStep(side, 0, mode, [0], false);
    expect(r.outcome).toBe('joined');
    expect(r.side.group.committed[0]?.offset).toBe(3);
    expect(consumerOf(r.side).assigned).toEqual([]);
    expect(r.side.group.members[0]?.joined).toBe(true);
  });

  it('close() commits synchronously and leaves the group (CC close → maybeAutoCommitOffsetsSync; AC maybeLeaveGroup)', () => {
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    side = closeConsumer(side, 0, mode);
    expect(side.group).toMatchObject({ phase: 'Empty', members: [], committed: [{ offset: 3 }] });
    expect(consumerOf(side).running).toBe(false);
  });
});

describe('the group: join, rebalance, eviction (GC, GM initNextGeneration, RangeAssignor)', () => {
  const mode = MODE('process-then-commit');

  it('RangeAssignor gives consecutive partitions, the first members one more', () => {
    expect(rangeAssign([3, 5], 2)).toEqual([[0], [1]]);
    expect(rangeAssign([3, 5], 3)).toEqual([[0, 1], [2]]);
    expect(rangeAssign([4], 2)).toEqual([[0, 1]]);
  });

  it('a second member joining makes every member rejoin; the next generation splits the partitions', () => {
    let side = initialConsumerSide(2, 2);
    side = pollStep(side, 0, mode, [0, 0], false).side;
    side = completeRebalance(side, 2);
    expect(side.group.members[0]?.assignment).toEqual([0, 1]);
    side = pollStep(side, 1, mode, [0, 0], false).side;
    expect(side.group.phase).toBe('PreparingRebalance');
    expect(completeRebalance(side, 2)).toBe(side); // consumer 0 has not rejoined
    side = pollStep(side, 0, mode, [0, 0], false).side; // sync of generation 1 is stale: rejoin instead
    side = completeRebalance(side, 2);
    expect(side.group.generation).toBe(2);
    expect(side.group.members.map((m) => m.assignment)).toEqual([[0], [1]]);
  });

  it('an evicted owner still processes what poll returned, its commit gets UNKNOWN_MEMBER_ID, and the new owner starts again from the old commit (reference §3.3, §6.4)', () => {
    let side = withKeys(initialConsumerSide(2, 1), [0, 1, 2]);
    side = polledAll(LOG3, mode, [0, 1, 2], side);
    expect(consumerOf(side).returned).toHaveLength(3);
    // Consumer 0 is slow: its poll interval expires and the coordinator drops it.
    side = evictMember(side, 0);
    side = pollStep(side, 1, mode, [0], false).side;
    side = completeRebalance(side, 1);
    side = pollStep(side, 1, mode, [0], false).side;
    expect(consumerOf(side, 1).assigned[0]?.fetchState).toBe('AWAIT_RESET');
    // The old owner processes its three records and fails to commit.
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    side = commitStep(side, 0, mode, false);
    expect(consumerOf(side, 0)).toMatchObject({ memberId: -1, generation: -1, phase: 'poll' });
    expect(side.group.committed[0]?.offset).toBe(-1);
    expect(side.stats).toMatchObject({ processedAfterLoss: 3, commitsRejected: 1 });
    // The new owner reads from the earliest offset and processes the same records again.
    for (let i = 0; i < 2; i++) side = withConsumer(side, 1, fetchStep(consumerOf(side, 1), 0, LOG3, side.keys).consumer);
    side = pollStep(side, 1, mode, [0], false).side;
    for (let i = 0; i < 3; i++) side = processStep(side, 1, mode);
    expect(side.sink.effects.map((e) => [e.key, e.consumer])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });
});

describe('processing into the sink', () => {
  it('dedup skips a key it has processed: effect and id in one write', () => {
    const mode = MODE('dedup');
    let side = polledAll(single([batch(0, [0, 1, 2])], 3), mode, [0, 1, 0]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    expect(side.sink.effects.map((e) => e.key)).toEqual([0, 1]);
    expect(side.sink.processedIds).toEqual([0, 1]);
    expect(side.stats.dedupSkips).toBe(1);
  });

  it('dedup-window:1 remembers only the last id, so a duplicate two records later is processed again', () => {
    const mode = MODE('dedup-window:1');
    let side = polledAll(single([batch(0, [0, 1, 2])], 3), mode, [0, 1, 0]);
    for (let i = 0; i < 3; i++) side = processStep(side, 0, mode);
    expect(side.sink.effects.map((e) => e.key)).toEqual([0, 1, 0]);
    expect(side.sink.processedIds).toEqual([0]);
  });

  it('dedup-non-atomic: a crash between the effect and the id write leaves an effect the restart writes again', () => {
    const mode = MODE('dedup-non-atomic');
    let side = polledAll(single([batch(0, [0])], 1), mode, [0]);
    side = processStep(side, 0, mode);
    expect(consumerOf(side)).toMatchObject({ phase: 'write-id', idToWrite: 0 });
    expect(writeIdStep(side, 0, mode).sink.processedIds).toEqual([0]);
    side = crashConsumer(side, 0);
    side = evictMember(side, 0); // session timeout
    side = restartConsumer(side, 0);
    side = polledAll(single([batch(0, [0])], 1), mode, [0], side);
    side = processStep(side, 0, mode);
    expect(side.sink.effects.map((e) => [e.key, e.session])).toEqual([
      [0, 0],
      [0, 1],
    ]);
  });

  it('offsets-in-sink stores the next offset with the effect, and a restart resumes from it (onPartitionsAssigned seek: SS seekValidated)', () => {
    const mode = MODE('offsets-in-sink');
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    side = processStep(processStep(side, 0, mode), 0, mode);
    expect(side.sink.offsets).toEqual([2]);
    side = restartConsumer(evictMember(crashConsumer(side, 0), 0), 0);
    side = pollStep(side, 0, mode, [0], false).side;
    side = completeRebalance(side, 1);
    side = pollStep(side, 0, mode, [0], false).side;
    expect(consumerOf(side).assigned[0]).toMatchObject({ fetchState: 'FETCHING', position: { offset: 2, offsetEpoch: -1 } });
  });
});

describe('crash and restart', () => {
  it('a crash loses positions, buffer and returned records; the restart resumes at the committed offset, validated (CU refreshCommittedOffsets → SS seekUnvalidated)', () => {
    const mode = MODE('process-then-commit');
    let side = polledAll(LOG3, mode, [0, 1, 2]);
    side = processStep(side, 0, mode);
    side = crashConsumer(side, 0);
    expect(consumerOf(side)).toMatchObject({ running: false, assigned: [], returned: [], memberId: -1 });
    expect(side.group.members).toHaveLength(1); // until the session times out
    side = { ...side, group: storeOffsets(side.group, [{ partition: 0, offset: 1, leaderEpoch: 0 }]) };
    side = restartConsumer(evictMember(side, 0), 0);
    expect(consumerOf(side).session).toBe(1);
    side = pollStep(side, 0, mode, [0], false).side;
    side = completeRebalance(side, 1);
    side = pollStep(side, 0, mode, [0], false).side;
    expect(consumerOf(side).assigned[0]).toMatchObject({ fetchState: 'AWAIT_VALIDATION', position: { offset: 1, offsetEpoch: 0 } });
  });

  it('process-then-commit: a crash between the effect and the commit processes the record twice (reference §6.4)', () => {
    const mode = MODE('process-then-commit');
    let side = polledAll(single([batch(0, [0])], 1), mode, [0]);
    side = processStep(side, 0, mode);
    side = restartConsumer(evictMember(crashConsumer(side, 0), 0), 0);
    side = polledAll(single([batch(0, [0])], 1), mode, [0], side);
    side = processStep(side, 0, mode);
    expect(side.sink.effects.map((e) => e.key)).toEqual([0, 0]);
  });

  it('commit-then-process: a crash between the commit and the effect skips the record (reference §6.4)', () => {
    const mode = MODE('commit-then-process');
    let side = polledAll(single([batch(0, [0])], 1), mode, [0]);
    side = commitStep(side, 0, mode, false);
    side = restartConsumer(evictMember(crashConsumer(side, 0), 0), 0);
    side = polledAll(single([batch(0, [0])], 1), mode, [0], side);
    expect(consumerOf(side).returned).toEqual([]);
    expect(side.sink.effects).toEqual([]);
  });
});

describe('consumer= setting', () => {
  it('parses every mode and rejects others with the allowed list', () => {
    expect(parseConsumerMode('dedup-window:3')).toEqual({ ok: true, mode: { kind: 'dedup-window', size: 3 } });
    expect(parseConsumerMode('dedup-window:0').ok).toBe(false);
    const bad = parseConsumerMode('exactly-once');
    expect(bad.ok === false && bad.error).toMatch(/consumer must be one of commit-then-process/);
  });
});
