/**
 * The transactional invariants (issue 19): what a consumer of the configured isolation.level, or
 * a read_committed one, returns from each partition's leader log, against the ghost's logical
 * transactions. They read the log, the ghost and (for quiescence) the coordinator; no protocol
 * rule reads what they return. Each holds trivially without transactional.id.
 *
 * "What a consumer returns" is checked two ways. As a fetch from offset 0 in every state (txn.ts
 * `readCommitted` / `readUncommitted` over the current leader's log): with replication.factor=1
 * a leader's log only grows (or loses an unflushed tail, which no read_committed consumer saw: it
 * was above the HW). With more replicas a new leader's log is what consumers read from then on;
 * what a consumer read from the old leader below its HW is in the new one's log unless an
 * unclean election lost it, which NoCommittedWriteLost then reports. And, with a consumer group
 * (`consumer=`), as what its consumers actually returned from poll() and processed
 * (consumer-fetch.ts reads with the same isolation.level): NoAbortedRecordProcessed, and
 * TransactionAtomic's group part.
 */

import type { Invariant } from './invariants.js';
import { readCommitted, readUncommitted } from './txn.js';
import type { VisibleRecord } from './txn.js';
import { txnView } from './txn-partition.js';
import type { TxnSide } from './txn-types.js';
import type { LogBatch, Replica, State } from './types.js';

export type TxnViolation =
  /** `consumer`: a consumer of the group returned or processed it (absent: the reader from offset 0). */
  | { readonly code: 'aborted_read'; readonly partition: number; readonly offset: number; readonly send: number; readonly detail: string; readonly consumer?: number }
  /** `group`: torn as the consumer group read it (processed in part, the rest skipped as aborted). */
  | { readonly code: 'torn_transaction'; readonly txn: number; readonly visible: readonly number[]; readonly hidden: readonly number[]; readonly detail: string; readonly group?: true }
  | { readonly code: 'committed_write_lost'; readonly txn: number; readonly send: number; readonly detail: string }
  | { readonly code: 'zombie_write_visible'; readonly partition: number; readonly offset: number; readonly detail: string }
  | { readonly code: 'output_not_exactly_once'; readonly input: number; readonly outputs: number; readonly detail: string };

const NONE: readonly TxnViolation[] = Object.freeze([]);

function leaderOf(state: State, partition: number): Replica | undefined {
  const p = state.cluster.partitions[partition];
  return p === undefined || p.leader < 0 ? undefined : p.replicas[p.leader];
}

/**
 * The ground truth of a log: offsets of transactional data records whose transaction on this
 * partition was closed by an ABORT marker (the producer's next control batch after them).
 */
export function abortedOffsets(log: readonly LogBatch[]): Set<number> {
  const out = new Set<number>();
  const open = new Map<number, number[]>();
  for (const b of log) {
    if (b.control !== undefined) {
      const offsets = open.get(b.producerId) ?? [];
      if (b.control.result === 'ABORT') for (const o of offsets) out.add(o);
      open.delete(b.producerId);
    } else if (b.transactional === true) {
      const offsets = open.get(b.producerId) ?? [];
      b.sends.forEach((_, i) => offsets.push(b.baseOffset + i));
      open.set(b.producerId, offsets);
    }
  }
  return out;
}

/** The send `replica`'s log holds at `offset`, or -1. */
function sendAt(replica: Replica, offset: number): number {
  for (const b of replica.log) {
    const i = offset - b.baseOffset;
    if (i >= 0 && i < b.sends.length) return b.sends[i] as number;
  }
  return -1;
}

/** A record the consumer group's application got: returned by poll() and still held, or processed (an effect in the sink). */
interface GroupOutput {
  readonly partition: number;
  readonly offset: number;
  readonly send: number;
  readonly consumer: number;
  readonly processed: boolean;
}

/**
 * Everything the group's consumers returned, as far as the state still shows it: each consumer's
 * unprocessed records and the sink's effects. A returned record is in one of them from the poll
 * that returned it until a crash or a failed commit drops it unprocessed, so an invariant checked
 * in every state sees each one.
 */
function groupOutputs(state: State): readonly GroupOutput[] {
  const side = state.consumers;
  if (side === null) return [];
  const out: GroupOutput[] = [];
  side.consumers.forEach((c, consumer) => {
    if (c.running) for (const r of c.returned) out.push({ partition: r.partition, offset: r.offset, send: r.send, consumer, processed: false });
  });
  for (const e of side.sink.effects) out.push({ partition: e.partition, offset: e.offset, send: e.send, consumer: e.consumer, processed: true });
  return out;
}

/** What a consumer of the configured isolation.level returns from the leader's log (the mutant consumer ignores the aborted index). */
export function consumed(txn: TxnSide, replica: Replica): readonly VisibleRecord[] {
  const view = txnView(replica);
  return txn.isolation === 'read_committed' ? readCommitted(view, 0, txn.ignoreAbortedIndex) : readUncommitted(view, 0);
}

/** What a (correct) read_committed consumer returns. */
export function committedRecords(replica: Replica): readonly VisibleRecord[] {
  return readCommitted(txnView(replica), 0);
}

/** No transition waits for the log and no marker is on its way or waits for its HW: every ended transaction is fully marked. */
export function quiescent(txn: TxnSide): boolean {
  const c = txn.coordinator;
  return c.pending === null && c.markers.length === 0 && c.lateMarkers.length === 0;
}

/**
 * Quiescent, and every marker in a live leader's log is below its HW. The second part only
 * matters with replication.factor > 1: a new leader starts from its own HW, which its followers'
 * next fetches raise (PART `makeLeader`, `maybeIncrementLeaderHW`), and until then its LSO
 * (bounded by the HW, UL `lastStableOffset`) hides a transaction the old leader showed. That is a
 * consumer seeing a partition later, not a torn transaction; a marker that never comes (the
 * coordinator done, the marker lost with an unclean election) leaves no marker above the HW and
 * is checked.
 */
export function settled(state: State): boolean {
  if (state.txn === null || !quiescent(state.txn)) return false;
  return state.cluster.partitions.every((p) => {
    const leader = p.leader < 0 ? undefined : p.replicas[p.leader];
    return leader === undefined || leader.log.every((b) => b.control === undefined || b.baseOffset < leader.hw);
  });
}

function partitions(state: State): number[] {
  return state.cluster.partitions.map((_, i) => i);
}

export const NoAbortedRead: Invariant<'NoAbortedRead'> = {
  name: 'NoAbortedRead',
  claim: 'A consumer of the configured isolation.level never returns a record of an aborted transaction.',
  why: "read_committed is the consumer half of exactly-once (KIP-98): it reads up to the LSO and drops the aborted transactions the index lists (CompletedFetch); a record counts as aborted when its partition's marker aborted it or when the application's abortTransaction() returned. read_uncommitted documents that it returns them.",
  check(state) {
    const txn = state.txn;
    if (txn === null) return NONE;
    let out: TxnViolation[] | null = null;
    // Sends of transactions whose abortTransaction() returned (Jepsen's aborted read), beside the log's own aborted ranges.
    const toldAborted = new Set<number>();
    for (const t of txn.ghost.txns) if (t.outcome === 'aborted') for (const send of t.sends) toldAborted.add(send);
    for (const p of partitions(state)) {
      const leader = leaderOf(state, p);
      if (leader === undefined) continue;
      const aborted = abortedOffsets(leader.log);
      if (aborted.size === 0 && toldAborted.size === 0) continue;
      for (const r of consumed(txn, leader)) {
        if (aborted.has(r.offset)) {
          (out ??= []).push({ code: 'aborted_read', partition: p, offset: r.offset, send: r.send, detail: `a ${txn.isolation} consumer returns send s${r.send} at p${p} offset ${r.offset}, a record of an aborted transaction` });
        } else if (toldAborted.has(r.send)) {
          (out ??= []).push({ code: 'aborted_read', partition: p, offset: r.offset, send: r.send, detail: `a ${txn.isolation} consumer returns send s${r.send} at p${p} offset ${r.offset}, whose transaction's abortTransaction() returned` });
        }
      }
    }
    return out ?? NONE;
  },
};

export const NoAbortedRecordProcessed: Invariant<'NoAbortedRecordProcessed'> = {
  name: 'NoAbortedRecordProcessed',
  claim: "No consumer of the group gets a record of an aborted transaction from poll(), or processes one into the sink.",
  why: "NoAbortedRead's promise for the records the group's consumers actually read (consumer-fetch.ts): a read_committed consumer drops the aborted transactions the fetch response lists (CompletedFetch `nextFetchedRecord`); a read_uncommitted one returns them, and its application processes records that were never committed. A record counts as aborted when its partition's marker aborted it or when the application's abortTransaction() returned.",
  check(state) {
    const txn = state.txn;
    if (txn === null || state.consumers === null) return NONE;
    const toldAborted = new Set<number>();
    for (const t of txn.ghost.txns) if (t.outcome === 'aborted') for (const send of t.sends) toldAborted.add(send);
    const abortedAt = new Map<number, Set<number>>();
    let out: TxnViolation[] | null = null;
    for (const o of groupOutputs(state)) {
      const leader = leaderOf(state, o.partition);
      const what = `consumer c${o.consumer} of the group ${o.processed ? 'processed' : 'got from poll()'} send s${o.send} at p${o.partition} offset ${o.offset}`;
      if (leader !== undefined && sendAt(leader, o.offset) === o.send) {
        let aborted = abortedAt.get(o.partition);
        if (aborted === undefined) abortedAt.set(o.partition, (aborted = abortedOffsets(leader.log)));
        if (aborted.has(o.offset)) {
          (out ??= []).push({ code: 'aborted_read', partition: o.partition, offset: o.offset, send: o.send, consumer: o.consumer, detail: `${what}, a record of an aborted transaction` });
          continue;
        }
      }
      if (toldAborted.has(o.send)) (out ??= []).push({ code: 'aborted_read', partition: o.partition, offset: o.offset, send: o.send, consumer: o.consumer, detail: `${what}, whose transaction's abortTransaction() returned` });
    }
    return out ?? NONE;
  },
};

/** Per logical transaction: its sends a read_committed consumer returns, and those stored in a log but not returned. */
function txnVisibility(state: State): { visible: Set<number>; stored: Set<number> } {
  const visible = new Set<number>();
  const stored = new Set<number>();
  for (const p of partitions(state)) {
    const leader = leaderOf(state, p);
    if (leader === undefined) continue;
    for (const b of leader.log) for (const s of b.sends) stored.add(s);
    for (const r of committedRecords(leader)) visible.add(r.send);
  }
  return { visible, stored };
}

/**
 * Where the consumer group has moved past on partition `p`: the group's committed offset, the
 * sink's stored offset, and the position of each running consumer that fetches `p`. A record below
 * it that no consumer returned was skipped by the group's reads.
 */
function groupProgress(state: State, p: number): number {
  const side = state.consumers;
  if (side === null) return 0;
  let progress = Math.max(side.group.committed[p]?.offset ?? -1, side.sink.offsets[p] ?? -1);
  for (const c of side.consumers) {
    if (!c.running) continue;
    for (const a of c.assigned) if (a.partition === p && a.fetchState === 'FETCHING') progress = Math.max(progress, a.position.offset);
  }
  return progress;
}

/**
 * TransactionAtomic for a read_committed consumer group: a transaction of which the group returned
 * or processed some records while its reads skipped others as aborted (records of an aborted
 * transaction below the group's progress on their partition that no consumer returned).
 */
function groupTears(state: State, txn: TxnSide): readonly TxnViolation[] {
  if (state.consumers === null || txn.isolation !== 'read_committed') return NONE;
  const got = new Set(groupOutputs(state).map((o) => o.send));
  const skipped = new Set<number>();
  for (const p of partitions(state)) {
    const leader = leaderOf(state, p);
    if (leader === undefined) continue;
    const aborted = abortedOffsets(leader.log);
    if (aborted.size === 0) continue;
    const progress = groupProgress(state, p);
    for (const b of leader.log) {
      b.sends.forEach((send, i) => {
        const offset = b.baseOffset + i;
        if (offset < progress && aborted.has(offset) && !got.has(send)) skipped.add(send);
      });
    }
  }
  if (skipped.size === 0) return NONE;
  let out: TxnViolation[] | null = null;
  txn.ghost.txns.forEach((t, i) => {
    const shown = t.sends.filter((s) => got.has(s));
    const hidden = t.sends.filter((s) => skipped.has(s));
    if (shown.length > 0 && hidden.length > 0) {
      (out ??= []).push({ code: 'torn_transaction', txn: i, visible: shown, hidden, group: true, detail: `transaction T${i} is torn for the consumer group: it got ${shown.map((s) => `s${s}`).join(', ')} and its reads skipped ${hidden.map((s) => `s${s}`).join(', ')} as aborted` });
    }
  });
  return out ?? NONE;
}

export const TransactionAtomic: Invariant<'TransactionAtomic'> = {
  name: 'TransactionAtomic',
  claim: 'Once no marker is on its way (and each leader has replicated its markers), each transaction is visible to read_committed consumers whole or not at all, across partitions.',
  why: "Atomic writes to several partitions are what transactions add to idempotence (KIP-98); markers land per partition, so between them a transaction is partly visible, and only when they have all landed (and a new leader's HW has caught up with them) must it be whole (reference §4.4).",
  check(state) {
    const txn = state.txn;
    if (txn === null || !settled(state)) return NONE;
    const { visible, stored } = txnVisibility(state);
    let out: TxnViolation[] | null = null;
    txn.ghost.txns.forEach((t, i) => {
      const shown = t.sends.filter((s) => visible.has(s));
      const hidden = t.sends.filter((s) => stored.has(s) && !visible.has(s));
      if (shown.length > 0 && hidden.length > 0) {
        (out ??= []).push({ code: 'torn_transaction', txn: i, visible: shown, hidden, detail: `transaction T${i} is torn: sends ${shown.map((s) => `s${s}`).join(', ')} are visible to read_committed, ${hidden.map((s) => `s${s}`).join(', ')} are in the log but not` });
      }
    });
    const group = groupTears(state, txn);
    return group.length === 0 ? (out ?? NONE) : [...(out ?? []), ...group];
  },
};

export const NoCommittedWriteLost: Invariant<'NoCommittedWriteLost'> = {
  name: 'NoCommittedWriteLost',
  claim: 'Every record of a transaction whose commitTransaction() returned is in its partition and not aborted.',
  why: 'commitTransaction() returning is the promise that every send of the transaction is committed: the marker it waits for (PrepareCommit in the log) must commit exactly those records (KafkaProducer.commitTransaction).',
  check(state) {
    const txn = state.txn;
    if (txn === null) return NONE;
    let out: TxnViolation[] | null = null;
    const aborted = new Map<number, Set<number>>();
    txn.ghost.txns.forEach((t, i) => {
      if (t.outcome !== 'committed') return;
      for (const send of t.sends) {
        const partition = state.ghost.sends[send]?.partition ?? -1;
        const leader = leaderOf(state, partition);
        if (leader === undefined) continue;
        let offsets = aborted.get(partition);
        if (offsets === undefined) aborted.set(partition, (offsets = abortedOffsets(leader.log)));
        let at = -1;
        for (const b of leader.log) {
          const k = b.sends.indexOf(send);
          if (k >= 0) at = b.baseOffset + k;
        }
        if (at < 0) (out ??= []).push({ code: 'committed_write_lost', txn: i, send, detail: `transaction T${i} was committed, but its send s${send} is not in p${partition}'s log` });
        else if (offsets.has(at)) (out ??= []).push({ code: 'committed_write_lost', txn: i, send, detail: `transaction T${i} was committed, but its send s${send} at p${partition} offset ${at} was aborted` });
      }
    });
    return out ?? NONE;
  },
};

export const ZombieFenced: Invariant<'ZombieFenced'> = {
  name: 'ZombieFenced',
  claim: 'Once InitProducerId answered a new instance, no write an older instance makes after that becomes visible to read_committed, and no older instance commits.',
  why: 'Fencing is why transactional.id exists (KIP-98): a new instance bumps the epoch, aborts the open transaction, and every later request of the old epoch is rejected (PRODUCER_FENCED, INVALID_PRODUCER_EPOCH).',
  check(state) {
    const txn = state.txn;
    const fence = txn?.ghost.fence ?? null;
    if (txn === null || fence === null) return NONE;
    let out: TxnViolation[] | null = null;
    if (txn.ghost.zombieCommits > 0) out = [{ code: 'zombie_write_visible', partition: -1, offset: -1, detail: `an instance older than session ${fence.session} had its commitTransaction() acknowledged` }];
    for (const p of partitions(state)) {
      const leader = leaderOf(state, p);
      if (leader === undefined) continue;
      const from = fence.logEnds[p] ?? 0;
      // Records appended after the fence that an older instance sent (the ghost knows each send's session).
      const stale = new Set<number>();
      for (const b of leader.log) {
        if (b.baseOffset < from || b.transactional !== true) continue;
        b.sends.forEach((send, i) => {
          if ((state.ghost.sends[send]?.session ?? fence.session) < fence.session) stale.add(b.baseOffset + i);
        });
      }
      if (stale.size === 0) continue;
      for (const r of committedRecords(leader)) {
        if (stale.has(r.offset)) (out ??= []).push({ code: 'zombie_write_visible', partition: p, offset: r.offset, detail: `send s${r.send} at p${p} offset ${r.offset}, written by an instance older than session ${fence.session} after its fence, is visible to read_committed` });
      }
    }
    return out ?? NONE;
  },
};

export const ExactlyOnceProcessing: Invariant<'ExactlyOnceProcessing'> = {
  name: 'ExactlyOnceProcessing',
  claim: 'In consume-transform-produce, each input record below the committed input offset has exactly one committed output, and none has two.',
  why: 'sendOffsetsToTransaction puts the consumed offsets in the transaction of the outputs (KIP-98, KIP-447), so that outputs and progress commit together across crashes; this is the end-to-end promise of exactly-once processing.',
  check(state) {
    const txn = state.txn;
    if (txn === null) return NONE;
    const outputs = new Map<number, number>();
    for (const p of partitions(state)) {
      const leader = leaderOf(state, p);
      if (leader === undefined) continue;
      for (const r of committedRecords(leader)) {
        const input = state.ghost.sends[r.send]?.record ?? -1;
        outputs.set(input, (outputs.get(input) ?? 0) + 1);
      }
    }
    let out: TxnViolation[] | null = null;
    for (const [input, n] of outputs) {
      if (n > 1) (out ??= []).push({ code: 'output_not_exactly_once', input, outputs: n, detail: `input offset ${input} has ${n} committed outputs` });
    }
    if (settled(state)) {
      for (let input = 0; input < txn.group.committed; input++) {
        if (!outputs.has(input)) (out ??= []).push({ code: 'output_not_exactly_once', input, outputs: 0, detail: `input offset ${input} is below the committed offset ${txn.group.committed} but has no committed output` });
      }
    }
    return out ?? NONE;
  },
};

export const TXN_INVARIANTS = [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost, ZombieFenced, ExactlyOnceProcessing, NoAbortedRecordProcessed] as const;
