/**
 * The transactional invariants (issue 19): what a consumer of the configured isolation.level, or
 * a read_committed one, returns from each partition's leader log, against the ghost's logical
 * transactions. They read the log, the ghost and (for quiescence) the coordinator; no protocol
 * rule reads what they return. Each holds trivially without transactional.id.
 *
 * "What a consumer returns" is checked as a fetch from offset 0 in every state (txn.ts
 * `readCommitted` / `readUncommitted` over the current leader's log): with replication.factor=1
 * a leader's log only grows (or loses an unflushed tail, which no read_committed consumer saw: it
 * was above the HW). With more replicas a new leader's log is what consumers read from then on;
 * what a consumer read from the old leader below its HW is in the new one's log unless an
 * unclean election lost it, which NoCommittedWriteLost then reports.
 */

import type { Invariant } from './invariants.js';
import { readCommitted, readUncommitted } from './txn.js';
import type { VisibleRecord } from './txn.js';
import { txnView } from './txn-partition.js';
import type { TxnSide } from './txn-types.js';
import type { LogBatch, Replica, State } from './types.js';

export type TxnViolation =
  | { readonly code: 'aborted_read'; readonly partition: number; readonly offset: number; readonly send: number; readonly detail: string }
  | { readonly code: 'torn_transaction'; readonly txn: number; readonly visible: readonly number[]; readonly hidden: readonly number[]; readonly detail: string }
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
    return out ?? NONE;
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

export const TXN_INVARIANTS = [NoAbortedRead, TransactionAtomic, NoCommittedWriteLost, ZombieFenced, ExactlyOnceProcessing] as const;
