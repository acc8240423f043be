/**
 * Transactional partitions with replication.factor > 1 (issue 19), hand-written traces against
 * Kafka 3.8.0: markers are appended with acks=-1 (KafkaApis `handleWriteTxnMarkersRequest`,
 * `requiredAcks = -1`) and answered once the HW passes them (DelayedProduce, PART
 * `checkEnoughReplicasReachOffset`); a leader change answers a parked marker
 * NOT_LEADER_OR_FOLLOWER and TMCM sends it again (TransactionMarkerRequestCompletionHandler); the
 * LSO is bounded by the HW (UL `lastStableOffset`); a replica's transactional state is its log's,
 * on followers and after truncation (UL `rebuildProducerState`); KIP-890 verification happens at
 * the new leader.
 */

import { describe, expect, it } from 'vitest';
import { play, replicaOf } from '../checker/fixtures.js';
import { whyDisabled } from './system.js';
import { parseEventText } from './event-text.js';
import { appendMarker, appendTxnData, EMPTY_TXN_PARTITION, lastStableOffset, readCommitted, setHighWatermark } from './txn.js';
import { NoAbortedRead, NoCommittedWriteLost, settled, TransactionAtomic } from './txn-invariants.js';
import { txnView } from './txn-partition.js';
import type { ConfigInput } from './config.js';
import type { TxnPartition } from './txn-types.js';
import { narrateTxn, txnCell } from '../report/narrate-txn.js';
import { narrate } from '../report/narrate.js';
import { txnDrawing } from '../report/html-txn.js';
import { WITNESSES } from './witnesses.js';
import type { State } from './types.js';

const RF3 = { 'transactional.id': 't', 'replication.factor': 3, 'min.insync.replicas': 2, 'isolation.level': 'read_committed' } as const;

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
/** Begin, send one record to p0, add p0 to the transaction, append the batch at the leader b0 (acks=all: parked until the followers fetch). */
const SEND_P0 = ['AppBeginTransaction', 'AppSend(p0)', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)'];
/** Both followers fetch once: they copy what the leader has; the leader learns their log ends as they were (the fetch offset). */
const FETCH = ['ReplicaFetch(p0,b1)', 'ReplicaFetch(p0,b2)'];
/** Two rounds: the leader's HW reaches its log end. */
const REPLICATE = [...FETCH, ...FETCH];
/** The batch replicated to both followers and acknowledged. */
const T_P0 = [...SEND_P0, ...REPLICATE, 'BrokerCompleteProduce(b0)', 'ProducerReceive(b0)'];
/** commitTransaction(): EndTxn, PrepareCommit written, the answer read, the COMMIT marker written at the leader. */
const COMMIT_TO_MARKER = ['AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'BrokerWriteMarker'];

function disabled(state: State, event: string, config: ConfigInput = RF3): string | null {
  const { setup } = play(config, []);
  return whyDisabled(setup, state, parseEventText('test', event));
}

function data(p: TxnPartition): TxnPartition {
  const r = appendTxnData(p, 7, 0, true, [0]);
  if (r.kind !== 'appended') throw new Error('rejected');
  return r.partition;
}

function marker(p: TxnPartition): TxnPartition {
  const r = appendMarker(p, { partition: 0, producerId: 7, epoch: 0, result: 'COMMIT', coordinatorEpoch: 0 });
  if (r.kind !== 'appended') throw new Error('rejected');
  return r.partition;
}

describe('LSO bounded by the HW (UL lastStableOffset: the first unstable offset when below the HW, else the HW)', () => {
  it('a committed transaction whose marker is not below the HW stays unstable: read_committed returns nothing until the HW passes the marker', () => {
    const p = marker(data(EMPTY_TXN_PARTITION));
    expect(lastStableOffset(setHighWatermark(p, 1))).toBe(0);
    expect(readCommitted(setHighWatermark(p, 1), 0)).toEqual([]);
    expect(lastStableOffset(setHighWatermark(p, 2))).toBe(2);
    expect(readCommitted(setHighWatermark(p, 2), 0).map((r) => r.send)).toEqual([0]);
  });

  it('with no transaction at all the LSO is the HW, not the log end', () => {
    const r = appendTxnData(EMPTY_TXN_PARTITION, 7, 0, false, [0, 1]);
    if (r.kind !== 'appended') throw new Error('rejected');
    expect(lastStableOffset(setHighWatermark(r.partition, 1))).toBe(1);
  });
});

describe('Markers with acks=-1 (KafkaApis handleWriteTxnMarkersRequest: requiredAcks = -1)', () => {
  const parkedTrace = [...INIT, ...T_P0, ...COMMIT_TO_MARKER];

  it('the leader appends the marker and parks it until its HW passes it; the coordinator stays in PrepareCommit', () => {
    const { last } = play(RF3, parkedTrace);
    const c = last.txn?.coordinator;
    expect(c?.meta?.state).toBe('PrepareCommit');
    expect(c?.markers).toEqual([{ partition: 0, producerId: 1, epoch: 0, result: 'COMMIT', coordinatorEpoch: 0, appended: { broker: 0, leaderEpoch: 0, requiredOffset: 2 } }]);
    expect(replicaOf(last, 0, 0).log.map((b) => b.control?.result ?? 'data')).toEqual(['data', 'COMMIT']);
    expect(replicaOf(last, 0, 0).hw).toBe(1);
    // The marker is not below the HW: the transaction is unstable and read_committed returns nothing yet.
    expect(readCommitted(txnView(replicaOf(last, 0, 0)), 0)).toEqual([]);
    expect(disabled(last, 'BrokerCompleteMarker')).toBe("the leader's high watermark has not passed the marker yet");
    expect(disabled(last, 'BrokerWriteMarker')).toMatch(/appended at b0 and waits there for the HW/);
    expect(disabled(last, 'CoordinatorRetryMarker')).toMatch(/no copy of it is on its way/);
    expect(settled(last)).toBe(false);
  });

  it("followers copy the control batch like data; each follower's transactional view is its own log's, with its own HW", () => {
    const { last, states } = play(RF3, [...parkedTrace, 'ReplicaFetch(p0,b1)']);
    expect(narrate(states[states.length - 2] as State, last, parseEventText('test', 'ReplicaFetch(p0,b1)'))).toBe('b1 fetches p0 from b0; copies <COMMIT 1/0>@1');
    const follower = replicaOf(last, 0, 1);
    expect(follower.log.map((b) => b.control?.result ?? 'data')).toEqual(['data', 'COMMIT']);
    // The follower learnt the leader's HW as it was before this fetch (1): the marker is above it, the LSO stays at 0.
    expect(follower.hw).toBe(1);
    expect(txnView(follower).unreplicated).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: 1 }]);
    expect(lastStableOffset(txnView(follower))).toBe(0);
    // b2 has not fetched the marker: the leader's HW stays at 1.
    expect(replicaOf(last, 0, 0).hw).toBe(1);
  });

  it('once the ISR has the marker the HW passes it, the leader answers NONE and the coordinator completes', () => {
    const { last, states } = play(RF3, [...parkedTrace, ...REPLICATE, 'BrokerCompleteMarker', 'CoordinatorAppendLog', ...FETCH]);
    expect(last.txn?.coordinator.log.map((r) => r.state)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    expect(last.txn?.coordinator.markers).toEqual([]);
    expect(last.txn?.ghost.markersReplicated).toBe(1);
    expect(WITNESSES.find((w) => w.name === 'MarkerAwaitedReplication')?.holds(last)).toBe(true);
    for (const b of [0, 1, 2]) expect(readCommitted(txnView(replicaOf(last, 0, b)), 0).map((r) => r.send), `b${b}`).toEqual([0]);
    expect(settled(last)).toBe(true);
    expect([NoAbortedRead, TransactionAtomic, NoCommittedWriteLost].flatMap((i) => i.check(last))).toEqual([]);
    // Narration and the diagram say the marker waited, then was answered.
    const i = parkedTrace.length;
    const write = states[i] as State;
    const before = states[i - 1] as State;
    expect(narrateTxn(before, write, parseEventText('test', 'BrokerWriteMarker'))).toBe('b0 appends COMMIT marker 1/0 to p0 at offset 1; it answers once the HW passes it (acks=-1; HW 1 now)');
    expect(txnDrawing(parseEventText('test', 'BrokerWriteMarker'), before, write)?.marks).toEqual([{ lane: 'tc', text: 'p0 waits for HW 2', tone: 'note' }]);
    expect(txnCell(write)).toContain('markers COMMIT marker 1/0 to p0 (appended at b0, awaiting HW 2)');
    const answered = states[i + 5] as State;
    const ready = states[i + 4] as State;
    expect(narrateTxn(ready, answered, parseEventText('test', 'BrokerCompleteMarker'))).toBe('b0 answers the COMMIT marker 1/0 to p0: the HW passed offset 1, acknowledged; the coordinator completes: pending CompleteCommit 1/0');
    expect(txnDrawing(parseEventText('test', 'BrokerCompleteMarker'), ready, answered)?.arrows).toEqual([{ from: 0, to: 'tc', label: 'NONE for COMMIT marker 1/0 to p0', kind: 'response' }]);
  });

  it('with replication.factor=1 the HW passes the marker at its append: it is acknowledged in the same step, as before', () => {
    const { last } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed' }, [
      ...INIT,
      'AppBeginTransaction', 'AppSend(p0)', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)',
      ...COMMIT_TO_MARKER,
    ]);
    expect(last.txn?.coordinator.markers).toEqual([]);
    expect(last.txn?.coordinator.pending?.meta.state).toBe('CompleteCommit');
    expect(last.txn?.ghost.markersReplicated).toBeUndefined();
  });

  it('an ISR below min.insync.replicas refuses the marker (PART appendRecordsToLeader: NOT_ENOUGH_REPLICAS, retried)', () => {
    const { last } = play(RF3, [...INIT, ...T_P0, 'BrokerCrash(b1)', 'BrokerCrash(b2)', 'AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse']);
    expect(last.cluster.partitions[0]?.isr).toEqual([0]);
    expect(disabled(last, 'BrokerWriteMarker')).toMatch(/below min.insync.replicas \(NOT_ENOUGH_REPLICAS/);
  });

  it('the ISR shrinking below min.insync.replicas after the HW passed: NOT_ENOUGH_REPLICAS_AFTER_APPEND, sent again', () => {
    const { last } = play(RF3, [...parkedTrace, ...REPLICATE, 'BrokerCrash(b1)', 'BrokerCrash(b2)', 'BrokerCompleteMarker']);
    expect(last.txn?.coordinator.markers).toEqual([{ partition: 0, producerId: 1, epoch: 0, result: 'COMMIT', coordinatorEpoch: 0 }]);
    expect(last.txn?.coordinator.meta?.state).toBe('PrepareCommit');
    // Not a leader change: the witness of a marker re-sent to a new leader is not reached.
    expect(last.txn?.ghost.markersResent).toBeUndefined();
  });
});

describe('Leader failover with a marker pending (TMRH: NOT_LEADER_OR_FOLLOWER is retriable, re-enqueued to the new leader)', () => {
  // The marker is appended at b0 only; leadership moves to b1, which lacks it.
  const moved = [...INIT, ...T_P0, ...COMMIT_TO_MARKER, 'ControllerMoveLeader(p0,b1)'];

  it("the old leader's parked marker is answered NOT_LEADER_OR_FOLLOWER; the new leader's view is its log's (the transaction open)", () => {
    const { last, states } = play(RF3, [...moved, 'BrokerCompleteMarker']);
    const newLeader = replicaOf(last, 0, 1);
    expect(newLeader.log.map((b) => b.control?.result ?? 'data')).toEqual(['data']);
    expect(txnView(newLeader).ongoing).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: -1 }]);
    expect(last.txn?.coordinator.markers).toEqual([{ partition: 0, producerId: 1, epoch: 0, result: 'COMMIT', coordinatorEpoch: 0 }]);
    expect(last.txn?.ghost.markersResent).toBe(1);
    expect(WITNESSES.find((w) => w.name === 'MarkerResentToNewLeader')?.holds(last)).toBe(true);
    const before = states[states.length - 2] as State;
    expect(narrateTxn(before, last, parseEventText('test', 'BrokerCompleteMarker'))).toBe('b0 no longer leads p0 (b1 does): the COMMIT marker 1/0 to p0 is answered NOT_LEADER_OR_FOLLOWER and the coordinator sends it again');
    expect(txnDrawing(parseEventText('test', 'BrokerCompleteMarker'), before, last)?.marks).toEqual([{ lane: 'tc', text: 'resend → p0', tone: 'warn' }]);
  });

  it('the coordinator writes it again at the new leader; the old leader truncates its copy and takes the new one; the transaction commits everywhere', () => {
    const round = ['ReplicaFetch(p0,b0)', 'ReplicaFetch(p0,b2)'];
    const { last } = play(RF3, [...moved, 'BrokerCompleteMarker', 'BrokerWriteMarker', ...round, ...round, 'BrokerCompleteMarker', 'CoordinatorAppendLog', ...round]);
    expect(last.ghost.stats.truncations).toBe(1);
    for (const b of [0, 1, 2]) {
      const r = replicaOf(last, 0, b);
      expect(r.log.map((x) => `${x.control?.result ?? 'data'}@e${x.leaderEpoch}`), `b${b}`).toEqual(['data@e0', 'COMMIT@e1']);
      expect(readCommitted(txnView(r), 0).map((x) => x.send), `b${b}`).toEqual([0]);
    }
    expect(last.txn?.coordinator.log.at(-1)?.state).toBe('CompleteCommit');
    expect([NoAbortedRead, TransactionAtomic, NoCommittedWriteLost].flatMap((i) => i.check(last))).toEqual([]);
  });

  it('a leader moving away and back answers a marker parked under its old leader epoch too (RM applyLocalFollowersDelta completes parked appends)', () => {
    const { last } = play(RF3, [...moved, 'ControllerMoveLeader(p0,b0)', 'BrokerCompleteMarker']);
    expect(last.cluster.partitions[0]?.leader).toBe(0);
    expect(last.txn?.ghost.markersResent).toBe(1);
  });
});

describe("Leader failover with transactional data not yet replicated: the new leader's state is its log's, and it verifies (KIP-890 part 1)", () => {
  // The batch reaches b0 only; leadership moves to b1 before any follower fetched it.
  const lost = [...INIT, ...SEND_P0, 'ControllerMoveLeader(p0,b1)', 'ProducerReceive(b0)'];

  it('the retry is verified with the coordinator at the new leader and opens the transaction there; the old copy is truncated', () => {
    const { last } = play(RF3, [...lost, 'ProducerDrain(b1)', 'BrokerReceive(b1)', 'ReplicaFetch(p0,b0)', 'ReplicaFetch(p0,b2)']);
    expect(txnView(replicaOf(last, 0, 1)).ongoing).toEqual([{ producerId: 1, firstOffset: 0, lastOffset: -1 }]);
    expect(replicaOf(last, 0, 0).log.map((b) => b.leaderEpoch)).toEqual([1]);
    expect(last.ghost.stats.truncations).toBe(1);
  });

  it('a transaction aborted meanwhile (timeout, epoch fenced): the new leader verifies and fences the retry, and the aborted batch leaves no record', () => {
    const { last } = play(RF3, [
      ...lost,
      'CoordinatorAbortTimedOut',
      'CoordinatorAppendLog',
      'ProducerDrain(b1)',
      'BrokerReceive(b1)',
      'BrokerWriteMarker',
      'ReplicaFetch(p0,b0)',
      'ReplicaFetch(p0,b2)',
      'ReplicaFetch(p0,b0)',
      'ReplicaFetch(p0,b2)',
      'BrokerCompleteMarker',
    ]);
    expect(last.txn?.ghost.fencedWrites).toBe(1);
    for (const b of [0, 1, 2]) expect(replicaOf(last, 0, b).log.map((x) => x.control?.result ?? 'data'), `b${b}`).toEqual(['ABORT']);
    expect(last.txn?.coordinator.pending?.meta.state).toBe('CompleteAbort');
  });
});

describe('settled: a new leader whose HW lags its log hides a transaction it will show, which TransactionAtomic does not count as torn', () => {
  it('two partitions: after p0 moves to a follower with a stale HW, T shows on p1 only until the followers fetch', () => {
    const cfg = { ...RF3, partitions: 2 };
    // p0's leader is b0, p1's is b1 (assignment from the partition index).
    const send = (p: number, b: number): string[] => [`AppSend(p${p})`, 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', `ProducerDrain(b${b})`, `BrokerReceive(b${b})`];
    const fetch = (p: number, followers: number[]): string[] => [...followers, ...followers].map((f) => `ReplicaFetch(p${p},b${f})`);
    const trace = [
      ...INIT,
      'AppBeginTransaction',
      ...send(0, 0),
      ...fetch(0, [1, 2]),
      'BrokerCompleteProduce(b0)',
      'ProducerReceive(b0)',
      ...send(1, 1),
      ...fetch(1, [0, 2]),
      'BrokerCompleteProduce(b1)',
      'ProducerReceive(b1)',
      'AppCommitTransaction',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'BrokerWriteMarker',
      'BrokerWriteMarker(#1)',
      ...fetch(0, [1, 2]),
      ...fetch(1, [0, 2]),
      'BrokerCompleteMarker',
      'BrokerCompleteMarker',
      'CoordinatorAppendLog',
      // p0's followers learnt the HW as it was before their last fetch; p0 moves to b2.
      'ControllerMoveLeader(p0,b2)',
    ];
    const { last } = play(cfg, trace);
    expect(last.txn?.coordinator.markers).toEqual([]);
    expect(readCommitted(txnView(replicaOf(last, 0, 2)), 0)).toEqual([]);
    expect(readCommitted(txnView(replicaOf(last, 1, 1)), 0).length).toBe(1);
    expect(settled(last)).toBe(false);
    expect(TransactionAtomic.check(last)).toEqual([]);
    const caught = play(cfg, [...trace, ...fetch(0, [0, 1])]).last;
    expect(settled(caught)).toBe(true);
    expect(readCommitted(txnView(replicaOf(caught, 0, 2)), 0).length).toBe(1);
    expect(TransactionAtomic.check(caught)).toEqual([]);
  });
});

describe('Unclean leader election loses a committed transaction (unclean.leader.election.enable=true: Kafka trades durability for availability)', () => {
  it('the ISR shrinks to the leader, the transaction commits there, the leader crashes and the out-of-sync follower is elected: NoCommittedWriteLost', () => {
    const cfg = { 'transactional.id': 't', 'replication.factor': 2, 'min.insync.replicas': 1, 'unclean.leader.election.enable': true, 'isolation.level': 'read_committed' };
    const { last } = play(cfg, [
      ...INIT,
      ...SEND_P0,
      'LeaderShrinkIsr(p0,b1)',
      'BrokerCompleteProduce(b0)',
      'ProducerReceive(b0)',
      ...COMMIT_TO_MARKER,
      'CoordinatorAppendLog',
      'BrokerCrash(b0)',
    ]);
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['committed']);
    expect(last.txn?.coordinator.meta?.state).toBe('CompleteCommit');
    expect(last.cluster.partitions[0]?.leader).toBe(1);
    expect(last.ghost.stats.uncleanElections).toBe(1);
    expect(NoCommittedWriteLost.check(last).map((v) => v.code)).toEqual(['committed_write_lost']);
  });
});
