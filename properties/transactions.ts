/**
 * Transactions (issue 19): what transactional.id, read_committed and the coordinator's fencing add
 * to the idempotent producer, and where even transactions fall short (KAFKA-17754, the late
 * duplicated marker). Expected verdicts as the source gives them (/work/txn-integration.md §6).
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
    shows: (trace) => trace.config.txn?.isolation === 'read_uncommitted' && trace.events.some((e) => e.kind === 'ProducerRestart') && trace.violations.some((v) => v.code === 'aborted_read'),
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

export default [restartReadCommitted, restartReadUncommitted, zombieFenced, timeoutFences, coordinatorFailover, mutantNoFenceBump, mutantIgnoreAbortedIndex];
