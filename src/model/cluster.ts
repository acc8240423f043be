/**
 * The replicated partition and the KRaft controller's decisions about it: follower fetch,
 * ISR shrink and expand, leader election on fencing and unfencing, leadership moves and unclean
 * election.
 *
 * Modelled (Kafka 3.8.0, KRaft):
 * - a fetch is one round trip: the leader reads the records and its HW, then records the
 *   follower's fetch offset as its LEO, may add it to the ISR (PART `isFollowerInSync`: LEO >= HW
 *   and >= the leader epoch's start offset) and advance the HW; the follower appends and sets its
 *   HW to min(the HW read, own LEO) (PART `fetchRecords`, ReplicaFetcherThread `processPartitionData`);
 * - a follower whose log diverged truncates first (KIP-279), rebuilding its producer state;
 * - fencing a crashed broker removes it from every ISR it is in unless it is the last member, and
 *   elects the first replica in assignment order that is in the new ISR and alive
 *   (ReplicationControlManager `handleBrokerFenced`, PartitionChangeBuilder `electAnyLeader`);
 *   unfencing elects it for partitions left without a leader whose ISR holds it (`handleBrokerUnfenced`);
 * - a new leader bumps the leader epoch, forgets its followers' LEOs and recomputes the HW (PART `makeLeader`);
 * - unclean election picks the first live replica and sets the ISR to it alone (PCB `electAnyLeader`, UNCLEAN).
 *   It happens as soon as a partition would otherwise go offline, or when a replica restarts while it
 *   is offline, which is what ZooKeeper mode's controller does with unclean.leader.election.enable=true
 *   (OfflinePartitionLeaderElectionStrategy with allowUnclean).
 *
 * Simplified (on purpose): ISR changes through AlterPartition take effect at once (the "maximal
 * ISR" and the committed ISR are the same), a fetch that finds divergence truncates and fetches in
 * the same step, and the controller's session timeout is not a separate step (crash and fencing
 * are one event). In KRaft 3.8 `unclean.leader.election.enable` is ignored by the controller and an
 * unclean election needs an explicit ElectLeaders(UNCLEAN) call (CCM line 498); the model follows
 * ZooKeeper mode, which honours the setting.
 */

import {
  appendAsFollower,
  commonPrefix,
  logEndOffset,
  maybeIncrementLeaderHw,
  replaceAt,
  truncateTo,
  EMPTY_REPLICA,
} from './broker.js';
import * as make from './records.js';
import type { PartitionState } from './types.js';

/** Replica assignment of a partition: brokers in round-robin order starting at the partition index. */
export function assignment(partition: number, replicationFactor: number): readonly number[] {
  return Array.from({ length: replicationFactor }, (_, i) => (partition + i) % replicationFactor);
}

export function initialPartition(partition: number, replicationFactor: number): PartitionState {
  const brokers = assignment(partition, replicationFactor);
  const leader = brokers[0] ?? 0;
  return make.partition({
    leader,
    leaderEpoch: 0,
    isr: [...brokers].sort((a, b) => a - b),
    leaderEpochStartOffset: 0,
    followerLeo: brokers.map(() => 0),
    replicas: brokers.map(() => EMPTY_REPLICA),
  });
}

/** PART `makeLeader`: new leader epoch, followers' LEOs unknown until they fetch, HW recomputed. */
export function makeLeader(partition: PartitionState, leader: number, isr: readonly number[], minIsr: number): PartitionState {
  const replica = partition.replicas[leader];
  const next: PartitionState = make.partition({
    ...partition,
    leader,
    leaderEpoch: partition.leaderEpoch + 1,
    isr,
    leaderEpochStartOffset: replica === undefined ? 0 : logEndOffset(replica),
    followerLeo: partition.followerLeo.map(() => -1),
  });
  return maybeIncrementLeaderHw(next, minIsr);
}

function without(items: readonly number[], item: number): readonly number[] {
  return items.filter((x) => x !== item);
}

/** The first replica in assignment order that `eligible` accepts, or -1. */
function firstEligible(order: readonly number[], eligible: (r: number) => boolean): number {
  return order.find(eligible) ?? -1;
}

export interface ElectionOutcome {
  readonly partition: PartitionState;
  readonly elected: boolean;
  readonly unclean: boolean;
}

const UNCHANGED = (partition: PartitionState): ElectionOutcome => ({ partition, elected: false, unclean: false });

/**
 * The controller fences a stopped broker: it leaves every ISR it is in (unless it is the last
 * member) and, where it led, the first live in-sync replica in assignment order takes over.
 */
export function fenceBroker(
  partition: PartitionState,
  index: number,
  broker: number,
  alive: readonly boolean[],
  minIsr: number,
  unclean: boolean,
): ElectionOutcome {
  const inIsr = partition.isr.includes(broker);
  const isr = inIsr && partition.isr.length > 1 ? without(partition.isr, broker) : partition.isr;
  if (partition.leader !== broker) {
    if (isr === partition.isr) return UNCHANGED(partition);
    // The leader learns the smaller ISR and may now advance the HW (PART `maybeShrinkIsr`).
    return UNCHANGED(maybeIncrementLeaderHw(make.partition({ ...partition, isr }), minIsr));
  }
  const order = assignment(index, alive.length);
  const next = firstEligible(order, (r) => isr.includes(r) && alive[r] === true);
  if (next >= 0) return { partition: makeLeader(partition, next, isr, minIsr), elected: true, unclean: false };
  const offline: PartitionState = make.partition({ ...partition, leader: -1, isr });
  const anyLive = firstEligible(order, (r) => alive[r] === true);
  if (unclean && anyLive >= 0) return { partition: makeLeader(offline, anyLive, [anyLive], minIsr), elected: true, unclean: true };
  return UNCHANGED(offline);
}

/**
 * The controller unfences a restarted broker and elects it where a partition has no leader and it
 * is in the ISR, or, with unclean election allowed, where no in-sync replica is alive.
 */
export function unfenceBroker(partition: PartitionState, broker: number, minIsr: number, unclean: boolean): ElectionOutcome {
  if (partition.leader >= 0) return UNCHANGED(partition);
  if (partition.isr.includes(broker)) return { partition: makeLeader(partition, broker, partition.isr, minIsr), elected: true, unclean: false };
  if (unclean) return { partition: makeLeader(partition, broker, [broker], minIsr), elected: true, unclean: true };
  return UNCHANGED(partition);
}

/** A controlled leadership move (preferred-leader election, reassignment): the old leader stays a live follower. */
export function moveLeader(partition: PartitionState, to: number, minIsr: number): PartitionState {
  return makeLeader(partition, to, partition.isr, minIsr);
}

/** PART `maybeShrinkIsr`: drop a follower from the ISR, then the HW may advance. */
export function shrinkIsr(partition: PartitionState, replica: number, minIsr: number): PartitionState {
  return maybeIncrementLeaderHw(make.partition({ ...partition, isr: without(partition.isr, replica) }), minIsr);
}

/** PART `isFollowerOutOfSync`: a follower that has not reached the leader's LEO may be dropped. */
export function isOutOfSync(partition: PartitionState, replica: number): boolean {
  const leader = partition.replicas[partition.leader];
  if (leader === undefined || replica === partition.leader || !partition.isr.includes(replica)) return false;
  return (partition.followerLeo[replica] ?? -1) < logEndOffset(leader);
}

/** Would a fetch by this follower change anything? (A no-op fetch is not an event worth exploring.) */
export function fetchHasWork(partition: PartitionState, follower: number): boolean {
  const leader = partition.replicas[partition.leader];
  const replica = partition.replicas[follower];
  if (leader === undefined || replica === undefined || follower === partition.leader) return false;
  const prefix = commonPrefix(replica, leader);
  if (prefix < replica.log.length || prefix < leader.log.length) return true;
  const leo = logEndOffset(replica);
  if ((partition.followerLeo[follower] ?? -1) !== leo) return true;
  if (!partition.isr.includes(follower) && canJoinIsr(partition, leo)) return true;
  return replica.hw !== Math.min(leader.hw, leo);
}

function canJoinIsr(partition: PartitionState, fetchOffset: number): boolean {
  const leader = partition.replicas[partition.leader];
  return leader !== undefined && fetchOffset >= leader.hw && fetchOffset >= partition.leaderEpochStartOffset;
}

export interface FetchOutcome {
  readonly partition: PartitionState;
  /** Batches the follower removed from its log (0 when it did not diverge). */
  readonly truncatedBatches: number;
}

/**
 * One fetch round trip by a live follower from the live leader. The follower first truncates
 * a diverged suffix (rebuilding producer state), then the leader records its fetch offset, may
 * expand the ISR and advance the HW, and the follower appends what the leader has beyond it.
 */
export function replicaFetch(partition: PartitionState, follower: number, minIsr: number, window: number): FetchOutcome {
  const leaderId = partition.leader;
  const leader = partition.replicas[leaderId];
  const replica = partition.replicas[follower];
  if (leader === undefined || replica === undefined) return { partition, truncatedBatches: 0 };
  const prefix = commonPrefix(replica, leader);
  const divergence = replica.log[prefix];
  const truncated = divergence === undefined ? replica : truncateTo(replica, divergence.baseOffset, window);
  const fetchOffset = logEndOffset(truncated);

  // Leader side: Partition.updateFollowerFetchState, maybeExpandIsr, maybeIncrementLeaderHW.
  const followerLeo = replaceAt(partition.followerLeo, follower, fetchOffset);
  const joins = !partition.isr.includes(follower) && canJoinIsr(partition, fetchOffset);
  const isr = joins ? [...partition.isr, follower].sort((a, b) => a - b) : partition.isr;
  const led = maybeIncrementLeaderHw(make.partition({ ...partition, followerLeo, isr }), minIsr);
  // PART `fetchRecords` reads the log (and the HW it returns) before `updateFollowerFetchState`,
  // so the follower learns the HW as it was before this fetch moved it.
  const leaderHw = leader.hw;

  // Follower side: append the leader's batches past the common prefix and take the leader's HW.
  const appended = appendAsFollower(truncated, leader.log.slice(prefix), window);
  const withHw = make.replica({ ...appended, hw: Math.min(leaderHw, logEndOffset(appended)) });
  return {
    partition: make.partition({ ...led, replicas: replaceAt(led.replicas, follower, withHw) }),
    truncatedBatches: replica.log.length - prefix,
  };
}
