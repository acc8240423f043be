/**
 * The consumer group reading a transactional topic (issue 19): the fetch rule by rule on
 * hand-built logs, then the group wired to the transactional producer. Each test names the Kafka
 * 3.8.0 source it pins: FI FetchIsolation `of`; UL UnifiedLog `read` (line 1236); LL LocalLog
 * `read`, `addAbortedTransactions`; TI TransactionIndex `collectAbortedTxns`; CF CompletedFetch
 * `nextFetchedRecord`, `consumeAbortedTransactionsUpTo`, `isBatchAborted`, `containsAbortMarker`;
 * FC FetchCollector `fetchRecords`.
 */

import { describe, expect, it } from 'vitest';
import { play } from '../checker/fixtures.js';
import { initialPartition } from './cluster.js';
import { fetchFromLeader, fetchStep } from './consumer-fetch.js';
import type { LeaderFetch, ReadIsolation } from './consumer-fetch.js';
import { completeRebalance, initialConsumerSide, pollStep, recordKey } from './consumer.js';
import type { ConsumerSide, ConsumerState } from './consumer-types.js';
import { NoRecordProcessedTwice, NoRecordSkipped } from './consumer-invariants.js';
import { violatedInvariants } from './invariants.js';
import * as make from './records.js';
import { NoAbortedRead, NoAbortedRecordProcessed, TransactionAtomic } from './txn-invariants.js';
import type { LogBatch, PartitionState, State } from './types.js';
import { witnessByName } from './witnesses.js';

const COMMITTED: ReadIsolation = { level: 'read_committed', ignoreAbortedIndex: false };
const UNCOMMITTED: ReadIsolation = { level: 'read_uncommitted', ignoreAbortedIndex: false };
const MUTANT: ReadIsolation = { level: 'read_committed', ignoreAbortedIndex: true };

/** A transactional data batch of producer `pid` (epoch 0). */
const data = (baseOffset: number, pid: number, sends: number[], leaderEpoch = 0): LogBatch => ({ baseOffset, leaderEpoch, producerId: pid, epoch: 0, baseSequence: 0, sends, transactional: true });
/** A non-transactional batch of producer `pid`. */
const plain = (baseOffset: number, pid: number, sends: number[]): LogBatch => ({ baseOffset, leaderEpoch: 0, producerId: pid, epoch: 0, baseSequence: 0, sends });
/** A control batch (one marker record) ending producer `pid`'s transaction on this partition. */
const marker = (baseOffset: number, pid: number, result: 'COMMIT' | 'ABORT', leaderEpoch = 0): LogBatch => ({
  baseOffset,
  leaderEpoch,
  producerId: pid,
  epoch: 0,
  baseSequence: -1,
  sends: [],
  transactional: true,
  control: { result, coordinatorEpoch: 0 },
});

/** Partition 0 with one replica (broker 0, the leader) holding `log` with high watermark `hw`. */
function single(log: LogBatch[], hw: number): PartitionState {
  const p = initialPartition(0, 1);
  return make.partition({ ...p, replicas: [make.replica({ ...(p.replicas[0] as PartitionState['replicas'][number]), log, hw })] });
}

const AT = (offset: number) => ({ offset, offsetEpoch: -1, leaderEpoch: 0 });

function read(p: PartitionState, offset: number, isolation: ReadIsolation): LeaderFetch {
  return fetchFromLeader(p, 0, AT(offset), [], 1, isolation);
}

function offsets(answer: LeaderFetch): number[] | string {
  return answer.kind === 'records' ? answer.data.records.map((r) => r.offset) : answer.kind;
}

/** pid 1 aborts s0 (0, marker 1), then commits s1 (2, marker 3). */
const ABORTED_THEN_COMMITTED = single([data(0, 1, [0]), marker(1, 1, 'ABORT'), data(2, 1, [1]), marker(3, 1, 'COMMIT')], 4);

describe('read_committed fetch: the broker side (FI of, UL read, LL read)', () => {
  it('reads up to the LSO, not the HW: an open transaction holds every later record, even a non-transactional one (UL read maxOffset = LSO)', () => {
    // pid 2's plain record at 0; pid 1's open transaction from 1; pid 2's plain record at 2. HW 3, LSO 1.
    const p = single([plain(0, 2, [0]), data(1, 1, [1]), plain(2, 2, [2])], 3);
    const committed = read(p, 0, COMMITTED);
    expect(offsets(committed)).toEqual([0]);
    expect(committed.kind === 'records' && [committed.bound, committed.data.nextFetchOffset]).toEqual([1, 1]);
    // read_uncommitted reads up to the HW (FI of → HIGH_WATERMARK).
    expect(offsets(read(p, 0, UNCOMMITTED))).toEqual([0, 1, 2]);
  });

  it('a fetch offset at the LSO, or between it and the LEO, reads nothing; one above the LEO is out of range (LL read lines 367–376)', () => {
    const p = single([data(0, 1, [0]), data(1, 1, [1])], 2);
    expect(read(p, 0, COMMITTED).kind).toBe('empty');
    expect(read(p, 1, COMMITTED).kind).toBe('empty');
    expect(read(p, 2, COMMITTED).kind).toBe('empty');
    expect(read(p, 3, COMMITTED).kind).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('the marker below the HW releases the transaction: the LSO moves to the HW (PSM onHighWatermarkUpdated, UL lastStableOffset)', () => {
    const open = single([data(0, 1, [0]), marker(1, 1, 'COMMIT')], 1);
    expect(read(open, 0, COMMITTED).kind).toBe('empty');
    const released = single([data(0, 1, [0]), marker(1, 1, 'COMMIT')], 2);
    expect(offsets(read(released, 0, COMMITTED))).toEqual([0]);
  });
});

describe('read_committed fetch: the client side (CF nextFetchedRecord)', () => {
  it('drops an aborted transaction listed in the response (abortedProducerIds) and every control record; the ABORT marker clears its producer, whose next transaction is returned; the next offset passes them all', () => {
    const answer = read(ABORTED_THEN_COMMITTED, 0, COMMITTED);
    expect(answer.kind).toBe('records');
    if (answer.kind !== 'records') return;
    expect(answer.data.records.map((r) => [r.offset, r.send])).toEqual([[2, 1]]);
    expect(answer.abortedSkipped).toEqual([0]);
    expect(answer.controlSkipped).toEqual([1, 3]);
    expect(answer.data.nextFetchOffset).toBe(4);
  });

  it('aborted producer ids are per producer: an interleaved committed transaction of another producer is returned (consumeAbortedTransactionsUpTo)', () => {
    // pid 1 at 0 (aborted by 2), pid 2 at 1 (committed by 3).
    const p = single([data(0, 1, [0]), data(1, 2, [1]), marker(2, 1, 'ABORT'), marker(3, 2, 'COMMIT')], 4);
    const answer = read(p, 0, COMMITTED);
    expect(offsets(answer)).toEqual([1]);
    expect(answer.kind === 'records' && answer.abortedSkipped).toEqual([0]);
  });

  it('only aborted transactions ending at or after the fetch offset are sent (TI collectAbortedTxns: lastOffset ≥ fetchOffset)', () => {
    const answer = read(ABORTED_THEN_COMMITTED, 2, COMMITTED);
    expect(offsets(answer)).toEqual([2]);
    expect(answer.kind === 'records' && answer.abortedSkipped).toEqual([]);
  });

  it('read_uncommitted drops control records only: it returns the aborted record (CF: the aborted check is under READ_COMMITTED only)', () => {
    const answer = read(ABORTED_THEN_COMMITTED, 0, UNCOMMITTED);
    expect(offsets(answer)).toEqual([0, 2]);
    expect(answer.kind === 'records' && [answer.abortedSkipped, answer.controlSkipped, answer.data.nextFetchOffset]).toEqual([[], [1, 3], 4]);
  });

  it('the ignore-aborted-index mutant (not Kafka) returns the aborted record under read_committed', () => {
    expect(offsets(read(ABORTED_THEN_COMMITTED, 0, MUTANT))).toEqual([0, 2]);
  });

  it('a read of only aborted and control batches returns no record but moves the next offset past them, with the last batch\'s epoch (CF nextOffset, lastEpoch)', () => {
    const p = single([data(0, 1, [0, 1], 0), marker(2, 1, 'ABORT', 1)], 3);
    const answer = read(p, 0, COMMITTED);
    expect(answer.kind).toBe('records');
    if (answer.kind !== 'records') return;
    expect(answer.data.records).toEqual([]);
    expect([answer.data.nextFetchOffset, answer.data.lastEpoch]).toEqual([3, 1]);
    expect(answer.abortedSkipped).toEqual([0, 1]);
  });
});

/** One consumer of one partition, joined and FETCHING at offset 0 (no committed offset: reset to earliest). */
function fetchingAtZero(p: PartitionState): ConsumerSide {
  let side = [0, 1, 2].reduce((s, send) => recordKey(s, send, send), initialConsumerSide(1, 1));
  side = pollStep(side, 0, { kind: 'process-then-commit' }, [p.leaderEpoch], false).side;
  side = completeRebalance(side, 1);
  side = pollStep(side, 0, { kind: 'process-then-commit' }, [p.leaderEpoch], false).side;
  const reset = fetchStep(side.consumers[0] as ConsumerState, 0, p, side.keys, COMMITTED);
  expect(reset.outcome).toBe('reset');
  return { ...side, consumers: [reset.consumer] };
}

describe('read_committed fetch and poll() (FC fetchRecords)', () => {
  it('poll() moves the position past aborted and control records with nothing returned (positionAdvanced), and the next fetch then waits', () => {
    const p = single([data(0, 1, [0]), marker(1, 1, 'ABORT')], 2);
    let side = fetchingAtZero(p);
    const fetched = fetchStep(side.consumers[0] as ConsumerState, 0, p, side.keys, COMMITTED);
    expect([fetched.outcome, fetched.abortedSkipped]).toEqual(['fetched', 1]);
    side = { ...side, consumers: [fetched.consumer] };
    const polled = pollStep(side, 0, { kind: 'process-then-commit' }, [0], false);
    const consumer = polled.side.consumers[0] as ConsumerState;
    expect(consumer.returned).toEqual([]);
    expect(consumer.phase).toBe('poll');
    expect(consumer.assigned[0]?.position.offset).toBe(2);
    expect(fetchStep(consumer, 0, p, side.keys, COMMITTED).outcome).toBe('nothing');
  });

  it('the position waits at the LSO while the transaction is open: the fetch changes nothing until the marker lands', () => {
    const open = single([data(0, 1, [0])], 1);
    const side = fetchingAtZero(open);
    expect(fetchStep(side.consumers[0] as ConsumerState, 0, open, side.keys, COMMITTED).outcome).toBe('nothing');
    expect(fetchStep(side.consumers[0] as ConsumerState, 0, open, side.keys, UNCOMMITTED).outcome).toBe('fetched');
    const committed = single([data(0, 1, [0]), marker(1, 1, 'COMMIT')], 2);
    const after = fetchStep(side.consumers[0] as ConsumerState, 0, committed, side.keys, COMMITTED);
    expect(after.consumer.assigned[0]?.buffered?.records.map((r) => r.send)).toEqual([0]);
    expect(after.consumer.assigned[0]?.buffered?.nextFetchOffset).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The group wired to the transactional producer (consumer-events.ts ConsumerFetch reads with the
// configured isolation.level) and the invariants over what its consumers return and process.
// ---------------------------------------------------------------------------------------------

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
/** Add p0 to the open transaction and write the batch of one send. */
const ADD_AND_WRITE = ['ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];
const COMMIT = ['AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'BrokerWriteMarker', 'CoordinatorAppendLog'];
/** The new instance's initTransactions() after a restart mid-transaction: fence, ABORT marker, retry. */
const REINIT_FENCING = [
  'AppInitTransactions',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'BrokerWriteMarker',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
  'ProducerSendTxnRequest',
  'CoordinatorReceive',
  'CoordinatorAppendLog',
  'ProducerReceiveTxnResponse',
];
/** c0 joins, is assigned p0 with no committed offset, and resets to the earliest offset. */
const JOIN = ['ConsumerPoll(c0)', 'GroupCompleteRebalance', 'ConsumerPoll(c0)', 'ConsumerFetch(c0,p0)'];

const TXN_GROUP = { 'transactional.id': 't', application: 'at-least-once', 'isolation.level': 'read_committed', consumer: 'offsets-in-sink' } as const;

/** s0 written in T0 (open at offset 0); c0 fetching at 0; restart: the fence aborts T0 (marker at 1); the resend s1 of record 0 committed in T1 (2, marker 3). */
const RESTART_AND_RESEND = [
  ...INIT,
  'AppBeginTransaction',
  'AppSend(p0)',
  ...ADD_AND_WRITE,
  ...JOIN,
  'ProducerRestart',
  ...REINIT_FENCING,
  'ConsumerFetch(c0,p0)',
  'ConsumerPoll(c0)',
  'AppBeginTransaction',
  'AppResend(#0)',
  ...ADD_AND_WRITE,
  ...COMMIT,
  'ConsumerFetch(c0,p0)',
  'ConsumerPoll(c0)',
  'ConsumerProcess(c0)',
];

const holds = (state: State, name: string): boolean => witnessByName(name)?.holds(state) ?? false;

describe('a read_committed consumer group on a transactional topic', () => {
  it('transactional.id with consumer= is accepted', () => {
    expect(() => play(TXN_GROUP, [])).not.toThrow();
  });

  it('waits at the LSO while T0 is open, skips T0 by the aborted index after the fence, and processes only the committed resend', () => {
    const { states, last } = play(TXN_GROUP, RESTART_AND_RESEND);
    const joined = states[INIT.length + 2 + ADD_AND_WRITE.length + JOIN.length] as State;
    // Position 0 = LSO 0 < HW 1: the fetch is not enabled, and the witness sees the wait.
    expect(joined.consumers?.consumers[0]?.assigned[0]?.position.offset).toBe(0);
    expect(holds(joined, 'ConsumerWaitedAtLso')).toBe(true);
    expect(() => play(TXN_GROUP, [...RESTART_AND_RESEND.slice(0, INIT.length + 2 + ADD_AND_WRITE.length + JOIN.length), 'ConsumerFetch(c0,p0)'])).toThrow(/not enabled/);
    expect(last.txn?.ghost.abortedSkipped).toBe(1);
    expect(holds(last, 'ConsumerSkippedAbortedTxn')).toBe(true);
    expect(last.consumers?.sink.effects.map((e) => [e.send, e.offset, e.key])).toEqual([[1, 2, 0]]);
    expect(last.consumers?.sink.offsets).toEqual([3]);
    expect(violatedInvariants(last, [NoAbortedRead, NoAbortedRecordProcessed, TransactionAtomic])).toEqual([]);
  });

  it('read_uncommitted: the group gets the open T0 record and processes it; once the fence aborts T0, NoAbortedRecordProcessed names the consumer', () => {
    const config = { ...TXN_GROUP, 'isolation.level': 'read_uncommitted' } as const;
    const { last } = play(config, [...INIT, 'AppBeginTransaction', 'AppSend(p0)', ...ADD_AND_WRITE, ...JOIN, 'ConsumerFetch(c0,p0)', 'ConsumerPoll(c0)', 'ConsumerProcess(c0)', 'ProducerRestart', ...REINIT_FENCING]);
    expect(last.consumers?.sink.effects.map((e) => e.send)).toEqual([0]);
    const group = NoAbortedRecordProcessed.check(last);
    expect(group.map((v) => v.code === 'aborted_read' && [v.consumer, v.partition, v.offset, v.send])).toEqual([[0, 0, 0, 0]]);
  });

  it("NoAbortedRecordProcessed reads the group's outputs: an effect, or a returned record, of the aborted record is a violation though the log's read_committed reader is clean", () => {
    const { last } = play(TXN_GROUP, RESTART_AND_RESEND);
    const side = last.consumers as ConsumerSide;
    const wrong = { ...side, sink: { ...side.sink, effects: [...side.sink.effects, { key: 0, partition: 0, offset: 0, send: 0, consumer: 0, session: 0, generation: 1 }] } };
    const processed = make.state({ ...last, consumers: wrong });
    expect(NoAbortedRead.check(processed)).toEqual([]);
    expect(NoAbortedRecordProcessed.check(processed).map((v) => v.code === 'aborted_read' && [v.consumer, v.offset])).toEqual([[0, 0]]);
    const c0 = side.consumers[0] as ConsumerState;
    const held = { ...c0, returned: [{ partition: 0, offset: 0, send: 0, key: 0, leaderEpoch: 0, generation: 1 }], phase: 'process' as const };
    expect(NoAbortedRecordProcessed.check(make.state({ ...last, consumers: { ...side, consumers: [held] } }))).toHaveLength(1);
  });

  it('TransactionAtomic reads the group: a transaction it got in part while its reads skipped the rest as aborted is torn', () => {
    // T0 = {s0, s1}, both on p0, aborted by the fence; the group's position passes both.
    const { last } = play(TXN_GROUP, [...INIT, 'AppBeginTransaction', 'AppSend(p0)', 'AppSend(p0)', ...ADD_AND_WRITE, ...JOIN, 'ProducerRestart', ...REINIT_FENCING, 'ConsumerFetch(c0,p0)', 'ConsumerPoll(c0)']);
    expect(last.consumers?.consumers[0]?.assigned[0]?.position.offset).toBe(3);
    expect(TransactionAtomic.check(last)).toEqual([]);
    // The same state with s1 among c0's returned records, as a consumer that let it through would hold it.
    const side = last.consumers as ConsumerSide;
    const c0 = side.consumers[0] as ConsumerState;
    const got = { ...c0, returned: [{ partition: 0, offset: 1, send: 1, key: 1, leaderEpoch: 0, generation: 1 }], phase: 'process' as const };
    const torn = TransactionAtomic.check(make.state({ ...last, consumers: { ...side, consumers: [got] } }));
    expect(torn.map((v) => v.code === 'torn_transaction' && [v.group, v.visible, v.hidden])).toEqual([[true, [1], [0]]]);
  });

  it('NoRecordSkipped: a read_committed group owes no effect to an aborted record below its committed offset', () => {
    const config = { ...TXN_GROUP, application: 'fire-and-forget', consumer: 'process-then-commit' } as const;
    const { last } = play(config, [
      ...INIT,
      'AppBeginTransaction',
      'AppSend(p0)',
      ...ADD_AND_WRITE,
      ...JOIN,
      'ProducerRestart',
      ...REINIT_FENCING,
      'AppBeginTransaction',
      'AppSend(p0)',
      ...ADD_AND_WRITE,
      ...COMMIT,
      'ConsumerFetch(c0,p0)',
      'ConsumerPoll(c0)',
      'ConsumerProcess(c0)',
      'ConsumerCommit(c0)',
    ]);
    const view = { cluster: last.cluster, consumers: last.consumers as ConsumerSide };
    expect(last.consumers?.group.committed[0]?.offset).toBe(4);
    expect(NoRecordSkipped.check({ ...view, readCommitted: true })).toEqual([]);
    // Read as read_uncommitted would owe it: s0 (record 0) at offset 0 has no effect.
    expect(NoRecordSkipped.check(view).map((v) => v.code === 'record_skipped' && v.offset)).toEqual([0]);
  });

  it('read_committed does not remove a resend of a transaction whose commit the application never heard of: both committed copies are processed', () => {
    // The restart falls after the coordinator wrote PrepareCommit and before commitTransaction()
    // returned. The new instance's InitProducerId gets CONCURRENT_TRANSACTIONS until the commit
    // completes (TC handleInitProducerId → prepareInitProducerIdTransit), so T0 commits; the
    // application, not knowing, resends record 0 in T1.
    const { last } = play(TXN_GROUP, [
      ...INIT,
      'AppBeginTransaction',
      'AppSend(p0)',
      ...ADD_AND_WRITE,
      'AppCommitTransaction',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerRestart',
      'AppInitTransactions',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'ProducerReceiveTxnResponse',
      'BrokerWriteMarker',
      'CoordinatorAppendLog',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'AppBeginTransaction',
      'AppResend(#0)',
      ...ADD_AND_WRITE,
      ...COMMIT,
      ...JOIN,
      'ConsumerFetch(c0,p0)',
      'ConsumerPoll(c0)',
      'ConsumerProcess(c0)',
      'ConsumerProcess(c0)',
    ]);
    const log = last.cluster.partitions[0]?.replicas[0]?.log ?? [];
    expect(log.map((b) => b.control?.result ?? b.sends)).toEqual([[0], 'COMMIT', [1], 'COMMIT']);
    expect(last.consumers?.sink.effects.map((e) => [e.send, e.key])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(NoRecordProcessedTwice.check({ cluster: last.cluster, consumers: last.consumers as ConsumerSide }).map((v) => v.code)).toEqual(['record_processed_twice']);
    expect(violatedInvariants(last, [NoAbortedRead, NoAbortedRecordProcessed, TransactionAtomic])).toEqual([]);
  });
});
