/**
 * The transaction rules of txn.ts, one by one, on small hand-built states. Each test names the
 * Kafka 3.8.0 source it pins (for transaction.version 2, 4.0's TC `endTransaction` and its table
 * "Handling the endTxn request above the Transaction Version 2"; aliases in txn-types.ts).
 */

import { describe, expect, it } from 'vitest';
import {
  EMPTY_TXN_PARTITION,
  abortIfTimedOut,
  addPartitions,
  appendMarker,
  appendTxnData,
  completeTransaction,
  endTransaction,
  initProducerId,
  lastStableOffset,
  newTransactionMetadata,
  readCommitted,
  readUncommitted,
  setHighWatermark,
  tmTransitionValid,
  verifyPartition,
} from './txn.js';
import type { TransactionMetadata, TransactionVersion, TxnMarker, TxnPartition } from './txn-types.js';

const PID = 7;

/** A coordinator entry after the first InitProducerId: pid 7, epoch 0, Empty. */
function initialised(version: TransactionVersion = 1): TransactionMetadata {
  const r = initProducerId(newTransactionMetadata(PID, 60_000, version), 99, 0);
  if (r.kind !== 'ok') throw new Error(r.kind);
  return r.meta;
}

function ongoing(partitions: number[], version: TransactionVersion = 1, nowMs = 0): TransactionMetadata {
  return addPartitions(initialised(version), PID, 0, partitions, nowMs).meta;
}

function data(p: TxnPartition, sends: number[], epoch = 0, producerId = PID, transactional = true): TxnPartition {
  const r = appendTxnData(p, producerId, epoch, transactional, sends);
  if (r.kind !== 'appended') throw new Error(r.error);
  return r.partition;
}

function mark(p: TxnPartition, result: 'COMMIT' | 'ABORT', epoch = 0, producerId = PID, coordinatorEpoch = 0): TxnPartition {
  const r = appendMarker(p, { partition: 0, producerId, epoch, result, coordinatorEpoch });
  if (r.kind !== 'appended') throw new Error(r.error);
  return r.partition;
}

function prepared(r: ReturnType<typeof endTransaction>): { meta: TransactionMetadata; markers: readonly TxnMarker[] } {
  if (r.kind !== 'prepared') throw new Error(`expected prepared, got ${r.error}`);
  return r;
}

describe('coordinator: InitProducerId (TC handleInitProducerId, prepareInitProducerIdTransit)', () => {
  it('a new transactional.id gets epoch 0; Empty/Complete* give the same pid with epoch+1 (TMD prepareIncrementProducerEpoch)', () => {
    const m = initialised();
    expect([m.producerId, m.epoch, m.state]).toEqual([PID, 0, 'Empty']);
    const again = initProducerId({ ...m, state: 'CompleteCommit' }, 99, 0);
    expect(again.kind === 'ok' && [again.producerId, again.epoch, again.meta.state]).toEqual([PID, 1, 'Empty']);
  });

  it('an exhausted epoch rotates to a new pid at epoch 0 (TMD isEpochExhausted, prepareProducerIdRotation)', () => {
    const r = initProducerId({ ...initialised(), epoch: 32766 }, 99, 0);
    expect(r.kind === 'ok' && [r.producerId, r.epoch]).toEqual([99, 0]);
  });

  it('Prepare* or a pending transition answers CONCURRENT_TRANSACTIONS', () => {
    expect(initProducerId({ ...ongoing([0]), state: 'PrepareCommit' }, 99, 0)).toEqual({ kind: 'error', error: 'CONCURRENT_TRANSACTIONS' });
    expect(initProducerId({ ...initialised(), pendingState: 'Ongoing' }, 99, 0)).toEqual({ kind: 'error', error: 'CONCURRENT_TRANSACTIONS' });
  });

  it('Ongoing: fence with epoch+1 and abort the open transaction, markers at the bumped epoch; the retry gets epoch+2 (prepareFenceProducerEpoch → endTransaction isEpochFence)', () => {
    const r = initProducerId(ongoing([0, 2]), 99, 3);
    if (r.kind !== 'fencing') throw new Error(r.kind);
    expect([r.meta.state, r.meta.epoch, r.meta.pendingState]).toEqual(['PrepareAbort', 1, null]);
    expect(r.markers).toEqual([
      { partition: 0, producerId: PID, epoch: 1, result: 'ABORT', coordinatorEpoch: 3 },
      { partition: 2, producerId: PID, epoch: 1, result: 'ABORT', coordinatorEpoch: 3 },
    ]);
    const retry = initProducerId(completeTransaction(r.meta), 99, 3);
    expect(retry.kind === 'ok' && retry.epoch).toBe(2);
  });
});

describe('coordinator: AddPartitionsToTxn (TC handleAddPartitionsToTransaction, TMD prepareAddPartitions)', () => {
  it('Empty → Ongoing with the partitions and a fresh start time; adding present partitions changes nothing', () => {
    const m = addPartitions(initialised(), PID, 0, [2, 0], 50).meta;
    expect([m.state, m.partitions, m.txnStartMs]).toEqual(['Ongoing', [0, 2], 50]);
    expect(addPartitions(m, PID, 0, [0], 80)).toEqual({ error: 'NONE', meta: m });
    expect(addPartitions(m, PID, 0, [1], 80).meta.txnStartMs).toBe(50);
  });

  it('wrong pid, wrong epoch, Prepare* answer INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS', () => {
    const m = initialised();
    expect(addPartitions(m, 8, 0, [0], 0).error).toBe('INVALID_PRODUCER_ID_MAPPING');
    expect(addPartitions({ ...m, epoch: 1 }, PID, 0, [0], 0).error).toBe('PRODUCER_FENCED');
    expect(addPartitions({ ...ongoing([0]), state: 'PrepareAbort' }, PID, 0, [1], 0).error).toBe('CONCURRENT_TRANSACTIONS');
  });

  it('KIP-890 part 1 verification: a partition outside the open transaction is TRANSACTION_ABORTABLE (TC handleVerifyPartitionsInTransaction)', () => {
    const m = ongoing([0]);
    expect(verifyPartition(m, PID, 0, 0)).toBe('NONE');
    expect(verifyPartition(m, PID, 0, 1)).toBe('TRANSACTION_ABORTABLE');
    expect(verifyPartition(m, PID, 1, 0)).toBe('PRODUCER_FENCED');
    expect(verifyPartition({ ...m, state: 'PrepareCommit' }, PID, 0, 0)).toBe('CONCURRENT_TRANSACTIONS');
  });
});

describe('coordinator: EndTxn (TC endTransaction, TMD prepareAbortOrCommit / prepareComplete)', () => {
  it('Ongoing → Prepare* with markers to every partition, then Complete* with no partitions; TV1 keeps the epoch', () => {
    const r = prepared(endTransaction(ongoing([0, 1]), PID, 0, 'COMMIT', true, 0));
    expect([r.meta.state, r.meta.epoch, r.markers.map((m) => [m.partition, m.result, m.epoch])]).toEqual(['PrepareCommit', 0, [[0, 'COMMIT', 0], [1, 'COMMIT', 0]]]);
    const done = completeTransaction(r.meta);
    expect([done.state, done.partitions, done.epoch]).toEqual(['CompleteCommit', [], 0]);
  });

  it('a retry of a completed end is OK with no action; Prepare* of the same result is CONCURRENT_TRANSACTIONS; mismatches and Empty are INVALID_TXN_STATE', () => {
    const m = initialised();
    expect(endTransaction({ ...m, state: 'CompleteCommit' }, PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'NONE' });
    expect(endTransaction({ ...m, state: 'CompleteCommit' }, PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
    expect(endTransaction({ ...m, state: 'PrepareAbort' }, PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' });
    expect(endTransaction(m, PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
  });

  it('TV1: a client EndTxn must carry exactly the current epoch; an older one is PRODUCER_FENCED', () => {
    expect(endTransaction({ ...ongoing([0]), epoch: 1 }, PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'PRODUCER_FENCED' });
    expect(endTransaction(ongoing([0]), 8, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_PRODUCER_ID_MAPPING' });
  });

  it('TV2 (trunk prepareAbortOrCommit): EndTxn bumps the epoch, markers carry it, and a retry with the old epoch is accepted (endTxnEpochBumped)', () => {
    const r = prepared(endTransaction(ongoing([0], 2), PID, 0, 'ABORT', true, 0));
    expect([r.meta.epoch, r.meta.lastEpoch, r.markers[0]?.epoch]).toEqual([1, 0, 1]);
    expect(endTransaction(r.meta, PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' });
    expect(endTransaction(completeTransaction(r.meta), PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'NONE' });
  });

  it('TV2 (4.0 TC endTransaction table): on Complete* the current epoch is the next end, the epoch below it a retry', () => {
    const committed = completeTransaction(prepared(endTransaction(ongoing([0], 2), PID, 0, 'COMMIT', true, 0)).meta);
    const aborted = completeTransaction(prepared(endTransaction(ongoing([0], 2), PID, 0, 'ABORT', true, 0)).meta);
    expect([committed.state, committed.epoch, aborted.state, aborted.epoch]).toEqual(['CompleteCommit', 1, 'CompleteAbort', 1]);
    // Retries (epoch 0, one below the bumped 1): the same result is OK, the other INVALID_TXN_STATE.
    expect(endTransaction(committed, PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'NONE' });
    expect(endTransaction(committed, PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
    expect(endTransaction(aborted, PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'NONE' });
    expect(endTransaction(aborted, PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
    // The next end (epoch 1) with no partition added: a commit is INVALID_TXN_STATE; an abort is an
    // empty one (noPartitionAdded), bumped, with no marker.
    expect(endTransaction(committed, PID, 1, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
    for (const m of [committed, aborted]) {
      const empty = prepared(endTransaction(m, PID, 1, 'ABORT', true, 0));
      expect([empty.meta.state, empty.meta.epoch, empty.meta.lastEpoch, empty.meta.partitions, empty.markers]).toEqual(['PrepareAbort', 2, 1, [], []]);
    }
    // An older epoch still is PRODUCER_FENCED.
    expect(endTransaction({ ...committed, epoch: 3 }, PID, 1, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'PRODUCER_FENCED' });
  });

  it('TV2: Empty aborts as an empty transaction with a bump; Empty commit is INVALID_TXN_STATE; TV1 answers INVALID_TXN_STATE to both', () => {
    const empty = prepared(endTransaction(initialised(2), PID, 0, 'ABORT', true, 0));
    expect([empty.meta.state, empty.meta.epoch, empty.markers]).toEqual(['PrepareAbort', 1, []]);
    expect(completeTransaction(empty.meta).state).toBe('CompleteAbort');
    expect(endTransaction(initialised(2), PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
    expect(endTransaction(initialised(1), PID, 0, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'INVALID_TXN_STATE' });
  });

  it('TV2 in 4.0.0: the fence and the timeout abort bump twice (the fence, then TMD prepareAbortOrCommit with the server\'s version; KAFKA-19367 makes it once in releases after 4.0.0)', () => {
    const r = initProducerId(ongoing([0], 2), 99, 0);
    if (r.kind !== 'fencing') throw new Error(r.kind);
    expect([r.meta.state, r.meta.epoch, r.meta.lastEpoch, r.markers[0]?.epoch]).toEqual(['PrepareAbort', 2, 1, 2]);
    const t = abortIfTimedOut(ongoing([0], 2, 0), 0, 70_000);
    expect([t?.meta.epoch, t?.markers[0]?.epoch]).toEqual([2, 2]);
    // Version 1 (3.8.0): one bump.
    const v1 = initProducerId(ongoing([0], 1), 99, 0);
    expect(v1.kind === 'fencing' && [v1.meta.epoch, v1.markers[0]?.epoch]).toEqual([1, 1]);
  });

  it('a pending transition: TV2 (4.0) answers CONCURRENT_TRANSACTIONS before looking at the epoch, in EndTxn (KAFKA-18464) and AddPartitionsToTxn (KAFKA-18660); TV1 (3.8.0) after it', () => {
    for (const version of [1, 2] as const) {
      const prepared1 = prepared(endTransaction(ongoing([0], version), PID, 0, 'COMMIT', true, 0)).meta;
      // As the handlers see it while the markers are out (TMD prepareComplete: Complete* pending).
      const marking: TransactionMetadata = { ...prepared1, pendingState: 'CompleteCommit' };
      const next = marking.epoch + 1;
      expect(endTransaction(marking, PID, version === 2 ? marking.epoch : next, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: version === 2 ? 'CONCURRENT_TRANSACTIONS' : 'PRODUCER_FENCED' });
      expect(addPartitions(marking, PID, next, [1], 0).error).toBe(version === 2 ? 'CONCURRENT_TRANSACTIONS' : 'PRODUCER_FENCED');
      // Same epoch, other result: CONCURRENT_TRANSACTIONS under both (the pending check comes before the state).
      expect(endTransaction(marking, PID, marking.epoch, 'ABORT', true, 0)).toEqual({ kind: 'answered', error: 'CONCURRENT_TRANSACTIONS' });
    }
  });

  it('KAFKA-17754 at the coordinator: under TV1 a stale EndTxn(ABORT, e) ends the next Ongoing transaction; under TV2 it is PRODUCER_FENCED (trunk isValidEpoch)', () => {
    for (const version of [1, 2] as const) {
      // T1 on {0} aborted through the client's re-sent copy; T2 opens on {1} with the epoch the client now holds.
      const t1 = completeTransaction(prepared(endTransaction(ongoing([0], version), PID, 0, 'ABORT', true, 0)).meta);
      const t2 = addPartitions(t1, PID, t1.epoch, [1], 10).meta;
      expect([t2.state, t2.partitions]).toEqual(['Ongoing', [1]]);
      const stale = endTransaction(t2, PID, 0, 'ABORT', true, 0);
      if (version === 1) expect(stale.kind === 'prepared' && stale.markers.map((m) => m.partition)).toEqual([1]);
      else expect(stale).toEqual({ kind: 'answered', error: 'PRODUCER_FENCED' });
    }
  });
});

describe('coordinator: timeout (TC abortTimedOutTransactions)', () => {
  it('an Ongoing transaction past txnStart + timeout is aborted with epoch+1; the producer is then fenced', () => {
    const m = ongoing([0], 1, 100);
    expect(abortIfTimedOut(m, 0, 60_100)).toBeNull();
    const r = abortIfTimedOut(m, 0, 60_101);
    if (r === null) throw new Error('not timed out');
    expect([r.meta.state, r.meta.epoch, r.markers[0]?.epoch]).toEqual(['PrepareAbort', 1, 1]);
    expect(endTransaction(completeTransaction(r.meta), PID, 0, 'COMMIT', true, 0)).toEqual({ kind: 'answered', error: 'PRODUCER_FENCED' });
    expect(addPartitions(completeTransaction(r.meta), PID, 0, [0], 0).error).toBe('PRODUCER_FENCED');
  });
});

describe('client: TransactionManager transitions (TM State.isTransitionValid)', () => {
  it('begin only from READY, abort from IN_TRANSACTION or ABORTABLE_ERROR, FATAL_ERROR from anywhere, nothing leaves FATAL_ERROR but FATAL_ERROR', () => {
    expect(tmTransitionValid('READY', 'IN_TRANSACTION')).toBe(true);
    expect(tmTransitionValid('COMMITTING_TRANSACTION', 'IN_TRANSACTION')).toBe(false);
    expect(tmTransitionValid('ABORTABLE_ERROR', 'ABORTING_TRANSACTION')).toBe(true);
    expect(tmTransitionValid('ABORTABLE_ERROR', 'COMMITTING_TRANSACTION')).toBe(false);
    expect(tmTransitionValid('ABORTING_TRANSACTION', 'INITIALIZING')).toBe(true);
    expect(tmTransitionValid('FATAL_ERROR', 'READY')).toBe(false);
    expect(tmTransitionValid('UNINITIALIZED', 'FATAL_ERROR')).toBe(true);
  });
});

describe('partition: data and markers (PAI appendDataBatch / appendEndTxnMarker, PSM completeTxn)', () => {
  it('the first transactional batch opens a transaction at its offset; a non-transactional one while open is INVALID_TXN_STATE; an older epoch is INVALID_PRODUCER_EPOCH', () => {
    const p = data(EMPTY_TXN_PARTITION, [0, 1]);
    expect(p.ongoing).toEqual([{ producerId: PID, firstOffset: 0, lastOffset: -1 }]);
    expect(appendTxnData(p, PID, 0, false, [2])).toEqual({ kind: 'rejected', error: 'INVALID_TXN_STATE' });
    const bumped = mark(p, 'ABORT', 1);
    expect(appendTxnData(bumped, PID, 0, true, [3])).toEqual({ kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' });
  });

  it('an ABORT marker completes the transaction and writes an aborted-index entry; a COMMIT writes none; an empty transaction writes none', () => {
    const aborted = mark(data(EMPTY_TXN_PARTITION, [0, 1]), 'ABORT');
    expect(aborted.abortedIndex).toEqual([{ producerId: PID, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 }]);
    expect([aborted.ongoing, aborted.unreplicated]).toEqual([[], [{ producerId: PID, firstOffset: 0, lastOffset: 2 }]]);
    expect(mark(data(EMPTY_TXN_PARTITION, [0]), 'COMMIT').abortedIndex).toEqual([]);
    const empty = mark(EMPTY_TXN_PARTITION, 'ABORT');
    expect([empty.abortedIndex, empty.unreplicated, empty.log.length]).toEqual([[], [], 1]);
  });

  it('a marker with an older epoch or coordinator epoch is rejected; an equal epoch is accepted even when the open transaction is a newer one', () => {
    const p = mark(data(EMPTY_TXN_PARTITION, [0], 1), 'COMMIT', 1, PID, 2);
    expect(appendMarker(p, { partition: 0, producerId: PID, epoch: 0, result: 'ABORT', coordinatorEpoch: 2 })).toEqual({ kind: 'rejected', error: 'INVALID_PRODUCER_EPOCH' });
    expect(appendMarker(p, { partition: 0, producerId: PID, epoch: 1, result: 'ABORT', coordinatorEpoch: 1 })).toEqual({ kind: 'rejected', error: 'TRANSACTION_COORDINATOR_FENCED' });
    // The next transaction's data (same epoch) is closed by a duplicated ABORT of the previous one.
    const next = data(p, [5], 1);
    const dup = appendMarker(next, { partition: 0, producerId: PID, epoch: 1, result: 'ABORT', coordinatorEpoch: 2 });
    expect(dup.kind === 'appended' && dup.partition.abortedIndex.map((a) => a.firstOffset)).toEqual([2]);
  });
});

describe('partition: last stable offset (UL lastStableOffset, PSM firstUnstableOffset / onHighWatermarkUpdated)', () => {
  it('an open transaction holds the LSO at its first offset, also for later records of other producers; the marker below the HW releases it', () => {
    let p = data(EMPTY_TXN_PARTITION, [0, 1]);
    p = data(p, [2], 0, 8, false);
    p = setHighWatermark(p, 3);
    expect(lastStableOffset(p)).toBe(0);
    p = mark(p, 'COMMIT');
    expect(lastStableOffset(setHighWatermark(p, 3))).toBe(0); // marker at 3 not below the HW
    expect(lastStableOffset(setHighWatermark(p, 4))).toBe(4);
  });

  it('the aborted-index LSO is the first offset of another producer\'s open transaction (PSM lastStableOffset(CompletedTxn))', () => {
    let p = data(EMPTY_TXN_PARTITION, [0]);
    p = data(p, [1], 0, 8);
    p = mark(p, 'ABORT');
    expect(p.abortedIndex[0]?.lastStableOffset).toBe(1);
  });
});

describe('consumer reads (UL read with FetchIsolation, LL addAbortedTransactions, CF nextFetchedRecord)', () => {
  /** T1 (pid 7) aborted: a@0 b@1 ABORT@2; T2 (pid 7) committed: c@3 COMMIT@4; pid 8 open: d@5. HW 6. */
  function mixed(): TxnPartition {
    let p = data(EMPTY_TXN_PARTITION, [10, 11]);
    p = mark(p, 'ABORT');
    p = data(p, [12]);
    p = mark(p, 'COMMIT');
    p = data(p, [13], 0, 8);
    return setHighWatermark(p, 6);
  }

  it('read_committed: up to the LSO, aborted batches skipped, control records never returned', () => {
    const p = mixed();
    expect(lastStableOffset(p)).toBe(5);
    expect(readCommitted(p, 0)).toEqual([{ offset: 3, send: 12 }]);
    expect(readCommitted(p, 3)).toEqual([{ offset: 3, send: 12 }]);
  });

  it('read_uncommitted: every data record up to the HW, including the aborted and the open ones', () => {
    expect(readUncommitted(mixed(), 0).map((r) => r.send)).toEqual([10, 11, 12, 13]);
  });

  it('mutant consumer that ignores the aborted index returns the aborted records', () => {
    expect(readCommitted(mixed(), 0, true).map((r) => r.send)).toEqual([10, 11, 12]);
  });

  it('a non-transactional batch of an aborted pid interleaved before the marker is still returned (only transactional batches are skipped)', () => {
    let p = data(EMPTY_TXN_PARTITION, [20]);
    p = data(p, [21], 0, 8, false);
    p = setHighWatermark(mark(p, 'ABORT'), 3);
    expect(readCommitted(p, 0).map((r) => r.send)).toEqual([21]);
  });
});

describe('KAFKA-17754 (a), end to end on coordinator and partitions (reference §6.1)', () => {
  it('TV1: the stale ABORT aborts T2\'s write on partition 1 while T2\'s later write on partition 2 commits: a torn transaction', () => {
    // T1 = {a→0}, aborted by the client's re-send; the first copy is still on its way.
    let meta = ongoing([0]);
    let parts: TxnPartition[] = [data(EMPTY_TXN_PARTITION, [0]), EMPTY_TXN_PARTITION, EMPTY_TXN_PARTITION];
    const apply = (markers: readonly TxnMarker[]): void => {
      for (const m of markers) parts[m.partition] = mark(parts[m.partition] as TxnPartition, m.result, m.epoch);
    };
    const t1 = prepared(endTransaction(meta, PID, 0, 'ABORT', true, 0));
    apply(t1.markers);
    meta = completeTransaction(t1.meta);
    // T2: b→1.
    meta = addPartitions(meta, PID, 0, [1], 10).meta;
    parts[1] = data(parts[1] as TxnPartition, [1]);
    // The stale ABORT lands.
    const stale = prepared(endTransaction(meta, PID, 0, 'ABORT', true, 0));
    apply(stale.markers);
    meta = completeTransaction(stale.meta);
    // T2 goes on: c→2 and a commit that succeeds.
    meta = addPartitions(meta, PID, 0, [2], 20).meta;
    parts[2] = data(parts[2] as TxnPartition, [2]);
    const commit = prepared(endTransaction(meta, PID, 0, 'COMMIT', true, 0));
    apply(commit.markers);
    parts = parts.map((p) => setHighWatermark(p, p.log.length === 0 ? 0 : (p.log[p.log.length - 1]?.baseOffset ?? 0) + 1));
    const visible = parts.flatMap((p) => readCommitted(p, 0).map((r) => r.send));
    expect(visible).toEqual([2]); // b (send 1) of the committed T2 is lost, c (send 2) is visible
  });
});

describe('duplicated marker (TMRH onComplete re-enqueues on a disconnect; PAI checkProducerEpoch rejects only an older epoch)', () => {
  it('under TV2 too, a late copy of T1\'s ABORT marker closes T2\'s data on the same partition: T1\'s markers and T2\'s batches share epoch e+1', () => {
    const t1 = prepared(endTransaction(ongoing([0], 2), PID, 0, 'ABORT', true, 0));
    const marker = t1.markers[0] as TxnMarker;
    expect(marker.epoch).toBe(1);
    let p = mark(data(EMPTY_TXN_PARTITION, [0]), 'ABORT', marker.epoch); // the retried copy
    const t2 = addPartitions(completeTransaction(t1.meta), PID, 1, [0], 10);
    expect([t2.error, t2.meta.state]).toEqual(['NONE', 'Ongoing']);
    p = data(p, [1], 1); // T2's first batch, epoch e+1
    const late = appendMarker(p, marker); // the first copy lands
    if (late.kind !== 'appended') throw new Error(late.error);
    p = mark(late.partition, 'COMMIT', 1); // T2's commit marker: nothing open any more
    p = setHighWatermark(p, 5);
    expect(readCommitted(p, 0)).toEqual([]);
  });
});
