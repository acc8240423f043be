/**
 * Symmetry reduction for the explorer: when renaming brokers maps the model's transitions onto
 * transitions (every rule is equivariant) and leaves every invariant and witness as it was, states
 * that differ only by such a renaming behave alike, and the explorer visits one of each orbit:
 * a state's key is the smallest key over its renamings (Clarke, Emerson, Jha, Sistla, "Symmetry
 * reductions in model checking", CAV 1998; Ip and Dill, "Better verification through symmetry",
 * 1996). The frontier keeps the states as reached, so a counterexample's choices replay as they
 * are, and a shortest counterexample keeps its length (a renaming maps paths to paths of the
 * same length).
 *
 * When it applies. A stopped leader is replaced by the first eligible replica in assignment order
 * (cluster.ts `fenceBroker`, as Kafka's controller does), and no renaming of brokers keeps "first
 * in assignment order": so not with a fault that stops brokers (crash, clean shutdown, power
 * loss) and three or more replicas; with two, the stopped broker is never eligible and the other
 * is the only candidate, whatever the order. With more than one partition each partition has its own assignment order, so not then
 * either; nor with consumers or transactions, whose state this renaming does not cover, nor for a state with a
 * field it does not know (a new one may hold broker ids). Within those limits every rule names a
 * broker only through an event's index or a per-broker list, which `renameBrokers` renames; the
 * test checks equivariance on the states of the suites it applies to.
 */

import type { Setup } from '../model/events.js';
import { kindOn } from '../model/faults.js';
import * as make from '../model/records.js';
import { initialState } from '../model/system.js';
import type { PartitionState, State } from '../model/types.js';
import { stateKey } from './canonical.js';

const STATE_FIELDS = ['producer', 'network', 'cluster', 'held', 'nextProducerId', 'application', 'ghost', 'counters', 'consumers', 'txn'];
const CLUSTER_FIELDS = ['alive', 'partitions'];
const PARTITION_FIELDS = ['leader', 'leaderEpoch', 'isr', 'leaderEpochStartOffset', 'followerLeo', 'replicas'];
const PRODUCER_FIELDS = ['session', 'producerId', 'epoch', 'epochBumpRequired', 'partitionsToRewrite', 'unresolved', 'partitions', 'batches', 'requests', 'drainIndex', 'nextBatchId', 'nextRequestId'];
const CONNECTION_FIELDS = ['toBroker', 'pending', 'toClient'];
const REPLICA_FIELDS = ['log', 'hw', 'flushed', 'producers', 'snapshots'];

/** Why renaming brokers is no symmetry of this setup, or null when it is. */
export function symmetryUnsound(setup: Setup): string | null {
  const { config } = setup;
  if (config.consumer !== null) return 'the consumer group is not renamed';
  if (config.txn !== null) return "the transactional side (its coordinator's broker) is not renamed";
  if (config.topic.partitions !== 1) return 'each partition has its own replica assignment order';
  if (config.topic.replicationFactor < 2) return 'one broker: nothing to rename';
  for (const kind of ['BrokerCrash', 'BrokerShutdown', 'BrokerPowerLoss'] as const) {
    if (kindOn(setup, kind) && config.topic.replicationFactor > 2) return 'a stopped leader is replaced in assignment order (cluster.ts fenceBroker), which renaming brokers does not keep';
  }
  return null;
}

/**
 * Whether `state` has only the fields `renameBrokers` was written for, down to the records that
 * hold broker ids or sit in per-broker lists (checked on the initial state: make.* builds every
 * state of a type with the same fields).
 */
export function knownFields(state: State): boolean {
  const only = (value: object, fields: readonly string[]): boolean => Object.keys(value).every((k) => fields.includes(k));
  return (
    only(state, STATE_FIELDS) &&
    state.txn === null &&
    only(state.producer, PRODUCER_FIELDS) &&
    state.network.every((c) => only(c, CONNECTION_FIELDS)) &&
    only(state.cluster, CLUSTER_FIELDS) &&
    state.cluster.partitions.every((p) => only(p, PARTITION_FIELDS) && p.replicas.every((r) => only(r, REPLICA_FIELDS)))
  );
}

/** Every permutation of 0..n-1 but the identity. */
export function renamings(n: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[]): void => {
    if (prefix.length === n) {
      if (prefix.some((x, i) => x !== i)) out.push(prefix);
      return;
    }
    for (let i = 0; i < n; i++) if (!prefix.includes(i)) walk([...prefix, i]);
  };
  walk([]);
  return out;
}

/** A per-broker list with broker b's entry moved to `to[b]`. */
function moved<T>(items: readonly T[], to: readonly number[]): T[] {
  const out = new Array<T>(items.length);
  items.forEach((item, b) => {
    out[to[b] as number] = item;
  });
  return out;
}

/**
 * The state with broker b renamed `to[b]`: every per-broker list (connections, the producer's
 * requests and drain indices, liveness, replicas and the leader's view of their log ends) and
 * every broker id (leader, ISR, a held produce request's broker). Only for one partition, whose assignment is 0..RF-1 in order, so
 * that `followerLeo` is indexed by broker id.
 */
export function renameBrokers(state: State, to: readonly number[]): State {
  const p = state.producer;
  const partitions = state.cluster.partitions.map(
    (part): PartitionState =>
      make.partition({
        ...part,
        leader: part.leader < 0 ? part.leader : (to[part.leader] as number),
        isr: part.isr.map((r) => to[r] as number).sort((a, b) => a - b),
        followerLeo: moved(part.followerLeo, to),
        replicas: moved(part.replicas, to),
      }),
  );
  return make.state({
    ...state,
    producer: make.producer({ ...p, requests: moved(p.requests, to), drainIndex: moved(p.drainIndex, to) }),
    network: moved(state.network, to),
    cluster: make.cluster({ alive: moved(state.cluster.alive, to), partitions }),
    held: state.held.length === 0 ? state.held : state.held.map((h) => ({ ...h, broker: to[h.broker] as number })),
  });
}

/** The renamings a state's key is the smallest over in this setup, or why symmetry does not apply. */
export function symmetryOf(setup: Setup): { readonly renames: readonly (readonly number[])[] | null; readonly why: string | null } {
  const why = symmetryUnsound(setup) ?? (knownFields(initialState(setup)) ? null : 'the state has fields the renaming does not know');
  return { renames: why === null ? renamings(setup.config.topic.replicationFactor) : null, why };
}

/**
 * A state's key with its witness bits: with renamings, the smallest key over the state and its
 * renamings, so that every state of an orbit gets the same key (and so, in a parallel search,
 * the same owner). Witnesses do not read broker ids, so the bits stay.
 */
export function orbitKey(state: State, bits: number, renames: readonly (readonly number[])[] | null): [number, number] {
  const key = stateKey(state, bits);
  if (renames === null) return key;
  for (const to of renames) {
    const [c, d] = stateKey(renameBrokers(state, to), bits);
    if (c >>> 0 < key[0] >>> 0 || (c >>> 0 === key[0] >>> 0 && d >>> 0 < key[1] >>> 0)) {
      key[0] = c;
      key[1] = d;
    }
  }
  return key;
}
