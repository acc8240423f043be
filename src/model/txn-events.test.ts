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
import type { State } from './types.js';

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
/** Begin, send one record to p0, add p0 to the transaction, write the batch. */
const T_P0 = ['AppBeginTransaction', 'AppSend(p0)', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)'];
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

  it('transactional.id is modelled with replication.factor=1 only, and not with consumer= yet', () => {
    const rf = resolveConfig({ 'transactional.id': 't', 'replication.factor': 2 });
    expect(rf.ok ? null : rf.key).toBe('transactional.id');
    const c = resolveConfig({ 'transactional.id': 't', consumer: 'dedup' });
    expect(c.ok ? null : c.key).toBe('consumer');
  });

  it('defaults: transaction.version 1, read_uncommitted, verification on, the plain application', () => {
    const r = resolveConfig({ 'transactional.id': 't' });
    expect(r.ok && r.config.txn).toEqual({ transactionalId: 't', version: 1, isolation: 'read_uncommitted', verification: true, app: 'plain' });
  });
});
