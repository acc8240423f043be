/**
 * delayed-produce (issue 19): a produce request the broker has read outlives its connection.
 *
 * Kafka 3.8.0: when request.timeout.ms passes, NetworkClient `handleTimedOutRequests` closes the
 * connection and fails every request in flight on it, which the Sender completes as
 * REQUEST_TIMED_OUT (SND `handleProduceResponse`, `wasTimedOut`) and retries by `canRetry`. The
 * broker keeps a request it has read: Selector `close` moves a channel muted for a request in
 * progress to `closingChannels` ("so that all received records may be processed"), SocketServer
 * Processor `processCompletedReceives` has put it on RequestChannel's queue, KafkaRequestHandler
 * `run` hands every queued request to KafkaApis `handle` without asking whether its connection is
 * open, and Processor `sendResponse` drops the answer ("no open connection"). Handler threads
 * take requests of different connections concurrently, so the old request can be appended after
 * requests the producer sent later on its new connection. It meets the leader's checks as it
 * stands then: duplicate, epoch and sequence (UL `analyzeAndValidateProducerState`, PAI), and
 * for a transactional batch KIP-890 part 1 verification (RM `appendRecords`, TC
 * `handleVerifyPartitionsInTransaction`).
 */

import { describe, expect, it } from 'vitest';
import { logRecords, play } from '../checker/fixtures.js';
import { resolveConfig } from './config.js';
import { traceSetup } from './events.js';
import { parseEventText } from './event-text.js';
import { initialState, step, whyDisabled } from './system.js';
import { witnessByName } from './witnesses.js';
import type { State } from './types.js';
import { violatedInvariants } from './invariants.js';
import { NoAbortedRead, NoCommittedWriteLost, TransactionAtomic } from './txn-invariants.js';

const HELD_THEN_RETRIED = ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerDelayProduce(b0)'];

function lateAppended(state: State): boolean {
  return witnessByName('DelayedProduceAppendedLate')?.holds(state) ?? false;
}

function lateRefused(state: State): boolean {
  return witnessByName('DelayedProduceRefused')?.holds(state) ?? false;
}

describe('delayed-produce: a produce request handled after its connection closed', () => {
  it('the client sees its request time out and retries the batch with the same sequence; the broker holds the request', () => {
    const { last } = play({}, HELD_THEN_RETRIED);
    expect(last.held.map((h) => h.request.id)).toEqual([0]);
    expect(last.network[0]?.toBroker).toEqual([]);
    expect(last.producer.requests[0]).toEqual([]);
    const batch = last.producer.batches[0];
    expect(batch?.inRetry).toBe(true);
    expect(batch?.baseSequence).toBe(0);
    expect(last.ghost.sends[0]?.outcome).toBe('pending');
  });

  it('handled after the retry was appended: a duplicate (PSE `findDuplicateBatch`), nothing appended, no answer', () => {
    const { last } = play({}, [...HELD_THEN_RETRIED, 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', 'BrokerReceiveDelayed(#0)']);
    expect(logRecords(last, 0, 0)).toEqual([0]);
    expect(last.ghost.sends[0]?.outcome).toBe('ok');
    expect(last.held).toEqual([]);
    expect(last.network[0]?.toClient).toEqual([]);
    expect(lateRefused(last)).toBe(true);
  });

  it('handled before the retry: appended; the retry is then the duplicate, acknowledged at the first copy\'s offset', () => {
    const { last } = play({}, [...HELD_THEN_RETRIED, 'BrokerReceiveDelayed(#0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)']);
    expect(logRecords(last, 0, 0)).toEqual([0]);
    expect(last.ghost.sends[0]).toMatchObject({ outcome: 'ok', offset: 0 });
    expect(last.ghost.stats.dedupHits).toBe(1);
    expect(lateAppended(last)).toBe(false);
  });

  it('appended after a later request of the same producer on its new connection (handler threads keep no order across connections); an idempotent epoch bump does not fence it on a partition the new epoch has not written', () => {
    // r0's deadline passes, then its request times out: failed (maybe written), epoch bump (SND
    // `completeBatch` → `failBatch` with adjustSequenceNumbers, TM `handleFailedBatch`). r1 goes
    // to p1 under epoch 1; the late r0 (epoch 0, seq 0) meets no entry of pid 1 on p0: PAI
    // `checkSequence` accepts an unknown producer id's first batch.
    const { last } = play({ partitions: 2 }, ['AppSend(p0)', 'ProducerDrain(b0)', 'ProducerDeliveryTimeout(p0)', 'BrokerDelayProduce(b0)', 'ProducerResolve', 'AppSend(p1)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerReceiveDelayed(#0)']);
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['info', 'pending']);
    expect(logRecords(last, 0, 0)).toEqual([0]);
    expect(logRecords(last, 1, 0)).toEqual([1]);
    expect(lateAppended(last)).toBe(true);
  });

  it('on a partition the new epoch has written, the late batch is fenced: INVALID_PRODUCER_EPOCH (PAI `checkProducerEpoch`)', () => {
    const { last } = play({}, ['AppSend(p0)', 'ProducerDrain(b0)', 'ProducerDeliveryTimeout(p0)', 'BrokerDelayProduce(b0)', 'ProducerResolve', 'AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'BrokerReceiveDelayed(#0)']);
    expect(logRecords(last, 0, 0)).toEqual([1]);
    expect(last.ghost.stats.invalidEpoch).toBe(1);
    expect(lateRefused(last)).toBe(true);
    expect(lateAppended(last)).toBe(false);
  });

  it('a broker that stops loses the requests it held; while it parks a request on the connection it reads nothing more (SocketServer mutes the channel)', () => {
    const { last } = play({}, [...HELD_THEN_RETRIED, 'BrokerCrash(b0)']);
    expect(last.held).toEqual([]);
    const resolved = resolveConfig({ 'replication.factor': 2 });
    if (!resolved.ok) throw new Error(resolved.error);
    const setup = traceSetup(resolved.config);
    let state = initialState(setup);
    for (const e of ['AppSend(p0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'AppSend(p0)', 'ProducerDrain(b0)']) state = step(setup, state, parseEventText('test', e));
    // acks=all (the default): request #0 is parked until the follower has it; #1 waits behind it.
    expect(state.network[0]?.pending).not.toBeNull();
    expect(whyDisabled(setup, state, { kind: 'BrokerDelayProduce', broker: 0 })).toMatch(/still answering/);
  });

  it('acks=0: the client awaits no answer, so request.timeout.ms does not apply', () => {
    const resolved = resolveConfig({ acks: '0', 'enable.idempotence': false });
    if (!resolved.ok) throw new Error(resolved.error);
    const setup = traceSetup(resolved.config);
    let state = initialState(setup);
    for (const e of ['AppSend(p0)', 'ProducerDrain(b0)']) state = step(setup, state, parseEventText('test', e));
    expect(whyDisabled(setup, state, { kind: 'BrokerDelayProduce', broker: 0 })).toMatch(/awaits no answer/);
  });
});

const INIT = ['AppInitTransactions', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
const BEGIN_ADD_P0 = ['AppBeginTransaction', 'AppSend(p0)', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse'];
const COMMIT = ['AppCommitTransaction', 'ProducerSendTxnRequest', 'CoordinatorReceive', 'CoordinatorAppendLog', 'ProducerReceiveTxnResponse', 'BrokerWriteMarker', 'CoordinatorAppendLog'];

describe('delayed-produce with transactions', () => {
  it('transaction.version=1: a produce of T1, retried after its timeout and committed, lands in T2 (same epoch) and is a duplicate by sequence', () => {
    const { last } = play({ 'transactional.id': 't', 'isolation.level': 'read_committed' }, [
      ...INIT,
      ...BEGIN_ADD_P0,
      'ProducerDrain(b0)',
      'BrokerDelayProduce(b0)',
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      ...COMMIT,
      ...BEGIN_ADD_P0,
      'ProducerDrain(b0)',
      'BrokerReceive(b0)',
      'ProducerReceive(b0)',
      'BrokerReceiveDelayed(#0)',
    ]);
    // r0 at 0, T1's COMMIT at 1, r1 (seq 1) at 2; the late r0 (seq 0, epoch 0) appends nothing.
    expect(logRecords(last, 0, 0)).toEqual([0, 1]);
    expect(last.producer.epoch).toBe(0);
    expect(lateRefused(last)).toBe(true);
  });

  /**
   * KAFKA-17754's produce variant (Jepsen, Bufstream 0.1.0, §5.4): T1's batch passes
   * delivery.timeout.ms while commitTransaction() waits for it; the sendProducerData that drains
   * it also expires it (SND `sendProducerData` → `failBatch(expiredBatch, TimeoutException,
   * false)`), and TM `maybeTransitionToErrorState` makes the transaction abortable with no epoch
   * bump, because it is completing (`canBumpEpoch() && !isCompleting()`); the batch was never
   * retried, so no sequence is unresolved (`markSequenceUnresolved` only `if inRetry`). Its request
   * times out and the broker holds it; T1 is aborted under the same epoch; T2 adds p0; then the
   * held request is handled. Under transaction.version=1 the leader has no open transaction of the
   * pid on p0, so it verifies with the coordinator (RM `appendRecords` → APTM, TC
   * `handleVerifyPartitionsInTransaction`): p0 is in the Ongoing T2 of epoch 0, so it passes, and
   * sequence 0 follows the empty cache (PAI `checkSequence`). T1's record joins T2 and is
   * committed with it. Under transaction.version=2 the abort bumped the epoch (TMD
   * `prepareAbortOrCommit`, trunk): verification answers PRODUCER_FENCED, sent to the producer as
   * INVALID_PRODUCER_EPOCH.
   */
  const T1_EXPIRES_WHILE_COMMITTING = [
    'AppBeginTransaction',
    'AppSend(p0)',
    'AppCommitTransaction',
    'ProducerDeliveryTimeout(p0)',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'ProducerDrain(b0)',
    'BrokerDelayProduce(b0)',
    'AppAbortTransaction',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'BrokerWriteMarker',
    'CoordinatorAppendLog',
  ];
  const T2_LATE_THEN_COMMIT = [
    ...BEGIN_ADD_P0,
    'BrokerReceiveDelayed(#0)',
    'ProducerDrain(b0)',
    'BrokerReceive(b0)',
    'ProducerReceive(b0)',
    ...COMMIT.slice(0, 5),
    'BrokerWriteMarker',
  ];
  const CONFIG = { 'transactional.id': 't', 'isolation.level': 'read_committed', 'txn-app': 'commit-or-abort' } as const;

  it('transaction.version=1: an expired batch of aborted T1, its request handled after T2 added the partition, is committed in T2 (NoAbortedRead)', () => {
    const { last } = play({ ...CONFIG, 'transaction.version': 1 }, [...INIT, ...T1_EXPIRES_WHILE_COMMITTING, ...T2_LATE_THEN_COMMIT]);
    expect(last.ghost.sends.map((s) => s.outcome)).toEqual(['info', 'ok']);
    expect(last.txn?.ghost.txns.map((t) => t.outcome)).toEqual(['aborted', 'committed']);
    expect(last.producer.epoch).toBe(0);
    // ABORT(T1) at 0, T1's r0 at 1 inside T2, T2's r1 at 2, COMMIT at 3.
    expect(logRecords(last, 0, 0)).toEqual([0, 1]);
    expect(violatedInvariants(last, [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost]).map((v) => v.invariant)).toEqual(['NoAbortedRead']);
  });

  /**
   * transaction.version=2: the same story without AddPartitionsToTxn (4.0 TM `maybeAddPartition`).
   * The leader never saw T1's batch, so the coordinator is still Empty when the application aborts:
   * TV2 aborts an empty transaction with an epoch bump and no marker (TC `endTransaction`,
   * `noPartitionAdded`). T2's first batch has the leader add p0 at epoch 1; the held request of
   * epoch 0 is answered PRODUCER_FENCED by the coordinator, sent as INVALID_PRODUCER_EPOCH.
   */
  const T1_EXPIRES_WHILE_COMMITTING_V2 = [
    'AppBeginTransaction',
    'AppSend(p0)',
    'AppCommitTransaction',
    'ProducerDeliveryTimeout(p0)',
    'ProducerDrain(b0)',
    'BrokerDelayProduce(b0)',
    'AppAbortTransaction',
    'ProducerSendTxnRequest',
    'CoordinatorReceive',
    'CoordinatorAppendLog',
    'ProducerReceiveTxnResponse',
    'CoordinatorAppendLog',
  ];
  const T2_LATE_THEN_COMMIT_V2 = ['AppBeginTransaction', 'AppSend(p0)', 'BrokerReceiveDelayed(#0)', 'ProducerDrain(b0)', 'BrokerReceive(b0)', 'ProducerReceive(b0)', ...COMMIT.slice(0, 5), 'BrokerWriteMarker'];

  it('transaction.version=2: the abort bumped the epoch, so the late batch is fenced and T2 is whole', () => {
    const { last } = play({ ...CONFIG, 'transaction.version': 2 }, [...INIT, ...T1_EXPIRES_WHILE_COMMITTING_V2, ...T2_LATE_THEN_COMMIT_V2]);
    expect(last.txn?.coordinator.log.map((r) => r.state)).toEqual(['Empty', 'PrepareAbort', 'CompleteAbort', 'Ongoing', 'PrepareCommit']);
    expect(last.producer.epoch).toBe(2);
    expect(logRecords(last, 0, 0)).toEqual([1]);
    expect(last.ghost.stats.invalidEpoch).toBe(1);
    expect(lateRefused(last)).toBe(true);
    expect(violatedInvariants(last, [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost])).toEqual([]);
  });
});
