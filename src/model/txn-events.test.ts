/**
 * The transactional side wired into the model (issue 19, phase 2): hand-written traces through
 * the TransactionManager, the coordinator and the partition leader, checked against what Kafka
 * 3.8.0 does (TC `handleInitProducerId`, `handleEndTransaction`; TMCM markers; PAI
 * `appendEndTxnMarker`; CompletedFetch's aborted index).
 */

import { describe, expect, it } from 'vitest';
import { play } from '../checker/fixtures.js';
import { resolveConfig } from './config.js';
import { violatedInvariants } from './invariants.js';
import { readCommitted, readUncommitted } from './txn.js';
import { ExactlyOnceProcessing, NoAbortedRead, NoCommittedWriteLost, TransactionAtomic, ZombieFenced } from './txn-invariants.js';
import { txnView } from './txn-partition.js';
import { visibleMeta } from './txn-side.js';
import type { State } from './types.js';

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
/** Begin, send one record to p0, add p0 to the transaction, write the batch. */
const T_P0 = ['AppBeginTransaction', 'AppSend(p0)', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];
/** transaction.version=2: the same, with no AddPartitionsToTxn (4.0 TM `maybeAddPartition`): the leader adds p0 when the batch arrives. */
const T_P0_V2 = ['AppBeginTransaction', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];
const COMMIT = ['AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'BrokerWriteMarker', 'CoordinatorAppendLog'];
/** The new instance's initTransactions() after a restart mid-transaction: fence + abort, CONCURRENT_TRANSACTIONS, retry. */
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

function leaderLog(state: State, partition = 0) {
  const p = state.cluster.partitions[partition];
  if (p === undefined) throw new Error('no partition');
  const replica = p.replicas[p.leader];
  if (replica === undefined) throw new Error('no leader');
  return replica;
}

describe('Transactions wired into the model', () => {
  it('a committed transaction: Ongoing → PrepareCommit → COMMIT marker → CompleteCommit, and read_committed returns its record', () => {
    const { last } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed' }, [...INIT, ...T_P0, ...COMMIT]);
    const c = last.txn?.coordinator;
    expect(c?.log.map((r) => r.state)).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    const log = leaderLog(last).log;
    expect(log.map((b) => b.control?.result ?? 'data')).toEqual(['data', 'COMMIT']);
    expect(readCommitted(txnView(leaderLog(last)), 0).map((r) => r.send)).toEqual([0]);
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['committed']);
    expect(violatedInvariants(last, [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost, ZombieFenced, ExactlyOnceProcessing])).toEqual([]);
  });

  it('before the marker the record is not below the LSO: read_committed returns nothing, read_uncommitted returns it', () => {
    const { last } = play({ 'transactional.id': 't' }, [...INIT, ...T_P0]);
    const view = txnView(leaderLog(last));
    expect(readCommitted(view, 0)).toEqual([]);
    expect(readUncommitted(view, 0).map((r) => r.send)).toEqual([0]);
  });

  it('a batch waits for AddPartitionsToTxn: no drain before the partition is in the transaction (TM isSendToPartitionAllowed)', () => {
    expect(() => play({ 'transactional.id': 't' }, [...INIT, 'AppBeginTransaction', 'AppSend(p0)', 'ProducerDrain(b0)'])).toThrow(/not enabled/);
  });

  const restart = [...INIT, ...T_P0, 'ProducerRestart', ...REINIT_FENCING];

  it('a new instance fences the old one: same pid, the open transaction aborted by an ABORT marker of the fenced epoch, then the retried InitProducerId bumps again', () => {
    const { last } = play({ 'transactional.id': 't', application: 'at-least-once' }, restart);
    expect(last.producer.producerId).toBe(1);
    // Epoch 0 → 1 by the fence (TMD prepareFenceProducerEpoch), → 2 by the retry on CompleteAbort (prepareIncrementProducerEpoch).
    expect(last.producer.epoch).toBe(2);
    expect(last.txn?.client.tm.state).toBe('READY');
    const marker = leaderLog(last).log[1];
    expect(marker?.control?.result).toBe('ABORT');
    expect(marker?.epoch).toBe(1);
    expect(txnView(leaderLog(last)).abortedIndex).toHaveLength(1);
    expect(last.application.toResend).toEqual([0]);
  });

  it('read_uncommitted returns the aborted record (NoAbortedRead violated); read_committed skips it; the mutant consumer ignoring the aborted index returns it', () => {
    const uncommitted = play({ 'transactional.id': 't', application: 'at-least-once', 'isolation.level': 'read_uncommitted' }, restart).last;
    expect(NoAbortedRead.check(uncommitted).map((v) => v.code)).toEqual(['aborted_read']);
    const committed = play({ 'transactional.id': 't', application: 'at-least-once', 'isolation.level': 'read_committed' }, restart).last;
    expect(NoAbortedRead.check(committed)).toEqual([]);
    const mutant = play({ 'transactional.id': 't', application: 'at-least-once', 'isolation.level': 'read_committed', mutant: 'ignore-aborted-index' }, restart).last;
    expect(NoAbortedRead.check(mutant).map((v) => v.code)).toEqual(['aborted_read']);
  });

  it('the resent record commits in the new instance: one copy visible to read_committed, the aborted one skipped', () => {
    const { last } = play({ 'transactional.id': 't', application: 'at-least-once', 'isolation.level': 'read_committed' }, [
      ...restart,
      'AppBeginTransaction',
      'AppResend(#0)',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      ...COMMIT,
    ]);
    const records = readCommitted(txnView(leaderLog(last)), 0).map((r) => last.ghost.sends[r.send]?.record);
    expect(records).toEqual([0]);
    // A trace allows every fault, the zombie's too: the old instance lives on (it takes no step here), so its transaction's outcome stays open.
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['open', 'committed']);
    expect(violatedInvariants(last, [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost, ZombieFenced])).toEqual([]);
  });

  it('NoCommittedWriteLost and TransactionAtomic see a committed transaction whose record was aborted', () => {
    const { last } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed' }, [...INIT, ...T_P0, ...COMMIT]);
    // Rewrite the marker as an ABORT: the application was told the transaction committed.
    const replica = leaderLog(last);
    const log = replica.log.map((b) => (b.control === undefined ? b : { ...b, control: { ...b.control, result: 'ABORT' as const } }));
    const tampered: State = { ...last, cluster: { ...last.cluster, partitions: [{ ...(last.cluster.partitions[0] as State['cluster']['partitions'][number]), replicas: [{ ...replica, log }] }] } };
    expect(NoCommittedWriteLost.check(tampered).map((v) => v.code)).toEqual(['committed_write_lost']);
  });
});

describe('Transactional settings (--set)', () => {
  it('transaction.version, isolation.level and verification need transactional.id, each a one-line error naming the key', () => {
    for (const key of ['transaction.version', 'isolation.level', 'transaction.partition.verification.enable', 'txn-app']) {
      const r = resolveConfig({ [key]: key === 'transaction.version' ? 2 : key === 'isolation.level' ? 'read_committed' : key === 'txn-app' ? 'ctp' : true });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.key).toBe(key);
        expect(r.error).toMatch(/transactional\.id/);
        expect(r.error).not.toMatch(/\n/);
      }
    }
  });

  it('bad values are rejected: transaction.version 3, isolation.level READ_COMMITTED (ConfigDef is case-sensitive)', () => {
    const v = resolveConfig({ 'transactional.id': 't', 'transaction.version': 3 });
    expect(v.ok ? null : v.key).toBe('transaction.version');
    const i = resolveConfig({ 'transactional.id': 't', 'isolation.level': 'READ_COMMITTED' });
    expect(i.ok ? null : i.error).toBe('Invalid value READ_COMMITTED for configuration isolation.level: String must be one of: read_committed, read_uncommitted');
  });

  it('transactional.id is modelled with replication.factor above 1 too; with consumer= the group reads with isolation.level', () => {
    const rf = resolveConfig({ 'transactional.id': 't', 'replication.factor': 3, 'min.insync.replicas': 2 });
    expect(rf.ok && rf.config.topic.replicationFactor).toBe(3);
    const c = resolveConfig({ 'transactional.id': 't', consumer: 'dedup', 'isolation.level': 'read_committed' });
    expect(c.ok && [c.config.consumer?.kind, c.config.txn?.isolation]).toEqual(['dedup', 'read_committed']);
  });

  it('defaults: transaction.version 1, read_uncommitted, verification on, the plain application', () => {
    const r = resolveConfig({ 'transactional.id': 't' });
    expect(r.ok && r.config.txn).toEqual({ transactionalId: 't', version: 1, isolation: 'read_uncommitted', verification: true, app: 'plain' });
  });

  it('the plain application aborts only after an abortable error; commit-or-abort also by choice', () => {
    const prefix = [...INIT, 'AppBeginTransaction', 'AppSend(p0)', 'AppAbortTransaction'];
    expect(() => play({ 'transactional.id': 't' }, prefix)).toThrow(/aborts after an abortable error/);
    expect(play({ 'transactional.id': 't', 'txn-app': 'commit-or-abort' }, prefix).last.txn?.client.tm.state).toBe('ABORTING_TRANSACTION');
  });
});

describe('KAFKA-17754 on the wired model: a timed-out EndTxn read after the next transaction began', () => {
  // T1 {r0→p0} aborted by the re-sent EndTxn; the first copy, read late, aborts T2's p1; T2 then adds p0 again and commits.
  const trace = [
    ...INIT,
    ...T_P0,
    'AppAbortTransaction',
    'ProducerSendTxnRequest',
    'ProducerTxnRequestTimeout',
    // The first EndTxn copy is held up on its way; the re-sent one overtakes it.
    'CoordinatorDelayRequest',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'BrokerWriteMarker',
    'CoordinatorAppendLog',
    'AppBeginTransaction',
    'AppSend(p1)',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ProducerReceive(b0)',
    // The stale EndTxn(ABORT, epoch 0) lands: TV1 accepts it on T2's Ongoing {p1}.
    'CoordinatorReceiveDelayed',
    'CoordinatorAppendLog',
    'BrokerWriteMarker',
    'CoordinatorAppendLog',
    // Its answer reaches the client, which no longer waits for it and drops it.
    'ProducerReceiveTxnResponse',
    'AppSend(p0)',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ProducerReceive(b0)',
    ...COMMIT,
  ];

  it('TV1: T2 commits but its p1 record was aborted: NoCommittedWriteLost and TransactionAtomic violated', () => {
    const { last } = play({ 'transactional.id': 't', partitions: 2, 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' }, trace);
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['aborted', 'committed']);
    expect(last.txn?.ghost.staleEndTxn).toBe(1);
    expect(NoCommittedWriteLost.check(last).map((v) => v.code)).toEqual(['committed_write_lost']);
    expect(TransactionAtomic.check(last).map((v) => v.code)).toEqual(['torn_transaction']);
  });

  it('TV2: the stale EndTxn carries the epoch before the bump and is fenced; T2 stays open on p1', () => {
    // The same steps up to the stale CoordinatorReceive, without the AddPartitionsToTxn round trips:
    // the leader of p0, then of p1, adds the partition when the batch arrives.
    const v2 = [
      ...INIT,
      ...T_P0_V2,
      'AppAbortTransaction',
      'ProducerSendTxnRequest',
      'ProducerTxnRequestTimeout',
      'CoordinatorDelayRequest',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'BrokerWriteMarker',
      'CoordinatorAppendLog',
      'AppBeginTransaction',
      'AppSend(p1)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      'CoordinatorReceiveDelayed',
    ];
    const { last } = play({ 'transactional.id': 't', partitions: 2, 'isolation.level': 'read_committed', 'transaction.version': 2, 'txn-app': 'commit-or-abort' }, v2);
    expect(last.txn?.coordinator.meta?.state).toBe('Ongoing');
    expect(last.txn?.coordinator.meta?.partitions).toEqual([1]);
    expect(last.txn?.coordinator.meta?.epoch).toBe(1);
    expect(last.txn?.coordinator.pending).toBeNull();
    expect(last.txn?.ghost.fencedRequests).toBe(1);
    expect(last.txn?.ghost.staleEndTxnFenced).toBe(1);
  });
});

describe('Consume-transform-produce (txn-app=ctp)', () => {
  it('sendOffsetsToTransaction: the offset is pending at the group until the COMMIT marker reaches the offsets partition', () => {
    const steps = [
      ...INIT,
      'AppBeginTransaction',
      'AppSend(p0)',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      'AppCommitTransaction',
      // AddOffsetsToTxn + TxnOffsetCommit, then EndTxn.
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'CoordinatorAppendLog',
      'ProducerReceiveTxnResponse',
    ];
    const before = play({ 'transactional.id': 't', 'txn-app': 'ctp' }, steps).last;
    expect(before.txn?.group).toEqual({ committed: 0, pendingOffset: { producerId: 1, offset: 1 } });
    expect(before.txn?.coordinator.markers.map((m) => m.partition).sort()).toEqual([-1, 0]);
    // The output's record id is its input offset.
    expect(before.ghost.sends.map((s) => s.record)).toEqual([0]);
    const after = play({ 'transactional.id': 't', 'txn-app': 'ctp' }, [...steps, 'BrokerWriteMarker', 'BrokerWriteMarker', 'CoordinatorAppendLog']).last;
    expect(after.txn?.group).toEqual({ committed: 1, pendingOffset: null });
    expect(ExactlyOnceProcessing.check(after)).toEqual([]);
  });
});

describe('transaction.version=2: the leader adds the partition (KIP-890 part 2, 4.0)', () => {
  const V2 = { 'transactional.id': 't', 'isolation.level': 'read_committed', 'transaction.version': 2 } as const;

  it('send() puts the partition in the transaction at once and no AddPartitionsToTxn is sent; the first batch has the leader add it at the coordinator', () => {
    const { states, last } = play(V2, [...INIT, ...T_P0_V2, ...COMMIT]);
    const afterSend = states[INIT.length + 2] as State;
    expect([afterSend.txn?.client.tm.partitionsInTxn, afterSend.txn?.client.tm.pendingPartitions]).toEqual([[0], []]);
    expect(afterSend.txn?.coordinator.meta?.state).toBe('Empty');
    const afterBatch = states[INIT.length + 4] as State;
    expect([afterBatch.txn?.coordinator.meta?.state, afterBatch.txn?.coordinator.meta?.partitions]).toEqual(['Ongoing', [0]]);
    expect(last.txn?.coordinator.log.map((r) => [r.state, r.epoch])).toEqual([['Empty', 0], ['Ongoing', 0], ['PrepareCommit', 1], ['CompleteCommit', 1]]);
    expect(readCommitted(txnView(leaderLog(last)), 0).map((r) => r.send)).toEqual([0]);
    expect(last.producer.epoch).toBe(1);
    expect(violatedInvariants(last, [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost, ZombieFenced])).toEqual([]);
  });

  it('the add does not depend on transaction.partition.verification.enable (ReplicaManager skips only when !supportsEpochBump); under version 1 with it off, the batch waits for AddPartitionsToTxn', () => {
    const { last } = play({ ...V2, 'transaction.partition.verification.enable': false }, [...INIT, ...T_P0_V2]);
    expect([last.txn?.coordinator.meta?.state, last.txn?.coordinator.meta?.partitions]).toEqual(['Ongoing', [0]]);
    expect(() => play({ ...V2, 'transaction.version': 1, 'transaction.partition.verification.enable': false }, [...INIT, ...T_P0_V2])).toThrow(/ProducerDrain/);
  });

  it('a failed batch: version 1 re-inits after the abort to bump the epoch (KIP-360); version 2 needs no bump of its own, the abort bumps it (TM needToTriggerEpochBumpFromClient)', () => {
    const failThenAbort = ['ProducerDeliveryTimeout(p0)', 'ProducerDrain(b0)', 'AppAbortTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
    const config = { ...V2, 'txn-app': 'commit-or-abort' } as const;
    const v1 = play({ ...config, 'transaction.version': 1 }, [...INIT, ...T_P0.slice(0, 6), ...failThenAbort]).last;
    expect([v1.txn?.client.tm.state, v1.txn?.client.reinitAfterAbort, v1.producer.epoch]).toEqual(['INITIALIZING', true, 0]);
    const v2 = play(config, [...INIT, 'AppBeginTransaction', 'AppSend(p0)', ...failThenAbort]).last;
    expect([v2.txn?.client.tm.state, v2.txn?.client.reinitAfterAbort, v2.producer.epoch]).toEqual(['READY', false, 1]);
    // The leader never saw the batch: the coordinator aborted an empty transaction (noPartitionAdded).
    expect(v2.txn?.coordinator.log.map((r) => r.state)).toEqual(['Empty', 'PrepareAbort']);
  });

  it("the next transaction's abort while the last one's markers are out is CONCURRENT_TRANSACTIONS, retried, then an empty abort (KAFKA-18464's self-fence does not happen)", () => {
    const steps = [
      ...INIT,
      ...T_P0_V2,
      ...COMMIT.slice(0, 5),
      // T1 is PrepareCommit at epoch 1 with its marker out; the client holds epoch 1, begins T2 and aborts before any batch is drained.
      'AppBeginTransaction',
      'AppSend(p0)',
      'AppAbortTransaction',
      'ProducerSendTxnRequest',
      'CoordinatorReceive',
      'ProducerReceiveTxnResponse',
    ];
    const refused = play({ ...V2, 'txn-app': 'commit-or-abort' }, steps).last;
    expect([refused.txn?.client.tm.state, refused.txn?.ghost.fencedRequests]).toEqual(['ABORTING_TRANSACTION', 0]);
    const { last } = play({ ...V2, 'txn-app': 'commit-or-abort' }, [...steps, 'BrokerWriteMarker', 'CoordinatorAppendLog', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'CoordinatorAppendLog']);
    expect(last.txn?.coordinator.log.map((r) => [r.state, r.epoch])).toEqual([['Empty', 0], ['Ongoing', 0], ['PrepareCommit', 1], ['CompleteCommit', 1], ['PrepareAbort', 2], ['CompleteAbort', 2]]);
    expect([last.txn?.client.tm.state, last.producer.epoch, last.txn?.ghost.txns.map((t) => t.outcome)]).toEqual(['READY', 2, ['committed', 'aborted']]);
  });

  it('the handlers see a written Prepare* with Complete* pending while its markers are out (TMD prepareComplete in sendTxnMarkersCallback), and nothing pending once Complete* is written', () => {
    for (const version of [1, 2] as const) {
      const { states } = play({ 'transactional.id': 't', 'transaction.version': version }, version === 1 ? [...INIT, ...T_P0, ...COMMIT] : [...INIT, ...T_P0_V2, ...COMMIT]);
      const pendings = states.map((st) => (st.txn === null ? null : visibleMeta(st.txn.coordinator)?.pendingState ?? null));
      const n = states.length;
      // After the Prepare* write (COMMIT[3]), through the marker, to the Complete* write (COMMIT[6]).
      expect(pendings.slice(n - 4)).toEqual(['CompleteCommit', 'CompleteCommit', 'CompleteCommit', null]);
    }
  });

  it('a batch of the next transaction while the last is still PrepareCommit is answered CONCURRENT_TRANSACTIONS (kept for TV2, ReplicaManager postVerificationCallback) and retried', () => {
    const steps = [
      ...INIT,
      ...T_P0_V2,
      ...COMMIT.slice(0, 5),
      // T1 is PrepareCommit at epoch 1; the client holds epoch 1 and begins T2.
      'AppBeginTransaction',
      'AppSend(p0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
    ];
    const refused = play(V2, steps).last;
    expect(refused.network[0]?.toClient[0]?.partitions.map((p) => p.error)).toEqual(['CONCURRENT_TRANSACTIONS']);
    const { states, last } = play(V2, [...steps, 'ProducerReceive(b0)', 'BrokerWriteMarker', 'CoordinatorAppendLog', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']);
    // T2's send counts the rejected attempt while pending (ghost.ts clears the counts with the outcome).
    expect(states[steps.length + 1]?.ghost.sends.map((s) => [s.outcome, s.transmitted, s.rejected])).toEqual([['ok', 0, 0], ['pending', 1, 1]]);
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['ok', 'ok']);
    expect(last.ghost.stats.retries).toBe(1);
    expect([last.txn?.coordinator.meta?.state, last.txn?.coordinator.meta?.epoch, last.txn?.coordinator.meta?.partitions]).toEqual(['Ongoing', 1, [0]]);
  });
});

describe('The late duplicated marker (marker-retry) on the wired model', () => {
  const trace = [
    ...INIT,
    ...T_P0,
    'AppCommitTransaction',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    // T1's COMMIT marker to p0 is retried; the retry is acknowledged, the first copy is still on its way.
    'CoordinatorRetryMarker',
    'BrokerWriteMarker',
    'CoordinatorAppendLog',
    ...T_P0,
    // The first copy lands on T2's open transaction at p0: equal epoch, accepted (PAI checkProducerEpoch).
    'BrokerWriteLateMarker',
    'AppAbortTransaction',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'BrokerWriteMarker',
    'CoordinatorAppendLog',
  ];

  // transaction.version=2: the same steps without the AddPartitionsToTxn round trips. T1's COMMIT
  // carries the bumped epoch 1, which is T2's epoch too, so the late copy passes PAI
  // `checkProducerEpoch` all the same.
  const v2 = trace.join('\n').split(T_P0.join('\n')).join(T_P0_V2.join('\n')).split('\n');

  it.each([1, 2] as const)('TV%s: T2 is aborted, yet its record was committed by T1 late COMMIT copy: NoAbortedRead violated', (version) => {
    const { last } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort', 'transaction.version': version }, version === 1 ? trace : v2);
    expect((version === 1 ? trace : v2).filter((e) => e === 'ProducerSendTxnRequest')).toHaveLength(version === 1 ? 5 : 3);
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['committed', 'aborted']);
    expect(last.txn?.ghost.lateMarkersWritten).toBe(1);
    expect(NoAbortedRead.check(last).map((v) => v.code)).toEqual(['aborted_read']);
  });
});

describe('The canonical key walks the transactional side', () => {
  it('states that differ only in the coordinator, the transaction manager or the markers get different keys', async () => {
    const { canonicalText, stateKey } = await import('../checker/canonical.js');
    const { states } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed' }, [...INIT, ...T_P0, ...COMMIT]);
    // CoordinatorAppendLog changes only the coordinator and the client's response queue; BrokerWriteMarker the log and the markers.
    for (let i = 1; i < states.length; i++) {
      const before = states[i - 1] as State;
      const after = states[i] as State;
      expect(canonicalText(after), `step ${i}`).not.toBe(canonicalText(before));
      expect(stateKey(after, 0), `step ${i}`).not.toEqual(stateKey(before, 0));
    }
    const last = states[states.length - 1] as State;
    const c = last.txn?.coordinator;
    if (c === undefined || c.meta === null || last.txn === null) throw new Error('no coordinator');
    const otherEpoch: State = { ...last, txn: { ...last.txn, coordinator: { ...c, meta: { ...c.meta, epoch: c.meta.epoch + 1 } } } };
    expect(stateKey(otherEpoch, 0)).not.toEqual(stateKey(last, 0));
    // The abstract clock's fields add nothing: a different start time is the same state.
    const otherStart: State = { ...last, txn: { ...last.txn, coordinator: { ...c, meta: { ...c.meta, txnStartMs: 12345 } } } };
    expect(stateKey(otherStart, 0)).toEqual(stateKey(last, 0));
  });
});
